"""A scan's device time: refused outside its window, and every page that reads scans still
reads one stored at either end; the migration repairs a time stored before the API checked.

On PostgreSQL, a moment before year 1 is stored but cannot be read back by psycopg: one such
scan used to break the scan log, the exports and the person's pages for good.
"""

import datetime as dt
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from accounts.enums import AuditAction
from accounts.models import ApiToken, AuditEntry
from admission import checkin, tickets
from admission.models import CheckIn
from registrations import links
from tests.auth import log_in
from tests.factories import EntranceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(cast):
    """The cast's edition, today: check-in is open, scans of today are in their window."""
    edition = cast.edition
    edition.date = timezone.localdate()
    edition.save()
    EntranceFactory(edition=edition, slug="a", name="Entrée A")
    return edition


def post_scan(edition, user, registration, scanned_at, nonce):
    return Client().post(
        f"/api/v1/editions/{edition.slug}/checkins",
        json.dumps(
            {
                "ticket": tickets.token_for(registration),
                "entrance": "a",
                "nonce": nonce,
                "id_checked": True,
                "scanned_at": scanned_at,
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user)[1]}",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def window(edition):
    """The window's ends, to the second (as a device sends its times)."""
    earliest, latest = checkin.scan_window(edition, timezone.now())
    return (
        timezone.localtime(earliest).replace(microsecond=0),
        timezone.localtime(latest).replace(microsecond=0),
    )


@pytest.mark.parametrize(
    "scanned_at",
    [
        "0001-01-01T00:00:00",
        "0000-12-31T23:59:59",
        "9999-12-31T23:59:59-12:00",
        "10000-01-01T00:00:00",
        "1899-12-31T23:59:59+01:00",
        "2014-09-19T09:30:00+02:00",
        "tomorrow",
        "2026-02-30T10:00:00",
        "2026-12-06",
        "20261206T100000",
    ],
)
def test_a_scan_time_outside_the_window_or_not_iso_is_422_naming_the_field(
    cast, edition, scanned_at
):
    person = RegistrationFactory(edition=edition)

    response = post_scan(edition, cast.agent, person, scanned_at, "n1")

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", "payload", "scanned_at"]
    assert error["msg"].startswith("“scanned_at” must be")
    assert CheckIn.objects.count() == 0


def test_one_second_beyond_either_end_of_the_window_is_refused(cast, edition):
    earliest, latest = window(edition)
    person = RegistrationFactory(edition=edition)

    before = post_scan(
        edition, cast.agent, person, (earliest - dt.timedelta(seconds=1)).isoformat(), "n1"
    )
    # The server's clock moves on during the test: a minute beyond its window's end.
    after = post_scan(
        edition, cast.agent, person, (latest + dt.timedelta(minutes=1)).isoformat(), "n2"
    )

    assert (before.status_code, after.status_code) == (422, 422)
    assert before.json()["errors"][0]["type"] == "scanned_at_out_of_range"
    assert f"between {earliest.isoformat()} and " in before.json()["errors"][0]["msg"]
    assert CheckIn.objects.count() == 0


def test_scans_at_both_ends_of_the_window_are_read_back_by_every_page(cast, edition):
    earliest, latest = window(edition)
    first = RegistrationFactory(edition=edition, first_name="Camille", last_name="Exemple")
    last = RegistrationFactory(edition=edition, first_name="Dominique", last_name="Exemple")

    answers = [
        post_scan(edition, cast.agent, first, earliest.isoformat(), "n1"),
        post_scan(edition, cast.agent, last, latest.isoformat(), "n2"),
    ]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert [answer.json()["result"] for answer in answers] == ["admitted", "admitted"]
    stored = dict(CheckIn.objects.values_list("registration_id", "scanned_at"))
    assert stored == {first.pk: earliest, last.pk: latest}
    organiser = log_in(Client(), cast.organiser)
    token = ApiToken.issue(cast.organiser)[1]
    log = Client().get(
        f"/api/v1/editions/{edition.slug}/checkins", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert log.status_code == 200
    assert [item["scanned_at"] for item in log.json()["items"]] == [
        earliest.isoformat(),
        latest.isoformat(),
    ]
    base = f"/journees/{edition.slug}/gestion/"
    for address in (
        base + "exports/inscriptions/?format=csv",
        base + "exports/inscriptions/?format=xlsx",
        base + f"donnees-personnelles/{first.pk}/copie/",
        base + f"donnees-personnelles/{last.pk}/copie/",
        base + "presence/",
        base + "inscriptions/",
        base + f"inscriptions/{first.pk}/",
    ):
        assert organiser.get(address).status_code == 200, address
    attendee = Client()
    for person in (first, last):
        token = links.manage_token(person)
        for address in (
            f"/inscription/{token}/",
            f"/inscription/{token}/mes-donnees/",
            f"/inscription/{token}/billet/",
            f"/inscription/{token}/billet.pdf",
        ):
            assert attendee.get(address).status_code == 200, address
    again = post_scan(edition, cast.agent, first, earliest.isoformat(), "n3")
    assert (again.status_code, again.json()["result"]) == (200, "already_admitted")


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_an_out_of_range_stored_scan_into_a_readable_one(cast, edition):
    executor = MigrationExecutor(connection)
    executor.migrate([("admission", "0004_checkin_request_digest")])
    person = RegistrationFactory(edition=edition)
    other = RegistrationFactory(edition=edition)
    door = edition.entrances.only("pk").get()
    bad, good = (
        CheckIn.objects.create(
            edition=edition,
            registration=registration,
            entrance=door,
            agent=cast.agent,
            nonce=nonce,
            result="admitted",
            id_checked=True,
            scanned_at=timezone.now(),
        )
        for registration, nonce in ((person, "n1"), (other, "n2"))
    )
    table = connection.ops.quote_name(CheckIn._meta.db_table)
    # What the API used to store for "0001-01-01T00:00:00" (Paris time before 1911 is 9 min
    # 21 s ahead of UTC): a moment before year 1, which psycopg cannot read back.
    if connection.vendor == "postgresql":
        value = "0001-01-01 00:00:00+00:09:21"
    else:
        value = "0000-12-31 23:50:39"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET scanned_at = %s WHERE id = %s", [value, bad.pk])  # noqa: S608

    executor.loader.build_graph()
    executor.migrate([("admission", "0005_repair_scan_times")])

    assert dict(CheckIn.objects.values_list("pk", "scanned_at")) == {
        bad.pk: bad.received_at,
        good.pk: good.scanned_at,
    }
    entry = AuditEntry.objects.get(action=AuditAction.REPAIR)
    assert (entry.actor, entry.edition, entry.people) == ("system", edition, 0)
    [repaired] = entry.detail["checkins"]
    assert repaired["id"] == bad.pk
    # As each database writes it: year 1 before Christ is PostgreSQL's year 0.
    assert repaired["scanned_at"] in {"0001-12-31 23:50:39+00 BC", "0000-12-31 23:50:39"}
    export = log_in(Client(), cast.organiser).get(
        f"/journees/{edition.slug}/gestion/exports/inscriptions/?format=csv"
    )
    assert export.status_code == 200
