"""The places left, shown on the day's page and beside the form's categories when the
organisers choose to (issue 17, item 8): the numbers of the public availability, in words."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.copying import copy_edition
from events.edit_forms import EditionSettingsForm
from events.models import Edition
from ptce.demo import load_demo
from registrations import figures, places
from registrations.enums import RegistrationStatus
from tests.auth import log_in
from tests.factories import CategoryFactory, EditionFactory, InvitationFactory, RegistrationFactory
from tests.test_edit_edition import settings_data, settings_url
from tests.test_registration_form import form, person

pytestmark = pytest.mark.django_db

NOW = timezone.now()
PAGE = "/journees/journee/"
FORM = "/journees/journee/inscription/"


@pytest.fixture
def edition(db):
    return EditionFactory(
        slug="journee",
        capacity=10,
        show_places_left=True,
        registration_opens_at=NOW - dt.timedelta(days=1),
        registration_closes_at=NOW + dt.timedelta(days=10),
    )


@pytest.fixture
def elus(edition):
    return CategoryFactory(
        edition=edition, name="Élus et collectivités", slug="elus", quota=5, position=0
    )


@pytest.fixture
def participant(edition):
    return CategoryFactory(edition=edition, name="Participant", slug="participant", position=1)


@pytest.fixture
def hidden(edition):
    return CategoryFactory(
        edition=edition, name="Pôle invité", slug="pole", quota=4, is_public=False, position=2
    )


def confirmed(category, count):
    for _ in range(count):
        RegistrationFactory(edition=category.edition, category=category)


def text(response):
    """The page's text, tags dropped and spaces (non-breaking ones too) made single."""
    assert response.status_code == 200
    content = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(content).split())


# The day's page ---------------------------------------------------------------------------


def test_page_says_the_places_left_in_all_and_in_each_category_with_a_quota(
    client, edition, elus, participant, hidden
):
    confirmed(elus, 2)
    confirmed(participant, 1)
    # A personal invitation holds a seat until it is used.
    InvitationFactory(edition=edition, category=hidden, holds_seat_until=NOW + dt.timedelta(days=7))

    page = text(client.get(PAGE))

    assert "Il reste 6 places" in page
    assert "Élus et collectivités : 3 places" in page
    # A category without a quota has no figure of its own; a private one is not shown.
    assert "Participant :" not in page
    assert "Pôle invité" not in page


def test_page_says_one_place_in_the_singular(client, edition, elus):
    edition.capacity = 3
    edition.save()
    confirmed(elus, 2)

    page = text(client.get(PAGE))

    assert "Il reste 1 place " in page
    assert "Élus et collectivités : 1 place " in page


def test_page_says_full_with_a_waiting_list(client, edition, elus, participant):
    confirmed(elus, 5)
    confirmed(participant, 5)

    page = text(client.get(PAGE))

    assert "Complet — liste d'attente" in page
    assert "Élus et collectivités : complet — liste d'attente" in page
    assert "Il reste" not in page


def test_page_says_full_without_a_waiting_list(client, edition, elus):
    edition.has_waiting_list = False
    edition.save()
    confirmed(elus, 5)

    page = text(client.get(PAGE))

    assert "Il reste 5 places" in page
    assert "Élus et collectivités : complet" in page
    assert "liste d'attente" not in page


def test_page_in_english(client, edition, elus):
    confirmed(elus, 1)

    page = text(client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en"))

    assert "9 places left" in page
    assert "Élus et collectivités: 4 places left" in page


def test_page_shows_nothing_when_the_organisers_chose_not_to(client, edition, elus):
    edition.show_places_left = False
    edition.save()

    page = text(client.get(PAGE))

    assert "Il reste" not in page
    assert "Élus et collectivités" not in page


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=10)), (None, NOW - dt.timedelta(days=1))],
    ids=["not_open_yet", "closed"],
)
def test_page_shows_nothing_while_registration_is_not_open(client, edition, elus, opens, closes):
    edition.registration_opens_at, edition.registration_closes_at = opens, closes
    edition.save()

    assert "Il reste" not in text(client.get(PAGE))


def test_numbers_are_those_of_the_availability(client, edition, elus, monkeypatch):
    counts = figures.availability(edition)
    row = counts.categories[0]
    made_up = figures.Figures(
        **{
            **vars(counts),
            "available": 42,
            "categories": [type(row)(**{**vars(row), "available": 7})],
        }
    )
    monkeypatch.setattr(figures, "availability", lambda edition, now=None: made_up)

    page = text(client.get(PAGE))

    assert "Il reste 42 places" in page
    assert "Élus et collectivités : 7 places" in page


def test_numbers_match_the_public_api(client, edition, elus, participant):
    confirmed(elus, 2)
    confirmed(participant, 3)
    api = client.get(f"/api/v1/editions/{edition.slug}/availability").json()

    shown = places.places_left(edition)

    assert shown.available == api["available"] == 5
    assert [(c.slug, c.available) for c in shown.categories] == [
        (c["slug"], c["available"]) for c in api["categories"] if c["quota"] is not None
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_page_costs_one_query_more_whatever_the_categories_and_registrations(
    client, edition, count
):
    for n in range(count):
        category = CategoryFactory(edition=edition, quota=5, position=n)
        confirmed(category, count)
    client.get(PAGE)  # the session and language machinery settle on the first request

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PAGE)
        assert response.status_code == 200
        return len(captured)

    shown = queries()
    Edition.objects.filter(pk=edition.pk).update(show_places_left=False)
    hidden = queries()

    assert shown == hidden + 1


# The form ----------------------------------------------------------------------------------


def test_form_says_the_places_left_beside_each_category_with_a_quota(
    client, edition, elus, participant
):
    elus.description = "Les élus locaux."
    elus.save()
    confirmed(elus, 3)

    response = client.get(FORM)
    content = response.content.decode()

    assert "Il reste 7 places" in text(response)
    note = re.search(r'<p class="note" id="([^"]+)_places">([^<]*)</p>', content)
    assert note.group(2).split() == ["Il", "reste", "2", "places"]
    radio = re.search(rf'<input type="radio"[^>]* id="{note.group(1)}"[^>]*>', content).group(0)
    # Read with the choice by screen readers, before the category's description.
    assert f'aria-describedby="{note.group(1)}_places {note.group(1)}_description"' in radio
    # None beside "Participant", which has no quota.
    assert len(re.findall(r'<p class="note" id="[^"]+_places">', content)) == 1


def test_form_beside_a_full_category_says_full_and_still_registers(client, edition, elus):
    confirmed(elus, 5)

    page = text(client.get(FORM))

    assert "Élus et collectivités Complet — liste d'attente" in page
    response = client.post(FORM, form(person(category="elus")), REMOTE_ADDR="192.0.2.1")

    assert response.status_code == 302
    newcomer = edition.registrations.get(email="camille0@example.org")
    assert newcomer.status == RegistrationStatus.WAITLISTED


def test_blank_form_follows_the_places_left_despite_its_cache(client, edition, elus):
    assert "Il reste 5 places" in text(client.get(FORM))  # beside the category

    confirmed(elus, 1)

    page = text(client.get(FORM))
    assert "Il reste 4 places" in page
    assert "Il reste 5 places" not in page


def test_form_shows_nothing_when_the_organisers_chose_not_to(client, edition, elus):
    edition.show_places_left = False
    edition.save()

    response = client.get(FORM)

    assert "Il reste" not in text(response)
    assert "_places" not in response.content.decode()


def test_form_costs_one_query_more_when_shown(client, edition, elus, participant):
    client.get(FORM)

    def queries():
        # The blank people are cached by what they show: the second request reads the cache.
        client.get(FORM)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(FORM).status_code == 200
        return len(captured)

    shown = queries()
    Edition.objects.filter(pk=edition.pk).update(show_places_left=False)

    assert shown == queries() + 1


# The organisers' choice --------------------------------------------------------------------


def test_off_by_default_and_among_the_registration_settings():
    assert Edition._meta.get_field("show_places_left").default is False
    assert "show_places_left" in EditionSettingsForm.base_fields


def test_organiser_turns_it_on_in_the_settings(client, cast):
    log_in(client, cast.organiser)
    response = client.post(
        settings_url(cast.edition), settings_data(cast.edition, show_places_left="on")
    )

    assert response.status_code == 302
    cast.edition.refresh_from_db()
    assert cast.edition.show_places_left is True


def test_a_copy_keeps_the_choice(edition):
    copy = copy_edition(
        edition, title="Journée suivante", slug="journee-suivante", date=edition.date
    )
    assert copy.show_places_left is True


def test_demonstration_edition_shows_its_places_left(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("PTCE_PASSWORD", raising=False)
    load_demo()

    assert Edition.objects.get(slug="demonstration").show_places_left is True
