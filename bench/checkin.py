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

Environment: ``CHECKIN_PEOPLE``, ``CHECKIN_WEB_WORKERS`` (gunicorn workers, default 4),
``CHECKIN_PORT`` (default 8178). The browser part of the issue's bench (offline verdict
time in headless Chromium with CPU throttling) comes with the check-in app.
"""

import asyncio
import functools
import json
import os
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

import registration_rush as rush

rush.DATABASE_URL = os.environ.get(
    "CHECKIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ptce_bench_checkin"
)
rush.PORT = int(os.environ.get("CHECKIN_PORT", "8178"))
rush.WEB_WORKERS = int(os.environ.get("CHECKIN_WEB_WORKERS", "4"))
PEOPLE = int(os.environ.get("CHECKIN_PEOPLE", "2000"))
DEVICES = (1, 10)
SERVER_TIMING = re.compile(r"checkin;dur=([\d.]+)")


def scene():
    """An edition of today with PEOPLE confirmed registrations; (edition, tokens, api token)."""
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import ApiToken, Membership, User
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
        title="Check-in bench",
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
    return edition, tokens, ApiToken.issue(agent, name="bench")[1]


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


def main():
    var_dir = Path(tempfile.mkdtemp(prefix="ptce-checkin-"))
    env = rush.service_env(var_dir)
    rush.recreate_database()
    rush.prepare(env)
    rush.setup_django(env)
    edition, tokens, api_token = scene()
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
    finally:
        service.terminate()
        service.wait(timeout=60)


if __name__ == "__main__":
    main()
