"""The email outbox: every email is a record written in the transaction of the change it
announces, then sent by a task, with retries.

How a message travels

1. :func:`enqueue` writes a :class:`~outbox.models.Message` (pending) and its ``deliver`` task
   in the caller's transaction: a rolled-back change leaves neither, a committed one both.
2. ``deliver`` (in the worker) claims the record with one conditional UPDATE (pending and due
   → sending), so that only one worker sends it; renders it in its language (see Builders);
   hands it to the mail server outside any transaction; marks it sent.
3. A failure counts an attempt and schedules the next one after ``BACKOFF``; after the last
   attempt, or at once when the server refuses it for good (a 5xx answer), the message is
   failed and shows to the organisers, who may :func:`resend` it (a new message).
4. :func:`sweep_stale` (periodic task ``sweep``) gives back what a dead worker left: pending
   messages whose task was lost (a worker killed mid-task leaves its django-tasks-db row
   claimed forever) and messages claimed for sending long ago.

The one duplicate: a worker that dies after the mail server accepted a message and before
the "sent" UPDATE leaves the record "sending"; the sweep sends it again. Both copies carry
the same Message-ID, fixed when the record was written, so that a mail client or a person
can recognise the second one. No other path sends a record twice: the claim is conditional,
and a message is rendered and sent only by the worker that claimed it.

Builders: ``@builder("registrations.confirmed")`` registers a function ``(message) ->
EmailMultiAlternatives | None``, called in the message's language when it is sent (never in
the web request: rendering a PDF ticket is slow). None means there is nothing to send any more
(the registration was deleted or changed meanwhile): the record ends "skipped". The outbox
sets the recipient and the Message-ID itself. Builders live in each app's ``emails`` module,
which the outbox imports when the apps are ready (:class:`outbox.apps.OutboxConfig`).
"""

import logging
import re
import smtplib
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from outbox.enums import RESENDABLE, MessageStatus
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

_builders = {}


class NotResendable(Exception):
    """An organiser asked to resend a message that is still on its way, or was skipped."""

    code = "not_resendable"
    message = _("Only a sent or failed email can be sent again.")

    def __str__(self):
        return str(self.message)


def builder(kind):
    """Registers the decorated function as the builder of the messages of ``kind``."""

    def register(function):
        existing = _builders.get(kind)
        if existing is not None and _name(existing) != _name(function):
            raise ValueError(f"two builders for {kind!r}: {_name(existing)}, {_name(function)}")
        _builders[kind] = function
        return function

    return register


def _name(function):
    return f"{function.__module__}.{function.__qualname__}"


def enqueue(
    kind, *, to, object_id=None, edition=None, language="fr", context=None, dedupe_key=None
):
    """Write a message to ``to`` and its delivery task, in the caller's transaction.

    Call it inside ``transaction.atomic()``, with the change the message announces: a
    rollback then leaves neither the record nor the task. ``object_id`` names what the
    builder of ``kind`` renders the message from; ``context``: small JSON it also gets;
    ``edition`` (an Edition or its pk): where organisers see the message.

    ``dedupe_key``: a key that only one message may ever have (e.g. ``"reminder:42"``).
    When a message already has it, nothing is written and that message is returned.

    Returns the :class:`~outbox.models.Message`.
    """
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(
            "outbox.enqueue() must run inside transaction.atomic(), with the change that the "
            "message announces"
        )
    if kind not in _builders:
        raise ValueError(f"no builder for emails of kind {kind!r}")
    recipient = (to or "").strip()
    if not recipient or any(char in recipient for char in "\r\n,;"):
        raise ValueError("an email needs exactly one recipient address")
    fields = dict(
        kind=kind,
        recipient=recipient,
        object_id=object_id,
        edition_id=getattr(edition, "pk", edition),
        language=language or settings.LANGUAGE_CODE,
        context=context or {},
    )
    if dedupe_key is None:
        return _write(fields)
    try:
        # A savepoint: the caller's transaction goes on when the key is taken.
        with transaction.atomic():
            return _write({**fields, "dedupe_key": dedupe_key})
    except IntegrityError:
        existing = Message.objects.filter(dedupe_key=dedupe_key).first()
        if existing is None:
            raise
        return existing


def resend(message):
    """An organiser sends a failed (or sent) message again, as a new message.

    The new record has the same content and recipient, and a new Message-ID: it is a
    deliberate second message, not a duplicate. Raises :class:`NotResendable` for a message
    still on its way or skipped.

    Side effects, in one transaction: writes the new message and its delivery task. Returns
    the new message.
    """
    if message.status not in RESENDABLE:
        raise NotResendable
    with transaction.atomic():
        return _write(
            dict(
                kind=message.kind,
                recipient=message.recipient,
                object_id=message.object_id,
                edition_id=message.edition_id,
                language=message.language,
                context=message.context,
            )
        )


def _write(fields):
    message = Message.objects.create(
        **fields, message_id=new_message_id(), next_attempt_at=timezone.now()
    )
    _schedule(message.pk)
    return message


def new_message_id():
    """A Message-ID header value on the site's own domain."""
    return make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "localhost")


def _schedule(message_pk, *, run_after=None):
    from outbox.tasks import deliver

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


def build(message):
    """The message as an ``EmailMultiAlternatives`` ready to send, or None (nothing to send).

    Rendered by the builder of its kind in ``message.language``; the recipient and the
    Message-ID are the record's.
    """
    function = _builders.get(message.kind)
    if function is None:
        raise LookupError(f"no builder for emails of kind {message.kind!r}")
    with translation.override(message.language):
        email = function(message)
    if email is None:
        return None
    email.to = [message.recipient]
    email.cc, email.bcc = [], []
    # A header cannot hold a line break: a name with one must not stop the message.
    # Only line breaks and runs of spaces go: French keeps its non-breaking spaces.
    email.subject = " ".join(
        re.split(r"[ \t\r\n\v\f\x85\u2028\u2029]+", str(email.subject))
    ).strip()
    email.extra_headers["Message-ID"] = message.message_id
    email.extra_headers.setdefault("Auto-Submitted", "auto-generated")
    return email


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
            _schedule(message.pk, run_after=fields["next_attempt_at"])
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
                _schedule(pk)
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
                _schedule(pk)
                revived += 1
    if revived:
        logger.info("Outbox sweep: %d email(s) given back to the queue", revived)
    return revived


def _queued_message_pks():
    """The messages whose delivery task waits in the queue (not taken by a worker)."""
    from outbox.tasks import deliver

    rows = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=deliver.module_path
    ).values_list("args_kwargs", flat=True)
    return {row["args"][0] for row in rows if row.get("args")}
