"""Signing the charter online in Chromium on a phone: the form (with a mistake first), the
email received on a real SMTP server, its link, the button that signs, the signed page; and
a proposed organisation up to the organiser's approval. Every page is checked with axe-core,
for CSP violations and for console errors.

Pages are served in French (the browser asks for it), which the catalogue may translate:
the journeys find things by structure and tell emails apart by their outbox kind.
"""

import re

import pytest
from django.core.cache import cache

from charter import requests, signatures
from charter.enums import Channel, RequestStatus
from charter.models import Signature, SigningRequest
from outbox.models import Message
from tests.factories import CharterVersionFactory, PoleFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("tab", ["phone"], indirect=True),
]

FORM = "/charte/2021/signer/"
#: The confirmation link's path (a signed token has no "/" nor white space).
CONFIRM = r"/charte/signature/[^/\s]+/"


@pytest.fixture
def site(settings, live_server):
    """The live server's address, which the emails' links now point at."""
    settings.SITE_URL = live_server.url
    # The per-address limit counts every post from 127.0.0.1 in the cache table, which the
    # flush between tests leaves alone.
    cache.clear()
    return live_server.url


@pytest.fixture
def version(site):
    return CharterVersionFactory(title="Charte de la démarche collective PTCE (2021)")


def text_of(message):
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def kind_of(message):
    return Message.objects.get(message_id=message["Message-ID"]).kind


def link_in(message, site):
    """The path of the one confirmation link in the message's text."""
    found = re.findall(rf"{re.escape(site)}({CONFIRM})(?=\s|$)", text_of(message))
    assert len(found) == 1, found
    return found[0]


def fill_representative(page):
    page.fill("#id_representative_name", "Camille Exemple")
    page.fill("#id_representative_role", "Co-présidente")
    page.fill("#id_representative_email", "camille@example.org")


def submit(page):
    page.locator("#signing-form button.button-primary").click()


def test_a_representative_signs_for_a_pole_from_the_emailed_link(
    tab, version, site, smtp_server, send_outbox
):
    pole = PoleFactory(organisation__name="Pôle Écotone", organisation__town="Lyon")
    page = tab.page
    tab.goto(FORM)
    tab.assert_clean()
    assert page.is_checked("#id_source_0")
    assert not page.is_checked("#id_name_is_public")

    # The mandate box is forgotten: the form says so, next to it, and sends nothing.
    page.fill("#id_organisation", "Pôle Écotone")
    fill_representative(page)
    submit(page)
    page.wait_for_selector(".error-summary")
    expected = [error for error in tab.console_errors if "status of 400" in error]
    assert len(expected) == 1
    tab.console_errors.remove(expected[0])
    assert "id_has_mandate_error" in page.get_attribute("#id_has_mandate", "aria-describedby")
    assert page.input_value("#id_representative_role") == "Co-présidente"
    tab.assert_clean()
    assert SigningRequest.objects.count() == 0

    page.check("#id_has_mandate")
    page.check("#id_name_is_public")
    submit(page)
    page.wait_for_url(f"**{FORM}envoye/")
    tab.assert_clean()
    signing_request = SigningRequest.objects.get()
    assert (signing_request.organisation, signing_request.language) == (pole.organisation, "fr")

    assert send_outbox() == ["sent"]
    (message,) = smtp_server.wait_for(1)
    assert (message["To"], kind_of(message)) == ("camille@example.org", "charter.confirm_link")
    assert message["Content-Language"] == "fr"

    tab.goto(link_in(message, site))
    tab.assert_clean()
    assert "Pôle Écotone" in page.locator(".facts").first.inner_text()
    assert Signature.objects.count() == 0

    page.locator("main form button.button-primary").click()
    page.wait_for_selector("main code")
    tab.assert_clean()
    signature = Signature.objects.get()
    assert (signature.organisation, signature.channel, signature.name_is_public) == (
        pole.organisation,
        Channel.ONLINE,
        True,
    )
    assert page.locator("main code").inner_text() == signatures.format_code(signature.receipt_code)

    assert send_outbox() == ["sent"]
    receipt = smtp_server.wait_for(2)[1]
    assert kind_of(receipt) == "charter.signed"
    assert signatures.format_code(signature.receipt_code) in text_of(receipt)


def test_a_proposed_organisation_waits_for_an_organiser_then_is_signed(
    tab, version, site, smtp_server, send_outbox, cast
):
    page = tab.page
    tab.goto(FORM)
    page.check("#id_source_1")
    page.fill("#id_proposed_name", "Pôle Nouveau")
    page.check("#id_proposed_kind_0")
    page.fill("#id_proposed_town", "Tulle")
    fill_representative(page)
    page.check("#id_has_mandate")
    submit(page)
    page.wait_for_url(f"**{FORM}envoye/")

    assert send_outbox() == ["sent"]
    (message,) = smtp_server.wait_for(1)
    tab.goto(link_in(message, site))
    tab.assert_clean()
    page.locator("main form button.button-primary").click()
    page.wait_for_load_state()
    assert page.locator("main form").count() == 0
    tab.assert_clean()
    signing_request = SigningRequest.objects.get()
    assert signing_request.status == RequestStatus.AWAITING_APPROVAL
    assert send_outbox() == ["sent"]

    signature = requests.approve(signing_request, cast.organiser)
    tab.goto(link_in(message, site))
    assert page.locator("main code").inner_text() == signatures.format_code(signature.receipt_code)
    tab.assert_clean()
    assert send_outbox() == ["sent"]
    assert [kind_of(m) for m in smtp_server.wait_for(3)] == [
        "charter.confirm_link",
        "charter.awaiting_approval",
        "charter.signed",
    ]
