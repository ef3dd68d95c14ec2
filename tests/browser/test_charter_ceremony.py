"""The charter's organiser pages in a real browser: an organiser opens the ceremony of a day,
sees the run sheet with a pole whose representative was admitted at the door, records its
signature in a few clicks and sees it move to "signed"; the charter's management pages. Each
page axe-clean, on a phone and a desktop."""

import pytest

from admission.checkin import admit
from charter import signatures
from charter.enums import Channel, RequestStatus
from charter.models import Signature, SigningRequest
from network.enums import OrganisationKind
from tests.auth import log_in_tab
from tests.factories import (
    CategoryFactory,
    CharterVersionFactory,
    EntranceFactory,
    OrganisationFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def version(db):
    return CharterVersionFactory()


@pytest.fixture
def day(cast, version):
    """A pole whose representative was admitted at the door, and a network not there yet."""
    edition = cast.edition
    category = CategoryFactory(edition=edition)
    door = EntranceFactory(edition=edition)
    pole = OrganisationFactory(name="Pôle Exemple des Deux-Rives", department_code="35")
    network = OrganisationFactory(name="Réseau Exemple absent", kind=OrganisationKind.NETWORK)
    anne = RegistrationFactory(
        edition=edition,
        category=category,
        organisation=pole,
        first_name="Anne",
        last_name="Exemple",
        job_title="Coordinatrice",
    )
    RegistrationFactory(edition=edition, category=category, organisation=network)
    admit(
        edition,
        registration=anne,
        entrance=door,
        agent=cast.agent,
        nonce="door-1",
        id_checked=True,
        now=edition.starts_at,
    )
    return edition, pole


def test_organiser_opens_the_ceremony_and_records_a_present_poles_signature(tab, cast, day):
    edition, pole = day
    page = tab.page
    log_in_tab(tab, cast.organiser)

    tab.goto(f"/journees/{edition.slug}/gestion/ceremonie/")
    assert page.locator(".pole-card").count() == 0
    tab.assert_clean()

    page.locator("form[action$='/ceremonie/ouvrir/'] button[type=submit]").click()
    page.wait_for_url("**/gestion/ceremonie/")
    present = page.locator("section[aria-labelledby=present-title]")
    card = present.locator(f"#organisation-{pole.pk}")
    assert card.locator("h3").inner_text() == "Pôle Exemple des Deux-Rives"
    assert "Anne Exemple" in card.inner_text()
    assert card.locator("input[type=text]").input_value() == "Coordinatrice"
    assert page.locator("section[aria-labelledby=absent-title] .pole-card").count() == 1
    tab.assert_clean()

    card.locator("button[type=submit]").click()
    page.wait_for_url("**/gestion/ceremonie/#signed-title")
    assert present.locator(".pole-card").count() == 0
    signed = page.locator("section[aria-labelledby=signed-title] tbody tr")
    assert signed.count() == 1
    assert "Pôle Exemple des Deux-Rives" in signed.inner_text()
    assert "Anne Exemple, Coordinatrice" in signed.inner_text()
    tab.assert_clean()
    signature = Signature.objects.get()
    assert (signature.channel, signature.edition, signature.name_is_public) == (
        Channel.CEREMONY,
        edition,
        False,
    )


def test_charter_management_pages_are_accessible(tab, cast, version):
    signature = signatures.record(
        version,
        OrganisationFactory(name="Pôle Exemple des Coteaux"),
        representative_name="Camille Exemple",
        representative_role="Présidente",
        name_is_public=True,
        channel=Channel.ONLINE,
    )
    proposed = SigningRequest.objects.create(
        version=version,
        proposed_name="Pôle Exemple proposé",
        proposed_kind=OrganisationKind.POLE,
        representative_name="Claude Exemple",
        representative_role="Président",
        representative_email="claude@example.org",
        has_mandate=True,
        status=RequestStatus.AWAITING_APPROVAL,
    )
    page = tab.page
    log_in_tab(tab, cast.organiser)

    tab.goto("/charte/gestion/")
    assert page.locator("h1").count() == 1
    tab.assert_clean()

    page.locator(f"a[href='/charte/gestion/versions/{version.slug}/']").click()
    page.wait_for_url("**/versions/2021/")
    page.locator("#id_title").fill("<b>Charte</b>")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#id_title").get_attribute("aria-invalid") == "true"
    tab.assert_clean()

    tab.goto(f"/charte/gestion/demandes/{proposed.pk}/refuser/")
    tab.assert_clean()

    tab.goto(f"/charte/gestion/signatures/{signature.pk}/revoquer/")
    page.locator("#id_reason").fill("Signée sans mandat")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/charte/gestion/")
    assert page.locator(".message").count() == 1
    signature.refresh_from_db()
    assert signature.revoked_at is not None
    tab.assert_clean()
