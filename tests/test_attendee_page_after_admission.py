"""The attendee's page follows the day (issue 17, item 4): once admitted at the door, it says
when and where, and no longer offers to cancel or to change the details; an organiser may
still correct them."""

import datetime as dt

import pytest
from django.utils import timezone

from admission.checkin import admit
from registrations import attendees, capacity
from registrations.enums import RegistrationStatus
from registrations.links import manage_path
from tests.factories import CategoryFactory, EditionFactory, EntranceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(db):
    today = timezone.localdate()
    edition = EditionFactory(
        date=today,
        start_time=dt.time(0, 0),
        end_time=dt.time(23, 59, 59),
        registration_opens_at=timezone.now() - dt.timedelta(days=2),
        registration_closes_at=timezone.now() - dt.timedelta(days=1),
    )
    category = CategoryFactory(edition=edition)
    return capacity.register(
        edition,
        category=category,
        first_name="Camille",
        last_name="Exemple",
        email="camille@example.org",
        by_organiser=True,
    )


def let_in(registration, entrance_name="Entrée principale"):
    entrance = EntranceFactory(edition=registration.edition, name=entrance_name, slug="main")
    verdict = admit(
        registration.edition,
        registration=registration,
        entrance=entrance,
        agent=UserFactory(username="agent-porte"),
        nonce="n-1",
        id_checked=True,
    )
    assert verdict.result == "admitted"


def test_before_admission_the_page_offers_to_cancel_and_edit(client, registration):
    assert registration.status == RegistrationStatus.CONFIRMED
    body = client.get(manage_path(registration), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "annuler/" in body
    assert 'name="badge_name"' in body


def test_after_admission_the_page_says_when_and_where_and_offers_no_change(client, registration):
    let_in(registration)

    body = client.get(manage_path(registration), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    moment = timezone.localtime(attendees.admission(registration)[0])
    hour = f"{moment.hour}\u00a0h\u00a0{moment.minute:02d}"
    assert f"Entré·e à {hour} (Entrée principale)." in body
    assert manage_path(registration) + "annuler/" not in body
    assert 'name="badge_name"' not in body


def test_after_admission_a_posted_change_or_cancellation_changes_nothing(client, registration):
    let_in(registration)

    client.post(manage_path(registration), {"badge_name": "Autre"})
    client.post(manage_path(registration) + "annuler/")

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.badge_name == ""
    with pytest.raises(attendees.ChangeRefused) as refused:
        attendees.cancel(registration)
    assert refused.value.code == "admitted"


def test_an_organiser_may_still_correct_an_admitted_registration(registration, cast):
    let_in(registration)

    changed = attendees.update_details(registration, by=cast.organiser, job_title="Chargée")

    assert changed == ["job_title"]
