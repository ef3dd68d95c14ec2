"""An organiser prints badges in a real browser: the page is axe-clean on a phone and a
desktop, the layout is chosen with the keyboard, and the button downloads the PDF."""

import pytest
from pypdf import PdfReader

from registrations import capacity
from tests.auth import log_in_tab
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_organiser_chooses_labels_with_the_keyboard_and_downloads_the_badges(tab, cast):
    edition = cast.edition
    edition.capacity = 10
    edition.save()
    participant = CategoryFactory(edition=edition, name="Participant")
    for number, last_name in enumerate(["Martin", "Ébert", "adam"]):
        capacity.register(
            edition,
            category=participant,
            first_name="Camille",
            last_name=last_name,
            email=f"camille{number}@example.org",
            by_organiser=True,
        )
    log_in_tab(tab, cast.organiser)
    page = tab.page

    tab.goto(f"/journees/{edition.slug}/gestion/badges/")
    tab.assert_clean()
    first = page.locator("input[name=layout]").first
    assert first.is_checked()
    first.focus()
    page.keyboard.press("ArrowDown")
    assert page.locator("input[name=layout][value=label-90x55]").is_checked()
    page.keyboard.press("Tab")
    button = page.locator("form[action$='badges.pdf'] button")
    assert button.evaluate("element => element === document.activeElement")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")

    download = download_info.value
    assert download.suggested_filename == f"badges-{edition.slug}-label-90x55.pdf"
    reader = PdfReader(download.path())
    text = reader.pages[0].extract_text()
    names = [text.index(f"Camille {name}") for name in ("adam", "Ébert", "Martin")]
    assert names == sorted(names)
