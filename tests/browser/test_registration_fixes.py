"""Registrations organisers can fix, and waiting with a reason, in Chromium (issue 16).

An organiser adds a person from the list's button, changes a registration's category and
reads the refusal that names the per-pole cap, then corrects a registration's details; a
third representative of a pole registers in the public form, is told by email why she waits,
and from the link of that email moves to a category with room. Every page axe-clean.
"""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext

from registrations import capacity, limits
from registrations.enums import RegistrationStatus
from registrations.links import manage_path
from registrations.models import Registration
from tests.auth import log_in_tab
from tests.factories import CategoryFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

NOW = timezone.now()
MANAGE = r"/inscription/[^/\s]+/"


@pytest.fixture
def site(settings, live_server):
    settings.SITE_URL = live_server.url
    cache.clear()  # The public form's per-address limit counts every test's posts.
    return live_server.url


@pytest.fixture
def edition(cast, site):
    """300 seats; pole representatives are two per pole; two of Pôle Exemple are in."""
    edition = cast.edition
    edition.capacity = 300
    edition.has_waiting_list = True
    edition.registration_opens_at = NOW - dt.timedelta(days=1)
    edition.registration_closes_at = NOW + dt.timedelta(days=10)
    edition.save()
    representative = CategoryFactory(
        edition=edition,
        name="Représentant·e de pôle",
        slug="representant",
        organisation_cap=2,
        position=0,
    )
    CategoryFactory(edition=edition, name="Participant", slug="participant", position=1)
    pole = OrganisationFactory(name="Pôle Exemple")
    for number in range(2):
        capacity.register(
            edition,
            category=representative,
            first_name=f"Camille {number}",
            last_name="Exemple",
            email=f"camille{number}@example.org",
            organisation=pole,
        )
    return edition


def words(text):
    """``text`` with every run of white space (no-break spaces included) as one space."""
    return " ".join(text.split())


def in_french(sentence, **values):
    with translation.override("fr"):
        return gettext(sentence) % values


def test_organiser_adds_a_person_changes_a_category_and_edits(tab, cast, edition):
    page = tab.page
    log_in_tab(tab, cast.organiser)
    base = f"/journees/{edition.slug}/gestion/inscriptions/"
    participant = edition.categories.get(slug="participant")

    # The list's button leads to the form.
    tab.goto(base)
    page.get_by_role("link", name=in_french("Add a person")).click()
    page.wait_for_url("**/inscriptions/ajouter/")
    page.locator("#id_category").select_option(str(participant.pk))
    page.fill("#id_first_name", "Élodie")
    page.fill("#id_last_name", "Martin")
    page.fill("#id_email", "elodie@example.org")
    page.fill("#id_organisation", "Pôle Exemple")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/inscriptions/\d+/$"))
    elodie = Registration.objects.get(email="elodie@example.org")
    assert elodie.status == RegistrationStatus.CONFIRMED
    tab.assert_clean()

    # Into the representatives: refused, with the cap and its numbers.
    page.locator("#id_category").select_option(str(edition.categories.get(slug="representant").pk))
    page.get_by_role("button", name=in_french("Change the category")).click()
    page.wait_for_load_state()
    error = page.locator("#id_category_error, .errorlist").first.inner_text()
    with translation.override("fr"):
        expected = limits.sentence(
            "organisation_cap_reached",
            limit=2,
            category="Représentant·e de pôle",
            organisation="Pôle Exemple",
        )
    assert words(expected) in words(page.locator("main").inner_text())
    assert "Pôle Exemple" in error
    elodie.refresh_from_db()
    assert elodie.category == participant
    tab.console_errors = [e for e in tab.console_errors if "status of 400" not in e]
    tab.assert_clean()

    # Her details corrected.
    tab.goto(base + f"{elodie.pk}/modifier/")
    page.fill("#id_job_title", "Chargée de mission")
    page.get_by_role("button", name=in_french("Save the changes")).click()
    page.wait_for_url(re.compile(r".*/inscriptions/\d+/$"))
    elodie.refresh_from_db()
    assert elodie.job_title == "Chargée de mission"
    tab.assert_clean()


@pytest.mark.parametrize("tab", ["phone"], indirect=True)
def test_a_third_pole_representative_sees_why_she_waits(
    tab, edition, site, smtp_server, send_outbox
):
    page = tab.page
    tab.goto(f"/journees/{edition.slug}/inscription/")
    page.fill("#id_p0-first_name", "Zoé")
    page.fill("#id_p0-last_name", "Troisième")
    page.fill("#id_p0-email", "zoe@example.org")
    page.fill("#id_p0-organisation", "Pôle Exemple")
    page.check("#id_p0-category_0")
    page.locator("button.button-primary").click()
    page.wait_for_url("**/inscription/confirmation/**")
    zoe = Registration.objects.get(email="zoe@example.org")
    assert zoe.status == RegistrationStatus.WAITLISTED

    send_outbox()
    (mail,) = smtp_server.to("zoe@example.org")
    text = words(mail.get_body(("plain",)).get_content())
    with translation.override("fr"):
        why = limits.waiting_sentence(zoe)
    assert "Pôle Exemple" in why
    assert words(why) in text

    # From the email's link, her page says it too, and offers a category with room.
    path = re.search(rf"{re.escape(site)}({MANAGE})", text)[1]
    assert path == manage_path(zoe)
    tab.goto(path)
    assert words(why) in words(page.locator("main").inner_text())
    tab.assert_clean()

    page.locator("#move-title ~ form select").select_option("participant")
    page.get_by_role("button", name=in_french("Move to this category")).click()
    page.wait_for_url("**?notice=moved")
    zoe.refresh_from_db()
    assert zoe.status == RegistrationStatus.CONFIRMED
    assert page.locator(".registration-status.status-confirmed").count() == 1
    tab.assert_clean()
