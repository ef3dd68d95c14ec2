"""Workshop seats under real concurrency: 64 PostgreSQL connections released together
(the harness of tests/test_capacity_concurrency.py), over four workshops of one slot."""

import datetime as dt
import random
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from registrations import capacity, workshops
from registrations.enums import WorkshopChoiceStatus
from registrations.models import Registration, WorkshopChoice
from tests import test_capacity_concurrency as capacity_concurrency
from tests.factories import CategoryFactory, EditionFactory, RegistrationFactory, WorkshopFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.many_connections,
    pytest.mark.django_db(transaction=True),
]

SEAT = WorkshopChoiceStatus.CONFIRMED
WAITING = WorkshopChoiceStatus.WAITING
PEOPLE = 250
SEATS = 30


def run_together(items, action):
    """The harness of the day's seats, a workshop's refusal counting as a result too."""
    return capacity_concurrency.run_together(
        items, action, refusals=(workshops.ChoiceRefused, capacity.RegistrationRefused)
    )


def choices(session):
    return list(WorkshopChoice.objects.filter(session=session).order_by("requested_at", "pk"))


def assert_sound(sessions):
    """Within every workshop's seats, no one waiting where a seat is free, nobody holding
    two workshops of the slot or waiting for two."""
    per_person = defaultdict(Counter)
    for session in sessions:
        session.refresh_from_db()
        rows = choices(session)
        holding = [c for c in rows if c.status == SEAT]
        waiting = [c for c in rows if c.status == WAITING]
        assert len(holding) <= session.capacity
        if waiting:
            assert len(holding) == session.capacity
        for choice in rows:
            per_person[choice.registration_id][choice.status] += 1
    assert all(counts[SEAT] <= 1 and counts[WAITING] <= 1 for counts in per_person.values())
    active = set(Registration.objects.active().values_list("pk", flat=True))
    assert set(per_person) <= active


@pytest.fixture
def slot():
    """An open edition with one slot of four workshops of 30 seats and 250 confirmed people."""
    now = timezone.now()
    edition = EditionFactory(
        capacity=1000,
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=10),
    )
    category = CategoryFactory(edition=edition)
    sessions = [
        WorkshopFactory(edition=edition, capacity=SEATS, title=f"Atelier {index}")
        for index in range(4)
    ]
    people = RegistrationFactory.create_batch(PEOPLE, edition=edition, category=category)
    return edition, sessions, people


def choose_all(sessions, people):
    """1,000 choices: each person chooses each of the four workshops, in a random order."""
    attempts = [(person, session) for person in people for session in sessions]
    random.Random(18).shuffle(attempts)
    return run_together(attempts, lambda item: workshops.choose(*item))


def test_1000_choices_fill_four_workshops_of_30_and_queue_the_rest_in_order(slot):
    _edition, sessions, people = slot

    results = choose_all(sessions, people)

    assert len(results) == 1000
    assert not [result for _, result in results if isinstance(result, Exception)]
    assert_sound(sessions)
    for session in sessions:
        rows = choices(session)
        assert Counter(c.status for c in rows)[SEAT] == SEATS
        waiting = [c.pk for c in rows if c.status == WAITING]
        # Each waiting row was written once, under the lock: its id is the order of commits,
        # and the waiting list's order (requested_at) is that order.
        assert waiting == sorted(waiting)
        assert waiting
    seats = WorkshopChoice.objects.filter(status=SEAT).values_list("registration_id", flat=True)
    assert len(seats) == len(set(seats)) == 4 * SEATS


def test_a_storm_of_cancellations_raises_and_leaves_promotes_in_order_and_never_oversells(slot):
    _edition, sessions, people = slot
    choose_all(sessions, people)
    waiting_before = {c.pk: c.requested_at for c in WorkshopChoice.objects.filter(status=WAITING)}
    storm_starts = timezone.now()
    rng = random.Random(7)
    actions = (
        [("cancel", person, None) for person in rng.sample(people, 60)]
        + [("raise", None, sessions[index % 4]) for index in range(24)]
        + [("leave", person, rng.choice(sessions)) for person in rng.sample(people, 60)]
        + [("choose", person, rng.choice(sessions)) for person in rng.sample(people, 56)]
    )
    rng.shuffle(actions)

    def act(item):
        kind, person, session = item
        if kind == "cancel":
            return capacity.cancel(person)
        if kind == "raise":
            # One more seat than the workshop had when this raise read it.
            session.refresh_from_db()
            return workshops.set_capacity(session, session.capacity + 1)
        if kind == "leave":
            return workshops.leave(person, session)
        return workshops.choose(person, session)

    results = run_together(actions, act)

    refusals = Counter(r.code for _, r in results if isinstance(r, Exception))
    # A person cancelled in the storm may then be refused a choice; a raise that read the
    # seats before another raise filled them may ask for fewer than are taken: refused.
    assert set(refusals) <= {"registration_cancelled", "capacity_below_taken"}
    assert_sound(sessions)
    for session in sessions:
        rows = choices(session)
        promoted = [c for c in rows if c.status == SEAT and c.pk in waiting_before]
        still_waiting = [c for c in rows if c.status == WAITING and c.pk in waiting_before]
        if promoted and still_waiting:
            assert max(c.requested_at for c in promoted) < min(
                c.requested_at for c in still_waiting
            )
        if still_waiting:
            # Nobody who chose during the storm took a seat ahead of the people waiting.
            assert not [c for c in rows if c.status == SEAT and c.requested_at > storm_starts]
