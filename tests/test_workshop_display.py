"""Workshops as people see them: the programme with seats left, the ticket page, the PDF
ticket, the badge and the ticket's calendar file (only seats taken, never a waiting list)."""

import datetime as dt
import io
import itertools
import re

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from admission import badges, tickets
from events.models import PARIS
from registrations import capacity, workshops
from registrations.links import manage_token
from tests.factories import CategoryFactory, EditionFactory, SessionFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
_numbers = itertools.count()


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://journees.example.org"


@pytest.fixture
def _english():
    # Badges are printed in the organiser's language: English here, as the other texts.
    with translation.override("en"):
        yield


@pytest.fixture
def edition():
    return EditionFactory(
        title="Journée Exemple des PTCE",
        slug="exemple",
        registration_opens_at=NOW - dt.timedelta(days=1),
        registration_closes_at=NOW + dt.timedelta(days=10),
    )


@pytest.fixture
def category(edition):
    return CategoryFactory(edition=edition, name="Participant")


@pytest.fixture
def financer(edition):
    return WorkshopFactory(
        edition=edition,
        title="Financer son pôle",
        room="Salle Jaurès",
        capacity=3,
        description="Outils",
    )


@pytest.fixture
def cooperer(edition):
    return WorkshopFactory(
        edition=edition, title="Coopérer avec les collectivités", room="Platanes", capacity=1
    )


def person(edition, category):
    number = next(_numbers)
    return capacity.register(
        edition,
        category=category,
        first_name="Camille",
        last_name=f"Exemple {number}",
        email=f"camille{number}@example.org",
    )


def words(response):
    """The page's text, tags out and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def programme(client):
    return client.get("/journees/exemple/programme/", HTTP_ACCEPT_LANGUAGE="en")


# The programme ---------------------------------------------------------------------------------


def test_programme_shows_workshops_of_a_slot_together_with_their_seats_left(
    client, edition, category, financer, cooperer
):
    SessionFactory(edition=edition, title="Débat du matin")
    full = WorkshopFactory(
        edition=edition,
        title="Mutualiser les emplois",
        room="Auditorium",
        start_time=dt.time(14, 30),
        end_time=dt.time(15, 30),
        capacity=1,
    )
    workshops.set_choices(person(edition, category), [financer])
    workshops.set_choices(person(edition, category), [cooperer])
    workshops.set_choices(person(edition, category), [full])
    workshops.set_choices(person(edition, category), [full])  # waits: not a seat

    page = words(programme(client))

    assert "3 workshops at the same time: choose one" in page
    assert page.count("Workshop of your choice") == 3
    assert "Financer son pôle 2 seats left" in page
    assert "Room: Salle Jaurès" in page
    assert "Coopérer avec les collectivités Full — waiting list" in page
    assert "Mutualiser les emplois Full — waiting list" in page
    # Each workshop's own times where they differ from the slot's.
    assert "2:30 p.m. \N{EN DASH} 3:30 p.m. Workshop of your choice Room: Auditorium" in page
    html = programme(client).content.decode()
    assert html.index("Débat du matin") < html.index('class="workshops"')
    slot = html[html.index('class="workshops"') :]
    assert [f'id="s{w.pk}"' in slot for w in (financer, cooperer, full)] == [True] * 3


def test_one_seat_left_is_said_in_the_singular(client, edition, category, financer):
    workshops.set_choices(person(edition, category), [financer])
    workshops.set_choices(person(edition, category), [financer])

    assert "Financer son pôle 1 seat left" in words(programme(client))


def test_after_the_choice_deadline_the_programme_gives_the_number_of_seats(
    client, edition, category, financer, cooperer
):
    workshops.set_choices(person(edition, category), [cooperer])
    for workshop in (financer, cooperer):
        workshop.choices_close_at = NOW - dt.timedelta(minutes=1)
        workshop.save()

    page = words(programme(client))

    assert "Financer son pôle 3 seats " in page
    assert "Coopérer avec les collectivités 1 seat " in page
    assert "left" not in page
    assert "Full" not in page


def test_programme_queries_do_not_grow_with_the_workshops(
    client, edition, category, django_assert_max_num_queries
):
    WorkshopFactory(edition=edition)
    with django_assert_max_num_queries(30) as one:
        programme(client)
    WorkshopFactory(edition=edition)
    workshops.set_choices(
        person(edition, category),
        [WorkshopFactory(edition=edition, start_time=dt.time(16), end_time=dt.time(16, 30))],
    )
    with django_assert_max_num_queries(30) as three:
        page = words(programme(client))
    assert page.count("Workshop of your choice") == 3
    assert len(three.captured_queries) == len(one.captured_queries)


# The ticket ------------------------------------------------------------------------------------

FINANCER_LINE = "Workshop: Financer son pôle — 2 p.m. to 3:30 p.m., Salle Jaurès"


@pytest.fixture
def holder(edition, category, financer, cooperer):
    """Holds a seat in "Financer" and waits for "Coopérer" (full), both of one slot."""
    workshops.set_choices(person(edition, category), [cooperer])
    registration = person(edition, category)
    workshops.set_choices(registration, [financer])
    workshops.choose(registration, cooperer)
    return registration


def test_ticket_page_lists_the_workshops_with_a_seat_only(client, holder):
    response = client.get(
        reverse("admission:ticket", args=[manage_token(holder)]), HTTP_ACCEPT_LANGUAGE="en"
    )

    page = words(response)
    assert "Your workshops" in page
    assert FINANCER_LINE in page
    assert "Coopérer" not in page


def test_ticket_page_without_workshops_has_no_workshop_section(client, edition, category):
    registration = person(edition, category)

    response = client.get(
        reverse("admission:ticket", args=[manage_token(registration)]), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "Your workshops" not in words(response)


def pdf_lines(content):
    return [
        line.strip()
        for page in PdfReader(io.BytesIO(content)).pages
        for line in page.extract_text().splitlines()
    ]


def test_pdf_ticket_lists_the_workshops_with_a_seat_only(holder):
    lines = pdf_lines(tickets.ticket_pdf(holder, language="en"))

    index = lines.index("Your workshops")
    assert lines[index + 1] == FINANCER_LINE
    assert not any("Coopérer" in line for line in lines)


@pytest.mark.usefixtures("_english")
def test_badge_lists_the_workshop_with_its_time_and_room(holder):
    for layout in badges.LAYOUTS:
        lines = pdf_lines(badges.badges_pdf([holder], layout=layout))
        assert "2 p.m. · Financer son pôle · Salle Jaurès" in lines, layout
        assert lines[-1] == "Journée Exemple des PTCE"
        assert not any("Coopérer" in line for line in lines)


@pytest.mark.usefixtures("_english")
def test_a_long_workshop_title_is_cut_on_the_badge_keeping_time_and_room(
    edition, category, financer
):
    financer.title = "Financer son pôle " + "et ses partenaires " * 9
    financer.save()
    registration = person(edition, category)
    workshops.set_choices(registration, [financer])

    for layout in badges.LAYOUTS:
        lines = pdf_lines(badges.badges_pdf([registration], layout=layout))
        [line] = [line for line in lines if line.startswith("2 p.m. · Financer")]
        assert line.endswith("… · Salle Jaurès"), layout
        assert len(line) < len(financer.title)


@pytest.mark.usefixtures("_english")
def test_bulk_badges_read_the_workshops_in_one_query(
    edition, category, financer, django_assert_num_queries
):
    people = [person(edition, category) for _ in range(3)]
    for registration in people:
        workshops.set_choices(registration, [financer])
    people = badges.bulk(edition)
    badges.badges_pdf(people[:1], layout="a6")  # categories' colours, fonts: once

    with django_assert_num_queries(2):  # the colours of the categories, the workshops
        content = badges.badges_pdf(people, layout="a6")

    assert pdf_lines(content).count("2 p.m. · Financer son pôle · Salle Jaurès") == 3


# The calendar file -----------------------------------------------------------------------------


def vevents(content):
    return icalendar.Calendar.from_ical(content).walk("VEVENT")


def test_ticket_calendar_has_an_event_per_workshop_seat(client, holder, edition, financer):
    response = client.get(
        reverse("admission:ticket_ics", args=[manage_token(holder)]), HTTP_ACCEPT_LANGUAGE="en"
    )

    day, workshop = vevents(response.content)
    assert str(day["SUMMARY"]) == "Journée Exemple des PTCE (demonstration)"
    assert str(workshop["SUMMARY"]) == (
        "Financer son pôle · Journée Exemple des PTCE (demonstration)"
    )
    assert workshop.start == dt.datetime.combine(edition.date, dt.time(14), tzinfo=PARIS)
    assert workshop.end == dt.datetime.combine(edition.date, dt.time(15, 30), tzinfo=PARIS)
    assert workshop.start.tzinfo.key == "Europe/Paris"
    assert str(workshop["LOCATION"]) == ", ".join(["Salle Jaurès", *edition.venue.address_lines])
    assert str(workshop["URL"]) == (
        f"https://journees.example.org/journees/exemple/programme/#s{financer.pk}"
    )
    assert "Outils" in str(workshop["DESCRIPTION"])
    assert str(workshop["UID"]) != str(day["UID"])


def test_workshop_events_keep_their_uid_and_follow_the_choices(holder, edition, financer, cooperer):
    later = WorkshopFactory(edition=edition, start_time=dt.time(16), end_time=dt.time(16, 30))
    workshops.set_choices(holder, [financer, later])
    first = {str(e["UID"]): str(e["SUMMARY"]) for e in vevents(tickets.ticket_ics(holder))}

    again = {str(e["UID"]): str(e["SUMMARY"]) for e in vevents(tickets.ticket_ics(holder))}
    workshops.set_choices(holder, [later])
    after = {str(e["UID"]): str(e["SUMMARY"]) for e in vevents(tickets.ticket_ics(holder))}

    assert len(first) == 3
    assert again == first
    assert set(after) < set(first)
    assert len(after) == 2
    assert not any("Financer" in summary for summary in after.values())


def test_the_calendar_file_sent_with_the_ticket_has_the_workshops(holder):
    files = dict((name, content) for name, content, _type in tickets.email_files(holder, "en"))
    [calendar] = [content for name, content in files.items() if name.endswith(".ics")]

    summaries = [str(event["SUMMARY"]) for event in vevents(calendar)]

    assert len(summaries) == 2
    assert summaries[1].startswith("Financer son pôle · ")
