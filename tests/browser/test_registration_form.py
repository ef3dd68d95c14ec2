"""Registering in Chromium: the form on a phone and a desktop, its errors, adding a
colleague without JavaScript, the result page and the manage link."""

import datetime as dt

import pytest
from django.utils import timezone

from registrations.enums import RegistrationStatus
from registrations.models import Registration
from tests.factories import (
    CategoryFactory,
    EditionFactory,
    InvitationFactory,
    OrganisationFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

FORM = "/journees/journee/inscription/"


@pytest.fixture
def edition():
    edition = EditionFactory(
        slug="journee",
        capacity=300,
        security_fields=["birth_date"],
        registration_opens_at=timezone.now() - dt.timedelta(days=1),
        registration_closes_at=timezone.now() + dt.timedelta(days=10),
    )
    CategoryFactory(
        edition=edition, name="Participant", slug="participant", description="Tout public."
    )
    CategoryFactory(edition=edition, name="Presse", slug="presse")
    OrganisationFactory(name="Pôle Écotone")
    return edition


def submitted_with_status(tab, status):
    """The form page came back with ``status``: Chromium logs that status of the document
    as a console error, which is expected here and only here."""
    expected = [e for e in tab.console_errors if f"status of {status}" in e]
    assert len(expected) == 1
    tab.console_errors.remove(expected[0])


def test_empty_form_shows_errors_tied_to_fields_and_stays_clean(tab, edition):
    page = tab.page
    tab.goto(FORM)
    tab.assert_clean()

    page.locator("button.button-primary").click()
    page.wait_for_selector(".error-summary")

    submitted_with_status(tab, 400)
    # The title says there are errors, and the focus is on their summary: a screen reader
    # reads both first (issue 17).
    assert page.title().startswith("Erreur :")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    first_name = page.locator("#id_p0-first_name")
    assert first_name.get_attribute("aria-invalid") == "true"
    assert "id_p0-first_name_error" in first_name.get_attribute("aria-describedby")
    page.locator('.error-summary a[href="#id_p0-first_name"]').click()
    assert page.evaluate("document.activeElement.id") == "id_p0-first_name"
    tab.assert_clean()
    assert Registration.objects.count() == 0


def test_register_yourself_and_a_colleague_then_manage(tab, edition):
    page = tab.page
    tab.goto(FORM)

    page.fill("#id_p0-first_name", "Camille")
    page.fill("#id_p0-last_name", "Exemple")
    page.fill("#id_p0-email", "camille@example.org")
    page.fill("#id_p0-organisation", "Pôle Écotone")
    page.check("#id_p0-category_0")
    page.fill("#id_p0-birth_date", "1985-04-12")
    page.get_by_role("button", name="Ajouter une personne").click()
    page.wait_for_selector("#id_p1-first_name")

    # The colleague starts with the booker's organisation and category.
    assert page.input_value("#id_p1-organisation") == "Pôle Écotone"
    assert page.is_checked("#id_p1-category_0")
    assert page.input_value("#id_p0-first_name") == "Camille"
    tab.assert_clean()

    page.fill("#id_p1-first_name", "محمد")
    page.fill("#id_p1-last_name", "Ĳsselmeer")
    page.fill("#id_p1-birth_date", "1990-01-31")
    page.locator("button.button-primary").click()
    page.wait_for_url("**/inscription/confirmation/**")

    assert page.locator(".registration-results > li").count() == 2
    tab.assert_clean()
    booker, colleague = Registration.objects.order_by("pk")
    assert (colleague.first_name, colleague.last_name) == ("محمد", "Ĳsselmeer")
    assert colleague.booking == booker.booking
    assert {booker.status, colleague.status} == {RegistrationStatus.CONFIRMED}

    page.locator(".registration-results > li").nth(1).get_by_role("link").click()
    page.wait_for_selector("#id_badge_name")
    tab.assert_clean()
    page.fill("#id_badge_name", "Mo")
    page.locator("button.button-primary").click()
    page.wait_for_url("**?notice=saved")
    tab.assert_clean()
    colleague.refresh_from_db()
    assert colleague.badge_name == "Mo"

    page.get_by_role("link", name="Annuler mon inscription").click()
    page.wait_for_url("**/annuler/")
    tab.assert_clean()
    page.locator("button.button-primary").click()
    page.wait_for_selector(".status-cancelled")
    tab.assert_clean()
    colleague.refresh_from_db()
    assert colleague.status == RegistrationStatus.CANCELLED


def test_lost_link_participants_and_invitation_pages_are_clean(tab, edition):
    RegistrationFactory(
        edition=edition, consent_public_list=True, first_name="Zoë", last_name="Durand"
    )
    invitation = InvitationFactory(edition=edition, guest_name="Ada")
    page = tab.page

    tab.goto("/journees/journee/inscription/lien/")
    tab.assert_clean()
    page.fill("#id_email", "zoe@example.org")
    page.locator("button.button-primary").click()
    page.wait_for_selector("[role=status]")
    tab.assert_clean()

    tab.goto("/journees/journee/participants/")
    assert page.locator(".participant-list li").count() == 1
    tab.assert_clean()

    tab.goto(f"/invitation/{invitation.code}/")
    tab.assert_clean()
    tab.goto("/invitation/INCONNU/", status=404)
    tab.assert_clean()
