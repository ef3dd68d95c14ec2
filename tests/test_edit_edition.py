"""Editing an edition outside the admin: its settings, a new edition and its venue."""

import datetime as dt

import pytest
from django.utils import timezone

from events.edit_forms import EditionSettingsForm
from events.enums import EditionStatus
from events.models import Edition, Venue
from outbox.models import Message
from registrations import capacity
from registrations.enums import RegistrationStatus
from tests.auth import log_in
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
#: Before the day of the cast's editions (in 60 days).
SOON = timezone.localdate() + dt.timedelta(days=30)
ROLES_WITHOUT_CONTENT = ["agent", "viewer", "outsider", "other_organiser"]


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted as their English msgids, whatever the French catalogue says.
    settings.LANGUAGE_CODE = "en"


def settings_url(edition):
    return f"/journees/{edition.slug}/gestion/parametres/"


def form_data(form, **changes):
    """The POST data a browser sends for ``form`` as shown, with ``changes``."""
    data = {}
    for field in form:
        value = field.value()
        widget = field.field.widget
        if field.widget_type == "checkbox":
            if value:
                data[field.html_name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[field.html_name] = [str(item) for item in value]
            continue
        value = widget.format_value(value) if hasattr(widget, "format") else value
        data[field.html_name] = "" if value is None else str(value)
    data.update(changes)
    return data


def settings_data(edition, **changes):
    form = EditionSettingsForm(instance=edition, venues=Venue.objects.all())
    return form_data(form, **changes)


# Who may open the settings ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["organiser", "superuser"])
def test_organisers_get_every_setting(client, cast, who):
    response = log_in(client, getattr(cast, who)).get(settings_url(cast.edition))
    assert response.status_code == 200
    fields = set(response.context["form"].fields)
    assert {"title", "capacity", "date", "status", "security_fields"} <= fields
    assert {"personal_data_retention_days", "venue_data_retention_days"} <= fields


def test_editors_get_the_text_only(client, cast):
    response = log_in(client, cast.editor).get(settings_url(cast.edition))
    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"title", "summary", "description"}
    assert '<meta name="robots" content="noindex">' in response.content.decode()


@pytest.mark.parametrize("who", ROLES_WITHOUT_CONTENT)
def test_other_roles_get_403(client, cast, who):
    log_in(client, getattr(cast, who))
    assert client.get(settings_url(cast.edition)).status_code == 403
    response = client.post(settings_url(cast.edition), settings_data(cast.edition, title="Piraté"))
    assert response.status_code == 403
    cast.edition.refresh_from_db()
    assert cast.edition.title == "Journée Exemple"


def test_anonymous_visitors_go_to_the_login_page(client, cast):
    response = client.get(settings_url(cast.edition))
    assert response.status_code == 302
    assert response["Location"] == f"/connexion/?next={settings_url(cast.edition)}"


# Saving ------------------------------------------------------------------------------------


def test_organiser_saves_the_settings(client, cast):
    data = settings_data(
        cast.edition, title="Nouveau titre", capacity="250", security_fields=["birth_date"]
    )
    response = log_in(client, cast.organiser).post(settings_url(cast.edition), data)
    assert response.status_code == 302
    assert response["Location"] == settings_url(cast.edition)
    cast.edition.refresh_from_db()
    assert (cast.edition.title, cast.edition.capacity) == ("Nouveau titre", 250)
    assert cast.edition.security_fields == ["birth_date"]


def test_editor_changes_the_text_but_not_the_capacity(client, cast):
    data = settings_data(cast.edition, title="Nouveau titre", capacity="5")
    response = log_in(client, cast.editor).post(settings_url(cast.edition), data)
    assert response.status_code == 302
    cast.edition.refresh_from_db()
    assert (cast.edition.title, cast.edition.capacity) == ("Nouveau titre", 300)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_time": "09:00"}, "end_time", "The day must end after it starts."),
        ({"capacity": "-3"}, "capacity", "Ensure this value is greater than or equal to 0."),
        (
            {"personal_data_retention_days": "5000"},
            "personal_data_retention_days",
            "Ensure this value is less than or equal to 1095.",
        ),
        (
            {
                "registration_opens_at": f"{SOON + dt.timedelta(days=1)}T10:00",
                "registration_closes_at": f"{SOON}T10:00",
            },
            "registration_closes_at",
            "Registration must close after it opens.",
        ),
        ({"date": "pas une date"}, "date", "Enter a valid date."),
    ],
)
def test_invalid_settings_are_refused_and_nothing_changes(client, cast, changes, field, message):
    data = settings_data(cast.edition, title="Nouveau titre", **changes)
    response = log_in(client, cast.organiser).post(settings_url(cast.edition), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert "Nothing was saved." in response.content.decode()
    cast.edition.refresh_from_db()
    assert cast.edition.title == "Journée Exemple"


def test_error_on_a_setting_the_editor_does_not_see_is_shown_named(client, cast):
    # Registration closes after the day starts (saved by other means); the edition's rules
    # then refuse any save, through a field the editor does not see.
    Edition.objects.filter(pk=cast.edition.pk).update(
        registration_closes_at=cast.edition.starts_at + dt.timedelta(hours=1)
    )
    data = {"title": "Nouveau titre", "summary": "Résumé", "description": ""}
    response = log_in(client, cast.editor).post(settings_url(cast.edition), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Registration closes: This must come before the day starts."
    ]
    cast.edition.refresh_from_db()
    assert cast.edition.title == "Journée Exemple"


def test_raising_the_capacity_gives_seats_to_the_waiting_list(client, cast):
    edition = cast.edition
    Edition.objects.filter(pk=edition.pk).update(
        capacity=1,
        registration_opens_at=NOW - dt.timedelta(days=1),
        registration_closes_at=NOW + dt.timedelta(days=10),
    )
    edition.refresh_from_db()
    category = CategoryFactory(edition=edition)
    capacity.register(
        edition, category=category, first_name="A", last_name="A", email="a@example.org"
    )
    waiting = capacity.register(
        edition, category=category, first_name="B", last_name="B", email="b@example.org"
    )
    assert waiting.status == RegistrationStatus.WAITLISTED

    data = settings_data(edition, capacity="2")
    response = log_in(client, cast.organiser).post(settings_url(edition), data, follow=True)

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert Message.objects.filter(kind="registrations.promoted").count() == 1
    assert "1 person of the waiting list got a seat and is emailed." in [
        str(message) for message in response.context["messages"]
    ]


def test_markup_in_the_text_is_inert_on_the_public_page(client, cast):
    data = settings_data(
        cast.edition,
        title="<b>Journée</b>",
        summary="<script>alert(1)</script>",
        description="<img src=x onerror=alert(1)>",
    )
    assert log_in(client, cast.organiser).post(settings_url(cast.edition), data).status_code == 302
    html = client.get(f"/journees/{cast.edition.slug}/").content.decode()
    assert "&lt;b&gt;Journée&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html


# A new edition -----------------------------------------------------------------------------

NEW = "/gestion/journees/nouvelle/"


def new_edition_data(organisation, **changes):
    day = timezone.localdate() + dt.timedelta(days=90)
    return {
        "organisation": organisation.pk,
        "title": "Journée de l'an prochain",
        "slug": "",
        "number": "",
        "summary": "Une nouvelle journée.",
        "date": day.isoformat(),
        **changes,
    }


def test_organiser_creates_an_edition_for_their_organisation(client, cast):
    response = log_in(client, cast.organiser).post(NEW, new_edition_data(cast.org))
    edition = Edition.objects.get(slug="journee-de-lan-prochain")
    assert response.status_code == 302
    assert response["Location"] == settings_url(edition)
    assert list(edition.organisers.all()) == [cast.org]
    assert edition.status == EditionStatus.DRAFT
    # The organiser may open its settings at once.
    assert client.get(settings_url(edition)).status_code == 200


def test_an_edition_cannot_be_created_for_another_organisation(client, cast):
    response = log_in(client, cast.organiser).post(NEW, new_edition_data(cast.other_org))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"organisation"}
    assert not Edition.objects.filter(title="Journée de l'an prochain").exists()


def test_a_taken_address_is_refused(client, cast):
    data = new_edition_data(cast.org, slug=cast.edition.slug)
    response = log_in(client, cast.organiser).post(NEW, data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"slug"}
    assert Edition.objects.count() == 3


@pytest.mark.parametrize("who", ["editor", "agent", "viewer", "outsider"])
def test_only_organisers_create_editions(client, cast, who):
    log_in(client, getattr(cast, who))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, new_edition_data(cast.org)).status_code == 403
    assert Edition.objects.count() == 3


def test_anonymous_visitors_are_sent_to_log_in_to_create_an_edition(client, db):
    assert client.get(NEW)["Location"] == f"/connexion/?next={NEW}"


# The venue ---------------------------------------------------------------------------------


def venue_data(**changes):
    return {
        "name": "Salle des fêtes",
        "street_address": "2 place de la Mairie",
        "postal_code": "69001",
        "city": "Lyon",
        "public_transport": "Métro A",
        "accessibility": "",
        "map_url": "www.example.org/plan",
        **changes,
    }


def test_organiser_of_the_venues_owner_changes_it(client, cast):
    Venue.objects.filter(pk=cast.edition.venue_id).update(owner=cast.org)
    url = f"/journees/{cast.edition.slug}/gestion/lieu/"
    log_in(client, cast.organiser)
    assert 'href="' + url + '"' in client.get(settings_url(cast.edition)).content.decode()

    response = client.post(url, venue_data())

    assert response.status_code == 302
    venue = Venue.objects.get(pk=cast.edition.venue_id)
    assert (venue.name, venue.map_url) == ("Salle des fêtes", "https://www.example.org/plan")


@pytest.mark.parametrize("who", ["editor", "viewer", "outsider"])
def test_others_may_not_change_the_venue(client, cast, who):
    Venue.objects.filter(pk=cast.edition.venue_id).update(owner=cast.org)
    log_in(client, getattr(cast, who))
    response = client.post(f"/journees/{cast.edition.slug}/gestion/lieu/", venue_data())
    assert response.status_code == 403
    assert Venue.objects.get(pk=cast.edition.venue_id).name != "Salle des fêtes"


def test_a_venue_owned_by_another_organisation_is_not_changed(client, cast):
    log_in(client, cast.organiser)
    response = client.post(f"/journees/{cast.edition.slug}/gestion/lieu/", venue_data())
    assert response.status_code == 403


def test_organiser_adds_a_venue_that_becomes_the_days(client, cast):
    url = f"/journees/{cast.edition.slug}/gestion/lieu/nouveau/"
    log_in(client, cast.organiser)
    refused = client.post(url, venue_data(owner=cast.other_org.pk))
    assert set(refused.context["form"].errors) == {"owner"}

    response = client.post(url, venue_data(owner=cast.org.pk, postal_code=""))
    assert set(response.context["form"].errors) == {"postal_code"}

    response = client.post(url, venue_data(owner=cast.org.pk))
    assert response.status_code == 302
    cast.edition.refresh_from_db()
    assert (cast.edition.venue.name, cast.edition.venue.owner) == ("Salle des fêtes", cast.org)


def test_editors_do_not_add_venues(client, cast):
    url = f"/journees/{cast.edition.slug}/gestion/lieu/nouveau/"
    response = log_in(client, cast.editor).post(url, venue_data(owner=cast.org.pk))
    assert response.status_code == 403
    assert not Venue.objects.filter(name="Salle des fêtes").exists()
