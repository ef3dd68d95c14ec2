"""Error reports to Sentry (SENTRY_DSN) carry no personal data: a real HTTP server on loopback
stands in for Sentry and receives what the SDK sends."""

import datetime as dt
import gzip
import os
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sentry_sdk
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from werkzeug.test import Client as WsgiClient

from ptce import sentry
from registrations import attendees
from tests.factories import CategoryFactory

PTCE = str(Path(sys.executable).with_name("ptce"))
FIRST, LAST = "Gwenaëlle", "Rapportable"
EMAIL = "gwenaelle.rapportable@example.org"
SIGNED = "0123456789abcdef0123456789abcdef:AbCdEfGhIjKlMnOpQrStUvWxYz0123456"
SESSION = "sessiondecookiesecrete"
CSRF_SECRET = "c" * 32


class FakeSentry(ThreadingHTTPServer):
    """Keeps the body of every envelope posted to it, decompressed."""

    def __init__(self):
        self.envelopes = []
        self.received = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(handler):
                body = handler.rfile.read(int(handler.headers["Content-Length"]))
                if handler.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                self.envelopes.append(body.decode("utf-8", "replace"))
                self.received.set()
                handler.send_response(200)
                handler.end_headers()
                handler.wfile.write(b"{}")

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def _connection_kept():
    """The WSGI application closes the database connection after each request, which would
    end the test's transaction: kept open, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fake_sentry():
    server = FakeSentry()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sentry.init(f"http://key@127.0.0.1:{server.server_port}/1", environment="test")
    try:
        yield server
    finally:
        sentry_sdk.get_client().close()
        # A client without a DSN: the Django integration, installed for good in this
        # process, does nothing for the tests that follow.
        sentry_sdk.init()
        server.shutdown()
        server.server_close()


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


@pytest.mark.usefixtures("_connection_kept")
def test_an_error_report_carries_no_personal_data(edition, fake_sentry, monkeypatch):
    def failing_book(edition, people, **kwargs):
        # The exception's message names the person: the email goes, and so do the locals.
        raise RuntimeError(f"booking failed for {people[0]['email']} with {SIGNED}")

    monkeypatch.setattr(attendees, "book", failing_book)
    # Through the WSGI application, as under gunicorn (Django's test client skips the WSGI
    # layer, where the SDK reads the request's address).
    client = WsgiClient(get_wsgi_application())
    client.set_cookie("sessionid", SESSION)
    client.set_cookie("csrftoken", CSRF_SECRET)
    person = {
        "first_name": FIRST,
        "last_name": LAST,
        "email": EMAIL,
        "organisation": "Pôle Rapportable",
        "category": "participant",
        "diet": "standard",
    }
    data = {
        "people": "1",
        "submission_key": str(uuid.uuid4()),
        "csrfmiddlewaretoken": CSRF_SECRET,
        **{f"p0-{name}": value for name, value in person.items()},
    }

    response = client.post(
        f"/journees/{edition.slug}/inscription/?email={EMAIL}&code=CODESECRET",
        data=data,
        headers={
            "Authorization": f"Bearer ptce_{'x' * 40}",
            "Referer": f"https://journees.example.org/inscription/{SIGNED}/",
            "X-Forwarded-For": "198.51.100.7",
        },
        environ_base={"REMOTE_ADDR": "198.51.100.8"},
    )
    sentry_sdk.flush(timeout=10)

    assert response.status_code == 500
    response.close()
    assert fake_sentry.received.wait(10)
    sent = "\n".join(fake_sentry.envelopes)
    assert "RuntimeError" in sent
    assert '"environment":"test"' in sent.replace(" ", "")
    assert "booking failed for [Filtered] with [Filtered]" in sent
    assert f"/journees/{edition.slug}/inscription/" in sent
    assert '"method":"POST"' in sent.replace(" ", "")
    for secret in (
        EMAIL,
        "gwenaelle",
        FIRST,
        LAST,
        "Rapportable",
        SIGNED.split(":")[1],
        "CODESECRET",
        SESSION,
        "x" * 40,
        "198.51.100.7",
        "198.51.100.8",
    ):
        assert secret not in sent


def test_the_settings_start_reporting_only_with_a_dsn(tmp_path):
    probe = (
        "import sentry_sdk; client = sentry_sdk.get_client(); "
        "print(client.is_active(), client.options.get('environment'), "
        "client.options.get('send_default_pii'), client.options.get('traces_sample_rate'))"
    )
    env = {**os.environ, "PTCE_VAR_DIR": str(tmp_path)}
    env.pop("SENTRY_DSN", None)

    def run(**changes):
        result = subprocess.run(
            [PTCE, "shell", "--no-imports", "-c", probe],
            env={**env, **changes},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert run()[0] == "False"
    assert run(SENTRY_DSN="http://key@127.0.0.1:9/1", SENTRY_ENVIRONMENT="recette") == [
        "True",
        "recette",
        "False",
        "0.0",
    ]
