import io

import icalendar
import pytest
from django.urls import reverse
from pypdf import PdfReader

from admission.tickets import check_ticket, token_for
from registrations.capacity import cancel, register
from registrations.links import manage_path, manage_token
from tests.factories import CategoryFactory, EditionFactory

VIEWS = ["ticket", "ticket_pdf", "ticket_ics", "ticket_qr"]


@pytest.fixture
def edition(db):
    return EditionFactory(title="Journée Exemple des PTCE", capacity=1)


def attendee(edition, email="camille@example.org", **details):
    category = edition.categories.first() or CategoryFactory(edition=edition, name="Participant")
    return register(
        edition,
        category=category,
        first_name=details.pop("first_name", "Camille"),
        last_name=details.pop("last_name", "Exemple"),
        email=email,
        by_organiser=True,
        **details,
    )


def url(name, registration_or_token):
    token = (
        registration_or_token
        if isinstance(registration_or_token, str)
        else manage_token(registration_or_token)
    )
    return reverse(f"admission:{name}", args=[token])


def get(client, name, registration_or_token):
    return client.get(url(name, registration_or_token), HTTP_ACCEPT_LANGUAGE="en")


def assert_private(response):
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"


def test_ticket_addresses_are_under_the_manage_link(edition):
    registration = attendee(edition)
    token = manage_token(registration)

    assert url("ticket", registration) == f"/inscription/{token}/billet/"
    assert url("ticket_pdf", registration) == f"/inscription/{token}/billet.pdf"
    assert url("ticket_ics", registration) == f"/inscription/{token}/billet.ics"
    assert url("ticket_qr", registration) == f"/inscription/{token}/billet.svg"


def test_ticket_page_shows_the_ticket_holder_and_the_day(client, edition):
    registration = attendee(
        edition, badge_name="Cam", organisation_name="Pôle Exemple des Deux-Rives"
    )

    response = get(client, "ticket", registration)

    assert response.status_code == 200
    assert_private(response)
    html = response.content.decode()
    assert '<p class="ticket-name">Camille Exemple</p>' in html
    assert "<dd>Cam</dd>" in html
    assert "<dd>Participant</dd>" in html
    assert "<dd>Pôle Exemple des Deux-Rives</dd>" in html
    assert f'<img src="{url("ticket_qr", registration)}"' in html
    assert f'href="{url("ticket_pdf", registration)}"' in html
    assert f'href="{url("ticket_ics", registration)}"' in html
    assert f'href="{manage_path(registration)}"' in html
    assert "Bring an identity document" in html
    assert '<meta name="robots" content="noindex">' in html


def test_ticket_page_escapes_markup_in_names(client, edition):
    registration = attendee(
        edition, first_name="<b>Camille</b>", last_name="=cmd|' /C calc'!A0", badge_name="<i>"
    )

    html = get(client, "ticket", registration).content.decode()

    assert (
        '<p class="ticket-name">&lt;b&gt;Camille&lt;/b&gt; =cmd|&#x27; /C calc&#x27;!A0</p>' in html
    )
    assert "<dd>&lt;i&gt;</dd>" in html
    assert "<b>Camille" not in html


def test_ticket_pdf_is_served_inline_with_the_holders_name(client, edition):
    registration = attendee(edition, first_name="Zoé", last_name="Lefèvre")

    response = get(client, "ticket_pdf", registration)

    assert response.status_code == 200
    assert_private(response)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (f'inline; filename="billet-{edition.slug}.pdf"')
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Zoé Lefèvre" in text.splitlines()
    # In the language of the page asked for.
    assert text.splitlines()[0] == "Ticket"


def test_ticket_qr_code_is_an_svg_of_the_signed_token(client, edition):
    registration = attendee(edition)

    response = get(client, "ticket_qr", registration)

    assert response.status_code == 200
    assert_private(response)
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<svg ')
    assert check_ticket(token_for(registration), edition).code == "valid"


def test_ticket_calendar_is_an_attachment(client, edition):
    registration = attendee(edition)

    response = get(client, "ticket_ics", registration)

    assert response.status_code == 200
    assert_private(response)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{edition.slug}.ics"'
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]).startswith(f"ptce-registration-{registration.public_id.hex}@")


@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize(
    "token",
    [
        "nothing",
        "00000000000000000000000000000000:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "%3Cscript%3E",
    ],
)
def test_made_up_token_is_not_found(client, db, name, token):
    response = client.get(reverse(f"admission:{name}", args=[token]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", VIEWS)
def test_tampered_token_is_not_found(client, edition, name):
    token = manage_token(attendee(edition))
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert client.get(reverse(f"admission:{name}", args=[tampered])).status_code == 404


def test_waitlisted_registration_has_a_page_without_a_ticket(client, edition):
    attendee(edition)
    waiting = attendee(edition, email="dominique@example.org")

    response = get(client, "ticket", waiting)

    assert response.status_code == 200
    assert_private(response)
    html = response.content.decode()
    assert "No ticket yet" in html
    assert "You are on the waiting list." in html
    assert "billet.svg" not in html
    assert "billet.pdf" not in html
    assert get(client, "ticket_pdf", waiting).status_code == 404
    assert get(client, "ticket_qr", waiting).status_code == 404
    assert get(client, "ticket_ics", waiting).status_code == 200


def test_cancelled_registration_page_says_the_ticket_is_revoked(client, edition):
    registration = attendee(edition)
    cancel(registration)

    response = get(client, "ticket", registration)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Registration cancelled" in html
    assert "its ticket is revoked and will be refused at the entrance" in html
    assert "billet.svg" not in html
    assert "Bring an identity document" not in html
    for name in ["ticket_pdf", "ticket_qr", "ticket_ics"]:
        assert get(client, name, registration).status_code == 404


@pytest.mark.parametrize("name", VIEWS)
def test_ticket_addresses_refuse_posts(client, edition, name):
    response = client.post(url(name, attendee(edition)))

    assert response.status_code == 405
