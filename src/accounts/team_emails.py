"""The emails of the team pages: one function per email, each writing an outbox record.

Each function is called inside the transaction of the change it announces, so a rolled-back
change sends nothing (:mod:`outbox.services`). Messages are rendered when they are sent, from
the membership as it then is: a role withdrawn meanwhile sends nothing.

- ``invitation``: a role was given to an address with no password yet: the link to choose
  one (:mod:`accounts.invitation_links`: signed, valid ``LINK_MAX_AGE`` from when it is sent);
- ``role_given``: a role was given to an existing account.

``accounts.emails`` imports this module, so that the outbox (which imports every app's
``emails`` module when the apps are ready) registers these builders in the worker too.
"""

from django.conf import settings
from django.urls import reverse

from accounts.enums import Role
from accounts.invitation_links import LINK_MAX_AGE, is_pending, link_token
from accounts.models import Membership
from common.mail import render_email
from outbox.services import builder, enqueue

INVITATION = "accounts.invitation"
ROLE_GIVEN = "accounts.role_given"


def invitation(membership, *, by, language):
    _write(INVITATION, membership, by=by, language=language)


def role_given(membership, *, by, language):
    _write(ROLE_GIVEN, membership, by=by, language=language)


def _write(kind, membership, *, by, language):
    enqueue(
        kind,
        to=membership.user.email,
        object_id=membership.pk,
        edition=membership.edition_id,
        language=language,
        # Who invited, as the team pages show it: a colleague's name, not an attendee's.
        context={"by": by.get_full_name() or by.get_username()},
    )


# Builders: run by the worker when a message is sent -----------------------------------------


@builder(INVITATION)
def build_invitation(message):
    membership = _membership(message)
    if membership is None or not is_pending(membership.user):
        return None  # Withdrawn, or the person already chose a password.
    path = reverse("accounts:invitation_accept", args=[link_token(membership.user)])
    context = _context(
        membership, message, accept_url=settings.SITE_URL + path, days=LINK_MAX_AGE.days
    )
    return _email("invitation", context)


@builder(ROLE_GIVEN)
def build_role_given(message):
    membership = _membership(message)
    if membership is None:
        return None
    login_url = settings.SITE_URL + reverse("accounts:login")
    return _email("role_given", _context(membership, message, login_url=login_url))


def _membership(message):
    return (
        Membership.objects.select_related("user", "organisation", "edition")
        .filter(pk=message.object_id)
        .first()
    )


def _context(membership, message, **extra):
    return {
        "membership": membership,
        "username": membership.user.get_username(),
        "organisation": membership.organisation.name,
        "edition": membership.edition.title if membership.edition_id else "",
        "role": Role(membership.role).label,
        "by": message.context.get("by", ""),
        "site_url": settings.SITE_URL,
        "language": message.language,
        **extra,
    }


def _email(name, context):
    return render_email(f"accounts/team/email/{name}", context, language=context["language"])
