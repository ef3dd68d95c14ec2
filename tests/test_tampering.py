"""Tampered cookies, tokens and signed links are refused cleanly: never a 500, never data.

Every secret address is tried with one character changed, truncated, and re-signed with
another SECRET_KEY (the signature is genuine, but not ours).
"""

import base64
import datetime as dt
import json

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import ApiToken
from admission import tickets
from admission.models import CheckIn
from charter import links as charter_links
from registrations import capacity
from registrations.links import manage_token
from registrations.models import Booking
from registrations.views.public import booking_token
from tests.auth import log_in
from tests.factories import (
    CategoryFactory,
    EntranceFactory,
    InvitationFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db

OTHER_KEY = "another-secret-key-" + "x" * 40


def one_character_changed(token):
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]


def tampered(make_token, obj):
    """The token of ``obj`` with a character changed, truncated, and signed with another key."""
    token = make_token(obj)
    with override_settings(SECRET_KEY=OTHER_KEY):
        foreign = make_token(obj)
    assert foreign != token
    return {
        "changed": one_character_changed(token),
        "truncated": token[:-3],
        "foreign key": foreign,
    }


@pytest.fixture
def registration(cast):
    edition = cast.edition
    now = timezone.now()
    edition.date = timezone.localdate() + dt.timedelta(days=20)
    edition.registration_opens_at = now - dt.timedelta(days=1)
    edition.registration_closes_at = now + dt.timedelta(days=10)
    edition.security_list_final_deadline = now + dt.timedelta(days=10)
    edition.save()
    category = CategoryFactory(edition=edition)
    booking = Booking.objects.create(edition=edition, email="camille@example.org")
    return capacity.register(
        edition,
        category=category,
        first_name="Camille",
        last_name="Exemple",
        email="camille@example.org",
        booking=booking,
    )


def assert_refused_cleanly(response, status=404):
    assert response.status_code == status
    body = response.content.decode()
    assert "Traceback" not in body
    assert "Camille" not in body
    assert "camille@example.org" not in body


# Cookies and CSRF ---------------------------------------------------------------------------


def test_a_tampered_session_cookie_is_a_visitor_logged_out(client, cast):
    log_in(client, cast.organiser)
    name = settings.SESSION_COOKIE_NAME
    assert client.get("/gestion/").status_code != 302
    client.cookies[name] = one_character_changed(client.cookies[name].value)

    organiser_page = client.get("/gestion/")
    home = client.get("/")

    assert organiser_page.status_code == 302
    assert organiser_page["Location"].startswith("/connexion/")
    assert home.status_code == 200
    assert home.wsgi_request.user.is_anonymous


def test_a_tampered_csrf_token_gets_the_expired_form_page(db):
    client = Client(enforce_csrf_checks=True)
    client.get("/connexion/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(
        "/connexion/",
        {"username": "x", "password": "y", "csrfmiddlewaretoken": one_character_changed(token)},
    )

    assert response.status_code == 403
    assert response.templates[0].name == "403_csrf.html"
    assert '<html lang="fr">' in response.content.decode()


# API tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how",
    ["changed", "truncated", "garbage", "empty", "not ascii", "revoked", "no scheme"],
)
def test_a_bad_bearer_token_is_401(client, cast, how):
    api_token, raw = ApiToken.issue(cast.organiser)
    header = (
        "Bearer "
        + {
            "changed": one_character_changed(raw),
            "truncated": raw[:-1],
            "garbage": "%00<script>'; DROP TABLE",
            "empty": "",
            "not ascii": "jeton-é-💥",
            "revoked": raw,
            "no scheme": raw,
        }[how]
    )
    if how == "revoked":
        api_token.revoke()
    if how == "no scheme":
        header = raw

    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


# Signed links -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "suffix", ["", "annuler/", "je-viens/", "billet/", "billet.pdf", "billet.svg", "billet.ics"]
)
def test_a_tampered_manage_or_ticket_link_is_404(client, registration, suffix):
    assert client.get(f"/inscription/{manage_token(registration)}/{suffix}").status_code == 200
    # The ticket's files are read-only addresses (a POST there is a 405, before any token).
    methods = (
        (client.get, client.post) if suffix in ("", "annuler/", "je-viens/") else (client.get,)
    )
    for token in tampered(manage_token, registration).values():
        for method in methods:
            assert_refused_cleanly(method(f"/inscription/{token}/{suffix}"))


def test_a_tampered_booking_confirmation_link_is_404(client, registration):
    booking, slug = registration.booking, registration.edition.slug
    assert client.get(f"/journees/{slug}/inscription/confirmation/{booking_token(booking)}/")

    for token in tampered(booking_token, booking).values():
        response = client.get(f"/journees/{slug}/inscription/confirmation/{token}/")
        assert_refused_cleanly(response)


@pytest.mark.parametrize("suffix", ["", "recu.pdf"])
def test_a_tampered_charter_receipt_link_is_404(client, db, suffix):
    signature = SignatureFactory(representative_name="Camille Exemple")
    token = charter_links.receipt_token(signature)
    assert client.get(f"/charte/recu/{token}/{suffix}").status_code == 200

    for token in tampered(charter_links.receipt_token, signature).values():
        assert_refused_cleanly(client.get(f"/charte/recu/{token}/{suffix}"))


def test_a_tampered_charter_signing_link_is_refused(client, db):
    made_up = type("Request", (), {"pk": 1})()
    for token in tampered(charter_links.confirm_token, made_up).values():
        for method in (client.get, client.post):
            assert_refused_cleanly(method(f"/charte/signature/{token}/"))


def test_a_changed_or_truncated_invitation_code_is_refused(client, cast):
    invitation = InvitationFactory(edition=cast.edition, email="camille@example.org")
    assert client.get(f"/invitation/{invitation.code}/").status_code == 200

    for code in (one_character_changed(invitation.code), invitation.code[:-1], "x" * 300):
        for method in (client.get, client.post):
            assert_refused_cleanly(method(f"/invitation/{code}/"))


# The ticket's QR code at the door ---------------------------------------------------------


def test_a_ticket_with_a_flipped_byte_is_refused_at_the_door(client, cast, registration):
    edition = registration.edition
    edition.date = timezone.localdate()
    edition.save()
    EntranceFactory(edition=edition, slug="a")
    token = tickets.token_for(registration)
    payload = bytearray(base64.urlsafe_b64decode(token[len(tickets.PREFIX) :] + "=="))
    _, agent_token = ApiToken.issue(cast.agent)

    def scan(ticket, nonce):
        return client.post(
            f"/api/v1/editions/{edition.slug}/checkins",
            data=json.dumps(
                {"ticket": ticket, "entrance": "a", "id_checked": True, "nonce": nonce}
            ),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {agent_token}",
        ).json()

    results = []
    # A byte of the claim (the registration's id), then of the signature.
    for position in (10, len(payload) - 10):
        flipped = bytearray(payload)
        flipped[position] ^= 0x01
        forged = tickets.PREFIX + base64.urlsafe_b64encode(flipped).rstrip(b"=").decode()
        results.append(scan(forged, f"forged-{position}"))

    assert [result["result"] for result in results] == ["invalid_ticket", "invalid_ticket"]
    assert [result["attendee"] for result in results] == [None, None]
    assert CheckIn.objects.filter(result="admitted").count() == 0
    assert scan(token, "genuine")["result"] == "admitted"
