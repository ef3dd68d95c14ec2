"""The door before the day and without the QR code, in Chromium: on a fresh demo, an attendee
registers and opens the ticket on one device; the demo's reception agent, in a rehearsal,
types the ticket's short code on another and admits; the attendee's page shows it; closing
the rehearsal wipes it, and the day's figures never counted it. Then, at a real door, one
online and two offline admissions (one by a code typed offline), counted at once by the
device, and exactly three on the server once it reconnects; the device holds no code."""

import json
import re

import pytest
from django.core.cache import cache

from accounts.models import User
from admission import attendance, checkin, codes, rehearsals
from admission.models import CheckIn, RehearsalCheckIn
from events.models import Edition
from ptce.demo import AGENT_LOGIN_FILE_NAME, load_demo, login_file
from registrations.links import manage_path
from registrations.models import Registration
from tests.auth import log_in_tab
from tests.browser.conftest import VIEWPORTS, Tab
from tests.browser.test_checkin_app import (
    admit,
    go_offline,
    go_online,
    next_scan,
    open_app,
    open_tab,
    visible,
)
from tests.browser.test_checkin_app import scene as scene
from tests.browser.test_registration_journey import fill_person, submit

pytestmark = pytest.mark.django_db(transaction=True)

CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}")


@pytest.fixture
def demo(settings, live_server, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SITE_URL = live_server.url
    cache.clear()
    load_demo()
    return Edition.objects.get(slug="demonstration")


def new_tab(browser, live_server, widths, locale="fr-FR"):
    """A tab of its own context at ``widths[0]``; ``assert_clean`` checks each of them."""
    context = browser.new_context(locale=locale, **VIEWPORTS[widths[0]])
    return Tab(context.new_page(), live_server.url, widths)


def log_in_as_agent(tab):
    tab.goto("/connexion/?next=/controle/")
    tab.page.fill("#id_username", "accueil")
    tab.page.fill("#id_password", login_file(AGENT_LOGIN_FILE_NAME).read_text().strip())
    tab.page.locator("#id_password").press("Enter")
    tab.page.wait_for_url("**/controle/")


def type_code(page, text):
    page.locator("#ticket-code").fill(text)
    page.locator("#ticket-code").press("Enter")


def test_an_attendee_and_the_demo_agent_rehearse_the_door(browser, live_server, demo):
    # The attendee, on a phone: registers on the demonstration edition, opens the ticket.
    attendee = new_tab(browser, live_server, ("phone", "desktop"))
    page = attendee.page
    attendee.goto(f"/journees/{demo.slug}/inscription/")
    fill_person(page, 0, "Camille", "Répétition", "camille.repetition@example.org", "Pôle Exemple")
    page.fill("#id_p0-birth_date", "1985-04-12")
    page.get_by_label("Participant·e").check()
    submit(page)
    # A demonstration shows the links its emails hold: the attendee's manage link.
    page.locator(".registration-results a").click()
    page.locator("#ticket-title").wait_for()
    page.locator("a[href$='/billet/']").click()
    shown = page.locator(".ticket-code strong").inner_text()
    person = Registration.objects.get(last_name="Répétition")
    assert shown == codes.code_for(person)
    attendee.assert_clean()

    # The agent, on another device: logs in with the account the demo printed.
    agent = new_tab(browser, live_server, ("phone", "desktop"))
    door = agent.page
    log_in_as_agent(agent)
    assert "Répétition ouverte" in door.locator(".checkin-editions").inner_text()
    agent.assert_clean()
    door.get_by_role("link", name=demo.title).click()
    visible(door, "#screen-entrance")
    assert door.locator("#rehearsal-banner").is_visible()
    door.get_by_label("Entrée principale").check()
    door.locator("#entrance-start").click()
    visible(door, "#screen-main")
    assert door.locator("#rehearsal-banner").is_visible()
    agent.assert_clean()

    # The code as read aloud and typed in a hurry: lower case, no dashes.
    type_code(door, shown.replace("-", "").lower())
    visible(door, "#screen-confirm")
    assert door.locator("#confirm-names").inner_text() == "Camille Répétition"
    assert door.locator("#rehearsal-banner").is_visible()
    agent.assert_clean()
    assert admit(door) == "admitted"
    assert door.locator("#rehearsal-banner").is_visible()
    agent.assert_clean()
    next_scan(door)

    # The same screens in English, on a desktop's browser: a mistyped code is told at once.
    english = new_tab(browser, live_server, ("desktop",), locale="en-GB")
    log_in_as_agent(english)
    english.page.get_by_role("link", name=demo.title).click()
    visible(english.page, "#screen-entrance")
    english.page.get_by_label("Entrée principale").check()
    english.page.locator("#entrance-start").click()
    visible(english.page, "#screen-main")
    assert english.page.locator("#rehearsal-banner strong").inner_text() == "REHEARSAL"
    type_code(english.page, "K7Q2-9XMA")
    english.page.locator("#ticket-code-error").wait_for(state="visible")
    assert english.page.locator("#ticket-code-error").inner_text() == (
        "A ticket code has 10 characters (for example K7Q2-9XMA-3F): this one has 8."
    )
    english.assert_clean()
    english.page.context.close()

    # The attendee's page shows it, as a rehearsal; the day's figures never count it.
    attendee.goto(manage_path(person))
    notice = page.locator(".notice", has_text="Répétition du contrôle")
    assert "Cela ne compte pas" in notice.inner_text()
    attendee.assert_clean()
    assert RehearsalCheckIn.objects.filter(result="admitted").count() == 1
    assert CheckIn.objects.count() == 0
    assert attendance.figures(demo).overall.admitted == 0
    assert checkin.counts(demo)["admitted"] == 0

    # Closing the rehearsal wipes it: the attendee's page no longer shows it; the device
    # forgets its data at its next download.
    organiser = new_tab(browser, live_server, ("phone", "desktop"))
    log_in_tab(organiser, User.objects.get(username="organisatrice"))
    organiser.goto(f"/journees/{demo.slug}/gestion/controle/repetition/")
    assert organiser.page.get_by_label("accueil").is_checked()
    organiser.assert_clean()
    organiser.page.get_by_role(
        "button", name="Clore la répétition et effacer ses contrôles"
    ).click()
    organiser.page.get_by_text("La répétition est close : 1 contrôle a été effacé.").wait_for()
    assert rehearsals.current(demo) is None
    organiser.assert_clean()
    organiser.page.context.close()
    attendee.goto(manage_path(person))
    assert page.locator(".notice", has_text="Répétition du contrôle").count() == 0
    assert RehearsalCheckIn.objects.count() == 0
    assert CheckIn.objects.count() == 0
    door.reload()
    visible(door, "#screen-message")
    assert "La répétition est terminée" in door.locator("#message-text").inner_text()
    agent.assert_clean()
    attendee.page.context.close()
    door.context.close()


def stored(page):
    """Everything the device keeps in IndexedDB, as JSON text."""
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
          const request = indexedDB.open("ptce-checkin");
          request.onerror = () => reject(request.error);
          request.onsuccess = async () => {
            const db = request.result;
            const names = [...db.objectStoreNames];
            const transaction = db.transaction(names);
            const all = {};
            for (const name of names) {
              all[name] = await new Promise((done) => {
                const read = transaction.objectStore(name).getAll();
                read.onsuccess = () => done(read.result);
              });
            }
            db.close();
            resolve(JSON.stringify(all));
          };
        })"""
    )


def test_the_device_counts_its_offline_admissions_and_holds_no_code(
    browser, live_server, cast, scene
):
    edition, people = scene
    martin, ebert, durand, *_ = people
    tab = open_tab(browser, live_server, cast.agent, locale="fr-FR")
    page = tab.page
    open_app(tab, edition)

    # Online: a short code typed any way.
    type_code(page, codes.code_for(martin).lower().replace("-", " "))
    assert admit(page) == "admitted"
    next_scan(page)
    assert page.locator("#count-admitted").inner_text() == "1"
    assert page.locator("#count-summary").is_hidden()

    # Offline: a code, whose person the device finds by its tag alone, and a name.
    go_offline(page)
    page.locator("#sync-status[data-state=offline]").wait_for()
    type_code(page, codes.code_for(ebert).replace("0", "O"))
    visible(page, "#screen-confirm")
    assert page.locator("#confirm-names").inner_text() == "Élise Ébert"
    assert admit(page) == "admitted"
    assert page.locator("#verdict-offline").is_visible()
    next_scan(page)
    page.locator("#name-search").fill("durand")
    page.locator(".person-result").first.click()
    assert admit(page) == "admitted"
    next_scan(page)

    assert page.locator("#count-admitted").inner_text() == "3"
    summary = page.locator("#count-summary").inner_text()
    assert summary == "3 présents, dont 2 en attente de synchronisation"
    tab.assert_clean()

    # A code with a wrong check character: said at once, nothing recorded.
    wrong = codes.normalise(codes.code_for(durand))
    wrong = wrong[:-1] + next(c for c in codes.ALPHABET if c != wrong[-1])
    type_code(page, wrong)
    error = page.locator("#ticket-code-error")
    error.wait_for(state="visible")
    assert error.inner_text().startswith("Ce code n'est pas celui d'un billet")
    assert page.locator("#ticket-code").get_attribute("aria-invalid") == "true"
    tab.assert_clean()

    # The device's data names everyone but holds no code, in any spelling.
    kept = stored(page)
    for person in people:
        code = codes.code_for(person)
        assert code not in kept
        assert codes.normalise(code) not in kept
    assert json.loads(kept)["editions"]

    go_online(page)
    page.locator("#sync-status[data-state=synced]").wait_for()
    assert set(
        CheckIn.objects.filter(result="admitted").values_list("registration__last_name", flat=True)
    ) == {"Martin", "Ébert", "Durand"}
    assert CheckIn.objects.filter(result="admitted").count() == 3
    page.locator("#count-summary").wait_for(state="hidden")
    assert page.locator("#count-admitted").inner_text() == "3"
    page.context.close()
