"""The organisers' side of the workshops: the programme's session form (seats, deadline,
raising and lowering), deleting a chosen workshop, the workshops' pages (moves, seats), the
facilitator's list (PDF, CSV), the dashboard's block, and who may open them."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.enums import AuditAction
from accounts.models import AuditEntry
from events.copying import copy_edition
from events.enums import SessionKind, WorkshopPromotion
from events.models import Session
from outbox.models import Message
from registrations import capacity, workshops
from registrations.enums import WorkshopChoiceStatus
from registrations.models import WorkshopChoice
from tests.auth import log_in
from tests.factories import CategoryFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

SEAT = WorkshopChoiceStatus.CONFIRMED
WAITING = WorkshopChoiceStatus.WAITING
OFFERED = WorkshopChoiceStatus.OFFERED
SEAT_EMAIL = "registrations.workshop_seat"


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted as their English msgids, whatever the French catalogue says.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def edition(cast):
    return cast.edition


@pytest.fixture
def category(edition):
    return CategoryFactory(edition=edition, name="Participants")


counter = iter(range(10**6))


def person(edition, category, last_name=None, **details):
    number = next(counter)
    return capacity.register(
        edition,
        category=category,
        first_name="Camille",
        last_name=last_name or f"Exemple {number}",
        email=f"atelier.{number}@example.org",
        by_organiser=True,
        **details,
    )


def holders(session):
    return WorkshopChoice.objects.filter(session=session).holding_seats().count()


def seat_emails():
    return Message.objects.filter(kind=SEAT_EMAIL).count()


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# The programme's session form ----------------------------------------------------------------


def session_url(edition, session=None, action=""):
    base = f"/journees/{edition.slug}/gestion/programme/seances/"
    if session is None:
        return f"{base}nouvelle/"
    return f"{base}{session.pk}/{action}"


def session_data(session=None, **changes):
    data = {
        "kind": SessionKind.WORKSHOP,
        "start_time": "14:00",
        "end_time": "15:30",
        "title": "Atelier financer",
        "description": "",
        "room": "Salle 2",
    }
    if session is not None:
        data.update(
            kind=session.kind,
            start_time=session.start_time.strftime("%H:%M"),
            end_time=session.end_time.strftime("%H:%M"),
            title=session.title,
            room=session.room,
            capacity=str(session.capacity or ""),
        )
        if session.is_workshop:
            data["is_workshop"] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_the_session_form_groups_the_workshop_fields(client, cast, edition):
    response = log_in(client, cast.editor).get(session_url(edition))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<legend>Workshop open to choice</legend>" in html
    legend = html.index("<legend>Workshop open to choice</legend>")
    for name in ("is_workshop", "capacity", "choices_close_at"):
        assert html.index(f'id="id_{name}"') > legend


def test_an_editor_makes_a_session_a_workshop_with_seats_and_a_deadline(client, cast, edition):
    closes = (timezone.localdate() + dt.timedelta(days=50)).isoformat()
    response = log_in(client, cast.editor).post(
        session_url(edition),
        session_data(is_workshop="on", capacity="12", choices_close_at=f"{closes}T18:00"),
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert (session.is_workshop, session.capacity) == (True, 12)
    assert timezone.localtime(session.choices_close_at).strftime("%Y-%m-%d %H:%M") == (
        f"{closes} 18:00"
    )


def test_a_workshop_without_seats_is_refused(client, cast, edition):
    response = log_in(client, cast.editor).post(
        session_url(edition), session_data(is_workshop="on")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["capacity"] == ["A workshop needs its number of seats."]
    assert not Session.objects.exists()


def test_fewer_seats_than_people_holding_one_is_refused_with_the_number(
    client, cast, edition, category
):
    workshop = WorkshopFactory(edition=edition, capacity=5, title="Financer")
    for _ in range(3):
        workshops.choose(person(edition, category), workshop)

    response = log_in(client, cast.editor).post(
        session_url(edition, workshop), session_data(workshop, capacity="2", title="Autre titre")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["capacity"] == [
        "3 people already hold a seat in this workshop: it needs at least 3 seats."
    ]
    workshop.refresh_from_db()
    assert (workshop.capacity, workshop.title) == (5, "Financer")
    assert holders(workshop) == 3


def test_a_workshop_people_chose_stays_one(client, cast, edition, category):
    workshop = WorkshopFactory(edition=edition, capacity=1)
    workshops.choose(person(edition, category), workshop)
    workshops.choose(person(edition, category), workshop)  # waits

    data = session_data(workshop)
    del data["is_workshop"]
    response = log_in(client, cast.editor).post(session_url(edition, workshop), data)

    assert response.status_code == 200
    assert response.context["form"].errors["is_workshop"] == [
        "2 people chose this workshop: move them to other workshops before it stops being one."
    ]
    workshop.refresh_from_db()
    assert workshop.is_workshop is True


def test_more_seats_on_the_programme_page_fill_the_waiting_list(client, cast, edition, category):
    workshop = WorkshopFactory(edition=edition, capacity=1)
    first, second, third = (person(edition, category) for _ in range(3))
    for registration in (first, second, third):
        workshops.choose(registration, workshop)
    emails_before = seat_emails()

    response = log_in(client, cast.editor).post(
        session_url(edition, workshop), session_data(workshop, capacity="2"), follow=True
    )

    assert response.status_code == 200
    assert "1 person of the waiting list got a seat and is emailed." in messages_of(response)
    statuses = dict(
        WorkshopChoice.objects.filter(session=workshop).values_list("registration", "status")
    )
    assert statuses == {first.pk: SEAT, second.pk: SEAT, third.pk: WAITING}
    assert seat_emails() == emails_before + 1
    assert Message.objects.filter(kind=SEAT_EMAIL).last().recipient == second.email


def test_a_workshop_people_chose_is_not_deleted_and_the_page_says_why(
    client, cast, edition, category
):
    workshop = WorkshopFactory(edition=edition, title="Financer", capacity=1)
    workshops.choose(person(edition, category), workshop)
    workshops.choose(person(edition, category), workshop)
    log_in(client, cast.editor)

    shown = client.get(session_url(edition, workshop, "supprimer/"), follow=True)
    posted = client.post(session_url(edition, workshop, "supprimer/"), follow=True)

    message = (
        "2 people chose the workshop “Financer”: it cannot be deleted until they are moved "
        "to other workshops (the Workshops page) or give it up."
    )
    for response in (shown, posted):
        assert response.redirect_chain[-1][0] == f"/journees/{edition.slug}/gestion/programme/"
        assert messages_of(response) == [message]
    assert Session.objects.filter(pk=workshop.pk).exists()


def test_a_workshop_nobody_chose_is_deleted(client, cast, edition):
    workshop = WorkshopFactory(edition=edition)
    response = log_in(client, cast.editor).post(session_url(edition, workshop, "supprimer/"))
    assert response.status_code == 302
    assert not Session.objects.filter(pk=workshop.pk).exists()


def test_the_settings_choose_what_a_freed_seat_does(client, cast, edition):
    from tests.test_edit_edition import settings_data, settings_url

    data = settings_data(edition, workshop_promotion=WorkshopPromotion.ASK)
    response = log_in(client, cast.organiser).post(settings_url(edition), data)
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.workshop_promotion == WorkshopPromotion.ASK


def test_a_copy_keeps_the_workshops_and_moves_their_deadline(edition):
    edition.workshop_promotion = WorkshopPromotion.ASK
    edition.save()
    closes = timezone.make_aware(dt.datetime.combine(edition.date, dt.time(8)))
    WorkshopFactory(edition=edition, title="Financer", capacity=18, choices_close_at=closes)

    copy = copy_edition(
        edition, title="Suite", slug="suite", date=edition.date + dt.timedelta(days=7)
    )

    session = copy.sessions.get()
    assert (session.title, session.is_workshop, session.capacity) == ("Financer", True, 18)
    assert session.choices_close_at == closes + dt.timedelta(days=7)
    assert copy.workshop_promotion == WorkshopPromotion.ASK
    assert not WorkshopChoice.objects.filter(session=session).exists()


# The workshops' pages --------------------------------------------------------------------------


def page(edition, name="", session=None):
    base = f"/journees/{edition.slug}/gestion/ateliers/"
    return base if session is None else f"{base}{session.pk}/{name}"


@pytest.fixture
def slot(edition, category):
    """Two workshops at the same time, and one later: "Financer" (2 seats) full with one
    person waiting, "Mutualiser" (3 seats) with one seat taken."""
    financer = WorkshopFactory(edition=edition, title="Financer", capacity=2, room="Salle A")
    mutualiser = WorkshopFactory(edition=edition, title="Mutualiser", capacity=3, room="Salle B")
    later = WorkshopFactory(
        edition=edition,
        title="Plus tard",
        start_time=dt.time(16),
        end_time=dt.time(17),
    )
    zoe = person(edition, category, "Zorn", organisation_name="Coopérative Zeta")
    ada = person(edition, category, "Abadie", organisation_name="Atelier Alpha")
    waiting = person(edition, category, "Martin")
    other = person(edition, category, "Durand")
    for registration in (zoe, ada, waiting):
        workshops.choose(registration, financer)
    workshops.choose(other, mutualiser)
    return {
        "financer": financer,
        "mutualiser": mutualiser,
        "later": later,
        "zoe": zoe,
        "ada": ada,
        "waiting": waiting,
        "other": other,
    }


def test_the_list_shows_each_slot_and_how_full_each_workshop_is(client, cast, edition, slot):
    response = log_in(client, cast.organiser).get(page(edition))
    assert response.status_code == 200
    slots = response.context["slots"]
    assert [[row.session.title for row in s.workshops] for s in slots] == [
        ["Financer", "Mutualiser"],
        ["Plus tard"],
    ]
    financer = slots[0].workshops[0]
    assert (financer.taken, financer.offered, financer.waiting, financer.seats) == (2, 0, 1, 2)
    html = response.content.decode()
    assert "2 of 2 seats taken (full) · 1 waiting" in html
    assert "1 of 3 seats taken · 0 waiting" in html
    assert page(edition, session=slot["financer"]) in html


def test_the_list_says_how_to_make_a_workshop_when_there_is_none(client, cast, edition):
    response = log_in(client, cast.organiser).get(page(edition))
    assert "This day has no workshop yet." in response.content.decode()


def test_the_workshop_page_lists_holders_by_name_then_the_waiting_list(client, cast, edition, slot):
    response = log_in(client, cast.organiser).get(page(edition, session=slot["financer"]))
    assert response.status_code == 200
    people = response.context["people"]
    assert [c.registration.last_name for c in people.holders] == ["Abadie", "Zorn"]
    assert [(c.registration.last_name, c.position) for c in people.waiting] == [("Martin", 1)]
    assert [o.title for o in response.context["others"]] == ["Mutualiser"]
    html = response.content.decode()
    assert "Atelier Alpha" in html
    assert "Participants" in html
    # A move form per person, to the other workshop of the slot only.
    assert html.count('name="to"') == 3
    options = re.findall(r'<option value="(\d+)">', html)
    assert options == [str(slot["mutualiser"].pk)] * 3


def test_a_workshop_of_another_edition_is_not_found(client, cast, edition):
    elsewhere = WorkshopFactory(edition=cast.edition_two)
    response = log_in(client, cast.organiser).get(page(edition, session=elsewhere))
    assert response.status_code == 404


def test_an_organiser_moves_a_person_to_another_workshop_of_the_slot(client, cast, edition, slot):
    emails_before = seat_emails()
    response = log_in(client, cast.organiser).post(
        page(edition, "deplacer/", slot["financer"]),
        {"registration": slot["zoe"].pk, "to": slot["mutualiser"].pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "Camille Zorn now has a seat in “Mutualiser” and is told by email." in messages_of(
        response
    )
    choices = dict(
        WorkshopChoice.objects.filter(registration=slot["zoe"]).values_list("session", "status")
    )
    assert choices == {slot["mutualiser"].pk: SEAT}
    # Her seat went to the first person waiting.
    assert WorkshopChoice.objects.get(registration=slot["waiting"]).status == SEAT
    assert seat_emails() == emails_before + 2


def test_a_move_to_a_full_workshop_is_refused_with_its_seats_and_changes_nothing(
    client, cast, edition, slot
):
    before = list(WorkshopChoice.objects.values_list("registration", "session", "status"))
    response = log_in(client, cast.organiser).post(
        page(edition, "deplacer/", slot["mutualiser"]),
        {"registration": slot["other"].pk, "to": slot["financer"].pk},
        follow=True,
    )
    assert messages_of(response) == [
        "Camille Durand was not moved: “Financer” is full: its 2 seats are taken."
    ]
    assert list(WorkshopChoice.objects.values_list("registration", "session", "status")) == before


def test_a_move_outside_the_slot_or_of_someone_else_is_refused(client, cast, edition, slot):
    log_in(client, cast.organiser)
    before = list(WorkshopChoice.objects.values_list("registration", "session", "status"))
    for data in (
        {"registration": slot["zoe"].pk, "to": slot["later"].pk},
        {"registration": slot["other"].pk, "to": slot["mutualiser"].pk},
        {"registration": "x", "to": "y"},
    ):
        response = client.post(page(edition, "deplacer/", slot["financer"]), data, follow=True)
        assert messages_of(response) == ["Choose a person and another workshop of the same time."]
    assert list(WorkshopChoice.objects.values_list("registration", "session", "status")) == before


def test_fewer_seats_than_holders_are_refused_on_the_workshop_page(client, cast, edition, slot):
    response = log_in(client, cast.organiser).post(
        page(edition, "places/", slot["financer"]), {"capacity": "1"}
    )
    assert response.status_code == 400
    assert response.context["capacity_form"].errors["capacity"] == [
        "2 people already hold a seat in this workshop: it needs at least 2 seats."
    ]
    slot["financer"].refresh_from_db()
    assert slot["financer"].capacity == 2


def test_more_seats_on_the_workshop_page_go_to_the_waiting_list(client, cast, edition, slot):
    emails_before = seat_emails()
    response = log_in(client, cast.organiser).post(
        page(edition, "places/", slot["financer"]), {"capacity": "4"}, follow=True
    )
    assert messages_of(response) == [
        "The workshop has 4 seats now.",
        "1 person of the waiting list got a seat, or was offered one, and is emailed.",
    ]
    slot["financer"].refresh_from_db()
    assert slot["financer"].capacity == 4
    assert WorkshopChoice.objects.get(registration=slot["waiting"]).status == SEAT
    assert seat_emails() == emails_before + 1


@pytest.mark.parametrize("value", ["0", "-2", "", "beaucoup", "100001"])
def test_seats_that_are_no_number_of_seats_are_refused(client, cast, edition, slot, value):
    response = log_in(client, cast.organiser).post(
        page(edition, "places/", slot["financer"]), {"capacity": value}
    )
    assert response.status_code == 400
    slot["financer"].refresh_from_db()
    assert slot["financer"].capacity == 2


# The facilitator's list ------------------------------------------------------------------------


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_lists_exactly_the_seat_holders_by_last_name(client, cast, edition, slot):
    edition.workshop_promotion = WorkshopPromotion.ASK
    edition.save()
    # Durand holds a seat in "Mutualiser" and waits first for "Financer", Martin next: Zorn's
    # seat freed, it is offered to Durand, who has not answered yet.
    workshops.leave(slot["waiting"], slot["financer"])
    workshops.choose(slot["other"], slot["financer"])
    workshops.choose(slot["waiting"], slot["financer"])
    workshops.leave(slot["zoe"], slot["financer"])
    offered = WorkshopChoice.objects.get(registration=slot["other"], session=slot["financer"])
    assert offered.status == OFFERED

    response = log_in(client, cast.organiser).get(page(edition, "liste.pdf", slot["financer"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    # Words as read, whatever lines the cells wrap into.
    text = " ".join(pdf_text(response.content).split())
    assert "Financer" in text
    assert "Salle A" in text
    assert "ABADIE Camille" in text
    assert "DURAND Camille (seat offered, awaiting an answer)" in text
    assert text.index("ABADIE") < text.index("DURAND")
    assert "MARTIN" not in text  # waiting: not on the list
    assert "ZORN" not in text  # gave it up
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.what, entry.people) == (f"atelier-{edition.slug}-{slot['financer'].pk}.pdf", 2)


def test_the_csv_is_safe_against_formulas(client, cast, edition, category):
    workshop = WorkshopFactory(edition=edition, title="Financer")
    workshops.choose(
        person(edition, category, '=HYPERLINK("http://x")', organisation_name="+33 Coop"),
        workshop,
    )
    workshops.choose(person(edition, category, "Abadie"), workshop)

    response = log_in(client, cast.organiser).get(page(edition, "liste.csv", workshop))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["Last name", "First names", "Organisation", "Seat", "Present"],
        ['\'=HYPERLINK("http://x")', "Camille", "'+33 Coop", "Seat taken", ""],
        ["Abadie", "Camille", "", "Seat taken", ""],
    ]


def test_an_unknown_format_is_not_found(client, cast, edition, slot):
    response = log_in(client, cast.organiser).get(page(edition, "liste.doc", slot["financer"]))
    assert response.status_code == 404
    assert not AuditEntry.objects.exists()


# The dashboard -------------------------------------------------------------------------------


def test_the_dashboard_shows_how_full_each_workshop_is(client, cast, edition, slot):
    html = log_in(client, cast.organiser).get(f"/journees/{edition.slug}/gestion/").content
    html = html.decode()
    assert '<h2 id="workshops-title">Workshops</h2>' in html
    assert "2 of 2 seats taken (full) · 1 waiting" in html
    assert page(edition, session=slot["financer"]) in html


def test_the_dashboard_links_the_workshops_only_for_who_may_see_their_people(
    client, cast, edition, slot
):
    html = log_in(client, cast.viewer).get(f"/journees/{edition.slug}/gestion/").content
    html = html.decode()
    assert "1 of 3 seats taken · 0 waiting" in html
    assert page(edition, session=slot["financer"]) not in html


# Who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "viewer", "agent", "outsider", "other_organiser"])
def test_other_roles_get_403_and_change_nothing(client, cast, edition, slot, who):
    log_in(client, getattr(cast, who))
    financer = slot["financer"]
    before = list(WorkshopChoice.objects.values_list("registration", "session", "status"))
    assert client.get(page(edition)).status_code == 403
    assert client.get(page(edition, session=financer)).status_code == 403
    assert client.get(page(edition, "liste.pdf", financer)).status_code == 403
    moved = client.post(
        page(edition, "deplacer/", financer),
        {"registration": slot["zoe"].pk, "to": slot["mutualiser"].pk},
    )
    assert moved.status_code == 403
    assert client.post(page(edition, "places/", financer), {"capacity": "9"}).status_code == 403
    assert list(WorkshopChoice.objects.values_list("registration", "session", "status")) == before
    financer.refresh_from_db()
    assert financer.capacity == 2


def test_anonymous_visitors_go_to_the_login_page(client, edition):
    url = page(edition)
    assert client.get(url)["Location"] == f"/connexion/?next={url}"


def test_the_menu_links_the_workshops(client, cast, edition):
    html = log_in(client, cast.organiser).get(page(edition)).content.decode()
    assert f'href="{reverse("registrations:workshops", args=[edition.slug])}"' in html
