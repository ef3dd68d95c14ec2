"""The invitation link: the signed link, valid ``LINK_MAX_AGE``, with which an invited person
chooses the password of their new account (:mod:`accounts.invitations` gives the role and
sends it; :mod:`accounts.team_emails` writes it into the email when the email is sent).

The link is single use: it carries a fingerprint of the account's password field, which
changes when a password is set, so a link is void once it has served (or once the person
set a password another way).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User

LINK_SALT = "accounts.invitation"
LINK_MAX_AGE = timedelta(days=7)
_STATE_SALT = "accounts.invitation.state"


def is_pending(user):
    """Whether ``user`` was invited and has not chosen a password yet."""
    return not user.is_active and not user.has_usable_password()


def _state(user):
    """A fingerprint of what a link may still change: it changes when a password is set."""
    return salted_hmac(_STATE_SALT, f"{user.pk}:{user.password}:{user.is_active}").hexdigest()[:20]


def link_token(user):
    """The token of the invitation link of ``user`` (an account waiting for its password)."""
    return signing.TimestampSigner(salt=LINK_SALT).sign_object(
        {"user": user.pk, "state": _state(user)}
    )


@dataclass(frozen=True)
class LinkCheck:
    """What a link's token gives: the ``user`` it may set a password for (or ``None``), else
    why not: ``invalid`` (tampered or made up), ``expired``, ``used``."""

    user: User | None
    problem: str | None


def check_link(token):
    signer = signing.TimestampSigner(salt=LINK_SALT)
    try:
        value = signer.unsign_object(token, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        return LinkCheck(None, "expired")
    except (signing.BadSignature, ValueError, TypeError):
        return LinkCheck(None, "invalid")
    if not isinstance(value, dict) or not isinstance(value.get("user"), int):
        return LinkCheck(None, "invalid")
    user = User.objects.filter(pk=value["user"]).first()
    if user is None:
        return LinkCheck(None, "invalid")
    if not is_pending(user) or not constant_time_compare(str(value.get("state")), _state(user)):
        return LinkCheck(None, "used")
    return LinkCheck(user, None)
