"""Addresses of the site."""

from django.conf import settings


def absolute(path):
    """The full address of ``path`` on this site, for emails, API answers and documents."""
    # SITE_URL rather than the Host header, which the client chooses (as canonical links do).
    return settings.SITE_URL + path
