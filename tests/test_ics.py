"""Calendar files for an edition and for one session, read back with icalendar."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest

from events.enums import EditionStatus
from tests.factories import EditionFactory, SessionFactory, SpeakerFactory, VenueFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SITE_URL = "https://journees.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


@pytest.fixture
def edition():
    return EditionFactory(
        title="2e Journée nationale des PTCE",
        slug="2014",
        summary="Témoignages, débats et signature de la charte.",
        date=dt.date(2014, 9, 19),
        start_time=dt.time(9, 30),
        end_time=dt.time(16, 30),
        venue=VenueFactory(
            name="Centre de conférences Pierre Mendès France",
            street_address="139 rue de Bercy",
            postal_code="75012",
            city="Paris",
        ),
        is_demonstration=False,
    )


def only_event(response):
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_edition_calendar_file_is_served_as_an_attachment(client, edition):
    response = client.get("/journees/2014/journee.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="2014.ics"'


def test_edition_calendar_has_paris_times_and_the_day_details(client, edition):
    calendar, event = only_event(client.get("/journees/2014/journee.ics"))

    assert event.start == dt.datetime(2014, 9, 19, 9, 30, tzinfo=PARIS)
    assert event.end == dt.datetime(2014, 9, 19, 16, 30, tzinfo=PARIS)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert str(event.start.tzinfo) == "Europe/Paris"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert str(event["SUMMARY"]) == "2e Journée nationale des PTCE"
    assert str(event["LOCATION"]) == (
        "Centre de conférences Pierre Mendès France, 139 rue de Bercy, 75012 Paris"
    )
    assert str(event["URL"]) == f"{SITE_URL}/journees/2014/"
    assert str(event["DESCRIPTION"]).startswith("Témoignages, débats et signature de la charte.")
    assert f"{SITE_URL}/journees/2014/programme/" in str(event["DESCRIPTION"])


def test_edition_calendar_uid_is_stable(client, edition):
    _, first = only_event(client.get("/journees/2014/journee.ics"))
    _, second = only_event(client.get("/journees/2014/journee.ics"))

    assert str(first["UID"]) == f"ptce-edition-{edition.pk}@journees.example.org"
    assert str(second["UID"]) == str(first["UID"])


def test_edition_without_hours_is_an_all_day_event(client):
    EditionFactory(
        slug="2012", date=dt.date(2012, 6, 25), start_time=None, end_time=None, venue=None
    )

    _, event = only_event(client.get("/journees/2012/journee.ics"))

    assert event.start == dt.date(2012, 6, 25)
    assert event.end == dt.date(2012, 6, 26)
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert "LOCATION" not in event


def test_demonstration_edition_is_labelled_in_the_calendar(client):
    EditionFactory(slug="demo", title="Journée Exemple", is_demonstration=True)

    _, event = only_event(client.get("/journees/demo/journee.ics", HTTP_ACCEPT_LANGUAGE="en"))

    assert str(event["SUMMARY"]) == "Journée Exemple (demonstration)"


def test_session_calendar_has_the_session_times_room_and_speakers(client, edition):
    session = SessionFactory(
        edition=edition,
        title="Signature de la charte",
        start_time=dt.time(15, 30),
        end_time=dt.time(16, 30),
        room="Grand amphithéâtre",
        description="Les pôles signent la charte.",
    )
    session.speakers.add(SpeakerFactory(edition=edition, name="Camille Exemple"))

    response = client.get(f"/journees/2014/programme/{session.pk}.ics")

    _, event = only_event(response)
    assert response["Content-Disposition"] == (
        f'attachment; filename="2014-session-{session.pk}.ics"'
    )
    assert event.start == dt.datetime(2014, 9, 19, 15, 30, tzinfo=PARIS)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.end == dt.datetime(2014, 9, 19, 16, 30, tzinfo=PARIS)
    assert str(event["SUMMARY"]) == "Signature de la charte · 2e Journée nationale des PTCE"
    assert str(event["UID"]) == f"ptce-session-{session.pk}@journees.example.org"
    assert str(event["URL"]) == f"{SITE_URL}/journees/2014/programme/#s{session.pk}"
    assert str(event["LOCATION"]).startswith("Grand amphithéâtre, Centre de conférences")
    assert "Les pôles signent la charte." in str(event["DESCRIPTION"])
    assert "Camille Exemple" in str(event["DESCRIPTION"])


def test_session_of_another_edition_is_not_found(client, edition):
    other = SessionFactory()

    assert client.get(f"/journees/2014/programme/{other.pk}.ics").status_code == 404


def test_session_id_beyond_the_database_range_is_not_found(client, edition):
    response = client.get("/journees/2014/programme/99999999999999999999.ics")

    assert response.status_code == 404


def test_session_of_a_draft_edition_is_not_found(client):
    session = SessionFactory(edition=EditionFactory(slug="brouillon", status=EditionStatus.DRAFT))

    assert client.get(f"/journees/brouillon/programme/{session.pk}.ics").status_code == 404
