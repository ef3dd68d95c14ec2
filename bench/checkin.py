"""Check-in at the door, server side: door devices posting scans to the check-in endpoint.

Starts ``ptce serve`` on a PostgreSQL database of its own, which it drops and creates again
(``CHECKIN_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/ptce_bench_checkin``),
makes an edition taking place today with ``CHECKIN_PEOPLE`` confirmed registrations (default
2,000), three entrances and an agent's API token, then drives
``POST /api/v1/editions/{slug}/checkins`` as the door devices do (one HTTP connection per
scan, each with its own nonce), with 1 and then 10 concurrent devices:

- ``admit``: every scan is a different ticket scanned for the first time (an admission);
- ``rescan``: tickets admitted already, scanned again (``already_admitted``, the duplicate
  path that also reads the first admission).

For each run it prints the scans, the verdicts per second (wall time of the run), p50/p95/p99
of the POST as the client saw it and p50/p99 of the server's own ``Server-Timing`` in
milliseconds, and errors (any answer other than 200 with the expected ``result``). It ends
with the admissions counted in SQL, which must equal the ``admit`` scans. Target: server p99
under 50 ms at 10 devices. Nothing passes or fails; the figures depend on the machine, and
the load generator runs on it too.

    .venv/bin/python bench/checkin.py

Then the **offline verdict time** at the door, in headless Chromium (``/usr/bin/chromium``,
the flags of the browser tests) with its CPU slowed down 4 times
(``Emulation.setCPUThrottlingRate``, a mid-range phone), on a second edition of
``CHECKIN_PEOPLE`` people:

- the modules alone, in a page of the site: ``verifyTicket`` per Ed25519 engine (WebCrypto,
  then the vendored noble), and ``decodeQR`` (jsQR, as the camera scanner calls it) on a
  640x480 frame holding a ticket and on one holding none (what the camera sees between
  people);
- the check-in app (``/controle/<slug>/``, logged in as the edition's agent through a session
  made here) once it downloaded the edition's data, with the network cut
  (``context.set_offline(True)`` and every ``/api/`` request aborted), so that every verdict
  is decided on the device: for ``CHECKIN_BROWSER_TICKETS`` tickets (default 50), the time
  from Enter in the code field (``#ticket-code``, the path a decoded QR code takes) to the
  person on the ID-check screen, from "ID checked — admit" to the verdict
  (``#verdict[data-result]``), and from Enter to the verdict for the same tickets scanned
  again (already admitted) and for forged ones.

It prints p50/p99 in milliseconds, measured in the page (from the key or click event to the
change of the page), with the throttling factor. Target: under 100 ms from decoded QR code to
verdict.

Environment: ``CHECKIN_PEOPLE``, ``CHECKIN_WEB_WORKERS`` (gunicorn workers, default 4),
``CHECKIN_PORT`` (default 8178), ``CHECKIN_BROWSER_TICKETS`` (default 50).
"""

import asyncio
import base64
import functools
import io
import json
import os
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

import registration_rush as rush
import segno

rush.DATABASE_URL = os.environ.get(
    "CHECKIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ptce_bench_checkin"
)
rush.PORT = int(os.environ.get("CHECKIN_PORT", "8178"))
rush.WEB_WORKERS = int(os.environ.get("CHECKIN_WEB_WORKERS", "4"))
PEOPLE = int(os.environ.get("CHECKIN_PEOPLE", "2000"))
DEVICES = (1, 10)
SERVER_TIMING = re.compile(r"checkin;dur=([\d.]+)")
VERIFY_JS = "/static/admission/checkin/verify.js"
DECODE_JS = "/static/admission/checkin/decode.js"
BROWSER_TICKETS = int(os.environ.get("CHECKIN_BROWSER_TICKETS", "50"))
CPU_THROTTLING = 4
# As tests/browser/conftest.py: Debian's Chromium with the flags this machine needs.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def scene(title="Check-in bench"):
    """An edition of today with PEOPLE confirmed registrations; (edition, tokens, agent)."""
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import Membership, User
    from admission import tickets
    from admission.models import Entrance
    from events.enums import EditionStatus
    from events.models import Edition
    from network.models import Organisation
    from registrations.enums import RegistrationStatus
    from registrations.models import Category, Registration

    now = timezone.now()
    slug = f"checkin-{secrets.token_hex(3)}"
    edition = Edition.objects.create(
        title=title,
        slug=slug,
        summary="Benchmark",
        date=timezone.localdate(),
        capacity=None,
        security_fields=[],
        status=EditionStatus.PUBLISHED,
    )
    organisation = Organisation.objects.create(name=f"Bench {slug}", slug=slug)
    edition.organisers.add(organisation)
    for position, door in enumerate("abc"):
        Entrance.objects.create(
            edition=edition, name=f"Entrée {door}", slug=door, position=position
        )
    category = Category.objects.create(edition=edition, name="Participant", slug="participant")
    registrations = Registration.objects.bulk_create(
        Registration(
            edition=edition,
            category=category,
            first_name="Camille",
            last_name=f"Exemple {number}",
            email=f"bench-{number}@example.org",
            status=RegistrationStatus.CONFIRMED,
            confirmed_at=now,
        )
        for number in range(PEOPLE)
    )
    agent = User.objects.create_user(
        username=f"agent-{slug}", email=f"agent-{slug}@example.org", password=None
    )
    Membership.objects.create(
        user=agent, organisation=organisation, role=Role.AGENT, edition=edition
    )
    tokens = [tickets.token_for(registration) for registration in registrations]
    return edition, tokens, agent


def api_token_for(agent):
    from accounts.models import ApiToken

    return ApiToken.issue(agent, name="bench")[1]


def admissions(edition):
    from admission.models import CheckIn

    return CheckIn.objects.filter(edition=edition, result="admitted").count()


async def post_scan(edition, api_token, ticket, door, expected):
    body = json.dumps(
        {"ticket": ticket, "entrance": door, "nonce": secrets.token_hex(16), "id_checked": True}
    ).encode()
    started = time.perf_counter()
    status, headers, content = await rush.http(
        "POST",
        f"/api/v1/editions/{edition.slug}/checkins",
        headers={"Authorization": f"Bearer {api_token}", "Content-Type": "application/json"},
        body=body,
    )
    elapsed = time.perf_counter() - started
    if status != 200:
        return False, elapsed, None, f"HTTP {status}"
    result = json.loads(content)["result"]
    timing = None
    for name, value in headers:
        match = SERVER_TIMING.search(value) if name == "server-timing" else None
        if match:
            timing = float(match.group(1)) / 1000
    return result == expected, elapsed, timing, result


def scan_at_door(edition, api_token, ticket, expected, device):
    """Device number ``device`` scans at entrance a, b or c (the devices share the doors)."""
    return post_scan(edition, api_token, ticket, "abc"[device % 3], expected)


def probe(edition, api_token):
    """Stop with a message if the endpoint is not there (the router is not mounted)."""
    ok, _, _, what = asyncio.run(post_scan(edition, api_token, "probe", "a", "invalid_ticket"))
    if not ok:
        sys.exit(f"the check-in endpoint answers {what}, not a verdict: is it mounted?")


async def run(devices, scans):
    """``scans``: coroutine factories; (wall s, client times, server times, errors)."""
    queue = list(reversed(scans))
    client_times, server_times, errors = [], [], {}

    async def device(index):
        while queue:
            attempt = queue.pop()
            try:
                ok, elapsed, timing, what = await attempt(index)
            except OSError as error:
                ok, elapsed, timing, what = False, 0.0, None, type(error).__name__
            if ok:
                client_times.append(elapsed)
                if timing is not None:
                    server_times.append(timing)
            else:
                errors[what] = errors.get(what, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(device(index) for index in range(devices)))
    return time.perf_counter() - started, client_times, server_times, errors


def report(phase, devices, count, wall, client_times, server_times, errors):
    p = rush.percentile
    print(
        f"{phase:<7} {devices:>7} {count:>6} {count / wall:>10.1f} "
        f"{p(client_times, 50):>7.1f} {p(client_times, 95):>7.1f} {p(client_times, 99):>7.1f} "
        f"{p(server_times, 50):>10.1f} {p(server_times, 99):>10.1f} {sum(errors.values()):>6}"
        + (f"  errors: {errors}" if errors else ""),
        flush=True,
    )


# Offline verdict time in the browser ---------------------------------------------------------

VERIFY_TIMES = """async ([url, tokens, key, editionId, engine]) => {
  const {verifyTicket} = await import(url);
  // Warm-up: the module compiled, the key imported (the app does it at its first scan).
  for (const token of tokens.slice(0, 5)) await verifyTicket(token, key, editionId, {engine});
  const times = [];
  for (const token of tokens) {
    const started = performance.now();
    const {code} = await verifyTicket(token, key, editionId, {engine});
    times.push(performance.now() - started);
    if (code !== "valid") throw new Error(`${engine}: ${code}`);
  }
  return times;
}"""

DECODE_TIMES = """async ([url, frames, expected, runs]) => {
  const {decodeQR} = await import(url);
  const times = [];
  for (const [dataUrl, text] of frames.map((frame, i) => [frame, expected[i]])) {
    const img = new Image();
    img.src = dataUrl;
    await img.decode();
    const canvas = document.createElement("canvas");
    [canvas.width, canvas.height] = [img.naturalWidth, img.naturalHeight];
    canvas.getContext("2d").drawImage(img, 0, 0);
    const row = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      // As the camera scanner calls it on each frame.
      const found = await decodeQR(canvas, {
        engine: "jsqr", maxSide: 800, inversionAttempts: "dontInvert",
      });
      row.push(performance.now() - started);
      if (found !== text) throw new Error(`decoded ${found}`);
    }
    times.push(row);
  }
  return times;
}"""

# In every page of the app context: remembers when the armed event (Enter, a click) happened
# and when the awaited screen showed, both in the page's own clock.
INSTRUMENT = """
window.__bench = {};
const mark = event => {
  const bench = window.__bench;
  if (bench.armed === event.type && (event.type !== "keydown" || event.key === "Enter")) {
    // When the browser received the key or the click, before any handler ran.
    bench.started = event.timeStamp;
    bench.armed = null;
  }
};
document.addEventListener("keydown", mark, true);
document.addEventListener("click", mark, true);
"""

ARM = """([event, target]) => {
  const bench = window.__bench;
  const shown = {
    confirm: () => !document.getElementById("screen-confirm").hidden && "confirm",
    verdict: () => {
      const verdict = document.getElementById("verdict");
      return !verdict.hidden && verdict.dataset.result;
    },
  }[target];
  Object.assign(bench, {armed: event, started: null});
  bench.observer?.disconnect();
  // Resolves to [ms, what showed]; rejects after 10 s.
  bench.done = new Promise((resolve, reject) => {
    bench.observer = new MutationObserver(() => {
      const result = bench.started !== null && shown();
      if (result) {
        bench.observer.disconnect();
        resolve([performance.now() - bench.started, result]);
      }
    });
    setTimeout(() => reject(new Error(`no ${target} within 10 s`)), 10_000);
  });
  bench.observer.observe(document.body, {
    subtree: true, attributes: true, attributeFilter: ["hidden", "data-result"],
  });
}"""


def png_data_url(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def camera_frame(text):
    """A 640x480 grey camera frame, a ticket's QR code in its middle (or nothing)."""
    from PIL import Image

    frame = Image.new("L", (640, 480), 235)
    if text:
        buffer = io.BytesIO()
        segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=5, border=4)
        code = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
        frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    return png_data_url(frame)


def forged(token):
    """``token`` with one signature byte changed: well formed, but not signed by the key."""
    encoded = token[2:]
    payload = bytearray(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    payload[-1] ^= 0x01
    return token[:2] + base64.urlsafe_b64encode(bytes(payload)).rstrip(b"=").decode("ascii")


def session_cookie(user):
    """A logged-in session of ``user``, made in the bench's database: the cookie to send."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": session.session_key,
        "url": f"http://127.0.0.1:{rush.PORT}",
        "httpOnly": True,
        "sameSite": "Lax",
    }


def throttled_page(browser, *, cookies=(), init_script=None):
    context = browser.new_context()
    context.add_cookies(list(cookies))
    page = context.new_page()
    if init_script:
        page.add_init_script(init_script)
    return context, page


def throttle(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_THROTTLING})


def report_times(label, times_ms, errors=0):
    seconds = [time / 1000 for time in times_ms]
    p = rush.percentile
    print(
        f"{label:<48} {len(seconds):>5} {p(seconds, 50):>7.1f} {p(seconds, 99):>7.1f} {errors:>6}",
        flush=True,
    )


def module_times(browser, edition, tokens):
    """verifyTicket per engine and decodeQR, in a page of the site, CPU throttled."""
    from admission import keys

    base = f"http://127.0.0.1:{rush.PORT}"
    context, page = throttled_page(browser)
    try:
        page.goto(base + "/")
        throttle(page)
        engines = page.evaluate("async url => (await import(url)).engines()", f"{base}{VERIFY_JS}")
        sample = tokens[: max(BROWSER_TICKETS, 5) * 4]
        for engine in engines:
            times = page.evaluate(
                VERIFY_TIMES,
                [f"{base}{VERIFY_JS}", sample, keys.public_key_b64(edition), edition.pk, engine],
            )
            report_times(f"verifyTicket, {engine}", times)
        frames = [camera_frame(tokens[0]), camera_frame(None)]
        with_code, without = page.evaluate(
            DECODE_TIMES, [f"{base}{DECODE_JS}", frames, [tokens[0], None], 30]
        )
        report_times("decodeQR, jsQR, 640x480 frame with a ticket", with_code)
        report_times("decodeQR, jsQR, 640x480 frame without a code", without)
    finally:
        context.close()


def measure(page, event, target, action):
    """Arms the page for ``event`` → ``target`` shown, runs ``action``; (ms, result)."""
    page.evaluate(ARM, [event, target])
    action()
    # Not wait_for_function: it evaluates a string, which the page's CSP forbids.
    return page.evaluate("() => window.__bench.done")


def next_ticket(page):
    page.click("#verdict-next")
    page.wait_for_selector("#verdict", state="hidden")
    page.wait_for_selector("#ticket-code", state="visible")


def enter_code(page, token):
    page.fill("#ticket-code", token)
    return lambda: page.press("#ticket-code", "Enter")


def app_times(browser, edition, tokens, agent):
    """The offline verdict in the check-in app, CPU throttled; False if it is not there."""
    from django.urls import NoReverseMatch, reverse

    try:
        path = reverse("admission:checkin", args=[edition.slug])
    except NoReverseMatch:
        return False
    base = f"http://127.0.0.1:{rush.PORT}"
    context, page = throttled_page(browser, cookies=[session_cookie(agent)], init_script=INSTRUMENT)
    try:
        if page.goto(base + path).status != 200:
            return False
        # The entrance, then the edition's data downloaded (the counters filled in).
        page.wait_for_selector("#screen-entrance, #screen-main", state="visible")
        if page.is_visible("#screen-entrance"):
            page.check("#entrance-choices input[type=radio] >> nth=0")
            page.click("#entrance-start")
        page.wait_for_selector("#ticket-code", state="visible")
        page.locator("#count-expected", has_text=re.compile(rf"^\s*{len(tokens)}\s*$")).wait_for()
        admitted_before = admissions(edition)
        context.set_offline(True)
        context.route("**/api/**", lambda route: route.abort())
        throttle(page)

        sample = tokens[:BROWSER_TICKETS]
        rows = {"to the ID check": [], "admit → verdict": [], "rescan": [], "forged": []}
        errors = dict.fromkeys(rows, 0)

        def timed(row, expected, *step):
            elapsed, result = measure(page, *step)
            if result != expected:
                errors[row] += 1
                return False
            rows[row].append(elapsed)
            return True

        def admit():
            page.click("#confirm-admit")

        for token in sample:
            if timed("to the ID check", "confirm", "keydown", "confirm", enter_code(page, token)):
                timed("admit → verdict", "admitted", "click", "verdict", admit)
            next_ticket(page)
        for token in sample:
            timed("rescan", "already_admitted", "keydown", "verdict", enter_code(page, token))
            next_ticket(page)
        for token in sample:
            timed("forged", "invalid_ticket", "keydown", "verdict", enter_code(page, forged(token)))
            next_ticket(page)
        labels = {
            "to the ID check": "app: Enter → ID-check screen (valid ticket)",
            "admit → verdict": "app: admit → verdict (admitted)",
            "rescan": "app: Enter → verdict (already admitted)",
            "forged": "app: Enter → verdict (forged ticket)",
        }
        for row, label in labels.items():
            report_times(label, rows[row], errors[row])
        print(
            f"admissions on the server while offline: {admissions(edition) - admitted_before}"
            " (expected 0)"
        )
    finally:
        context.close()
    return True


def offline_bench(edition, tokens, agent):
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API runs an event loop in this thread; the ORM calls made
    # meanwhile (counting admissions) are synchronous and safe, as in the browser tests.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            print(
                f"offline verdicts in headless Chromium {browser.version}, CPU throttled "
                f"{CPU_THROTTLING}x (Emulation.setCPUThrottlingRate {CPU_THROTTLING}); "
                f"times in ms, measured in the page; target: under 100 ms from decoded QR "
                f"code to verdict"
            )
            print(f"{'step':<48} {'n':>5} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
            module_times(browser, edition, tokens)
            if not app_times(browser, edition, tokens, agent):
                print("the check-in app (/controle/<slug>/) is not there yet: app timings skipped")
        finally:
            browser.close()


def main():
    var_dir = Path(tempfile.mkdtemp(prefix="ptce-checkin-"))
    env = rush.service_env(var_dir)
    rush.recreate_database()
    rush.prepare(env)
    rush.setup_django(env)
    edition, tokens, agent = scene()
    api_token = api_token_for(agent)
    door = scene("Check-in bench, offline door")
    service = rush.start_service(env)
    try:
        probe(edition, api_token)
        print(
            f"check-in scans through the API; PostgreSQL; ptce serve with {rush.WEB_WORKERS} web "
            f"workers on 127.0.0.1:{rush.PORT}; {os.cpu_count()} cores shared with the load "
            f"generator; {PEOPLE} confirmed registrations; target: server p99 < 50 ms"
        )
        print(
            f"{'phase':<7} {'devices':>7} {'scans':>6} {'verdicts/s':>10} {'p50 ms':>7} "
            f"{'p95 ms':>7} {'p99 ms':>7} {'server p50':>10} {'server p99':>10} {'errors':>6}"
        )
        # Half the tickets for each level: every admit scan is a first admission.
        halves = [tokens[: PEOPLE // 2], tokens[PEOPLE // 2 :]]
        for devices, batch in zip(DEVICES, halves, strict=True):
            for phase, expected, scanned in (
                ("admit", "admitted", batch),
                ("rescan", "already_admitted", batch[: len(batch) // 2]),
            ):
                scans = [
                    functools.partial(scan_at_door, edition, api_token, ticket, expected)
                    for ticket in scanned
                ]
                figures = asyncio.run(run(devices, scans))
                report(phase, devices, len(scans), *figures)
        print(f"admissions in the database: {admissions(edition)} (expected {PEOPLE})")
        print()
        offline_bench(*door)
    finally:
        service.terminate()
        service.wait(timeout=60)


if __name__ == "__main__":
    main()
