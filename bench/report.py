"""The report after the day at the size the issue names: 300 admitted people, 200 answers.

Makes a PostgreSQL database of its own, which it drops and creates again
(``REPORT_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/ptce_bench_report``),
and fills it with an edition of ``REPORT_PEOPLE`` admitted people (default 300, and a tenth
more confirmed who did not come) from 40 poles, 10 networks and other organisations in
several regions, four categories, three workshops (one with a door), a few charter signatures
of the day, an earlier edition that some poles came to, and a questionnaire of six questions
answered ``REPORT_ANSWERS`` times (default 200) through the answering function itself.

Then, in-process through Django's test client, logged in as an organiser who passed the
second factor, it prints for the report's page and its PDF the status, queries and the median
and 95th percentile time of ``REPEAT`` requests (default 10). Target (issue 19): under 2 s.
Nothing passes or fails: the figures depend on the machine.

    .venv/bin/python bench/report.py
"""

import datetime as dt
import os
import random
import sys
import tempfile
import time
import urllib.parse

from _timing import measure, organiser_client

DATABASE_URL = os.environ.get(
    "REPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ptce_bench_report"
)
PEOPLE = int(os.environ.get("REPORT_PEOPLE", "300"))
ANSWERS = int(os.environ.get("REPORT_ANSWERS", "200"))
REPEAT = int(os.environ.get("REPEAT", "10"))
#: Departments of several regions (Lyon, Paris, Marseille, Toulouse, Lille, Rennes).
DEPARTMENTS = ["69", "75", "13", "31", "59", "35"]


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


def organisations():
    from network.enums import OrganisationKind
    from network.models import Organisation

    kinds = (
        [OrganisationKind.POLE] * 40
        + [OrganisationKind.NETWORK] * 10
        + [OrganisationKind.PUBLIC_BODY] * 10
        + [OrganisationKind.ESS_ENTERPRISE] * 20
    )
    return Organisation.objects.bulk_create(
        Organisation(
            name=f"{kind.label} de mesure {number}",
            slug=f"mesure-{number}",
            kind=kind,
            department_code=DEPARTMENTS[number % len(DEPARTMENTS)],
            is_fictional=True,
        )
        for number, kind in enumerate(kinds)
    )


def edition_of(title, slug, date, organisers):
    from events.models import Edition

    edition = Edition.objects.create(
        title=title,
        slug=slug,
        summary="Une journée fictive pour mesurer le bilan.",
        date=date,
        start_time=dt.time(9, 30),
        end_time=dt.time(17, 0),
        capacity=2 * PEOPLE,
        status="published",
        is_demonstration=True,
    )
    edition.organisers.set(organisers)
    return edition


def people(edition, categories, pool, count, rng, *, offset=0):
    from registrations.enums import RegistrationStatus
    from registrations.models import Registration

    now = edition.starts_at - dt.timedelta(days=20)
    return Registration.objects.bulk_create(
        Registration(
            edition=edition,
            category=rng.choice(categories),
            organisation=organisation,
            organisation_name="" if organisation else "Structure sans fiche",
            first_name=f"Prénom{offset + number}",
            last_name=f"Nom{offset + number}",
            email=f"personne{offset + number}@example.org",
            status=RegistrationStatus.CONFIRMED,
            created_at=now,
            confirmed_at=now,
        )
        for number, organisation in enumerate(rng.choice(pool) for _ in range(count))
    )


def big_day():
    """The edition to report on, with everything the report reads."""
    from django.db import connection

    from admission.models import CheckIn, Entrance
    from charter.models import CharterVersion, Signature
    from events.models import Session
    from feedback import questionnaires
    from feedback.enums import QuestionKind, QuestionnaireStatus
    from feedback.models import FeedbackLink, Question
    from registrations.enums import WorkshopChoiceStatus
    from registrations.models import Category, WorkshopChoice

    rng = random.Random(2026)
    pool = organisations()
    organisers = pool[40:41]
    earlier = edition_of("Journée précédente", "precedente", dt.date(2025, 6, 12), organisers)
    earlier_category = Category.objects.create(edition=earlier, name="Participant", slug="p")
    people(earlier, [earlier_category], pool[:20], 60, rng, offset=100_000)

    edition = edition_of("Journée de mesure du bilan", "mesure-bilan", dt.date(2026, 6, 11), [])
    edition.organisers.set(organisers)
    edition.report_introduction = "Une journée de mesure.\n\n" + "Texte d'introduction. " * 80
    edition.report_conclusions = "Des conclusions. " * 60
    edition.save()
    categories = [
        Category.objects.create(edition=edition, name=name, slug=slug, position=position)
        for position, (name, slug) in enumerate(
            [
                ("Participant", "participant"),
                ("Représentant de pôle", "pole"),
                ("Intervenant", "intervenant"),
                ("Presse", "presse"),
            ]
        )
    ]
    entrances = [
        Entrance.objects.create(edition=edition, name=name, slug=slug, position=position)
        for position, (name, slug) in enumerate([("Entrée A", "a"), ("Entrée B", "b")])
    ]
    weighted = pool + pool[:40] + [None] * 10
    came = people(edition, categories, weighted, PEOPLE, rng)
    people(edition, categories, weighted, PEOPLE // 10, rng, offset=PEOPLE)
    scanned = edition.starts_at + dt.timedelta(minutes=30)
    CheckIn.objects.bulk_create(
        CheckIn(
            edition=edition,
            registration=registration,
            entrance=entrances[number % 2],
            nonce=f"bench-{registration.pk}",
            result="admitted",
            id_checked=True,
            scanned_at=scanned,
            received_at=scanned,
        )
        for number, registration in enumerate(came)
    )

    workshops = [
        Session.objects.create(
            edition=edition,
            start_time=dt.time(14, 0),
            end_time=dt.time(15, 30),
            kind="workshop",
            title=f"Atelier {number}",
            room=f"Salle {number}",
            is_workshop=True,
            capacity=80,
        )
        for number in range(1, 4)
    ]
    WorkshopChoice.objects.bulk_create(
        WorkshopChoice(
            registration=registration,
            session=workshops[number % 3],
            status=WorkshopChoiceStatus.CONFIRMED,
            requested_at=scanned - dt.timedelta(days=5),
        )
        for number, registration in enumerate(came[:210])
    )
    Entrance.objects.create(edition=edition, name="Porte atelier 1", slug="atelier-1", position=2)
    Entrance.objects.filter(slug="atelier-1").update(session=workshops[0])

    version = CharterVersion.objects.create(
        slug="2021",
        title="Charte de la démarche collective PTCE (2021)",
        year=2021,
        text="Texte de mesure.",
        is_open=True,
        recognition_kind="charter_2021",
    )
    Signature.objects.bulk_create(
        Signature(
            version=version,
            organisation=organisation,
            representative_name="Camille Mesure",
            representative_role="Coordinatrice",
            channel="ceremony",
            signed_at=scanned + dt.timedelta(hours=4),
            edition=edition,
            receipt_code=f"{number:016d}",
        )
        for number, organisation in enumerate(pool[20:28])
    )

    questionnaire = questionnaires.of_edition(edition)
    for position, text in enumerate(("Les ateliers ?", "L'accueil ?"), 10):
        Question.objects.create(
            questionnaire=questionnaire, position=position, kind=QuestionKind.RATING, text=text
        )
    questionnaire.status = QuestionnaireStatus.READY
    questionnaire.sent_count = PEOPLE
    questionnaire.save()
    questions = list(questionnaire.questions.all())
    links = FeedbackLink.objects.bulk_create(
        FeedbackLink(questionnaire=questionnaire, registration=registration)
        for registration in came[:ANSWERS]
    )
    for link in links:
        values = {}
        for question in questions:
            if question.kind == QuestionKind.RATING:
                values[question.pk] = rng.randint(1, 5)
            elif question.kind == QuestionKind.SINGLE:
                values[question.pk] = rng.randrange(len(question.choices))
            elif question.kind == QuestionKind.MULTIPLE:
                values[question.pk] = rng.sample(range(len(question.choices)), 2)
            else:
                values[question.pk] = "Une remarque de mesure."
        questionnaires.answer(link, values, now=edition.ends_at + dt.timedelta(days=1))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return edition


def main():
    recreate_database()
    setup_django()
    from django.db import connection
    from django.urls import reverse

    started = time.perf_counter()
    edition = big_day()
    print(
        f"database: {connection.vendor}; {PEOPLE} admitted people and {ANSWERS} answers made "
        f"in {time.perf_counter() - started:.1f} s; Python {sys.version.split()[0]}"
    )
    client = organiser_client(edition)
    print(f"\n{'report':48} {'status':>6} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for name in ("report", "report_pdf"):
        path = reverse(name, kwargs={"slug": edition.slug})
        status, queries, median, p95 = measure(client, path, repeat=REPEAT)
        print(f"{path:48} {status:>6} {queries:>7} {median:>10.1f} {p95:>8.1f}")
    print("target: under 2 s (issue 19)")


if __name__ == "__main__":
    main()
