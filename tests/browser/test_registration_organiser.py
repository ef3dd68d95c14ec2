"""An organiser works on registrations in a real browser: the list, a registration, the
"add a person" form with its errors, and invitations; each page axe-clean, on a phone and a
desktop."""

import datetime as dt

import pytest
from django.utils import timezone

from registrations import capacity
from registrations.models import Invitation, Registration
from tests.auth import log_in_tab
from tests.factories import CategoryFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

NOW = timezone.now()


@pytest.fixture
def edition(cast):
    edition = cast.edition
    edition.capacity = 2
    edition.registration_opens_at = NOW - dt.timedelta(days=1)
    edition.registration_closes_at = NOW + dt.timedelta(days=10)
    edition.save()
    participant = CategoryFactory(edition=edition, name="Participant", quota=2)
    speaker = CategoryFactory(edition=edition, name="Intervenant", is_public=False)
    pole = OrganisationFactory(name="Pôle Exemple des Deux-Rives")
    for number, organisation in enumerate([pole, None, pole]):
        capacity.register(
            edition,
            category=participant,
            first_name=f"Camille {number}",
            last_name="Exemple",
            email=f"camille{number}@example.org",
            organisation=organisation,
        )
    Invitation.objects.create(edition=edition, category=speaker, email="invitee@example.org")
    return edition


def test_organiser_lists_opens_and_adds_registrations(tab, cast, edition):
    page = tab.page
    log_in_tab(tab, cast.organiser)
    base = f"/journees/{edition.slug}/gestion/inscriptions/"

    tab.goto(base)
    assert page.locator(".registrations-table tbody tr").count() == 3
    tab.assert_clean()

    page.locator("#id_status").select_option("waitlisted")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**/inscriptions/?*status=waitlisted*")
    assert page.locator(".registrations-table tbody tr").count() == 1
    tab.assert_clean()

    page.locator(".registrations-table tbody a").first.click()
    page.wait_for_url("**/inscriptions/*/")
    assert page.locator("h1").inner_text().startswith("Camille 2 Exemple")
    tab.assert_clean()

    tab.goto(base + "ajouter/")
    page.locator("#id_first_name").fill("Claude")
    page.locator("#id_email").fill("pas-une-adresse")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#id_last_name").get_attribute("aria-invalid") == "true"
    assert (
        page.locator("#id_email").get_attribute("aria-describedby")
        == "id_email_helptext id_email_error"
    )
    assert Registration.objects.count() == 3
    tab.assert_clean()

    tab.goto(base + "invitations/")
    assert page.locator("tbody th", has_text="invitee@example.org").count() == 1
    tab.assert_clean()

    tab.goto(base + "courriels-en-echec/")
    tab.assert_clean()


def test_organiser_security_list_page_is_accessible(tab, cast, edition):
    from admission import security_list

    first = security_list.generate(edition, by=cast.organiser)
    capacity.cancel(Registration.objects.filter(edition=edition).confirmed().first())
    security_list.generate(edition, by=cast.organiser)
    log_in_tab(tab, cast.organiser)

    tab.goto(f"/journees/{edition.slug}/gestion/liste-securite/")
    assert tab.page.locator("h1").count() == 1
    assert first.number == 1
    tab.assert_clean()
