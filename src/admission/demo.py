"""The entrances of the demonstration edition's (fictional) venue."""

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
