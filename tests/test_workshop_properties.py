"""Workshop seats (registrations.workshops), checked against a small reference model over
random sequences of registrations with choices, choices, giving up, seats taken meanwhile,
cancellations (which also promote the day's waiting list, whose wishes then apply) and
raised or lowered seats."""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from registrations import capacity, workshops
from registrations.enums import RegistrationStatus
from registrations.models import WorkshopChoice
from tests.factories import CategoryFactory, EditionFactory, WorkshopFactory
from tests.strength import examples

C = RegistrationStatus.CONFIRMED
W = RegistrationStatus.WAITLISTED
X = RegistrationStatus.CANCELLED
NOW = timezone.now().replace(microsecond=0)
#: Workshops 0, 1 and 2 are at the same time (a slot); workshop 3 is later, alone.
SLOTS = [[0, 1, 2], [3]]
WORKSHOPS = 4


def slot_of(workshop):
    return next(slot for slot in SLOTS if workshop in slot)


@dataclass
class Person:
    status: str
    confirmed_order: int = 0
    # workshop -> [status, request time]
    choices: dict = field(default_factory=dict)


class Reference:
    """The rules of the module's docstring, written as plainly as they can be."""

    def __init__(self, day_capacity, seats):
        self.day_capacity = day_capacity
        self.seats = list(seats)
        self.people = []
        self.clock = 0

    def tick(self):
        self.clock += 1
        return self.clock

    def holders(self, workshop):
        return sum(
            1 for person in self.people if person.choices.get(workshop, [None])[0] == "confirmed"
        )

    def waiting(self, workshop):
        queue = [
            (person.choices[workshop][1], index)
            for index, person in enumerate(self.people)
            if person.choices.get(workshop, [None])[0] == "waiting"
        ]
        return [index for _, index in sorted(queue)]

    # The day's seats, kept simple: one category, no other limit.

    def register(self, wants):
        if len({slot_of(w)[0] for w in wants}) < len(wants):
            return "slot_conflict"
        confirmed = sum(person.status == C for person in self.people)
        status = C if confirmed < self.day_capacity else W
        person = Person(status, confirmed_order=self.tick())
        self.people.append(person)
        now = self.tick()
        for workshop in wants:
            self._choose(len(self.people) - 1, workshop, now)
        return status

    def cancel(self, index):
        person = self.people[index]
        if person.status == X:
            return
        held = person.status == C
        person.status = X
        freed = [w for w, (status, _) in person.choices.items() if status == "confirmed"]
        person.choices = {}
        now = self.tick()
        self.promote(freed, now)
        if held:
            self.fill_day(now)

    def fill_day(self, now):
        confirmed = sum(person.status == C for person in self.people)
        for person in self.people:
            if confirmed >= self.day_capacity:
                break
            if person.status == W:
                person.status = C
                confirmed += 1
                for workshop, choice in sorted(person.choices.items(), key=lambda i: i[1][1]):
                    has_room = self.holders(workshop) < self.seats[workshop]
                    choice[:] = ["confirmed" if has_room else "waiting", now]

    # Workshops.

    def choose(self, index, workshop):
        if self.people[index].status == X:
            return "registration_cancelled"
        now = self.tick()
        self._choose(index, workshop, now)
        return None

    def _choose(self, index, workshop, now):
        person = self.people[index]
        others = [w for w in slot_of(workshop) if w != workshop and w in person.choices]
        current = person.choices.get(workshop)
        freed = []

        def drop(w):
            if person.choices[w][0] == "confirmed":
                freed.append(w)
            del person.choices[w]

        if person.status == W:
            if current is None:
                person.choices[workshop] = ["wish", now]
            for w in others:
                drop(w)
        elif current is not None and current[0] == "confirmed":
            for w in others:
                drop(w)
        elif current is not None and current[0] == "waiting":
            for w in others:
                if person.choices[w][0] != "confirmed":
                    drop(w)
        else:
            has_room = self.holders(workshop) < self.seats[workshop]
            for w in others:
                if has_room or person.choices[w][0] != "confirmed":
                    drop(w)
            person.choices[workshop] = ["confirmed" if has_room else "waiting", now]
        self.promote(freed, now)

    def leave(self, index, workshop):
        person = self.people[index]
        choice = person.choices.pop(workshop, None)
        if choice is not None and choice[0] == "confirmed":
            self.promote([workshop], self.tick())

    def take_meanwhile(self, index, workshop):
        person = self.people[index]
        if person.status == X:
            return "registration_cancelled"
        if person.status != C:
            return "choice_closed"
        if self.holders(workshop) >= self.seats[workshop]:
            return "workshop_full"
        now = self.tick()
        freed = []
        for w in slot_of(workshop):
            if w in person.choices and (w == workshop or person.choices[w][0] == "confirmed"):
                if person.choices[w][0] == "confirmed":
                    freed.append(w)
                del person.choices[w]
        person.choices[workshop] = ["confirmed", now]
        self.promote(freed, now)
        return None

    def set_seats(self, workshop, seats):
        if seats < self.holders(workshop):
            return "capacity_below_taken"
        self.seats[workshop] = seats
        self.promote([workshop], self.tick())
        return None

    def promote(self, workshops_freed, now):
        queue = list(workshops_freed)
        while queue:
            workshop = queue.pop(0)
            free = self.seats[workshop] - self.holders(workshop)
            for index in self.waiting(workshop)[: max(free, 0)]:
                person = self.people[index]
                held = [
                    w
                    for w in slot_of(workshop)
                    if w != workshop and person.choices.get(w, [None])[0] == "confirmed"
                ]
                person.choices[workshop][0] = "confirmed"
                for w in held:
                    del person.choices[w]
                    queue.append(w)

    def snapshot(self):
        return {
            (index, workshop, choice[0])
            for index, person in enumerate(self.people)
            for workshop, choice in person.choices.items()
        }


people = st.integers(0, 11)
workshop = st.integers(0, WORKSHOPS - 1)
operations = st.one_of(
    st.tuples(
        st.just("register"),
        st.lists(workshop, max_size=2, unique=True),
    ),
    st.tuples(st.just("choose"), people, workshop),
    st.tuples(st.just("leave"), people, workshop),
    st.tuples(st.just("meanwhile"), people, workshop),
    st.tuples(st.just("cancel"), people),
    st.tuples(st.just("seats"), workshop, st.integers(1, 4)),
)


@pytest.mark.django_db
@settings(
    max_examples=examples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    day_capacity=st.integers(1, 6),
    seats=st.lists(st.integers(1, 3), min_size=WORKSHOPS, max_size=WORKSHOPS),
    steps=st.lists(operations, min_size=8, max_size=30),
)
# A chain of moves: a freed seat in 0 goes to a person holding 1, whose seat goes to a
# person holding 2, whose seat goes to the next one waiting for 2.
@example(
    day_capacity=6,
    seats=[1, 1, 1, 1],
    steps=[
        ("register", [0]),
        ("register", [1]),
        ("register", [2]),
        ("register", []),
        ("choose", 1, 0),
        ("choose", 2, 1),
        ("choose", 3, 2),
        ("cancel", 0),
    ],
)
# Wishes of a waiting registration, applied when a cancellation gives it the day's seat.
@example(
    day_capacity=1,
    seats=[1, 1, 1, 1],
    steps=[
        ("register", [0, 3]),
        ("register", [0, 3]),
        ("cancel", 0),
    ],
)
def test_workshop_seats_follow_the_rules_over_any_sequence(day_capacity, seats, steps):
    with transaction.atomic():
        run(day_capacity, seats, steps)
        transaction.set_rollback(True)


def run(day_capacity, seats, steps):
    edition = EditionFactory(
        capacity=day_capacity,
        registration_opens_at=NOW - dt.timedelta(days=1),
        registration_closes_at=NOW + dt.timedelta(days=10),
    )
    category = CategoryFactory(edition=edition)
    late = (dt.time(16), dt.time(17))
    sessions = [
        WorkshopFactory(edition=edition, capacity=count, title=f"Atelier {index}")
        if index in SLOTS[0]
        else WorkshopFactory(
            edition=edition,
            capacity=count,
            title=f"Atelier {index}",
            start_time=late[0],
            end_time=late[1],
        )
        for index, count in enumerate(seats)
    ]
    index_of = {session.pk: index for index, session in enumerate(sessions)}
    model = Reference(day_capacity, seats)
    registrations = []
    clock = [NOW]

    def now():
        clock[0] += dt.timedelta(seconds=1)
        return clock[0]

    def outcome(action, *args, **kwargs):
        try:
            action(*args, **kwargs)
        except (workshops.ChoiceRefused, capacity.RegistrationRefused) as refused:
            return refused.code
        return None

    for step in steps:
        kind = step[0]
        if kind == "register":
            wants = step[1]
            number = len(registrations)
            try:
                registration = capacity.register(
                    edition,
                    category=category,
                    first_name="Camille",
                    last_name=f"Exemple {number}",
                    email=f"personne{number}@example.org",
                    workshops=[sessions[w] for w in wants],
                    now=now(),
                )
            except workshops.ChoiceRefused as refused:
                result = refused.code
            else:
                registrations.append(registration)
                result = registration.status
            assert result == model.register(wants)
        elif kind == "seats":
            _, w, count = step
            result = outcome(workshops.set_capacity, sessions[w], count, now=now())
            assert result == model.set_seats(w, count)
        elif registrations:
            index = step[1] % len(registrations)
            registration = registrations[index]
            if kind == "cancel":
                capacity.cancel(registration, now=now())
                model.cancel(index)
            elif kind == "choose":
                result = outcome(workshops.choose, registration, sessions[step[2]], now=now())
                assert result == model.choose(index, step[2])
            elif kind == "leave":
                workshops.leave(registration, sessions[step[2]], now=now())
                model.leave(index, step[2])
            else:
                result = outcome(
                    workshops.take_meanwhile, registration, sessions[step[2]], now=now()
                )
                assert result == model.take_meanwhile(index, step[2])

        position = {registration.pk: index for index, registration in enumerate(registrations)}
        rows = WorkshopChoice.objects.filter(session__edition=edition).values_list(
            "registration_id", "session_id", "status"
        )
        assert {(position[r], index_of[s], status) for r, s, status in rows} == model.snapshot()
        for w, session in enumerate(sessions):
            queue = WorkshopChoice.objects.filter(session=session).waiting()
            assert [position[c.registration_id] for c in queue] == model.waiting(w)
            assert model.holders(w) <= model.seats[w]
