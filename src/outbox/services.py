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
4. ``sweep_stale`` (periodic task ``sweep``) gives back what a dead worker left: pending
   messages whose task was lost (a worker killed mid-task leaves its django-tasks-db row
   claimed forever) and messages claimed for sending long ago.

The one duplicate: a worker that dies after the mail server accepted a message and before
the "sent" UPDATE leaves the record "sending"; the sweep sends it again. Both copies carry
the same Message-ID, fixed when the record was written, so that a mail client or a person
can recognise the second one. No other path sends a record twice: the claim is conditional,
and a message is rendered and sent only by the worker that claimed it.

Builders: ``@builder("registrations.confirmed")`` registers the function that renders the
messages of a kind when they are sent (:mod:`outbox.builders`).

The modules, each importing only the ones after it: this one, what the apps call
(:func:`builder`, :func:`enqueue`, :func:`resend`); :mod:`outbox.tasks`, what the worker
runs (steps 2 to 4: ``deliver_message``, ``sweep_stale``, ``BACKOFF``); :mod:`outbox.builders`,
the builders that both use.
"""

from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The apps register their builders through here (``from outbox.services import builder,
# enqueue``): this module is the outbox's side that the apps call.
from outbox.builders import builder, has_builder  # noqa: F401
from outbox.enums import RESENDABLE
from outbox.models import Message
from outbox.tasks import schedule


class NotResendable(Exception):
    """An organiser asked to resend a message that is still on its way, or was skipped."""

    code = "not_resendable"
    message = _("Only a sent or failed email can be sent again.")

    def __str__(self):
        return str(self.message)


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
    if not has_builder(kind):
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
    schedule(message.pk)
    return message


def new_message_id():
    """A Message-ID header value on the site's own domain."""
    return make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "localhost")
