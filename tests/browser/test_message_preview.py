"""An organiser checks a message to attendees before sending it, in a real browser: writes it,
sees each language's email as its recipients will receive it (the HTML in a sandboxed frame,
the text part below it), sends a test to themself and finds it on the SMTP server; the page
is axe-clean, without a CSP violation or a console error, on a phone and a desktop."""

import pytest
from playwright.sync_api import expect

from outbox.models import Message
from registrations import capacity
from registrations.models import Announcement
from tests.auth import log_in_tab
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def edition(cast):
    """Anne reads French, Bruno English."""
    edition = cast.edition
    participant = CategoryFactory(edition=edition, name="Participant")
    for first_name, language in (("Anne", "fr"), ("Bruno", "en")):
        capacity.register(
            edition,
            category=participant,
            first_name=first_name,
            last_name="Exemple",
            email=f"{first_name.lower()}@example.org",
            language=language,
            by_organiser=True,
        )
    Message.objects.all().delete()  # The registrations' own emails.
    return edition


def test_organiser_previews_a_message_then_sends_a_test_to_themself(
    tab, cast, edition, smtp_server, send_outbox
):
    page = tab.page
    log_in_tab(tab, cast.organiser)
    tab.goto(f"/journees/{edition.slug}/gestion/message/")
    tab.assert_clean()

    page.fill("#id_subject", "Changement de salle")
    page.fill("#id_body", "La plénière a lieu salle B.\n<b>Merci</b> de votre venue.")
    page.locator("button[name='preview']").click()

    expect(page.locator(".message-preview [role='status']")).to_contain_text(
        "Ce message sera envoyé à 2 personnes."
    )
    emails = page.locator(".email-preview")
    expect(emails).to_have_count(2)
    french, english = emails.nth(0), emails.nth(1)
    expect(french.locator("h4")).to_have_text("Français")
    expect(french).to_contain_text("Tel que Anne Exemple le recevra, à l'adresse anne@example.org.")
    expect(english).to_contain_text("Tel que Bruno Exemple le recevra")
    expect(french.locator("dd")).to_have_text("Changement de salle")
    # The HTML, in its sandboxed frame: the message as written, markup shown as text.
    french_frame = page.frame_locator(".email-preview >> nth=0 >> iframe")
    expect(french_frame.locator("h1")).to_have_text("Changement de salle")
    expect(french_frame.locator("body")).to_contain_text("<b>Merci</b> de votre venue.")
    expect(french_frame.locator("body")).to_contain_text("Un message des organisateurs")
    english_frame = page.frame_locator(".email-preview >> nth=1 >> iframe")
    expect(english_frame.locator("body")).to_contain_text("A message from the organisers")
    assert french.locator("iframe").get_attribute("sandbox") == ""
    # The text part, folded until asked for; it wraps in the page's width.
    english.locator("summary").click()
    expect(english.locator("pre")).to_contain_text("A message from the organisers")
    expect(english.locator("pre")).to_contain_text("<b>Merci</b> de votre venue.")
    tab.assert_clean()

    # The test: to the organiser alone, once in each language, and no announcement.
    page.locator("button[name='test']").click()
    expect(page.locator(".message-success")).to_have_text(
        "2 essais, un par langue, ont été envoyés à organisatrice@example.org."
    )
    # The form keeps the message, the preview shows again, the real send still waits.
    expect(page.locator("#id_subject")).to_have_value("Changement de salle")
    expect(page.locator(".email-preview")).to_have_count(2)
    expect(page.locator("button[name='send']")).to_have_text("Envoyer à 2 personnes")
    tab.assert_clean()

    assert send_outbox() == ["sent", "sent"]
    received = smtp_server.wait_for(2)
    assert sorted((message["To"], message["Subject"]) for message in received) == [
        ("organisatrice@example.org", "[Essai] Changement de salle"),
        ("organisatrice@example.org", "[Test] Changement de salle"),
    ]
    assert [recipients for _sender, recipients in smtp_server.envelopes] == [
        ["organisatrice@example.org"],
        ["organisatrice@example.org"],
    ]
    assert not Announcement.objects.exists()
