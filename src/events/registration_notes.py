"""What other apps add to an edition's page, beside where its registration stands
(:mod:`common.parts`).

The events app knows when registration opens and closes, not who registered: an app that
has something to say there (the registrations app: the places left, when the organisers
chose to show them) registers a note from its ``AppConfig.ready()``: a template, and a
function of the edition that gives the template its ``note`` (nothing shown when empty).
"""

from common.parts import PageParts

_NOTES = PageParts()

#: ``register(key, template, content)``: show ``template`` on every edition's page.
register = _NOTES.register
#: ``notes(edition)``: ``[(template, note)]`` for its page, the empty ones left out.
notes = _NOTES.shown
