"""What higher apps add to a lower app's page, without the lower app importing them.

A lower app keeps a :class:`PageParts` for one of its pages; a higher app registers a part
from its ``AppConfig.ready()``: a template, and a function of the page's object that gives
the template its content (nothing shown when empty). Parts appear in the order they were
registered, that is the order the apps are installed.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    template: str
    content: Callable


class PageParts:
    def __init__(self):
        self._parts = {}

    def register(self, key, template, content):
        """Show ``template`` on every page with the content ``content(obj)``; ``key`` names
        the part (registering it again replaces it)."""
        self._parts[key] = Part(template, content)

    def shown(self, obj):
        """``[(template, content)]`` for ``obj``'s page, the empty ones left out."""
        shown = []
        for part in self._parts.values():
            content = part.content(obj)
            if content:
                shown.append((part.template, content))
        return shown
