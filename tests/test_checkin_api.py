"""The check-in API: scans from door devices (token or session), the offline download, the
organisers' log. Permissions with the cast, every bad input, nothing changed on refusal."""

import datetime as dt
import json
import re
import urllib.parse

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from accounts.models import ApiToken
from admission import codes, keys, tickets
from admission.models import CheckIn
from registrations.capacity import cancel
from registrations.enums import RegistrationStatus
from tests.auth import log_in
from tests.factories import (
    EntranceFactory,
    OrganisationFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db

CSRF_SECRET = "a" * 32


@pytest.fixture
def edition(cast):
    """The cast's edition, taking place today: check-in is open."""
    edition = cast.edition
    edition.date = timezone.localdate()
    edition.save()
    return edition


@pytest.fixture
def door(edition):
    return EntranceFactory(edition=edition, name="Entrée A", slug="a", position=1)


@pytest.fixture
def person(edition):
    return RegistrationFactory(
        edition=edition,
        first_name="Camille",
        last_name="Exemple",
        organisation=OrganisationFactory(name="Pôle Exemple"),
        accessibility_needs="Fauteuil roulant",
        birth_date=dt.date(1990, 1, 2),
    )


def url(edition, what="checkins"):
    return f"/api/v1/editions/{edition.slug}/{what}"


def call(client, method, path, user=None, body=None, *, raw=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user)[1]}"
    if method == "post":
        data = raw if raw is not None else json.dumps(body)
        return client.post(path, data=data, content_type="application/json", **headers)
    return client.get(path, **headers)


def scan(client, edition, user, **body):
    body.setdefault("entrance", "a")
    body.setdefault("id_checked", True)
    return call(client, "post", url(edition), user, body)


def admissions():
    return CheckIn.objects.filter(result="admitted").count()


def test_agent_admits_a_ticket_and_sees_what_the_screen_shows(client, cast, door, person):
    response = scan(client, cast.edition, cast.agent, ticket=tickets.token_for(person), nonce="n1")

    assert response.status_code == 200
    body = response.json()
    assert re.fullmatch(r"checkin;dur=\d+\.\d", response["Server-Timing"])
    assert body["result"] == "admitted"
    assert body["message"] == "Admitted."
    assert body["replayed"] is False
    assert body["scanned_at"] == body["received_at"]
    assert body["attendee"] == {
        "id": person.pk,
        "public_id": str(person.public_id),
        "first_name": "Camille",
        "last_name": "Exemple",
        "category": person.category.name,
        "organisation": "Pôle Exemple",
        "attention_note": "Fauteuil roulant",
    }
    assert body["first_admission"] is None
    assert admissions() == 1


def test_second_scan_says_already_admitted_when_where_by_whom(client, cast, door, person):
    cast.agent.first_name, cast.agent.last_name = "Dominique", "Accueil"
    cast.agent.save()
    token = tickets.token_for(person)
    first = scan(client, cast.edition, cast.agent, ticket=token, nonce="n1").json()
    EntranceFactory(edition=cast.edition, slug="b", name="Entrée B")

    body = scan(client, cast.edition, cast.organiser, ticket=token, nonce="n2", entrance="b")

    body = body.json()
    assert body["result"] == "already_admitted"
    assert body["first_admission"] == {
        "scanned_at": first["scanned_at"],
        "received_at": first["received_at"],
        "entrance": {"slug": "a", "name": "Entrée A"},
        "agent": "Dominique Accueil",
    }
    moment = dt.datetime.fromisoformat(first["scanned_at"])
    with translation.override("en"):
        time = formats.time_format(moment)  # "9:42 a.m."
    assert body["message"] == f"Already admitted at {time}, Entrée A, by Dominique Accueil."
    assert admissions() == 1


def test_retried_upload_answers_the_first_verdict_and_records_nothing(client, cast, door, person):
    token = tickets.token_for(person)
    first = scan(client, cast.edition, cast.agent, ticket=token, nonce="n1").json()

    again = scan(client, cast.edition, cast.agent, ticket=token, nonce="n1").json()

    assert again == {**first, "replayed": True}
    assert CheckIn.objects.count() == 1


def test_offline_scan_keeps_the_device_time_and_duplicates_show_both(client, cast, door, person):
    token = tickets.token_for(person)
    # Earlier today (or late yesterday, within the margin around the day): never ahead of the
    # server's clock, whatever time the test runs.
    device_b = timezone.localtime().replace(microsecond=0) - dt.timedelta(minutes=20)
    device_a = device_b - dt.timedelta(minutes=20)

    first = scan(
        client, cast.edition, cast.agent, ticket=token, nonce="b1", scanned_at=device_b.isoformat()
    ).json()
    later = scan(
        client, cast.edition, cast.agent, ticket=token, nonce="a1", scanned_at=device_a.isoformat()
    ).json()

    assert first["result"] == "admitted"
    assert dt.datetime.fromisoformat(first["scanned_at"]) == device_b
    assert later["result"] == "already_admitted"
    assert dt.datetime.fromisoformat(later["scanned_at"]) == device_a
    assert dt.datetime.fromisoformat(later["first_admission"]["scanned_at"]) == device_b


def test_scan_time_without_an_offset_is_paris_time(client, cast, door, person):
    device = timezone.localtime().replace(microsecond=0) - dt.timedelta(minutes=5)

    body = scan(
        client,
        cast.edition,
        cast.agent,
        ticket=tickets.token_for(person),
        nonce="n1",
        scanned_at=device.replace(tzinfo=None).isoformat(),
    ).json()

    assert body["scanned_at"] == device.isoformat()


def test_registration_found_by_name_is_admitted_by_its_number(client, cast, door, person):
    body = scan(client, cast.edition, cast.agent, registration=person.pk, nonce="n1").json()

    assert body["result"] == "admitted"
    assert body["attendee"]["public_id"] == str(person.public_id)


def test_session_of_the_check_in_app_works_with_its_csrf_token(cast, door, person):
    client = Client(enforce_csrf_checks=True)
    log_in(client, cast.agent)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    body = json.dumps(
        {"ticket": tickets.token_for(person), "nonce": "n1", "entrance": "a", "id_checked": True}
    )

    refused = client.post(url(cast.edition), data=body, content_type="application/json")
    admitted = client.post(
        url(cast.edition),
        data=body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=CSRF_SECRET,
    )

    assert refused.status_code == 403
    assert admitted.status_code == 200
    assert admitted.json()["result"] == "admitted"
    assert admissions() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outsider", 403),
        ("viewer", 403),
        ("editor", 403),
        ("other_organiser", 403),
        (None, 401),
    ],
)
def test_only_agents_and_organisers_of_the_edition_may_scan(
    client, cast, door, person, who, status
):
    user = getattr(cast, who) if who else None

    response = scan(client, cast.edition, user, ticket=tickets.token_for(person), nonce="n1")

    assert response.status_code == status
    assert CheckIn.objects.count() == 0


def test_agent_narrowed_to_another_edition_may_not_scan_or_download(client, cast):
    edition = cast.edition_two
    edition.date = timezone.localdate()
    edition.save()
    EntranceFactory(edition=edition, slug="a")
    registration = RegistrationFactory(edition=edition)

    scanned = scan(client, edition, cast.agent, ticket=tickets.token_for(registration), nonce="n")
    downloaded = call(client, "get", url(edition, "checkin-data"), cast.agent)

    assert (scanned.status_code, downloaded.status_code) == (403, 403)
    assert CheckIn.objects.count() == 0


def test_unknown_edition_is_404(client, cast):
    response = call(
        client,
        "post",
        "/api/v1/editions/nope/checkins",
        cast.agent,
        {"nonce": "n", "registration": 1, "entrance": "a", "id_checked": True},
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_organiser_may_scan(client, cast, door, person):
    response = scan(
        client, cast.edition, cast.organiser, ticket=tickets.token_for(person), nonce="n"
    )

    assert response.json()["result"] == "admitted"


@pytest.mark.parametrize(
    "ticket",
    [
        "",
        "garbage from the camera",
        "P1" + "A" * 114,
        "WIFI:S:venue;T:WPA;P:secret;;",
        "\x01\x02\x03",
        "\ufffd" * 3,
        "😀" * 50,
        "7" * 7089,
    ],
)
def test_garbage_from_the_camera_is_an_invalid_ticket(client, cast, door, ticket):
    body = scan(client, cast.edition, cast.agent, ticket=ticket, nonce="n1").json()

    assert body["result"] == "invalid_ticket"
    assert body["attendee"] is None
    assert admissions() == 0


@pytest.mark.parametrize("ticket", ["\x00\x01\x02", "P1\ud800"])
def test_characters_no_database_stores_are_422_naming_the_field(client, cast, door, ticket):
    response = scan(client, cast.edition, cast.agent, ticket=ticket, nonce="n1")

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["loc"], error["type"]) == (["body", "ticket"], "unstorable_character")
    assert CheckIn.objects.count() == 0


def test_forged_truncated_cancelled_and_other_edition_tickets_each_get_their_result(
    client, cast, door, person
):
    token = tickets.token_for(person)
    elsewhere = RegistrationFactory(edition=cast.edition_two)
    cancelled = RegistrationFactory(edition=cast.edition)
    cancelled_token = tickets.token_for(cancelled)
    cancel(cancelled)
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BA")

    results = [
        scan(client, cast.edition, cast.agent, ticket=ticket, nonce=f"n{index}").json()["result"]
        for index, ticket in enumerate(
            [forged, token[:50], cancelled_token, tickets.token_for(elsewhere)]
        )
    ]

    assert results == ["invalid_ticket", "invalid_ticket", "revoked", "wrong_edition"]
    assert admissions() == 0


def test_registration_numbers_naming_nobody_are_unknown_tickets(client, cast, door):
    elsewhere = RegistrationFactory(edition=cast.edition_two)

    results = [
        scan(client, cast.edition, cast.agent, registration=number, nonce=f"n{index}").json()[
            "result"
        ]
        for index, number in enumerate([0, -5, 2**31, 10**40, elsewhere.pk])
    ]

    assert results == [
        "unknown_ticket",
        "unknown_ticket",
        "unknown_ticket",
        "unknown_ticket",
        "wrong_edition",
    ]
    assert admissions() == 0


def test_unchecked_id_is_refused_and_logged(client, cast, door, person):
    body = scan(
        client,
        cast.edition,
        cast.agent,
        ticket=tickets.token_for(person),
        nonce="n1",
        id_checked=False,
    ).json()

    assert body["result"] == "id_mismatch"
    assert body["message"] == "Refused: the ID does not match the names registered."
    assert list(CheckIn.objects.values_list("result", "id_checked")) == [("id_mismatch", False)]


def test_scan_before_the_day_is_not_open(client, cast):
    edition = cast.edition
    edition.date = timezone.localdate() + dt.timedelta(days=1)
    edition.save()
    EntranceFactory(edition=edition, slug="a")
    registration = RegistrationFactory(edition=edition)

    body = scan(client, edition, cast.agent, ticket=tickets.token_for(registration), nonce="n")

    assert body.json()["result"] == "not_open"
    assert admissions() == 0


def test_unknown_entrance_is_refused_on_that_field(client, cast, door, person):
    other_door = EntranceFactory(edition=cast.edition_two, slug="b")

    response = scan(
        client,
        cast.edition,
        cast.agent,
        ticket=tickets.token_for(person),
        nonce="n1",
        entrance=other_door.slug,
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "loc": ["body", "payload", "entrance"],
            "msg": "This edition has no such entrance.",
            "type": "unknown_entrance",
        }
    ]
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"nonce": "n1"}, None),
        ({"nonce": "n1", "registration": 1, "ticket": "x"}, None),
        ({"nonce": "", "registration": 1}, "nonce"),
        ({"nonce": "x" * 65, "registration": 1}, "nonce"),
        ({"nonce": "n\n1", "registration": 1}, "nonce"),
        ({"nonce": "n1", "registration": 1, "id_checked": "maybe"}, "id_checked"),
        ({"nonce": "n1", "registration": "one"}, "registration"),
        ({"nonce": "n1", "registration": 1, "scanned_at": "yesterday"}, "scanned_at"),
        ({"nonce": "n1", "ticket": "x" * 7090}, "ticket"),
        ({"nonce": "n1", "registration": 1, "entrance": "a" * 41}, "entrance"),
        ({"nonce": ["n1"], "registration": 1}, "nonce"),
    ],
)
def test_malformed_scans_are_422_and_change_nothing(client, cast, door, person, body, field):
    response = scan(client, cast.edition, cast.agent, **body)

    assert response.status_code == 422
    errors = response.json()["errors"]
    if field:
        assert [error["loc"][-1] for error in errors] == [field]
    assert CheckIn.objects.count() == 0


def test_body_that_is_not_json_is_400(client, cast, door):
    response = call(client, "post", url(cast.edition), cast.agent, raw="{not json")

    assert response.status_code == 400
    assert CheckIn.objects.count() == 0


def test_offline_download_has_only_what_the_screen_needs(client, cast, door, person):
    EntranceFactory(edition=cast.edition, slug="b", name="Entrée B", position=2)
    # Cancelled before anyone waits: before 9:30 registration is still open on the day, and
    # the freed seat would go to the waiting person.
    gone = RegistrationFactory(edition=cast.edition)
    cancel(gone)
    waiting = RegistrationFactory(
        edition=cast.edition, status=RegistrationStatus.WAITLISTED, confirmed_at=None
    )
    RegistrationFactory(edition=cast.edition_two)

    response = call(client, "get", url(cast.edition, "checkin-data"), cast.agent)

    assert response.status_code == 200
    body = response.json()
    assert body["edition"] == cast.edition.slug
    assert body["public_key"] == keys.public_key_b64(cast.edition)
    assert body["entrances"] == [
        {"slug": "a", "name": "Entrée A"},
        {"slug": "b", "name": "Entrée B"},
    ]
    assert body["attendees"] == [
        {
            "id": person.pk,
            "public_id": str(person.public_id),
            "first_name": "Camille",
            "last_name": "Exemple",
            "category": person.category.name,
            "organisation": "Pôle Exemple",
            "attention_note": "Fauteuil roulant",
            # Not the short code: its 20-bit tag (tests/test_ticket_codes.py).
            "code_tag": codes.tag(
                codes.tag_key(cast.edition), codes.normalise(codes.code_for(person))
            ),
        }
    ]
    assert body["rehearsal"] is False
    assert body["session"] == "day"
    assert body["revoked"] == [str(gone.public_id)]
    assert str(waiting.public_id) not in json.dumps(body)
    assert "email" not in json.dumps(body)
    assert body["admitted"] == []
    assert body["edition_id"] == cast.edition.pk
    assert body["counts"] == {
        "expected": 1,
        "admitted": 0,
        "entrances": [
            {"slug": "a", "name": "Entrée A", "admitted": 0},
            {"slug": "b", "name": "Entrée B", "admitted": 0},
        ],
    }


def test_offline_download_since_gives_only_the_changes(client, cast, door, person):
    token = tickets.token_for(person)
    first = call(client, "get", url(cast.edition, "checkin-data"), cast.agent).json()
    newcomer = RegistrationFactory(edition=cast.edition)
    scan(client, cast.edition, cast.agent, ticket=token, nonce="n1")

    since = urllib.parse.quote(first["generated_at"])
    changes = call(
        client, "get", url(cast.edition, "checkin-data") + f"?since={since}", cast.agent
    ).json()

    assert [attendee["public_id"] for attendee in changes["attendees"]] == [str(newcomer.public_id)]
    assert changes["admitted"] == [str(person.public_id)]
    assert changes["revoked"] == []
    # The counters always come whole.
    assert changes["counts"]["expected"] == 2
    assert changes["counts"]["admitted"] == 1
    assert changes["counts"]["entrances"][0]["admitted"] == 1


def test_offline_download_with_a_bad_since_is_422(client, cast, door):
    response = call(client, "get", url(cast.edition, "checkin-data") + "?since=soon", cast.agent)

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "since"]


def test_offline_download_queries_do_not_grow_with_attendees(client, cast, door):
    token = ApiToken.issue(cast.agent)[1]
    path = url(cast.edition, "checkin-data")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
        return len(captured)

    RegistrationFactory(edition=cast.edition, organisation=OrganisationFactory())
    queries()  # the first download creates the edition's key and marks the token used
    one = queries()
    RegistrationFactory.create_batch(2, edition=cast.edition, organisation=OrganisationFactory())
    three = queries()

    assert one == three


def test_organiser_reads_the_log_in_order_received(client, cast, door, person):
    token = tickets.token_for(person)
    scan(client, cast.edition, cast.agent, ticket=token, nonce="n1", id_checked=False)
    scan(client, cast.edition, cast.agent, ticket=token, nonce="n2")
    scan(client, cast.edition, cast.agent, ticket="garbage", nonce="n3")

    response = call(client, "get", url(cast.edition), cast.organiser)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [
        (item["nonce"], item["result"], item["registration"], item["attendee"], item["entrance"])
        for item in body["items"]
    ] == [
        ("n1", "id_mismatch", person.pk, "Camille Exemple", "a"),
        ("n2", "admitted", person.pk, "Camille Exemple", "a"),
        ("n3", "invalid_ticket", None, "", "a"),
    ]
    assert body["items"][1]["agent"] == "agent"


def test_log_filters_by_result_and_entrance_and_paginates(client, cast, door, person):
    token = tickets.token_for(person)
    for index in range(3):
        scan(client, cast.edition, cast.agent, ticket=token, nonce=f"n{index}")
    path = url(cast.edition)

    duplicates = call(client, "get", path + "?result=already_admitted&limit=1", cast.organiser)
    at_door = call(client, "get", path + "?entrance=a&offset=2", cast.organiser)
    unknown = call(client, "get", path + "?entrance=zz", cast.organiser)

    assert [item["nonce"] for item in duplicates.json()["items"]] == ["n1"]
    assert duplicates.json()["count"] == 2
    assert [item["nonce"] for item in at_door.json()["items"]] == ["n2"]
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["query", "entrance"]


@pytest.mark.parametrize("who", ["agent", "viewer", "editor", "other_organiser"])
def test_log_needs_personal_data_rights(client, cast, door, who):
    response = call(client, "get", url(cast.edition), getattr(cast, who))

    assert response.status_code == 403


def test_log_queries_do_not_grow_with_scans(client, cast, door):
    token = ApiToken.issue(cast.organiser)[1]
    people = RegistrationFactory.create_batch(3, edition=cast.edition)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert (
                client.get(url(cast.edition), HTTP_AUTHORIZATION=f"Bearer {token}").status_code
                == 200
            )
        return len(captured)

    scan(client, cast.edition, cast.agent, registration=people[0].pk, nonce="n0")
    queries()  # the first call marks the token used
    one = queries()
    for index in (1, 2):
        scan(client, cast.edition, cast.agent, registration=people[index].pk, nonce=f"n{index}")
    three = queries()

    assert one == three


def test_scan_answer_never_carries_the_date_of_birth(client, cast, door, person):
    body = scan(client, cast.edition, cast.agent, ticket=tickets.token_for(person), nonce="n")

    assert "1990" not in body.content.decode()
