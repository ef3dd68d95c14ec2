"""The builders of the outbox's messages: how a record becomes an email when it is sent.

``@builder("registrations.confirmed")`` registers a function ``(message) ->
EmailMultiAlternatives | None``, called in the message's language when it is sent (never in
the web request: rendering a PDF ticket is slow). None means there is nothing to send any more
(the registration was deleted or changed meanwhile): the record ends "skipped". The outbox
sets the recipient and the Message-ID itself. Builders live in each app's ``emails`` module,
which the outbox imports when the apps are ready (:class:`outbox.apps.OutboxConfig`).
"""

import re

from django.utils import translation

_builders = {}


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


def has_builder(kind):
    """Whether the messages of ``kind`` have a builder (:func:`builder`)."""
    return kind in _builders


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
