"""A visitor looks for poles: searches and filters the directory, uses the map, opens a pole."""

import pytest

from network import poles
from network.enums import MemberCategory, RecognitionKind, TerritoryLevel
from tests.factories import (
    OrganisationFactory,
    PoleFactory,
    PoleMemberFactory,
    RecognitionFactory,
    SectorFactory,
    TerritoryAreaFactory,
)

# The tests only read: one scene, built once, serves the whole module (scene_server).
pytestmark = pytest.mark.django_db


@pytest.fixture
def server(scene_server):
    return scene_server


@pytest.fixture(scope="module")
def directory(scene_server):
    food = SectorFactory(name="Alimentation", slug="alimentation")
    made = {}
    for name, town, code, sectors in [
        ("Pôle Écotone", "Lyon", "69", [food]),
        ("Pôle Exemple des Deux-Rives", "Amiens", "80", []),
        ("Pôle Exemple du Forez", "Saint-Étienne", "42", [food]),
    ]:
        pole = PoleFactory(
            organisation=OrganisationFactory(name=name, town=town, department_code=code),
            description="Un pôle d'exemple pour la démonstration.",
            creation_year=2014,
        )
        TerritoryAreaFactory(pole=pole, level=TerritoryLevel.DEPARTMENT, code=code)
        pole.sectors.add(*sectors)
        made[code] = pole
    PoleMemberFactory(pole=made["69"], category=MemberCategory.ESS_ENTERPRISE, role="fondatrice")
    RecognitionFactory(pole=made["69"], kind=RecognitionKind.CALL_2023)
    for pole in made.values():
        poles.refresh(pole)
    return made


def names(page):
    return page.locator(".pole-card-title a").all_inner_texts()


def test_visitor_searches_and_filters_the_directory(tab, directory):
    page = tab.page

    tab.goto("/poles/")
    assert names(page) == ["Pôle Écotone", "Pôle Exemple des Deux-Rives", "Pôle Exemple du Forez"]
    tab.assert_clean()

    page.locator("#id_q").fill("pole ecotone")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**/poles/?q=pole+ecotone*")
    assert names(page) == ["Pôle Écotone"]
    tab.assert_clean()

    page.goto(tab.base_url + "/poles/")
    page.locator("#id_region").select_option("84")
    page.locator("#id_sector").select_option("alimentation")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**/poles/?*region=84*")
    assert names(page) == ["Pôle Écotone", "Pôle Exemple du Forez"]
    tab.assert_clean()

    page.locator("form[role=search] a[href='/poles/']").click()
    page.wait_for_url("**/poles/")
    assert len(names(page)) == 3


def test_bad_filter_in_the_address_is_reported_accessibly(tab, directory):
    tab.goto("/poles/?region=99&department=69")

    assert tab.page.locator("#id_region").get_attribute("aria-invalid") == "true"
    assert names(tab.page) == ["Pôle Écotone"]
    tab.assert_clean()


def test_visitor_goes_from_a_map_tile_to_the_filtered_directory(tab, directory):
    page = tab.page

    tab.goto("/poles/carte/")
    tab.assert_clean()

    page.locator("svg a[href='/poles/?department=42']").click()
    page.wait_for_url("**/poles/?department=42")
    assert names(page) == ["Pôle Exemple du Forez"]
    tab.assert_clean()


def test_visitor_uses_the_region_map(tab, directory):
    page = tab.page

    tab.goto("/poles/carte/?by=region")
    tab.assert_clean()

    # A region is several tiles: the middle of the link may fall between two of them.
    page.locator("svg a[href='/poles/?region=84'] rect").first.click()
    page.wait_for_url("**/poles/?region=84")
    assert names(page) == ["Pôle Écotone", "Pôle Exemple du Forez"]

    tab.goto("/poles/carte/?by=region&period=2015")
    tab.assert_clean()


def test_visitor_opens_a_pole_page(tab, directory):
    page = tab.page

    tab.goto("/poles/")
    page.locator(".pole-card-title a", has_text="Pôle Écotone").click()
    page.wait_for_url("**/poles/pole-ecotone/")
    assert page.locator("h1").inner_text().startswith("Pôle Écotone")
    assert page.locator("#composition").is_visible()
    tab.assert_clean()

    tab.goto("/poles/pole-inconnu/", status=404)
    tab.assert_clean()


def test_directory_pages_do_not_scroll_sideways_on_a_phone(browser, server, directory):
    from tests.browser.conftest import VIEWPORTS

    context = browser.new_context(locale="fr-FR", **VIEWPORTS["phone"])
    page = context.new_page()
    for path in ["/poles/", "/poles/carte/", "/poles/carte/?by=region", "/poles/pole-ecotone/"]:
        page.goto(server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert (path, overflow) == (path, 0)
    context.close()
