"""API tokens made from the site: which scopes a user may give, creating and revoking.

A token acts for its user and never beyond: its scopes are chosen among the actions the
user's roles allow somewhere (:func:`grantable_actions`), and a token narrowed to an edition
only among those the user's roles allow on that edition. ``permissions.can`` checks the
user's roles again at every call, so a role withdrawn later also narrows the token.

Who may revoke a token: its user, a superuser, and an organiser who manages an organisation
the token's user has a role in (:func:`may_revoke`). Creating and revoking each write an
audit line (``AuditAction.TOKEN``) in the same transaction.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import audit, permissions
from accounts.enums import ROLE_ACTIONS, AuditAction
from accounts.models import ApiToken, Membership
from common import french
from common.permissions import Action
from events.models import Edition


class TokenRefused(ValidationError):
    """A token the rules refuse; ``code`` says why."""


def _ordered(actions):
    return [action for action in Action if action in actions]


def grantable_actions(user):
    """The actions ``user``'s roles allow somewhere, in the order of ``Action``."""
    if not user.is_active:
        return []
    if user.is_superuser:
        return list(Action)
    roles = permissions.roles_of(user).all
    return _ordered(frozenset().union(*(ROLE_ACTIONS[role] for role in roles)))


def actions_on(user, edition):
    """The actions ``user``'s roles allow on ``edition``."""
    if user.is_superuser:
        return list(Action)
    roles = permissions.roles_of(user).on_edition(edition.pk)
    return _ordered(frozenset().union(*(ROLE_ACTIONS[role] for role in roles)))


def workable_editions(user):
    """The editions ``user`` has a role on (all of them for a superuser), newest first."""
    if user.is_superuser:
        editions = Edition.objects.all()
    else:
        editions = Edition.objects.filter(pk__in=list(permissions.roles_of(user).by_edition))
    return editions.order_by("-date", "title")


def create(user, *, name, scopes, edition=None):
    """Make a token for ``user`` with these ``scopes`` (actions), for ``edition`` only if
    given. Returns ``(token, raw)``; ``raw`` is shown once and never stored.

    Side effects, in one transaction: the token, an audit line. Raises
    :class:`TokenRefused`: ``no_scope``, ``beyond_roles`` (a scope the user's roles do not
    allow), ``edition_not_yours``, ``beyond_roles_on_edition``.
    """
    scopes = [Action(scope) for scope in scopes]
    if not scopes:
        raise TokenRefused(_("Choose at least one thing the token may do."), code="no_scope")
    beyond = [scope for scope in scopes if scope not in grantable_actions(user)]
    if beyond:
        raise TokenRefused(
            _("Your roles do not allow: %(actions)s.") % {"actions": _labels(beyond)},
            code="beyond_roles",
        )
    if edition is not None:
        if not workable_editions(user).filter(pk=edition.pk).exists():
            raise TokenRefused(_("You have no role on this edition."), code="edition_not_yours")
        allowed = actions_on(user, edition)
        beyond = [scope for scope in scopes if scope not in allowed]
        if beyond:
            raise TokenRefused(
                _("On this edition your roles do not allow: %(actions)s.")
                % {"actions": _labels(beyond)},
                code="beyond_roles_on_edition",
            )
    with transaction.atomic():
        token, raw = ApiToken.issue(
            user, name=name.strip(), scopes=scopes, edition=edition, created_by=user
        )
        _audit(user, "created", token)
    return token, raw


def may_revoke(user, token):
    """Whether ``user`` may revoke ``token``."""
    if not user.is_active:
        return False
    if token.user_id == user.pk or user.is_superuser:
        return True
    managed = permissions.organisations_for(user, Action.MANAGE)
    return Membership.objects.filter(user_id=token.user_id, organisation__in=managed).exists()


def revoke(token, *, by):
    """``by`` revokes ``token`` (nothing happens to a revoked one). Side effects, in one
    transaction: ``revoked_at`` set, an audit line. ``PermissionDenied`` unless
    :func:`may_revoke`."""
    if not may_revoke(by, token):
        raise PermissionDenied
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoke()
        _audit(by, "revoked", token)


def member_tokens(user):
    """The tokens of the people who have a role in an organisation ``user`` manages
    (``user``'s own included), newest first."""
    managed = permissions.organisations_for(user, Action.MANAGE)
    users = Membership.objects.filter(organisation__in=managed).values("user_id")
    return ApiToken.objects.filter(user_id__in=users).select_related("user", "edition")


def scope_labels(token):
    """The labels of a token's scopes, in the order of ``Action``."""
    return [action.label for action in Action if action.value in token.scopes]


def _labels(actions):
    return ", ".join(str(Action(action).label) for action in actions)


def _audit(by, change, token):
    with translation.override(settings.LANGUAGE_CODE):
        username = token.user.get_username()
        values = {"hint": token.hint, "username": username, "of_username": french.of(username)}
        if change == "created":
            what = _("API token %(hint)s… created for %(username)s") % values
        else:
            what = _("API token %(hint)s… %(of_username)s revoked") % values
    audit.record(
        by,
        AuditAction.TOKEN,
        what,
        edition=token.edition,
        detail={
            "change": change,
            "token": token.pk,
            "hint": token.hint,
            "username": token.user.get_username(),
            "scopes": list(token.scopes),
            "edition": token.edition.slug if token.edition_id else None,
        },
    )
