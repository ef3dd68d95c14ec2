"""Signals the events app sends, for the apps that build on it (events imports none of them).

``edition_copied(sender=Edition, source=<Edition>, copy=<Edition>)``: sent by
:func:`events.copying.copy_edition` inside its transaction, once the copy and its programme
exist, so that each app copies what it owns (registration categories, entrances) in the
same transaction: a failing receiver leaves no half copy.

``capacity_raised(sender=Edition, edition=<Edition>)``: sent by :func:`capacity_raised_for`
once an edition's capacity went up or was removed, inside the saving transaction; a receiver
returns the people it gave a seat to (the registrations app, from its waiting list).
"""

from django.dispatch import Signal

edition_copied = Signal()
capacity_raised = Signal()


def capacity_raised_for(edition):
    """Send :data:`capacity_raised` for ``edition``; the people given a seat, in the order
    the receivers returned them."""
    answers = capacity_raised.send(sender=type(edition), edition=edition)
    return [person for _receiver, people in answers for person in people or ()]
