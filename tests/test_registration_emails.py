"""The registration emails, written by the capacity rules and received on a real SMTP server."""

import datetime as dt
import io

import icalendar
import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from admission import codes
from outbox.builders import build
from outbox.models import Message
from outbox.services import enqueue
from ptce.scheduler import load_jobs
from registrations import emails
from registrations.capacity import cancel, register, register_group
from registrations.enums import RegistrationStatus
from registrations.links import manage_path
from registrations.models import Booking, Invitation
from registrations.tasks import fill_seats_of_open_editions, write_reminders
from tests.conftest import deliver_outbox as send_all
from tests.factories import CategoryFactory, EditionFactory, VenueFactory

NOW = timezone.now()
ID_REMINDER_EN = (
    "Bring an identity document bearing the names you registered with: it is checked at "
    "the entrance."
)
ID_REMINDER_FR = (
    "Munissez-vous d'une pièce d'identité portant les prénom et nom donnés à l'inscription"
)


@pytest.fixture
def venue(db):
    return VenueFactory(
        name="Salle Exemple",
        street_address="1 rue de l'Exemple",
        postal_code="75012",
        city="Paris",
        public_transport="Métro : ligne Exemple\nBus : ligne 0",
        accessibility="Entrée de plain-pied.",
    )


@pytest.fixture
def edition(venue):
    return EditionFactory(
        title="Journée Exemple",
        slug="journee-exemple",
        date=dt.date(2030, 9, 19),
        venue=venue,
        capacity=1,
        registration_opens_at=NOW - dt.timedelta(days=1),
        registration_closes_at=NOW + dt.timedelta(days=10),
    )


@pytest.fixture
def category(edition):
    return CategoryFactory(edition=edition, name="Participant")


def sign_up(edition, category, email="camille@example.org", *, language="en", **kwargs):
    kwargs.setdefault("first_name", "Camille")
    kwargs.setdefault("last_name", "Exemple")
    return register(edition, category=category, email=email, language=language, **kwargs)


def subject_of(message):
    # Django folds a long encoded subject right after "Subject:"; parsed back, the value
    # then starts with the folding space, which mail clients do not show.
    return message["Subject"].lstrip()


def text_of(message):
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html_of(message):
    return message.get_body(("html",)).get_content()


def attachments_of(message):
    return {part.get_filename(): part for part in message.iter_attachments()}


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def absolute(path):
    return settings.SITE_URL + path


# Confirmed, with the ticket -----------------------------------------------------------------


def test_confirmed_email_carries_the_pdf_ticket_and_the_calendar_file(
    edition, category, smtp_server
):
    registration = sign_up(edition, category)

    assert send_all() == ["sent"]

    (received,) = smtp_server.wait_for(1)
    assert received["To"] == "camille@example.org"
    assert subject_of(received) == "Your seat is confirmed: Journée Exemple"
    assert received["Content-Language"] == "en"
    assert received["Message-ID"] == Message.objects.get().message_id
    text = text_of(received)
    assert "Hello Camille, your seat at Journée Exemple is confirmed." in text
    assert "Names as on the identity document: Camille Exemple" in text
    assert "Category: Participant" in text
    assert "When: Thursday 19 September 2030, from 9:30 a.m. to 4:30 p.m." in text
    assert "Where: Salle Exemple, 1 rue de l'Exemple, 75012 Paris" in text
    assert f"{ID_REMINDER_EN} The names must be exactly: Camille Exemple." in text
    assert absolute(manage_path(registration)) in text
    assert absolute(manage_path(registration)) + "billet/" in text
    assert '<html lang="en">' in html_of(received)
    files = attachments_of(received)
    assert sorted(files) == ["ticket-journee-exemple.ics", "ticket-journee-exemple.pdf"]
    pdf = files["ticket-journee-exemple.pdf"]
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content()[:5] == b"%PDF-"
    assert "Camille" in pdf_text(pdf.get_content())
    assert "Exemple" in pdf_text(pdf.get_content())
    calendar = icalendar.Calendar.from_ical(files["ticket-journee-exemple.ics"].get_content())
    (event,) = calendar.walk("VEVENT")
    assert "Journée Exemple" in str(event["SUMMARY"])
    assert event.decoded("DTSTART").date() == dt.date(2030, 9, 19)


def test_confirmed_email_in_french(edition, category, smtp_server):
    sign_up(edition, category, language="fr")

    send_all()

    (received,) = smtp_server.wait_for(1)
    assert received["Content-Language"] == "fr"
    text = text_of(received)
    assert " jeudi 19 septembre 2030, de 9\u00a0h\u00a030 à 16\u00a0h\u00a030\n" in text
    assert ID_REMINDER_FR in text
    assert '<html lang="fr">' in html_of(received)
    assert ID_REMINDER_FR in html_of(received)
    assert sorted(attachments_of(received)) == [
        "ticket-journee-exemple.ics",
        "ticket-journee-exemple.pdf",
    ]


def test_a_confirmed_email_not_sent_before_a_cancellation_is_skipped(
    edition, category, smtp_server
):
    registration = sign_up(edition, category)
    cancel(registration)

    assert send_all() == ["skipped", "sent"]

    (received,) = smtp_server.wait_for(1)
    assert subject_of(received) == "Your registration is cancelled: Journée Exemple"
    assert attachments_of(received) == {}


def test_nothing_is_written_for_a_rolled_back_registration(edition, category):
    class Abandoned(Exception):
        pass

    def register_then_fail():
        with transaction.atomic():
            sign_up(edition, category)
            raise Abandoned

    with pytest.raises(Abandoned):
        register_then_fail()

    assert Message.objects.count() == 0
    assert send_all() == []


# A booking: the booker receives every ticket -------------------------------------------------


def test_the_booker_receives_every_ticket_and_each_attendee_their_own(
    edition, category, smtp_server
):
    edition.capacity = 10
    edition.save()
    booking = Booking.objects.create(edition=edition, email="resa@example.org", language="fr")
    people = [
        dict(category=category, first_name="Rémi", last_name="Réserve", email="RESA@example.org"),
        dict(category=category, first_name="Ana", last_name="Collègue", email="ana@example.org"),
        dict(category=category, first_name="Sans", last_name="Adresse", email=""),
    ]

    with transaction.atomic():
        register_group(edition, people, language="en", booking=booking)

    assert sorted(Message.objects.values_list("recipient", "language", "context")) == [
        ("RESA@example.org", "en", {"to": "attendee"}),
        ("ana@example.org", "en", {"to": "attendee"}),
        ("resa@example.org", "fr", {"to": "booker"}),
        ("resa@example.org", "fr", {"to": "booker"}),
    ]
    assert send_all() == ["sent"] * 4
    smtp_server.wait_for(4)
    assert [subject_of(message) for message in smtp_server.to("resa@example.org")] == [
        # The booker's copies are in the booker's language.
        "Place confirmée pour Ana Collègue\u00a0: Journée Exemple",
        "Place confirmée pour Sans Adresse\u00a0: Journée Exemple",
    ]
    (own,) = smtp_server.to("ana@example.org")
    assert subject_of(own) == "Your seat is confirmed: Journée Exemple"
    for message in smtp_server.to("resa@example.org"):
        assert message["Content-Language"] == "fr"
        assert len(attachments_of(message)) == 2
    assert (
        "Bonjour, vous avez inscrit Sans Adresse à la journée "
        "«\u00a0Journée Exemple\u00a0»\u00a0: sa place est confirmée."
    ) in text_of(smtp_server.to("resa@example.org")[1])


# The waiting list ----------------------------------------------------------------------------


def test_waitlisted_email_gives_the_position_at_send_time(edition, category, smtp_server):
    sign_up(edition, category, "assise@example.org")
    first = sign_up(edition, category, "premiere@example.org")
    second = sign_up(edition, category, "seconde@example.org")
    assert (first.status, second.status) == (RegistrationStatus.WAITLISTED,) * 2
    # The first waiting person leaves before the emails go out.
    cancel(first)

    send_all()

    (received,) = smtp_server.to("seconde@example.org")
    assert subject_of(received) == "You are on the waiting list: Journée Exemple"
    text = text_of(received)
    assert "There is no seat left for you now: you are on the waiting list." in text
    assert "Place in the waiting list: 1." in text
    assert attachments_of(received) == {}
    assert emails.waitlist_position(second) == 1


def test_waitlisted_emails_count_the_people_before(edition, category, smtp_server):
    sign_up(edition, category, "assise@example.org")
    for address in ("premiere@example.org", "seconde@example.org"):
        sign_up(edition, category, address)

    send_all()

    smtp_server.wait_for(3)
    assert "Place in the waiting list: 1." in text_of(smtp_server.to("premiere@example.org")[0])
    assert "Place in the waiting list: 2." in text_of(smtp_server.to("seconde@example.org")[0])


def test_a_cancellation_sends_cancelled_and_promoted_with_the_ticket(
    edition, category, smtp_server
):
    seated = sign_up(edition, category, "assise@example.org")
    waiting = sign_up(edition, category, "attente@example.org")
    send_all()

    cancel(seated)
    assert send_all() == ["sent", "sent"]

    smtp_server.wait_for(4)
    _, cancelled = smtp_server.to("assise@example.org")
    assert subject_of(cancelled) == "Your registration is cancelled: Journée Exemple"
    assert (
        "Hello Camille, your registration for Journée Exemple is cancelled. "
        "Your ticket no longer lets anyone in."
    ) in text_of(cancelled)
    _, promoted = smtp_server.to("attente@example.org")
    assert subject_of(promoted) == "A seat is yours: Journée Exemple"
    assert "a seat has been freed at Journée Exemple and it is yours" in text_of(promoted)
    assert absolute(manage_path(waiting)) in text_of(promoted)
    files = attachments_of(promoted)
    assert files["ticket-journee-exemple.pdf"].get_content()[:5] == b"%PDF-"


# Invitation, manage link, reminder ------------------------------------------------------------


@pytest.fixture
def guest_category(edition):
    return CategoryFactory(edition=edition, name="Invité·e institutionnel·le", is_public=False)


def invite(edition, category, **fields):
    with transaction.atomic():
        invitation = Invitation.objects.create(edition=edition, category=category, **fields)
        emails.invitation(invitation)
    return invitation


def test_invitation_email_links_to_the_personal_invitation(edition, guest_category, smtp_server):
    invitation = invite(
        edition,
        guest_category,
        email="invitee@example.org",
        guest_name="Dominique Exemple",
        language="en",
        holds_seat_until=dt.datetime(2030, 9, 1, 18, 0, tzinfo=dt.UTC),
    )

    assert send_all() == ["sent"]

    (received,) = smtp_server.wait_for(1)
    assert received["To"] == "invitee@example.org"
    assert subject_of(received) == "You are invited: Journée Exemple"
    text = text_of(received)
    assert (
        "Hello Dominique Exemple, the organisers invite you to Journée Exemple, as: "
        "Invité·e institutionnel·le."
    ) in text
    assert "A seat is kept for you until Sunday 1 September 2030, 8 p.m. (Paris time)." in text
    assert f"Register: {settings.SITE_URL}/invitation/{invitation.code}/" in text
    assert f'href="{settings.SITE_URL}/invitation/{invitation.code}/"' in html_of(received)
    assert "the organisers invited this address" in text


def test_an_invitation_revoked_before_sending_is_skipped(edition, guest_category, smtp_server):
    invitation = invite(edition, guest_category, email="invitee@example.org")
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())

    assert send_all() == ["skipped"]

    assert smtp_server.messages == []


def test_manage_link_email_gives_the_private_link(edition, category, smtp_server):
    registration = sign_up(edition, category)
    send_all()

    with transaction.atomic():
        emails.manage_link(registration)
    send_all()

    _, received = smtp_server.wait_for(2)
    assert subject_of(received) == "The link to manage your registration: Journée Exemple"
    assert "Status: Confirmed" in text_of(received)
    assert absolute(manage_path(registration)) in text_of(received)


@pytest.fixture
def soon(venue):
    """A published day that starts tomorrow at 09:30, registration closed yesterday."""
    return EditionFactory(
        title="Journée Prochaine",
        date=timezone.localdate() + dt.timedelta(days=1),
        venue=venue,
        capacity=1,
        registration_opens_at=NOW - dt.timedelta(days=10),
        registration_closes_at=NOW - dt.timedelta(hours=1),
    )


def test_reminders_are_written_once_per_confirmed_registration(soon, smtp_server):
    category = CategoryFactory(edition=soon)
    opens = NOW - dt.timedelta(days=5)
    seated = sign_up(soon, category, "assise@example.org", now=opens)
    sign_up(soon, category, "attente@example.org", now=opens)
    far = EditionFactory(date=timezone.localdate() + dt.timedelta(days=4))
    CategoryFactory(edition=far)
    send_all()

    assert write_reminders() == 1
    assert write_reminders() == 0

    (reminder,) = Message.objects.filter(kind="registrations.reminder")
    assert (reminder.recipient, reminder.object_id) == ("assise@example.org", seated.pk)
    assert reminder.dedupe_key == f"reminder:{seated.pk}"
    assert send_all() == ["sent"]
    received = smtp_server.wait_for(3)[-1]
    assert subject_of(received).startswith("See you soon: Journée Prochaine, ")
    text = text_of(received)
    assert f"{ID_REMINDER_EN} The names must be exactly: Camille Exemple." in text
    assert "By public transport:\n- Métro : ligne Exemple\n- Bus : ligne 0" in text
    assert "Accessibility: Entrée de plain-pied." in text
    assert sorted(attachments_of(received)) == [
        f"ticket-{soon.slug}.ics",
        f"ticket-{soon.slug}.pdf",
    ]


def test_no_reminder_once_the_day_has_started_or_for_a_draft(soon, smtp_server):
    category = CategoryFactory(edition=soon)
    sign_up(soon, category, now=NOW - dt.timedelta(days=5))

    assert write_reminders(now=soon.starts_at) == 0
    soon.status = "draft"
    soon.save()
    assert write_reminders() == 0
    assert not Message.objects.filter(kind="registrations.reminder").exists()


def test_fill_free_seats_gives_a_seat_whose_hold_ended_to_the_waiting_list(
    edition, category, guest_category, smtp_server
):
    Invitation.objects.create(
        edition=edition,
        category=guest_category,
        email="invitee@example.org",
        holds_seat_until=NOW + dt.timedelta(hours=1),
    )
    waiting = sign_up(edition, category, "attente@example.org")
    assert waiting.status == RegistrationStatus.WAITLISTED
    send_all()

    assert fill_seats_of_open_editions() == 0
    assert fill_seats_of_open_editions(now=NOW + dt.timedelta(hours=2)) == 1

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert send_all() == ["sent"]
    assert [subject_of(message) for message in smtp_server.to("attente@example.org")] == [
        "You are on the waiting list: Journée Exemple",
        "A seat is yours: Journée Exemple",
    ]


def test_reminders_and_seat_filling_are_periodic_tasks_of_serve(settings):
    declared = [
        ("registrations.tasks.send_reminders", 3600),
        ("registrations.tasks.fill_free_seats", 300),
    ]

    assert set(declared) <= set(settings.PTCE_PERIODIC_TASKS)
    assert [job.path for job in load_jobs(declared)] == [path for path, _ in declared]


# Untrusted names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_name", "last_name", "escaped"),
    [
        ("<b>Zoé</b>", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('=HYPERLINK("http://example.org")', "@SUM(1+1)", "=HYPERLINK(&quot;http"),
        ("שרה", "כהן", "שרה כהן"),
        ("سارة", "العربي", "سارة العربي"),
        ("Zoé 🎉", "O'Brien-Ñúñez", "Zoé 🎉 O&#x27;Brien-Ñúñez"),
    ],
    ids=["markup", "formula", "hebrew", "arabic", "emoji"],
)
def test_names_are_kept_exactly_in_text_and_escaped_in_html(
    edition, category, smtp_server, first_name, last_name, escaped
):
    edition.capacity = 10
    edition.save()
    booking = Booking.objects.create(edition=edition, email="resa@example.org", language="en")
    person = dict(category=category, first_name=first_name, last_name=last_name, email="")

    with transaction.atomic():
        register_group(edition, [person], language="en", booking=booking)
    send_all()

    (received,) = smtp_server.wait_for(1)
    full_name = f"{first_name} {last_name}"
    assert subject_of(received) == f"Seat confirmed for {full_name}: Journée Exemple"
    assert f"Names as on the identity document: {full_name}\n" in text_of(received)
    html = html_of(received)
    assert escaped in html
    assert "<script>" not in html
    assert "<b>Zoé" not in html


def test_a_name_with_a_line_break_does_not_stop_the_email(edition, category, smtp_server):
    edition.capacity = 10
    edition.save()
    booking = Booking.objects.create(edition=edition, email="resa@example.org", language="en")
    person = dict(
        category=category, first_name="Anne\nBcc: x@example.org", last_name="Exemple", email=""
    )

    with transaction.atomic():
        register_group(edition, [person], language="en", booking=booking)

    assert send_all() == ["sent"]
    (received,) = smtp_server.wait_for(1)
    assert (
        subject_of(received)
        == "Seat confirmed for Anne Bcc: x@example.org Exemple: Journée Exemple"
    )
    assert received["Bcc"] is None
    assert smtp_server.envelopes == [
        (settings.DEFAULT_FROM_EMAIL.split("<")[1][:-1], ["resa@example.org"])
    ]


def test_messages_about_a_registration_leave_out_an_invitation_with_the_same_id(
    edition, category, guest_category
):
    registration = sign_up(edition, category)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            pk=registration.pk, edition=edition, category=guest_category, email="i@example.org"
        )
        emails.invitation(invitation)
        emails.manage_link(registration)

    assert sorted(emails.messages_about(registration).values_list("kind", flat=True)) == [
        "registrations.confirmed",
        "registrations.manage_link",
    ]


@pytest.mark.parametrize(
    ("kind", "who"),
    [
        ("confirmed", "seated"),
        ("promoted", "seated"),
        ("manage_link", "seated"),
        ("reminder", "seated"),
        ("waitlisted", "waiting"),
        ("cancelled", "gone"),
    ],
)
def test_each_registration_email_is_written_in_the_attendees_language(edition, category, kind, who):
    people = {
        "seated": sign_up(edition, category, "assise@example.org", language="fr"),
        "waiting": sign_up(edition, category, "attente@example.org", language="fr"),
        "gone": sign_up(edition, category, "partie@example.org", language="fr"),
    }
    cancel(people["gone"])
    with transaction.atomic():
        message = enqueue(
            f"registrations.{kind}", to="x@example.org", object_id=people[who].pk, language="fr"
        )

    email = build(message)

    assert email.extra_headers["Content-Language"] == "fr"
    html = email.alternatives[0].content
    assert '<html lang="fr">' in html
    if kind != "cancelled":
        assert "jeudi 19 septembre 2030" in email.body
        assert "jeudi 19 septembre 2030" in html


def test_invitation_email_in_french(edition, guest_category):
    invitation = invite(edition, guest_category, email="invitee@example.org", language="fr")

    email = build(Message.objects.get(object_id=invitation.pk))

    assert email.extra_headers["Content-Language"] == "fr"
    assert "jeudi 19 septembre 2030, de 9\u00a0h\u00a030 à 16\u00a0h\u00a030" in email.body


def test_the_ticket_email_page_and_pdf_print_the_short_code(client, edition, category, smtp_server):
    registration = sign_up(edition, category)
    code = codes.code_for(registration)

    assert send_all() == ["sent"]

    (received,) = smtp_server.wait_for(1)
    assert f"the agent types the ticket's code: {code}" in text_of(received)
    assert f">{code}</strong>" in html_of(received)
    assert code in pdf_text(attachments_of(received)["ticket-journee-exemple.pdf"].get_content())
    page = client.get(manage_path(registration) + "billet/", HTTP_ACCEPT_LANGUAGE="en")
    assert f'<strong translate="no">{code}</strong>' in page.content.decode()
