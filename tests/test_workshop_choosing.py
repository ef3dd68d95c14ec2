"""Attendees choose their workshops: in the registration form, on the private manage page, and
the emails that list them (registrations.workshop_pages, the views and templates)."""

import datetime as dt
import html
import re
import time
import uuid
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.conf import settings
from django.utils import timezone

from events.enums import WorkshopPromotion
from outbox.builders import build
from outbox.models import Message
from registrations import capacity, emails, workshops
from registrations.enums import RegistrationStatus, WorkshopChoiceStatus
from registrations.links import manage_path
from registrations.models import Registration, WorkshopChoice
from tests.factories import CategoryFactory, EditionFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

SEAT = WorkshopChoiceStatus.CONFIRMED
WAITING = WorkshopChoiceStatus.WAITING
OFFERED = WorkshopChoiceStatus.OFFERED
WISH = WorkshopChoiceStatus.WISH
NOW = timezone.now()
URL = "/journees/journee/inscription/"


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    # Rate limits count per window of the wall clock: every request of a test in one window.
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def edition():
    return EditionFactory(
        slug="journee",
        capacity=300,
        registration_opens_at=NOW - dt.timedelta(days=1),
        registration_closes_at=NOW + dt.timedelta(days=10),
    )


@pytest.fixture
def category(edition):
    return CategoryFactory(edition=edition, name="Participant", slug="participant")


@pytest.fixture
def afternoon(edition):
    """Two workshops at the same time (one slot), a third one later (another slot)."""
    return SimpleNamespace(
        finance=WorkshopFactory(edition=edition, title="Financer", room="Salle A", capacity=1),
        mapping=WorkshopFactory(edition=edition, title="Cartographier", room="Salle B"),
        later=WorkshopFactory(
            edition=edition,
            title="Essaimer",
            room="Salle C",
            start_time=dt.time(16),
            end_time=dt.time(17),
        ),
    )


counter = iter(range(10**6))


def sign_up(edition, category, **kwargs):
    number = next(counter)
    return capacity.register(
        edition,
        category=category,
        first_name="Camille",
        last_name="Exemple",
        email=f"atelier{number}@example.org",
        language="en",
        **kwargs,
    )


def person(n, **fields):
    values = {
        "first_name": "Camille",
        "last_name": f"Exemple {'ABCDEFGHIJK'[n]}",
        "email": f"camille{n}@example.org",
        "organisation": "Pôle Écotone",
        "category": "participant",
        "diet": "standard",
    }
    values.update(fields)
    return {f"p{n}-{name}": value for name, value in values.items() if value is not None}


def form(*people):
    data = {"people": str(len(people)), "submission_key": str(uuid.uuid4())}
    for fields in people:
        data.update(fields)
    return data


def field(slot_session):
    """The registration form's field of the slot whose first workshop is ``slot_session``."""
    return f"workshop_{slot_session.pk}"


def page(response):
    return response.content.decode()


def text(response):
    """The page's words, tags and runs of spaces removed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page(response))).split())


def statuses(registration):
    return {
        choice.session.title: choice.status
        for choice in WorkshopChoice.objects.filter(registration=registration).select_related(
            "session"
        )
    }


def get_manage(client, registration):
    return client.get(manage_path(registration), HTTP_ACCEPT_LANGUAGE="en")


def post(client, registration, suffix, data=None):
    """A POST to one of the manage page's workshop addresses, followed to the page."""
    return client.post(
        f"{manage_path(registration)}{suffix}",
        data or {},
        REMOTE_ADDR="192.0.2.1",
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )


# The registration form --------------------------------------------------------------------


def test_form_offers_each_person_the_workshops_of_each_slot(client, edition, category, afternoon):
    sign_up(edition, category, workshops=[afternoon.finance])

    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    markup = page(response)
    assert response.status_code == 200
    assert "<legend>Workshops from 2 p.m. to 3:30 p.m.</legend>" in markup
    assert "<legend>Workshops from 4 p.m. to 5 p.m.</legend>" in markup
    name = f"p0-{field(afternoon.finance)}"
    assert f'<input type="radio" name="{name}" id="id_{name}_0" value="" checked>' in markup
    assert f'<label for="id_{name}_1">Financer</label>' in markup
    words = text(response)
    assert "Salle A · Full — waiting list" in words
    assert "Salle B · 30 places left" in words


def test_form_has_no_workshops_once_their_choices_closed(client, edition, category):
    WorkshopFactory(edition=edition, title="Financer", choices_close_at=NOW - dt.timedelta(hours=1))

    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    assert "Financer" not in page(response)
    assert "workshop_" not in page(response)


def test_a_group_registers_with_different_workshops_per_person(
    client, edition, category, afternoon
):
    data = form(
        person(0, **{field(afternoon.finance): afternoon.finance.pk}),
        person(
            1,
            email="",
            **{field(afternoon.finance): afternoon.mapping.pk, field(afternoon.later): ""},
        ),
        person(2, email="", **{field(afternoon.finance): afternoon.finance.pk}),
    )

    response = client.post(URL, data, REMOTE_ADDR="192.0.2.1")

    assert response.status_code == 302
    booker, colleague, third = Registration.objects.order_by("pk")
    assert statuses(booker) == {"Financer": SEAT}
    assert statuses(colleague) == {"Cartographier": SEAT}
    # One seat in "Financer": the third person, decided after the booker, waits for it.
    assert statuses(third) == {"Financer": WAITING}


def test_a_workshop_that_is_not_offered_is_a_field_error_and_nothing_is_saved(
    client, edition, category, afternoon
):
    other = WorkshopFactory(edition=EditionFactory(), title="Ailleurs")
    data = form(person(0, **{field(afternoon.finance): other.pk}))

    response = client.post(URL, data, REMOTE_ADDR="192.0.2.1", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    name = f"id_p0-{field(afternoon.finance)}"
    assert f'<a href="#{name}_0">Person 1, Workshops from 2 p.m. to 3:30 p.m.: Choose one' in page(
        response
    )
    assert re.search(rf'<ul class="errorlist" id="{name}_error">', page(response))
    assert Registration.objects.count() == 0
    assert WorkshopChoice.objects.count() == 0


def test_a_workshop_closed_since_the_form_was_opened_is_refused_on_its_field(
    client, edition, category, afternoon
):
    afternoon.finance.choices_close_at = NOW - dt.timedelta(minutes=1)
    afternoon.finance.save()
    data = form(person(0, **{field(afternoon.finance): afternoon.finance.pk}))

    response = client.post(URL, data, REMOTE_ADDR="192.0.2.1", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Choose one of the workshops shown." in page(response)
    assert Registration.objects.count() == 0


def test_adding_a_person_keeps_the_workshops_chosen(client, edition, category, afternoon):
    data = form(person(0, **{field(afternoon.finance): afternoon.mapping.pk}))
    data["add_person"] = "1"

    response = client.post(URL, data, REMOTE_ADDR="192.0.2.1")

    name = f"p0-{field(afternoon.finance)}"
    assert re.search(
        rf'name="{name}" id="id_{name}_2" value="{afternoon.mapping.pk}" checked', page(response)
    )
    assert 'name="p1-workshop_' in page(response)


# The manage page ----------------------------------------------------------------------------


def test_manage_page_shows_the_seat_and_the_waiting_position(client, edition, category, afternoon):
    first = sign_up(edition, category, workshops=[afternoon.finance])
    sign_up(edition, category, workshops=[afternoon.finance])
    third = sign_up(edition, category, workshops=[afternoon.finance, afternoon.later])

    first_page = text(get_manage(client, first))
    third_page = text(get_manage(client, third))

    assert "Seat taken: Financer (Salle A)." in first_page
    assert "On the waiting list: Financer (Salle A). You are number 2 on the waiting list." in (
        third_page
    )
    assert "Seat taken: Essaimer (Salle C)." in third_page
    assert "Leave the waiting list" in third_page
    assert "Leave this workshop" in third_page


def test_changing_the_workshop_of_a_slot_from_the_manage_page(client, edition, category, afternoon):
    registration = sign_up(edition, category, workshops=[afternoon.mapping])

    response = post(
        client,
        registration,
        "ateliers/",
        {"slot": afternoon.finance.pk, "workshop": afternoon.finance.pk},
    )

    assert "You have a seat in this workshop." in text(response)
    assert statuses(registration) == {"Financer": SEAT}


def test_choosing_a_full_workshop_waits_and_keeps_the_seat_held(
    client, edition, category, afternoon
):
    sign_up(edition, category, workshops=[afternoon.finance])
    registration = sign_up(edition, category, workshops=[afternoon.mapping])

    response = post(
        client,
        registration,
        "ateliers/",
        {"slot": afternoon.finance.pk, "workshop": afternoon.finance.pk},
    )

    assert "This workshop is full: you are on its waiting list" in text(response)
    assert "You are first on the waiting list." in text(response)
    assert statuses(registration) == {"Financer": WAITING, "Cartographier": SEAT}


def test_no_workshop_gives_the_whole_slot_up_and_the_seat_goes_to_the_next(
    client, edition, category, afternoon
):
    registration = sign_up(edition, category, workshops=[afternoon.finance, afternoon.later])
    waiting = sign_up(edition, category, workshops=[afternoon.finance])

    response = post(
        client, registration, "ateliers/", {"slot": afternoon.finance.pk, "workshop": ""}
    )

    assert "You have no workshop at this time any more." in text(response)
    assert statuses(registration) == {"Essaimer": SEAT}
    assert statuses(waiting) == {"Financer": SEAT}
    assert Message.objects.filter(kind="registrations.workshop_seat", object_id=waiting.pk).exists()


def test_leaving_a_workshop_from_the_manage_page(client, edition, category, afternoon):
    registration = sign_up(edition, category, workshops=[afternoon.finance, afternoon.later])

    response = post(client, registration, f"ateliers/{afternoon.later.pk}/quitter/")

    assert "Done: you have given up this workshop." in text(response)
    assert statuses(registration) == {"Financer": SEAT}


def test_a_seat_offered_is_taken_from_the_manage_page(client, edition, category, afternoon):
    edition.workshop_promotion = WorkshopPromotion.ASK
    edition.save()
    holder = sign_up(edition, category, workshops=[afternoon.finance])
    registration = sign_up(edition, category, workshops=[afternoon.mapping])
    workshops.choose(registration, afternoon.finance)
    workshops.leave(holder, afternoon.finance)

    offer_page = text(get_manage(client, registration))
    offer = built("workshop_offer", registration)
    response = post(
        client, registration, f"ateliers/{afternoon.finance.pk}/offre/", {"keep": "offered"}
    )

    assert "Seat offered: Financer (Salle A)." in offer_page
    assert "You hold a seat in “Cartographier” at the same time: which one do you keep?" in (
        offer_page
    )
    assert "Take the seat in “Financer”" in offer_page
    assert "Keep “Cartographier”" in offer_page
    assert "The offered seat is yours" in text(response)
    # The email's link leads to the page's workshops, where the two buttons are.
    assert (
        f"Answer on the private page: {settings.SITE_URL}{manage_path(registration)}#workshops"
        in offer.body
    )
    assert "Offered: Financer — 2 p.m. to 3:30 p.m., Salle A\nHeld: Cartographier" in offer.body
    assert statuses(registration) == {"Financer": SEAT}


def test_a_seat_offered_is_declined_from_the_manage_page(client, edition, category, afternoon):
    edition.workshop_promotion = WorkshopPromotion.ASK
    edition.save()
    holder = sign_up(edition, category, workshops=[afternoon.finance])
    registration = sign_up(edition, category, workshops=[afternoon.mapping])
    workshops.choose(registration, afternoon.finance)
    workshops.leave(holder, afternoon.finance)

    response = post(
        client, registration, f"ateliers/{afternoon.finance.pk}/offre/", {"keep": "held"}
    )
    again = post(client, registration, f"ateliers/{afternoon.finance.pk}/offre/", {"keep": "held"})

    assert "You keep your workshop" in text(response)
    assert statuses(registration) == {"Cartographier": SEAT}
    assert "This seat is no longer offered to you." in text(again)


def test_waiting_without_a_seat_offers_a_seat_meanwhile(client, edition, category, afternoon):
    sign_up(edition, category, workshops=[afternoon.finance])
    registration = sign_up(edition, category, workshops=[afternoon.finance])

    before = text(get_manage(client, registration))
    response = post(client, registration, f"ateliers/{afternoon.mapping.pk}/en-attendant/")

    assert "Meanwhile, take a seat in: Cartographier (Salle B)" in before
    assert "You have a seat in this workshop meanwhile" in text(response)
    assert statuses(registration) == {"Financer": WAITING, "Cartographier": SEAT}
    assert "Meanwhile, take a seat in" not in text(response)


def test_a_waiting_registration_s_choices_are_wishes(client, edition, category, afternoon):
    edition.capacity = 0
    edition.save()
    registration = sign_up(edition, category, workshops=[afternoon.finance])

    words = text(get_manage(client, registration))

    assert registration.status == RegistrationStatus.WAITLISTED
    assert "your choices are wishes: they are applied if you get a seat" in words
    assert "Wish: Financer (Salle A). Applied if you get a seat." in words
    assert "Withdraw this wish" in words


def test_after_the_deadline_the_choice_is_read_only_and_a_forged_post_changes_nothing(
    client, edition, category, afternoon
):
    registration = sign_up(edition, category, workshops=[afternoon.mapping])
    for session in (afternoon.finance, afternoon.mapping):
        session.choices_close_at = NOW - dt.timedelta(minutes=1)
        session.save()

    words = text(get_manage(client, registration))
    response = post(
        client,
        registration,
        "ateliers/",
        {"slot": afternoon.finance.pk, "workshop": afternoon.finance.pk},
    )

    assert "Choices for these workshops are closed: you can still give up a seat" in words
    # The later slot is still open: its form is there, the closed one's is not.
    assert f'name="slot" value="{afternoon.later.pk}"' in page(response)
    assert f'name="slot" value="{afternoon.finance.pk}"' not in page(response)
    assert "Choices for this workshop are closed." in text(response)
    assert statuses(registration) == {"Cartographier": SEAT}


def test_giving_up_stays_allowed_after_the_deadline(client, edition, category, afternoon):
    registration = sign_up(edition, category, workshops=[afternoon.mapping])
    afternoon.mapping.choices_close_at = NOW - dt.timedelta(minutes=1)
    afternoon.mapping.save()

    response = post(client, registration, f"ateliers/{afternoon.mapping.pk}/quitter/")

    assert "Done: you have given up this workshop." in text(response)
    assert statuses(registration) == {}


@pytest.mark.parametrize("suffix", ["ateliers/", "ateliers/{pk}/en-attendant/"])
def test_another_edition_s_workshop_is_refused_with_a_clear_message(
    client, edition, category, afternoon, suffix
):
    registration = sign_up(edition, category, workshops=[afternoon.mapping])
    other = WorkshopFactory(edition=EditionFactory(), title="Ailleurs")

    response = post(
        client,
        registration,
        suffix.format(pk=other.pk),
        {"slot": afternoon.finance.pk, "workshop": other.pk},
    )

    assert "This workshop is not one of this day's." in text(response)
    assert statuses(registration) == {"Cartographier": SEAT}
    assert WorkshopChoice.objects.filter(session=other).count() == 0


@pytest.mark.parametrize(
    ("suffix", "data"),
    [
        ("ateliers/", {"slot": "1", "workshop": "{pk}"}),
        ("ateliers/{pk}/quitter/", {}),
        ("ateliers/{pk}/en-attendant/", {}),
        ("ateliers/{pk}/offre/", {"keep": "offered"}),
    ],
)
def test_a_cancelled_registration_is_refused(client, edition, category, afternoon, suffix, data):
    registration = sign_up(edition, category, workshops=[afternoon.mapping])
    capacity.cancel(registration)

    response = post(
        client,
        registration,
        suffix.format(pk=afternoon.finance.pk),
        {key: value.format(pk=afternoon.finance.pk) for key, value in data.items()},
    )

    assert "This registration is cancelled." in text(response)
    assert "Workshops from" not in text(response)
    assert WorkshopChoice.objects.filter(registration=registration).count() == 0


def test_workshop_addresses_are_post_only(client, edition, category, afternoon):
    registration = sign_up(edition, category)
    path = manage_path(registration)

    answers = [
        client.get(f"{path}{suffix}").status_code
        for suffix in (
            "ateliers/",
            f"ateliers/{afternoon.finance.pk}/quitter/",
            f"ateliers/{afternoon.finance.pk}/en-attendant/",
            f"ateliers/{afternoon.finance.pk}/offre/",
        )
    ]

    assert answers == [405, 405, 405, 405]


def test_a_garbled_workshop_value_is_refused_without_change(client, edition, category, afternoon):
    registration = sign_up(edition, category, workshops=[afternoon.mapping])

    response = post(client, registration, "ateliers/", {"slot": "x", "workshop": "abc"})
    empty = post(client, registration, "ateliers/", {"slot": "x"})

    assert "This workshop is not one of this day's." in text(response)
    assert "This workshop is not one of this day's." in text(empty)
    assert statuses(registration) == {"Cartographier": SEAT}


# The emails ---------------------------------------------------------------------------------


def built(kind, registration):
    message = Message.objects.filter(kind=f"registrations.{kind}", object_id=registration.pk).get()
    return build(message)


def test_the_confirmation_lists_the_workshops_with_times_and_rooms(edition, category, afternoon):
    sign_up(edition, category, workshops=[afternoon.finance])
    registration = sign_up(edition, category, workshops=[afternoon.finance, afternoon.later])

    email = built("confirmed", registration)

    assert "Workshops:\n- Financer — 2 p.m. to 3:30 p.m., Salle A (on its waiting list)\n" in (
        email.body
    )
    assert "- Essaimer — 4 p.m. to 5 p.m., Salle C\n" in email.body
    body = email.alternatives[0].content
    assert "<li>Essaimer — 4 p.m. to 5 p.m., Salle C</li>" in body


def test_the_waiting_list_email_lists_the_wishes(edition, category, afternoon):
    edition.capacity = 0
    edition.save()
    registration = sign_up(edition, category, workshops=[afternoon.mapping])

    email = built("waitlisted", registration)

    assert (
        "Workshops wished (applied if a seat for the day is given):\n"
        "- Cartographier — 2 p.m. to 3:30 p.m., Salle B\n" in email.body
    )


def test_the_promotion_and_the_reminder_list_the_workshops(edition, category, afternoon):
    edition.capacity = 1
    edition.save()
    holder = sign_up(edition, category)
    registration = sign_up(edition, category, workshops=[afternoon.mapping])
    capacity.cancel(holder)
    registration.refresh_from_db()

    emails.reminder(registration)

    for kind in ("promoted", "reminder"):
        email = built(kind, registration)
        assert "- Cartographier — 2 p.m. to 3:30 p.m., Salle B\n" in email.body, kind
        assert "Cartographier — 2 p.m. to 3:30 p.m., Salle B" in email.alternatives[0].content


def test_emails_without_workshops_say_nothing_of_them(edition, category):
    registration = sign_up(edition, category)

    email = built("confirmed", registration)

    assert "Workshop" not in email.body
    assert "Workshop" not in email.alternatives[0].content
