"""A visitor on a phone reads about the charter, filters its signatories; a representative
opens their receipt and checks its code on the verification page. Every page axe-clean."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from charter import links
from charter import signatures as rules
from charter.enums import Channel
from network import poles
from network.enums import OrganisationKind
from tests.factories import (
    CharterVersionFactory,
    EditionFactory,
    OrganisationFactory,
    PoleFactory,
    SignatureFactory,
    TerritoryAreaFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")


def make_pole(name, town, code):
    pole = PoleFactory(organisation__name=name, organisation__town=town)
    TerritoryAreaFactory(pole=pole, level="department", code=code)
    poles.refresh(pole)
    return pole


@pytest.fixture
def charter():
    v2014 = CharterVersionFactory(
        slug="2014",
        title="Charte de la démarche collective PTCE (2014)",
        year=2014,
        is_open=False,
        recognition_kind="charter_2014",
    )
    v2021 = CharterVersionFactory()
    day = EditionFactory(title="Journée Exemple 2014", date=dt.date(2014, 9, 19))
    ecotone = make_pole("Pôle Écotone", "Lyon", "69")
    rives = make_pole("Pôle Exemple des Deux-Rives", "Amiens", "80")
    network = OrganisationFactory(
        name="Réseau Exemple", kind=OrganisationKind.NETWORK, town="Paris", department_code="75"
    )
    SignatureFactory(
        version=v2014,
        organisation=ecotone.organisation,
        channel=Channel.CEREMONY,
        edition=day,
        signed_at=dt.datetime(2014, 9, 19, 16, 5, tzinfo=PARIS),
        receipt_code=rules.new_receipt_code(),
        name_is_public=True,
    )
    SignatureFactory(
        version=v2021,
        organisation=network,
        signed_at=dt.datetime(2023, 5, 2, tzinfo=PARIS),
        receipt_code=rules.new_receipt_code(),
    )
    return SignatureFactory(
        version=v2021,
        organisation=rives.organisation,
        signed_at=dt.datetime(2022, 3, 15, tzinfo=PARIS),
        receipt_code="7KQM4XPA9TDE2B10",
        representative_name="فاطمة الزهراء",
        representative_role="Directrice",
    )


def in_english(tab):
    """The pages in English: the assertions read the English words, whatever the French
    catalogue says."""
    tab.page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": tab.base_url}]
    )


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0


def names(page):
    return [" ".join(text.split()) for text in page.locator(".pole-card-title").all_inner_texts()]


@pytest.mark.parametrize("tab", ["phone"], indirect=True)
def test_visitor_filters_the_signatories_and_a_representative_checks_a_receipt(tab, charter):
    page = tab.page
    in_english(tab)

    tab.goto("/charte/")
    assert page.locator(".card-title").all_inner_texts() == [
        "Charte de la démarche collective PTCE (2014)",
        "Charte de la démarche collective PTCE (2021)",
    ]
    tab.assert_clean()

    page.locator(".card-title a").nth(1).click()
    page.wait_for_url("**/charte/2021/")
    assert page.locator(".notice-demo .badge-demo").inner_text() == "Placeholder text"
    tab.assert_clean()

    tab.goto("/charte/signataires/")
    assert names(page) == [
        "Réseau Exemple fictional",
        "Pôle Exemple des Deux-Rives fictional",
        "Pôle Écotone fictional",
    ]
    tab.assert_clean()

    page.locator("#id_region").select_option("32")
    page.locator("#id_version").select_option("2021")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**/charte/signataires/?*region=32*")
    assert names(page) == ["Pôle Exemple des Deux-Rives fictional"]
    assert no_sideways_scroll(page)
    # Named only with consent: this representative did not agree.
    assert "فاطمة" not in page.locator("main").inner_text()
    tab.assert_clean()

    tab.goto(f"/charte/recu/{links.receipt_token(charter)}/")
    assert page.locator(".receipt-code").inner_text() == "7KQM-4XPA-9TDE-2B10"
    assert "فاطمة الزهراء" in page.locator(".ticket-card").inner_text()
    assert no_sideways_scroll(page)
    tab.assert_clean()

    page.locator("a.invitation-link").click()
    page.wait_for_url("**/charte/verifier/?code=7KQM-4XPA-9TDE-2B10")
    assert page.locator("#resultat").inner_text() == "Valid: this signature stands"
    assert no_sideways_scroll(page)
    tab.assert_clean()

    # Typed by hand, as read aloud: lower case, spaces, an O for the 0.
    page.locator("#code").fill("7kqm 4xpa 9tde 2b1o")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/charte/verifier/?code=7kqm+4xpa+9tde+2b1o")
    assert page.locator(".verification-valid").count() == 1
    tab.assert_clean()

    page.locator("#code").fill("pas un code")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/charte/verifier/?code=pas+un+code")
    assert page.locator(".verification-unknown").count() == 1
    tab.assert_clean()
