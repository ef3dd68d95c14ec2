"""Time of the directory, a filtered directory, a pole's page, the map and the directory's API
on 2,000 poles and 20,000 members, rendered in-process, with their query counts.

Generates the poles (each with ten member organisations, one or two departments, two sectors,
a recognition for one in ten) with bulk inserts into a throw-away database: SQLite in a
temporary folder by default, or the database of DATABASE_URL, which it migrates and fills
(give it one of its own: the bench refuses a database it already filled). Then requests each
page REPEAT times through Django's test client and prints the median and 95th percentile in
milliseconds.
Target: p95 under 100 ms. Nothing passes or fails: the figures depend on the machine.

    .venv/bin/python bench/directory.py
    createdb -h 127.0.0.1 -U postgres ptce_bench_directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ptce_bench_directory \
        .venv/bin/python bench/directory.py
"""

import os
import random
import sys
import tempfile
import time

from _timing import measure

REPEAT = int(os.environ.get("REPEAT", "100"))
POLES = int(os.environ.get("POLES", "2000"))
MEMBERS_PER_POLE = 10
TARGET_P95_MS = 100
#: Words of the poles' names: the filtered directory searches one of them.
PLACES = ("Coteaux", "Bocage", "Marais", "Plateau", "Forges", "Val", "Landes", "Vergers")


def generate(poles_wanted):
    """Insert ``poles_wanted`` fictional poles with their members, areas and derived rows.

    Bulk inserts only: the derived rows (departments, composition status, folded search
    text) are computed here as ``network.poles.refresh`` and ``Organisation.save`` would.
    """
    from django.db import transaction

    from network import composition, territories
    from network.enums import (
        LegalForm,
        MemberCategory,
        OrganisationKind,
        RecognitionKind,
        TerritoryLevel,
    )
    from network.models import (
        Organisation,
        Pole,
        PoleDepartment,
        PoleMember,
        Recognition,
        Sector,
        TerritoryArea,
        fold,
    )

    rng = random.Random(2014)  # fixed: the same directory on every run
    departments = [department.code for department in territories.departments()]
    categories = list(MemberCategory)

    def organisation(slug, name, kind, legal_form, town=""):
        return Organisation(
            slug=slug,
            name=name,
            kind=kind,
            legal_form=legal_form,
            is_legal_person=legal_form != LegalForm.OTHER,
            town=town,
            is_fictional=True,
            search_text=fold(f"{name} {town}"),
        )

    with transaction.atomic():
        sectors = Sector.objects.bulk_create(
            [Sector(slug=f"secteur-banc-{n}", name=f"Secteur banc {n}") for n in range(12)]
        )
        pole_orgs = Organisation.objects.bulk_create(
            [
                organisation(
                    f"pole-banc-{n}",
                    f"Pôle Banc des {PLACES[n % len(PLACES)]} {n}",
                    OrganisationKind.POLE,
                    LegalForm.ASSOCIATION,
                    town=f"Ville-Banc-{n % 300}",
                )
                for n in range(poles_wanted)
            ],
            batch_size=1000,
        )
        member_orgs = Organisation.objects.bulk_create(
            [
                organisation(
                    f"membre-banc-{n}-{m}",
                    f"Membre Banc {n}-{m}",
                    OrganisationKind.OTHER,
                    rng.choice([LegalForm.ASSOCIATION, LegalForm.COOPERATIVE, LegalForm.OTHER]),
                )
                for n in range(poles_wanted)
                for m in range(MEMBERS_PER_POLE)
            ],
            batch_size=1000,
        )
        poles = Pole.objects.bulk_create(
            [
                Pole(
                    organisation=org,
                    description="Pôle généré pour la mesure.",
                    creation_year=2000 + n % 25,
                    geo_vintage=territories.VINTAGE,
                    composition_declared=n % 3 == 0,
                )
                for n, org in enumerate(pole_orgs)
            ],
            batch_size=1000,
        )
        members, areas, derived, recognitions, pole_sectors = [], [], [], [], []
        for n, pole in enumerate(poles):
            own = [
                PoleMember(
                    pole=pole,
                    organisation=org,
                    category=rng.choice(categories),
                    role="membre",
                )
                for org in member_orgs[n * MEMBERS_PER_POLE : (n + 1) * MEMBERS_PER_POLE]
            ]
            members += own
            codes = {departments[n % len(departments)]}
            if n % 7 == 0:
                codes.add(rng.choice(departments))
            areas += [
                TerritoryArea(pole=pole, level=TerritoryLevel.DEPARTMENT, code=code)
                for code in sorted(codes)
            ]
            derived += [PoleDepartment(pole=pole, code=code) for code in sorted(codes)]
            if n % 10 == 0:
                recognitions.append(Recognition(pole=pole, kind=rng.choice(list(RecognitionKind))))
            for sector in rng.sample(sectors, 2):
                pole_sectors.append(Pole.sectors.through(pole=pole, sector=sector))
            pole.composition_status = composition.check(
                pole, members=own, has_territory=True
            ).status
        PoleMember.objects.bulk_create(members, batch_size=2000)
        TerritoryArea.objects.bulk_create(areas, batch_size=2000)
        PoleDepartment.objects.bulk_create(derived, batch_size=2000)
        Recognition.objects.bulk_create(recognitions, batch_size=2000)
        Pole.sectors.through.objects.bulk_create(pole_sectors, batch_size=2000)
        Pole.objects.bulk_update(poles, ["composition_status"], batch_size=1000)
    return poles, sectors


def main():
    # Always a new, empty folder: without DATABASE_URL the site's SQLite file is made there,
    # never in the VAR_DIR of a site in use.
    os.environ["PTCE_VAR_DIR"] = tempfile.mkdtemp(prefix="ptce-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce.settings")
    os.environ.setdefault("DEBUG", "true")  # plain static storage: no collectstatic needed
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from network.models import Organisation

    call_command("migrate", verbosity=0)
    if Organisation.objects.filter(slug__startswith="pole-banc-").exists():
        sys.exit("This database holds the poles of an earlier run: give the bench an empty one.")
    started = time.perf_counter()
    poles, sectors = generate(POLES)
    print(
        f"generated {len(poles)} poles and {len(poles) * MEMBERS_PER_POLE} members "
        f"in {time.perf_counter() - started:.1f} s"
    )
    pole = poles[len(poles) // 2]
    place = PLACES[0].lower()
    paths = [
        "/poles/",
        f"/poles/?region=84&sector={sectors[0].slug}&q={place}",
        "/poles/?page=50",
        f"/poles/{pole.organisation.slug}/",
        "/poles/carte/",
        "/poles/carte/?by=region&period=2015",
        "/api/v1/poles",
        f"/api/v1/poles?region=84&sector={sectors[0].slug}&q={place}",
        f"/api/v1/poles/{pole.pk}",
        "/api/v1/organisations?search=membre%20banc%201",
    ]
    client = Client(HTTP_HOST="127.0.0.1")
    print(
        f"database: {connection.vendor}; {REPEAT} requests a page; "
        f"Python {sys.version.split()[0]}; target p95 < {TARGET_P95_MS} ms"
    )
    print(f"{'path':56} {'status':>6} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for path in paths:
        status, queries, median, p95 = measure(client, path, repeat=REPEAT)
        over = "  over target" if p95 >= TARGET_P95_MS else ""
        print(f"{path:56} {status:>6} {queries:>7} {median:>10.2f} {p95:>8.2f}{over}")


if __name__ == "__main__":
    main()
