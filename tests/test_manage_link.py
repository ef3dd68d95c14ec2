"""The private manage link: status, changes, the name lock, cancelling; the lost-link form."""

import datetime as dt
import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.utils import timezone

from outbox.models import Message
from registrations import attendees, capacity
from registrations.enums import RegistrationStatus
from registrations.links import manage_path, manage_token
from registrations.models import Registration
from tests.factories import BookingFactory, CategoryFactory, EditionFactory, RegistrationFactory

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED
NOW = timezone.now()
LOST_LINK = "/journees/journee/inscription/lien/"


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def edition(db):
    return EditionFactory(
        slug="journee",
        capacity=1,
        registration_opens_at=NOW - dt.timedelta(days=5),
        registration_closes_at=NOW + dt.timedelta(days=10),
        security_list_final_deadline=NOW + dt.timedelta(days=5),
    )


@pytest.fixture
def category(edition):
    return CategoryFactory(edition=edition, name="Participant", slug="participant")


def sign_up(edition, category, email, **kwargs):
    return capacity.register(
        edition,
        category=category,
        first_name="Camille",
        last_name="Exemple",
        email=email,
        now=NOW - dt.timedelta(days=1),
        **kwargs,
    )


@pytest.fixture
def registration(edition, category):
    return sign_up(edition, category, "camille@example.org", badge_name="Cam")


def details(**fields):
    values = {
        "first_name": "Camille",
        "last_name": "Exemple",
        "badge_name": "Cam",
        "job_title": "",
        "accessibility_needs": "",
        "diet": "standard",
        "dietary_notes": "",
    }
    values.update(fields)
    return values


def page(response):
    return response.content.decode()


# The page --------------------------------------------------------------------------------


def test_manage_page_shows_the_status_and_the_ticket_links(client, registration):
    response = client.get(manage_path(registration), HTTP_ACCEPT_LANGUAGE="en")

    text = page(response)
    token = manage_token(registration)
    assert response.status_code == 200
    assert "Confirmed:</strong> a seat is booked (Participant)." in text
    assert f'href="/inscription/{token}/billet/"' in text
    assert f'href="/inscription/{token}/billet.pdf"' in text
    assert f'href="/inscription/{token}/billet.ics"' in text
    assert f'href="/inscription/{token}/annuler/">Cancel my registration</a>' in text
    assert 'name="badge_name" value="Cam"' in text
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    # Not "no-referrer": the browser would then post the page's form with "Origin: null",
    # which the CSRF check refuses. "same-origin" keeps the address from other sites too.
    assert response["Referrer-Policy"] == "same-origin"


def test_manage_page_shows_the_waiting_position_and_no_ticket(client, registration, category):
    waiting = sign_up(registration.edition, category, "deux@example.org")

    text = page(client.get(manage_path(waiting), HTTP_ACCEPT_LANGUAGE="en"))

    assert "On the waiting list</strong> (position 1)" in text
    assert "billet" not in text


@pytest.mark.parametrize(
    "token",
    ["nimporte", "0123456789abcdef0123456789abcdef:faux", "<script>", "%00"],
)
def test_tampered_or_made_up_tokens_are_not_found(client, registration, token):
    assert client.get(f"/inscription/{token}/").status_code == 404
    assert client.post(f"/inscription/{token}/", details(badge_name="X")).status_code == 404
    assert client.post(f"/inscription/{token}/annuler/").status_code == 404


def test_a_token_with_one_character_changed_is_not_found(client, registration):
    token = manage_token(registration)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert client.get(f"/inscription/{tampered}/").status_code == 404


# Changing details -----------------------------------------------------------------------


def test_changing_the_badge_name_and_diet_saves_them(client, registration):
    response = client.post(
        manage_path(registration),
        details(badge_name="Camille E.", diet="vegan", consent_photos="on"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    registration.refresh_from_db()
    assert response.status_code == 302
    assert response.url == manage_path(registration) + "?notice=saved"
    assert (registration.badge_name, registration.diet) == ("Camille E.", "vegan")
    assert registration.consent_photos is True
    followed = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")
    assert "Your changes are saved." in page(followed)


def test_names_can_be_corrected_before_the_final_deadline(client, registration):
    client.post(manage_path(registration), details(first_name="Camille Marie", last_name="Éxemple"))

    registration.refresh_from_db()
    assert (registration.first_name, registration.last_name) == ("Camille Marie", "Éxemple")


def test_names_are_locked_after_the_final_deadline(client, registration):
    edition = registration.edition
    edition.security_list_final_deadline = NOW - dt.timedelta(hours=1)
    edition.registration_opens_at = NOW - dt.timedelta(days=5)
    edition.save()

    text = page(client.get(manage_path(registration), HTTP_ACCEPT_LANGUAGE="en"))
    response = client.post(
        manage_path(registration), details(first_name="Autre", last_name="Nom", badge_name="B")
    )

    registration.refresh_from_db()
    assert "The names as on the ID can no longer be changed since" in text
    assert 'name="first_name"' not in text
    assert response.status_code == 302
    assert (registration.first_name, registration.last_name) == ("Camille", "Exemple")
    assert registration.badge_name == "B"


def test_update_details_refuses_a_name_change_after_the_deadline(registration):
    after = registration.edition.security_list_final_deadline

    with pytest.raises(attendees.ChangeRefused) as refused:
        attendees.update_details(registration, now=after, first_name="Autre", badge_name="X")

    registration.refresh_from_db()
    assert refused.value.code == "names_locked"
    assert (registration.first_name, registration.badge_name) == ("Camille", "Cam")
    # The same names again are no change, and other details still may change.
    changed = attendees.update_details(registration, now=after, first_name="Camille", diet="vegan")
    assert changed == ["diet"]


def test_names_lock_at_the_registration_deadline_without_a_final_deadline(db):
    edition = EditionFactory.build(
        security_list_final_deadline=None, registration_closes_at=NOW + dt.timedelta(days=2)
    )

    assert attendees.names_locked_at(edition) == NOW + dt.timedelta(days=2)


def test_invalid_changes_are_refused_and_change_nothing(client, registration):
    response = client.post(
        manage_path(registration),
        details(badge_name="B" * 101, first_name="", diet="caviar"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    registration.refresh_from_db()
    text = page(response)
    assert response.status_code == 400
    assert "Ensure this value has at most 100 characters (it has 101)." in text
    assert "This field is required." in text
    assert "Select a valid choice. caviar is not one of the available choices." in text
    assert (registration.first_name, registration.badge_name) == ("Camille", "Cam")


def test_markup_in_details_is_kept_and_escaped(client, registration):
    client.post(manage_path(registration), details(badge_name="<img src=x onerror=alert(1)>"))

    registration.refresh_from_db()
    text = page(client.get(manage_path(registration)))
    assert registration.badge_name == "<img src=x onerror=alert(1)>"
    assert "<img src=x" not in text
    assert 'value="&lt;img src=x onerror=alert(1)&gt;"' in text


# Cancelling ----------------------------------------------------------------------------


def test_cancel_asks_for_confirmation_first(client, registration):
    response = client.get(f"/inscription/{manage_token(registration)}/annuler/")

    registration.refresh_from_db()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert registration.status == CONFIRMED


def test_cancelling_frees_the_seat_for_the_first_waiting_person(client, registration, category):
    first_waiting = sign_up(registration.edition, category, "deux@example.org")
    second_waiting = sign_up(registration.edition, category, "trois@example.org")

    response = client.post(
        f"/inscription/{manage_token(registration)}/annuler/", HTTP_ACCEPT_LANGUAGE="en"
    )

    for r in (registration, first_waiting, second_waiting):
        r.refresh_from_db()
    assert response.status_code == 302
    assert response.url == manage_path(registration) + "?notice=cancelled"
    assert (registration.status, first_waiting.status, second_waiting.status) == (
        CANCELLED,
        CONFIRMED,
        WAITLISTED,
    )
    text = page(client.get(response.url, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Your registration is cancelled." in text
    assert "<strong>Cancelled.</strong>" in text
    assert 'name="badge_name"' not in text


def test_cancelled_registration_can_be_neither_changed_nor_cancelled_again(client, registration):
    capacity.cancel(registration)

    client.post(manage_path(registration), details(badge_name="Nouveau"))
    again = client.post(f"/inscription/{manage_token(registration)}/annuler/")

    registration.refresh_from_db()
    assert registration.badge_name == "Cam"
    assert again.status_code == 302
    assert Registration.objects.get().status == CANCELLED


def test_nothing_changes_once_the_day_is_over(client, registration):
    after_the_day = registration.edition.ends_at + dt.timedelta(minutes=1)

    with pytest.raises(attendees.ChangeRefused) as refused:
        attendees.cancel(registration, now=after_the_day)
    assert refused.value.code == "day_over"
    with pytest.raises(attendees.ChangeRefused):
        attendees.update_details(registration, now=after_the_day, badge_name="X")

    registration.refresh_from_db()
    assert (registration.status, registration.badge_name) == (CONFIRMED, "Cam")


# The lost link -------------------------------------------------------------------------


def manage_link_recipients():
    return sorted(
        Message.objects.filter(kind="registrations.manage_link").values_list("recipient", flat=True)
    )


def lost(client, email, ip="192.0.2.1", **extra):
    return client.post(
        LOST_LINK, {"email": email, **extra}, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en"
    )


ANSWER = "If this address is registered for this day, a message with the link is on its way."


def test_lost_link_sends_the_link_for_the_registration_in_any_case(client, registration):
    response = lost(client, "CAMILLE@example.org")

    assert response.status_code == 200
    assert ANSWER in page(response)
    assert manage_link_recipients() == ["camille@example.org"]


def test_lost_link_answers_the_same_for_an_unknown_address(client, registration):
    response = lost(client, "inconnu@example.org")

    assert response.status_code == 200
    assert ANSWER in page(response)
    assert manage_link_recipients() == []


def test_lost_link_sends_the_links_of_the_people_a_booker_registered(client, edition, category):
    booking = BookingFactory(edition=edition, email="booker@example.org")
    RegistrationFactory(edition=edition, category=category, email="", booking=booking)
    RegistrationFactory(
        edition=edition, category=category, email="", booking=booking, status=CANCELLED
    )

    lost(client, "booker@example.org")

    assert manage_link_recipients() == ["booker@example.org"]


def test_lost_link_ignores_cancelled_registrations_and_other_editions(client, registration):
    capacity.cancel(registration)
    other = EditionFactory(slug="autre")
    RegistrationFactory(edition=other, email="camille@example.org")

    lost(client, "camille@example.org")

    assert manage_link_recipients() == []


def test_lost_link_refuses_an_invalid_address(client, registration):
    response = lost(client, "pas une adresse")

    assert response.status_code == 400
    assert "Enter a valid email address." in page(response)
    assert ANSWER not in page(response)


def test_lost_link_honeypot_gets_the_same_answer_and_sends_nothing(client, registration):
    response = lost(client, "camille@example.org", website="http://spam.example")

    assert ANSWER in page(response)
    assert manage_link_recipients() == []


def test_lost_link_is_rate_limited_per_address(client, registration, settings):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "lost_link": "2/h"}

    statuses = [lost(client, "camille@example.org").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert manage_link_recipients() == ["camille@example.org"] * 2


def test_lost_link_of_an_unknown_edition_is_not_found(client, db):
    assert client.get("/journees/inconnue/inscription/lien/").status_code == 404
