"""The private address of a signature's receipt: a signed token naming the signature, with no
account and no expiry (the representative keeps it, as a registration's manage link).

A tampered or made-up token names nobody. Distinct salt from every other signed link.
"""

from django.core import signing

from charter.models import Signature

SALT = "charter.receipt"


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
