"""The registration rush: many people register at the same moment, as when registration opens.

Starts ``ptce serve`` (gunicorn and the task worker) on a PostgreSQL database of its own,
which it drops and creates again (``RUSH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/ptce_bench_rush``), then drives the public path as a
browser does: GET the form, POST it with its CSRF token and cookie. It does so with 1, 10
and 50 concurrent clients, each level on a fresh open edition:

- throughput: a category quota larger than the attempts, so every attempt should be
  confirmed;
- correctness: 50 clients and 1,000 attempts against a quota of 300: exactly 300 confirmed
  and the rest on the waiting list, counted in SQL (``oversold`` is confirmed beyond 300).

For each level it prints the attempts, confirmed registrations per second (confirmed in the
database divided by the wall time of the level), p50/p95/p99 of the POST in milliseconds,
errors (any answer other than the redirect to the confirmation page), and how long the email
outbox took to drain after the rush (every message sent by the worker; the messages are
``.eml`` files in a temporary folder). ``--api`` does the same through
``POST /api/v1/editions/{slug}/registrations`` with an organiser's token.

The per-address rate limit of the public forms is switched off for the run
(``PTCE_PUBLIC_FORM_RATELIMIT=off``): every client here shares one address. Nothing passes or
fails; the figures depend on the machine, and the load generator runs on it too.

    .venv/bin/python bench/registration_rush.py          # the public form
    .venv/bin/python bench/registration_rush.py --api    # the API

Environment: ``RUSH_LEVELS`` (default ``1:100,10:400,50:1000``: clients:attempts),
``RUSH_WEB_WORKERS`` (gunicorn workers, default 4), ``RUSH_PORT`` (default 8177).
"""

import asyncio
import html
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PTCE = Path(sys.executable).parent / "ptce"
DATABASE_URL = os.environ.get(
    "RUSH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ptce_bench_rush"
)
PORT = int(os.environ.get("RUSH_PORT", "8177"))
WEB_WORKERS = int(os.environ.get("RUSH_WEB_WORKERS", "4"))
LEVELS = [
    tuple(int(n) for n in level.split(":"))
    for level in os.environ.get("RUSH_LEVELS", "1:100,10:400,50:1000").split(",")
]
CORRECTNESS = (50, 1000, 300)  # clients, attempts, quota
DRAIN_TIMEOUT = 600


# The database and the service ---------------------------------------------------------------


def recreate_database():
    import psycopg

    parts = urllib.parse.urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def service_env(var_dir):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SITE_URL", "REDIS_URL", "EMAIL_URL", "PORT"}
    }
    return {
        **env,
        "DATABASE_URL": DATABASE_URL,
        "PTCE_VAR_DIR": str(var_dir),
        "SECRET_KEY": "bench-" + "x" * 50,
        "PTCE_PUBLIC_FORM_RATELIMIT": "off",
        "LOG_LEVEL": "WARNING",
    }


def prepare(env):
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [str(PTCE), *command, "--verbosity=0"], env=env, check=True, capture_output=True
        )


def start_service(env):
    log = open(Path(env["PTCE_VAR_DIR"]) / "serve.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [str(PTCE), "serve", f"--port={PORT}", f"--workers={WEB_WORKERS}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"ptce serve stopped: see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", PORT), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    sys.exit("ptce serve did not answer within 60 s")


# Fixtures, through the ORM of this process (same database) ------------------------------------


def setup_django(env):
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce.settings")
    import django

    django.setup()


def new_edition(label, *, quota):
    import datetime as dt

    from django.utils import timezone

    from events.enums import EditionStatus
    from events.models import Edition
    from registrations.models import Category

    now = timezone.now()
    slug = f"rush-{label}-{secrets.token_hex(3)}"
    edition = Edition.objects.create(
        title=f"Rush {label}",
        slug=slug,
        summary="Benchmark",
        date=(now + dt.timedelta(days=60)).date(),
        capacity=None,
        has_waiting_list=True,
        security_fields=[],
        registration_opens_at=now - dt.timedelta(hours=1),
        registration_closes_at=now + dt.timedelta(days=30),
        status=EditionStatus.PUBLISHED,
    )
    category = Category.objects.create(
        edition=edition, name="Participant", slug="participant", quota=quota
    )
    return edition, category


def organiser_token(edition):
    from accounts.enums import Role
    from accounts.models import ApiToken, Membership, User
    from network.models import Organisation

    organisation = Organisation.objects.create(name=f"Bench {edition.slug}", slug=edition.slug)
    edition.organisers.add(organisation)
    user = User.objects.create_user(
        username=f"bench-{edition.slug}", email=f"{edition.slug}@example.org", password=None
    )
    Membership.objects.create(user=user, organisation=organisation, role=Role.ORGANISER)
    return ApiToken.issue(user, name="bench")[1]


def counts(edition):
    from registrations.models import Registration

    registrations = Registration.objects.filter(edition=edition)
    return registrations.confirmed().count(), registrations.waiting().count()


def wait_for_outbox():
    """Seconds until no outbox message is left to send, or None past DRAIN_TIMEOUT."""
    from outbox.models import Message

    started = time.monotonic()
    while time.monotonic() - started < DRAIN_TIMEOUT:
        if not Message.objects.filter(status__in=["pending", "sending"]).exists():
            return time.monotonic() - started
        time.sleep(0.25)
    return None


# A small HTTP client: one connection per request, as the sync web server closes them ---------


async def http(method, path, *, headers=None, body=b""):
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{PORT}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    raw = await reader.read(-1)
    writer.close()
    head, _, content = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split()[1])
    answer_headers = [line.split(":", 1) for line in header_lines if ":" in line]
    return status, [(k.strip().lower(), v.strip()) for k, v in answer_headers], content


ATTRIBUTES = re.compile(r'([\w-]+)(?:="([^"]*)")?')


def form_fields(page, category):
    """The fields a person fills in, found in the registration form of ``page``.

    Reads the form's own inputs, so it follows the form's field names: hidden fields keep
    their values (CSRF token, one-time submission key), names get made-up values, the
    category is the bench's, consents stay unticked, the honeypot stays empty.
    """
    forms = re.findall(r"<form\b.*?</form>", page, re.S)
    form = next((f for f in forms if "first_name" in f), None)
    if form is None:
        raise RuntimeError("no registration form on the page")
    fields = []
    for tag in re.findall(r"<input\b[^>]*>", form):
        attrs = {k: html.unescape(v or "") for k, v in ATTRIBUTES.findall(tag[6:])}
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if not name or kind in {"submit", "checkbox", "button"}:
            continue
        if kind == "radio":
            if attrs.get("value") in {category.slug, str(category.pk)}:
                fields.append((name, attrs["value"]))
        elif kind == "hidden":
            fields.append((name, attrs.get("value", "")))
        elif name.endswith("first_name"):
            fields.append((name, "Camille"))
        elif name.endswith("last_name"):
            fields.append((name, "Exemple"))
        elif name.endswith("email"):
            fields.append((name, f"rush-{secrets.token_hex(8)}@example.org"))
        elif name.endswith("organisation"):
            fields.append((name, "Association Exemple"))
        elif name.endswith("birth_date"):
            fields.append((name, "1980-05-17"))
        else:
            fields.append((name, attrs.get("value", "")))
    for name, options in re.findall(
        r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S
    ):
        selected = re.search(r'<option\b[^>]*value="([^"]*)"[^>]*selected', options)
        first = re.search(r'<option\b[^>]*value="([^"]*)"', options)
        fields.append((name, html.unescape((selected or first).group(1)) if first else ""))
    return fields


async def attempt_form(edition, category):
    """One person registers through the form; returns (ok, POST seconds)."""
    path = f"/journees/{edition.slug}/inscription/"
    status, headers, content = await http("GET", path)
    if status != 200:
        return False, 0.0, f"GET {status}"
    cookies = "; ".join(v.split(";", 1)[0] for k, v in headers if k == "set-cookie")
    body = urllib.parse.urlencode(form_fields(content.decode(), category)).encode()
    started = time.perf_counter()
    status, _, _ = await http(
        "POST",
        path,
        headers={
            "Cookie": cookies,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{PORT}",
            "Referer": f"http://127.0.0.1:{PORT}{path}",
        },
        body=body,
    )
    elapsed = time.perf_counter() - started
    return status in {302, 303}, elapsed, f"POST {status}"


async def attempt_api(edition, category, token):
    body = json.dumps(
        {
            "first_name": "Camille",
            "last_name": "Exemple",
            "email": f"rush-{secrets.token_hex(8)}@example.org",
            "category": category.slug,
        }
    ).encode()
    started = time.perf_counter()
    status, _, _ = await http(
        "POST",
        f"/api/v1/editions/{edition.slug}/registrations",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        body=body,
    )
    return status == 201, time.perf_counter() - started, f"POST {status}"


async def rush(clients, attempts, attempt):
    """Run ``attempts`` attempts with ``clients`` at a time; (wall s, POST times, errors)."""
    queue = asyncio.Queue()
    for _ in range(attempts):
        queue.put_nowait(None)
    timings, errors = [], {}

    async def client():
        while not queue.empty():
            queue.get_nowait()
            try:
                ok, elapsed, what = await attempt()
            except OSError as error:
                ok, elapsed, what = False, 0.0, type(error).__name__
            if ok:
                timings.append(elapsed)
            else:
                errors[what] = errors.get(what, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - started, timings, errors


def percentile(values, share):
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1] * 1000


def run_level(mode, clients, attempts, quota):
    edition, category = new_edition(f"{mode}-{clients}", quota=quota)
    if mode == "api":
        token = organiser_token(edition)

        def attempt():
            return attempt_api(edition, category, token)
    else:

        def attempt():
            return attempt_form(edition, category)

    wall, timings, errors = asyncio.run(rush(clients, attempts, attempt))
    drain = wait_for_outbox()
    confirmed, waiting = counts(edition)
    oversold = max(confirmed - quota, 0)
    p50, p95, p99 = (percentile(timings, share) for share in (50, 95, 99))
    print(
        f"{clients:>7} {attempts:>8} {quota:>6} {confirmed:>9} {waiting:>7} "
        f"{confirmed / wall:>11.1f} {p50:>7.0f} {p95:>7.0f} {p99:>7.0f} "
        f"{sum(errors.values()):>6} {oversold:>8} "
        f"{'>' + str(DRAIN_TIMEOUT) if drain is None else f'{drain:.1f}':>8}"
        + (f"  errors: {errors}" if errors else ""),
        flush=True,
    )


def main():
    mode = "api" if "--api" in sys.argv[1:] else "form"
    var_dir = Path(tempfile.mkdtemp(prefix="ptce-rush-"))
    env = service_env(var_dir)
    recreate_database()
    prepare(env)
    setup_django(env)
    service = start_service(env)
    try:
        print(
            f"registration rush through the {'API' if mode == 'api' else 'public form'}; "
            f"PostgreSQL; ptce serve with {WEB_WORKERS} web workers and 1 task worker on "
            f"127.0.0.1:{PORT}; {os.cpu_count()} cores shared with the load generator; "
            "per-address rate limit of the public forms: off for this run"
        )
        print(
            f"{'clients':>7} {'attempts':>8} {'quota':>6} {'confirmed':>9} {'waiting':>7} "
            f"{'confirmed/s':>11} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
            f"{'oversold':>8} {'drain s':>8}"
        )
        for clients, attempts in LEVELS:
            run_level(mode, clients, attempts, quota=attempts * 10)
        clients, attempts, quota = CORRECTNESS
        run_level(mode, clients, attempts, quota=quota)
    finally:
        service.terminate()
        service.wait(timeout=60)


if __name__ == "__main__":
    main()
