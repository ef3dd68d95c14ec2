"""Two-factor authentication (TOTP, with single-use recovery codes): the rules.

Who must use it: superusers, and anyone with an organiser role anywhere. Anyone else may.
A session has *passed* the second factor when django-otp's ``request.user.is_verified()``
holds: the session names a confirmed device of the user (``django_otp.login``).

:func:`needs_verification` is the one test that every guarded page applies (organiser
pages through ``common.decorators.organiser_page``, the check-in app, the admin site):
a session that gave only the password, for a user who must use 2FA or who set it up,
goes to :func:`verification_redirect` (the code page, or enrolment when there is no
authenticator yet) and reaches nothing else.

A user's authenticator is one confirmed ``TOTPDevice``; while a new one is being set up
(first enrolment or replacement) an unconfirmed one waits beside it, and the confirmed one
stays valid until the new one is confirmed. Recovery codes are the tokens of one
``StaticDevice``: ten, each usable once, replaced all together when regenerated.
"""

import base64
import time

import segno
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from ninja.security import SessionAuth

from accounts.audit import record
from accounts.enums import AuditAction, Role
from accounts.permissions import roles_of

RECOVERY_CODES = 10
DEVICE_NAME = "Authenticator"
RECOVERY_DEVICE_NAME = "Recovery codes"
#: How long the password alone (the login's first step, or a confirmation of it) lets a
#: user change the two-factor settings.
RECENT_AUTHENTICATION_SECONDS = 10 * 60
_AUTHENTICATED_AT = "accounts_authenticated_at"


def is_required(user):
    """Whether ``user`` must use two-factor authentication (superusers and organisers)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or Role.ORGANISER in roles_of(user).all


def has_device(user):
    """Whether ``user`` has a confirmed authenticator."""
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_verification(request):
    """Whether this session is logged in without having passed the second factor that its
    user must give (required, or set up by choice)."""
    user = request.user
    # ``is_verified`` comes from django-otp's middleware; a user set on the request by other
    # means (an API token's) has not passed anything.
    verified = getattr(user, "is_verified", None)
    if not user.is_authenticated or (verified is not None and verified()):
        return False
    return is_required(user) or has_device(user)


def verification_redirect(request):
    """Where a session that :func:`needs_verification` goes, with the page it asked for as
    ``next``: the code page when the user has an authenticator, else enrolment."""
    name = "accounts:login_code" if has_device(request.user) else "accounts:two_factor"
    return redirect_to_login(request.get_full_path(), reverse(name))


# The login's second step ---------------------------------------------------------------------

#: How long the login's second step waits for the code after the password was given.
PENDING_LOGIN_SECONDS = 5 * 60
_PENDING = "accounts_pending_login"


def start_login(request, user, next_url):
    """The password of ``user`` (who has an authenticator) was right: nobody is logged in
    yet; the session remembers who is to give the code, for :data:`PENDING_LOGIN_SECONDS`.
    The password's hash is kept too, so that a password changed meanwhile voids the step."""
    request.session[_PENDING] = {
        "user": user.pk,
        "backend": user.backend,
        "hash": user.get_session_auth_hash(),
        "next": next_url or "",
        "at": int(time.time()),
    }


def pending_login(request):
    """``(user, next)`` of the login waiting for its code in this session, else ``None``
    (none, expired, or the account changed meanwhile)."""
    data = request.session.get(_PENDING)
    if not isinstance(data, dict):
        return None
    if not 0 <= time.time() - data.get("at", 0) < PENDING_LOGIN_SECONDS:
        del request.session[_PENDING]
        return None
    user = get_user_model().objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), data["hash"]):
        del request.session[_PENDING]
        return None
    user.backend = data["backend"]
    return user, data["next"]


def finish_login(request, user, device):
    """The code was right: ``user`` is logged in (a new session key) and the session has
    passed the second factor with ``device``."""
    if request.user.is_authenticated and request.user.pk == user.pk:
        request.session.cycle_key()
    else:
        auth_login(request, user, backend=getattr(user, "backend", None))
    request.session.pop(_PENDING, None)
    otp_login(request, device)
    note_authentication(request)


# Recent authentication ----------------------------------------------------------------------


def note_authentication(request):
    """Record that the user just gave the password (login, or confirmation)."""
    request.session[_AUTHENTICATED_AT] = int(time.time())


def recently_authenticated(request):
    at = request.session.get(_AUTHENTICATED_AT)
    return isinstance(at, int) and 0 <= time.time() - at < RECENT_AUTHENTICATION_SECONDS


# Devices ------------------------------------------------------------------------------------


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user):
    """The authenticator being set up (unconfirmed), if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()


def start_enrolment(user):
    """The unconfirmed authenticator whose secret the user now types or scans: the one
    waiting already, else a new one."""
    return pending_device(user) or TOTPDevice.objects.create(
        user=user, name=DEVICE_NAME, confirmed=False
    )


def cancel_enrolment(user):
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()


def secret_of(device):
    """The secret as authenticator apps take it typed: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_data_uri(device):
    """The ``otpauth://`` address of ``device`` as a QR code: an SVG ``data:`` URI."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def normalise(code):
    return "".join(str(code or "").split()).replace("-", "").lower()


def confirm_enrolment(user, device, code):
    """Confirm the authenticator being set up with one ``code`` it shows.

    On success (one transaction): the device is confirmed, any previous authenticator
    deleted, new recovery codes made (the old ones void), an audit line written. Returns
    ``(device, recovery codes)``, or ``None`` when the code is wrong (nothing changed but
    the device's count of failed attempts).
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user).first()
        if device is None or device.confirmed or not device.verify_token(normalise(code)):
            return None
        replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk)
        replacing = replaced.exists()
        replaced.delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        record(
            user,
            AuditAction.ACCOUNT,
            gettext_lazy("Authenticator replaced")
            if replacing
            else gettext_lazy("Two-factor authentication set up"),
        )
    return device, codes


def regenerate_recovery_codes(user):
    """New recovery codes for ``user``; the old ones stop working. Returns the codes."""
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record(user, AuditAction.ACCOUNT, gettext_lazy("Recovery codes regenerated"))
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _new_recovery_codes(user):
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
    elif not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    # The same device keeps its id, so a session verified with a recovery code stays so.
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def may_remove(user):
    """Only users who need not use 2FA may switch it off; the others may replace their
    authenticator (the old one works until the new one is confirmed)."""
    return not is_required(user)


def remove(user):
    """Switch two-factor authentication off for ``user``: authenticators and recovery codes
    deleted (sessions verified with them are no longer)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        record(user, AuditAction.ACCOUNT, gettext_lazy("Two-factor authentication switched off"))


def verify(user, code):
    """The confirmed device of ``user`` that accepts ``code`` (a 6-digit code of the
    authenticator, or an unused recovery code, which is then used up), else ``None``."""
    code = normalise(code)
    if not code:
        return None
    if code.isdigit():
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    for device in devices:
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            if isinstance(verified, StaticDevice):
                record(
                    user,
                    AuditAction.ACCOUNT,
                    gettext_lazy("Recovery code used"),
                    detail={"left": recovery_codes_left(user)},
                )
            return verified
    return None


class VerifiedSessionAuth(SessionAuth):
    """django-ninja's session authentication (``django_auth``), for the API endpoints that a
    page of the site calls with its session (the check-in app): a session that
    :func:`needs_verification` is not authenticated (401), as it reaches no guarded page."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or needs_verification(request):
            return None
        return user


verified_session_auth = VerifiedSessionAuth()
