"""The retention job: venue details, then every personal detail of a past edition, on the
dates its settings give; the anonymous figures stay exactly as they were."""

import datetime as dt
import logging

import pytest
from django.utils import timezone

from accounts.enums import AuditAction
from accounts.models import AuditEntry
from admission import attendance, security_list
from admission.models import CheckIn, SecurityList
from events.models import PARIS, Edition
from network.enums import OrganisationKind
from outbox.models import Message
from ptce import dashboard
from registrations import figures, privacy, tasks
from registrations.models import Announcement, Booking, Invitation, Registration
from tests.factories import (
    BookingFactory,
    CategoryFactory,
    EditionFactory,
    EntranceFactory,
    InvitationFactory,
    OrganisationFactory,
    RegistrationFactory,
)

PAST = timezone.localdate() - dt.timedelta(days=400)
SECRETS = (
    "Zéphyrine",
    "Quattrocchi",
    "zephyrine@example.org",
    "Bartholomé",
    "booker-past@example.org",
    "guest-past@example.org",
    "Invitée Exemple",
    "Note about the guest",
    "Fauteuil roulant",
    "Sans arachide",
    "Cheffe de projet",
    "Atelier Quattrocchi",
    "Lyon",
    "Italienne",
    "Employeur Exemple",
)


def at(day, hour=0, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def past(cast):
    """A past edition with a bit of everything: venue details, bookings, invitations, emails,
    security list versions, check-ins and a message to attendees."""
    edition = EditionFactory(
        title="Journée passée",
        date=PAST,
        organisers=[cast.org],
        security_fields=["birth_date", "birth_place", "nationality", "employer"],
    )
    main = CategoryFactory(edition=edition, name="Participants")
    guests = CategoryFactory(edition=edition, name="Invités", is_public=False)
    pole = OrganisationFactory(name="Pôle Rhône", kind=OrganisationKind.POLE, department_code="69")
    booking = BookingFactory(edition=edition, email="booker-past@example.org")
    first = RegistrationFactory(
        edition=edition,
        category=main,
        first_name="Zéphyrine",
        last_name="Quattrocchi",
        email="zephyrine@example.org",
        badge_name="Zéphy",
        job_title="Cheffe de projet",
        accessibility_needs="Fauteuil roulant",
        diet="vegetarian",
        dietary_notes="Sans arachide",
        birth_date=dt.date(1980, 5, 17),
        birth_place="Lyon",
        nationality="Italienne",
        employer="Employeur Exemple",
        organisation=pole,
        consent_public_list=True,
        consent_photos=True,
        booking=booking,
    )
    RegistrationFactory(
        edition=edition,
        category=main,
        first_name="Bartholomé",
        last_name="Exemple",
        email="",
        organisation_name="Atelier Quattrocchi",
        booking=booking,
    )
    invitation = InvitationFactory(
        edition=edition,
        category=guests,
        email="guest-past@example.org",
        guest_name="Invitée Exemple",
        note="Note about the guest",
    )
    guest = RegistrationFactory(
        edition=edition,
        category=guests,
        email="guest-past@example.org",
        invitation=invitation,
        source="invitation",
    )
    # Two personal invitations never used: emptying their addresses must not make them clash.
    InvitationFactory(edition=edition, category=guests, guest_name="Invitée Exemple")
    InvitationFactory(edition=edition, category=guests)
    RegistrationFactory(edition=edition, category=main, status="waitlisted", confirmed_at=None)
    RegistrationFactory(
        edition=edition, category=main, status="cancelled", cancelled_at=timezone.now()
    )
    for number in (1, 2):
        SecurityList.objects.create(
            edition=edition,
            number=number,
            rows=security_list.snapshot(edition),
            people=3,
            generated_by=cast.organiser,
        )
    entrance = EntranceFactory(edition=edition, name="Entrée A")
    for registration, nonce in ((first, "n1"), (guest, "n2")):
        CheckIn.objects.create(
            edition=edition,
            registration=registration,
            entrance=entrance,
            agent=cast.agent,
            nonce=nonce,
            result="admitted",
            id_checked=True,
            scanned_at=at(PAST, 9),
        )
    for number, (status, recipient) in enumerate(
        [
            ("sent", "zephyrine@example.org"),
            ("failed", "booker-past@example.org"),
            ("pending", "guest-past@example.org"),
        ]
    ):
        Message.objects.create(
            kind="registrations.confirmed",
            object_id=first.pk,
            edition=edition,
            recipient=recipient,
            message_id=f"<retention-{number}@example.org>",
            status=status,
        )
    Announcement.objects.create(
        edition=edition, subject="Merci", body="Merci d'être venus.", recipients=3
    )
    return edition


def all_figures(edition, now):
    board = dashboard.dashboard(edition)
    # How many people gave dietary details or accessibility needs are counts of free text,
    # which anonymisation deletes; every other figure stays.
    lunch = (board.lunch.diets, board.lunch.lunches, board.lunch.no_lunch)
    return (
        figures.availability(edition, now=now),
        attendance.figures(edition),
        board.seats,
        board.admitted,
        board.entrances,
        board.kinds,
        board.regions,
        board.poles,
        lunch,
        board.days,
    )


def stored_text():
    """Every text of the tables that hold attendees' data, as one string."""
    parts = []
    for model in (Registration, Booking, Invitation, Message, SecurityList, AuditEntry):
        for row in model.objects.values():
            parts.extend(str(value) for value in row.values())
    return "\n".join(parts)


def test_nothing_happens_before_the_venue_date(past):
    before = stored_text()

    assert not privacy.apply_retention(now=at(PAST, 23, 59))

    assert stored_text() == before
    assert SecurityList.objects.filter(edition=past).exclude(rows=[]).count() == 2


def test_after_the_day_exactly_the_venue_details_and_stored_lists_go(past, caplog):
    first = Registration.objects.get(email="zephyrine@example.org")
    with caplog.at_level(logging.INFO):
        run = privacy.apply_retention(now=at(PAST + dt.timedelta(days=1)))

    assert run.venue == {past.slug: {"registrations": 1, "security_lists": 2}}
    assert run.personal == {}
    after = Registration.objects.get(pk=first.pk)
    assert (after.birth_date, after.birth_place, after.nationality, after.employer) == (
        None,
        "",
        "",
        "",
    )
    # Everything else stays until the personal data's date.
    for name in ("first_name", "last_name", "email", "job_title", "accessibility_needs"):
        assert getattr(after, name) == getattr(first, name)
    assert after.anonymised_at is None
    lists = SecurityList.objects.filter(edition=past)
    assert [(version.rows, version.people) for version in lists] == [([], 3), ([], 3)]
    assert all(version.purged_at is not None for version in lists)
    past.refresh_from_db()
    assert past.venue_data_deleted_at == at(PAST + dt.timedelta(days=1))
    assert past.personal_data_anonymised_at is None
    entry = AuditEntry.objects.get(action=AuditAction.RETENTION)
    assert (entry.actor, entry.edition, entry.people, entry.detail) == (
        "system",
        past,
        1,
        {"registrations": 1, "security_lists": 2},
    )
    logged = caplog.text
    assert "retention: journee-passee" in logged
    assert not any(secret in logged for secret in SECRETS)


def test_an_edition_keeps_venue_details_as_long_as_it_says(past):
    Edition.objects.filter(pk=past.pk).update(venue_data_retention_days=3)

    assert not privacy.apply_retention(now=at(PAST + dt.timedelta(days=2), 23))
    # The security list's own hourly purge follows the same setting.
    assert security_list.purge(now=at(PAST + dt.timedelta(days=2), 23)) == 0
    assert Registration.objects.filter(birth_place="Lyon").exists()

    run = privacy.apply_retention(now=at(PAST + dt.timedelta(days=3)))

    assert run.venue[past.slug]["security_lists"] == 2
    assert not Registration.objects.filter(birth_place="Lyon").exists()


def test_after_the_personal_date_every_personal_field_is_empty_and_figures_stay(past, cast):
    current = RegistrationFactory(
        edition=cast.edition, first_name="Ophélie", email="current@example.org"
    )
    day = PAST + dt.timedelta(days=180)
    privacy.apply_retention(now=at(day) - dt.timedelta(minutes=1))
    assert Registration.objects.filter(edition=past, anonymised_at=None).count() == 5
    before = all_figures(past, at(day))
    checkins = list(CheckIn.objects.values())

    run = privacy.apply_retention(now=at(day))

    assert run.personal == {
        past.slug: {
            "registrations": 5,
            "bookings": 1,
            "invitations": 3,
            "emails": 3,
            "feedback_links": 0,
        }
    }
    assert all_figures(past, at(day)) == before
    for registration in Registration.objects.filter(edition=past):
        assert {name: getattr(registration, name) for name in privacy.PERSONAL_FIELDS} == (
            privacy.EMPTY
        )
        assert registration.anonymised_at == at(day)
    # Kept for the figures: the diet, the directory organisation, the statuses.
    assert sorted(Registration.objects.filter(edition=past).values_list("diet", flat=True)) == [
        "standard",
        "standard",
        "standard",
        "standard",
        "vegetarian",
    ]
    assert Registration.objects.filter(edition=past, organisation__name="Pôle Rhône").count() == 1
    assert list(Booking.objects.filter(edition=past).values_list("email", flat=True)) == [""]
    assert not Invitation.objects.filter(edition=past).exclude(email="", guest_name="", note="")
    assert not Invitation.objects.filter(edition=past, kind="personal", revoked_at=None)
    assert not Message.objects.filter(edition=past).exists()
    assert list(CheckIn.objects.values()) == checkins
    assert Announcement.objects.get(edition=past).body == "Merci d'être venus."
    text = stored_text()
    assert not [secret for secret in SECRETS if secret in text]
    past.refresh_from_db()
    assert past.personal_data_anonymised_at == at(day)
    entries = AuditEntry.objects.filter(action=AuditAction.RETENTION, edition=past).order_by("at")
    assert [(entry.what, entry.people) for entry in entries] == [
        ("Données pour le lieu et listes de sécurité supprimées", 1),
        ("Données personnelles anonymisées", 5),
    ]
    # The current edition is untouched.
    current.refresh_from_db()
    assert (current.first_name, current.email, current.anonymised_at) == (
        "Ophélie",
        "current@example.org",
        None,
    )
    assert not AuditEntry.objects.filter(edition=cast.edition).exists()


def test_a_run_that_finds_both_dates_passed_does_both_steps(past):
    run = privacy.apply_retention(now=at(PAST + dt.timedelta(days=365)))

    assert list(run.venue) == list(run.personal) == [past.slug]
    assert not SecurityList.objects.filter(edition=past).exclude(rows=[]).exists()
    assert AuditEntry.objects.filter(action=AuditAction.RETENTION).count() == 2


def test_running_again_changes_nothing_and_logs_nothing(past, caplog):
    privacy.apply_retention(now=at(PAST + dt.timedelta(days=365)))
    stored = stored_text()
    entries = AuditEntry.objects.count()
    caplog.clear()

    with caplog.at_level(logging.INFO):
        again = privacy.apply_retention(now=at(PAST + dt.timedelta(days=366)))
        assert tasks.apply_retention.call() == 0

    assert not again
    assert stored_text() == stored
    assert AuditEntry.objects.count() == entries
    assert "retention" not in caplog.text


def test_the_periodic_task_is_declared_and_applies_the_settings(past, settings):
    assert ("registrations.tasks.apply_retention", 60 * 60) in settings.PTCE_PERIODIC_TASKS

    assert tasks.apply_retention.call() == 2

    assert not Registration.objects.filter(edition=past, anonymised_at=None).exists()


def test_a_step_not_due_is_refused_by_its_function(past):
    assert privacy.delete_venue_data(past, now=at(PAST, 12)) is None
    assert privacy.anonymise_edition(past, now=at(PAST + dt.timedelta(days=179))) is None
    assert not AuditEntry.objects.exists()


def test_the_privacy_notice_gives_the_periods_and_the_days_still_kept(client, past, cast):
    Edition.objects.filter(pk=cast.edition.pk).update(personal_data_retention_days=90)
    privacy.apply_retention(now=at(PAST + dt.timedelta(days=365)))

    french = client.get("/confidentialite/").text
    english = client.get("/confidentialite/", HTTP_ACCEPT_LANGUAGE="en").text

    assert "effacées 180&nbsp;jours après la journée" in french
    assert "is erased 180 days after the day" in english
    assert "le lendemain de la journée" in french
    due = cast.edition.date + dt.timedelta(days=90)
    for page in (french, english):
        assert cast.edition.title in page
        assert past.title not in page
    assert f"<td>{due.day} {due:%B} {due.year}</td>" in english
    assert "Aucune copie ni aucun numéro de pièce d'identité" in french
