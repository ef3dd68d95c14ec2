"""The check-in app at the door, in Chromium: admissions by code and by name, the ID check,
offline scans (page reload included) synced when the network is back, two devices scanning one
ticket at once, logging out wiping the device, 200% zoom and the keyboard alone. Every screen
is checked with axe-core, for CSP violations and for console errors."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from playwright.sync_api import expect

from admission import tickets
from admission.models import CheckIn
from admission.views.checkin import strings
from registrations import capacity
from tests.auth import log_in
from tests.browser.conftest import VIEWPORTS, Tab
from tests.factories import (
    CategoryFactory,
    EntranceFactory,
    OrganisationFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = [
    ("Camille", "Martin", "Fauteuil roulant : entrée de plain-pied"),
    ("Élise", "Ébert", ""),
    ("Lou", "Durand", ""),
    ("Noé", "Lefèvre", ""),
    ("Sacha", "Bernard", ""),
    ("Jo", "Petit", ""),
    ("Alix", "Roux", ""),
]


@pytest.fixture
def scene(cast):
    """The cast's edition, taking place today, with two entrances and seven confirmed people."""
    edition = cast.edition
    edition.date = timezone.localdate()
    edition.save()
    EntranceFactory(edition=edition, name="Entrée A", slug="a", position=1)
    EntranceFactory(edition=edition, name="Entrée B", slug="b", position=2)
    category = CategoryFactory(edition=edition, name="Participant")
    pole = OrganisationFactory(name="Pôle Exemple des Deux-Rives")
    people = [
        RegistrationFactory(
            edition=edition,
            category=category,
            organisation=pole,
            first_name=first,
            last_name=last,
            accessibility_needs=note,
        )
        for first, last, note in PEOPLE
    ]
    cast.agent.first_name, cast.agent.last_name = "Dominique", "Accueil"
    cast.agent.save()
    return edition, people


def open_tab(browser, live_server, user, kind="phone", **options):
    context = browser.new_context(**{"locale": "en-GB", **VIEWPORTS[kind], **options})
    client = Client()
    log_in(client, user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return Tab(context.new_page(), live_server.url)


def visible(page, selector):
    page.locator(selector).wait_for(state="visible")


def open_app(tab, edition, entrance="Entrée B"):
    tab.goto(f"/controle/{edition.slug}/")
    visible(tab.page, "#screen-entrance")
    tab.page.get_by_label(entrance).check()
    tab.page.locator("#entrance-start").click()
    visible(tab.page, "#screen-main")


def enter_code(page, code):
    page.locator("#ticket-code").fill(code)
    page.locator("#ticket-code").press("Enter")


def find_name(page, query):
    page.locator("#name-search").fill(query)
    page.locator(".person-result").first.click()


def verdict(page):
    page.locator("#verdict[data-result]").wait_for(state="visible")
    return page.locator("#verdict").get_attribute("data-result")


def admit(page):
    visible(page, "#screen-confirm")
    page.locator("#confirm-admit").click()
    return verdict(page)


def next_scan(page):
    page.locator("#verdict-next").click()
    visible(page, "#screen-main")


def go_offline(page):
    # As an agent would, after the app has kept its copy for offline use: cut during that,
    # the copy's requests fail (each one a console error) and a reload would find nothing.
    page.locator("body[data-shell=kept]").wait_for(state="attached")
    # set_offline also cuts the service worker's requests; the route is there in case a
    # request slipped past it.
    page.context.set_offline(True)
    page.context.route("**/api/**", lambda route: route.abort())


def go_online(page):
    page.context.unroute("**/api/**")
    page.context.set_offline(False)


def kept(page):
    """What the device keeps in IndexedDB: the editions' slugs and the queued scans."""
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
          const request = indexedDB.open("ptce-checkin");
          request.onerror = () => reject(request.error);
          request.onsuccess = () => {
            const db = request.result;
            if (!db.objectStoreNames.contains("editions")) {
              db.close();
              resolve({editions: [], scans: 0});
              return;
            }
            const transaction = db.transaction(["editions", "scans"]);
            const editions = transaction.objectStore("editions").getAllKeys();
            const scans = transaction.objectStore("scans").count();
            transaction.oncomplete = () => {
              db.close();
              resolve({editions: editions.result, scans: scans.result});
            };
          };
        })"""
    )


def admitted():
    return set(
        CheckIn.objects.filter(result="admitted").values_list("registration__last_name", flat=True)
    )


def no_horizontal_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_agent_admits_online_and_offline_and_the_server_gets_exactly_those(
    browser, live_server, cast, scene
):
    edition, people = scene
    martin, _ebert, durand, _lefevre, bernard, petit, _roux = people
    tab = open_tab(browser, live_server, cast.agent)
    page = tab.page

    tab.goto("/controle/")
    tab.assert_clean()
    page.get_by_role("link", name=edition.title).click()
    visible(page, "#screen-entrance")
    tab.assert_clean()
    page.get_by_label("Entrée B").check()
    page.locator("#entrance-start").click()
    visible(page, "#screen-main")
    assert page.locator("#count-expected").inner_text() == "7"
    tab.assert_clean()

    # A ticket's code: the confirmation in large type, then the admission.
    enter_code(page, tickets.token_for(martin))
    visible(page, "#screen-confirm")
    assert page.locator("#confirm-names").inner_text() == "Camille Martin"
    assert page.locator("#confirm-organisation").inner_text() == "Pôle Exemple des Deux-Rives"
    assert page.locator("#confirm-category").inner_text() == "Participant"
    assert (
        page.locator("#confirm-attention-text").inner_text()
        == "Fauteuil roulant : entrée de plain-pied"
    )
    tab.assert_clean()
    page.locator("#confirm-admit").click()
    assert verdict(page) == "admitted"
    assert page.locator("#verdict-title").inner_text() == "Admitted"
    badge = page.locator("#verdict-badge-link")
    assert badge.get_attribute("href") == f"/journees/{edition.slug}/gestion/badges/{martin.pk}.pdf"
    assert badge.get_attribute("target") == "_blank"
    assert "(opens a PDF in a new tab)" in badge.inner_text()
    tab.assert_clean()
    next_scan(page)

    # A name, found without its accents.
    page.locator("#name-search").fill("ebert")
    assert page.locator(".person-result").all_inner_texts() == [
        "Élise Ébert\nPôle Exemple des Deux-Rives · Participant"
    ]
    assert page.locator("#search-count").inner_text() == "1 person found"
    tab.assert_clean()
    page.locator(".person-result").click()
    assert admit(page) == "admitted"
    next_scan(page)
    assert admitted() == {"Martin", "Ébert"}

    # The same ticket again: refused, with when, where and by whom.
    enter_code(page, tickets.token_for(martin))
    assert verdict(page) == "already_admitted"
    assert (
        page.locator("#verdict-detail").inner_text().endswith(", Entrée B, by Dominique Accueil.")
    )
    tab.assert_clean()
    next_scan(page)

    # The names do not match the ID: refused and recorded.
    enter_code(page, tickets.token_for(petit))
    visible(page, "#screen-confirm")
    page.locator("#confirm-refuse").click()
    assert verdict(page) == "id_mismatch"
    tab.assert_clean()
    next_scan(page)
    assert CheckIn.objects.filter(result="id_mismatch", registration=petit).count() == 1

    # A cancellation reaches the device with its next download (here: after a scan).
    bernard_token = tickets.token_for(bernard)
    capacity.cancel(bernard)
    # (Longer than a short code: read as a QR code's text. Short codes: test_door_rehearsal.)
    enter_code(page, "not a ticket at all, only words typed in")
    assert verdict(page) == "invalid_ticket"
    tab.assert_clean()
    next_scan(page)
    page.locator("#count-expected", has_text="6").wait_for()

    # The network goes: nothing reaches the server any more, a reload included.
    scans_before = CheckIn.objects.count()
    go_offline(page)
    failed = []
    page.context.on("requestfailed", lambda request: failed.append(request.url))
    assert page.reload().from_service_worker
    visible(page, "#screen-main")
    # The service worker's own request failed: the page came from its cache.
    assert page.url in failed
    assert page.locator("#sync-status").get_attribute("data-state") == "offline"
    assert page.locator("#current-entrance").inner_text() == "Entrée B"

    enter_code(page, tickets.token_for(durand))
    assert page.locator("#confirm-names").inner_text() == "Lou Durand"
    assert admit(page) == "admitted"
    assert page.locator("#verdict-offline").is_visible()
    assert page.locator("#verdict-badge").is_hidden()
    tab.assert_clean()
    next_scan(page)
    page.locator("#name-search").fill("durand")
    assert page.locator(".person-result-admitted").all_inner_texts() == ["already admitted"]
    find_name(page, "LEFEVRE")
    assert admit(page) == "admitted"
    next_scan(page)
    enter_code(page, bernard_token)
    assert verdict(page) == "revoked"
    tab.assert_clean()
    next_scan(page)
    enter_code(page, tickets.token_for(durand))
    assert verdict(page) == "already_admitted"
    assert (
        page.locator("#verdict-detail").inner_text().startswith("First admitted on this device at ")
    )
    next_scan(page)

    status = page.locator("#sync-status")
    assert status.get_attribute("data-waiting") == "2"
    assert status.inner_text().strip() == "Offline — 2 admissions waiting to sync"
    assert page.locator("#count-admitted").inner_text() == "4"
    assert CheckIn.objects.count() == scans_before
    assert admitted() == {"Martin", "Ébert"}
    tab.assert_clean()

    # Back online: the queue goes up in order, once.
    go_online(page)
    page.locator("#sync-status[data-state=synced]").wait_for()
    assert admitted() == {"Martin", "Ébert", "Durand", "Lefèvre"}
    offline_scans = CheckIn.objects.filter(pk__gt=0).order_by("pk")[scans_before:]
    assert [(scan.registration.last_name, scan.result) for scan in offline_scans] == [
        ("Durand", "admitted"),
        ("Lefèvre", "admitted"),
        ("Bernard", "revoked"),
        ("Durand", "already_admitted"),
    ]
    assert {scan.entrance.slug for scan in offline_scans} == {"b"}
    expect(page.locator("#count-entrances dt")).to_have_text(["Entrée A", "Entrée B"])
    expect(page.locator("#count-entrances dd")).to_have_text(["0", "4"])
    assert page.locator("#count-admitted").inner_text() == "4"
    assert page.locator("#sync-report").is_hidden()
    assert kept(page) == {"editions": [edition.slug], "scans": 0}

    # Logging out wipes what the device kept.
    page.locator("#logout").click()
    page.wait_for_url("**/connexion/?next=/controle/")
    databases = page.evaluate("indexedDB.databases().then(list => list.map(db => db.name))")
    assert "ptce-checkin" not in databases
    assert page.evaluate("caches.keys()") == []
    assert page.evaluate("Object.keys(localStorage)") == []
    page.context.close()


def test_two_devices_scanning_one_ticket_at_once_admit_it_once(browser, live_server, cast, scene):
    edition, people = scene
    token = tickets.token_for(people[6])
    first = open_tab(browser, live_server, cast.agent)
    second = open_tab(browser, live_server, cast.organiser, kind="desktop")
    open_app(first, edition, "Entrée A")
    open_app(second, edition, "Entrée B")

    for tab in (first, second):
        enter_code(tab.page, token)
        visible(tab.page, "#screen-confirm")
    first.page.locator("#confirm-admit").click(no_wait_after=True)
    second.page.locator("#confirm-admit").click(no_wait_after=True)

    results = sorted([verdict(first.page), verdict(second.page)])
    assert results == ["admitted", "already_admitted"]
    assert CheckIn.objects.filter(registration=people[6], result="admitted").count() == 1
    refused = first if verdict(first.page) == "already_admitted" else second
    assert refused.page.locator("#verdict-title").inner_text() == "Refused: already admitted"
    refused.assert_clean()
    for tab in (first, second):
        tab.page.context.close()


def test_keyboard_alone_admits_at_200_percent_zoom_without_horizontal_scroll(
    browser, live_server, cast, scene
):
    edition, people = scene
    # 200% zoom of a 1280-pixel-wide window: 640 CSS pixels.
    tab = open_tab(
        browser,
        live_server,
        cast.agent,
        kind="desktop",
        viewport={"width": 640, "height": 800},
        device_scale_factor=2,
    )
    page = tab.page
    focused = "document.activeElement.id"

    tab.goto(f"/controle/{edition.slug}/")
    visible(page, "#screen-entrance")
    assert no_horizontal_scroll(page)
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "entrance-0"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "entrance-start"
    page.keyboard.press("Enter")
    visible(page, "#screen-main")
    assert page.locator("#current-entrance").inner_text() == "Entrée B"
    assert page.evaluate(focused) == "ticket-code"
    assert no_horizontal_scroll(page)

    # No camera here: the app says so and the code field takes over.
    page.locator("#scan-start").press("Enter")
    visible(page, "#camera-error")
    with translation.override("en"):
        camera_errors = strings()["camera_errors"].values()
    assert page.locator("#camera-error").inner_text() in camera_errors
    assert page.evaluate(focused) == "ticket-code"
    tab.assert_clean()

    page.keyboard.type(tickets.token_for(people[0]))
    page.keyboard.press("Enter")
    visible(page, "#screen-confirm")
    assert no_horizontal_scroll(page)
    page.keyboard.press("Escape")
    visible(page, "#screen-main")
    assert CheckIn.objects.count() == 0

    page.keyboard.type(tickets.token_for(people[0]))
    page.keyboard.press("Enter")
    visible(page, "#screen-confirm")
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "confirm-admit"
    page.keyboard.press("Enter")
    assert verdict(page) == "admitted"
    assert page.evaluate(focused) == "verdict-next"
    assert no_horizontal_scroll(page)
    tab.assert_clean()
    page.keyboard.press("Enter")
    visible(page, "#screen-main")
    assert page.evaluate(focused) == "ticket-code"
    assert page.locator("#ticket-code").input_value() == ""
    assert admitted() == {"Martin"}

    page.locator("#name-search").focus()
    page.keyboard.type("roux")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.className") == "person-result"
    assert no_horizontal_scroll(page)
    tab.assert_clean()
    page.context.close()


def test_sync_report_tells_when_another_device_admitted_first(browser, live_server, cast, scene):
    from admission import checkin
    from admission.models import Entrance

    edition, people = scene
    roux = people[6]
    tab = open_tab(browser, live_server, cast.agent)
    page = tab.page
    open_app(tab, edition)

    go_offline(page)
    page.locator("#sync-status[data-state=offline]").wait_for()
    find_name(page, "roux")
    assert admit(page) == "admitted"
    next_scan(page)
    # Meanwhile, another device, online, admits the same person.
    checkin.admit(
        edition,
        registration=roux,
        entrance=Entrance.objects.get(slug="a"),
        agent=cast.organiser,
        nonce="another-device",
        id_checked=True,
    )

    # Logging out with a scan not synced asks first, and staying keeps it.
    page.locator("#logout").click()
    visible(page, "#screen-logout")
    assert page.locator("#logout-text").inner_text() == (
        "1 scan is not synced yet: logging out now deletes it."
    )
    tab.assert_clean()
    page.locator("#logout-stay").click()
    visible(page, "#screen-main")
    assert kept(page)["scans"] == 1

    go_online(page)
    page.locator("#sync-report").wait_for(state="visible")
    report = page.locator("#report-items li")
    assert report.count() == 1
    assert report.inner_text().startswith("Alix Roux: Admitted on this device at ")
    assert "the server answered: Refused: already admitted — First admitted at " in (
        report.inner_text()
    )
    assert report.inner_text().endswith(", Entrée A, by organisatrice.")
    assert kept(page)["scans"] == 0
    assert CheckIn.objects.filter(registration=roux).count() == 2
    tab.assert_clean()
    page.locator("#report-clear").click()
    page.locator("#sync-report").wait_for(state="hidden")
    page.context.close()


def test_device_wipes_the_edition_when_the_agent_loses_the_right(browser, live_server, cast, scene):
    from accounts.models import Membership

    edition, _people = scene
    tab = open_tab(browser, live_server, cast.agent)
    page = tab.page
    open_app(tab, edition)
    assert kept(page)["editions"] == [edition.slug]

    Membership.objects.filter(user=cast.agent).delete()
    enter_code(page, "any code")

    visible(page, "#screen-message")
    assert (
        page.locator("#message-text")
        .inner_text()
        .startswith("You may no longer check in for this day")
    )
    assert page.locator("#message-login").get_attribute("href") == (
        f"/connexion/?next=%2Fcontrole%2F{edition.slug}%2F"
    )
    assert kept(page) == {"editions": [], "scans": 0}
    assert CheckIn.objects.count() == 0
    # The refused POST is in the console; nothing else.
    tab.console_errors = [
        error for error in tab.console_errors if "status of 403 (Forbidden)" not in error
    ]
    tab.assert_clean()
    page.context.close()


def test_device_keeps_nothing_once_the_day_is_over(browser, live_server, cast, scene):
    edition, _people = scene
    edition.date = timezone.localdate() - dt.timedelta(days=1)
    edition.save()
    tab = open_tab(browser, live_server, cast.agent)
    page = tab.page

    tab.goto(f"/controle/{edition.slug}/")

    visible(page, "#screen-message")
    assert page.locator("#message-text").inner_text() == (
        "This day is over: the check-in data this device kept was deleted."
    )
    assert kept(page) == {"editions": [], "scans": 0}
    tab.assert_clean()
    page.context.close()


def test_scans_not_synced_outlive_an_ended_session_and_go_up_after_the_next_login(
    browser, live_server, cast, scene
):
    from django.contrib.sessions.models import Session

    edition, _people = scene
    tab = open_tab(browser, live_server, cast.agent)
    page = tab.page
    open_app(tab, edition)
    go_offline(page)
    page.locator("#sync-status[data-state=offline]").wait_for()
    find_name(page, "roux")
    assert admit(page) == "admitted"
    next_scan(page)

    # The session ends on the server (expired, or logged out elsewhere), then the network
    # comes back: the people go, the admission stays on the device.
    Session.objects.all().delete()
    go_online(page)
    visible(page, "#screen-message")
    assert (
        page.locator("#message-text")
        .inner_text()
        .endswith(
            "1 scan not synced yet is kept on this device: it is sent as soon as an agent of this "
            "day logs in on it."
        )
    )
    assert kept(page) == {"editions": [], "scans": 1}
    assert CheckIn.objects.count() == 0

    # Logged in again, the device sends it.
    client = Client()
    log_in(client, cast.agent)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    tab.goto(f"/controle/{edition.slug}/")
    page.locator("#sync-status[data-state=synced]").wait_for()
    assert admitted() == {"Roux"}
    assert kept(page)["scans"] == 0
    tab.console_errors = [
        error
        for error in tab.console_errors
        if "status of 401" not in error and "status of 403" not in error
    ]
    tab.assert_clean()
    page.context.close()
