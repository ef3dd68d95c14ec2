"""The organisers' area at the size of a big day: the dashboard and the exports.

Makes a PostgreSQL database of its own, which it drops and creates again
(``ORGANISER_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/ptce_bench_organiser``), loads the demo (editions,
directory of poles) and adds an edition with ``ORGANISER_PEOPLE`` registrations (default
10,000) spread over the demo's organisations, five categories, every status, every diet and
two months of registration dates, a third of the confirmed admitted at two entrances.

Then, in-process through Django's test client, logged in as an organiser who passed the
second factor, it prints the server time of the dashboard (the page, and the fragment the
page fetches every few seconds) at the median and 95th percentile over ``REPEAT`` requests
(default 100), with their query counts (of a request that computes the figures): first with
the figures computed at every request, then as served (shared for
``PTCE_DASHBOARD_MAX_AGE`` seconds between the organisers watching); and the time to export
the registrations as CSV and as XLSX, and the participant list (median and worst of
``EXPORT_REPEAT`` runs, default 5).
Targets: dashboard p95 under 150 ms; an export of 10,000 registrations under 3 s (issue 15:
XLSX through XlsxWriter, which costs about 2 s more than the hand-written writer did). Nothing
passes or fails: the figures depend on the machine.

    .venv/bin/python bench/organiser.py
"""

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.parse

from _timing import measure, organiser_client

DATABASE_URL = os.environ.get(
    "ORGANISER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ptce_bench_organiser"
)
PEOPLE = int(os.environ.get("ORGANISER_PEOPLE", "10000"))
REPEAT = int(os.environ.get("REPEAT", "100"))
EXPORT_REPEAT = int(os.environ.get("EXPORT_REPEAT", "5"))


def recreate_database():
    import psycopg

    parts = urllib.parse.urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def setup_django():
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("PTCE_VAR_DIR", tempfile.mkdtemp(prefix="ptce-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce.settings")
    os.environ.setdefault("DEBUG", "true")  # plain static storage: no collectstatic needed
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def big_edition():
    """An edition with PEOPLE registrations, written in bulk (no emails, no capacity checks:
    a scene to measure, not a test of seat allocation)."""
    from django.db import connection
    from django.utils import timezone

    from admission.models import CheckIn, Entrance
    from events.models import Edition
    from network.models import Organisation
    from registrations.enums import Diet, RegistrationStatus
    from registrations.models import Category, Registration

    rng = random.Random(2014)
    demo = Edition.objects.filter(is_demonstration=True).order_by("-date").first()
    edition = Edition.objects.create(
        title="Journée de mesure",
        slug="mesure",
        summary="Une journée fictive pour mesurer l'espace des organisateurs.",
        date=timezone.localdate() + dt.timedelta(days=30),
        start_time=dt.time(9, 30),
        end_time=dt.time(17, 0),
        venue=demo.venue if demo else None,
        capacity=PEOPLE,
        status="published",
        is_demonstration=True,
    )
    edition.organisers.set(demo.organisers.all() if demo else [])
    categories = [
        Category.objects.create(edition=edition, name=name, slug=slug, quota=quota, position=i)
        for i, (name, slug, quota) in enumerate(
            [
                ("Participant", "participant", None),
                ("Représentant de pôle", "pole", 3000),
                ("Intervenant", "intervenant", 200),
                ("Invité institutionnel", "institution", 300),
                ("Presse", "presse", 100),
            ]
        )
    ]
    entrances = [
        Entrance.objects.create(edition=edition, name=name, slug=slug, position=i)
        for i, (name, slug) in enumerate([("Entrée A", "a"), ("Entrée B", "b")])
    ]
    organisations = list(Organisation.objects.all()) + [None] * 20
    statuses = [RegistrationStatus.CONFIRMED] * 8 + [
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.CANCELLED,
    ]
    start = timezone.now() - dt.timedelta(days=60)
    rows = []
    for number in range(PEOPLE):
        status = rng.choice(statuses)
        created = start + dt.timedelta(seconds=rng.randrange(60 * 24 * 3600))
        organisation = rng.choice(organisations)
        rows.append(
            Registration(
                edition=edition,
                category=rng.choice(categories),
                organisation=organisation,
                organisation_name="" if organisation else "Structure sans fiche",
                first_name=f"Prénom{number}",
                last_name=f"Nom{number}",
                email=f"personne{number}@example.org",
                diet=rng.choice(Diet.values),
                dietary_notes="sans sel" if number % 50 == 0 else "",
                accessibility_needs="fauteuil" if number % 97 == 0 else "",
                consent_public_list=number % 3 == 0,
                status=status,
                created_at=created,
                confirmed_at=created if status == RegistrationStatus.CONFIRMED else None,
                cancelled_at=created if status == RegistrationStatus.CANCELLED else None,
            )
        )
    Registration.objects.bulk_create(rows, batch_size=2000)
    confirmed = list(
        edition.registrations.filter(status=RegistrationStatus.CONFIRMED).values_list(
            "pk", flat=True
        )
    )
    now = timezone.now()
    CheckIn.objects.bulk_create(
        [
            CheckIn(
                edition=edition,
                registration_id=pk,
                entrance=entrances[i % 2],
                nonce=f"bench-{pk}",
                result="admitted",
                id_checked=True,
                scanned_at=now,
                received_at=now,
            )
            for i, pk in enumerate(confirmed[: len(confirmed) // 3])
        ],
        batch_size=2000,
    )
    # What autovacuum does on its own after such a load: without statistics, PostgreSQL
    # plans for tables of one row (nested loops over 10,000 rows).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return edition


def time_download(client, path):
    timings = []
    size = status = 0
    for _ in range(EXPORT_REPEAT):
        started = time.perf_counter()
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        timings.append(time.perf_counter() - started)
        size, status = len(body), response.status_code
    return status, size, statistics.median(timings), max(timings)


def main():
    recreate_database()
    setup_django()
    from django.db import connection
    from django.test import override_settings
    from django.urls import reverse

    started = time.perf_counter()
    edition = big_edition()
    print(
        f"database: {connection.vendor}; edition with {edition.registrations.count():,} "
        f"registrations made in {time.perf_counter() - started:.1f} s; Python "
        f"{sys.version.split()[0]}"
    )
    client = organiser_client(edition)

    print(f"\n{'dashboard':48} {'status':>6} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for shared, label in ((0, "computed at each request"), (None, "figures shared 5 s")):
        print(label)
        with override_settings(**({} if shared is None else {"PTCE_DASHBOARD_MAX_AGE": 0})):
            for name in ("dashboard", "dashboard_fragment"):
                path = reverse(name, kwargs={"slug": edition.slug})
                status, queries, median, p95 = measure(client, path, repeat=REPEAT)
                print(f"  {path:46} {status:>6} {queries:>7} {median:>10.2f} {p95:>8.2f}")
    print("target: p95 under 150 ms")

    print(f"\n{'export':56} {'status':>6} {'bytes':>10} {'median s':>9} {'worst s':>8}")
    for name, query in (
        ("registrations:export_registrations", "?format=csv"),
        ("registrations:export_registrations", "?format=xlsx"),
        ("registrations:export_participants", "?format=xlsx"),
    ):
        path = reverse(name, kwargs={"slug": edition.slug}) + query
        status, size, median, worst = time_download(client, path)
        print(f"{path:56} {status:>6} {size:>10,} {median:>9.2f} {worst:>8.2f}")
    print(f"target: {PEOPLE:,} registrations exported in under 3 s")


if __name__ == "__main__":
    main()
