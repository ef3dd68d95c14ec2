"""Rate limits: every rate read from settings.PTCE_RATES, the manage link's changes, and the
API's throttles (per address, per token, the door devices' own, failed tokens counted).

The login, registration, lost-link and charter limits have their tests beside their forms
(test_ratelimit.py, test_registration_form.py, test_manage_link.py, test_charter_*.py).
"""

import datetime as dt
import json
import re
import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.models import ApiToken
from registrations import capacity
from registrations.enums import RegistrationStatus
from registrations.links import manage_path
from tests.factories import CategoryFactory, EditionFactory, EntranceFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
EDITIONS = "/api/v1/editions"


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    # Counted per window of the rate's period on the wall clock: held still, so that every
    # request of a test falls in one window.
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def rates(settings):
    """Set some rates for one test: ``rates(api_anonymous="2/m")``."""

    def set_rates(**changed):
        settings.PTCE_RATES = {**settings.PTCE_RATES, **changed}

    return set_rates


def test_every_rate_is_a_count_per_period():
    for name, rate in django_settings.PTCE_RATES.items():
        assert re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", rate), name


# The manage link ---------------------------------------------------------------------------


@pytest.fixture
def edition(db):
    return EditionFactory(
        slug="journee",
        capacity=10,
        registration_opens_at=NOW - dt.timedelta(days=5),
        registration_closes_at=NOW + dt.timedelta(days=10),
        security_list_final_deadline=NOW + dt.timedelta(days=5),
    )


@pytest.fixture
def registration(edition):
    category = CategoryFactory(edition=edition, name="Participant", slug="participant")
    return capacity.register(
        edition,
        category=category,
        first_name="Camille",
        last_name="Exemple",
        email="camille@example.org",
        now=NOW - dt.timedelta(days=1),
    )


def test_changes_through_a_manage_link_are_rate_limited_per_address(client, registration, rates):
    rates(manage="1/h")
    path = manage_path(registration)

    reconfirmed = client.post(f"{path}je-viens/", REMOTE_ADDR="192.0.2.1")
    cancelled = client.post(f"{path}annuler/", REMOTE_ADDR="192.0.2.1")
    details = client.post(path, {"first_name": "Dominique"}, REMOTE_ADDR="192.0.2.1")
    shown = client.get(path, REMOTE_ADDR="192.0.2.1")
    elsewhere = client.post(f"{path}annuler/", REMOTE_ADDR="192.0.2.2")

    assert reconfirmed.status_code == 302
    assert (cancelled.status_code, details.status_code) == (429, 429)
    assert cancelled.templates[0].name == "429.html"
    assert shown.status_code == 200
    assert elsewhere.status_code == 302
    registration.refresh_from_db()
    assert registration.first_name == "Camille"
    assert registration.status == RegistrationStatus.CANCELLED


def test_the_429_page_is_in_the_visitors_language(client, registration, rates):
    rates(manage="1/h")
    path = f"{manage_path(registration)}annuler/"
    assert client.post(path).status_code == 302

    french = client.post(path)
    english = client.post(path, HTTP_ACCEPT_LANGUAGE="en")

    assert french.status_code == english.status_code == 429
    assert "<h1>Trop de requêtes</h1>" in french.content.decode()
    assert '<html lang="fr">' in french.content.decode()
    assert "<h1>Too many requests</h1>" in english.content.decode()
    assert '<html lang="en">' in english.content.decode()


# The API -----------------------------------------------------------------------------------


def get(client, path, *, token=None, ip="192.0.2.1", **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get(path, REMOTE_ADDR=ip, **headers)


def assert_throttled(response, language="fr"):
    assert response.status_code == 429
    message = {
        "fr": "Trop de requêtes. Patientez une minute, puis réessayez.",
        "en": "Too many requests. Wait a minute, then try again.",
    }[language]
    assert json.loads(response.content) == {"code": "rate_limited", "message": message}
    assert 1 <= int(response["Retry-After"]) <= 60


def test_anonymous_api_calls_are_throttled_per_address(client, rates):
    rates(api_anonymous="2/m")

    allowed = [get(client, EDITIONS).status_code for _ in range(2)]
    refused = get(client, EDITIONS)
    in_english = get(client, EDITIONS, HTTP_ACCEPT_LANGUAGE="en")
    other_address = get(client, EDITIONS, ip="192.0.2.2")

    assert allowed == [200, 200]
    assert_throttled(refused)
    assert_throttled(in_english, "en")
    assert other_address.status_code == 200


def test_token_calls_are_throttled_per_token_not_per_address(client, cast, rates):
    rates(api_anonymous="1/m", api_token="2/m")
    _, first = ApiToken.issue(cast.organiser)
    _, second = ApiToken.issue(cast.organiser)

    allowed = [get(client, "/api/v1/me", token=first).status_code for _ in range(2)]
    refused = get(client, "/api/v1/me", token=first, ip="192.0.2.9")
    other_token = get(client, "/api/v1/me", token=second)

    # Two calls from one address passed the anonymous limit of one: tokens have their own.
    assert allowed == [200, 200]
    assert_throttled(refused)
    assert other_token.status_code == 200


def test_wrong_tokens_count_against_the_address(client, cast, rates):
    rates(api_anonymous="2/m")
    _, valid = ApiToken.issue(cast.organiser)

    guesses = [get(client, "/api/v1/me", token=f"ptce_guess{n}").status_code for n in range(2)]
    refused = get(client, "/api/v1/me", token="ptce_guess3")
    anonymous = get(client, EDITIONS)
    with_a_valid_token = get(client, "/api/v1/me", token=valid)

    assert guesses == [401, 401]
    assert_throttled(refused)
    assert_throttled(anonymous)
    assert with_a_valid_token.status_code == 200


def test_door_devices_have_their_own_higher_limit(client, cast, rates):
    edition = cast.edition
    edition.date = timezone.localdate()
    edition.save()
    EntranceFactory(edition=edition, slug="a")
    rates(api_token="1/m", api_checkin="3/m")
    _, token = ApiToken.issue(cast.agent)

    def scan(n):
        return client.post(
            f"/api/v1/editions/{edition.slug}/checkins",
            data=json.dumps(
                {"ticket": f"garbage-{n}", "entrance": "a", "id_checked": True, "nonce": f"n{n}"}
            ),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    scans = [scan(n).status_code for n in range(3)]
    refused = scan(3)
    other_endpoint = get(client, "/api/v1/me", token=token)

    assert scans == [200, 200, 200]
    assert_throttled(refused)
    assert other_endpoint.status_code == 200


def test_behind_the_proxy_the_address_is_the_one_it_saw(client, rates, settings):
    settings.HTTPS = True
    rates(api_anonymous="1/m")

    def call(forwarded_for):
        return get(client, EDITIONS, ip="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)

    first = call("198.51.100.1")
    # A client cannot choose its address by sending its own X-Forwarded-For: the proxy
    # appends the address it saw, and that last one is counted.
    spoofed = call("203.0.113.50, 198.51.100.1")
    another = call("198.51.100.2")

    assert first.status_code == 200
    assert_throttled(spoofed)
    assert another.status_code == 200
