"""One page for a group (issue 17, item 5): the booker's manage page lists the other people of
the booking with their status, sends each one's email again to the address given for them or
to the booker, and cancels one's coming; a colleague's own page lists nobody else."""

import datetime as dt
import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from admission.checkin import admit
from outbox.models import Message
from registrations import attendees, capacity, groups, privacy, workshops
from registrations.enums import RegistrationStatus
from registrations.links import manage_path, manage_token
from registrations.models import Booking
from tests.conftest import deliver_outbox
from tests.factories import (
    CategoryFactory,
    EditionFactory,
    EntranceFactory,
    UserFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED
NOW = timezone.now()


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    # Every request of a test in one rate-limit window, whatever the clock does meanwhile.
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def edition(db):
    return EditionFactory(
        slug="journee",
        capacity=2,
        registration_opens_at=NOW - dt.timedelta(days=5),
        registration_closes_at=NOW + dt.timedelta(days=10),
    )


@pytest.fixture
def category(edition):
    return CategoryFactory(edition=edition, name="Participant", slug="participant")


def person(category, first_name, last_name, email):
    return {
        "category": category,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
    }


def book(edition, category, *people):
    booking = attendees.book(
        edition,
        [person(category, *names) for names in people],
        language="en",
    )
    return list(booking.registrations.order_by("created_at", "pk"))


@pytest.fixture
def group(edition, category):
    """Camille books for herself, Dominique (with an address) and Sacha (without one): two
    seats, so Sacha waits."""
    booker, colleague, waiting = book(
        edition,
        category,
        ("Camille", "Réservante", "camille@example.org"),
        ("Dominique", "Collègue", "dominique@example.org"),
        ("Sacha", "Sansadresse", ""),
    )
    assert (booker.status, colleague.status, waiting.status) == (CONFIRMED, CONFIRMED, WAITLISTED)
    return SimpleNamespace(booker=booker, colleague=colleague, waiting=waiting)


def page(client, registration, notice=None):
    address = manage_path(registration) + (f"?notice={notice}" if notice else "")
    return client.get(address, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def resend_path(booker, target):
    return f"/inscription/{manage_token(booker)}/groupe/{target.pk}/renvoyer/"


def cancel_path(booker, target):
    return f"/inscription/{manage_token(booker)}/groupe/{target.pk}/annuler/"


def new_messages(before):
    return [
        (message.kind, message.recipient, message.context.get("to"))
        for message in Message.objects.filter(pk__gt=before).order_by("pk")
    ]


def last_message_pk():
    return Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# The rule ------------------------------------------------------------------------------------


def test_only_the_booker_may_act_and_only_on_the_others_of_the_booking(group, edition, category):
    (stranger,) = book(edition, category, ("Lou", "Ailleurs", "lou@example.org"))

    assert groups.may_act(group.booker, group.colleague) is True
    assert groups.may_act(group.booker, group.waiting) is True
    assert groups.may_act(group.booker, group.booker) is False
    assert groups.may_act(group.colleague, group.waiting) is False
    assert groups.may_act(group.colleague, group.booker) is False
    assert groups.may_act(group.booker, stranger) is False
    assert groups.may_act(stranger, group.colleague) is False


def test_a_colleague_cannot_be_cancelled_by_the_booker_after_the_day(group, edition):
    with pytest.raises(groups.GroupRefused) as refused:
        groups.cancel(group.booker, group.colleague, now=edition.ends_at)

    assert refused.value.code == "day_over"
    group.colleague.refresh_from_db()
    assert group.colleague.status == CONFIRMED


# The page ------------------------------------------------------------------------------------


def test_the_booker_sees_each_colleague_with_category_status_and_actions(client, group):
    text = page(client, group.booker)

    colleague, waiting = group.colleague, group.waiting
    assert "The people you registered" in text
    assert f'<h3 class="card-title" id="person-{colleague.pk}">Dominique Collègue</h3>' in text
    assert f'<h3 class="card-title" id="person-{waiting.pk}">Sacha Sansadresse</h3>' in text
    # The booker's own status, and Dominique's.
    assert text.count("Confirmed:</strong> a seat is booked (Participant).") == 2
    assert "On the waiting list</strong> (position 1)" in text
    assert "No address of their own: their emails go to you." in text
    assert text.count(f'action="{resend_path(group.booker, colleague)}"') == 2
    # Sacha has no address: only "Send it to me".
    assert text.count(f'action="{resend_path(group.booker, waiting)}"') == 1
    assert text.count('name="to" value="attendee"') == 1
    assert text.count('name="to" value="booker"') == 2
    assert "Resend their ticket" in text
    assert f'href="{cancel_path(group.booker, colleague)}"' in text
    assert f'href="{cancel_path(group.booker, waiting)}"' in text


def test_the_booker_sees_each_colleagues_workshops(client, group, edition):
    workshop = WorkshopFactory(edition=edition, title="Financer son <pôle>", capacity=1)
    workshops.choose(group.colleague, workshop)
    workshops.choose(group.waiting, workshop)

    text = page(client, group.booker)

    assert "Workshops: Financer son &lt;pôle&gt; (seat taken)" in text
    assert (
        "Workshops: Financer son &lt;pôle&gt; (wish, for when the registration is confirmed)"
        in text
    )


def test_a_colleagues_own_page_lists_nobody_else(client, group):
    text = page(client, group.colleague)

    assert "Dominique" in text
    assert "The people you registered" not in text
    assert "Sacha" not in text
    assert "Camille" not in text
    assert "camille@example.org" not in text
    assert "/groupe/" not in text


def test_a_colleagues_link_cannot_act_on_the_others(client, group):
    before = last_message_pk()
    colleague = group.colleague

    assert client.post(resend_path(colleague, group.waiting), {"to": "booker"}).status_code == 404
    assert client.post(resend_path(colleague, group.booker), {"to": "booker"}).status_code == 404
    assert client.get(cancel_path(colleague, group.waiting)).status_code == 404
    assert client.post(cancel_path(colleague, group.booker)).status_code == 404

    assert new_messages(before) == []
    group.booker.refresh_from_db()
    assert group.booker.status == CONFIRMED


def test_a_cancelled_colleague_is_listed_without_actions(client, group):
    capacity.cancel(group.colleague)

    text = page(client, group.booker)

    assert "<strong>Cancelled.</strong>" in text
    assert resend_path(group.booker, group.colleague) not in text
    assert cancel_path(group.booker, group.colleague) not in text


def test_an_erased_colleague_is_no_longer_listed_nor_reachable(client, group):
    privacy.erase(group.colleague)

    text = page(client, group.booker)

    assert f'id="person-{group.colleague.pk}"' not in text
    assert f'id="person-{group.waiting.pk}"' in text
    assert client.get(cancel_path(group.booker, group.colleague)).status_code == 404


def test_the_booker_page_reads_the_same_queries_whatever_the_group_size(client, edition):
    category = CategoryFactory(edition=edition, name="Participant")
    edition.capacity = 10
    edition.save()
    small = book(edition, category, ("Alix", "Un", "alix@example.org"), ("Bo", "Un", ""))
    large = book(
        edition,
        category,
        ("Cyan", "Trois", "cyan@example.org"),
        ("Dana", "Trois", "dana@example.org"),
        ("Eli", "Trois", ""),
        ("Fred", "Trois", ""),
    )

    def queries(registration):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(manage_path(registration)).status_code == 200
        return len(captured)

    assert queries(small[0]) == queries(large[0])


# Sending again ---------------------------------------------------------------------------------


def test_resending_to_the_address_given_sends_the_ticket_there_only(client, group, smtp_server):
    deliver_outbox()
    before = last_message_pk()
    sent = len(smtp_server.messages)

    response = client.post(resend_path(group.booker, group.colleague), {"to": "attendee"})

    assert response.status_code == 302
    assert response["Location"] == manage_path(group.booker) + "?notice=group_resent"
    assert new_messages(before) == [
        ("registrations.confirmed", "dominique@example.org", "attendee")
    ]
    assert deliver_outbox() == ["sent"]
    (received,) = smtp_server.wait_for(sent + 1)[sent:]
    assert received["To"] == "dominique@example.org"
    assert any(part.get_filename().endswith(".pdf") for part in received.iter_attachments())
    assert "The email is on its way again." in page(client, group.booker, "group_resent")


def test_send_it_to_me_sends_the_colleagues_ticket_to_the_booker(client, group):
    before = last_message_pk()

    client.post(resend_path(group.booker, group.colleague), {"to": "booker"})

    assert new_messages(before) == [("registrations.confirmed", "camille@example.org", "booker")]


def test_a_waiting_colleague_gets_the_waiting_list_email_again(client, group):
    before = last_message_pk()

    client.post(resend_path(group.booker, group.waiting), {"to": "booker"})

    assert new_messages(before) == [("registrations.waitlisted", "camille@example.org", "booker")]


def test_resending_to_a_colleague_without_address_is_refused(client, group):
    before = last_message_pk()

    response = client.post(resend_path(group.booker, group.waiting), {"to": "attendee"})

    assert response["Location"] == manage_path(group.booker) + "?notice=no_address"
    assert new_messages(before) == []
    assert "No address was given for this person: send the email to yourself." in page(
        client, group.booker, "no_address"
    )


def test_an_unknown_recipient_sends_nothing(client, group):
    before = last_message_pk()

    response = client.post(resend_path(group.booker, group.colleague), {"to": "someone"})

    assert response["Location"] == manage_path(group.booker) + "?notice=unchanged"
    assert new_messages(before) == []


def test_sending_again_is_only_by_post(client, group):
    assert client.get(resend_path(group.booker, group.colleague)).status_code == 405


def test_sending_again_is_limited_per_address_and_per_booking(client, group, settings):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "manage": "2/h"}
    before = last_message_pk()
    address = resend_path(group.booker, group.colleague)

    answers = [
        client.post(address, {"to": "attendee"}, REMOTE_ADDR="203.0.113.1").status_code,
        client.post(address, {"to": "attendee"}, REMOTE_ADDR="203.0.113.1").status_code,
        # Another address: its own count is fresh, the booking's is spent.
        client.post(address, {"to": "attendee"}, REMOTE_ADDR="203.0.113.2").status_code,
    ]

    assert answers == [302, 302, 429]
    assert len(new_messages(before)) == 2


# Cancelling ----------------------------------------------------------------------------------


def test_cancelling_a_colleague_gives_the_seat_to_the_first_waiting(client, group):
    address = cancel_path(group.booker, group.colleague)
    question = client.get(address, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    before = last_message_pk()

    response = client.post(address)

    assert "Do you really want to cancel the registration of Dominique Collègue?" in question
    assert "Yes, cancel their registration" in question
    assert response["Location"] == manage_path(group.booker) + "?notice=group_cancelled"
    group.colleague.refresh_from_db()
    group.waiting.refresh_from_db()
    assert (group.colleague.status, group.waiting.status) == (CANCELLED, CONFIRMED)
    assert new_messages(before) == [
        ("registrations.cancelled", "dominique@example.org", "attendee"),
        ("registrations.cancelled", "camille@example.org", "booker"),
        ("registrations.promoted", "camille@example.org", "booker"),
    ]
    assert "This person&#x27;s registration is cancelled." in page(
        client, group.booker, "group_cancelled"
    )


def test_cancelling_a_colleague_twice_says_it_is_cancelled(client, group):
    address = cancel_path(group.booker, group.colleague)
    client.post(address)

    response = client.post(address)

    assert response["Location"] == manage_path(group.booker) + "?notice=colleague_cancelled"
    assert client.get(address)["Location"] == manage_path(group.booker)


def test_a_person_of_another_booking_is_not_found(client, group, edition, category):
    (stranger,) = book(edition, category, ("Lou", "Ailleurs", "lou@example.org"))
    before = last_message_pk()

    answers = [
        client.get(cancel_path(group.booker, stranger)).status_code,
        client.post(cancel_path(group.booker, stranger)).status_code,
        client.post(resend_path(group.booker, stranger), {"to": "booker"}).status_code,
        client.get(cancel_path(group.booker, group.booker)).status_code,
        client.post(resend_path(group.booker, group.booker), {"to": "booker"}).status_code,
        client.get(f"/inscription/{manage_token(group.booker)}/groupe/999999/annuler/").status_code,
    ]

    assert answers == [404] * 6
    stranger.refresh_from_db()
    assert stranger.status == WAITLISTED
    assert new_messages(before) == []


@pytest.fixture
def day_group(db):
    """A group on a day that is on now, its booker and Dominique admitted at the door."""
    edition = EditionFactory(
        date=timezone.localdate(),
        start_time=dt.time(0, 0),
        end_time=dt.time(23, 59, 59),
        registration_opens_at=NOW - dt.timedelta(days=2),
        registration_closes_at=NOW - dt.timedelta(days=1),
    )
    category = CategoryFactory(edition=edition, name="Participant")
    booking = capacity.register_group(
        edition,
        [
            person(category, "Camille", "Réservante", "camille@example.org"),
            person(category, "Dominique", "Collègue", "dominique@example.org"),
        ],
        language="en",
        by_organiser=True,
        booking=Booking.objects.create(edition=edition, email="camille@example.org"),
    )
    booker, colleague = booking
    entrance = EntranceFactory(edition=edition, name="Entrée principale", slug="main")
    verdict = admit(
        edition,
        registration=colleague,
        entrance=entrance,
        agent=UserFactory(username="agent-porte"),
        nonce="n-1",
        id_checked=True,
    )
    assert verdict.result == "admitted"
    return SimpleNamespace(booker=booker, colleague=colleague)


def test_an_admitted_colleague_cannot_be_cancelled(client, day_group):
    booker, colleague = day_group.booker, day_group.colleague
    text = page(client, booker)

    response = client.post(cancel_path(booker, colleague))

    assert "Admitted at the door." in text
    assert cancel_path(booker, colleague) not in text
    assert response["Location"] == manage_path(booker) + "?notice=colleague_admitted"
    assert (
        "This person was admitted at the door: their registration can no longer be changed."
        in page(client, booker, "colleague_admitted")
    )
    assert client.get(cancel_path(booker, colleague))["Location"] == manage_path(booker)
    colleague.refresh_from_db()
    assert colleague.status == CONFIRMED


def test_the_group_section_reads_in_french(client, group):
    text = client.get(manage_path(group.booker), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Les personnes de votre inscription" in text
    assert "Renvoyer son billet" in text
    assert "Me l'envoyer" in text
    assert "Annuler sa venue" in text
