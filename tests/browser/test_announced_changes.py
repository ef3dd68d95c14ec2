"""An organiser moves a published day to another date in Chromium, is offered to notify the
people registered, notifies them; the notice arrives on a real SMTP server with a calendar
file of the new date. Every page is checked with axe-core, for CSP violations and for
console errors.

Pages are served in French (the browser asks for it).
"""

import datetime as dt

import icalendar
import pytest

from outbox.models import Message
from tests.auth import log_in_tab
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True)

THURSDAY = dt.date(2030, 9, 19)
FRIDAY = dt.date(2030, 9, 20)


def test_an_organiser_moves_the_day_and_notifies_the_people_registered(
    tab, cast, smtp_server, send_outbox
):
    edition = cast.edition
    edition.date = THURSDAY
    edition.save()
    confirmed = RegistrationFactory(edition=edition, first_name="Camille", language="fr")
    RegistrationFactory(edition=edition, status="waitlisted", confirmed_at=None)
    log_in_tab(tab, cast.organiser)
    page = tab.page
    settings_path = f"/journees/{edition.slug}/gestion/parametres/"

    tab.goto(settings_path)
    page.fill("#id_date", FRIDAY.isoformat())
    page.locator("form.edit-form button.button-primary").click()

    page.wait_for_url(f"**/journees/{edition.slug}/gestion/inscriptions/prevenir/?changement=*")
    changes = page.locator(".change-notice dd")
    assert changes.all_inner_texts() == [
        "Avant\u00a0: jeudi 19 septembre 2030, de 9\u00a0h\u00a030 à 16\u00a0h\u00a030",
        "Désormais\u00a0: vendredi 20 septembre 2030, de 9\u00a0h\u00a030 à 16\u00a0h\u00a030",
    ]
    assert page.get_by_role("link", name="Ne pas prévenir").get_attribute("href") == (settings_path)
    tab.assert_clean()
    assert Message.objects.filter(kind="registrations.changed").count() == 0

    page.get_by_role("button", name="Prévenir les 2 personnes inscrites").click()

    page.wait_for_url(f"**{settings_path}")
    assert "2 personnes sont prévenues du changement par courriel." in page.inner_text("main")
    tab.assert_clean()

    assert send_outbox() == ["sent", "sent"]
    smtp_server.wait_for(2)
    (notice,) = smtp_server.to(confirmed.email)
    assert notice["Subject"].lstrip() == (
        "Changement de date, d'horaires ou de lieu\u00a0: " + edition.title
    )
    files = {part.get_filename(): part for part in notice.iter_attachments()}
    calendar = icalendar.Calendar.from_ical(files[f"ticket-{edition.slug}.ics"].get_content())
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART").date() == FRIDAY
    assert files[f"ticket-{edition.slug}.pdf"].get_content_type() == "application/pdf"
