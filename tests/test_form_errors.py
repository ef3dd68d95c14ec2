"""Forms after an error, for everyone (issue 17, item 7): the page's title starts with
"Erreur :", the focus goes to the error summary, the honeypot field is hidden from assistive
technology, and an address must have a dotted domain (``jean@localhost`` is refused)."""

import datetime as dt
import json
import re
import time
import uuid
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import ApiToken
from common.addresses import require_dotted_domain, validate_address
from registrations.models import Registration
from tests.factories import CategoryFactory, EditionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
URL = "/journees/journee/inscription/"
NO_DOT = "Enter a complete email address, whose domain has a dot (name@example.org)."


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def edition(db):
    edition = EditionFactory(
        slug="journee",
        capacity=300,
        registration_opens_at=NOW - dt.timedelta(days=1),
        registration_closes_at=NOW + dt.timedelta(days=10),
    )
    CategoryFactory(edition=edition, name="Participant", slug="participant")
    return edition


def post(client, email, language="fr"):
    data = {
        "people": "1",
        "submission_key": str(uuid.uuid4()),
        "p0-first_name": "Camille",
        "p0-last_name": "Exemple",
        "p0-email": email,
        "p0-organisation": "Pôle Exemple",
        "p0-category": "participant",
        "p0-diet": "standard",
    }
    return client.post(URL, data, REMOTE_ADDR="192.0.2.1", HTTP_ACCEPT_LANGUAGE=language)


def title(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1]


@pytest.mark.parametrize(
    ("email", "refused"),
    [
        ("jean@localhost", True),
        ("jean@example.org", False),
        ("jean@sous.domaine.example.fr", False),
    ],
)
def test_an_address_needs_a_dotted_domain(email, refused):
    if refused:
        with translation.override("en"):
            with pytest.raises(ValidationError) as error:
                validate_address(email)
            assert error.value.messages == [NO_DOT]
    else:
        validate_address(email)


def test_an_address_django_refuses_is_left_to_its_own_message():
    # One message per fault: the field's own check says "Enter a valid email address."
    require_dotted_domain("pas-une-adresse")
    require_dotted_domain("a@b")


def test_the_form_refuses_localhost_with_one_clear_message(client, edition):
    response = post(client, "jean@localhost", language="en")

    body = response.content.decode()
    assert response.status_code == 400
    assert re.findall(r'id="id_p0-email_error"><li>(.*?)</li></ul>', body) == [NO_DOT]
    assert not Registration.objects.exists()


def test_after_an_error_the_title_says_so_and_the_summary_takes_the_focus(client, edition):
    response = post(client, "jean@localhost")

    assert title(response).startswith("Erreur :")
    summary = re.search(r'<section class="[^"]*error-summary"[^>]*>', response.content.decode())
    assert 'tabindex="-1"' in summary[0]
    assert "autofocus" in summary[0]


def test_without_an_error_the_title_is_the_pages_own(client, edition):
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr")

    assert not title(response).startswith("Erreur")
    assert "autofocus" not in response.content.decode()


def test_the_honeypot_is_hidden_from_assistive_technology(client, edition):
    body = client.get(URL).content.decode()

    wrapper = re.search(
        r'<div class="visually-hidden"[^>]*>\s*<div[^>]*>\s*<label for="id_website"', body
    )
    assert wrapper is not None
    assert 'aria-hidden="true"' in wrapper[0]


def test_the_api_refuses_localhost_too(client, cast):
    edition = cast.edition
    edition.registration_opens_at = NOW - dt.timedelta(days=1)
    edition.registration_closes_at = NOW + dt.timedelta(days=10)
    edition.save()
    CategoryFactory(edition=edition, slug="participant")
    body = {
        "first_name": "Jean",
        "last_name": "Exemple",
        "email": "jean@localhost",
        "category": "participant",
    }

    response = client.post(
        f"/api/v1/editions/{edition.slug}/registrations",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(cast.organiser)[1]}",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 422
    assert [(item["loc"][-1], item["msg"]) for item in response.json()["errors"]] == [
        ("email", NO_DOT)
    ]
    assert not Registration.objects.exists()
