"""Reconfirmation before the security list's final deadline: "are you still coming?"."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from outbox.models import Message
from registrations import attendees
from registrations.capacity import cancel, register
from registrations.enums import RegistrationStatus
from registrations.tasks import write_reconfirmations
from tests.auth import log_in
from tests.factories import CategoryFactory, EditionFactory

NOW = timezone.now().replace(microsecond=0)
DEADLINE = NOW + dt.timedelta(days=10)
ASK_FROM = DEADLINE - dt.timedelta(days=7)


@pytest.fixture
def edition(db):
    return EditionFactory(
        title="Journée Exemple",
        capacity=2,
        date=(NOW + dt.timedelta(days=20)).date(),
        registration_opens_at=NOW - dt.timedelta(days=5),
        security_list_final_deadline=DEADLINE,
        reconfirmation_days=7,
    )


@pytest.fixture
def category(edition):
    return CategoryFactory(edition=edition, name="Participant")


def sign_up(edition, category, n, **kwargs):
    return register(
        edition,
        category=category,
        first_name=f"Personne{n}",
        last_name="Exemple",
        email=f"personne{n}@example.org",
        language="en",
        now=NOW - dt.timedelta(days=1),
        **kwargs,
    )


def reconfirmations():
    return sorted(
        Message.objects.filter(kind="registrations.reconfirmation").values_list(
            "recipient", flat=True
        )
    )


def test_confirmed_people_are_asked_once_from_the_set_day_until_the_deadline(edition, category):
    *_, waiting = (sign_up(edition, category, n) for n in range(3))
    assert waiting.status == RegistrationStatus.WAITLISTED

    assert write_reconfirmations(now=ASK_FROM - dt.timedelta(seconds=1)) == 0
    assert write_reconfirmations(now=ASK_FROM) == 2
    assert write_reconfirmations(now=ASK_FROM + dt.timedelta(hours=1)) == 0
    assert reconfirmations() == ["personne0@example.org", "personne1@example.org"]


def test_nobody_is_asked_after_the_deadline_or_when_the_edition_does_not_ask(edition, category):
    sign_up(edition, category, 0)
    assert write_reconfirmations(now=DEADLINE) == 0

    edition.reconfirmation_days = None
    edition.save()
    assert write_reconfirmations(now=ASK_FROM) == 0
    assert reconfirmations() == []


def test_people_who_answered_are_not_asked(edition, category):
    answered = sign_up(edition, category, 0)
    sign_up(edition, category, 1)
    attendees.reconfirm(answered, now=ASK_FROM - dt.timedelta(days=1))

    assert write_reconfirmations(now=ASK_FROM) == 1
    assert reconfirmations() == ["personne1@example.org"]


def test_the_email_links_to_a_yes_page_and_to_the_cancel_page(
    client, edition, category, smtp_server, send_outbox
):
    registration = sign_up(edition, category, 0)
    assert send_outbox() == ["sent"]  # The confirmation.
    write_reconfirmations(now=ASK_FROM)

    assert send_outbox() == ["sent"]
    smtp_server.wait_for(2)
    message = smtp_server.messages[1]
    text = message.get_body(("plain",)).get_content()
    assert message["Subject"].strip() == "Are you still coming? Journée Exemple"
    yes = re.search(r"Yes, still coming: (\S+)", text).group(1)
    no = re.search(r"No, cancel the registration: (\S+)", text).group(1)
    assert yes.endswith("/je-viens/")
    assert no.endswith("/annuler/")

    path = yes.split("://", 1)[1].split("/", 1)[1]
    page = client.get(f"/{path}", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    registration.refresh_from_db()
    assert registration.reconfirmed_at is None  # Seeing the page changes nothing.

    answer = client.post(f"/{path}", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 302
    registration.refresh_from_db()
    assert registration.reconfirmed_at is not None
    manage = client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Thank you: your seat is kept." in manage.content.decode()


def test_an_email_written_before_the_answer_is_not_sent(edition, category, send_outbox):
    registration = sign_up(edition, category, 0)
    assert send_outbox() == ["sent"]  # The confirmation.
    write_reconfirmations(now=ASK_FROM)
    attendees.reconfirm(registration)

    assert send_outbox() == ["skipped"]


def test_reconfirming_keeps_the_first_answer_and_refuses_others(edition, category):
    first, second, waiting = (sign_up(edition, category, n) for n in range(3))
    when = NOW - dt.timedelta(hours=1)

    assert attendees.reconfirm(first, now=when) is True
    assert attendees.reconfirm(first) is False
    first.refresh_from_db()
    assert first.reconfirmed_at == when
    with pytest.raises(attendees.ChangeRefused) as refused:
        attendees.reconfirm(waiting)
    assert refused.value.code == "not_confirmed"
    cancel(second)
    with pytest.raises(attendees.ChangeRefused) as refused:
        attendees.reconfirm(second)
    assert refused.value.code == "registration_cancelled"


def test_a_tampered_reconfirm_link_is_a_404(client, db):
    assert client.get("/inscription/abc:def/je-viens/").status_code == 404
    assert client.post("/inscription/abc:def/je-viens/").status_code == 404


def test_organisers_see_who_said_they_are_still_coming(client, cast):
    edition = cast.edition
    category = CategoryFactory(edition=edition, name="Participant")
    edition.registration_opens_at = NOW - dt.timedelta(days=5)
    edition.save()
    answered = sign_up(edition, category, 0)
    sign_up(edition, category, 1)
    attendees.reconfirm(answered)
    log_in(client, cast.organiser)

    page = client.get(
        f"/journees/{edition.slug}/gestion/inscriptions/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert page.count("still coming") == 1
