"""A visitor's journey through the public site, on a phone and on a desktop."""

import datetime as dt

import pytest

from events.enums import SessionKind
from tests.factories import EditionFactory, SessionFactory, SpeakerFactory

# The tests only read: one scene, built once, serves the whole module (scene_server).
pytestmark = pytest.mark.django_db


@pytest.fixture
def server(scene_server):
    return scene_server


@pytest.fixture(scope="module")
def edition(scene_server):
    edition = EditionFactory(
        title="Journée Exemple des pôles",
        slug="journee-exemple",
        security_fields=["birth_date"],
    )
    speaker = SpeakerFactory(edition=edition, name="Camille Exemple", slug="camille-exemple")
    SessionFactory(
        edition=edition,
        kind=SessionKind.WELCOME,
        title="Accueil des participants",
        start_time=dt.time(9, 30),
        end_time=dt.time(10, 0),
    )
    debate = SessionFactory(
        edition=edition,
        title="Débat : coopérer sur un territoire",
        start_time=dt.time(10, 0),
        end_time=dt.time(11, 0),
        is_illustrative=True,
    )
    debate.speakers.add(speaker)
    return edition


def test_visitor_goes_from_home_to_a_speaker(tab, edition):
    page = tab.page

    tab.goto("/")
    tab.assert_clean()

    page.get_by_role("link", name="Journée Exemple des pôles").first.click()
    page.wait_for_url("**/journees/journee-exemple/")
    assert page.locator("h1").inner_text() == "Journée Exemple des pôles"
    tab.assert_clean()

    page.get_by_role("link", name="programme", exact=False).first.click()
    page.wait_for_url("**/journees/journee-exemple/programme/")
    assert page.get_by_text("Débat : coopérer sur un territoire").is_visible()
    tab.assert_clean()

    page.get_by_role("link", name="Camille Exemple").first.click()
    page.wait_for_url("**/journees/journee-exemple/intervenants/camille-exemple/")
    assert page.locator("h1").inner_text() == "Camille Exemple"
    tab.assert_clean()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/confidentialite/", 200),
        ("/accessibilite/", 200),
        ("/plan-du-site/", 200),
        ("/connexion/", 200),
        ("/journees/inconnue/", 404),
    ],
)
def test_other_public_pages_are_accessible(tab, edition, path, status):
    tab.goto(path, status=status)
    tab.assert_clean()


def test_page_does_not_scroll_sideways_on_a_phone(browser, server, edition):
    from tests.browser.conftest import VIEWPORTS

    context = browser.new_context(locale="fr-FR", **VIEWPORTS["phone"])
    page = context.new_page()
    for path in ["/", "/journees/journee-exemple/", "/journees/journee-exemple/programme/"]:
        page.goto(server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert (path, overflow) == (path, 0)
    context.close()
