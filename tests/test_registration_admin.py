"""The admin of registration categories (organisers of their edition), and of invitations and
registrations (read-only, superusers)."""

import datetime as dt

import pytest
from django.utils import timezone

from outbox.models import Message
from registrations import capacity
from registrations.enums import RegistrationStatus
from registrations.models import Category
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
    client.force_login(user)
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


def test_organiser_lists_only_the_categories_of_their_editions(client, cast, edition):
    mine = CategoryFactory(edition=edition)
    CategoryFactory(edition=cast.other_edition)

    response = login(client, cast.organiser).get(CATEGORIES)

    assert list(response.context["cl"].result_list) == [mine]


def test_editor_cannot_open_categories(client, cast, edition):
    """Quotas and caps are registration settings, like the edition's capacity: organisers'."""
    category = CategoryFactory(edition=edition)
    login(client, cast.editor)

    assert client.get(CATEGORIES).status_code == 403
    assert client.get(f"{CATEGORIES}{category.pk}/change/").status_code == 404


@pytest.mark.parametrize("who", ["agent", "viewer", "outsider"])
def test_users_without_admin_access_are_sent_to_the_login_page(client, cast, edition, who):
    category = CategoryFactory(edition=edition)
    login(client, getattr(cast, who))

    assert client.get(CATEGORIES).status_code == 302
    assert client.get(f"{CATEGORIES}{category.pk}/change/").status_code == 302


def test_category_of_another_organisation_is_404_to_an_organiser(client, cast):
    theirs = CategoryFactory(edition=cast.other_edition)

    response = login(client, cast.organiser).get(f"{CATEGORIES}{theirs.pk}/change/")

    assert response.status_code == 404


def test_organiser_adds_a_category_to_their_edition_only(client, cast, edition):
    login(client, cast.organiser)
    data = {
        "name": "Presse",
        "slug": "presse",
        "description": "",
        "quota": "20",
        "is_public": "on",
        "organisation_cap": "",
        "position": "3",
        "_save": "Save",
    }

    refused = client.post(f"{CATEGORIES}add/", {**data, "edition": cast.other_edition.pk})
    client.post(f"{CATEGORIES}add/", {**data, "edition": edition.pk})

    assert list(refused.context["adminform"].form.errors) == ["edition"]
    assert list(Category.objects.values_list("edition", "slug", "quota")) == [
        (edition.pk, "presse", 20)
    ]


def test_raising_a_quota_gives_the_freed_seats_to_the_waiting_list(client, cast, edition):
    category = CategoryFactory(edition=edition, quota=1)
    capacity.register(
        edition, category=category, first_name="A", last_name="A", email="a@example.org"
    )
    waiting = capacity.register(
        edition, category=category, first_name="B", last_name="B", email="b@example.org"
    )
    assert waiting.status == RegistrationStatus.WAITLISTED

    response = login(client, cast.organiser).post(
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

    login(client, cast.organiser).post(
        f"{CATEGORIES}{category.pk}/change/",
        {**category_data(category), "edition": cast.edition_two.pk},
    )

    category.refresh_from_db()
    assert category.edition == edition


def test_slug_used_twice_in_an_edition_is_refused(client, cast, edition):
    CategoryFactory(edition=edition, slug="presse")
    other = CategoryFactory(edition=edition, slug="participant")

    response = login(client, cast.organiser).post(
        f"{CATEGORIES}{other.pk}/change/", category_data(other, slug="presse")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "slug": ["Another category of this edition has this slug."]
    }
    other.refresh_from_db()
    assert other.slug == "participant"


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
    assert login(client, cast.organiser).get(url).status_code == 403
