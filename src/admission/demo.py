"""The entrances of the demonstration edition's (fictional) venue, and its rehearsal at the
door."""

from admission import rehearsals
from admission.models import Entrance

DEMONSTRATION_ENTRANCES = [
    {"slug": "principale", "name": "Entrée principale"},
    {"slug": "accessible", "name": "Entrée accessible (plain-pied)"},
]


def add_demonstration_entrances(edition):
    """Create the entrances of ``DEMONSTRATION_ENTRANCES`` that ``edition`` lacks."""
    existing = set(edition.entrances.values_list("slug", flat=True))
    created = []
    for position, fields in enumerate(DEMONSTRATION_ENTRANCES):
        if fields["slug"] not in existing:
            entrance = Entrance(edition=edition, position=position, **fields)
            entrance.full_clean()
            entrance.save()
            created.append(entrance)
    return created


def open_demonstration_rehearsal(edition, agents, *, by, now=None):
    """Open check-in rehearsal on the demonstration ``edition`` for ``agents``, so that anyone
    who runs the demo can admit a ticket before the day; None once the day has started.

    A rehearsal already open keeps its agents, and gains those of ``agents`` it lacks.
    """
    if not rehearsals.may_open(edition, now):
        return None
    current = rehearsals.current(edition, now)
    if current is not None:
        current.agents.add(*agents)
        return current
    return rehearsals.open_rehearsal(edition, agents, by=by, now=now)
