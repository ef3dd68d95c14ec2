"""No personal data in the logs: a registration, its manage link (and a tampered one), its
email, the API, with every logger at DEBUG; and gunicorn's access log line."""

import datetime as dt
import logging
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from common.redaction import AccessLogger, mask_path
from registrations.links import manage_token
from registrations.models import Registration
from tests.factories import CategoryFactory

NAME = ("Dominique", "Journalisable")
EMAIL = "dominique.journalisable@example.org"


@pytest.fixture
def edition(cast):
    edition = cast.edition
    now = timezone.now()
    edition.registration_opens_at = now - dt.timedelta(days=1)
    edition.registration_closes_at = now + dt.timedelta(days=10)
    edition.security_list_final_deadline = now + dt.timedelta(days=10)
    edition.save()
    CategoryFactory(edition=edition, slug="participant")
    return edition


def registration_form():
    person = {
        "first_name": NAME[0],
        "last_name": NAME[1],
        "email": EMAIL,
        "organisation": "Pôle Journalisable",
        "category": "participant",
        "diet": "standard",
    }
    return {
        "people": "1",
        "submission_key": str(uuid.uuid4()),
        **{f"p0-{name}": value for name, value in person.items()},
    }


def test_a_registration_its_links_and_the_api_log_no_personal_data(
    client, cast, edition, caplog, settings, smtp_server, send_outbox
):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "manage": "1/h"}
    caplog.set_level(logging.DEBUG)
    _, api_token = ApiToken.issue(cast.organiser)

    result = client.post(f"/journees/{edition.slug}/inscription/", registration_form())
    assert result.status_code == 302
    client.get(result["Location"])
    registration = Registration.objects.get(email=EMAIL)
    token = manage_token(registration)
    manage = f"/inscription/{token}/"
    send_outbox()
    assert smtp_server.to(EMAIL)
    secrets = [token, token.split(":")[1], result["Location"].rstrip("/").rsplit("/", 1)[1]]
    for url in (manage, f"{manage}billet/", f"{manage}billet.pdf"):
        assert client.get(url).status_code == 200
    # Refusals are logged (404, 429, 401, 403): by their path, secrets masked.
    assert client.get(f"/inscription/{token[:-1]}x/").status_code == 404
    assert client.post(f"{manage}je-viens/").status_code == 302
    assert client.post(f"{manage}annuler/").status_code == 429
    assert (
        client.get(f"/journees/{edition.slug}/inscription/lien/?email={EMAIL}").status_code == 200
    )
    bearer = f"Bearer {api_token}"
    listing = client.get(
        f"/api/v1/editions/{edition.slug}/registrations", HTTP_AUTHORIZATION=bearer
    )
    assert EMAIL in listing.content.decode()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"{bearer}x").status_code == 401
    other = client.get(
        f"/api/v1/editions/{cast.other_edition.slug}/registrations", HTTP_AUTHORIZATION=bearer
    )
    assert other.status_code == 403

    logged = "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    assert "Not Found: /inscription/[secret]/" in logged
    assert "Too Many Requests: /inscription/[secret]/annuler/" in logged
    for secret in (EMAIL, "dominique.journalisable", *NAME, api_token, *secrets):
        assert secret not in logged


def test_paths_lose_their_secrets_and_query_strings(cast):
    token = "0123456789abcdef0123456789abcdef:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg"

    assert mask_path(f"/inscription/{token}/annuler/") == "/inscription/[secret]/annuler/"
    assert mask_path(f"/inscription/{token}/billet.pdf") == "/inscription/[secret]/billet.pdf"
    assert mask_path("/invitation/ABCDEFGHJK/") == "/invitation/[secret]/"
    assert mask_path(f"/charte/recu/{token}/") == "/charte/recu/[secret]/"
    assert mask_path(f"/inconnu/{token}/") == "/inconnu/[secret]/"
    assert mask_path("/journees/lien/?email=x@example.org") == "/journees/lien/"
    assert mask_path("/api/v1/editions/journee-2026") == "/api/v1/editions/journee-2026"


def test_the_access_log_line_has_no_secret_query_string_or_referrer(cast):
    token = "0123456789abcdef0123456789abcdef:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg"
    config = SimpleNamespace(
        access_log_format=AccessLogger.FORMAT,
        errorlog="-",
        accesslog=None,
        loglevel="info",
        syslog=False,
        logconfig=None,
        logconfig_dict={},
        logconfig_json=None,
        capture_output=False,
        disable_redirect_access_to_syslog=False,
        user=None,
        group=None,
    )
    logger = AccessLogger.__new__(AccessLogger)
    logger.cfg = config
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/inscription/{token}/?email={EMAIL}",
        "PATH_INFO": f"/inscription/{token}/",
        "QUERY_STRING": f"email={EMAIL}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": f"https://journees.example.org/inscription/{token}/",
        "HTTP_USER_AGENT": "Navigateur",
        "HTTP_AUTHORIZATION": "Bearer ptce_secret",
    }
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    request = SimpleNamespace(headers=[("AUTHORIZATION", "Bearer ptce_secret")])

    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=12))
    line = AccessLogger.FORMAT % atoms

    assert line.endswith('"GET /inscription/[secret]/" 200 1234 12ms "Navigateur"')
    assert all(secret not in str(atoms) for secret in (token, EMAIL, "ptce_secret"))
