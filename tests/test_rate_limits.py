"""Rate limits: every rate read from settings.PTCE_RATES (and from PTCE_RATE_<NAME>), the
real wait said and sent as Retry-After, the forms shown again with what was typed, only the
registrations sent counted against their limit, the manage link's changes, and the API's
throttles (per address, per token, the door devices' own, failed tokens counted).

The login, lost-link and charter limits also have tests beside their forms (test_ratelimit.py,
test_registration_form.py, test_manage_link.py, test_charter_*.py).
"""

import datetime as dt
import json
import os
import re
import string
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.conf import settings as django_settings
from django.utils import timezone, translation
from ninja.errors import Throttled

from accounts.models import ApiToken
from common.errors import too_many_attempts, too_many_requests, wait_in_words
from ptce.api import api
from registrations import capacity
from registrations.enums import RegistrationStatus
from registrations.links import manage_path
from registrations.models import Registration
from tests.factories import CategoryFactory, EditionFactory, EntranceFactory, InvitationFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
EDITIONS = "/api/v1/editions"
REGISTER = "/journees/journee/inscription/"
CHECKOUT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """django-ratelimit's clock, held still so that every request of a test falls in one
    window of the rate's period; a test moves it on with ``clock.now``."""
    clock = SimpleNamespace(now=time.time())
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: clock.now))
    return clock


@pytest.fixture
def rates(settings):
    """Set some rates for one test: ``rates(api_anonymous="2/m")``."""

    def set_rates(**changed):
        settings.PTCE_RATES = {**settings.PTCE_RATES, **changed}

    return set_rates


def test_every_rate_is_a_count_per_period():
    for name, rate in django_settings.PTCE_RATES.items():
        assert re.fullmatch(r"[1-9][0-9]*/[smhd]", rate), name


# Every rate from the environment ----------------------------------------------------------


def import_settings(tmp_path, **variables):
    """Import the settings in a new process with ``variables`` in its environment (and no
    other PTCE_RATE_*): its rates printed as JSON, or its error."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PTCE_RATE_")}
    env |= {"DJANGO_SETTINGS_MODULE": "ptce.settings", "PTCE_VAR_DIR": str(tmp_path), **variables}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from ptce import settings; print(json.dumps(settings.PTCE_RATES))",
        ],
        cwd=CHECKOUT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_each_rate_is_read_from_its_environment_variable(tmp_path):
    result = import_settings(
        tmp_path, PTCE_RATE_API_TOKEN="6000/m", PTCE_RATE_REGISTRATION=" 40/h "
    )

    assert result.returncode == 0, result.stderr
    rates = json.loads(result.stdout)
    assert rates == {
        **django_settings.PTCE_RATES,
        "api_token": "6000/m",
        "registration": "40/h",
    }


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PTCE_RATE_API_TOKEN", "lots"),
        ("PTCE_RATE_API_TOKEN", "0/m"),
        ("PTCE_RATE_API_TOKEN", "600/minute"),
        ("PTCE_RATE_API_TOKEN", "600/5m"),
        ("PTCE_RATE_NOPE", "1/m"),
        ("PTCE_RATE_api_token", "1/m"),
    ],
)
def test_a_malformed_rate_or_an_unknown_name_stops_startup(tmp_path, variable, value):
    result = import_settings(tmp_path, **{variable: value})

    assert result.returncode == 1
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert variable in error
    assert "N/s, N/m, N/h or N/d" in error


# Saying the real wait -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "1 second"),
        (42, "42 seconds"),
        (59, "59 seconds"),
        (60, "1 minute"),
        (61, "2 minutes"),
        (2520, "42 minutes"),
        (3599, "1 hour"),
        (3600, "1 hour"),
        (3601, "1 hour and 1 minute"),
        (5400, "1 hour and 30 minutes"),
        (7200, "2 hours"),
        (86400, "24 hours"),
    ],
)
def test_a_wait_is_said_in_seconds_minutes_rounded_up_or_hours(seconds, words):
    with translation.override("en"):
        assert wait_in_words(seconds) == words


@pytest.mark.parametrize(
    ("wait", "retry_after", "message"),
    [
        (90.2, "91", "Too many requests. Try again in 2 minutes."),
        (None, None, "Too many requests. Try again later."),
    ],
)
def test_the_api_says_the_wait_of_a_throttle(rf, wait, retry_after, message):
    with translation.override("en"):
        response = api.on_exception(rf.get(EDITIONS), Throttled(wait=wait))

    assert response.status_code == 429
    assert json.loads(response.content) == {"code": "rate_limited", "message": message}
    assert response.get("Retry-After") == retry_after


# Pages and forms -----------------------------------------------------------------------------


def page(response):
    return response.content.decode()


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
def category(edition):
    return CategoryFactory(edition=edition, name="Participant", slug="participant")


@pytest.fixture
def registration(edition, category):
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


def test_the_429_page_says_the_real_wait_and_sends_it_as_retry_after(
    client, registration, rates, clock
):
    rates(manage="1/h")
    path = f"{manage_path(registration)}je-viens/"
    assert client.post(path).status_code == 302

    refused = client.post(path, HTTP_ACCEPT_LANGUAGE="en")
    wait = int(refused["Retry-After"])
    # The first second of the next window; then 42 minutes before it, in the same window.
    next_window = int(clock.now) + wait
    clock.now = next_window - 42 * 60
    later = client.post(path, HTTP_ACCEPT_LANGUAGE="en")
    clock.now = next_window - 1
    last_second = client.post(path, HTTP_ACCEPT_LANGUAGE="en")
    clock.now = next_window
    next_one = client.post(path)

    assert refused.status_code == 429
    assert 1 <= wait <= 3600
    # The words in the page's language, whichever language the last request left active.
    with translation.override("en"):
        words = wait_in_words(wait)
    said = f"<p>Too many attempts from your connection. Try again in {words}.</p>"
    assert said in page(refused)
    assert (later.status_code, later["Retry-After"]) == (429, "2520")
    assert "<p>Too many attempts from your connection. Try again in 42 minutes.</p>" in page(later)
    assert (last_second.status_code, last_second["Retry-After"]) == (429, "1")
    assert "Try again in 1 second." in page(last_second)
    assert next_one.status_code == 302


def test_a_limit_per_username_does_not_blame_the_connection(client, cast, rates):
    rates(login_username="1/m")

    def log_in(ip, **headers):
        credentials = {"username": "organisatrice", "password": "pas le bon"}
        return client.post("/connexion/", credentials, REMOTE_ADDR=ip, **headers)

    assert log_in("192.0.2.1").status_code == 200
    refused = log_in("192.0.2.2", HTTP_ACCEPT_LANGUAGE="en")

    wait = int(refused["Retry-After"])
    assert refused.status_code == 429
    assert 1 <= wait <= 60
    with translation.override("en"):
        words = wait_in_words(wait)
    assert f"<p>Too many attempts. Try again in {words}.</p>" in page(refused)


# Registering: only what is sent counts, and a refused form keeps what was typed -----------

FIRST_NAMES = ["Léa", "Zoë", "Ana", "Béa", "Cléo", "Dara", "Élise", "Fumi", "Gaëlle", "Hugo"]


def person(n, **fields):
    letter = string.ascii_uppercase[n]
    values = {
        "first_name": FIRST_NAMES[n],
        "last_name": f"Exemple {letter}",
        "email": f"person{n}@example.org",
        "organisation": "Réseau Exemple",
        "job_title": f"Fonction {letter}",
        "category": "participant",
        "diet": "standard",
    } | fields
    return {f"p{n}-{name}": value for name, value in values.items()}


def group(*people):
    data = {"people": str(len(people)), "submission_key": str(uuid.uuid4())}
    for fields in people:
        data |= fields
    return data


def register(client, data, **headers):
    return client.post(REGISTER, data, REMOTE_ADDR="192.0.2.1", **headers)


def refusal(response):
    """The wait a 429 sends, and the message that says it (in English)."""
    wait = int(response["Retry-After"])
    with translation.override("en"):
        return wait, too_many_attempts(wait, per_address=True)


INVALID = person(0, email="pas-une-adresse")


def test_failed_submissions_do_not_count_against_the_registration_limit(client, category, rates):
    rates(registration="2/h")

    failed = [register(client, group(INVALID)).status_code for _ in range(3)]
    sent = [
        register(client, group(person(0, email=f"p{n}@example.org"))).status_code for n in (1, 2)
    ]
    beyond = register(client, group(person(0, email="p3@example.org")))

    assert failed == [400, 400, 400]
    assert sent == [302, 302]
    assert beyond.status_code == 429
    assert Registration.objects.count() == 2


def test_failed_submissions_count_against_their_own_larger_limit(client, category, rates):
    rates(registration_invalid="2/h")

    failed = [register(client, group(INVALID)).status_code for _ in range(2)]
    beyond = register(client, group(INVALID), HTTP_ACCEPT_LANGUAGE="en")
    # Beyond either limit, nothing is validated until the window ends.
    valid_then = register(client, group(person(0)))

    text = page(beyond)
    wait, message = refusal(beyond)
    assert failed == [400, 400]
    assert beyond.status_code == 429
    assert 1 <= wait <= 3600
    with translation.override("en"):
        words = wait_in_words(wait)
    assert message == f"Too many attempts from your connection. Try again in {words}."
    assert message in text
    # The form again, with what was typed and its errors.
    assert 'name="p0-email" value="pas-une-adresse"' in text
    assert "Enter a valid email address." in text
    assert valid_then.status_code == 429
    assert Registration.objects.count() == 0


def test_a_refused_registration_form_comes_back_with_every_person_typed(client, category, rates):
    rates(registration="1/h")
    assert register(client, group(person(0))).status_code == 302
    data = group(*(person(n, email=f"other{n}@example.org") for n in range(10)))

    response = register(client, data, HTTP_ACCEPT_LANGUAGE="en")

    text = page(response)
    wait, message = refusal(response)
    assert response.status_code == 429
    assert 1 <= wait <= 3600
    assert response.templates[0].name == "registrations/register.html"
    assert f'<li><a href="#registration-form">{message}</a></li>' in text
    assert 'name="people" value="10"' in text
    assert f'value="{data["submission_key"]}"' in text
    for n in range(10):
        for name in ("first_name", "last_name", "email", "organisation", "job_title"):
            assert f'name="p{n}-{name}" value="{data[f"p{n}-{name}"]}"' in text
        assert f'name="p{n}-category" id="id_p{n}-category_0" value="participant" checked' in text
    assert "errorlist" not in text.replace('class="errorlist nonfield"', "")
    assert Registration.objects.count() == 1


def test_personal_invitations_share_the_registration_limit(client, edition, category, rates):
    rates(registration="1/h")
    invited = InvitationFactory(edition=edition, email="invitee@example.org")
    path = f"/invitation/{invited.code}/"
    guest = {
        "p0-first_name": "Ada",
        "p0-last_name": "Lovelace",
        "p0-email": "invitee@example.org",
        "p0-organisation": "Société Analytique",
        "p0-diet": "standard",
    }

    def accept(data, **headers):
        return client.post(path, data, REMOTE_ADDR="192.0.2.1", **headers)

    failed = [accept(guest | {"p0-first_name": ""}).status_code for _ in range(2)]
    sent = register(client, group(person(0)))
    refused = accept(guest, HTTP_ACCEPT_LANGUAGE="en")

    text = page(refused)
    wait, message = refusal(refused)
    assert failed == [400, 400]
    assert sent.status_code == 302
    assert refused.status_code == 429
    assert 1 <= wait <= 3600
    assert message in text
    assert 'name="p0-first_name" value="Ada"' in text
    assert 'name="p0-organisation" value="Société Analytique"' in text
    assert not Registration.objects.filter(invitation=invited).exists()


def test_a_refused_lost_link_form_keeps_the_address_typed(client, edition, rates):
    rates(lost_link="1/h")
    path = "/journees/journee/inscription/lien/"
    assert client.post(path, {"email": "camille@example.org"}).status_code == 200

    refused = client.post(path, {"email": "zoe@example.org"}, HTTP_ACCEPT_LANGUAGE="en")

    wait, message = refusal(refused)
    assert refused.status_code == 429
    assert 1 <= wait <= 3600
    assert f'<ul class="errorlist"><li>{message}</li></ul>' in page(refused)
    assert 'name="email" value="zoe@example.org"' in page(refused)


# The API -----------------------------------------------------------------------------------


def get(client, path, *, token=None, ip="192.0.2.1", **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get(path, REMOTE_ADDR=ip, **headers)


def assert_throttled(response, language="fr"):
    """A JSON 429 saying the wait of a one-minute window, sent in Retry-After too."""
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 60
    with translation.override(language):
        message = too_many_requests(wait)
    assert json.loads(response.content) == {"code": "rate_limited", "message": message}


def test_the_api_says_the_real_wait_and_sends_it_as_retry_after(client, rates, clock):
    rates(api_anonymous="1/m")
    assert get(client, EDITIONS).status_code == 200

    refused = get(client, EDITIONS, HTTP_ACCEPT_LANGUAGE="en")
    next_window = int(clock.now) + int(refused["Retry-After"])
    clock.now = next_window - 42
    later = get(client, EDITIONS, HTTP_ACCEPT_LANGUAGE="en")
    clock.now = next_window
    next_one = get(client, EDITIONS)

    assert_throttled(refused, "en")
    assert later["Retry-After"] == "42"
    assert json.loads(later.content) == {
        "code": "rate_limited",
        "message": "Too many requests. Try again in 42 seconds.",
    }
    assert next_one.status_code == 200


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
