"""The workshop rush: registered people choose their workshop at the same moment, from their
private pages, as when the programme's workshops are announced.

Starts ``ptce serve`` on a PostgreSQL database of its own, dropped and created again
(``RUSH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/ptce_bench_workshops``),
with the machinery of ``bench/registration_rush.py``. For each level, a fresh edition with
one afternoon slot of four workshops and as many confirmed registrations as attempts; each
attempt drives a browser's path: GET the person's private page, pick one of the four
workshops in its workshop form at random, POST it with the CSRF token and cookie.

- throughput: 10 and then 50 concurrent clients, workshops with more seats than attempts;
- correctness: 50 clients and 1,000 choices over four workshops of 30 seats: exactly 30
  seats per workshop, counted in SQL (``oversold`` is the seats beyond 30, summed), nobody
  with two seats in the slot (``doubles``).

It prints, per level, the choices, the seats and waiting places taken, choices per second
(answered choices divided by the level's wall time), p50/p95/p99 of the POST in
milliseconds, errors (any answer other than the redirect back to the page), oversold and
doubles. Nothing passes or fails; the figures depend on the machine, and the load generator
runs on it too.

    .venv/bin/python bench/workshop_rush.py

Environment: ``WORKSHOP_LEVELS`` (default ``10:400,50:1000``: clients:choices), and those of
``registration_rush.py`` (``RUSH_WEB_WORKERS``, ``RUSH_PORT``).
"""

import asyncio
import html
import os
import random
import re
import secrets
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

os.environ.setdefault(
    "RUSH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ptce_bench_workshops"
)

# Imported after the default is set: it reads RUSH_DATABASE_URL when imported.
import registration_rush as rush

LEVELS = [
    tuple(int(n) for n in level.split(":"))
    for level in os.environ.get("WORKSHOP_LEVELS", "10:400,50:1000").split(",")
]
CORRECTNESS = (50, 1000, 30)  # clients, choices, seats per workshop
WORKSHOPS = 4
FORM = re.compile(r"<form\b[^>]*action=\"([^\"]*/ateliers/)\"[^>]*>(.*?)</form>", re.S)
INPUT = re.compile(r"<input\b[^>]*>")
ATTRIBUTES = re.compile(r'([\w-]+)(?:="([^"]*)")?')


def new_edition(label, *, seats, people):
    """An open edition with one slot of four workshops of ``seats`` seats and ``people``
    confirmed registrations; returns the edition, its workshops and the private pages."""
    import datetime as dt

    from django.utils import timezone

    from events.enums import EditionStatus, SessionKind
    from events.models import Edition, Session
    from registrations import capacity, links
    from registrations.models import Category

    now = timezone.now()
    edition = Edition.objects.create(
        title=f"Ateliers {label}",
        slug=f"ateliers-{label}-{secrets.token_hex(3)}",
        summary="Benchmark",
        date=(now + dt.timedelta(days=60)).date(),
        start_time=dt.time(9, 30),
        end_time=dt.time(17, 0),
        capacity=None,
        security_fields=[],
        registration_opens_at=now - dt.timedelta(hours=1),
        registration_closes_at=now + dt.timedelta(days=30),
        status=EditionStatus.PUBLISHED,
    )
    category = Category.objects.create(edition=edition, name="Participant", slug="participant")
    sessions = [
        Session.objects.create(
            edition=edition,
            start_time=dt.time(14, 0),
            end_time=dt.time(15, 30),
            kind=SessionKind.WORKSHOP,
            title=f"Atelier {index + 1}",
            room=f"Salle {index + 1}",
            is_workshop=True,
            capacity=seats,
        )
        for index in range(WORKSHOPS)
    ]
    pages = []
    for number in range(people):
        registration = capacity.register(
            edition,
            category=category,
            first_name="Camille",
            last_name=f"Exemple {number}",
            email=f"atelier-{number}-{secrets.token_hex(4)}@example.org",
        )
        pages.append(f"/inscription/{links.manage_token(registration)}/")
    return edition, sessions, pages


def workshop_form(page):
    """``(action, fields, choices)`` of the workshop form of a private page: its hidden
    fields, and per radio group the workshops one may pick (not "none")."""
    found = FORM.search(page)
    if found is None:
        raise RuntimeError("no workshop form on the private page")
    action, form = html.unescape(found.group(1)), found.group(2)
    fields, choices = [], {}
    for tag in INPUT.findall(form):
        attrs = {k: html.unescape(v or "") for k, v in ATTRIBUTES.findall(tag[6:])}
        name, kind, value = attrs.get("name"), attrs.get("type", "text"), attrs.get("value", "")
        if not name:
            continue
        if kind == "radio":
            if value:
                choices.setdefault(name, []).append(value)
        elif kind == "hidden":
            fields.append((name, value))
    return action, fields, choices


async def attempt(page):
    """One person chooses a workshop at random; returns (ok, POST seconds, what)."""
    status, headers, content = await rush.http("GET", page)
    if status != 200:
        return False, 0.0, f"GET {status}"
    cookies = "; ".join(v.split(";", 1)[0] for k, v in headers if k == "set-cookie")
    action, fields, choices = workshop_form(content.decode())
    for name, values in choices.items():
        fields.append((name, random.choice(values)))
    body = urllib.parse.urlencode(fields).encode()
    started = time.perf_counter()
    status, _, _ = await rush.http(
        "POST",
        action,
        headers={
            "Cookie": cookies,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{rush.PORT}",
            "Referer": f"http://127.0.0.1:{rush.PORT}{page}",
        },
        body=body,
    )
    return status in {302, 303}, time.perf_counter() - started, f"POST {status}"


async def run(clients, pages):
    queue = asyncio.Queue()
    for page in pages:
        queue.put_nowait(page)
    timings, errors = [], {}

    async def client():
        while not queue.empty():
            page = queue.get_nowait()
            try:
                ok, elapsed, what = await attempt(page)
            except (OSError, RuntimeError) as error:
                ok, elapsed, what = False, 0.0, type(error).__name__
            if ok:
                timings.append(elapsed)
            else:
                errors[what] = errors.get(what, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - started, timings, errors


def seats(sessions, limit):
    from django.db.models import Count

    from registrations.enums import WorkshopChoiceStatus
    from registrations.models import WorkshopChoice

    rows = WorkshopChoice.objects.filter(session__in=sessions)
    held = rows.filter(status=WorkshopChoiceStatus.CONFIRMED)
    taken = held.count()
    waiting = rows.filter(status=WorkshopChoiceStatus.WAITING).count()
    oversold = sum(
        max(count - limit, 0)
        for count in held.values("session").annotate(n=Count("pk")).values_list("n", flat=True)
    )
    doubles = held.values("registration").annotate(n=Count("pk")).filter(n__gt=1).count()
    return taken, waiting, oversold, doubles


def run_level(clients, choices, limit):
    _edition, sessions, pages = new_edition(f"{clients}-{limit}", seats=limit, people=choices)
    wall, timings, errors = asyncio.run(run(clients, pages))
    taken, waiting, oversold, doubles = seats(sessions, limit)
    p50, p95, p99 = (rush.percentile(timings, share) for share in (50, 95, 99))
    print(
        f"{clients:>7} {choices:>7} {limit:>6} {taken:>6} {waiting:>7} "
        f"{len(timings) / wall:>9.1f} {p50:>7.0f} {p95:>7.0f} {p99:>7.0f} "
        f"{sum(errors.values()):>6} {oversold:>8} {doubles:>7}"
        + (f"  errors: {errors}" if errors else ""),
        flush=True,
    )


def main():
    var_dir = Path(tempfile.mkdtemp(prefix="ptce-workshops-"))
    env = rush.service_env(var_dir)
    rush.recreate_database()
    rush.prepare(env)
    rush.setup_django(env)
    service = rush.start_service(env)
    try:
        print(
            "workshop rush through the private pages; PostgreSQL; ptce serve with "
            f"{rush.WEB_WORKERS} web workers and 1 task worker on 127.0.0.1:{rush.PORT}; "
            f"{os.cpu_count()} cores shared with the load generator; per-address rate limit "
            "of the public forms: off for this run"
        )
        print(
            f"{'clients':>7} {'choices':>7} {'seats':>6} {'taken':>6} {'waiting':>7} "
            f"{'choices/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
            f"{'oversold':>8} {'doubles':>7}"
        )
        for clients, choices in LEVELS:
            run_level(clients, choices, limit=choices * 10)
        run_level(*CORRECTNESS)
    finally:
        service.terminate()
        service.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
