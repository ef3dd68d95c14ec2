import asyncio
import email
import logging
import os
import socket
import threading
import time
from email import policy
from pathlib import Path
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone, translation

from accounts.enums import Role
from tests.factories import EditionFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.strength import ON_POSTGRESQL

PASSWORD = "correct horse battery staple"


# What each pass of `make test` runs (README, "Testing"). PostgreSQL, the production
# database, runs every test. SQLite, the embedded default that `make run` serves, runs again
# the tests that reach the test database through Django: the only ones whose result can
# depend on the database. Browser tests run there only when marked `embedded` (one journey);
# tests that touch no database (pure functions, and the process tests, which start `ptce`
# on a database of their own) run once. Decided here, from the folder and the fixtures, so
# that a new test lands in the right pass without anyone choosing.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)
TESTS = Path(__file__).parent


def reaches_the_database(item):
    return bool(item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(item.fixturenames))


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(TESTS / "browser"):
            item.add_marker(pytest.mark.browser)
        if reaches_the_database(item):
            item.add_marker(pytest.mark.database)
        again_on_sqlite = (
            item.get_closest_marker("database")
            and not item.get_closest_marker("browser")
            and not item.get_closest_marker("postgres_only")
        )
        if again_on_sqlite or item.get_closest_marker("embedded"):
            item.add_marker(pytest.mark.sqlite)


def pytest_runtest_setup(item):
    # The SQLite pass deselects these (-m sqlite); run by hand on SQLite, they fail loudly
    # rather than pass or fail for the wrong reason on the wrong database.
    if item.get_closest_marker("postgres_only") and not ON_POSTGRESQL:
        pytest.fail(
            "this test needs PostgreSQL: set DATABASE_URL, or deselect -m 'not postgres_only'"
        )


@pytest.fixture(scope="session", autouse=True)
def _session_settings(tmp_path_factory):
    """Settings of the whole run, in force before any fixture of a module or a test."""
    with override_settings(
        # Files stored during the run (the materials' uploads) go to a folder of the run,
        # never to the var dir of the checkout.
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        # The real hasher takes a good part of a second per user: the cast alone has seven.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # The manifest storage needs `collectstatic`; tests resolve static files from the
        # apps.
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        # Rate-limit counters (the only use of the cache) in memory, emptied for each test
        # (below): a query-count test counts the page's queries, not the counters'.
        # test_ratelimit.py tries the production stores, the database and Redis.
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    ):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    # A request in English leaves English active in the thread; the next test starts in
    # the site's language whatever ran before it.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def cast(db):
    """The fixed cast of the permission tests: one user per role, plus outsiders.

    ``org`` organises ``edition`` and ``edition_two``; ``other_org`` organises
    ``other_edition``. The agent is narrowed to ``edition``.
    """
    org = OrganisationFactory(name="Réseau Exemple")
    other_org = OrganisationFactory(name="Autre Réseau Exemple")
    edition = EditionFactory(title="Journée Exemple", organisers=[org])
    edition_two = EditionFactory(title="Journée Exemple bis", organisers=[org])
    other_edition = EditionFactory(title="Journée d'un autre réseau", organisers=[other_org])

    def member(username, role, organisation, edition=None):
        user = UserFactory(username=username)
        MembershipFactory(user=user, organisation=organisation, role=role, edition=edition)
        return user

    return SimpleNamespace(
        org=org,
        other_org=other_org,
        edition=edition,
        edition_two=edition_two,
        other_edition=other_edition,
        organiser=member("organisatrice", Role.ORGANISER, org),
        editor=member("redacteur", Role.EDITOR, org),
        agent=member("agent", Role.AGENT, org, edition),
        viewer=member("observatrice", Role.VIEWER, org),
        outsider=UserFactory(username="exterieur"),
        other_organiser=member("autre-organisatrice", Role.ORGANISER, other_org),
        superuser=UserFactory(username="admin", is_superuser=True, is_staff=True),
    )


class Mailbox:
    """What a real SMTP server (aiosmtpd, on loopback) received, parsed back.

    ``messages``: :class:`email.message.EmailMessage` objects (policy ``default``), in the
    order received; ``envelopes``: ``(sender, recipients)`` of each. Set ``refuse_with`` to
    an SMTP reply (``"451 4.3.0 Try again later"``) to refuse every message with it.
    ``stall_after = n``: once ``n`` messages were kept, answer no more "250" until
    :meth:`release` (the sender then waits, with its message kept but not acknowledged: the
    window in which a sender that dies sends the message again).
    """

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.url = f"smtp://{host}:{port}"
        self.messages = []
        self.envelopes = []
        self.refuse_with = None
        self.stall_after = None
        self._received = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_with:
            return self.refuse_with
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._received:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._received.notify_all()
        while self.stall_after is not None and len(self.messages) >= self.stall_after:
            await asyncio.sleep(0.01)
        return "250 Message accepted for delivery"

    def wait_for(self, count, timeout=60):
        """Waits until ``count`` messages arrived (AssertionError after ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        with self._received:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.messages)} message(s) arrived, not {count}"
                self._received.wait(left)
        return self.messages

    def release(self):
        self.stall_after = None

    def to(self, address):
        """The messages whose To header is ``address``."""
        return [message for message in self.messages if message["To"] == address]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (random port) that Django sends to; yields its
    :class:`Mailbox`. A subprocess reaches it with ``EMAIL_URL=<mailbox.url>``."""
    # aiosmtpd logs every command, addresses included, at INFO.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    mailbox = Mailbox("127.0.0.1", free_port())
    controller = Controller(mailbox, hostname=mailbox.host, port=mailbox.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = mailbox.host
    settings.EMAIL_PORT = mailbox.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield mailbox
    finally:
        controller.stop()


def deliver_outbox():
    """Sends every pending email that is due, oldest first, as the worker's task does.

    Returns what happened to each ("sent", "skipped", "retry", "failed"). A journey calls
    it (fixture ``send_outbox``) after a page wrote emails, then reads ``smtp_server``.
    """
    from outbox.enums import MessageStatus
    from outbox.models import Message
    from outbox.tasks import deliver_message

    pending = Message.objects.filter(
        status=MessageStatus.PENDING, next_attempt_at__lte=timezone.now()
    ).order_by("pk")
    return [deliver_message(pk) for pk in pending.values_list("pk", flat=True)]


@pytest.fixture
def send_outbox(db):
    return deliver_outbox


def pytest_report_header(config):
    return f"database: {os.environ.get('DATABASE_URL', 'SQLite (default)')}"
