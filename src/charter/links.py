"""The charter's signed links; each has its own salt, distinct from every other signed link,
and a tampered or made-up token names nobody.

- The link that confirms an online signing request (:func:`confirm_token`): emailed to the
  representative (:mod:`charter.emails`), it expires after ``LINK_MAX_AGE``
  (:mod:`charter.requests` holds the rules it leads to).
- The private address of a signature's receipt (:func:`receipt_token`): a signed token naming
  the signature, with no account and no expiry (the representative keeps it, as a
  registration's manage link).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

from charter.models import Signature, SigningRequest

#: The receipt's address.
SALT = "charter.receipt"
#: The signing request's link.
LINK_SALT = "charter.signing"
#: How long the emailed link works; past it, the representative fills in the form again.
LINK_MAX_AGE = timedelta(hours=72)
#: A signed token is about 30 characters; anything much longer was not made here.
_TOKEN_MAX_LENGTH = 100


# The signing request's link ----------------------------------------------------------------


def confirm_token(signing_request):
    """The token of the link emailed to the representative: the request's id, signed and
    time-stamped (salted for this use only)."""
    return signing.TimestampSigner(salt=LINK_SALT).sign(str(signing_request.pk))


@dataclass(frozen=True)
class LinkCheck:
    """What a link's token names: ``signing_request`` (None when tampered, made up or
    deleted), and whether the link is older than ``LINK_MAX_AGE``."""

    signing_request: SigningRequest | None
    expired: bool = False


def check_link(token):
    """Reads a link's token (see :class:`LinkCheck`); reads only."""
    if not isinstance(token, str) or len(token) > _TOKEN_MAX_LENGTH:
        return LinkCheck(None)
    signer = signing.TimestampSigner(salt=LINK_SALT)
    expired = False
    try:
        value = signer.unsign(token, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        # Genuine, only old: a request signed since must still say so.
        value, expired = signer.unsign(token), True
    except signing.BadSignature:
        return LinkCheck(None)
    if not value.isdigit() or len(value) > 18:
        return LinkCheck(None)
    signing_request = (
        SigningRequest.objects.select_related("version", "organisation", "signature")
        .filter(pk=int(value))
        .first()
    )
    return LinkCheck(signing_request, expired=expired and signing_request is not None)


# The receipt's address -----------------------------------------------------------------------


def receipt_token(signature):
    return signing.Signer(salt=SALT).sign(str(signature.pk))


def signature_for_receipt_token(token):
    """The signature the token names (revoked ones included), or None."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    if not value.isdigit() or len(value) > 18:
        return None
    return (
        Signature.objects.select_related("version", "organisation", "edition")
        .filter(pk=int(value))
        .first()
    )
