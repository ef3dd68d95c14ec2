"""Workshop seats (registrations.workshops): choosing, waiting, promotion, refusals."""

import datetime as dt

import pytest
from django.utils import timezone

from events.enums import WorkshopPromotion
from events.workshops import edition_slots, seats_left
from outbox.models import Message
from registrations import capacity, workshops
from registrations.enums import RegistrationStatus, WorkshopChoiceStatus
from registrations.models import WorkshopChoice
from registrations.workshops import ChoiceRefused
from tests.factories import (
    CategoryFactory,
    EditionFactory,
    SessionFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db

SEAT = WorkshopChoiceStatus.CONFIRMED
WAITING = WorkshopChoiceStatus.WAITING
OFFERED = WorkshopChoiceStatus.OFFERED
WISH = WorkshopChoiceStatus.WISH


def open_edition(**kwargs):
    now = timezone.now()
    return EditionFactory(
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=10),
        **kwargs,
    )


@pytest.fixture
def edition():
    return open_edition()


@pytest.fixture
def category(edition):
    return CategoryFactory(edition=edition)


counter = iter(range(10**6))


def person(edition, category, **kwargs):
    number = next(counter)
    return capacity.register(
        edition,
        category=category,
        first_name="Camille",
        last_name=f"Exemple {number}",
        email=f"atelier{number}@example.org",
        **kwargs,
    )


def statuses(registration):
    return {
        choice.session.title: choice.status
        for choice in WorkshopChoice.objects.filter(registration=registration).select_related(
            "session"
        )
    }


def holders(session):
    return WorkshopChoice.objects.filter(session=session).holding_seats().count()


def test_overlapping_workshops_form_one_slot_and_touching_ones_do_not(edition):
    a = WorkshopFactory(edition=edition, start_time=dt.time(14), end_time=dt.time(15))
    b = WorkshopFactory(edition=edition, start_time=dt.time(14, 30), end_time=dt.time(16))
    c = WorkshopFactory(edition=edition, start_time=dt.time(15, 45), end_time=dt.time(16, 30))
    d = WorkshopFactory(edition=edition, start_time=dt.time(16, 30), end_time=dt.time(17))
    SessionFactory(edition=edition, start_time=dt.time(14), end_time=dt.time(17))

    slots = edition_slots(edition)

    assert [[s.pk for s in slot.sessions] for slot in slots] == [[a.pk, b.pk, c.pk], [d.pk]]


def test_a_seat_when_there_is_room_then_the_waiting_list_in_order(edition, category):
    small = WorkshopFactory(edition=edition, capacity=2, title="Financer")
    people = [person(edition, category) for _ in range(4)]

    results = [workshops.choose(p, small).status for p in people]

    assert results == [SEAT, SEAT, WAITING, WAITING]
    waiting = WorkshopChoice.objects.filter(session=small).waiting()
    assert [c.registration_id for c in waiting] == [people[2].pk, people[3].pk]
    assert [workshops.waiting_position(c) for c in waiting] == [1, 2]
    assert seats_left([small]) == {small.pk: 0}


def test_choosing_another_workshop_of_the_slot_gives_up_the_first(edition, category):
    a = WorkshopFactory(edition=edition, title="A")
    b = WorkshopFactory(edition=edition, title="B")
    later = WorkshopFactory(
        edition=edition, title="C", start_time=dt.time(16), end_time=dt.time(17)
    )
    p = person(edition, category)

    workshops.set_choices(p, [a, later])
    workshops.choose(p, b)

    assert statuses(p) == {"B": SEAT, "C": SEAT}


def test_waiting_for_a_full_workshop_keeps_the_seat_held_in_the_slot(edition, category):
    full = WorkshopFactory(edition=edition, title="Plein", capacity=1)
    other = WorkshopFactory(edition=edition, title="Autre")
    first, second = person(edition, category), person(edition, category)
    workshops.choose(first, full)
    workshops.choose(second, other)

    workshops.choose(second, full)

    assert statuses(second) == {"Plein": WAITING, "Autre": SEAT}


def test_a_freed_seat_goes_to_the_first_waiting_who_moves_and_frees_theirs(edition, category):
    full = WorkshopFactory(edition=edition, title="Plein", capacity=1)
    other = WorkshopFactory(edition=edition, title="Autre", capacity=1)
    holder, mover, third = (person(edition, category) for _ in range(3))
    workshops.choose(holder, full)
    workshops.choose(mover, other)
    workshops.choose(mover, full)  # waits, keeps "Autre"
    workshops.choose(third, other)  # "Autre" is full: waits
    Message.objects.all().delete()

    capacity.cancel(holder)

    assert statuses(mover) == {"Plein": SEAT}
    assert statuses(third) == {"Autre": SEAT}
    assert holders(full) == holders(other) == 1
    seats = Message.objects.filter(kind="registrations.workshop_seat")
    assert {m.recipient for m in seats} == {mover.email, third.email}
    assert seats.get(recipient=mover.email).context["instead_of"] == other.pk


def test_when_the_edition_asks_the_promoted_person_chooses(edition, category):
    edition.workshop_promotion = WorkshopPromotion.ASK
    edition.save()
    full = WorkshopFactory(edition=edition, title="Plein", capacity=1)
    other = WorkshopFactory(edition=edition, title="Autre")
    holder, asked = person(edition, category), person(edition, category)
    workshops.choose(holder, full)
    workshops.choose(asked, other)
    workshops.choose(asked, full)

    capacity.cancel(holder)

    assert statuses(asked) == {"Plein": OFFERED, "Autre": SEAT}
    assert holders(full) == 1
    assert Message.objects.filter(
        kind="registrations.workshop_offer", recipient=asked.email
    ).exists()
    workshops.answer_offer(asked, full, keep_offered=True)
    assert statuses(asked) == {"Plein": SEAT}
    with pytest.raises(ChoiceRefused) as refused:
        workshops.answer_offer(asked, full, keep_offered=False)
    assert refused.value.code == "not_offered"


def test_an_offer_not_answered_in_time_keeps_the_held_seat_and_moves_on(edition, category):
    edition.workshop_promotion = WorkshopPromotion.ASK
    edition.save()
    full = WorkshopFactory(edition=edition, title="Plein", capacity=1)
    other = WorkshopFactory(edition=edition, title="Autre")
    holder, asked, next_one = (person(edition, category) for _ in range(3))
    workshops.choose(holder, full)
    workshops.choose(asked, other)
    workshops.choose(asked, full)
    workshops.choose(next_one, full)
    capacity.cancel(holder)

    assert workshops.end_offers(now=timezone.now() + workshops.OFFER_TIME) == 1

    assert statuses(asked) == {"Autre": SEAT}
    assert statuses(next_one) == {"Plein": SEAT}


def test_a_waiting_registration_keeps_wishes_applied_when_it_gets_its_seat(category):
    edition = category.edition
    edition.capacity = 1
    edition.save()
    a = WorkshopFactory(edition=edition, title="A", capacity=1)
    first = person(edition, category, workshops=[a])
    waiting = person(edition, category, workshops=[a])
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert statuses(waiting) == {"A": WISH}
    assert holders(a) == 1

    capacity.cancel(first)

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert statuses(waiting) == {"A": SEAT}


def test_a_wish_waits_when_no_seat_remains(category):
    edition = category.edition
    edition.capacity = 2
    edition.save()
    a = WorkshopFactory(edition=edition, title="A", capacity=1)
    other = CategoryFactory(edition=edition)
    person(edition, category, workshops=[a])
    leaving = person(edition, other)
    waiting = person(edition, category, workshops=[a])

    capacity.cancel(leaving)

    assert statuses(waiting) == {"A": WAITING}


def test_cancelling_a_registration_frees_its_workshop_seats(edition, category):
    a = WorkshopFactory(edition=edition, title="A", capacity=1)
    holder, waiter = person(edition, category), person(edition, category)
    workshops.choose(holder, a)
    workshops.choose(waiter, a)

    capacity.cancel(holder)

    assert statuses(holder) == {}
    assert statuses(waiter) == {"A": SEAT}


def test_giving_up_a_seat_promotes_the_waiting_list(edition, category):
    a = WorkshopFactory(edition=edition, title="A", capacity=1)
    holder, waiter = person(edition, category), person(edition, category)
    workshops.choose(holder, a)
    workshops.choose(waiter, a)

    promoted = workshops.leave(holder, a)

    assert [c.registration_id for c in promoted] == [waiter.pk]
    assert statuses(waiter) == {"A": SEAT}


def test_take_a_seat_meanwhile_while_waiting(edition, category):
    full = WorkshopFactory(edition=edition, title="Plein", capacity=1)
    other = WorkshopFactory(edition=edition, title="Autre")
    workshops.choose(person(edition, category), full)
    p = person(edition, category)
    workshops.choose(p, full)

    workshops.take_meanwhile(p, other)

    assert statuses(p) == {"Plein": WAITING, "Autre": SEAT}
    with pytest.raises(ChoiceRefused) as refused:
        workshops.take_meanwhile(person(edition, category), full)
    assert refused.value.code == "workshop_full"


def test_raising_the_seats_fills_from_the_waiting_list_and_lowering_below_is_refused(
    edition, category
):
    a = WorkshopFactory(edition=edition, title="A", capacity=2)
    people = [person(edition, category) for _ in range(5)]
    for p in people:
        workshops.choose(p, a)

    with pytest.raises(ChoiceRefused) as refused:
        workshops.set_capacity(a, 1)
    assert refused.value.code == "capacity_below_taken"
    assert "2" in refused.value.message
    a.refresh_from_db()
    assert a.capacity == 2

    promoted = workshops.set_capacity(a, 4)

    assert [c.registration_id for c in promoted] == [people[2].pk, people[3].pk]
    assert holders(a) == 4


def test_moving_a_person_within_the_seats(edition, category):
    a = WorkshopFactory(edition=edition, title="A", capacity=1)
    b = WorkshopFactory(edition=edition, title="B", capacity=1)
    p, q, r = (person(edition, category) for _ in range(3))
    workshops.choose(p, a)
    workshops.choose(q, b)
    workshops.choose(r, a)  # waits for A

    with pytest.raises(ChoiceRefused) as refused:
        workshops.move(p, b)
    assert refused.value.code == "workshop_full"
    assert "1" in refused.value.message

    workshops.leave(q, b)
    workshops.move(p, b)

    assert statuses(p) == {"B": SEAT}
    assert statuses(r) == {"A": SEAT}
    assert Message.objects.filter(
        kind="registrations.workshop_seat", recipient=p.email, context__moved=True
    ).exists()


@pytest.mark.parametrize("case", ["another_edition", "not_a_workshop", "conflict", "closed"])
def test_bad_choices_are_refused_and_change_nothing(edition, category, case):
    a = WorkshopFactory(edition=edition, title="A")
    b = WorkshopFactory(edition=edition, title="B")
    p = person(edition, category)
    workshops.choose(p, a)
    expected, sessions = {
        "another_edition": ("not_a_workshop", [WorkshopFactory(edition=open_edition())]),
        "not_a_workshop": ("not_a_workshop", [SessionFactory(edition=edition)]),
        "conflict": ("slot_conflict", [a, b]),
        "closed": ("choice_closed", [b]),
    }[case]
    if case == "closed":
        b.choices_close_at = timezone.now() - dt.timedelta(minutes=1)
        b.save()

    with pytest.raises(ChoiceRefused) as refused:
        workshops.set_choices(p, sessions)

    assert refused.value.code == expected
    assert statuses(p) == {"A": SEAT}


def test_a_cancelled_registration_cannot_choose(edition, category):
    a = WorkshopFactory(edition=edition)
    p = person(edition, category)
    capacity.cancel(p)

    with pytest.raises(ChoiceRefused) as refused:
        workshops.choose(p, a)

    assert refused.value.code == "registration_cancelled"
    assert not WorkshopChoice.objects.exists()


def test_after_the_deadline_a_seat_can_still_be_given_up_and_organisers_still_choose(
    edition, category
):
    a = WorkshopFactory(edition=edition, title="A")
    p = person(edition, category)
    workshops.choose(p, a)
    a.choices_close_at = timezone.now() - dt.timedelta(minutes=1)
    a.save()

    workshops.set_choices(p, [])
    assert statuses(p) == {}
    with pytest.raises(ChoiceRefused):
        workshops.choose(p, a)
    workshops.choose(p, a, by_organiser=True)
    assert statuses(p) == {"A": SEAT}


def test_a_group_is_refused_whole_when_one_person_chooses_two_workshops_at_once(edition, category):
    a = WorkshopFactory(edition=edition)
    b = WorkshopFactory(edition=edition)
    people = [
        {
            "category": category,
            "first_name": "Camille",
            "last_name": f"Exemple {index}",
            "email": f"groupe{index}@example.org",
            "workshops": chosen,
        }
        for index, chosen in enumerate([[a], [a, b]])
    ]

    with pytest.raises(ChoiceRefused) as refused:
        capacity.register_group(edition, people)

    assert (refused.value.code, refused.value.index) == ("slot_conflict", 1)
    assert not WorkshopChoice.objects.exists()
    assert not edition.registrations.exists()
