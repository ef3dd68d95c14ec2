"""Workshops in Chromium on a phone, in French: a booker registers herself and a colleague
in two different workshops of one slot; the colleague's is full and she waits; the person
holding its seat cancels from her private page, the colleague gets the seat and the email
says so (read on a real SMTP server); the facilitator's PDF lists the right people. Every
page visited is checked with axe-core, for CSP violations and for console errors."""

import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from pypdf import PdfReader

from events.workshops import edition_slots
from outbox.models import Message
from registrations import capacity, workshops
from registrations.enums import WorkshopChoiceStatus
from registrations.links import manage_path
from registrations.models import Registration, WorkshopChoice
from tests.auth import log_in_tab
from tests.factories import CategoryFactory, EditionFactory, WorkshopFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("tab", ["phone"], indirect=True),
]

SEAT = WorkshopChoiceStatus.CONFIRMED
WAITING = WorkshopChoiceStatus.WAITING


@pytest.fixture
def site(settings, live_server):
    settings.SITE_URL = live_server.url
    cache.clear()
    return live_server.url


def kind_of(message):
    return Message.objects.get(message_id=message["Message-ID"]).kind


def text_of(message):
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_a_group_chooses_workshops_one_waits_and_gets_the_seat_freed(
    tab, site, smtp_server, send_outbox, cast
):
    edition = EditionFactory(
        title="Journée Exemple des pôles",
        slug="journee",
        organisers=[cast.org],
        registration_opens_at=timezone.now() - dt.timedelta(days=1),
        registration_closes_at=timezone.now() + dt.timedelta(days=10),
    )
    category = CategoryFactory(edition=edition, name="Participant", slug="participant")
    financer = WorkshopFactory(
        edition=edition, title="Financer son pôle", room="Les Tilleuls", capacity=1
    )
    cooperer = WorkshopFactory(
        edition=edition, title="Coopérer avec les collectivités", room="Le Verger", capacity=5
    )
    holder = capacity.register(
        edition,
        category=category,
        first_name="Héloïse",
        last_name="Tenante",
        email="heloise@example.org",
        workshops=[financer],
    )
    assert send_outbox() == ["sent"]
    smtp_server.wait_for(1)
    page = tab.page

    # The booker and her colleague, each in a workshop of the one slot.
    tab.goto(f"/journees/{edition.slug}/inscription/")
    (the_slot,) = edition_slots(edition)
    slot = f"#id_p0-workshop_{the_slot.key}"
    assert "Complet" in page.locator(slot).inner_text()
    tab.assert_clean()
    page.fill("#id_p0-first_name", "Camille")
    page.fill("#id_p0-last_name", "Exemple")
    page.fill("#id_p0-email", "camille@example.org")
    page.fill("#id_p0-organisation", "Pôle Exemple")
    page.check("#id_p0-category_0")
    page.locator(slot).get_by_label("Coopérer avec les collectivités").check()
    page.locator("button[name=add_person]").click()
    page.wait_for_selector("#id_p1-first_name")
    assert page.locator(slot).get_by_label("Coopérer avec les collectivités").is_checked()
    page.fill("#id_p1-first_name", "Dominique")
    page.fill("#id_p1-last_name", "Exemple")
    page.fill("#id_p1-email", "dominique@example.org")
    colleague_slot = slot.replace("p0-", "p1-")
    page.locator(colleague_slot).get_by_label("Financer son pôle").check()
    tab.assert_clean()
    page.locator("button.button-primary").click()
    page.wait_for_url("**/inscription/confirmation/**")
    tab.assert_clean()

    camille = Registration.objects.get(email="camille@example.org")
    dominique = Registration.objects.get(email="dominique@example.org")
    assert [(c.session_id, c.status) for c in camille.workshop_choices.all()] == [
        (cooperer.pk, SEAT)
    ]
    assert [(c.session_id, c.status) for c in dominique.workshop_choices.all()] == [
        (financer.pk, WAITING)
    ]
    assert send_outbox() == ["sent"] * 3
    received = smtp_server.wait_for(4)
    (colleague_confirmed,) = [m for m in received if m["To"] == "dominique@example.org"]
    assert "Financer son pôle" in text_of(colleague_confirmed)

    # Her private page says she waits, first in line.
    tab.goto(manage_path(dominique))
    section = page.locator("#workshops")
    assert "Financer son pôle" in section.inner_text()
    assert "en tête de la liste d'attente" in section.inner_text()
    tab.assert_clean()

    # The person holding the seat cannot come: she cancels from her own page.
    tab.goto(manage_path(holder) + "annuler/")
    tab.assert_clean()
    page.locator("button.button-primary").click()
    page.wait_for_url("**?notice=cancelled")
    tab.assert_clean()

    assert list(
        WorkshopChoice.objects.filter(session=financer).values_list("registration", "status")
    ) == [(dominique.pk, SEAT)]
    assert sorted(send_outbox()) == ["sent"] * 3
    later = smtp_server.wait_for(7)[4:]
    kinds = sorted((m["To"], kind_of(m)) for m in later)
    assert kinds == [
        ("camille@example.org", "registrations.workshop_seat"),
        ("dominique@example.org", "registrations.workshop_seat"),
        ("heloise@example.org", "registrations.cancelled"),
    ]
    (seat_email,) = [m for m in later if m["To"] == "dominique@example.org"]
    body = text_of(seat_email)
    assert "Financer son pôle" in body
    assert "Les Tilleuls" in body
    assert re.search(r"Bonjour Dominique, une place s'est libérée", body)

    tab.goto(manage_path(dominique))
    assert "Place prise" in page.locator("#workshops").inner_text()
    tab.assert_clean()

    # The facilitator's list: the one person holding the seat, not the one who left.
    log_in_tab(tab, cast.organiser)
    response = page.request.get(
        f"{site}/journees/{edition.slug}/gestion/ateliers/{financer.pk}/liste.pdf"
    )
    assert response.status == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "Financer son pôle" in text
    assert "EXEMPLE Dominique" in text
    assert "Héloïse" not in text
    assert "Camille" not in text
    workshops.choose(camille, financer)  # Full: Camille waits, and is not on the list.
    response = page.request.get(
        f"{site}/journees/{edition.slug}/gestion/ateliers/{financer.pk}/liste.pdf"
    )
    assert "Camille" not in "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages
    )
