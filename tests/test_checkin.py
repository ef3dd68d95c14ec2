"""The check-in rule (admission.checkin.admit): verdicts, retries, offline merges."""

import datetime as dt

import pytest
from django.utils import translation

from admission import checkin, tickets
from admission.checkin import admit, opens_at
from admission.enums import CheckInResult
from admission.models import CheckIn
from events.models import PARIS
from registrations.capacity import cancel
from registrations.enums import RegistrationStatus
from tests.factories import (
    EditionFactory,
    EntranceFactory,
    OrganisationFactory,
    RegistrationFactory,
    UserFactory,
)

ADMITTED = CheckInResult.ADMITTED
ALREADY = CheckInResult.ALREADY_ADMITTED


@pytest.fixture
def edition(db):
    return EditionFactory(date=dt.date(2026, 9, 19))


@pytest.fixture
def door(edition):
    return EntranceFactory(edition=edition, name="Entrée A, rue de Bercy", slug="a")


@pytest.fixture
def agent(db):
    return UserFactory(username="agent-a", first_name="Dominique", last_name="Accueil")


@pytest.fixture
def person(edition):
    return RegistrationFactory(
        edition=edition,
        first_name="Camille",
        last_name="Exemple",
        organisation=OrganisationFactory(name="Pôle Exemple"),
        accessibility_needs="Fauteuil roulant",
    )


def at(hour, minute=0, day=19):
    return dt.datetime(2026, 9, day, hour, minute, tzinfo=PARIS)


def scan(edition, door, agent, nonce, *, now=None, **kwargs):
    kwargs.setdefault("id_checked", True)
    return admit(edition, entrance=door, agent=agent, nonce=nonce, now=now or at(9, 42), **kwargs)


def admissions(edition):
    return CheckIn.objects.filter(edition=edition, result=ADMITTED).count()


def test_first_scan_of_a_valid_ticket_admits_and_records_it(edition, door, agent, person):
    verdict = scan(edition, door, agent, "n1", ticket=tickets.token_for(person))

    assert verdict.result == ADMITTED
    assert verdict.registration == person
    assert verdict.replayed is False
    assert verdict.first_admission is None
    with translation.override("en"):
        assert verdict.message == "Admitted."
    row = CheckIn.objects.get()
    assert (row.registration, row.entrance, row.agent, row.nonce, row.result) == (
        person,
        door,
        agent,
        "n1",
        ADMITTED,
    )
    assert row.id_checked is True
    assert row.scanned_at == row.received_at == at(9, 42)


def test_second_scan_is_already_admitted_with_when_where_and_by_whom(edition, door, agent, person):
    token = tickets.token_for(person)
    scan(edition, door, agent, "n1", ticket=token, now=at(9, 42))
    other_door = EntranceFactory(edition=edition, name="Entrée B", slug="b")
    other_agent = UserFactory(username="agent-b")

    verdict = scan(edition, other_door, other_agent, "n2", ticket=token, now=at(10, 5))

    assert verdict.result == ALREADY
    assert verdict.first_admission.entrance == door
    assert verdict.first_admission.agent == agent
    assert verdict.first_admission.scanned_at == at(9, 42)
    with translation.override("en"):
        assert verdict.message == (
            "Already admitted at 9:42 a.m., Entrée A, rue de Bercy, by Dominique Accueil."
        )
    assert list(CheckIn.objects.values_list("nonce", "result")) == [
        ("n1", ADMITTED),
        ("n2", ALREADY),
    ]


def test_retry_with_the_same_nonce_answers_the_stored_verdict_and_records_nothing(
    edition, door, agent, person
):
    token = tickets.token_for(person)
    first = scan(edition, door, agent, "n1", ticket=token)

    again = scan(edition, door, agent, "n1", ticket=token, now=at(9, 50))

    assert again.result == ADMITTED
    assert again.replayed is True
    assert again.checkin.pk == first.checkin.pk
    assert CheckIn.objects.count() == 1


def test_retry_of_a_duplicate_still_names_the_first_admission(edition, door, agent, person):
    token = tickets.token_for(person)
    scan(edition, door, agent, "n1", ticket=token)
    scan(edition, door, agent, "n2", ticket=token)

    again = scan(edition, door, agent, "n2", ticket=token)

    assert (again.result, again.replayed) == (ALREADY, True)
    assert again.first_admission.nonce == "n1"
    assert CheckIn.objects.count() == 2


def test_a_refusal_s_nonce_sent_again_with_the_id_now_checked_is_refused_as_reused(
    edition, door, agent, person
):
    token = tickets.token_for(person)
    scan(edition, door, agent, "n1", ticket=token, id_checked=False)

    with pytest.raises(checkin.NonceReused):
        scan(edition, door, agent, "n1", ticket=token, id_checked=True)

    assert admissions(edition) == 0
    assert CheckIn.objects.count() == 1


def test_unchecked_id_is_refused_and_logged_then_a_new_scan_admits(edition, door, agent, person):
    token = tickets.token_for(person)

    refused = scan(edition, door, agent, "n1", ticket=token, id_checked=False)
    admitted = scan(edition, door, agent, "n2", ticket=token)

    assert refused.result == CheckInResult.ID_MISMATCH
    assert refused.registration == person
    assert admitted.result == ADMITTED
    assert list(CheckIn.objects.values_list("result", "id_checked")) == [
        (CheckInResult.ID_MISMATCH, False),
        (ADMITTED, True),
    ]


@pytest.mark.parametrize(
    "garbage",
    ["", "hello", "P1" + "A" * 114, "https://example.org/?x=1", "P1\x00" * 40, "é" * 116],
)
def test_garbage_and_truncated_tokens_are_invalid_tickets(edition, door, agent, garbage):
    verdict = scan(edition, door, agent, "n1", ticket=garbage)

    assert verdict.result == CheckInResult.INVALID_TICKET
    assert verdict.registration is None
    assert admissions(edition) == 0


def test_truncated_and_altered_real_tokens_are_invalid_tickets(edition, door, agent, person):
    token = tickets.token_for(person)
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert scan(edition, door, agent, "n1", ticket=token[:-5]).result == (
        CheckInResult.INVALID_TICKET
    )
    assert scan(edition, door, agent, "n2", ticket=altered).result == (CheckInResult.INVALID_TICKET)
    assert admissions(edition) == 0


def test_another_editions_ticket_is_wrong_edition(edition, door, agent):
    elsewhere = RegistrationFactory(edition=EditionFactory())

    verdict = scan(edition, door, agent, "n1", ticket=tickets.token_for(elsewhere))

    assert verdict.result == CheckInResult.WRONG_EDITION
    assert verdict.registration is None
    assert CheckIn.objects.filter(registration=elsewhere).count() == 0


def test_cancelled_registration_is_revoked_even_with_its_old_genuine_ticket(
    edition, door, agent, person
):
    token = tickets.token_for(person)
    cancel(person)

    verdict = scan(edition, door, agent, "n1", ticket=token)

    assert verdict.result == CheckInResult.REVOKED
    assert verdict.registration == person
    assert admissions(edition) == 0


def test_ticket_before_the_day_is_not_open_and_it_opens_at_midnight_paris_time(
    edition, door, agent, person
):
    token = tickets.token_for(person)

    early = scan(edition, door, agent, "n1", ticket=token, now=at(23, 59, day=18))
    on_time = scan(edition, door, agent, "n2", ticket=token, now=at(0, 0))

    assert opens_at(edition) == at(0, 0)
    assert early.result == CheckInResult.NOT_OPEN
    assert on_time.result == ADMITTED


def test_registration_found_by_name_is_admitted_by_number(edition, door, agent, person):
    assert scan(edition, door, agent, "n1", registration=person.pk).result == ADMITTED
    assert scan(edition, door, agent, "n2", registration=person).result == ALREADY


@pytest.mark.parametrize("number", [0, -1, 2**31, 10**30, 999_999])
def test_registration_number_naming_nobody_is_unknown(edition, door, agent, number):
    verdict = scan(edition, door, agent, "n1", registration=number)

    assert verdict.result == CheckInResult.UNKNOWN_TICKET
    assert CheckIn.objects.get().registration is None


def test_registration_of_another_edition_or_without_a_seat_is_refused(edition, door, agent):
    elsewhere = RegistrationFactory(edition=EditionFactory())
    waiting = RegistrationFactory(
        edition=edition, status=RegistrationStatus.WAITLISTED, confirmed_at=None
    )

    assert scan(edition, door, agent, "n1", registration=elsewhere.pk).result == (
        CheckInResult.WRONG_EDITION
    )
    assert scan(edition, door, agent, "n2", registration=waiting.pk).result == (
        CheckInResult.REVOKED
    )
    assert admissions(edition) == 0


def test_offline_scans_merge_in_the_order_received_not_by_device_time(edition, door, agent, person):
    token = tickets.token_for(person)
    door_b = EntranceFactory(edition=edition, name="Entrée B", slug="b")

    # Device B scanned later (09:50) but synced first; device A scanned at 09:30.
    first = scan(edition, door_b, agent, "b-1", ticket=token, scanned_at=at(9, 50), now=at(10))
    later = scan(edition, door, agent, "a-1", ticket=token, scanned_at=at(9, 30), now=at(10, 1))

    assert first.result == ADMITTED
    assert later.result == ALREADY
    assert later.checkin.scanned_at == at(9, 30)
    assert later.first_admission.scanned_at == at(9, 50)
    assert later.first_admission.entrance == door_b
    assert later.checkin.received_at == at(10, 1)


def test_entrance_of_another_edition_is_a_programming_error(edition, agent, person):
    elsewhere = EntranceFactory(edition=EditionFactory())

    with pytest.raises(ValueError, match="another edition"):
        scan(edition, elsewhere, agent, "n1", ticket=tickets.token_for(person))
    assert CheckIn.objects.count() == 0


def test_neither_or_both_ticket_and_registration_is_a_programming_error(
    edition, door, agent, person
):
    with pytest.raises(ValueError, match="either a ticket"):
        scan(edition, door, agent, "n1")
    with pytest.raises(ValueError, match="either a ticket"):
        scan(edition, door, agent, "n1", ticket=tickets.token_for(person), registration=person)
    assert CheckIn.objects.count() == 0


def test_nonces_are_per_edition(edition, door, agent, person):
    other = EditionFactory(date=dt.date(2026, 9, 19))
    other_person = RegistrationFactory(edition=other)
    other_door = EntranceFactory(edition=other)

    scan(edition, door, agent, "same", ticket=tickets.token_for(person))
    verdict = scan(other, other_door, agent, "same", ticket=tickets.token_for(other_person))

    assert (verdict.result, verdict.replayed) == (ADMITTED, False)
