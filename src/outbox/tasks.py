"""The outbox's tasks, and what they run in the worker: send one message (with retries after
a failure), and give back what a dead worker left.

See :mod:`outbox.services` for the guarantees.
"""

import logging
import smtplib
from datetime import timedelta

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from outbox.builders import build
from outbox.enums import MessageStatus
from outbox.models import Message

logger = logging.getLogger(__name__)

PENDING = MessageStatus.PENDING
SENDING = MessageStatus.SENDING

#: Wait before each new attempt after a failure: the first retry after a minute, the last
#: after six hours; a message that fails ``MAX_ATTEMPTS`` times is failed.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1

#: A pending message due this long ago, with no task waiting for it, lost its task.
PENDING_GRACE = timedelta(minutes=2)
#: A message claimed this long ago lost its worker (sending takes at most EMAIL_TIMEOUT).
SENDING_TIMEOUT = timedelta(minutes=10)


@task()
def deliver(message_pk):
    """Sends the message ``message_pk`` if it is pending and due; returns what happened."""
    return deliver_message(message_pk)


@task()
def sweep():
    """Periodic: re-enqueues the messages whose task or worker was lost (idempotent)."""
    return sweep_stale()


def schedule(message_pk, *, run_after=None):
    """Enqueue the delivery task of the message ``message_pk`` (after ``run_after``, if given)."""
    if run_after is None:
        deliver.enqueue(message_pk)
    else:
        deliver.using(run_after=run_after).enqueue(message_pk)


# Delivery ---------------------------------------------------------------------------------


def deliver_message(message_pk):
    """Send one message if it is pending and due; the ``deliver`` task's body.

    Run it outside any transaction (the worker does): the mail server may take seconds.
    Returns what happened: "sent", "skipped", "retry", "failed", or "not_due" when the
    message is not pending and due (sent already, taken by another worker, or a retry that
    waits).
    """
    now = timezone.now()
    claimed = Message.objects.filter(
        pk=message_pk, status=PENDING, next_attempt_at__lte=now
    ).update(status=SENDING, claimed_at=now)
    if not claimed:
        return "not_due"
    message = Message.objects.filter(pk=message_pk).first()
    if message is None:  # Deleted with its edition meanwhile.
        return "not_due"
    try:
        email = build(message)
        if email is None:
            Message.objects.filter(pk=message.pk).update(
                status=MessageStatus.SKIPPED, claimed_at=None
            )
            return "skipped"
        email.connection = get_connection(fail_silently=False)
        email.send()
    except Exception as error:
        return _record_failure(message, error)
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def _record_failure(message, error):
    attempts = message.attempts + 1
    permanent = _is_permanent(error)
    fields = {"attempts": attempts, "last_error": _describe(error), "claimed_at": None}
    if permanent or attempts >= MAX_ATTEMPTS:
        fields["status"] = MessageStatus.FAILED
    else:
        fields["status"] = PENDING
        fields["next_attempt_at"] = timezone.now() + BACKOFF[attempts - 1]
    logger.warning(
        "Email %s (%s) not sent, attempt %d: %s",
        message.pk,
        message.kind,
        attempts,
        type(error).__name__,
        exc_info=not isinstance(error, smtplib.SMTPException | OSError),
    )
    with transaction.atomic():
        # Conditional: the sweep may have given the message to another worker meanwhile.
        updated = Message.objects.filter(
            pk=message.pk, status=SENDING, claimed_at=message.claimed_at
        ).update(**fields)
        if updated and fields["status"] == PENDING:
            schedule(message.pk, run_after=fields["next_attempt_at"])
    return "retry" if fields["status"] == PENDING else "failed"


def _is_permanent(error):
    """A refusal that will not change by trying again (SMTP 5xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


def _describe(error):
    """A short reason for organisers, with no personal data beyond the address."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "; ".join(
            f"{address}: {code} {_decode(reply)}"
            for address, (code, reply) in error.recipients.items()
        )
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {_decode(error.smtp_error)}"
    elif isinstance(error, smtplib.SMTPException | OSError):
        text = f"{type(error).__name__}: {error}"
    else:
        # Text from elsewhere (a template, a builder) might quote an attendee's details.
        text = f"{type(error).__name__} while preparing the email"
    return " ".join(text.split())[:300]


def _decode(reply):
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


# The sweep ----------------------------------------------------------------------------------


def sweep_stale(*, pending_grace=PENDING_GRACE, sending_timeout=SENDING_TIMEOUT):
    """Give back to the queue the messages a dead worker left; the ``sweep`` task's body.

    - A message "sending" for longer than ``sending_timeout`` lost its worker: it counts an
      attempt (a message that kills its worker must not loop forever) and is pending again,
      or failed after the last attempt. If the worker died after the hand-off to the mail
      server, this sends it twice, with the same Message-ID.
    - A message pending and due for longer than ``pending_grace`` with no delivery task
      waiting for it lost its task (its worker died holding it).

    Each record changes with a conditional UPDATE and its task is enqueued in the same
    transaction, so two sweeps at once enqueue one task. Returns the number of messages
    given back.
    """
    now = timezone.now()
    revived = 0
    stale_sending = Message.objects.filter(status=SENDING, claimed_at__lte=now - sending_timeout)
    for pk, claimed_at, attempts in stale_sending.values_list("pk", "claimed_at", "attempts"):
        attempts += 1
        fields = {
            "attempts": attempts,
            "claimed_at": None,
            "last_error": "The worker stopped while sending it.",
        }
        if attempts >= MAX_ATTEMPTS:
            fields["status"] = MessageStatus.FAILED
        else:
            fields.update(status=PENDING, next_attempt_at=now)
        with transaction.atomic():
            updated = Message.objects.filter(pk=pk, status=SENDING, claimed_at=claimed_at).update(
                **fields
            )
            if updated and fields["status"] == PENDING:
                schedule(pk)
                revived += 1

    queued = _queued_message_pks()
    lost = Message.objects.filter(status=PENDING, next_attempt_at__lte=now - pending_grace)
    for pk, due in lost.values_list("pk", "next_attempt_at"):
        if pk in queued:
            continue
        with transaction.atomic():
            # Moving next_attempt_at makes a second sweep running now skip this message.
            if Message.objects.filter(pk=pk, status=PENDING, next_attempt_at=due).update(
                next_attempt_at=now
            ):
                schedule(pk)
                revived += 1
    if revived:
        logger.info("Outbox sweep: %d email(s) given back to the queue", revived)
    return revived


def _queued_message_pks():
    """The messages whose delivery task waits in the queue (not taken by a worker)."""
    rows = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=deliver.module_path
    ).values_list("args_kwargs", flat=True)
    return {row["args"][0] for row in rows if row.get("args")}
