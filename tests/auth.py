"""Logging a test client or a browser in as a user who passed the second factor.

Organiser accounts must use two-factor authentication (TOTP): a session that only gave the
password reaches no organiser page. ``log_in`` does what a full login does: the user's
session, and for a user with a confirmed authenticator, that device recorded in the session
as verified (django-otp's ``otp_login``). The login pages themselves are tested in
``tests/test_two_factor.py`` with real codes.
"""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def verified_device(user):
    """The user's confirmed authenticator, made if the user has none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test", confirmed=True)


def log_in(client, user, *, second_factor=True):
    """Log ``client`` in as ``user``; with ``second_factor`` (the default) the session has
    passed TOTP, as after the full login. Returns the client."""
    client.force_login(user)
    if second_factor:
        session = client.session
        assert session[SESSION_KEY] == str(user.pk)
        session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
        session.save()
    return client


def log_in_tab(tab, user, *, second_factor=True):
    """Give the browser of ``tab`` the session cookie of a logged-in ``user``."""
    client = log_in(Client(), user, second_factor=second_factor)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    tab.page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": tab.base_url}]
    )
