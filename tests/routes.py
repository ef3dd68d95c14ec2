"""Every pattern of the URL configuration, for the tests that go through all of them (the
address list, the permission matrix, the hostile-input walk)."""

from django.urls import URLPattern, URLResolver, get_resolver


def walk(patterns=None, pieces=(), namespace=""):
    """Yields ``(name, pieces)`` for each pattern: ``name`` with its namespaces joined by
    ``:`` (``"events:session_edit"``), ``pieces`` the patterns from the root (each a
    ``RoutePattern`` or a ``RegexPattern``)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, (*pieces, pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, (*pieces, pattern.pattern)


def route(pieces):
    """The pattern as written in the URL configuration, from the root: ``journees/<slug:slug>/``."""
    return "".join(str(piece) for piece in pieces)
