"""Beyond a rate limit in Chromium: the 429 page, and the registration form given back with
every person typed and the real wait."""

import datetime as dt
import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.utils import timezone, translation

from common.errors import too_many_attempts
from registrations.models import Registration
from tests.factories import CategoryFactory, EditionFactory

FORM = "/journees/journee/inscription/"


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    # Counted per window of the rate's period on the wall clock: held still, so that every
    # request of a test falls in one window.
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


def test_the_rate_limited_page_is_accessible(tab, transactional_db, settings):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "charter_verify": "1/h"}

    tab.goto("/charte/verifier/?code=ABCD-EFGH-JKLM-NPQR")
    tab.goto("/charte/verifier/?code=ABCD-EFGH-JKLM-NPQR", status=429)

    assert tab.page.locator("h1").inner_text() == "Trop de requêtes"
    tab.assert_clean()


#: Ten people, each with their own details: what the refused form must give back.
PEOPLE = [
    {
        "first_name": first_name,
        "last_name": f"Exemple {letter}",
        "email": f"{letter.lower()}@example.org",
        "job_title": f"Fonction {letter}",
        "organisation": f"Réseau {letter}",
    }
    for first_name, letter in zip(
        ["Léa", "Zoë", "Ana", "Béa", "Cléo", "Dara", "Élise", "Fumi", "Gaëlle", "Hugo"],
        "ABCDEFGHIJ",
        strict=True,
    )
]


def fill(page, n, person):
    for name, value in person.items():
        page.fill(f"#id_p{n}-{name}", value)


def test_a_rate_limited_registration_keeps_all_ten_people_and_says_the_wait(
    tab, transactional_db, settings
):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "registration": "1/h"}
    edition = EditionFactory(
        slug="journee",
        capacity=300,
        registration_opens_at=timezone.now() - dt.timedelta(days=1),
        registration_closes_at=timezone.now() + dt.timedelta(days=10),
    )
    CategoryFactory(edition=edition, name="Participant", slug="participant")
    page = tab.page

    # One registration from this connection: the limit of one an hour is reached.
    tab.goto(FORM)
    fill(page, 0, {**PEOPLE[0], "email": "premiere@example.org"})
    page.check("#id_p0-category_0")
    page.locator("button.button-primary").click()
    page.wait_for_url("**/inscription/confirmation/**")

    tab.goto(FORM)
    fill(page, 0, PEOPLE[0])
    page.check("#id_p0-category_0")
    page.check("#id_p0-consent_public_list")
    for n, person in enumerate(PEOPLE[1:], start=1):
        page.locator("button[name=add_person]").click()
        page.wait_for_selector(f"#id_p{n}-first_name")
        fill(page, n, person)
        if n % 2:
            page.check(f"#id_p{n}-consent_photos")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("button.button-primary").click()
    page.wait_for_selector(".error-summary")

    response = answer.value
    wait = int(response.headers["retry-after"])
    with translation.override("fr"):
        message = too_many_attempts(wait, per_address=True)
    assert response.status == 429
    assert 1 <= wait <= 3600
    assert page.locator(".error-summary li").all_inner_texts() == [message]
    for n, person in enumerate(PEOPLE):
        for name, value in person.items():
            assert page.input_value(f"#id_p{n}-{name}") == value, (n, name)
        assert page.is_checked(f"#id_p{n}-category_0")
        assert page.is_checked(f"#id_p{n}-consent_photos") == bool(n % 2)
    assert page.is_checked("#id_p0-consent_public_list")
    assert Registration.objects.count() == 1
    # Chromium logs the document's 429 as an error: expected here, and only here.
    refused = [error for error in tab.console_errors if "status of 429" in error]
    assert len(refused) == 1
    tab.console_errors.remove(refused[0])
    tab.assert_clean()
