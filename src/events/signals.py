"""Signals the events app sends, for the apps that build on it (events imports none of them).

``edition_copied(sender=Edition, source=<Edition>, copy=<Edition>)``: sent by
:func:`events.copying.copy_edition` inside its transaction, once the copy and its programme
exist, so that each app copies what it owns (registration categories, entrances) in the
same transaction: a failing receiver leaves no half copy.
"""

from django.dispatch import Signal

edition_copied = Signal()
