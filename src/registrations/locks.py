"""The lock every change of seats waits for: the edition's row.

Registrations, workshop seats and the retention jobs of one edition take it first, in one
transaction (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the project opens every
transaction with ``BEGIN IMMEDIATE``, which already serialises writers), so that counting,
deciding and writing never interleave.
"""

from events.models import Edition


def edition(edition_id):
    """The edition, read again under its row lock; call it inside ``transaction.atomic``."""
    return Edition.objects.locked(edition_id)
