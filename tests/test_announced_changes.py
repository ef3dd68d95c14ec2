"""Announced changes (issue 16): a published day whose date, hours or venue changes offers
to notify its attendees, who get the new details, calendar file and ticket; a confirmed
person whose names change gets the new ticket."""

import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from django.contrib.messages import get_messages
from pypdf import PdfReader

from accounts.enums import AuditAction
from accounts.models import AuditEntry
from events.edit_forms import EditionSettingsForm
from events.enums import EditionStatus
from events.models import Venue
from outbox.builders import build
from outbox.models import Message
from registrations import attendees
from tests.auth import log_in
from tests.factories import BookingFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

THURSDAY = dt.date(2030, 9, 19)
FRIDAY = dt.date(2030, 9, 20)
CHANGED = "registrations.changed"
NEW_TICKET = "registrations.ticket_changed"
#: French writes the hour as "9 h 30", with no-break spaces (the site's formats).
H = "\u00a0h\u00a0"


@pytest.fixture
def edition(cast):
    edition = cast.edition
    edition.date = THURSDAY
    edition.save()
    Venue.objects.filter(pk=edition.venue_id).update(
        name="Salle Exemple", street_address="1 rue de l'Exemple", postal_code="75012", city="Paris"
    )
    edition.refresh_from_db()
    return edition


@pytest.fixture
def people(edition):
    """A confirmed person (French), a waiting one (English), a cancelled one."""
    return {
        "confirmed": RegistrationFactory(
            edition=edition, first_name="Camille", last_name="Exemple", language="fr"
        ),
        "waiting": RegistrationFactory(
            edition=edition, status="waitlisted", confirmed_at=None, language="en"
        ),
        "cancelled": RegistrationFactory(edition=edition, status="cancelled"),
    }


def settings_url(edition):
    return f"/journees/{edition.slug}/gestion/parametres/"


def settings_data(edition, **changes):
    """The POST data of the settings form as the browser shows it, with ``changes``."""
    form = EditionSettingsForm(instance=edition, venues=Venue.objects.all())
    data = {}
    for field in form:
        value = field.value()
        if field.widget_type == "checkbox":
            if value:
                data[field.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(item) for item in value]
        else:
            widget = field.field.widget
            value = widget.format_value(value) if hasattr(widget, "format") else value
            data[field.html_name] = "" if value is None else str(value)
    return data | changes


def move_to_friday(client, edition):
    return client.post(settings_url(edition), settings_data(edition, date=FRIDAY.isoformat()))


def notice_url(response, edition):
    location = response["Location"]
    assert location.startswith(f"/journees/{edition.slug}/gestion/inscriptions/prevenir/?")
    return location


def token_of(url):
    """The signed change that the notice's address carries, as its form sends it back."""
    (token,) = parse_qs(urlsplit(url).query)["changement"]
    return token


def text_of(response):
    return response.content.decode()


def flashed(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def attachments(email):
    return {name: (content, mimetype) for name, content, mimetype in email.attachments}


def calendar_start(content):
    (event,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
    return event.decoded("DTSTART")


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# The offer ---------------------------------------------------------------------------------


def test_changing_the_date_of_a_published_day_with_registrations_offers_the_notice(
    client, cast, edition, people
):
    log_in(client, cast.organiser)

    response = move_to_friday(client, edition)

    assert response.status_code == 302
    page = client.get(notice_url(response, edition))
    assert page.status_code == 200
    html = text_of(page)
    assert f"Avant\u00a0: jeudi 19 septembre 2030, de 9{H}30 à 16{H}30" in html
    assert f"Désormais\u00a0: vendredi 20 septembre 2030, de 9{H}30 à 16{H}30" in html
    assert "2 personnes seraient prévenues" in html
    assert "Prévenir les 2 personnes inscrites" in html
    assert f'href="{settings_url(edition)}">Ne pas prévenir</a>' in html
    # Nothing is sent until the organiser says so.
    assert Message.objects.filter(kind=CHANGED).count() == 0


def test_changing_the_venue_offers_the_notice(client, cast, edition, people):
    Venue.objects.filter(pk=edition.venue_id).update(owner=cast.org)
    log_in(client, cast.organiser)
    venue = Venue.objects.get(pk=edition.venue_id)
    data = {
        "name": "Grande Salle",
        "street_address": "2 avenue de l'Exemple",
        "postal_code": "75013",
        "city": "Paris",
        "public_transport": venue.public_transport,
        "accessibility": "",
        "map_url": "",
    }

    response = client.post(f"/journees/{edition.slug}/gestion/lieu/", data)

    html = text_of(client.get(notice_url(response, edition)))
    assert "Avant\u00a0: Salle Exemple, 1 rue de l&#x27;Exemple, 75012 Paris" in html
    assert "Désormais\u00a0: Grande Salle, 2 avenue de l&#x27;Exemple, 75013 Paris" in html
    assert "Date et horaires" not in html


def test_changing_the_hours_offers_the_notice(client, cast, edition, people):
    log_in(client, cast.organiser)

    response = client.post(settings_url(edition), settings_data(edition, start_time="10:00"))

    html = text_of(client.get(notice_url(response, edition)))
    assert f"Désormais\u00a0: jeudi 19 septembre 2030, de 10{H}00 à 16{H}30" in html


@pytest.mark.parametrize("case", ["draft", "no_registration", "title_only", "only_cancelled"])
def test_no_notice_is_offered(client, cast, edition, case):
    if case == "draft":
        edition.status = EditionStatus.DRAFT
        edition.save()
    if case != "no_registration":
        RegistrationFactory(edition=edition, status="cancelled")
    if case in {"draft", "title_only"}:
        RegistrationFactory(edition=edition)
    log_in(client, cast.organiser)
    changes = {"title": "Autre titre"} if case == "title_only" else {"date": FRIDAY.isoformat()}

    response = client.post(settings_url(edition), settings_data(edition, **changes))

    assert (response.status_code, response["Location"]) == (302, settings_url(edition))
    edition.refresh_from_db()
    assert (edition.title, edition.date) == (
        ("Autre titre", THURSDAY) if case == "title_only" else ("Journée Exemple", FRIDAY)
    )


def test_only_those_who_manage_the_day_open_the_notice(client, cast, edition, people):
    response = move_to_friday(log_in(client, cast.organiser), edition)
    url = notice_url(response, edition)

    for who in ("editor", "viewer", "other_organiser"):
        log_in(client, getattr(cast, who))
        assert client.get(url).status_code == 403
        assert client.post(url, {"changement": token_of(url)}).status_code == 403
    assert Message.objects.filter(kind=CHANGED).count() == 0


def test_a_forged_link_sends_nothing_and_says_why(client, cast, edition, people):
    log_in(client, cast.organiser)
    url = f"/journees/{edition.slug}/gestion/inscriptions/prevenir/"

    response = client.post(url, {"changement": "pas-un-lien-signe"})

    assert (response.status_code, response["Location"]) == (302, settings_url(edition))
    assert flashed(response) == [
        "Ce lien pour prévenir les personnes inscrites d'un changement n'est pas valable, ou "
        "trop ancien\u00a0: modifiez à nouveau les paramètres de la journée pour en obtenir un "
        "nouveau."
    ]
    assert Message.objects.filter(kind=CHANGED).count() == 0


def test_a_change_undone_since_has_nothing_to_tell(client, cast, edition, people):
    log_in(client, cast.organiser)
    url = notice_url(move_to_friday(client, edition), edition)
    edition.refresh_from_db()
    client.post(settings_url(edition), settings_data(edition, date=THURSDAY.isoformat()))

    response = client.post(url, {"changement": token_of(url)})

    assert response["Location"] == settings_url(edition)
    assert Message.objects.filter(kind=CHANGED).count() == 0


# Notifying ---------------------------------------------------------------------------------


def notify(client, edition):
    """Move the day to Friday and notify; returns the answer of the notice's form."""
    url = notice_url(move_to_friday(client, edition), edition)
    return client.post(url, {"changement": token_of(url)})


def test_notifying_writes_one_email_per_active_registration(client, cast, edition, people):
    log_in(client, cast.organiser)

    response = notify(client, edition)

    assert (response.status_code, response["Location"]) == (302, settings_url(edition))
    assert "2 personnes sont prévenues du changement par courriel." in flashed(response)
    sent = Message.objects.filter(kind=CHANGED).order_by("pk")
    assert [(m.recipient, m.object_id, m.language) for m in sent] == [
        (people["confirmed"].email, people["confirmed"].pk, "fr"),
        (people["waiting"].email, people["waiting"].pk, "en"),
    ]
    (line,) = AuditEntry.objects.filter(action=AuditAction.MESSAGE)
    assert (line.what, line.people, line.edition) == (
        "Personnes inscrites prévenues d'un changement de date, d'horaires ou de lieu",
        2,
        edition,
    )
    assert line.user == cast.organiser


def test_the_confirmed_person_gets_the_new_ticket_and_calendar_file(client, cast, edition, people):
    notify(log_in(client, cast.organiser), edition)
    message = Message.objects.get(kind=CHANGED, object_id=people["confirmed"].pk)

    email = build(message)

    assert email.subject == "Changement de date, d'horaires ou de lieu\u00a0: Journée Exemple"
    assert email.to == [people["confirmed"].email]
    assert f"Avant\u00a0: jeudi 19 septembre 2030, de 9{H}30 à 16{H}30" in email.body
    assert f"Désormais\u00a0: vendredi 20 septembre 2030, de 9{H}30 à 16{H}30" in email.body
    files = attachments(email)
    slug = edition.slug
    assert sorted(files) == [f"ticket-{slug}.ics", f"ticket-{slug}.pdf"]
    assert calendar_start(files[f"ticket-{slug}.ics"][0]).date() == FRIDAY
    ticket, mimetype = files[f"ticket-{slug}.pdf"]
    assert mimetype == "application/pdf"
    assert "Camille" in pdf_text(ticket)


def test_a_waiting_person_gets_the_new_calendar_file_in_their_language(
    client, cast, edition, people
):
    notify(log_in(client, cast.organiser), edition)
    message = Message.objects.get(kind=CHANGED, object_id=people["waiting"].pk)

    email = build(message)

    assert email.subject == "Change of date, hours or venue: Journée Exemple"
    assert "Before: Thursday 19 September 2030, from 9:30 a.m. to 4:30 p.m." in email.body
    assert "Now: Friday 20 September 2030, from 9:30 a.m. to 4:30 p.m." in email.body
    assert "You are still on the waiting list." in email.body
    files = attachments(email)
    assert sorted(files) == [f"{edition.slug}.ics"]
    assert calendar_start(files[f"{edition.slug}.ics"][0]).date() == FRIDAY


def test_a_person_registered_without_an_address_is_told_through_the_booker(client, cast, edition):
    booking = BookingFactory(edition=edition, email="resa@example.org", language="en")
    RegistrationFactory(edition=edition, email="", booking=booking)

    notify(log_in(client, cast.organiser), edition)

    assert list(Message.objects.filter(kind=CHANGED).values_list("recipient", flat=True)) == [
        "resa@example.org"
    ]


def test_notifying_twice_sends_no_duplicate(client, cast, edition, people):
    log_in(client, cast.organiser)
    url = notice_url(move_to_friday(client, edition), edition)
    token = token_of(url)
    client.post(url, {"changement": token})

    again = client.post(url, {"changement": token})

    # The messages of the requests before were not shown yet: the last one is this answer's.
    assert flashed(again)[-1] == (
        "Ce changement a déjà été annoncé\u00a0; personne n'a reçu de nouveau courriel."
    )
    assert Message.objects.filter(kind=CHANGED).count() == 2
    assert AuditEntry.objects.filter(action=AuditAction.MESSAGE).count() == 1


def test_a_cancellation_before_sending_skips_the_notice(client, cast, edition, people):
    notify(log_in(client, cast.organiser), edition)
    attendees.cancel(people["waiting"])

    assert build(Message.objects.get(kind=CHANGED, object_id=people["waiting"].pk)) is None


# A new ticket when the names change ---------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "printed"),
    [({"first_name": "Claude"}, "Claude"), ({"badge_name": "Cam"}, "Cam")],
)
def test_a_change_of_names_sends_the_new_ticket(edition, people, change, printed):
    registration = people["confirmed"]

    assert attendees.update_details(registration, **change) == list(change)

    (message,) = Message.objects.filter(kind=NEW_TICKET)
    assert (message.recipient, message.object_id) == (registration.email, registration.pk)
    email = build(message)
    assert email.subject == "Votre billet mis à jour\u00a0: Journée Exemple"
    files = attachments(email)
    assert sorted(files) == [f"ticket-{edition.slug}.ics", f"ticket-{edition.slug}.pdf"]
    assert printed in pdf_text(files[f"ticket-{edition.slug}.pdf"][0])


def test_the_booker_gets_the_new_ticket_too(edition):
    booking = BookingFactory(edition=edition, email="resa@example.org")
    registration = RegistrationFactory(edition=edition, booking=booking)

    attendees.update_details(registration, last_name="Autre")

    recipients = Message.objects.filter(kind=NEW_TICKET).values_list("recipient", flat=True)
    assert sorted(recipients) == sorted([registration.email, "resa@example.org"])


@pytest.mark.parametrize(
    ("who", "change"),
    [
        ("confirmed", {"first_name": "Camille", "last_name": "Exemple"}),
        ("confirmed", {"diet": "vegan"}),
        ("waiting", {"first_name": "Claude"}),
    ],
    ids=["same_names", "other_detail", "waiting"],
)
def test_no_new_ticket_without_a_change_on_a_ticket(edition, people, who, change):
    attendees.update_details(people[who], **change)

    assert Message.objects.filter(kind=NEW_TICKET).count() == 0
