"""The audit log of personal-data access: one function writes it, everything else reads it.

Call :func:`record` in the same transaction as what it records (an export is recorded before
its file is sent; a message when its emails are queued), so that a line exists exactly when
the act happened.
"""

from accounts.enums import AuditAction
from accounts.models import AuditEntry

#: The ``actor`` of lines written by scheduled jobs rather than by a person.
SYSTEM = "system"


def record(user, action, what, *, edition=None, people=0, detail=None):
    """Write one audit line: ``user`` (or ``None`` for a scheduled job) did ``action``
    (an :class:`~accounts.enums.AuditAction`) on ``what`` (a short description, no personal
    data), concerning ``people`` people. Returns the entry."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEntry.objects.create(
        user=user if authenticated else None,
        actor=user.get_username() if authenticated else SYSTEM,
        action=AuditAction(action),
        edition=edition,
        what=str(what)[:200],
        people=people,
        detail=detail or {},
    )
