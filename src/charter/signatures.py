"""The rules of signing the charter: recording a signature, revoking it, checking a receipt.

Every signature, online or at the ceremony, goes through :func:`record`. An organisation signs
a version at most once: the database's partial unique constraint
(``one_signature_per_organisation_and_version``) refuses a second standing signature, also
when two confirmations arrive at the same moment; the loser gets
:class:`SigningRefused` ``already_signed`` and nothing is written. A pole's signature is also
one of its recognitions (the version's ``recognition_kind``), shown in the directory.

Each signature has a receipt code: 16 characters of Crockford's base32 (80 random bits), shown
in groups of four (``7KQM-4XPA-9TDE-2B5C``). Anyone may check a code (:func:`verify`): the
answer says what the signature certifies, with no personal data beyond the public list's.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.models import SIGNING_KINDS, Signature
from events.models import PARIS
from network.enums import OrganisationKind
from network.models import Recognition

#: The public page that checks a receipt code (``?code=``); a pole's recognition from its
#: signature points to it, so revoking the signature removes that recognition and no other.
VERIFY_PATH = "/charte/verifier/"

#: Crockford's base32: no I, L, O or U, so that a code read aloud or retyped stays exact.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16
#: What people type for what they see (Crockford's rules).
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


class SigningRefused(Exception):
    """A signature the rules forbid. ``code`` is stable (API, tests); ``message`` translated."""

    MESSAGES = {
        "version_closed": _("This version of the charter is not open for signing."),
        "already_signed": _("This organisation has already signed this version of the charter."),
        "not_a_signing_kind": _("Only a pole or a partner network signs the charter."),
        "ceremony_closed": _("The signing ceremony of this day is not open."),
    }

    def __init__(self, code):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(code)


@dataclass(frozen=True)
class Verification:
    """What a receipt code certifies: ``status`` is "valid", "revoked" or "unknown"."""

    status: str
    signature: Signature | None = None


def new_receipt_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code):
    """``7KQM4XPA9TDE2B5C`` → ``7KQM-4XPA-9TDE-2B5C``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(text):
    """The stored form of a code as typed (any case, spaces and dashes, O for 0, I or L for 1),
    or None when it cannot be one."""
    if not isinstance(text, str) or len(text) > 4 * CODE_LENGTH:
        return None
    code = "".join(text.split()).replace("-", "").upper().translate(_READ_AS)
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def verify_path(signature):
    """The site-relative address that checks ``signature``'s receipt code."""
    return f"{VERIFY_PATH}?code={format_code(signature.receipt_code)}"


def verify_url(signature):
    """The absolute address that checks ``signature``'s receipt code."""
    return f"{settings.SITE_URL}{verify_path(signature)}"


def has_standing_signature(version, organisation):
    return Signature.objects.standing().filter(version=version, organisation=organisation).exists()


def record(
    version,
    organisation,
    *,
    representative_name,
    representative_role,
    name_is_public,
    channel,
    signed_at=None,
    edition=None,
    recorded_by=None,
):
    """Record ``organisation``'s signature of ``version``; returns the :class:`Signature`.

    Raises :class:`SigningRefused`: ``version_closed``, ``not_a_signing_kind`` (only poles and
    networks sign), ``already_signed`` (a standing signature exists, or won a race: nothing is
    written). Side effects, in one transaction: the signature; for a pole, the recognition of
    the version (kept if it was already recorded, e.g. from the directory's import).
    """
    if not version.is_open:
        raise SigningRefused("version_closed")
    if organisation.kind not in SIGNING_KINDS:
        raise SigningRefused("not_a_signing_kind")
    signed_at = signed_at or timezone.now()
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                version=version,
                organisation=organisation,
                representative_name=representative_name,
                representative_role=representative_role,
                name_is_public=name_is_public,
                channel=channel,
                signed_at=signed_at,
                edition=edition,
                recorded_by=recorded_by,
                receipt_code=new_receipt_code(),
            )
            _recognise(signature)
    except IntegrityError:
        # The one unique constraint a new row can break besides the 80-bit random code.
        if has_standing_signature(version, organisation):
            raise SigningRefused("already_signed") from None
        raise
    return signature


def _recognise(signature):
    version = signature.version
    pole = _pole_of(signature.organisation)
    if pole is None or not version.recognition_kind:
        return
    Recognition.objects.get_or_create(
        pole=pole,
        kind=version.recognition_kind,
        defaults={
            "date": timezone.localtime(signature.signed_at, PARIS).date(),
            "source": verify_url(signature),
        },
    )


def _pole_of(organisation):
    if organisation.kind != OrganisationKind.POLE:
        return None
    return getattr(organisation, "pole", None)


def revoke(signature, *, reason, now=None):
    """Revoke a signature (a mistake, a signature made without mandate): it no longer counts,
    its receipt says "revoked", and the organisation may sign the version again. A pole loses
    the recognition this signature gave it (one recorded otherwise, e.g. imported with the
    directory, stays). Revoking twice changes nothing."""
    if signature.revoked_at is not None:
        return signature
    with transaction.atomic():
        signature.revoked_at = now or timezone.now()
        signature.revocation_reason = reason
        signature.save(update_fields=["revoked_at", "revocation_reason"])
        pole = _pole_of(signature.organisation)
        if pole is not None:
            Recognition.objects.filter(pole=pole, source=verify_url(signature)).delete()
    return signature


def verify(text):
    """What the receipt code ``text`` certifies (see :class:`Verification`); reads only."""
    code = normalise_code(text)
    if code is None:
        return Verification("unknown")
    signature = (
        Signature.objects.select_related("version", "organisation", "edition")
        .filter(receipt_code=code)
        .first()
    )
    if signature is None:
        return Verification("unknown")
    return Verification("revoked" if signature.revoked_at else "valid", signature)
