"""Check-in under real concurrency: PostgreSQL connections released together at a barrier.

Each thread has its own connection (Django's connections are per thread) and closes it when
done; at most 20 threads, so these tests hold at most 21 connections.
"""

import datetime as dt
import json
import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.enums import Role
from accounts.models import ApiToken
from admission import tickets
from admission.checkin import admit
from admission.enums import CheckInResult
from admission.models import CheckIn
from tests.factories import (
    EditionFactory,
    EntranceFactory,
    MembershipFactory,
    OrganisationFactory,
    RegistrationFactory,
    UserFactory,
)

# ``many_connections``: ``make test`` runs these alone, after the parallel run, so that their
# tens of connections never meet another process's under PostgreSQL's limit.
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.many_connections,
    pytest.mark.django_db(transaction=True),
]

ADMITTED = CheckInResult.ADMITTED
ALREADY = CheckInResult.ALREADY_ADMITTED
THREADS = 20


def run_together(calls):
    """Run each callable in its own thread, all released at one barrier; their results in
    the order of ``calls``. Any exception fails the test."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def work(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.fixture
def scene(db):
    organisation = OrganisationFactory()
    edition = EditionFactory(date=timezone.localdate(), organisers=[organisation])
    agent = UserFactory(username="agent")
    MembershipFactory(user=agent, organisation=organisation, role=Role.AGENT, edition=edition)
    doors = [EntranceFactory(edition=edition, slug=slug) for slug in ("a", "b", "c")]
    return edition, agent, doors


def test_twenty_simultaneous_admissions_of_one_ticket_give_exactly_one(scene):
    edition, agent, doors = scene
    token = tickets.token_for(RegistrationFactory(edition=edition))

    def attempt(index):
        return lambda: admit(
            edition,
            ticket=token,
            entrance=doors[index % 3],
            agent=agent,
            nonce=f"device-{index}",
            id_checked=True,
        )

    verdicts = run_together([attempt(index) for index in range(THREADS)])

    assert Counter(verdict.result for verdict in verdicts) == {ADMITTED: 1, ALREADY: THREADS - 1}
    first = next(verdict.checkin for verdict in verdicts if verdict.result == ADMITTED)
    assert {verdict.first_admission.pk for verdict in verdicts if verdict.result == ALREADY} == {
        first.pk
    }
    assert CheckIn.objects.filter(result=ADMITTED).count() == 1
    assert CheckIn.objects.count() == THREADS


def test_twenty_simultaneous_retries_of_one_nonce_record_one_scan(scene):
    edition, agent, doors = scene
    token = tickets.token_for(RegistrationFactory(edition=edition))

    verdicts = run_together(
        [
            lambda: admit(
                edition,
                ticket=token,
                entrance=doors[0],
                agent=agent,
                nonce="same",
                id_checked=True,
            )
        ]
        * THREADS
    )

    assert {verdict.result for verdict in verdicts} == {ADMITTED}
    assert Counter(verdict.replayed for verdict in verdicts) == {False: 1, True: THREADS - 1}
    assert {verdict.checkin.pk for verdict in verdicts} == {CheckIn.objects.get().pk}


def test_offline_batches_replayed_from_three_devices_admit_each_ticket_once(scene):
    edition, agent, doors = scene
    people = RegistrationFactory.create_batch(12, edition=edition)
    tokens = [tickets.token_for(person) for person in people]
    scanned_at = timezone.now() - dt.timedelta(minutes=20)

    def device(index, door):
        # Every device scanned every ticket offline, each scan with its own nonce; the
        # devices upload their queues at the same moment, in opposite orders.
        order = tokens if index % 2 == 0 else tokens[::-1]

        def upload():
            return [
                admit(
                    edition,
                    ticket=token,
                    entrance=door,
                    agent=agent,
                    nonce=f"{door.slug}-{tokens.index(token)}",
                    id_checked=True,
                    scanned_at=scanned_at + dt.timedelta(seconds=index),
                )
                for token in order
            ]

        return upload

    uploads = [device(index, door) for index, door in enumerate(doors)]
    first_round = run_together(uploads)
    # A flaky network: every device uploads its whole queue again.
    second_round = run_together(uploads)

    admitted = CheckIn.objects.filter(result=ADMITTED)
    assert sorted(admitted.values_list("registration_id", flat=True)) == sorted(
        person.pk for person in people
    )
    assert CheckIn.objects.count() == 3 * len(people)
    results = Counter(verdict.result for batch in first_round for verdict in batch)
    assert results == {ADMITTED: len(people), ALREADY: 2 * len(people)}
    assert all(verdict.replayed for batch in second_round for verdict in batch)
    assert [[v.checkin.pk for v in batch] for batch in second_round] == [
        [v.checkin.pk for v in batch] for batch in first_round
    ]


def test_twenty_devices_posting_one_ticket_through_the_api_get_one_admitted(scene):
    edition, agent, doors = scene
    token = tickets.token_for(RegistrationFactory(edition=edition))
    api_token = ApiToken.issue(agent)[1]

    def post(index):
        def call():
            response = Client().post(
                f"/api/v1/editions/{edition.slug}/checkins",
                data=json.dumps(
                    {
                        "ticket": token,
                        "entrance": doors[index % 3].slug,
                        "nonce": f"device-{index}",
                        "id_checked": True,
                    }
                ),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {api_token}",
            )
            return response.status_code, response.json()["result"]

        return call

    answers = run_together([post(index) for index in range(THREADS)])

    assert Counter(answers) == {
        (200, "admitted"): 1,
        (200, "already_admitted"): THREADS - 1,
    }
    assert CheckIn.objects.filter(result=ADMITTED).count() == 1
