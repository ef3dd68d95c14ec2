"""The venue's entrances, edited by the edition's organisers."""

import pytest
from django.utils import timezone

from admission.enums import CheckInResult
from admission.models import CheckIn, Entrance
from tests.auth import log_in
from tests.factories import EntranceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def base(edition):
    return f"/journees/{edition.slug}/gestion/entrees/"


def scan(entrance):
    """A scan at ``entrance`` (of an unknown ticket: the entrance is used all the same)."""
    CheckIn.objects.create(
        edition=entrance.edition,
        entrance=entrance,
        nonce="n1",
        result=CheckInResult.UNKNOWN_TICKET,
        scanned_at=timezone.now(),
    )


def test_organiser_lists_the_entrances_in_order(client, cast):
    b = EntranceFactory(edition=cast.edition, name="Entrée B", slug="b", position=1)
    a = EntranceFactory(edition=cast.edition, name="Entrée A", slug="a", position=0)
    EntranceFactory(edition=cast.other_edition)
    response = log_in(client, cast.organiser).get(base(cast.edition))
    assert response.status_code == 200
    assert list(response.context["entrances"]) == [a, b]


@pytest.mark.parametrize("who", ["editor", "agent", "viewer", "outsider", "other_organiser"])
def test_other_roles_get_403_and_change_nothing(client, cast, who):
    entrance = EntranceFactory(edition=cast.edition, name="Entrée A")
    log_in(client, getattr(cast, who))
    url = base(cast.edition)
    assert client.get(url).status_code == 403
    assert client.post(f"{url}ajouter/", {"name": "Entrée B", "slug": ""}).status_code == 403
    assert client.post(f"{url}{entrance.pk}/", {"name": "Piratée", "slug": "x"}).status_code == 403
    assert client.post(f"{url}{entrance.pk}/supprimer/").status_code == 403
    assert list(Entrance.objects.values_list("name", flat=True)) == ["Entrée A"]


def test_anonymous_visitors_go_to_the_login_page(client, cast):
    url = base(cast.edition)
    assert client.get(url)["Location"] == f"/connexion/?next={url}"


def test_organiser_adds_entrances_at_the_end(client, cast):
    url = base(cast.edition)
    log_in(client, cast.organiser)
    assert (
        client.post(f"{url}ajouter/", {"name": "Entrée A, rue de Bercy", "slug": ""}).status_code
        == 302
    )
    assert client.post(f"{url}ajouter/", {"name": "Entrée B", "slug": "b"}).status_code == 302
    assert list(Entrance.objects.values_list("slug", "position")) == [
        ("entree-a-rue-de-bercy", 0),
        ("b", 1),
    ]


def test_two_entrances_of_one_edition_cannot_share_a_code(client, cast):
    EntranceFactory(edition=cast.edition, slug="a")
    response = log_in(client, cast.organiser).post(
        f"{base(cast.edition)}ajouter/", {"name": "Entrée A", "slug": "a"}
    )
    assert response.context["form"].errors == {
        "slug": ["Another entrance of this edition has this code."]
    }
    assert Entrance.objects.count() == 1


def test_organiser_renames_and_reorders(client, cast):
    a = EntranceFactory(edition=cast.edition, slug="a", position=0)
    b = EntranceFactory(edition=cast.edition, slug="b", position=1)
    url = base(cast.edition)
    log_in(client, cast.organiser)
    assert client.post(f"{url}{a.pk}/", {"name": "Porte nord", "slug": "nord"}).status_code == 302
    assert client.post(f"{url}{b.pk}/monter/").status_code == 302
    assert list(Entrance.objects.values_list("slug", "name")) == [
        ("b", b.name),
        ("nord", "Porte nord"),
    ]
    assert client.get(f"{url}{b.pk}/monter/").status_code == 405


def test_a_used_entrance_keeps_its_code_and_is_not_deleted(client, cast):
    entrance = EntranceFactory(edition=cast.edition, slug="a")
    unused = EntranceFactory(edition=cast.edition, slug="b")
    scan(entrance)
    url = base(cast.edition)
    log_in(client, cast.organiser)

    client.post(f"{url}{entrance.pk}/", {"name": "Porte nord", "slug": "nord"})
    response = client.post(f"{url}{entrance.pk}/supprimer/", follow=True)
    assert any("cannot be deleted" in str(m) for m in response.context["messages"])
    assert client.post(f"{url}{unused.pk}/supprimer/").status_code == 302
    assert list(Entrance.objects.values_list("slug", "name")) == [("a", "Porte nord")]
