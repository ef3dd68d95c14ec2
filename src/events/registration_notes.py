"""What other apps add to an edition's page, beside where its registration stands.

The events app knows when registration opens and closes, not who registered: an app that
has something to say there (the registrations app: the places left, when the organisers
chose to show them) registers a note from its ``AppConfig.ready()``: a template, and a
function of the edition that gives the template its ``note`` (nothing shown when empty).
Notes appear in the order the apps are installed.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Note:
    template: str
    content: Callable


_NOTES = {}


def register(key, template, content):
    """Show ``template`` beside the registration state of every edition's page with
    ``note=content(edition)``; ``key`` names the note (registering it again replaces it)."""
    _NOTES[key] = Note(template, content)


def notes(edition):
    """``[(template, note)]`` for ``edition``'s page, the empty ones left out."""
    shown = []
    for note in _NOTES.values():
        content = note.content(edition)
        if content:
            shown.append((note.template, content))
    return shown
