"""The admin of registration categories, and of invitations and registrations (read-only):
superusers only."""

import datetime as dt

import pytest
from django.utils import timezone

from outbox.models import Message
from registrations import capacity
from registrations.enums import RegistrationStatus
from tests.auth import log_in
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
CATEGORIES = "/admin/registrations/category/"


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted as their English msgids, whatever the French catalogue says.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def edition(cast):
    edition = cast.edition
    edition.registration_opens_at = NOW - dt.timedelta(days=1)
    edition.registration_closes_at = NOW + dt.timedelta(days=10)
    edition.save()
    return edition


def login(client, user):
    log_in(client, user)
    return client


def category_data(category, **changes):
    return {
        "name": category.name,
        "slug": category.slug,
        "description": category.description,
        "quota": "" if category.quota is None else str(category.quota),
        "is_public": "on" if category.is_public else "",
        "organisation_cap": "",
        "position": str(category.position),
        "_save": "Save",
        **changes,
    }


@pytest.mark.parametrize("who", ["organiser", "editor", "agent", "viewer", "outsider"])
def test_only_superusers_open_categories_in_the_admin(client, cast, edition, who):
    """Organisers work on them on their own pages (tests/test_edit_categories.py)."""
    category = CategoryFactory(edition=edition)
    login(client, getattr(cast, who))

    assert client.get(CATEGORIES).status_code == 302
    assert client.get(f"{CATEGORIES}{category.pk}/change/").status_code == 302
    assert login(client, cast.superuser).get(CATEGORIES).status_code == 200


def test_raising_a_quota_gives_the_freed_seats_to_the_waiting_list(client, cast, edition):
    category = CategoryFactory(edition=edition, quota=1)
    capacity.register(
        edition, category=category, first_name="A", last_name="A", email="a@example.org"
    )
    waiting = capacity.register(
        edition, category=category, first_name="B", last_name="B", email="b@example.org"
    )
    assert waiting.status == RegistrationStatus.WAITLISTED

    response = login(client, cast.superuser).post(
        f"{CATEGORIES}{category.pk}/change/", category_data(category, quota="2"), follow=True
    )

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert Message.objects.filter(kind="registrations.promoted").count() == 1
    assert "1 person of the waiting list got a seat and is emailed." in [
        str(message) for message in response.context["messages"]
    ]


def test_edition_of_a_category_cannot_be_changed(client, cast, edition):
    category = CategoryFactory(edition=edition)

    login(client, cast.superuser).post(
        f"{CATEGORIES}{category.pk}/change/",
        {**category_data(category), "edition": cast.edition_two.pk},
    )

    category.refresh_from_db()
    assert category.edition == edition


@pytest.mark.parametrize("model", ["registration", "invitation"])
def test_registrations_and_invitations_are_read_only_for_superusers(client, cast, edition, model):
    category = CategoryFactory(edition=edition)
    registration = capacity.register(
        edition, category=category, first_name="A", last_name="A", email="a@example.org"
    )
    invitation = category.invitations.create(edition=edition, email="g@example.org")
    pk = registration.pk if model == "registration" else invitation.pk
    url = f"/admin/registrations/{model}/"

    login(client, cast.superuser)
    assert client.get(url).status_code == 200
    change = client.get(f"{url}{pk}/change/")
    assert (change.status_code, change.context["has_change_permission"]) == (200, False)
    assert client.get(f"{url}add/").status_code == 403
    assert client.post(f"{url}{pk}/delete/", {"post": "yes"}).status_code == 403
    assert login(client, cast.organiser).get(url).status_code == 302
