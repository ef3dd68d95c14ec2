"""Where the organiser pages of an edition live: ``journees/<slug>/gestion/``, written once.

Each app's ``urls.py`` is one namespace named after the app, with its public and its
organiser pages. Django can't include one namespace twice, so the edition's organiser pages
can't all be gathered in a single include of the project's URL configuration; each app mounts
its own under :func:`edition_organiser`, and this prefix is written nowhere else.
"""

from django.urls import include, path

#: The organiser pages of an edition, by its slug.
EDITION_ORGANISER = "journees/<slug:slug>/gestion/"


def edition_organiser(patterns):
    """Mount ``patterns`` (their routes relative to ``gestion/``) under an edition's
    organiser pages."""
    return path(EDITION_ORGANISER, include(patterns))
