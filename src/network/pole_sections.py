"""What other apps add to a pole's public page.

The network app knows poles, not what other apps hold about them: an app that has something
to show on a pole's page (the charter app: the signatures of the pole's organisation)
registers a section from its ``AppConfig.ready()``: a template, and a function of the
pole's organisation that gives the template its ``section`` (nothing shown when empty).
Sections appear in the order the apps are installed.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    template: str
    content: Callable


_SECTIONS = {}


def register(key, template, content):
    """Show ``template`` on every pole's page with ``section=content(organisation)``;
    ``key`` names the section (registering it again replaces it)."""
    _SECTIONS[key] = Section(template, content)


def sections(organisation):
    """``[(template, section)]`` for ``organisation``'s page, the empty ones left out."""
    shown = []
    for section in _SECTIONS.values():
        content = section.content(organisation)
        if content:
            shown.append((section.template, content))
    return shown
