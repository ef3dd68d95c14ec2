"""A workshop's door in Chromium, on a phone, in French: the agent picks the door of a
workshop; a person holding a seat is admitted at once (no ID screen), one without a seat is
refused; offline the device decides the same from its download, and the server gets exactly
the workshop's admissions once it reconnects, none of the day's."""

import pytest
from django.utils import timezone

from admission import codes
from admission.models import CheckIn, WorkshopCheckIn
from registrations.enums import WorkshopChoiceStatus
from registrations.models import WorkshopChoice
from tests.auth import log_in_tab
from tests.browser.test_checkin_app import (
    go_offline,
    go_online,
    next_scan,
    open_tab,
    verdict,
    visible,
)
from tests.browser.test_checkin_app import scene as scene
from tests.factories import EntranceFactory, WorkshopFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def workshop(scene):
    edition, people = scene
    workshop = WorkshopFactory(edition=edition, title="Coopérer sur un territoire")
    EntranceFactory(edition=edition, name="Salle 2", slug="salle-2", position=3, session=workshop)
    martin, ebert, *_ = people
    for person in (martin, ebert):
        WorkshopChoice.objects.create(
            registration=person,
            session=workshop,
            status=WorkshopChoiceStatus.CONFIRMED,
            requested_at=timezone.now(),
        )
    return workshop


def type_code(page, text):
    page.locator("#ticket-code").fill(text)
    page.locator("#ticket-code").press("Enter")


def find_name(page, query):
    page.locator("#name-search").fill(query)
    page.locator(".person-result").first.click()


def test_an_agent_at_a_workshop_door_admits_the_seated_only(
    browser, live_server, cast, scene, workshop
):
    edition, people = scene
    martin, ebert, durand, *_ = people
    tab = open_tab(browser, live_server, cast.agent, locale="fr-FR")
    page = tab.page

    tab.goto(f"/controle/{edition.slug}/")
    visible(page, "#screen-entrance")
    assert "Coopérer sur un territoire" in page.locator("#entrance-choices").inner_text()
    tab.assert_clean()
    page.get_by_label("Salle 2").check()
    page.locator("#entrance-start").click()
    visible(page, "#screen-main")
    assert page.locator("#current-workshop").inner_text() == "Coopérer sur un territoire"
    # The workshop's counters: its two seats, nobody in yet.
    assert page.locator("#count-expected").inner_text() == "2"
    assert page.locator("#count-admitted").inner_text() == "0"
    tab.assert_clean()

    # Online: a seat admits at once, without the ID screen; no seat is refused.
    type_code(page, codes.code_for(martin))
    assert verdict(page) == "admitted"
    assert page.locator("#verdict-badge").is_hidden()
    tab.assert_clean()
    next_scan(page)
    type_code(page, codes.code_for(durand))
    assert verdict(page) == "not_registered_here"
    assert "Coopérer sur un territoire" in page.locator("#verdict-detail").inner_text()
    tab.assert_clean()
    next_scan(page)
    assert page.locator("#count-admitted").inner_text() == "1"

    # Offline: the device decides from its download, the same way.
    go_offline(page)
    page.locator("#sync-status[data-state=offline]").wait_for()
    find_name(page, "ebert")
    assert verdict(page) == "admitted"
    assert page.locator("#verdict-offline").is_visible()
    next_scan(page)
    find_name(page, "bernard")
    assert verdict(page) == "not_registered_here"
    next_scan(page)
    find_name(page, "martin")
    assert verdict(page) == "already_admitted"
    next_scan(page)
    assert page.locator("#count-admitted").inner_text() == "2"
    tab.assert_clean()

    go_online(page)
    page.locator("#sync-status[data-state=synced]").wait_for()
    assert set(
        WorkshopCheckIn.objects.filter(result="admitted").values_list(
            "registration__last_name", flat=True
        )
    ) == {martin.last_name, ebert.last_name}
    assert WorkshopCheckIn.objects.filter(result="not_registered_here").count() == 2
    assert CheckIn.objects.count() == 0
    assert page.locator("#sync-report").is_hidden()
    page.context.close()


def test_the_organiser_binds_the_door_and_reads_its_figures(tab, cast, scene, workshop):
    """The entrance's form and the attendance page, at a phone's and a desktop's width."""
    edition, people = scene
    WorkshopCheckIn.objects.create(
        edition=edition,
        session=workshop,
        entrance=edition.entrances.get(slug="salle-2"),
        registration=people[0],
        nonce="n1",
        result="admitted",
        scanned_at=timezone.now(),
    )
    log_in_tab(tab, cast.organiser)
    door = edition.entrances.get(slug="a")
    tab.goto(f"/journees/{edition.slug}/gestion/entrees/{door.pk}/")
    assert "Coopérer sur un territoire" in tab.page.locator("#id_session").inner_text()
    tab.assert_clean()

    tab.goto(f"/journees/{edition.slug}/gestion/presence/")
    row = tab.page.locator("#workshops tbody tr")
    assert row.locator("th").inner_text() == "Coopérer sur un territoire"
    assert row.locator("td").all_inner_texts()[:2] == ["2", "1"]
    tab.assert_clean()
