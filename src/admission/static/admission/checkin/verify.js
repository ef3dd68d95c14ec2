// Offline check of a ticket token: the same format and rules as admission/tickets.py.
//
// A token is "P1" + the unpadded base64url of 85 bytes: version (1 byte, 1) | edition id
// (uint32, big-endian) | registration public_id (16 bytes) | Ed25519 signature (64 bytes) of
// the 21 bytes before it. The door device holds only its own edition's public key, so a token
// naming another edition is "wrong_edition" without a signature check: that key is not here.
//
// Two engines verify the signature: the browser's WebCrypto Ed25519 (current Chromium,
// Firefox and Safari), else the vendored @noble/ed25519 (older phones), which still needs
// WebCrypto's SHA-512. Both need a secure context (HTTPS, or localhost): production serves
// the app over HTTPS, for the camera and the service worker anyway.
//
// Loads ../vendor/noble-ed25519/index.js (a service worker caching the app must keep it).

import * as noble from "../vendor/noble-ed25519/index.js";

const PREFIX = "P1";
const VERSION = 1;
const CLAIM_SIZE = 1 + 4 + 16;
const PAYLOAD_SIZE = CLAIM_SIZE + 64;
const ENCODED_LENGTH = Math.ceil((PAYLOAD_SIZE * 4) / 3);
const TOKEN_PATTERN = new RegExp(`^${PREFIX}[A-Za-z0-9_-]{${ENCODED_LENGTH}}$`);
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const PUBLIC_KEY_SIZE = 32;

// RFC 8032, section 7.1, test 1: a signature of the empty message, to probe whether the
// browser's Ed25519 really verifies (some import the key but fail later).
const PROBE_KEY = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const PROBE_SIGNATURE =
  "5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc-bRr0lv18FlbviRlUUFDjnoQCw";

// publicKeyB64url -> Promise<CryptoKey> (WebCrypto) and -> Uint8Array (noble): imported once.
const webCryptoKeys = new Map();
const rawKeys = new Map();
let webCryptoSupport = null;

const INVALID = Object.freeze({ code: "invalid", publicId: null });
const WRONG_EDITION = Object.freeze({ code: "wrong_edition", publicId: null });

/**
 * The verdict on `token` for the edition `editionId` whose public key is `publicKeyB64url`
 * (32 raw bytes, unpadded base64url, as checkin-data's `public_key`).
 *
 * Resolves to `{code, publicId}`: code "valid" with publicId the registration's public_id,
 * lowercase hyphenated as the API's; "wrong_edition" or "invalid" with publicId null (what an
 * unchecked token names is not to be trusted). Never rejects for bad input, whatever its
 * type; rejects only for what is not the ticket's fault: an unknown `engine`, a forced
 * engine this browser lacks, no WebCrypto at all (the page is not served over HTTPS).
 *
 * `engine`: "webcrypto" or "noble" forces one (tests, bench); by default WebCrypto where
 * the browser verifies Ed25519, else noble.
 */
export async function verifyTicket(token, publicKeyB64url, editionId, { engine } = {}) {
  const parsed = parse(token);
  if (parsed === null) {
    return INVALID;
  }
  if (parsed.editionId !== Number(editionId)) {
    return WRONG_EDITION;
  }
  const chosen = engine ?? ((await hasWebCryptoEd25519()) ? "webcrypto" : "noble");
  const verify = Object.hasOwn(VERIFIERS, chosen) ? VERIFIERS[chosen] : null;
  if (verify === null) {
    throw new TypeError(`unknown Ed25519 engine: ${chosen}`);
  }
  const verified = await verify(parsed, publicKeyB64url);
  return verified ? { code: "valid", publicId: formatUuid(parsed.publicIdBytes) } : INVALID;
}

/** The engines that can verify here, the default first: ["webcrypto", "noble"], ["noble"]. */
export async function engines() {
  const available = [];
  if (await hasWebCryptoEd25519()) {
    available.push("webcrypto");
  }
  if (globalThis.crypto?.subtle) {
    available.push("noble");
  }
  return available;
}

function hasWebCryptoEd25519() {
  webCryptoSupport ??= probeWebCrypto();
  return webCryptoSupport;
}

async function probeWebCrypto() {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    return false;
  }
  try {
    const algorithm = { name: "Ed25519" };
    const key = await subtle.importKey("raw", decodeB64url(PROBE_KEY), algorithm, false, [
      "verify",
    ]);
    const signature = decodeB64url(PROBE_SIGNATURE);
    return await subtle.verify(algorithm, key, signature, new Uint8Array());
  } catch {
    return false;
  }
}

async function verifyWithWebCrypto({ message, signature }, publicKeyB64url) {
  if (!(await hasWebCryptoEd25519())) {
    throw new Error("this browser's WebCrypto does not verify Ed25519");
  }
  const key = await importedKey(publicKeyB64url);
  if (key === null) {
    return false;
  }
  try {
    return await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
  } catch {
    return false;
  }
}

function importedKey(publicKeyB64url) {
  if (!webCryptoKeys.has(publicKeyB64url)) {
    const raw = rawKey(publicKeyB64url);
    // A key the browser refuses is remembered as null: every token then reads "invalid",
    // as on the server with a wrong key.
    const imported =
      raw === null
        ? Promise.resolve(null)
        : crypto.subtle
            .importKey("raw", raw, { name: "Ed25519" }, false, ["verify"])
            .catch(() => null);
    webCryptoKeys.set(publicKeyB64url, imported);
  }
  return webCryptoKeys.get(publicKeyB64url);
}

async function verifyWithNoble({ message, signature }, publicKeyB64url) {
  const raw = rawKey(publicKeyB64url);
  if (raw === null) {
    return false;
  }
  if (!globalThis.crypto?.subtle) {
    throw new Error("Ed25519 needs WebCrypto (crypto.subtle): serve the page over HTTPS");
  }
  try {
    // zip215: false is RFC 8032's strict rule, as the server's OpenSSL and WebCrypto apply.
    return await noble.verifyAsync(signature, message, raw, { zip215: false });
  } catch {
    return false;
  }
}

const VERIFIERS = { webcrypto: verifyWithWebCrypto, noble: verifyWithNoble };

function rawKey(publicKeyB64url) {
  if (!rawKeys.has(publicKeyB64url)) {
    const raw = typeof publicKeyB64url === "string" ? decodeB64url(publicKeyB64url) : null;
    rawKeys.set(publicKeyB64url, raw?.length === PUBLIC_KEY_SIZE ? raw : null);
  }
  return rawKeys.get(publicKeyB64url);
}

// The claim and the signed bytes of a well-formed token, or null: strictly as tickets._parse
// (prefix, length, alphabet, the one canonical spelling, version).
function parse(token) {
  if (typeof token !== "string" || !TOKEN_PATTERN.test(token)) {
    return null;
  }
  const payload = decodeB64url(token.slice(PREFIX.length));
  if (payload === null || payload.length !== PAYLOAD_SIZE || payload[0] !== VERSION) {
    return null;
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return {
    editionId: view.getUint32(1, false),
    publicIdBytes: payload.subarray(5, CLAIM_SIZE),
    message: payload.slice(0, CLAIM_SIZE),
    signature: payload.slice(CLAIM_SIZE),
  };
}

// Unpadded base64url to bytes; null unless the text is the canonical encoding: only the
// alphabet, no impossible length, and zero unused bits in the last character (otherwise two
// spellings would name one payload, which the server refuses).
function decodeB64url(text) {
  if (text.length % 4 === 1) {
    return null;
  }
  const bytes = new Uint8Array(Math.floor((text.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const character of text) {
    const value = ALPHABET.indexOf(character);
    if (value < 0) {
      return null;
    }
    buffer = ((buffer << 6) | value) & 0xfff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[index++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) {
    return null;
  }
  return bytes;
}

function formatUuid(bytes) {
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join("-");
}
