"""What other apps add to a pole's public page (:mod:`common.parts`).

The network app knows poles, not what other apps hold about them: an app that has something
to show on a pole's page (the charter app: the signatures of the pole's organisation)
registers a section from its ``AppConfig.ready()``: a template, and a function of the
pole's organisation that gives the template its ``section`` (nothing shown when empty).
"""

from common.parts import PageParts

_SECTIONS = PageParts()

#: ``register(key, template, content)``: show ``template`` on every pole's page.
register = _SECTIONS.register
#: ``sections(organisation)``: ``[(template, section)]`` for its page, the empty ones left out.
sections = _SECTIONS.shown
