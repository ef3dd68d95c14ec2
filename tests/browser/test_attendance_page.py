"""An organiser and a viewer read the attendance figures in a real browser: the page is
axe-clean on a phone and a desktop, its tables can be reached with the keyboard, and the
link downloads the same figures as CSV."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from admission import checkin
from registrations import capacity
from registrations.enums import Source
from tests.auth import log_in
from tests.factories import CategoryFactory, EntranceFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def log_in_in_english(tab, user):
    """Logged in, with the page in English: the assertions read the English words, whatever
    the French catalogue says."""
    client = Client()
    log_in(client, user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    tab.page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": tab.base_url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": tab.base_url},
        ]
    )


@pytest.fixture
def day_after(cast):
    """The edition the day after: three people confirmed, two admitted, one a walk-in."""
    edition = cast.edition
    edition.date = dt.date(2014, 9, 19)
    edition.save()
    participant = CategoryFactory(edition=edition, name="Participant", position=0)
    CategoryFactory(edition=edition, name="Presse", position=1)
    door = EntranceFactory(edition=edition, name="Entrée A")
    network = OrganisationFactory(
        name="Réseau Exemple parisien", kind="network", department_code="75"
    )
    people = [
        capacity.register(
            edition,
            category=participant,
            first_name="Camille",
            last_name=last_name,
            email=f"camille{number}@example.org",
            organisation=network if number else None,
            source=Source.WALK_IN if number == 2 else None,
            by_organiser=True,
        )
        for number, last_name in enumerate(["Martin", "Ébert", "Adam"])
    ]
    for number, registration in enumerate(people[1:]):
        checkin.admit(
            edition,
            registration=registration,
            entrance=door,
            agent=None,
            nonce=f"n{number}",
            id_checked=True,
            now=edition.starts_at + dt.timedelta(hours=1),
        )
    return edition


def test_organiser_reads_the_figures_and_downloads_them(tab, cast, day_after):
    log_in_in_english(tab, cast.organiser)
    page = tab.page

    tab.goto(f"/journees/{day_after.slug}/gestion/presence/")
    tab.assert_clean()
    overall = page.locator("#overall tbody tr").first
    assert overall.locator("th").inner_text() == "All confirmed people"
    assert overall.locator("td").all_inner_texts() == ["3", "2", "67%", "1"]
    assert page.locator("caption").all_inner_texts() == [
        "Confirmed and admitted people",
        "By category",
        "By organisation kind",
        "By region of the organisation",
        "Admitted people by entrance",
    ]
    # Each table scrolls on its own on a phone, and so can be focused to scroll it by keys.
    page.locator(".table-scroll").first.focus()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
    with page.expect_download() as download_info:
        page.locator("a[href$='presence.csv']").click()

    download = download_info.value
    assert download.suggested_filename == f"presence-{day_after.slug}.csv"
    with open(download.path(), encoding="utf-8-sig") as csv_file:
        lines = csv_file.read().splitlines()
    assert lines[1] == "Overall;All confirmed people;3;2;67;1"
    assert "Martin" not in "".join(lines)


def test_viewer_sees_the_figures_without_the_menu_of_names(tab, cast, day_after):
    log_in_in_english(tab, cast.viewer)

    tab.goto(f"/journees/{day_after.slug}/gestion/presence/")

    tab.assert_clean()
    # The organisers' menu offers a viewer the pages of figures only.
    assert tab.page.locator("nav.organiser-menu a").all_text_contents() == [
        "Organisers' area",
        "The day's page",
        "Dashboard",
        "Exports",
        "Attendance",
        "Answers",
        "Report",
    ]
    assert "Martin" not in tab.page.content()
