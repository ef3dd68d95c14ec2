"""The admin of the venue's entrances: organisers of their edition only."""

import pytest

from admission.models import Entrance
from tests.factories import EntranceFactory

pytestmark = pytest.mark.django_db

ENTRANCES = "/admin/admission/entrance/"


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted as their English msgids, whatever the French catalogue says.
    settings.LANGUAGE_CODE = "en"


def data(edition, **changes):
    return {"edition": edition.pk, "name": "Entrée A", "slug": "a", "position": "0", **changes}


def test_organiser_lists_only_the_entrances_of_their_editions(client, cast):
    mine = EntranceFactory(edition=cast.edition)
    EntranceFactory(edition=cast.other_edition)
    client.force_login(cast.organiser)

    response = client.get(ENTRANCES)

    assert list(response.context["cl"].result_list) == [mine]


def test_organiser_adds_an_entrance_to_their_edition_only(client, cast):
    client.force_login(cast.organiser)

    refused = client.post(f"{ENTRANCES}add/", data(cast.other_edition))
    client.post(f"{ENTRANCES}add/", data(cast.edition))

    assert list(refused.context["adminform"].form.errors) == ["edition"]
    assert list(Entrance.objects.values_list("edition", "slug")) == [(cast.edition.pk, "a")]


def test_two_entrances_of_one_edition_cannot_share_a_code(client, cast):
    EntranceFactory(edition=cast.edition, slug="a")
    client.force_login(cast.organiser)

    response = client.post(f"{ENTRANCES}add/", data(cast.edition))

    assert response.context["adminform"].form.errors == {
        "slug": ["Another entrance of this edition has this code."]
    }
    assert Entrance.objects.count() == 1


def test_editor_cannot_open_entrances(client, cast):
    entrance = EntranceFactory(edition=cast.edition)
    client.force_login(cast.editor)

    assert client.get(ENTRANCES).status_code == 403
    assert client.get(f"{ENTRANCES}{entrance.pk}/change/").status_code == 404


@pytest.mark.parametrize("who", ["agent", "viewer", "outsider"])
def test_users_without_admin_access_are_sent_to_the_login_page(client, cast, who):
    entrance = EntranceFactory(edition=cast.edition)
    client.force_login(getattr(cast, who))

    assert client.get(ENTRANCES).status_code == 302
    assert client.get(f"{ENTRANCES}{entrance.pk}/change/").status_code == 302


def test_entrance_of_another_organisation_is_404_to_an_organiser(client, cast):
    theirs = EntranceFactory(edition=cast.other_edition)
    client.force_login(cast.organiser)

    assert client.get(f"{ENTRANCES}{theirs.pk}/change/").status_code == 404
