"""Giving roles: which organisation gives it, and the membership itself.

Used by ``ptce adduser`` (and by the demo data); the admin gives roles through its forms.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.enums import ROLE_ACTIONS
from accounts.models import Membership
from common.permissions import Action
from events.models import Edition
from network.models import Organisation


def find_edition(slug):
    """The edition with this slug; ``ValidationError`` (code ``unknown_edition``) if none."""
    edition = Edition.objects.filter(slug=slug).first()
    if edition is None:
        raise ValidationError(
            _("No edition has the slug “%(slug)s”.") % {"slug": slug}, code="unknown_edition"
        )
    return edition


def choose_organisation(slug, edition=None):
    """The organisation giving a role: the one named by ``slug``; else the edition's organiser
    when it has exactly one; else the only organisation that organises any edition.

    Raises ``ValidationError`` when the choice is unknown, ambiguous or does not organise
    ``edition``.
    """
    if slug:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise ValidationError(
                _("No organisation has the slug “%(slug)s”.") % {"slug": slug},
                code="unknown_organisation",
            )
        if edition is not None and not edition.organisers.filter(pk=organisation.pk).exists():
            raise ValidationError(
                _("%(organisation)s does not organise %(edition)s.")
                % {"organisation": organisation, "edition": edition},
                code="not_organiser",
            )
        return organisation
    if edition is not None:
        candidates = list(edition.organisers.all())
    else:
        candidates = list(Organisation.objects.filter(organised_editions__isnull=False).distinct())
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ValidationError(
            _("No organisation organises an edition yet: give --organisation."),
            code="no_organisation",
        )
    raise ValidationError(
        _("Several organisations could give this role; say which with --organisation: %(slugs)s.")
        % {"slugs": ", ".join(sorted(candidate.slug for candidate in candidates))},
        code="ambiguous_organisation",
    )


def give_role(user, *, role, organisation, edition=None):
    """Give ``user`` the ``role`` in ``organisation`` (for ``edition`` only, if given).

    Idempotent: returns ``(membership, created)``. The user's cached roles are forgotten.
    """
    membership = Membership(user=user, role=role, organisation=organisation, edition=edition)
    membership.clean()
    membership, created = Membership.objects.get_or_create(
        user=user, role=role, organisation=organisation, edition=edition
    )
    permissions.forget(user)
    return membership, created


def users_for(edition, action):
    """The active users a role allows to do ``action`` on ``edition`` (superusers aside): a
    role given by one of its organisers, for all their editions or for this one."""
    action = Action(action)
    roles = [role for role, actions in ROLE_ACTIONS.items() if action in actions]
    members = Membership.objects.filter(
        Q(edition=None) | Q(edition=edition),
        role__in=roles,
        organisation__organised_editions=edition,
    ).values("user_id")
    return get_user_model().objects.filter(is_active=True, pk__in=members)
