"""Two `ptce serve` on one PostgreSQL database with one Redis, as two machines behind a proxy
would run (README, production): registrations and admissions split across both stay exact,
every email is sent once, the rate limits are shared, and the access logs keep no secret.

Each server runs its own web workers, task worker and scheduler. The test talks to them as
the proxy would: Host of the site, X-Forwarded-Proto https, X-Forwarded-For the client's.
"""

import http.client
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import redis
from django.conf import settings

from tests.conftest import free_port
from tests.test_serve import PTCE, _alive, _descendants, _env, _wait_until_healthy

pytestmark = [pytest.mark.postgres_only]

HOST = "journees.example.org"
SITE = f"https://{HOST}"
REDIS_DB = 13
CAPACITY = 6
PEOPLE = 3 * CAPACITY
SCANNED_ON_BOTH = 3

SEED = """
import datetime as dt, json
from django.utils import timezone
from accounts.enums import Role
from accounts.models import ApiToken, Membership, User
from admission.models import Entrance
from events.enums import EditionStatus
from events.models import Edition
from network.models import Organisation
from registrations.models import Category

now = timezone.now()
edition = Edition.objects.create(
    title="Deux serveurs", slug="deux-serveurs", summary="Test", date=timezone.localdate(),
    capacity=%(capacity)d, has_waiting_list=True, security_fields=[],
    registration_opens_at=now - dt.timedelta(hours=1),
    registration_closes_at=now + dt.timedelta(hours=1), status=EditionStatus.PUBLISHED,
)
Category.objects.create(edition=edition, name="Participant", slug="participant")
Entrance.objects.create(edition=edition, name="Entrée A", slug="a")
organisation = Organisation.objects.create(name="Réseau des deux serveurs", slug="deux")
edition.organisers.add(organisation)
agent = User.objects.create_user(username="agent-deux", password=None)
Membership.objects.create(user=agent, organisation=organisation, role=Role.AGENT)
print(json.dumps({"token": ApiToken.issue(agent)[1]}))
"""

TICKETS = """
import json
from admission import tickets
from registrations.models import Registration
confirmed = Registration.objects.filter(edition__slug="deux-serveurs").confirmed()
print(json.dumps([tickets.token_for(registration) for registration in confirmed]))
"""

OUTCOME = """
import json
from admission.models import CheckIn
from outbox.models import Message
from registrations.models import Registration
registrations = Registration.objects.filter(edition__slug="deux-serveurs")
print(json.dumps({
    "confirmed": sorted(registrations.confirmed().values_list("pk", flat=True)),
    "waiting": registrations.waiting().count(),
    "total": registrations.count(),
    "admitted": sorted(
        CheckIn.objects.filter(result="admitted").values_list("registration_id", flat=True)
    ),
    "unsent": Message.objects.exclude(status="sent").count(),
}))
"""


@pytest.fixture
def database_url():
    """A fresh database beside the test database, on the same PostgreSQL server."""
    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_two_servers"[:63]
    credentials = urllib.parse.quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        credentials += ":" + urllib.parse.quote(db["PASSWORD"])
    server = f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"

    def admin(statement):
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(statement)

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def site(database_url, smtp_server, tmp_path):
    redis.Redis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}").flushdb()
    env = _env(
        tmp_path,
        DATABASE_URL=database_url,
        REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        EMAIL_URL=smtp_server.url,
        SITE_URL=SITE,
        ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        SECRET_KEY="two-servers-" + "k" * 40,
        LOG_LEVEL="WARNING",
    )
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [PTCE, *command, "--verbosity=0"], env=env, check=True, capture_output=True, timeout=300
        )

    def shell(code):
        result = subprocess.run(
            [PTCE, "shell", "--no-imports", "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    token = shell(SEED % {"capacity": CAPACITY})["token"]
    servers, family = [], []
    try:
        for index in range(2):
            port = free_port()
            stdout, stderr = tmp_path / f"stdout{index}.log", tmp_path / f"stderr{index}.log"
            with stdout.open("w") as out, stderr.open("w") as err:
                process = subprocess.Popen(
                    [PTCE, "serve", "--workers=2", f"--port={port}"],
                    env=env,
                    stdout=out,
                    stderr=err,
                )
            servers.append((process, port, stdout, stderr))
        for process, port, _, stderr in servers:
            _wait_until_healthy(process, f"http://127.0.0.1:{port}", stderr)
            family += _descendants(process.pid)
        yield [port for _, port, _, _ in servers], token, shell, servers
    finally:
        for process, *_ in servers:
            if process.poll() is None:
                process.terminate()
        for process, *_ in servers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for pid in family:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def call(port, method, path, *, client, body=None, headers=None):
    """One request as our proxy passes it on: the site's Host, https, the client's address."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {
        "Host": HOST,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": f"198.51.100.{client}",
        **(headers or {}),
    }
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def post_form(port, path, fields, *, client):
    """GET the form's page, then POST ``fields`` with its CSRF cookie and token."""
    status, headers, page = call(port, "GET", path, client=client)
    assert status == 200, page[:500]
    cookies = "; ".join(value.split(";", 1)[0] for value in headers.get_all("Set-Cookie") or [])
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.decode()))
    return call(
        port,
        "POST",
        path,
        client=client,
        body=urllib.parse.urlencode({**hidden, **fields}).encode(),
        headers={
            "Cookie": cookies,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": SITE,
            "Referer": f"{SITE}{path}",
        },
    )


def register(port, n):
    person = {
        "first_name": "Camille",
        # Letters, not digits, in a name: "Deux AB" for person 1.
        "last_name": "Deux " + "".join("ABCDEFGHIJ"[int(digit)] for digit in f"{n:02d}"),
        "email": f"deux{n}@example.org",
        "organisation": "Association Exemple",
        "category": "participant",
        "diet": "standard",
    }
    fields = {"people": "1", **{f"p0-{name}": value for name, value in person.items()}}
    status, headers, body = post_form(
        port, "/journees/deux-serveurs/inscription/", fields, client=n
    )
    assert status == 302, body[:2000]
    return headers["Location"]


def scan(port, token, ticket, nonce):
    status, _, body = call(
        port,
        "POST",
        "/api/v1/editions/deux-serveurs/checkins",
        client=200,
        body=json.dumps({"ticket": ticket, "entrance": "a", "id_checked": True, "nonce": nonce}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert status == 200, body
    return json.loads(body)["result"]


def test_two_servers_share_seats_admissions_emails_and_limits(site, smtp_server):
    ports, token, shell, servers = site

    # Registrations, alternately on each server, from several clients at once.
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda n: register(ports[n % 2], n), range(PEOPLE)))
    # A few confirmation pages, on the other server: their addresses carry a secret.
    for n, location in enumerate(results[:3]):
        assert call(ports[(n + 1) % 2], "GET", location, client=n)[0] == 200

    # Admissions through the check-in API, split across both; some tickets on both at once.
    tickets = shell(TICKETS)
    assert len(tickets) == CAPACITY
    verdicts = []
    for index, ticket in enumerate(tickets[SCANNED_ON_BOTH:]):
        verdicts.append(scan(ports[index % 2], token, ticket, f"once-{index}"))
    for index, ticket in enumerate(tickets[:SCANNED_ON_BOTH]):
        barrier = threading.Barrier(2)

        def both(port, ticket=ticket, index=index, barrier=barrier):
            barrier.wait()
            return scan(port, token, ticket, f"both-{index}-{port}")

        with ThreadPoolExecutor(max_workers=2) as pool:
            verdicts += sorted(pool.map(both, ports))

    # Every email once: one per registration, by Message-ID, once both outboxes drained.
    messages = smtp_server.wait_for(PEOPLE, timeout=120)
    deadline = time.monotonic() + 60
    while (outcome := shell(OUTCOME))["unsent"] and time.monotonic() < deadline:
        time.sleep(1)
    received = list(smtp_server.messages)

    # The lost-link form's limit (5 an hour per address) holds across both servers.
    lost = [
        post_form(
            ports[n % 2],
            "/journees/deux-serveurs/inscription/lien/",
            {"email": "deux0@example.org"},
            client=250,
        )[0]
        for n in range(6)
    ]

    assert outcome["total"] == PEOPLE
    assert len(outcome["confirmed"]) == CAPACITY
    assert outcome["waiting"] == PEOPLE - CAPACITY
    assert outcome["admitted"] == outcome["confirmed"]
    assert (
        verdicts
        == ["admitted"] * (CAPACITY - SCANNED_ON_BOTH)
        + [
            "admitted",
            "already_admitted",
        ]
        * SCANNED_ON_BOTH
    )
    assert outcome["unsent"] == 0
    assert len(messages) >= PEOPLE
    assert len(received) == PEOPLE
    assert len({message["Message-ID"] for message in received}) == PEOPLE
    assert sorted(message["To"] for message in received) == sorted(
        f"deux{n}@example.org" for n in range(PEOPLE)
    )
    assert lost == [200] * 5 + [429]
    # Both served requests; neither access log names a secret of the confirmation pages.
    logs = [stdout.read_text() for _, _, stdout, _ in servers]
    assert all('"POST /journees/deux-serveurs/inscription/" 302' in log for log in logs)
    assert "/inscription/confirmation/[secret]/" in "".join(logs)
    for location in results:
        assert location.rstrip("/").rsplit("/", 1)[1] not in "".join(logs)
