"""The day as `make run` serves it, in Chromium: a visitor registers on her phone, opens the
ticket that her confirmation email links to, and a reception agent admits her at the door.

The only browser test that the SQLite pass runs too (marker ``embedded``): SQLite is the
database of `make run` and of a small event run on one machine, and this is the path from
the form to the door through it. The other browser tests run once, on PostgreSQL.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from admission import tickets
from admission.models import CheckIn
from registrations.enums import RegistrationStatus
from registrations.links import manage_path
from registrations.models import Registration
from tests.browser.conftest import VIEWPORTS, Tab
from tests.browser.test_checkin_app import admit, enter_code, open_tab, visible
from tests.factories import CategoryFactory, EntranceFactory

pytestmark = [pytest.mark.embedded, pytest.mark.django_db(transaction=True)]


def test_visitor_registers_opens_her_ticket_and_is_admitted_at_the_door(
    browser, live_server, cast, smtp_server, send_outbox, settings
):
    settings.SITE_URL = live_server.url
    edition = cast.edition
    edition.date = timezone.localdate()
    edition.registration_opens_at = timezone.now() - dt.timedelta(days=10)
    edition.registration_closes_at = timezone.now() + dt.timedelta(hours=2)
    edition.save()
    EntranceFactory(edition=edition, name="Entrée A", slug="a")
    CategoryFactory(edition=edition, name="Participant", slug="participant")

    # The public form, on a phone.
    visitor = Tab(
        browser.new_context(locale="fr-FR", **VIEWPORTS["phone"]).new_page(), live_server.url
    )
    visitor.goto(f"/journees/{edition.slug}/inscription/")
    page = visitor.page
    page.fill("#id_p0-first_name", "Camille")
    page.fill("#id_p0-last_name", "Exemple")
    page.fill("#id_p0-email", "camille@example.org")
    page.fill("#id_p0-organisation", "Pôle Exemple des Deux-Rives")
    page.check("#id_p0-category_0")
    page.locator("button.button-primary").click()
    page.wait_for_url("**/inscription/confirmation/**")
    visitor.assert_clean()
    (registration,) = Registration.objects.all()
    assert registration.status == RegistrationStatus.CONFIRMED

    # The confirmation email's link, then the ticket with its QR code.
    assert send_outbox() == ["sent"]
    (message,) = smtp_server.wait_for(1)
    text = message.get_body(("plain",)).get_content()
    assert re.findall(rf"{re.escape(live_server.url)}(/inscription/[^/\s]+/)(?=\s|$)", text) == [
        manage_path(registration)
    ]
    visitor.goto(f"{manage_path(registration)}billet/")
    assert page.locator(".ticket-name").inner_text() == "Camille Exemple"
    assert page.locator(".ticket-qr img").evaluate("img => img.complete && img.naturalWidth > 0")
    visitor.assert_clean()
    page.context.close()

    # At the door, the one entrance chosen by itself: the agent types the ticket's code and
    # checks the ID.
    door = open_tab(browser, live_server, cast.agent)
    door.goto(f"/controle/{edition.slug}/")
    visible(door.page, "#screen-main")
    enter_code(door.page, tickets.token_for(registration))
    assert door.page.locator("#confirm-names").inner_text() == "Camille Exemple"
    assert admit(door.page) == "admitted"
    door.assert_clean()
    door.page.context.close()
    (check_in,) = CheckIn.objects.all()
    assert (check_in.registration, check_in.result) == (registration, "admitted")
