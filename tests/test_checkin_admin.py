"""The admin of the venue's entrances: superusers only (organisers work on them on their own
pages, tests/test_edit_entrances.py)."""

import pytest

from admission.models import Entrance
from tests.auth import log_in
from tests.factories import EntranceFactory

pytestmark = pytest.mark.django_db

ENTRANCES = "/admin/admission/entrance/"


def data(edition, **changes):
    return {"edition": edition.pk, "name": "Entrée A", "slug": "a", "position": "0", **changes}


def test_superuser_adds_an_entrance(client, cast):
    log_in(client, cast.superuser)

    response = client.post(f"{ENTRANCES}add/", data(cast.edition))

    assert response.status_code == 302
    assert list(Entrance.objects.values_list("edition", "slug")) == [(cast.edition.pk, "a")]


def test_two_entrances_of_one_edition_cannot_share_a_code(client, cast):
    EntranceFactory(edition=cast.edition, slug="a")
    log_in(client, cast.superuser)

    response = client.post(f"{ENTRANCES}add/", data(cast.edition))

    assert set(response.context["adminform"].form.errors) == {"__all__"}
    assert Entrance.objects.count() == 1


@pytest.mark.parametrize("who", ["organiser", "editor", "agent", "viewer", "outsider"])
def test_other_users_are_sent_to_the_login_page(client, cast, who):
    entrance = EntranceFactory(edition=cast.edition)
    log_in(client, getattr(cast, who))

    assert client.get(ENTRANCES).status_code == 302
    assert client.get(f"{ENTRANCES}{entrance.pk}/change/").status_code == 302
