// Short ticket codes typed at the door: the same rules as admission/codes.py.
//
// A code is ten characters of Crockford's base32 (nine of a keyed hash, one Luhn mod 32
// check character), printed in groups: K7Q2-9XMA-3F. Typed, it may come in any case, with
// spaces or dashes, O for 0 and I or L for 1. The device holds no code: for each person only
// `code_tag`, the first 20 bits of HMAC-SHA256(code_key, code), so a typed code finds its
// person (and rarely a stranger, whom the ID check sends away) while the data tells no code.

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LENGTH = 10;
const TAG_BITS = 20;
const SEPARATORS = /[\s\-_.\u00a0\u202f]/g;
const SUBSTITUTES = { O: "0", I: "1", L: "1" };

/**
 * The ten characters of a typed code as `{code}`, or `{error, values}`: error is a key of
 * the page's `strings.code` ("character", "symbol", "length", "check"), values fill it.
 */
export function normalise(text) {
  const cleaned = String(text)
    .toUpperCase()
    .replace(SEPARATORS, "")
    .replace(/[OIL]/g, (char) => SUBSTITUTES[char]);
  for (const char of cleaned) {
    if (!ALPHABET.includes(char)) {
      const letter = /^[\p{L}\p{N}]$/u.test(char);
      return { error: letter ? "character" : "symbol", values: { character: char } };
    }
  }
  if (cleaned.length !== LENGTH) {
    return {
      error: "length",
      values: { expected: LENGTH, example: "K7Q2-9XMA-3F", count: [...cleaned].length },
    };
  }
  if (checkCharacter(cleaned.slice(0, LENGTH - 1)) !== cleaned[LENGTH - 1]) {
    return { error: "check", values: {} };
  }
  return { code: cleaned };
}

/** Luhn mod 32, as admission/codes.py. */
function checkCharacter(data) {
  let total = 0;
  let factor = 2;
  for (let index = data.length - 1; index >= 0; index -= 1) {
    const addend = factor * ALPHABET.indexOf(data[index]);
    total += Math.floor(addend / 32) + (addend % 32);
    factor = factor === 2 ? 1 : 2;
  }
  return ALPHABET[(32 - (total % 32)) % 32];
}

function fromBase64url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

const keys = new Map();

/** The tag of a normalised code under `keyB64url` (checkin-data's `code_key`). */
export async function tagOf(code, keyB64url) {
  if (!keys.has(keyB64url)) {
    keys.set(
      keyB64url,
      crypto.subtle.importKey(
        "raw",
        fromBase64url(keyB64url),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      ),
    );
  }
  const key = await keys.get(keyB64url);
  const digest = new DataView(
    await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(code)),
  );
  return digest.getUint32(0) >>> (32 - TAG_BITS);
}

/** Whether typed text is meant as a short code rather than a ticket's QR text. */
export function looksShort(text) {
  return text.trim().length <= 30;
}
