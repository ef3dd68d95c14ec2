"""The workshops in the API: the public list by slot with seats left, and a person's choices
read and set with an organiser's token (refusals, bad bodies, permissions)."""

import datetime as dt
import itertools
import json

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from events.enums import EditionStatus
from events.models import PARIS
from registrations import capacity, workshops
from registrations.enums import WorkshopChoiceStatus
from registrations.models import WorkshopChoice
from tests.factories import CategoryFactory, EditionFactory, SessionFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
_numbers = itertools.count()


@pytest.fixture
def edition(cast):
    edition = cast.edition
    edition.registration_opens_at = NOW - dt.timedelta(days=1)
    edition.registration_closes_at = NOW + dt.timedelta(days=10)
    edition.save()
    return edition


@pytest.fixture
def category(edition):
    return CategoryFactory(edition=edition, name="Participant", slug="participant")


@pytest.fixture
def afternoon(edition):
    """Two workshops at 14:00 (one slot) and one at 16:00 (another)."""
    return (
        WorkshopFactory(edition=edition, title="Financer son pôle", room="Jaurès", capacity=2),
        WorkshopFactory(
            edition=edition,
            title="Coopérer avec les collectivités",
            room="Salle des Platanes",
            start_time=dt.time(14, 30),
            end_time=dt.time(15, 30),
            capacity=1,
        ),
        WorkshopFactory(
            edition=edition,
            title="Mutualiser les emplois",
            room="Auditorium",
            start_time=dt.time(16),
            end_time=dt.time(16, 30),
            capacity=60,
        ),
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


def call(client, method, url, user=None, body=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user)[1]}"
    if method == "put":
        content = body if isinstance(body, str) else json.dumps(body)
        return client.put(url, data=content, content_type="application/json", **headers)
    return client.get(url, **headers)


def choices_url(registration_id):
    return f"/api/v1/registrations/{registration_id}/workshops"


def state(registration):
    return sorted(
        WorkshopChoice.objects.filter(registration=registration).values_list("session_id", "status")
    )


# The public list -------------------------------------------------------------------------------


def test_public_list_gives_slots_with_their_workshops_and_seats_left(
    client, edition, category, afternoon
):
    financer, cooperer, mutualiser = afternoon
    workshops.set_choices(person(edition, category), [financer, mutualiser])
    workshops.set_choices(person(edition, category), [cooperer])
    deadline = dt.datetime.combine(edition.date, dt.time(9, 30), tzinfo=PARIS)

    response = client.get(f"/api/v1/editions/{edition.slug}/workshops")

    assert response.status_code == 200
    assert response.json() == {
        "slots": [
            {
                "start": "14:00",
                "end": "15:30",
                "workshops": [
                    {
                        "id": financer.pk,
                        "title": "Financer son pôle",
                        "room": "Jaurès",
                        "start": "14:00",
                        "end": "15:30",
                        "capacity": 2,
                        "seats_left": 1,
                        "choices_close_at": deadline.isoformat(),
                    },
                    {
                        "id": cooperer.pk,
                        "title": "Coopérer avec les collectivités",
                        "room": "Salle des Platanes",
                        "start": "14:30",
                        "end": "15:30",
                        "capacity": 1,
                        "seats_left": 0,
                        "choices_close_at": deadline.isoformat(),
                    },
                ],
            },
            {
                "start": "16:00",
                "end": "16:30",
                "workshops": [
                    {
                        "id": mutualiser.pk,
                        "title": "Mutualiser les emplois",
                        "room": "Auditorium",
                        "start": "16:00",
                        "end": "16:30",
                        "capacity": 60,
                        "seats_left": 59,
                        "choices_close_at": deadline.isoformat(),
                    }
                ],
            },
        ]
    }


def test_public_list_gives_a_workshops_own_deadline_in_paris_time(client, edition):
    closes = dt.datetime(2030, 3, 1, 11, 0, tzinfo=dt.UTC)
    WorkshopFactory(edition=edition, choices_close_at=closes)

    response = client.get(f"/api/v1/editions/{edition.slug}/workshops")

    [slot] = response.json()["slots"]
    assert slot["workshops"][0]["choices_close_at"] == "2030-03-01T12:00:00+01:00"


def test_public_list_leaves_out_sessions_that_are_not_workshops(client, edition):
    SessionFactory(edition=edition, title="Débat", start_time=dt.time(14), end_time=dt.time(15))

    response = client.get(f"/api/v1/editions/{edition.slug}/workshops")

    assert response.json() == {"slots": []}


@pytest.mark.parametrize("slug", ["brouillon", "inconnue"])
def test_public_list_of_a_draft_or_unknown_edition_is_not_found(client, slug):
    WorkshopFactory(edition=EditionFactory(slug="brouillon", status=EditionStatus.DRAFT))

    response = client.get(f"/api/v1/editions/{slug}/workshops")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_public_list_costs_the_same_queries_for_one_and_for_three_workshops(
    client, edition, django_assert_max_num_queries
):
    WorkshopFactory(edition=edition)
    url = f"/api/v1/editions/{edition.slug}/workshops"
    with django_assert_max_num_queries(10) as one:
        client.get(url)
    WorkshopFactory(edition=edition)
    WorkshopFactory(edition=edition, start_time=dt.time(16), end_time=dt.time(16, 30))
    with django_assert_max_num_queries(10) as three:
        assert len(client.get(url).json()["slots"]) == 2
    assert len(three.captured_queries) == len(one.captured_queries)


# A person's choices ----------------------------------------------------------------------------


def test_get_lists_the_choices_with_status_position_and_reason(
    client, cast, edition, category, afternoon
):
    financer, cooperer, mutualiser = afternoon
    holder = person(edition, category)
    workshops.set_choices(holder, [cooperer])
    registration = person(edition, category)
    workshops.set_choices(registration, [financer, mutualiser])
    workshops.choose(registration, cooperer)  # full: waits, keeps "Financer"

    response = call(client, "get", choices_url(registration.pk), cast.organiser)

    assert response.status_code == 200
    assert response.json() == {
        "choices": [
            {
                "workshop": financer.pk,
                "title": "Financer son pôle",
                "status": "confirmed",
                "waiting_position": None,
                "offered_until": None,
                "reason": None,
            },
            {
                "workshop": cooperer.pk,
                "title": "Coopérer avec les collectivités",
                "status": "waiting",
                "waiting_position": 1,
                "offered_until": None,
                "reason": "workshop_full",
            },
            {
                "workshop": mutualiser.pk,
                "title": "Mutualiser les emplois",
                "status": "confirmed",
                "waiting_position": None,
                "offered_until": None,
                "reason": None,
            },
        ]
    }


def test_put_sets_the_choices_one_per_slot_and_answers_them(
    client, cast, edition, category, afternoon
):
    financer, cooperer, mutualiser = afternoon
    workshops.set_choices(person(edition, category), [cooperer])
    registration = person(edition, category)
    workshops.set_choices(registration, [financer])

    response = call(
        client,
        "put",
        choices_url(registration.pk),
        cast.organiser,
        {"workshops": [cooperer.pk, mutualiser.pk]},
    )

    assert response.status_code == 200
    answer = {c["workshop"]: (c["status"], c["reason"]) for c in response.json()["choices"]}
    # "Coopérer" is full: the person waits for it and keeps "Financer" meanwhile.
    assert answer == {
        financer.pk: ("confirmed", None),
        cooperer.pk: ("waiting", "workshop_full"),
        mutualiser.pk: ("confirmed", None),
    }
    assert state(registration) == sorted(
        [
            (financer.pk, WorkshopChoiceStatus.CONFIRMED),
            (cooperer.pk, WorkshopChoiceStatus.WAITING),
            (mutualiser.pk, WorkshopChoiceStatus.CONFIRMED),
        ]
    )


def test_put_acts_as_an_organiser_after_the_choice_deadline(
    client, cast, edition, category, afternoon
):
    financer = afternoon[0]
    financer.choices_close_at = NOW - dt.timedelta(hours=1)
    financer.save()
    registration = person(edition, category)

    response = call(
        client, "put", choices_url(registration.pk), cast.organiser, {"workshops": [financer.pk]}
    )

    assert response.status_code == 200
    assert state(registration) == [(financer.pk, WorkshopChoiceStatus.CONFIRMED)]


def test_put_an_empty_list_gives_every_workshop_up(client, cast, edition, category, afternoon):
    registration = person(edition, category)
    workshops.set_choices(registration, [afternoon[0], afternoon[2]])

    response = call(client, "put", choices_url(registration.pk), cast.organiser, {"workshops": []})

    assert (response.status_code, response.json()) == (200, {"choices": []})
    assert state(registration) == []


def refused(client, cast, registration, body):
    before = state(registration)
    response = call(client, "put", choices_url(registration.pk), cast.organiser, body)
    assert response.status_code == 422
    assert state(registration) == before
    return response.json()


def test_two_workshops_of_one_slot_are_refused_and_nothing_changes(
    client, cast, edition, category, afternoon
):
    financer, cooperer, mutualiser = afternoon
    registration = person(edition, category)
    workshops.set_choices(registration, [mutualiser])

    answer = refused(
        client, cast, registration, {"workshops": [mutualiser.pk, financer.pk, cooperer.pk]}
    )

    assert answer["code"] == "slot_conflict"
    assert answer["message"] == (
        "Only one workshop can be chosen at a time: two are at the same time."
    )
    assert answer["errors"] == [
        {
            "loc": ["body", "payload", "workshops", 2],
            "msg": answer["message"],
            "type": "slot_conflict",
        }
    ]


def test_another_editions_workshop_is_not_a_workshop_of_the_day(
    client, cast, edition, category, afternoon
):
    elsewhere = WorkshopFactory(edition=cast.edition_two)
    plain = SessionFactory(edition=edition)
    registration = person(edition, category)
    workshops.set_choices(registration, [afternoon[0]])

    for session in (elsewhere, plain):
        answer = refused(client, cast, registration, {"workshops": [session.pk]})
        assert (answer["code"], answer["errors"][0]["type"]) == ("not_a_workshop",) * 2


def test_a_cancelled_registration_is_refused(client, cast, edition, category, afternoon):
    registration = person(edition, category)
    capacity.cancel(registration)

    answer = refused(client, cast, registration, {"workshops": [afternoon[0].pk]})

    assert answer["code"] == "registration_cancelled"
    assert not WorkshopChoice.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"workshops": "1"},
        {"workshops": {"id": 1}},
        {"workshops": ["1"]},
        {"workshops": [1.5]},
        {"workshops": [True]},
        {"workshops": [None]},
        {"workshops": [0]},
        {"workshops": [2**64 + 1]},
        {"workshops": list(range(1, 52))},
        {},
        [1],
    ],
    ids=[
        "string",
        "object",
        "string-item",
        "float-item",
        "boolean-item",
        "null-item",
        "zero",
        "huge",
        "too-many",
        "missing",
        "list-body",
    ],
)
def test_bad_bodies_are_422_and_change_nothing(client, cast, edition, category, afternoon, body):
    registration = person(edition, category)
    workshops.set_choices(registration, [afternoon[0]])

    answer = refused(client, cast, registration, body)

    assert answer["code"] == "invalid"


def test_unknown_registration_is_404(client, cast, edition):
    for registration_id in (999_999, 2**40):
        response = call(client, "get", choices_url(registration_id), cast.organiser)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        response = call(
            client, "put", choices_url(registration_id), cast.organiser, {"workshops": []}
        )
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_without_a_token_401_and_without_the_right_403_and_nothing_changes(
    client, cast, edition, category, afternoon
):
    registration = person(edition, category)
    workshops.set_choices(registration, [afternoon[0]])
    body = {"workshops": [afternoon[2].pk]}
    url = choices_url(registration.pk)

    assert call(client, "get", url).status_code == 401
    assert call(client, "put", url, body=body).status_code == 401
    for user in (cast.viewer, cast.editor, cast.agent, cast.other_organiser, cast.outsider):
        assert call(client, "get", url, user).status_code == 403
        assert call(client, "put", url, user, body).status_code == 403
    assert state(registration) == [(afternoon[0].pk, WorkshopChoiceStatus.CONFIRMED)]
