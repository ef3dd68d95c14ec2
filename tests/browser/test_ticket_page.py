"""The ticket page on a phone and a desktop: readable, accessible, the QR code loaded."""

import pytest

from registrations.capacity import cancel, register
from registrations.links import manage_token
from tests.factories import CategoryFactory, EditionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def edition():
    return EditionFactory(title="Journée Exemple des pôles", capacity=1)


def attendee(edition, email="camille@example.org", **names):
    category = edition.categories.first() or CategoryFactory(edition=edition, name="Participant")
    return register(
        edition,
        category=category,
        first_name=names.get("first_name", "Camille"),
        last_name=names.get("last_name", "Exemple"),
        email=email,
        by_organiser=True,
        badge_name="Cam",
        organisation_name="Pôle Exemple des Deux-Rives",
    )


def test_ticket_page_shows_the_qr_code_and_is_clean(tab, edition):
    registration = attendee(edition, first_name="Zoé", last_name="فاطمة")

    tab.goto(f"/inscription/{manage_token(registration)}/billet/")

    page = tab.page
    assert page.locator(".ticket-name").inner_text() == "Zoé فاطمة"
    qr = page.locator(".ticket-qr img")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    assert qr.get_attribute("alt") != ""
    tab.assert_clean()


@pytest.mark.parametrize("state", ["waitlisted", "cancelled"])
def test_ticket_page_without_a_ticket_is_clean(tab, edition, state):
    attendee(edition)
    registration = attendee(edition, email="dominique@example.org")
    if state == "cancelled":
        cancel(registration)
    registration.refresh_from_db()
    assert registration.status == state

    tab.goto(f"/inscription/{manage_token(registration)}/billet/")

    assert tab.page.locator(".ticket-qr").count() == 0
    tab.assert_clean()
