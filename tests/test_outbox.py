"""The email outbox: records written with their cause, sent by the worker to a real SMTP
server, retried with back-off, given back by the sweep after a worker died."""

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone, translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from outbox.enums import MessageStatus
from outbox.models import Message
from outbox.services import NotResendable, builder, enqueue, resend
from outbox.tasks import BACKOFF, MAX_ATTEMPTS, deliver_message, sweep_stale
from ptce.scheduler import load_jobs
from registrations.capacity import register
from tests.auth import log_in
from tests.factories import CategoryFactory, EditionFactory
from tests.test_health import run_worker

PTCE = str(Path(sys.executable).with_name("ptce"))
DELIVER = "outbox.tasks.deliver"
PENDING, SENDING, SENT = MessageStatus.PENDING, MessageStatus.SENDING, MessageStatus.SENT
FAILED, SKIPPED = MessageStatus.FAILED, MessageStatus.SKIPPED


@builder("tests.note")
def build_note(message):
    """A test message: its subject and body come from the context."""
    if message.context.get("gone"):
        return None
    if message.context.get("broken"):
        raise KeyError("Zoé Exemple")
    return EmailMultiAlternatives(subject=message.context["subject"], body="Corps du message.")


def note(to="camille@example.org", subject="Bonjour", **kwargs):
    with transaction.atomic():
        return enqueue("tests.note", to=to, context={"subject": subject}, **kwargs)


def deliver_tasks():
    return DBTaskResult.objects.filter(task_path=DELIVER).order_by("enqueued_at")


class Abandoned(Exception):
    """The request failed after its change: the transaction rolls back."""


def register_then_fail(edition, category, email):
    with transaction.atomic():
        register(edition, category=category, first_name="Annulée", last_name="Exemple", email=email)
        raise Abandoned


def make_due(message):
    """Moves the message's next attempt to now: the back-off has elapsed."""
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


# Writing ------------------------------------------------------------------------------------


def test_enqueue_refuses_to_run_outside_a_transaction(transactional_db):
    with pytest.raises(TransactionManagementError, match=r"inside transaction\.atomic"):
        enqueue("tests.note", to="camille@example.org", context={"subject": "x"})

    assert Message.objects.count() == 0
    assert deliver_tasks().count() == 0


def test_enqueue_writes_a_pending_record_and_its_delivery_task(db):
    edition = EditionFactory()

    message = note(object_id=42, edition=edition, language="en")

    message.refresh_from_db()
    assert message.status == PENDING
    assert message.kind == "tests.note"
    assert message.recipient == "camille@example.org"
    assert message.object_id == 42
    assert message.edition == edition
    assert message.language == "en"
    assert message.attempts == 0
    assert message.message_id.startswith("<")
    assert message.message_id.endswith("@127.0.0.1>")
    (task,) = deliver_tasks()
    assert task.args_kwargs == {"args": [message.pk], "kwargs": {}}
    assert task.status == TaskResultStatus.READY


def test_a_rolled_back_transaction_leaves_neither_record_nor_task(db):
    def write_then_fail():
        with transaction.atomic():
            enqueue("tests.note", to="camille@example.org", context={"subject": "x"})
            raise Abandoned

    with pytest.raises(Abandoned):
        write_then_fail()

    assert Message.objects.count() == 0
    assert deliver_tasks().count() == 0


def test_enqueue_with_a_taken_dedupe_key_returns_the_first_record(db):
    first = note(dedupe_key="reminder:7")

    with transaction.atomic():
        again = enqueue("tests.note", to="autre@example.org", dedupe_key="reminder:7")
        # The caller's transaction goes on after the key was found taken.
        other = enqueue("tests.note", to="autre@example.org", context={"subject": "y"})

    assert again == first
    assert Message.objects.count() == 2
    assert sorted(task.args_kwargs["args"][0] for task in deliver_tasks()) == [first.pk, other.pk]


@pytest.mark.parametrize(
    ("kind", "to", "error"),
    [
        ("tests.unknown", "camille@example.org", "no builder for emails of kind 'tests.unknown'"),
        ("tests.note", "", "an email needs exactly one recipient address"),
        ("tests.note", "a@example.org, b@example.org", "an email needs exactly one recipient"),
        ("tests.note", "a@example.org\nBcc: b@example.org", "an email needs exactly one"),
    ],
)
def test_enqueue_refuses_an_unknown_kind_or_a_bad_recipient(db, kind, to, error):
    with pytest.raises(ValueError, match=error), transaction.atomic():
        enqueue(kind, to=to)

    assert Message.objects.count() == 0


def test_failed_and_for_edition_select_the_organisers_messages(db):
    edition, other = EditionFactory(), EditionFactory()
    failed = note(edition=edition)
    note(edition=edition)
    note(edition=other)
    Message.objects.filter(pk=failed.pk).update(status=FAILED)

    assert list(Message.objects.failed().for_edition(edition)) == [failed]
    assert Message.objects.for_edition(edition).count() == 2


# Delivery -------------------------------------------------------------------------------------


def test_deliver_sends_with_the_fixed_message_id_and_marks_sent(db, smtp_server):
    message = note(subject="Inscription confirmée")

    assert deliver_message(message.pk) == "sent"

    (received,) = smtp_server.wait_for(1)
    assert received["Message-ID"] == message.message_id
    assert received["To"] == "camille@example.org"
    assert received["Subject"] == "Inscription confirmée"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received.get_content().strip() == "Corps du message."
    message.refresh_from_db()
    assert message.status == SENT
    assert message.sent_at is not None
    assert message.attempts == 0


def test_deliver_sends_a_message_once_however_often_its_task_runs(db, smtp_server):
    message = note()

    assert deliver_message(message.pk) == "sent"
    assert deliver_message(message.pk) == "not_due"

    assert len(smtp_server.wait_for(1)) == 1


def test_deliver_leaves_a_message_whose_retry_is_not_due(db, smtp_server):
    message = note()
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() + dt.timedelta(minutes=5)
    )

    assert deliver_message(message.pk) == "not_due"

    message.refresh_from_db()
    assert message.status == PENDING
    assert smtp_server.messages == []


def test_a_subject_with_line_breaks_is_sent_on_one_line(db, smtp_server):
    message = note(subject="Zoé\r\nBcc: intrus@example.org\nExemple")

    assert deliver_message(message.pk) == "sent"

    (received,) = smtp_server.wait_for(1)
    assert received["Subject"] == "Zoé Bcc: intrus@example.org Exemple"
    assert received["Bcc"] is None
    assert smtp_server.envelopes[0][1] == ["camille@example.org"]


def test_a_message_with_nothing_left_to_send_is_skipped(db, smtp_server):
    with transaction.atomic():
        message = enqueue("tests.note", to="camille@example.org", context={"gone": True})

    assert deliver_message(message.pk) == "skipped"

    message.refresh_from_db()
    assert message.status == SKIPPED
    assert smtp_server.messages == []


def test_the_worker_sends_what_was_committed(transactional_db, smtp_server):
    messages = [note(to=f"personne{index}@example.org") for index in range(3)]

    run_worker()

    received = smtp_server.wait_for(3)
    assert sorted(message["Message-ID"] for message in received) == sorted(
        message.message_id for message in messages
    )
    assert set(Message.objects.values_list("status", flat=True)) == {SENT}


# Failures, back-off, resend -----------------------------------------------------------------


def test_a_refused_message_is_retried_after_a_back_off(db, smtp_server):
    smtp_server.refuse_with = "451 4.3.0 Try again later"
    message = note()
    before = timezone.now()

    assert deliver_message(message.pk) == "retry"

    after = timezone.now()
    message.refresh_from_db()
    assert message.status == PENDING
    assert message.attempts == 1
    assert message.last_error == "451 4.3.0 Try again later"
    assert message.claimed_at is None
    assert before + BACKOFF[0] <= message.next_attempt_at <= after + BACKOFF[0]
    _first, retry = deliver_tasks()
    assert retry.args_kwargs == {"args": [message.pk], "kwargs": {}}
    assert retry.run_after == message.next_attempt_at
    # The retry's task is not ready before its time.
    assert not DBTaskResult.objects.ready().filter(pk=retry.pk).exists()


def test_a_message_refused_every_time_fails_after_the_last_attempt(db, smtp_server):
    smtp_server.refuse_with = "451 4.3.0 Try again later"
    message = note()
    outcomes = []
    for _ in range(MAX_ATTEMPTS):
        outcomes.append(deliver_message(message.pk))
        make_due(message)

    assert outcomes == ["retry"] * (MAX_ATTEMPTS - 1) + ["failed"]
    message.refresh_from_db()
    assert message.status == FAILED
    assert message.attempts == MAX_ATTEMPTS == 6
    assert message.last_error == "451 4.3.0 Try again later"
    # One task to start with, one per retry, none after the last attempt.
    assert deliver_tasks().count() == MAX_ATTEMPTS
    assert list(Message.objects.failed()) == [message]
    assert deliver_message(message.pk) == "not_due"


def test_a_closed_port_counts_as_a_failed_attempt(db, settings):
    from tests.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    message = note()

    assert deliver_message(message.pk) == "retry"

    message.refresh_from_db()
    assert message.status == PENDING
    assert message.attempts == 1
    assert message.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"


def test_a_permanent_refusal_fails_at_once(db, smtp_server):
    smtp_server.refuse_with = "554 5.7.1 Message rejected"
    message = note()

    assert deliver_message(message.pk) == "failed"

    message.refresh_from_db()
    assert message.status == FAILED
    assert message.attempts == 1
    assert message.last_error == "554 5.7.1 Message rejected"
    assert deliver_tasks().count() == 1


def test_an_error_while_building_is_recorded_without_its_text(db, smtp_server):
    with transaction.atomic():
        message = enqueue("tests.note", to="camille@example.org", context={"broken": True})

    assert deliver_message(message.pk) == "retry"

    message.refresh_from_db()
    assert message.attempts == 1
    assert message.last_error == "KeyError while preparing the email"


def test_resend_writes_a_new_message_with_a_new_message_id(db, smtp_server):
    smtp_server.refuse_with = "554 5.7.1 Message rejected"
    edition = EditionFactory()
    failed = note(edition=edition, object_id=5, language="en", subject="Votre billet")
    deliver_message(failed.pk)
    failed.refresh_from_db()
    smtp_server.refuse_with = None

    again = resend(failed)

    assert again.pk != failed.pk
    assert again.message_id != failed.message_id
    assert (again.kind, again.recipient, again.object_id, again.edition_id, again.language) == (
        "tests.note",
        "camille@example.org",
        5,
        edition.pk,
        "en",
    )
    assert again.context == {"subject": "Votre billet"}
    assert again.status == PENDING
    assert deliver_message(again.pk) == "sent"
    (received,) = smtp_server.wait_for(1)
    assert received["Message-ID"] == again.message_id
    failed.refresh_from_db()
    assert failed.status == FAILED


@pytest.mark.parametrize("status", [PENDING, SENDING, SKIPPED])
def test_resend_refuses_a_message_on_its_way_or_skipped(db, status):
    message = note()
    Message.objects.filter(pk=message.pk).update(status=status)
    message.refresh_from_db()

    with (
        translation.override("en"),
        pytest.raises(NotResendable, match=r"Only a sent or failed email can be sent again\."),
    ):
        resend(message)

    assert Message.objects.count() == 1


# The sweep ----------------------------------------------------------------------------------


def test_sweep_gives_back_a_message_claimed_by_a_worker_that_died(db):
    message = note()
    long_ago = timezone.now() - dt.timedelta(minutes=11)
    Message.objects.filter(pk=message.pk).update(status=SENDING, claimed_at=long_ago)

    assert sweep_stale() == 1

    message.refresh_from_db()
    assert message.status == PENDING
    assert message.attempts == 1
    assert message.claimed_at is None
    assert message.last_error == "The worker stopped while sending it."
    assert [task.args_kwargs["args"] for task in deliver_tasks()] == [[message.pk], [message.pk]]


def test_sweep_leaves_a_message_being_sent_now(db):
    message = note()
    Message.objects.filter(pk=message.pk).update(status=SENDING, claimed_at=timezone.now())

    assert sweep_stale() == 0

    message.refresh_from_db()
    assert message.status == SENDING
    assert deliver_tasks().count() == 1


def test_sweep_fails_a_message_that_stopped_its_worker_on_the_last_attempt(db):
    message = note()
    Message.objects.filter(pk=message.pk).update(
        status=SENDING, claimed_at=timezone.now(), attempts=MAX_ATTEMPTS - 1
    )

    assert sweep_stale(sending_timeout=dt.timedelta(0)) == 0

    message.refresh_from_db()
    assert message.status == FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert deliver_tasks().count() == 1


def test_sweep_enqueues_again_a_pending_message_whose_task_was_lost(db):
    lost, waiting = note(), note()
    # A worker killed mid-task leaves django-tasks-db's row claimed ("running") forever.
    deliver_tasks().filter(args_kwargs__args=[lost.pk]).update(status=TaskResultStatus.RUNNING)
    long_ago = timezone.now() - dt.timedelta(minutes=3)
    Message.objects.update(next_attempt_at=long_ago)

    assert sweep_stale() == 1
    # Idempotent: a second sweep (another scheduler) finds nothing more to do.
    assert sweep_stale() == 0

    ready = deliver_tasks().filter(status=TaskResultStatus.READY)
    assert sorted(task.args_kwargs["args"][0] for task in ready) == sorted([lost.pk, waiting.pk])
    lost.refresh_from_db()
    assert lost.status == PENDING
    assert lost.attempts == 0


def test_sweep_leaves_a_pending_message_due_a_moment_ago(db):
    message = note()
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)

    assert sweep_stale() == 0

    assert deliver_tasks().count() == 1
    message.refresh_from_db()
    assert message.status == PENDING


def test_sweep_is_a_periodic_task_of_serve(settings):
    assert ("outbox.tasks.sweep", 60) in settings.PTCE_PERIODIC_TASKS
    assert [job.path for job in load_jobs([("outbox.tasks.sweep", 60)])] == ["outbox.tasks.sweep"]


# A worker killed mid-queue -------------------------------------------------------------------


class SharedDatabase:
    """Lets subprocesses (``ptce db_worker``) work on this test's database.

    PostgreSQL: they connect to the test database itself (``transactional_db`` commits).
    SQLite: the test database lives in this process's memory, so it is copied to a file for
    them (:meth:`export`) and copied back after (:meth:`import_`), with SQLite's backup API.
    """

    def __init__(self, var_dir):
        self.var_dir = var_dir
        self.is_sqlite = connection.vendor == "sqlite"
        self.path = var_dir / "ptce.sqlite3"

    def env(self, **extra):
        from django.conf import settings

        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DEBUG", "PORT"}
        }
        env.update(
            PTCE_VAR_DIR=str(self.var_dir),
            SECRET_KEY=settings.SECRET_KEY,
            SITE_URL=settings.SITE_URL,
            **extra,
        )
        if not self.is_sqlite:
            params = connection.settings_dict
            env["DATABASE_URL"] = (
                f"postgres://{params['USER']}:{params['PASSWORD'] or ''}@"
                f"{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"
            )
        return env

    def export(self):
        if not self.is_sqlite:
            return
        for path in self.var_dir.glob("ptce.sqlite3*"):
            path.unlink()
        connection.ensure_connection()
        target = sqlite3.connect(self.path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()

    def import_(self):
        if not self.is_sqlite:
            return
        source = sqlite3.connect(self.path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()


def test_a_worker_killed_mid_queue_loses_nothing_committed(transactional_db, smtp_server, tmp_path):
    edition = EditionFactory(
        capacity=100,
        registration_opens_at=timezone.now() - dt.timedelta(days=1),
        registration_closes_at=timezone.now() + dt.timedelta(days=10),
    )
    category = CategoryFactory(edition=edition)
    for index in range(30):
        register(
            edition,
            category=category,
            first_name=f"Camille {index}",
            last_name="Exemple",
            email=f"personne{index}@example.org",
        )
    with pytest.raises(Abandoned):
        register_then_fail(edition, category, "annulee@example.org")
    committed = dict(Message.objects.values_list("message_id", "recipient"))
    assert len(committed) == 30

    shared = SharedDatabase(tmp_path)
    shared.export()
    worker = [PTCE, "db_worker", "--no-startup-delay", "--no-reload", "--interval=0.1"]
    env = shared.env(EMAIL_URL=smtp_server.url)
    # The server keeps the 6th message and does not acknowledge it: the worker is killed in
    # that window, after the hand-off and before its "sent" update (the duplicate window).
    smtp_server.stall_after = 6
    with (tmp_path / "worker.log").open("w") as log:
        first = subprocess.Popen(worker, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        smtp_server.wait_for(6, timeout=120)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    smtp_server.release()
    shared.import_()
    assert Counter(Message.objects.values_list("status", flat=True)) == {
        SENT: 5,
        SENDING: 1,
        PENDING: 24,
    }
    left_sending = set(Message.objects.filter(status=SENDING).values_list("message_id", flat=True))

    # Once the sweep's waits are over (passed as zero here), then a new worker.
    sweep_stale(pending_grace=dt.timedelta(0), sending_timeout=dt.timedelta(0))
    shared.export()
    second = subprocess.run(
        [*worker, "--batch"], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert second.returncode == 0, second.stderr
    shared.import_()

    received = [(message["Message-ID"], message["To"]) for message in smtp_server.messages]
    counts = Counter(message_id for message_id, _ in received)
    # Every committed message arrived, to its recipient; only the one being handed off
    # when the worker died arrived twice, both times with its own fixed Message-ID.
    assert set(counts) == set(committed)
    assert all(committed[message_id] == to for message_id, to in received)
    assert {message_id for message_id, count in counts.items() if count > 1} == left_sending
    assert len(received) == len(committed) + 1
    assert "annulee@example.org" not in {to for _, to in received}
    assert set(Message.objects.values_list("status", flat=True)) == {SENT}


# The admin list -------------------------------------------------------------------------------


def test_superusers_see_the_outbox_in_the_admin_read_only(client, cast):
    failed = note(to="echec@example.org", edition=cast.edition)
    Message.objects.filter(pk=failed.pk).update(status=FAILED, last_error="451 Try again")
    log_in(client, cast.superuser)

    listing = client.get("/admin/outbox/message/")
    detail = client.get(f"/admin/outbox/message/{failed.pk}/change/")

    assert listing.status_code == 200
    assert "echec@example.org" in listing.content.decode()
    assert detail.status_code == 200
    assert "451 Try again" in detail.content.decode()
    assert client.post(f"/admin/outbox/message/{failed.pk}/delete/").status_code == 403
    assert client.get("/admin/outbox/message/add/").status_code == 403
    assert Message.objects.count() == 1


@pytest.mark.parametrize("who", ["organiser", "editor"])
def test_organisers_do_not_see_the_outbox_in_the_admin(client, cast, who):
    log_in(client, getattr(cast, who))

    # The admin is for superusers only: the login page, which says this account may not.
    assert client.get("/admin/outbox/message/").status_code == 302
    assert "outbox" not in client.get("/admin/").content.decode()
