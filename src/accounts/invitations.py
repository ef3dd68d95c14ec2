"""The team of an organising organisation: inviting people by email, accepting an
invitation, withdrawing a role.

- :func:`invite`: an organiser who manages an organisation gives a role to an email
  address. An address with no account gets a new, inactive account (no usable password)
  and an emailed link (:mod:`accounts.invitation_links`: signed, single use, valid
  ``LINK_MAX_AGE``) to the page where the person chooses a password (:func:`accept`); an
  address with an account just gets the role, and an email saying so.
- :func:`withdraw`: an organiser withdraws a role; never their own organiser role of the
  organisation as a whole, so that nobody locks themselves out by mistake.

Every role given or withdrawn writes an audit line (``AuditAction.ROLE``), in the same
transaction; it names the account by its username, never by its email.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import audit, permissions, roles, team_emails
from accounts.enums import AuditAction, Role
from accounts.invitation_links import is_pending
from accounts.models import Membership, User
from common.permissions import Action

_USERNAME_MAX = User._meta.get_field("username").max_length


class InvitationRefused(ValidationError):
    """An invitation or a withdrawal that the rules refuse; ``code`` says why."""


def normalise_email(email):
    return BaseUserManager.normalize_email((email or "").strip())


def username_for(email):
    """A free username made from the address' local part (``marie.dupont``, then
    ``marie.dupont-2``…): what the audit log and the team pages show instead of the email."""
    local = email.rsplit("@", 1)[0]
    base = slugify(re.sub(r"[.+]", "-", local))[: _USERNAME_MAX - 4].strip("-_") or "membre"
    taken = User.objects.filter(username__istartswith=base).values_list("username", flat=True)
    taken = {name.casefold() for name in taken}
    candidate, number = base, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def scope_label(membership):
    """“Réseau Exemple” or “Réseau Exemple, Journée 2024”: where a role applies."""
    if membership.edition_id:
        return f"{membership.organisation.name}, {membership.edition.title}"
    return membership.organisation.name


def _describe(change, membership):
    # Audit lines are written in the site's language, whoever reads them later.
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "role": Role(membership.role).label,
            "username": membership.user.get_username(),
            "scope": scope_label(membership),
        }
        if change == "given":
            return _("%(role)s role given to %(username)s (%(scope)s)") % values
        return _("%(role)s role withdrawn from %(username)s (%(scope)s)") % values


def _audit(by, change, membership):
    audit.record(
        by,
        AuditAction.ROLE,
        _describe(change, membership),
        edition=membership.edition,
        detail={
            "change": change,
            "role": membership.role,
            "username": membership.user.get_username(),
            "organisation": membership.organisation.slug,
            "edition": membership.edition.slug if membership.edition_id else None,
        },
    )


@dataclass(frozen=True)
class Invited:
    """What :func:`invite` did: the membership, and whether the account is new."""

    membership: Membership
    new_account: bool


def invite(by, *, email, role, organisation, edition=None, language=None):
    """``by`` gives ``role`` in ``organisation`` (for ``edition`` only, if given) to the
    person with ``email``.

    Side effects, in one transaction: an inactive account with no usable password when the
    address has none; the membership; an audit line; an email (the invitation link for an
    account still waiting for its password, else a note that the role was given).

    Raises ``PermissionDenied`` unless ``by`` manages ``organisation``, and
    :class:`InvitationRefused` (``edition_not_organised``, ``already_given``) otherwise.
    """
    permissions.require(by, Action.MANAGE, organisation)
    role = Role(role)
    email = normalise_email(email)
    if edition is not None and not edition.organisers.filter(pk=organisation.pk).exists():
        raise InvitationRefused(
            _("This edition is not organised by this organisation."), code="edition_not_organised"
        )
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        new_account = user is None
        if new_account:
            user = User(username=username_for(email), email=email, is_active=False)
            user.set_unusable_password()
            user.save()
        membership, created = roles.give_role(
            user, role=role, organisation=organisation, edition=edition
        )
        if not created:
            raise InvitationRefused(
                _("This person already has this role here."), code="already_given"
            )
        _audit(by, "given", membership)
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        if is_pending(user):
            team_emails.invitation(membership, by=by, language=language)
        else:
            team_emails.role_given(membership, by=by, language=language)
    return Invited(membership=membership, new_account=new_account)


def withdraw(by, membership):
    """``by`` withdraws ``membership``. Side effects, in one transaction: the membership is
    deleted and an audit line written.

    Raises ``PermissionDenied`` unless ``by`` manages the membership's organisation, and
    :class:`InvitationRefused` ``own_last_role`` for ``by``'s own organiser role over the
    whole organisation (another organiser must do it).
    """
    permissions.require(by, Action.MANAGE, membership.organisation)
    if (
        membership.user_id == by.pk
        and membership.role == Role.ORGANISER
        and membership.edition_id is None
    ):
        raise InvitationRefused(
            _(
                "You cannot withdraw your own organiser role: you would no longer manage this "
                "organisation. Ask another organiser to do it."
            ),
            code="own_last_role",
        )
    with transaction.atomic():
        _audit(by, "withdrawn", membership)
        membership.delete()
    permissions.forget(membership.user)


def accept(form):
    """The invited person chose a password (a valid ``SetPasswordForm`` of their account):
    it is saved and the account becomes active. Side effects, in one transaction: the
    account saved, an audit line. Returns the user."""
    with transaction.atomic():
        user = form.user
        user.is_active = True
        form.save()
        with translation.override(settings.LANGUAGE_CODE):
            what = _("%(username)s accepted the invitation and chose a password") % {
                "username": user.get_username()
            }
        audit.record(user, AuditAction.ACCOUNT, what, detail={"change": "invitation_accepted"})
    return user
