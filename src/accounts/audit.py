"""The audit log of personal-data access: one function writes it, everything else reads it.

Call :func:`record` in the same transaction as what it records (an export is recorded before
its file is sent; a message when its emails are queued), so that a line exists exactly when
the act happened.
"""

from django.conf import settings
from django.utils import translation

from accounts.enums import AuditAction
from accounts.models import AuditEntry

#: The ``actor`` of lines written by scheduled jobs rather than by a person.
SYSTEM = "system"


def record(user, action, what, *, edition=None, people=0, detail=None):
    """Write one audit line: ``user`` (or ``None`` for a scheduled job) did ``action``
    (an :class:`~accounts.enums.AuditAction`) on ``what`` (a short description, no personal
    data), concerning ``people`` people. Returns the entry.

    ``what`` is written in the site's language (``LANGUAGE_CODE``) whatever the language of
    the request, so that the log reads in one language: pass a lazy translation."""
    with translation.override(settings.LANGUAGE_CODE):
        what = str(what)
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEntry.objects.create(
        user=user if authenticated else None,
        actor=user.get_username() if authenticated else SYSTEM,
        action=AuditAction(action),
        edition=edition,
        what=what[:200],
        people=people,
        detail=detail or {},
    )
