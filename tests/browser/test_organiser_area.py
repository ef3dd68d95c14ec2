"""One organiser's journey in a real browser: the login with a TOTP code, the home, the
dashboard (axe-clean) whose confirmed figure changes without a reload when a registration
arrives, the participant list exported (consenting people only, recorded in the audit log),
a message to the attendees (count, then send), and a copy of the edition that lands on the
copy's dashboard."""

import csv
import re

import pytest
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import AuditEntry
from events.models import Edition
from registrations import capacity
from registrations.models import Announcement
from tests.conftest import PASSWORD
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


def arrive(edition, category, number, *, listed=False):
    return capacity.register(
        edition,
        category=category,
        first_name="Camille",
        last_name=f"Exemple {number}",
        email=f"arrivee{number}@example.org",
        consent_public_list=listed,
        by_organiser=True,
    )


@pytest.mark.parametrize("tab", ["desktop"], indirect=True)
def test_organiser_watches_the_dashboard_writes_to_attendees_and_copies_the_day(tab, cast):
    edition = cast.edition
    participant = CategoryFactory(edition=edition, name="Participant", quota=100)
    arrive(edition, participant, 1, listed=True)
    device = TOTPDevice.objects.create(user=cast.organiser, name="Téléphone", confirmed=True)
    page = tab.page

    # The password, then the authenticator's code.
    tab.goto("/connexion/?next=/gestion/")
    page.fill("#id_username", cast.organiser.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/connexion/code/")
    tab.assert_clean()
    page.fill("#id_code", f"{totp(device.bin_key):06d}")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile("/gestion/$"))
    tab.assert_clean()
    page.locator(f"a[href='/journees/{edition.slug}/gestion/']").first.click()
    page.wait_for_url(re.compile(f"/journees/{edition.slug}/gestion/$"))
    confirmed = page.locator("#figure-confirmed")
    expect(confirmed).to_have_text("1")
    tab.assert_clean()

    # A registration arrives; the page fetches the figures again (every 15 s, or at once
    # when it becomes visible again) and shows it without a reload.
    page.evaluate("window.__notReloaded = true")
    arrive(edition, participant, 2)
    # The figures the page showed are shared for PTCE_DASHBOARD_MAX_AGE seconds: expired,
    # so that the refresh on becoming visible is what brings the new one (not the next
    # round, 15 s later).
    cache.clear()
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(confirmed).to_have_text("2", timeout=10_000)
    expect(page.locator("#dashboard-status")).not_to_be_empty()
    assert page.evaluate("window.__notReloaded") is True
    tab.assert_clean()

    # The participant list: only the person who agreed to appear in it.
    page.locator(f"a[href='/journees/{edition.slug}/gestion/exports/']").first.click()
    tab.assert_clean()
    with page.expect_download() as download_info:
        page.locator("a[href$='/exports/participants/?format=csv']").click()
    with open(download_info.value.path(), encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.reader(exported, delimiter=";"))
    assert [row for row in rows[1:] if "Exemple 1" in ";".join(row)]
    assert "Exemple 2" not in str(rows)
    (logged,) = AuditEntry.objects.filter(action="export")
    assert (logged.user, logged.people) == (cast.organiser, 1)

    # A message to the confirmed people: count them, then send.
    page.locator(f"a[href='/journees/{edition.slug}/gestion/message/']").first.click()
    page.fill("#id_subject", "Changement de salle")
    page.fill("#id_body", "La plénière a lieu salle B.")
    page.locator("button[name='preview']").click()
    expect(page.locator(".message-preview")).to_contain_text("2")
    tab.assert_clean()
    page.locator("button[name='send']").click()
    expect(page.locator(".message-success")).to_be_visible()
    (announcement,) = Announcement.objects.all()
    assert (announcement.subject, announcement.recipients) == ("Changement de salle", 2)

    # Copy the edition, and land on the copy's dashboard.
    page.locator(f"a[href='/gestion/journees/{edition.slug}/copier/']").first.click()
    tab.assert_clean()
    page.fill("#id_title", "Journée Exemple, l'an prochain")
    page.fill("#id_slug", "journee-exemple-an-prochain")
    page.locator("form.form button[type='submit']").click()
    page.wait_for_url(re.compile("/journees/journee-exemple-an-prochain/gestion/$"))
    expect(page.locator("#figure-confirmed")).to_have_text("0")
    copy = Edition.objects.get(slug="journee-exemple-an-prochain")
    assert list(copy.categories.values_list("name", flat=True)) == ["Participant"]
    tab.assert_clean()


@pytest.mark.parametrize("tab", ["desktop"], indirect=True)
def test_the_organisers_frame_from_login_to_logout(tab, cast):
    """Logged in, an organiser lands in the area, keeps its link and the logout in the
    header of every page, public ones included, and finds an edition's menu beside its pages
    on a desktop, folded above them on a phone."""
    device = TOTPDevice.objects.create(user=cast.organiser, name="Téléphone", confirmed=True)
    page = tab.page
    tab.goto("/connexion/")
    page.fill("#id_username", cast.organiser.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/connexion/code/")
    page.fill("#id_code", f"{totp(device.bin_key):06d}")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile("/gestion/$"))

    tab.goto("/poles/")
    account = page.get_by_role("navigation", name="Votre compte")
    expect(account.get_by_role("link", name="Espace des organisateurs")).to_have_attribute(
        "href", "/gestion/"
    )
    tab.assert_clean()

    tab.goto(f"/journees/{cast.edition.slug}/gestion/inscriptions/")
    menu = page.locator("details.edition-aside")
    expect(menu.locator("a[aria-current=page]")).to_have_text("Inscriptions")
    expect(menu.get_by_role("link", name="Liste de sécurité")).to_be_visible()
    beside = menu.bounding_box()
    main = page.locator(".edition-main").bounding_box()
    assert beside["x"] + beside["width"] <= main["x"]
    tab.assert_clean()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(menu).not_to_have_attribute("open", "")
    expect(menu.get_by_role("link", name="Liste de sécurité")).to_be_hidden()
    menu.locator("summary").click()
    expect(menu.get_by_role("link", name="Liste de sécurité")).to_be_visible()
    tab.assert_clean()

    tab.goto("/charte/")
    account.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("navigation", name="Votre compte")).to_have_count(0)
    tab.goto("/gestion/")
    page.wait_for_url(re.compile("/connexion/"))
