"""The editing pages of the organisers' area (settings, programme, categories, entrances,
the directory), each kind opened once in Chromium: axe-core, CSP and console clean."""

import pytest

from tests.auth import log_in_tab
from tests.factories import (
    CategoryFactory,
    EntranceFactory,
    PoleFactory,
    SessionFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("tab", ["desktop"], indirect=True)
def test_editing_pages_are_clean(tab, cast):
    edition = cast.edition
    speaker = SpeakerFactory(edition=edition)
    session = SessionFactory(edition=edition)
    session.speakers.add(speaker)
    category = CategoryFactory(edition=edition, quota=10)
    EntranceFactory(edition=edition, slug="a", position=0)
    EntranceFactory(edition=edition, slug="b", position=1)
    pole = PoleFactory()
    log_in_tab(tab, cast.organiser)
    base = f"/journees/{edition.slug}/gestion/"
    pages = [
        base + "parametres/",
        "/gestion/journees/nouvelle/",
        base + "lieu/nouveau/",
        base + "programme/",
        base + f"programme/seances/{session.pk}/",
        base + f"programme/intervenants/{speaker.pk}/supprimer/",
        base + "categories/",
        base + f"categories/{category.pk}/",
        base + "entrees/",
        "/annuaire/gestion/",
        f"/annuaire/gestion/organisations/{pole.organisation_id}/",
        f"/annuaire/gestion/organisations/{pole.organisation_id}/pole/",
    ]
    for path in pages:
        tab.goto(path)
        tab.assert_clean()

    # A refused form: the errors are tied to their fields.
    tab.goto(base + "parametres/")
    tab.page.fill("#id_end_time", "08:00")
    tab.page.click("button[type=submit].button-primary")
    tab.page.wait_for_selector(".form-errors")
    tab.assert_clean()
