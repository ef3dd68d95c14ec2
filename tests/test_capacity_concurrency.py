"""Seat allocation under real concurrency: 64 PostgreSQL connections released together.

Each thread has its own connection (Django's connections are per thread) and closes it when
done. Every test starts all its threads at one barrier so that their transactions really
compete for the edition's lock.
"""

import datetime as dt
import random
import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from events.models import Edition
from registrations.capacity import (
    RegistrationRefused,
    cancel,
    fill_freed_seats,
    promote,
    register,
)
from registrations.enums import RegistrationStatus
from registrations.models import Category, Registration
from tests.factories import CategoryFactory, EditionFactory, OrganisationFactory

# ``many_connections``: ``make test`` runs these alone, after the parallel run, so that their
# tens of connections never meet another process's under PostgreSQL's limit.
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.many_connections,
    pytest.mark.django_db(transaction=True),
]

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED
THREADS = 64
ATTEMPTS = 1000


def run_together(items, action, *, refusals=(RegistrationRefused,)):
    """Call ``action(item)`` for every item from THREADS threads released at one barrier.

    Returns ``(item, result)`` pairs, a refusal (one of ``refusals``) counting as a result.
    Any other exception fails the test.
    """
    barrier = threading.Barrier(THREADS)
    results, errors = [], []
    guard = threading.Lock()

    def work(chunk):
        try:
            barrier.wait()
            for item in chunk:
                try:
                    result = action(item)
                except refusals as refused:
                    result = refused
                with guard:
                    results.append((item, result))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(items[index::THREADS],)) for index in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == len(items)
    return results


def open_edition(**kwargs):
    now = timezone.now()
    return EditionFactory(
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=10),
        **kwargs,
    )


def register_all(edition, attempts):
    """Register the (category, organisation) attempts concurrently, one email each."""

    def attempt(item):
        index, (category, organisation) = item
        return register(
            edition,
            category=category,
            organisation=organisation,
            first_name="Camille",
            last_name=f"Exemple {index}",
            email=f"personne{index}@example.org",
        )

    return run_together(list(enumerate(attempts)), attempt)


def in_commit_order(edition):
    return list(
        Registration.objects.filter(edition=edition)
        .order_by("created_at", "pk")
        .values_list("pk", "status", "category_id", "organisation_id")
    )


def assert_commit_order_is_the_waiting_order(rows):
    pks = [row[0] for row in rows]
    # The order of created_at is the order of the inserts, which the lock serialises.
    assert pks == sorted(pks)
    assert pks == list(range(pks[0], pks[0] + len(pks)))


def assert_allocation_sound(edition):
    """Confirmed seats within every limit, and no waiting person who fits a free seat."""
    edition = Edition.objects.get(pk=edition.pk)
    categories = {category.pk: category for category in Category.objects.filter(edition=edition)}
    rows = in_commit_order(edition)
    confirmed = [row for row in rows if row[1] == CONFIRMED]
    by_category = Counter(row[2] for row in confirmed)
    by_organisation = Counter((row[2], row[3]) for row in confirmed if row[3] is not None)

    assert len(confirmed) <= edition.capacity
    for category in categories.values():
        if category.quota is not None:
            assert by_category[category.pk] <= category.quota
        if category.organisation_cap is not None:
            assert all(
                count <= category.organisation_cap
                for (category_id, _), count in by_organisation.items()
                if category_id == category.pk
            )

    def fits(category, organisation_id):
        return (
            len(confirmed) < edition.capacity
            and (category.quota is None or by_category[category.pk] < category.quota)
            and (
                organisation_id is None
                or category.organisation_cap is None
                or by_organisation[category.pk, organisation_id] < category.organisation_cap
            )
        )

    left_out = [row for row in rows if row[1] == WAITLISTED and fits(categories[row[2]], row[3])]
    assert left_out == []


def test_capacity_of_300_confirms_exactly_300_and_queues_the_rest_in_commit_order():
    edition = open_edition(capacity=300)
    category = CategoryFactory(edition=edition)

    results = register_all(edition, [(category, None)] * ATTEMPTS)

    assert Counter(result.status for _, result in results) == {CONFIRMED: 300, WAITLISTED: 700}
    rows = in_commit_order(edition)
    assert_commit_order_is_the_waiting_order(rows)
    assert [row[1] for row in rows] == [CONFIRMED] * 300 + [WAITLISTED] * 700
    assert list(Registration.objects.waiting().values_list("pk", flat=True)) == [
        row[0] for row in rows[300:]
    ]


def test_category_quota_of_300_holds_within_a_larger_capacity():
    edition = open_edition(capacity=ATTEMPTS)
    limited = CategoryFactory(edition=edition, name="Presse", quota=300)
    free = CategoryFactory(edition=edition, name="Participant")
    attempts = [(limited, None)] * 800 + [(free, None)] * 200
    random.Random(4).shuffle(attempts)

    register_all(edition, attempts)

    rows = in_commit_order(edition)
    assert_commit_order_is_the_waiting_order(rows)
    assert Counter((row[2], row[1]) for row in rows) == {
        (limited.pk, CONFIRMED): 300,
        (limited.pk, WAITLISTED): 500,
        (free.pk, CONFIRMED): 200,
    }
    limited_statuses = [row[1] for row in rows if row[2] == limited.pk]
    assert limited_statuses == [CONFIRMED] * 300 + [WAITLISTED] * 500


def test_cap_of_3_seats_a_pole_holds_for_200_poles():
    edition = open_edition(capacity=ATTEMPTS)
    representatives = CategoryFactory(edition=edition, organisation_cap=3)
    poles = OrganisationFactory.create_batch(200)
    attempts = [(representatives, pole) for pole in poles] * 5
    random.Random(3).shuffle(attempts)

    register_all(edition, attempts)

    rows = in_commit_order(edition)
    assert_commit_order_is_the_waiting_order(rows)
    by_pole = {}
    for _, status, _, pole_id in rows:
        by_pole.setdefault(pole_id, []).append(status)
    assert len(by_pole) == 200
    assert all(statuses == [CONFIRMED] * 3 + [WAITLISTED] * 2 for statuses in by_pole.values())


def test_concurrent_cancellations_and_promotions_leave_no_free_seat_nor_give_one_twice():
    edition = open_edition(capacity=200)
    participants = CategoryFactory(edition=edition, name="Participant")
    representatives = CategoryFactory(
        edition=edition, name="Représentant", quota=120, organisation_cap=2
    )
    press = CategoryFactory(edition=edition, name="Presse", quota=20)
    poles = OrganisationFactory.create_batch(40)
    draw = random.Random(9)
    attempts = (
        [(participants, draw.choice([*poles, None])) for _ in range(250)]
        + [(representatives, draw.choice(poles)) for _ in range(300)]
        + [(press, None) for _ in range(50)]
    )
    draw.shuffle(attempts)
    register_all(edition, attempts)
    before = dict(Registration.objects.values_list("pk", "status"))
    assert Counter(before.values())[CONFIRMED] == 200

    ids = list(before)
    operations = [("cancel", pk) for pk in draw.sample(ids, 300)]
    operations += [("promote", pk) for pk in draw.sample(ids, 60)]
    operations += [("raise", None)] * 10
    draw.shuffle(operations)

    def operate(operation):
        kind, pk = operation
        if kind == "cancel":
            return cancel(Registration.objects.get(pk=pk))
        if kind == "promote":
            return [promote(Registration.objects.get(pk=pk))]
        Edition.objects.filter(pk=edition.pk).update(capacity=F("capacity") + 2)
        return fill_freed_seats(edition)

    results = run_together(operations, operate)

    after = dict(Registration.objects.values_list("pk", "status"))
    cancelled = {pk for kind, pk in operations if kind == "cancel"}
    assert {pk for pk, status in after.items() if status == CANCELLED} == cancelled
    given = Counter(
        registration.pk
        for _, result in results
        if not isinstance(result, RegistrationRefused)
        for registration in result
    )
    # Nobody was given a seat twice, and only people who were waiting were given one.
    assert all(count == 1 for count in given.values())
    assert all(before[pk] == WAITLISTED for pk in given)
    for pk, status in after.items():
        if status == CONFIRMED:
            assert before[pk] == CONFIRMED or pk in given
    assert Edition.objects.get(pk=edition.pk).capacity == 220
    assert_allocation_sound(edition)
