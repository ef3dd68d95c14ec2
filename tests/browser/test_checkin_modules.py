"""The check-in app's own modules in Chromium: ticket verification and QR decoding.

``verify.js`` must agree with ``admission.tickets`` on real tokens, with each Ed25519 engine;
``decode.js`` reads QR images made here with segno (clean, blurred, rotated, warped) and
answers null, never an error, for what holds no readable code. The camera scanner runs on
Chromium's fake camera, fed a video of QR codes.

The cases only read: one page of the site (or one camera browser) and one scene serve the
whole module (``scene_server``), instead of a page load and an emptied database per case.
"""

import base64
import io
import json
import random

import pytest
import segno
from django.templatetags.static import static
from PIL import Image, ImageFilter

from admission import codes, keys
from admission.tickets import _CLAIM, PREFIX, InvalidTicket, token_for, verify_token
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Tab
from tests.factories import EditionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

VERIFY = """async ([url, tokens, key, editionId, engine]) => {
  const {verifyTicket} = await import(url);
  const results = [];
  for (const token of tokens) {
    try {
      results.push(await verifyTicket(token, key, editionId, engine ? {engine} : undefined));
    } catch (error) {
      results.push({thrown: String(error)});
    }
  }
  return results;
}"""

# Draws each data URL into a canvas, then decodes it given as `kind`: "canvas", "imagedata",
# "img", "bitmap" or "null" (no source at all).
DECODE = """async ([url, images, kind, engine]) => {
  const {decodeQR} = await import(url);
  const results = [];
  for (const dataUrl of images) {
    const img = new Image();
    img.src = dataUrl;
    try { await img.decode(); } catch {}
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    if (img.naturalWidth) canvas.getContext("2d").drawImage(img, 0, 0);
    const source = {
      canvas: () => canvas,
      img: () => img,
      imagedata: () => canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height),
      bitmap: () => createImageBitmap(canvas),
      null: () => null,
    }[kind];
    try {
      results.push(await decodeQR(await source(), engine ? {engine} : undefined));
    } catch (error) {
      results.push({thrown: String(error)});
    }
  }
  return results;
}"""


@pytest.fixture(scope="module")
def site_page(browser, scene_server):
    """A page of the site, under its real CSP, from which the modules are imported."""
    context = browser.new_context(locale="fr-FR")
    tab = Tab(context.new_page(), scene_server.url)
    tab.goto("/")
    yield tab
    context.close()


@pytest.fixture
def home(site_page):
    """The module's page, for one case: no CSP violation nor console error during it."""
    site_page.console_errors.clear()
    site_page.page.evaluate("window.__cspViolations = []")
    yield site_page
    assert site_page.csp_violations() == []
    assert site_page.console_errors == []


@pytest.fixture(scope="module")
def edition(scene_server):
    return EditionFactory(title="Journée Exemple")


@pytest.fixture(scope="module")
def registration(edition):
    return RegistrationFactory(edition=edition)


def verify(tab, tokens, edition, *, key=None, engine=None):
    key = keys.public_key_b64(edition) if key is None else key
    url = static("admission/checkin/verify.js")
    return tab.page.evaluate(VERIFY, [url, tokens, key, edition.pk, engine])


def decode(tab, images, *, kind="canvas", engine="jsqr"):
    urls = [image if isinstance(image, str) else data_url(image) for image in images]
    return tab.page.evaluate(DECODE, [static("admission/checkin/decode.js"), urls, kind, engine])


def data_url(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def payload(token):
    encoded = token[len(PREFIX) :]
    return bytearray(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def encode(data):
    return PREFIX + base64.urlsafe_b64encode(bytes(data)).rstrip(b"=").decode("ascii")


# Verification ------------------------------------------------------------------------------


def test_verify_engines_in_chromium_are_webcrypto_then_noble(home):
    url = static("admission/checkin/verify.js")

    available = home.page.evaluate("async url => (await import(url)).engines()", url)

    assert available == ["webcrypto", "noble"]


@pytest.mark.parametrize("engine", [None, "webcrypto", "noble"])
def test_verify_accepts_a_real_ticket_and_gives_its_public_id(home, registration, engine):
    results = verify(home, [token_for(registration)], registration.edition, engine=engine)

    assert results == [{"code": "valid", "publicId": str(registration.public_id)}]


@pytest.mark.parametrize("engine", ["webcrypto", "noble"])
def test_verify_says_wrong_edition_for_a_ticket_of_another_edition(home, edition, engine):
    elsewhere = RegistrationFactory(edition=EditionFactory(title="Autre journée"))

    results = verify(home, [token_for(elsewhere)], edition, engine=engine)

    assert results == [{"code": "wrong_edition", "publicId": None}]


@pytest.mark.parametrize("engine", ["webcrypto", "noble"])
def test_verify_says_invalid_for_a_ticket_signed_with_another_key(home, registration, engine):
    # Claims the edition but was signed by another edition's key: a forgery.
    other = EditionFactory(title="Autre journée")
    message = _CLAIM.pack(1, registration.edition_id, registration.public_id.bytes)
    forged = encode(message + keys.private_key_for(other).sign(message))

    results = verify(home, [forged], registration.edition, engine=engine)

    assert results == [{"code": "invalid", "publicId": None}]


def damaged_tokens(registration):
    """Strings the server refuses too, each for one reason of ``tickets._parse`` or the key."""
    token = token_for(registration)
    flipped_signature = payload(token)
    flipped_signature[40] ^= 0x01
    flipped_claim = payload(token)
    flipped_claim[10] ^= 0x80
    # The last character carries 2 bits of the last byte and 4 unused bits, zero when
    # canonical: setting one spells the same bytes another way.
    non_canonical = token[:-1] + ALPHABET[ALPHABET.index(token[-1]) | 1]
    assert payload(non_canonical) == payload(token)
    version_two = _CLAIM.pack(2, registration.edition_id, registration.public_id.bytes)
    signed_version_two = encode(
        version_two + keys.private_key_for(registration.edition).sign(version_two)
    )
    return {
        "flipped signature byte": encode(flipped_signature),
        "flipped public id byte": encode(flipped_claim),
        "truncated by one": token[:-1],
        "truncated by half": token[:58],
        "one character more": token + "A",
        "padded": token + "==",
        "trailing newline": token + "\n",
        "wrong prefix": "P2" + token[2:],
        "lowercase prefix": "p1" + token[2:],
        "no prefix": token[2:] + "AA",
        "non-canonical base64": non_canonical,
        "standard base64's +": token[:20] + "+" + token[21:],
        "standard base64's /": token[:20] + "/" + token[21:],
        "character outside the alphabet": token[:50] + "é" + token[51:],
        "version 2, well signed": signed_version_two,
        "garbage": "https://example.org/not-a-ticket",
        "empty": "",
        "10 kB": "P1" + "A" * 10_000,
    }


@pytest.mark.parametrize("engine", [None, "webcrypto", "noble"])
def test_verify_says_invalid_for_damaged_or_malformed_tokens(home, registration, engine):
    damaged = damaged_tokens(registration)
    public_key = keys.public_key_for(registration.edition)
    for token in damaged.values():
        with pytest.raises(InvalidTicket):
            verify_token(token, public_key)

    results = verify(home, list(damaged.values()), registration.edition, engine=engine)

    assert dict(zip(damaged, results, strict=True)) == {
        reason: {"code": "invalid", "publicId": None} for reason in damaged
    }


def test_verify_says_invalid_for_values_that_are_not_strings(home, registration):
    results = verify(home, [None, 116, 1.5, True, [], {"token": "P1"}], registration.edition)

    assert results == [{"code": "invalid", "publicId": None}] * 6


@pytest.mark.parametrize("engine", ["webcrypto", "noble"])
@pytest.mark.parametrize("key", ["", "not a key!", "AAAA", "A" * 43])
def test_verify_says_invalid_with_a_broken_public_key(home, registration, key, engine):
    results = verify(home, [token_for(registration)], registration.edition, key=key, engine=engine)

    assert results == [{"code": "invalid", "publicId": None}]


# Decoding ----------------------------------------------------------------------------------


def qr_image(text, *, scale=6, border=4):
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=border)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def rotated(image, degrees):
    return image.rotate(degrees, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)


def warped(image):
    """A photo taken slightly from the side: a perspective, then sensor noise on top."""
    width, height = image.size
    # Coefficients mapping the output back into the source: a mild keystone and skew.
    coefficients = (1.05, 0.08, -12, 0.03, 1.02, -6, 0.00012, 0.00008)
    photo = image.transform(
        (width, height),
        Image.Transform.PERSPECTIVE,
        coefficients,
        resample=Image.Resampling.BICUBIC,
        fillcolor=255,
    )
    # Seeded: the same noise every run, so that the image, and so the verdict, never varies.
    grain = random.Random(7).randbytes(width * height)
    noise = Image.frombytes("L", (width, height), grain)
    return Image.blend(photo, noise, 0.15)


def variants(token):
    clean = qr_image(token)
    return {
        "clean": clean,
        "blurred": clean.filter(ImageFilter.GaussianBlur(2)),
        "rotated 30°": rotated(clean, 30),
        "rotated 90°": rotated(clean, 90),
        "small margin, warped and noisy": warped(qr_image(token, scale=8, border=1)),
    }


def unreadable(token):
    random.seed(5)
    return {
        "heavily blurred": qr_image(token).filter(ImageFilter.GaussianBlur(12)),
        "random noise": Image.frombytes("L", (300, 300), random.randbytes(300 * 300)),
        "blank": Image.new("L", (300, 300), 255),
        "not an image": "data:image/png;base64," + base64.b64encode(b"garbage").decode(),
    }


def test_decode_engine_in_chromium_on_linux_is_jsqr(home, registration):
    token = token_for(registration)
    url = static("admission/checkin/decode.js")

    available = home.page.evaluate("async url => (await import(url)).engines()", url)
    results = decode(home, [qr_image(token)], engine=None)

    assert available == ["jsqr"]
    assert results == [token]


#: A ticket's shape and length with fixed bytes: a real token changes with every run's key,
#: and so would the pixels of a warped, noisy photo of it.
SAMPLE_TOKEN = "P1" + base64.urlsafe_b64encode(bytes(range(7, 92))).rstrip(b"=").decode()


def test_decode_reads_the_ticket_in_clean_blurred_rotated_and_warped_images(home):
    token = SAMPLE_TOKEN
    images = variants(token)

    results = decode(home, list(images.values()))

    assert dict(zip(images, results, strict=True)) == dict.fromkeys(images, token)


@pytest.mark.parametrize("kind", ["canvas", "imagedata", "img", "bitmap"])
def test_decode_reads_each_kind_of_source(home, registration, kind):
    token = token_for(registration)

    assert decode(home, [qr_image(token)], kind=kind) == [token]


def test_decode_gives_null_for_images_without_a_readable_code(home, registration):
    images = unreadable(token_for(registration))

    results = decode(home, list(images.values()))

    assert dict(zip(images, results, strict=True)) == dict.fromkeys(images)


@pytest.mark.parametrize("kind", ["canvas", "img", "null"])
def test_decode_gives_null_for_a_source_with_nothing_to_draw(home, kind):
    # An empty canvas, an image that never loaded, no source at all.
    results = decode(home, ["data:image/png;base64,"], kind=kind)

    assert results == [None]


# A stand-in for the BarcodeDetector of Android and macOS browsers (the shape detection API),
# installed before the page's scripts: `formats` it says it reads, `detected` what detect()
# answers ("throw": it fails, as on an image not loaded yet).
FAKE_DETECTOR = """([formats, detected]) => {
  globalThis.BarcodeDetector = class {
    static async getSupportedFormats() { return formats; }
    constructor(options) { this.options = options; }
    async detect(source) {
      if (detected === "throw") throw new DOMException("not decodable", "InvalidStateError");
      return detected;
    }
  };
}"""


def with_detector(browser, server, formats, detected):
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(f"({FAKE_DETECTOR})({json.dumps([formats, detected])})")
    tab = Tab(page, server.url)
    tab.goto("/")
    return tab


@pytest.mark.parametrize(
    ("detected", "expected"),
    [
        ([{"rawValue": ""}, {"rawValue": "P1-from-the-detector"}], "P1-from-the-detector"),
        ([], None),
        ("throw", None),
    ],
)
def test_decode_uses_the_browser_barcode_detector_where_it_reads_qr_codes(
    browser, scene_server, registration, detected, expected
):
    tab = with_detector(browser, scene_server, ["ean_13", "qr_code"], detected)
    url = static("admission/checkin/decode.js")

    available = tab.page.evaluate("async url => (await import(url)).engines()", url)
    results = decode(tab, [qr_image(token_for(registration))], engine=None)

    assert available == ["barcode-detector", "jsqr"]
    assert results == [expected]
    tab.page.context.close()


def test_decode_falls_back_to_jsqr_when_the_detector_reads_no_qr_codes(
    browser, scene_server, registration
):
    token = token_for(registration)
    tab = with_detector(browser, scene_server, ["ean_13"], [{"rawValue": "not this"}])
    url = static("admission/checkin/decode.js")

    available = tab.page.evaluate("async url => (await import(url)).engines()", url)
    results = decode(tab, [qr_image(token)], engine=None)

    assert available == ["jsqr"]
    assert results == [token]
    tab.page.context.close()


# The camera --------------------------------------------------------------------------------

# The camera films two tickets in turns. `hiddenFor`: seconds the video starts hidden (the app
# on another screen); `refuse`: how many first codes onText refuses (returns false); then
# waits for `want` calls, then `settle` seconds with both codes still filmed.
SCAN = """async ([url, {hiddenFor = 0, refuse = 0, want = 2, settle = 1.5}]) => {
  const {createScanner} = await import(url);
  const sleep = seconds => new Promise(resolve => setTimeout(resolve, seconds * 1000));
  const video = document.createElement("video");
  video.hidden = hiddenFor > 0;
  document.body.append(video);
  const calls = [];
  const scanner = await createScanner(video, text => {
    calls.push(text);
    return calls.length > refuse ? undefined : false;
  });
  await sleep(hiddenFor);
  const whileHidden = calls.length;
  video.hidden = false;
  while (calls.length < want) await sleep(0.05);
  await sleep(settle);
  const stream = video.srcObject;
  scanner.stop();
  return {
    calls,
    whileHidden,
    tracksEnded: stream.getTracks().every(track => track.readyState === "ended"),
    released: video.srcObject === null,
  };
}"""

CAMERA_ERROR = """async url => {
  const {createScanner, CameraError} = await import(url);
  try {
    await createScanner(document.createElement("video"), () => {});
    return "started";
  } catch (error) {
    return error instanceof CameraError ? error.code : String(error);
  }
}"""


def y4m(frames, path, *, fps=4):
    """A raw video Chromium's fake camera loops: grey frames (Y plane, U and V neutral)."""
    width, height = frames[0].size
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            video.write(b"FRAME\n" + frame.tobytes() + bytes([128]) * (width * height // 2))


def framed(image, size=(640, 480)):
    frame = Image.new("L", size, 255)
    frame.paste(image, ((size[0] - image.width) // 2, (size[1] - image.height) // 2))
    return frame


@pytest.fixture(scope="module")
def camera(browser, tmp_path_factory, edition):
    """A Chromium whose camera films two tickets in turns, half a second each, in a loop;
    yields the browser and the two tokens."""
    tokens = [token_for(RegistrationFactory(edition=edition)) for _ in range(2)]
    frames = [framed(qr_image(token, scale=5)) for token in tokens]
    video = tmp_path_factory.mktemp("camera") / "camera.y4m"
    y4m([frames[0], frames[0], frames[1], frames[1]], video)
    camera_browser = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    yield camera_browser, tokens
    camera_browser.close()


def open_home(browser, server, *, camera_allowed):
    context = browser.new_context()
    if camera_allowed:
        context.grant_permissions(["camera"], origin=server.url)
    tab = Tab(context.new_page(), server.url)
    tab.goto("/")
    return tab


def scan(camera, server, **options):
    tab = open_home(camera[0], server, camera_allowed=True)
    result = tab.page.evaluate(SCAN, [static("admission/checkin/decode.js"), options])
    assert tab.console_errors == []
    tab.page.context.close()
    return result


def test_scanner_reports_each_code_once_while_it_stays_in_view(camera, scene_server):
    tokens = camera[1]

    result = scan(camera, scene_server)

    assert sorted(result["calls"]) == sorted(tokens)
    assert result["tracksEnded"] is True
    assert result["released"] is True


def test_scanner_reads_nothing_while_the_video_is_hidden(camera, scene_server):
    tokens = camera[1]

    result = scan(camera, scene_server, hiddenFor=1.5)

    assert result["whileHidden"] == 0
    assert sorted(result["calls"]) == sorted(tokens)


def test_scanner_reports_again_a_code_the_app_could_not_take(camera, scene_server):
    tokens = camera[1]

    result = scan(camera, scene_server, refuse=3, want=5)

    # Each refused code came back; once taken, each code fired once.
    assert len(result["calls"]) == 5
    assert set(result["calls"][:3]) <= set(tokens)
    assert sorted(result["calls"][3:]) == sorted(tokens)


def test_scanner_says_permission_denied_when_the_camera_is_refused(camera, scene_server):
    # Playwright's Chromium refuses the permission prompts nobody granted.
    tab = open_home(camera[0], scene_server, camera_allowed=False)

    result = tab.page.evaluate(CAMERA_ERROR, static("admission/checkin/decode.js"))

    assert result == "permission_denied"
    tab.page.context.close()


def test_scanner_says_no_camera_on_a_device_without_one(browser, scene_server):
    tab = open_home(browser, scene_server, camera_allowed=True)

    result = tab.page.evaluate(CAMERA_ERROR, static("admission/checkin/decode.js"))

    assert result == "no_camera"
    tab.page.context.close()


# Short ticket codes ------------------------------------------------------------------------

CODES = """async ([url, typed, key]) => {
  const codes = await import(url);
  const results = [];
  for (const text of typed) {
    const result = codes.normalise(text);
    if (result.code) {
      result.tag = await codes.tagOf(result.code, key);
    }
    results.push(result);
  }
  return results;
}"""


def test_codes_js_agrees_with_admission_codes(home, edition):
    people = RegistrationFactory.create_batch(40, edition=edition)
    key = codes.tag_key(edition)
    printed = [codes.code_for(person) for person in people]
    rng = random.Random(7)
    typed = []
    for code in printed:
        bare = code.replace("-", "")
        typed += [code, bare.lower(), bare.replace("0", "o").replace("1", "L"), f" {code} "]
        typed.append(bare[:-1] + rng.choice([c for c in codes.ALPHABET if c != bare[-1]]))
    typed += ["K7Q2-9XMA", "K7Q2-9XMU-3F", "K7Q2/9XMA/3F", "", "É" * 10]

    results = home.page.evaluate(
        CODES,
        [
            static("admission/checkin/codes.js"),
            typed,
            base64.urlsafe_b64encode(key).rstrip(b"=").decode(),
        ],
    )

    for text, result in zip(typed, results, strict=True):
        assert result == python_normalised(text, key), text


def python_normalised(text, key):
    """What codes.js must answer for ``text``, by admission.codes."""
    try:
        code = codes.normalise(text)
    except codes.InvalidCode as refused:
        return {"error": refused.code, "values": refused.values}
    return {"code": code, "tag": codes.tag(key, code)}
