"""The private manage link: a signed token naming one registration, with no account.

The token is the registration's ``public_id`` signed with ``SECRET_KEY`` (salted for this
use), so a tampered or made-up token names nobody. It does not expire: the attendee needs it
until the day; cancelling or correcting is then refused by the rules, not by the link.
"""

from django.core import signing
from django.urls import reverse

from registrations.models import Registration

SALT = "registrations.manage"


def manage_token(registration):
    return signing.Signer(salt=SALT).sign(registration.public_id.hex)


def registration_for_token(token):
    """The registration the token names, or None when the token is tampered or unknown."""
    try:
        public_id = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    return (
        Registration.objects.select_related("edition", "category", "organisation")
        .filter(public_id=public_id)
        .first()
    )


def manage_path(registration):
    return reverse("registrations:manage", args=[manage_token(registration)])


# What the apps above offer from the manage link --------------------------------------------

_offers = {}


def offer(name, function):
    """Registers ``function(registration, token)``, which gives the address of a page that the
    manage page links to under ``name`` (the admission app's ``certificate`` of attendance),
    or None when it has none for this registration. The app registers it when it is ready:
    this app cannot import it."""
    _offers[name] = function


def offered(name, registration, token):
    """The address registered under ``name`` for ``registration``, or None (none registered,
    or none for this registration)."""
    function = _offers.get(name)
    return None if function is None else function(registration, token)
