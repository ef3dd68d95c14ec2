"""Login attempts are rate limited, with the database cache (default) and with Redis."""

import os
import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.management import call_command

from tests.conftest import PASSWORD

LOGIN_URL = "/connexion/"
PER_IP = int(settings.PTCE_RATES["login_ip"].split("/")[0])
PER_USERNAME = int(settings.PTCE_RATES["login_username"].split("/")[0])


# A Redis database for each test process (pytest-xdist's gw0, gw1…: 12, 11…; 15 without
# xdist; test_two_servers.py takes 13): emptying the cache empties the whole database, which
# must not wipe the other process's counts in the middle of its test.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
REDIS_DB = 12 - int(WORKER.removeprefix("gw")) if WORKER else 15
CACHES = {
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ptce_cache",
    },
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:6379/{REDIS_DB}",
    },
}


@pytest.fixture(params=["database", "redis"])
def rate_limit_cache(request, settings, db):
    """The embedded default (the database) or Redis, empty, whatever the environment says."""
    settings.CACHES = {"default": CACHES[request.param]}
    if request.param == "database":
        call_command("createcachetable", verbosity=0)
    cache.clear()
    backend = type(caches["default"]).__name__
    assert backend == {"database": "DatabaseCache", "redis": "RedisCache"}[request.param]
    return request.param


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    # django-ratelimit counts per window of the rate's period, on the wall clock: a test that
    # happened to straddle the end of a window would see its count restart. Its clock is
    # held still so that every attempt of a test falls in one window.
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


WRONG_PASSWORD = "pas le bon"


def attempt(client, username, password=WRONG_PASSWORD, ip="192.0.2.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.usefixtures("rate_limit_cache")
def test_too_many_attempts_from_one_address_answer_429(client, cast):
    statuses = [attempt(client, f"inconnu{n}").status_code for n in range(PER_IP)]
    assert statuses == [200] * PER_IP
    response = attempt(client, "organisatrice", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not held back.
    assert attempt(client, "organisatrice", PASSWORD, ip="192.0.2.2").status_code == 302


@pytest.mark.usefixtures("rate_limit_cache")
def test_too_many_attempts_on_one_username_answer_429_even_from_many_addresses(client, cast):
    statuses = [
        attempt(client, "organisatrice", ip=f"198.51.100.{n}").status_code
        for n in range(PER_USERNAME)
    ]
    assert statuses == [200] * PER_USERNAME
    # Not even the right password gets through now, nor the same name in capitals.
    assert attempt(client, "organisatrice", PASSWORD, ip="203.0.113.1").status_code == 429
    assert attempt(client, " ORGANISATRICE", ip="203.0.113.2").status_code == 429
    # Other users may still log in.
    assert attempt(client, "redacteur", PASSWORD, ip="203.0.113.3").status_code == 302


@pytest.mark.usefixtures("rate_limit_cache")
def test_showing_the_login_page_is_not_counted(client, db):
    for _ in range(PER_IP + 1):
        assert client.get(LOGIN_URL, REMOTE_ADDR="192.0.2.9").status_code == 200
    assert attempt(client, "inconnu", ip="192.0.2.9").status_code == 200


@pytest.mark.usefixtures("rate_limit_cache")
def test_rate_limited_answer_is_the_429_page(client, db):
    for n in range(PER_IP):
        attempt(client, f"inconnu{n}", ip="192.0.2.7")
    response = attempt(client, "inconnu", ip="192.0.2.7")
    assert response.status_code == 429
    assert response.templates[0].name == "429.html"
