"""The questionnaire's emailed link: a signed token naming a :class:`FeedbackLink`'s random
key (salted for this use only, with no expiry: the link lives until the day's personal data
is deleted, and the link with it). A tampered or made-up token names nobody.

The links are personal data of the registrations app's kind (they name a registration):
:data:`HOLDING` hands them to its retention rules, which delete them with the day's
personal data, or one person's on their erasure.
"""

import uuid

from django.core import signing

from feedback.models import FeedbackLink
from registrations.privacy import Holding

SALT = "feedback.answer"
#: A signed token is about 60 characters; anything much longer was not made here.
_TOKEN_MAX_LENGTH = 120


def token(link):
    return signing.Signer(salt=SALT).sign(link.key.hex)


def key_of(value):
    """The key a token names, or None when it was not made here."""
    if not isinstance(value, str) or len(value) > _TOKEN_MAX_LENGTH:
        return None
    try:
        return uuid.UUID(hex=signing.Signer(salt=SALT).unsign(value))
    except (signing.BadSignature, ValueError):
        return None


def _erase(registration):
    deleted, _ = FeedbackLink.objects.filter(registration=registration).delete()
    return deleted


def _anonymise(edition, now):
    deleted, _ = FeedbackLink.objects.filter(questionnaire__edition=edition).delete()
    return deleted


def _copy(registration):
    # The answer itself is tied to nobody. Whether the link was used is not said either:
    # organisers make copies too, and while answers are few it would tell them whose is whose.
    return [
        {"questionnaire_link_sent": True}
        for link in FeedbackLink.objects.filter(registration=registration)
    ]


HOLDING = Holding(
    name="feedback_links",
    delete_venue_data=None,
    erase=_erase,
    copy=_copy,
    anonymise=_anonymise,
)
