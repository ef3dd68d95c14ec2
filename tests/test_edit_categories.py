"""Registration categories and quotas, edited by the edition's organisers."""

import datetime as dt

import pytest
from django.utils import timezone

from outbox.models import Message
from registrations import capacity
from registrations.enums import RegistrationStatus
from registrations.models import Category
from tests.auth import log_in
from tests.factories import CategoryFactory, InvitationFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def edition(cast):
    edition = cast.edition
    edition.registration_opens_at = NOW - dt.timedelta(days=1)
    edition.registration_closes_at = NOW + dt.timedelta(days=10)
    edition.save()
    return edition


def base(edition):
    return f"/journees/{edition.slug}/gestion/categories/"


def category_data(category=None, **changes):
    data = {
        "name": "Presse",
        "slug": "",
        "description": "",
        "quota": "",
        "organisation_cap": "",
        "is_public": "on",
        "position": "0",
    }
    if category is not None:
        data.update(
            name=category.name,
            slug=category.slug,
            quota="" if category.quota is None else str(category.quota),
            position=str(category.position),
        )
    data.update(changes)
    return data


def register(edition, category, name):
    return capacity.register(
        edition, category=category, first_name=name, last_name=name, email=f"{name}@example.org"
    )


def test_organiser_lists_the_categories_with_their_figures(client, cast, edition):
    category = CategoryFactory(edition=edition, quota=5)
    register(edition, category, "a")
    CategoryFactory(edition=cast.other_edition)
    response = log_in(client, cast.organiser).get(base(edition))
    assert response.status_code == 200
    rows = response.context["figures"].categories
    assert [(row.category, row.quota, row.confirmed) for row in rows] == [(category, 5, 1)]


@pytest.mark.parametrize("who", ["editor", "agent", "viewer", "outsider", "other_organiser"])
def test_other_roles_get_403_and_change_nothing(client, cast, edition, who):
    category = CategoryFactory(edition=edition, quota=5)
    log_in(client, getattr(cast, who))
    assert client.get(base(edition)).status_code == 403
    assert client.post(f"{base(edition)}ajouter/", category_data()).status_code == 403
    response = client.post(f"{base(edition)}{category.pk}/", category_data(category, quota="50"))
    assert response.status_code == 403
    assert client.post(f"{base(edition)}{category.pk}/supprimer/").status_code == 403
    category.refresh_from_db()
    assert category.quota == 5


def test_anonymous_visitors_go_to_the_login_page(client, cast, edition):
    assert client.get(base(edition))["Location"] == f"/connexion/?next={base(edition)}"


def test_organiser_adds_a_category(client, cast, edition):
    response = log_in(client, cast.organiser).post(
        f"{base(edition)}ajouter/", category_data(quota="20", organisation_cap="3")
    )
    assert response.status_code == 302
    assert list(Category.objects.values_list("edition", "slug", "quota", "organisation_cap")) == [
        (edition.pk, "presse", 20, 3)
    ]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"quota": "-1"}, {"quota": ["Ensure this value is greater than or equal to 0."]}),
        ({"quota": "beaucoup"}, {"quota": ["Enter a whole number."]}),
        ({"name": ""}, {"name": ["This field is required."]}),
        ({"slug": "participant"}, {"slug": ["Another category of this edition has this slug."]}),
    ],
)
def test_invalid_categories_are_refused(client, cast, edition, changes, errors):
    CategoryFactory(edition=edition, slug="participant")
    response = log_in(client, cast.organiser).post(
        f"{base(edition)}ajouter/", category_data(**changes)
    )
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert Category.objects.count() == 1


def test_raising_a_quota_gives_the_freed_seats_to_the_waiting_list(client, cast, edition):
    category = CategoryFactory(edition=edition, quota=1)
    register(edition, category, "a")
    waiting = register(edition, category, "b")
    assert waiting.status == RegistrationStatus.WAITLISTED

    response = log_in(client, cast.organiser).post(
        f"{base(edition)}{category.pk}/", category_data(category, quota="2"), follow=True
    )

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert Message.objects.filter(kind="registrations.promoted").count() == 1
    assert "1 person of the waiting list got a seat and is emailed." in [
        str(message) for message in response.context["messages"]
    ]


def test_a_quota_lowered_below_the_confirmed_seats_keeps_them_and_says_so(client, cast, edition):
    category = CategoryFactory(edition=edition, quota=5)
    confirmed = [register(edition, category, name) for name in ("a", "b", "c")]

    response = log_in(client, cast.organiser).post(
        f"{base(edition)}{category.pk}/", category_data(category, quota="1"), follow=True
    )

    category.refresh_from_db()
    assert category.quota == 1
    assert [r.status for r in category.registrations.all()] == [RegistrationStatus.CONFIRMED] * len(
        confirmed
    )
    assert any(
        "3 people are confirmed in this category" in str(m) for m in response.context["messages"]
    )
    assert register(edition, category, "d").status == RegistrationStatus.WAITLISTED


def test_the_edition_of_a_category_cannot_be_changed(client, cast, edition):
    category = CategoryFactory(edition=edition)
    data = {**category_data(category), "edition": cast.edition_two.pk}
    log_in(client, cast.organiser).post(f"{base(edition)}{category.pk}/", data)
    category.refresh_from_db()
    assert category.edition == edition


def test_a_category_of_another_edition_is_404(client, cast, edition):
    theirs = CategoryFactory(edition=cast.edition_two)
    log_in(client, cast.organiser)
    assert client.get(f"{base(edition)}{theirs.pk}/").status_code == 404


def test_only_an_unused_category_is_deleted(client, cast, edition):
    used = CategoryFactory(edition=edition, slug="used")
    register(edition, used, "a")
    invited = CategoryFactory(edition=edition, slug="invited")
    InvitationFactory(edition=edition, category=invited)
    unused = CategoryFactory(edition=edition, slug="unused")
    log_in(client, cast.organiser)

    for category in (used, invited):
        response = client.post(f"{base(edition)}{category.pk}/supprimer/", follow=True)
        assert any("cannot be deleted" in str(m) for m in response.context["messages"])
    assert client.get(f"{base(edition)}{unused.pk}/supprimer/").status_code == 200
    assert client.post(f"{base(edition)}{unused.pk}/supprimer/").status_code == 302

    assert set(Category.objects.values_list("slug", flat=True)) == {"used", "invited"}


def test_markup_in_a_category_name_is_inert(client, cast, edition):
    CategoryFactory(edition=edition, name="<script>alert(1)</script>", is_public=True)
    log_in(client, cast.organiser)
    html = client.get(base(edition)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    public = client.get(f"/journees/{edition.slug}/inscription/").content.decode()
    assert "<script>alert(1)" not in public
