"""Registration journeys in Chromium on a phone, from the form to the emails received on a
real SMTP server and back through the links those emails carry: a booker and her colleague,
the manage link (badge name, ticket, cancellation), the waiting list and its promotion, a
personal invitation. Every page visited is checked with axe-core, for CSP violations and for
console errors.

Pages are served in French (the browser asks for it); the catalogue may translate any
English msgid, so the journeys find things by structure, tell emails apart by their outbox
kind (through their Message-ID), and build the few sentences they look for with gettext.
"""

import datetime as dt
import io
import re

import icalendar
import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from outbox.models import Message
from registrations import capacity, emails
from registrations.enums import RegistrationStatus, Source
from registrations.links import manage_path
from registrations.models import Booking, Invitation, Registration
from tests.factories import CategoryFactory, EditionFactory, OrganisationFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The issue asks for these journeys on a phone; test_registration_form.py covers the form
    # on a desktop too.
    pytest.mark.parametrize("tab", ["phone"], indirect=True),
]

FORM = "/journees/journee/inscription/"
CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED

#: Paths of the links the emails carry (a signed token has no "/" nor white space).
MANAGE = r"/inscription/[^/\s]+/"
TICKET = r"/inscription/[^/\s]+/billet/"
INVITATION = r"/invitation/[^/\s]+/"


@pytest.fixture
def site(settings, live_server):
    """The live server's address, which the emails' links now point at."""
    settings.SITE_URL = live_server.url
    # Every browser test posts from 127.0.0.1, and the per-address limit of the public forms
    # counts them in the cache table, which the flush between tests leaves alone.
    cache.clear()
    return live_server.url


@pytest.fixture
def edition(site):
    """Open, two seats, a waiting list."""
    edition = EditionFactory(
        title="Journée Exemple des pôles",
        slug="journee",
        capacity=2,
        has_waiting_list=True,
        registration_opens_at=timezone.now() - dt.timedelta(days=1),
        registration_closes_at=timezone.now() + dt.timedelta(days=10),
    )
    CategoryFactory(edition=edition, name="Participant", slug="participant")
    OrganisationFactory(name="Pôle Écotone")
    return edition


# Helpers ----------------------------------------------------------------------------------


def submitted_with_status(tab, status):
    """The form came back with ``status``: Chromium logs that status of the document as a
    console error, which is expected here and only here."""
    expected = [error for error in tab.console_errors if f"status of {status}" in error]
    assert len(expected) == 1
    tab.console_errors.remove(expected[0])


def kind_of(message):
    """The outbox kind of a received message, found by its fixed Message-ID."""
    return Message.objects.get(message_id=message["Message-ID"]).kind


def text_of(message):
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def link_in(message, site, path):
    """The one link of the message's text to ``site`` whose path matches ``path``: the path."""
    found = re.findall(rf"{re.escape(site)}({path})(?=\s|$)", text_of(message))
    assert len(found) == 1, found
    return found[0]


def ticket_files(message):
    """The attachments by content type: the PDF's text and the calendar's events."""
    parts = {part.get_content_type(): part.get_content() for part in message.iter_attachments()}
    assert sorted(parts) == ["application/pdf", "text/calendar"]
    pdf = PdfReader(io.BytesIO(parts["application/pdf"]))
    calendar = icalendar.Calendar.from_ical(parts["text/calendar"])
    return "\n".join(page.extract_text() for page in pdf.pages), calendar.walk("VEVENT")


def in_language(language, msgid, **values):
    """A template's sentence as the catalogue of ``language`` renders it."""
    with translation.override(language):
        return gettext(msgid) % values


def fill_person(page, index, first_name, last_name, email="", organisation=""):
    page.fill(f"#id_p{index}-first_name", first_name)
    page.fill(f"#id_p{index}-last_name", last_name)
    if email:
        page.fill(f"#id_p{index}-email", email)
    if organisation:
        page.fill(f"#id_p{index}-organisation", organisation)


def submit(page):
    page.locator("button.button-primary").click()


# Journeys ---------------------------------------------------------------------------------


def test_booker_registers_a_colleague_gets_every_ticket_and_manages_her_own(
    tab, edition, smtp_server, send_outbox, site
):
    page = tab.page
    tab.goto(FORM)
    tab.assert_clean()

    fill_person(page, 0, "Camille", "Exemple", "camille@example.org", "Pôle Écotone")
    page.check("#id_p0-category_0")
    page.locator("button[name=add_person]").click()
    page.wait_for_selector("#id_p1-first_name")
    tab.assert_clean()

    # The colleague's last name is forgotten: the form says so, next to the field.
    page.fill("#id_p1-first_name", "Dominique")
    submit(page)
    page.wait_for_selector(".error-summary")
    submitted_with_status(tab, 400)
    last_name = page.locator("#id_p1-last_name")
    assert last_name.get_attribute("aria-invalid") == "true"
    assert "id_p1-last_name_error" in last_name.get_attribute("aria-describedby")
    assert page.input_value("#id_p0-first_name") == "Camille"
    tab.assert_clean()
    assert Registration.objects.count() == 0

    page.fill("#id_p1-last_name", "Exemple")
    page.fill("#id_p1-email", "dominique@example.org")
    submit(page)
    page.wait_for_url("**/inscription/confirmation/**")
    assert page.locator(".registration-results > li").count() == 2
    assert page.locator(".registration-results .status-confirmed").count() == 2
    tab.assert_clean()

    camille, dominique = Registration.objects.order_by("pk")
    assert [(r.email, r.status, r.language) for r in (camille, dominique)] == [
        ("camille@example.org", CONFIRMED, "fr"),
        ("dominique@example.org", CONFIRMED, "fr"),
    ]
    assert camille.booking == dominique.booking
    assert camille.booking.email == "camille@example.org"

    # The booker receives both tickets; the colleague, who gave an address, her own.
    assert send_outbox() == ["sent"] * 3
    received = smtp_server.wait_for(3)
    assert sorted((m["To"], kind_of(m)) for m in received) == [
        ("camille@example.org", "registrations.confirmed"),
        ("camille@example.org", "registrations.confirmed"),
        ("dominique@example.org", "registrations.confirmed"),
    ]
    own, for_colleague = smtp_server.to("camille@example.org")
    (colleague_own,) = smtp_server.to("dominique@example.org")
    for message, registration in [
        (own, camille),
        (for_colleague, dominique),
        (colleague_own, dominique),
    ]:
        assert message["Content-Language"] == "fr"
        assert link_in(message, site, MANAGE) == manage_path(registration)
        pdf_text, events = ticket_files(message)
        assert registration.first_name in pdf_text
        assert registration.last_name in pdf_text
        assert len(events) == 1

    # The manage link, as found in the booker's own email.
    tab.goto(link_in(own, site, MANAGE))
    assert page.locator(".registration-status.status-confirmed").count() == 2
    # Her own status, then her colleague's, on her page as the booker.
    colleague = page.locator(".group-people .card")
    assert colleague.count() == 1
    assert "Dominique Exemple" in colleague.inner_text()
    tab.assert_clean()
    page.fill("#id_badge_name", "Cam")
    submit(page)
    page.wait_for_url("**?notice=saved")
    assert page.input_value("#id_badge_name") == "Cam"
    assert page.locator("[role=status]").count() == 1
    tab.assert_clean()
    camille.refresh_from_db()
    assert camille.badge_name == "Cam"

    page.locator(".actions a.button-primary").click()
    page.wait_for_url("**/billet/")
    assert page.url == site + link_in(own, site, TICKET)
    assert page.locator(".ticket-name").inner_text() == "Camille Exemple"
    assert page.locator(".ticket-card dd").first.inner_text() == "Cam"
    assert page.locator(".ticket-qr img").evaluate("img => img.complete && img.naturalWidth > 0")
    tab.assert_clean()


def test_waiting_person_is_promoted_when_the_booker_cancels(
    tab, edition, smtp_server, send_outbox, site
):
    category = edition.categories.get()
    booking = Booking.objects.create(edition=edition, email="camille@example.org")
    camille, dominique = capacity.register_group(
        edition,
        [
            dict(
                category=category,
                first_name="Camille",
                last_name="Exemple",
                email="camille@example.org",
            ),
            dict(category=category, first_name="Dominique", last_name="Exemple", email=""),
        ],
        booking=booking,
    )
    assert send_outbox() == ["sent", "sent"]
    own, for_colleague = smtp_server.wait_for(2)
    assert link_in(own, site, MANAGE) == manage_path(camille)
    assert link_in(for_colleague, site, MANAGE) == manage_path(dominique)
    page = tab.page

    # A third person: the two seats are taken, she joins the waiting list.
    tab.goto(FORM)
    fill_person(page, 0, "Zoé", "Attente", "zoe@example.org", "Pôle Écotone")
    page.check("#id_p0-category_0")
    submit(page)
    page.wait_for_url("**/inscription/confirmation/**")
    status = page.locator(".registration-results .status-waitlisted")
    assert in_language("fr", "position %(position)s", position=1) in status.inner_text()
    tab.assert_clean()
    zoe = Registration.objects.get(email="zoe@example.org")
    assert zoe.status == WAITLISTED

    assert send_outbox() == ["sent"]
    (waiting,) = smtp_server.to("zoe@example.org")
    assert kind_of(waiting) == "registrations.waitlisted"
    assert in_language("fr", "Place in the waiting list: %(position)s.", position=1) in (
        text_of(waiting)
    )
    assert link_in(waiting, site, MANAGE) == manage_path(zoe)
    assert list(waiting.iter_attachments()) == []

    # The booker cannot come: she cancels from the link in her email, after confirming.
    tab.goto(link_in(own, site, MANAGE))
    page.locator(f'a[href="{manage_path(camille)}annuler/"]').click()
    page.wait_for_url("**/annuler/")
    tab.assert_clean()
    assert Registration.objects.get(pk=camille.pk).status == CONFIRMED
    submit(page)
    page.wait_for_url("**?notice=cancelled")
    assert page.locator(".registration-status.status-cancelled").count() == 1
    tab.assert_clean()

    assert {r.email: r.status for r in Registration.objects.all()} == {
        "camille@example.org": CANCELLED,
        "": CONFIRMED,
        "zoe@example.org": CONFIRMED,
    }
    assert send_outbox() == ["sent", "sent"]
    smtp_server.wait_for(5)
    (cancelled,) = smtp_server.to("camille@example.org")[2:]
    assert kind_of(cancelled) == "registrations.cancelled"
    promoted = smtp_server.to("zoe@example.org")[1]
    assert kind_of(promoted) == "registrations.promoted"
    pdf_text, events = ticket_files(promoted)
    assert "Zoé" in pdf_text
    assert len(events) == 1

    # Her ticket, from the link in the "promoted" email.
    tab.goto(link_in(promoted, site, TICKET))
    assert page.locator(".ticket-name").inner_text() == "Zoé Attente"
    tab.assert_clean()


def test_guest_accepts_a_personal_invitation_from_its_email(tab, site, smtp_server, send_outbox):
    edition = EditionFactory(
        title="Journée Exemple des pôles",
        capacity=300,
        registration_opens_at=timezone.now() - dt.timedelta(days=1),
        registration_closes_at=timezone.now() + dt.timedelta(days=10),
    )
    CategoryFactory(edition=edition, name="Participant")
    guests = CategoryFactory(edition=edition, name="Invité·e institutionnel·le", is_public=False)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            edition=edition, category=guests, email="ada@example.org", guest_name="Ada"
        )
        emails.invitation(invitation)

    assert send_outbox() == ["sent"]
    (received,) = smtp_server.wait_for(1)
    assert (received["To"], kind_of(received)) == ("ada@example.org", "registrations.invitation")
    page = tab.page
    tab.goto(link_in(received, site, INVITATION))
    assert page.input_value("#id_p0-email") == "ada@example.org"
    assert page.locator("input[name=p0-category]").count() == 0
    tab.assert_clean()

    fill_person(page, 0, "Ada", "Exemple", organisation="Ministère Exemple")
    submit(page)
    page.wait_for_url("**/inscription/confirmation/**")
    assert page.locator(".registration-results .status-confirmed").count() == 1
    tab.assert_clean()

    (guest,) = Registration.objects.all()
    assert (guest.status, guest.category, guest.invitation, guest.source) == (
        CONFIRMED,
        guests,
        invitation,
        Source.INVITATION,
    )
    assert (guest.first_name, guest.last_name, guest.organisation_name) == (
        "Ada",
        "Exemple",
        "Ministère Exemple",
    )
    assert send_outbox() == ["sent"]
    confirmed = smtp_server.wait_for(2)[1]
    assert (confirmed["To"], kind_of(confirmed)) == ("ada@example.org", "registrations.confirmed")

    # The link of the email is used now: it says so instead of offering the form again.
    tab.goto(link_in(received, site, INVITATION))
    assert page.locator("#id_p0-first_name").count() == 0
    tab.assert_clean()
