"""Messages from the organisers to a group of attendees: the group chosen exactly, the emails
received on a real SMTP server through the outbox, markup in them inert, a form sent twice
sends once, the audit line, and who may send."""

import datetime as dt
import itertools
import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.enums import AuditAction
from accounts.models import AuditEntry
from admission import checkin
from outbox.models import Message
from registrations import announcements
from registrations.capacity import cancel, register
from registrations.enums import RegistrationStatus
from registrations.links import manage_path
from registrations.models import Announcement
from tests.auth import log_in
from tests.factories import (
    BookingFactory,
    CategoryFactory,
    EntranceFactory,
    RegistrationFactory,
)

pytestmark = [pytest.mark.django_db]

_numbers = itertools.count()
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
CONFIRMED, WAITING = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED


def person(edition, category, name, **details):
    return register(
        edition,
        category=category,
        first_name=name,
        last_name="Exemple",
        email=f"{name.lower()}@example.org",
        by_organiser=True,
        **details,
    )


@pytest.fixture
def group(cast):
    """Anne (participant, admitted), Bruno (participant, English), Chloé (speaker), Driss
    (participant, waiting), Emma (cancelled), Farid (registered without an address by
    Gaëlle's booking); Hugo at another edition."""
    edition = cast.edition
    participant = CategoryFactory(edition=edition, name="Participant", slug="participant")
    speaker = CategoryFactory(edition=edition, name="Intervenant", slug="speaker")
    anne = person(edition, participant, "Anne")
    checkin.admit(
        edition,
        registration=anne,
        entrance=EntranceFactory(edition=edition),
        agent=None,
        nonce=f"n{next(_numbers)}",
        id_checked=True,
        now=edition.starts_at + dt.timedelta(hours=1),
    )
    person(edition, participant, "Bruno", language="en")
    person(edition, speaker, "Chloe")
    # Emma cancels before Driss joins the waiting list: her seat goes to nobody.
    cancel(person(edition, participant, "Emma"))
    RegistrationFactory(
        edition=edition, category=participant, email="driss@example.org", status=WAITING
    )
    booking = BookingFactory(edition=edition, email="gaelle@example.org", language="en")
    RegistrationFactory(
        edition=edition,
        category=speaker,
        email="",
        first_name="Farid",
        last_name="Exemple",
        booking=booking,
    )
    other = CategoryFactory(edition=cast.edition_two, slug="participant")
    person(cast.edition_two, other, "Hugo")
    Message.objects.all().delete()  # The registrations' own emails.
    return edition


def addresses(edition, **audience):
    audience = {"statuses": [CONFIRMED], "categories": [], "admitted": None, **audience}
    people = announcements.recipients(edition, audience).select_related("booking")
    return sorted(person.email or person.booking.email for person in people)


def test_the_group_is_exactly_the_people_chosen(group):
    assert addresses(group) == [
        "anne@example.org",
        "bruno@example.org",
        "chloe@example.org",
        "gaelle@example.org",
    ]
    assert addresses(group, statuses=[WAITING]) == ["driss@example.org"]
    assert addresses(group, statuses=[CONFIRMED, WAITING], categories=["participant"]) == [
        "anne@example.org",
        "bruno@example.org",
        "driss@example.org",
    ]
    assert addresses(group, admitted="admitted") == ["anne@example.org"]
    assert addresses(group, categories=["participant"], admitted="not_admitted") == [
        "bruno@example.org"
    ]
    # Cancelled people are never written to, even when asked for.
    assert addresses(group, statuses=[RegistrationStatus.CANCELLED]) == []


def test_sent_message_reaches_each_person_in_their_language(group, cast, smtp_server, send_outbox):
    announcement, created = announcements.send(
        group,
        subject="Changement de salle",
        body="Bonjour,\nLa plénière a lieu salle B.",
        audience={"statuses": [CONFIRMED], "categories": ["speaker"], "admitted": None},
        by=cast.organiser,
        submission_key=uuid.uuid4(),
    )
    assert created
    assert announcement.recipients == 2

    assert send_outbox() == ["sent", "sent"]
    received = {message["To"]: message for message in smtp_server.wait_for(2)}
    assert sorted(received) == ["chloe@example.org", "gaelle@example.org"]
    chloe = received["chloe@example.org"]
    assert chloe["Subject"] == "Changement de salle"
    assert chloe["Content-Language"] == "fr"
    text = chloe.get_body(("plain",)).get_content()
    assert "La plénière a lieu salle B." in text
    farid = group.registrations.get(first_name="Farid")
    # The booker gets the message for the person they registered, in the booking's language.
    gaelle = received["gaelle@example.org"]
    assert gaelle["Content-Language"] == "en"
    gaelle_text = gaelle.get_body(("plain",)).get_content()
    assert "You receive it for Farid Exemple, whom you registered" in gaelle_text
    assert settings.SITE_URL + manage_path(farid) in gaelle_text


def test_markup_in_subject_and_body_is_inert(group, cast, smtp_server, send_outbox):
    announcements.send(
        group,
        subject='<b>Salle</b> "B" & co\r\nBcc: x@example.org',
        body='<script>alert(1)</script> <a href="https://example.com">lien</a> & co',
        audience={"statuses": [CONFIRMED], "categories": [], "admitted": "admitted"},
        by=cast.organiser,
        submission_key=uuid.uuid4(),
    )
    send_outbox()
    (received,) = smtp_server.wait_for(1)
    # One line: no header was injected.
    assert received["Subject"] == '<b>Salle</b> "B" & co Bcc: x@example.org'
    assert received["Bcc"] is None
    assert smtp_server.envelopes[0][1] == ["anne@example.org"]
    text = received.get_body(("plain",)).get_content()
    assert '<script>alert(1)</script> <a href="https://example.com">lien</a> & co' in text
    html = received.get_body(("html",)).get_content()
    assert "<script>" not in html
    assert '<a href="https://example.com">' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Salle&lt;/b&gt;" in html


def test_message_page_previews_then_sends_once_and_logs_it(group, cast, client):
    log_in(client, cast.organiser)
    url = reverse("registrations:message", args=[group.slug])
    key = str(uuid.uuid4())
    form = {
        "subject": "Rappel",
        "body": "À bientôt.",
        "statuses": [CONFIRMED],
        "categories": ["participant"],
        "admitted": "",
        "submission_key": key,
    }

    preview = client.post(url, {**form, "preview": "1"}, **ENGLISH)
    assert preview.status_code == 200
    assert preview.context["preview"] == 2
    assert "This message will go to 2 people." in preview.content.decode()
    assert not Announcement.objects.exists()
    assert not Message.objects.exists()

    first = client.post(url, {**form, "send": "1"})
    second = client.post(url, {**form, "send": "1"})  # The double click.
    assert first.status_code == second.status_code == 302

    announcement = Announcement.objects.get()
    assert (announcement.subject, announcement.recipients, announcement.sent_by) == (
        "Rappel",
        2,
        cast.organiser,
    )
    assert announcement.audience["categories"] == ["participant"]
    assert sorted(Message.objects.values_list("recipient", flat=True)) == [
        "anne@example.org",
        "bruno@example.org",
    ]
    assert set(Message.objects.values_list("kind", "object_id")) == {
        ("registrations.announcement", announcement.pk)
    }
    (entry,) = AuditEntry.objects.all()
    assert (entry.action, entry.user, entry.edition, entry.people) == (
        AuditAction.MESSAGE,
        cast.organiser,
        group,
        2,
    )
    assert "example.org" not in entry.what + str(entry.detail)
    listed = client.get(url, **ENGLISH).content.decode()
    assert "Rappel" in listed
    assert '<td class="number">2</td>' in listed


def test_bad_message_form_sends_nothing(group, cast, client):
    log_in(client, cast.organiser)
    response = client.post(
        reverse("registrations:message", args=[group.slug]),
        {
            "subject": "  ",
            "body": "x" * 5001,
            "statuses": ["cancelled"],
            "submission_key": str(uuid.uuid4()),
            "send": "1",
        },
        **ENGLISH,
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"subject", "body", "statuses"}
    assert not Announcement.objects.exists()
    assert not Message.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ["editor", "viewer", "agent", "outsider", "other_organiser"])
def test_only_organisers_may_write_to_attendees(group, cast, client, role):
    log_in(client, getattr(cast, role))
    url = reverse("registrations:message", args=[group.slug])
    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {
            "subject": "x",
            "body": "y",
            "statuses": [CONFIRMED],
            "submission_key": str(uuid.uuid4()),
            "send": "1",
        },
    )
    assert response.status_code == 403
    assert not Announcement.objects.exists()
    assert not Message.objects.exists()


def test_cancelled_before_sending_gets_nothing(group, cast, send_outbox, smtp_server):
    announcements.send(
        group,
        subject="Rappel",
        body="À bientôt.",
        audience={"statuses": [CONFIRMED], "categories": ["speaker"], "admitted": None},
        by=cast.organiser,
    )
    cancel(group.registrations.get(first_name="Chloe"))
    Message.objects.exclude(kind="registrations.announcement").delete()
    assert sorted(send_outbox()) == ["sent", "skipped"]
    assert [message["To"] for message in smtp_server.messages] == ["gaelle@example.org"]
