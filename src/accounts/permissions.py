"""Who may do what: the one permission rule that views, the API and commands call.

A user's role comes from a :class:`~accounts.models.Membership`: a role given by an
organisation, optionally narrowed to one edition. A membership applies to an object when the
object's scope includes that organisation and the membership is not narrowed to another
edition:

- an edition: its organising organisations, and the edition itself;
- anything that belongs to an edition (session, speaker, and later registrations, tickets…):
  the scope of that edition;
- a venue: its owning organisation, no edition;
- an organisation: itself, no edition (so memberships narrowed to an edition never apply).

What each role allows is the table ``accounts.enums.ROLE_ACTIONS``. Superusers may do
everything; inactive and anonymous users nothing.

A request made with an API token is narrowed further by the token (:func:`limit_to_token`):
only the actions in its scopes, and only its edition when it names one. The token never
adds anything to its user's roles.

A user's roles are read from the database once, at the first check, and kept on the user
object (so once per request): no query per check. Code that changes memberships or an
edition's organisers and checks again with the same user object calls :func:`forget` first.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.enums import ROLE_ACTIONS
from common.permissions import Action
from events.models import Edition, Venue
from network.models import Organisation

_CACHE_ATTRIBUTE = "_ptce_roles"
_TOKEN_ATTRIBUTE = "_ptce_token_limits"  # noqa: S105 (an attribute name)
_NO_ROLES = frozenset()


@dataclass(frozen=True)
class Roles:
    """The roles of one user, resolved to the organisations and editions they apply to."""

    #: organisation id → roles given by that organisation for all its editions.
    by_organisation: dict
    #: edition id → roles that apply to that edition.
    by_edition: dict

    def on_organisation(self, organisation_id):
        return self.by_organisation.get(organisation_id, _NO_ROLES)

    def on_edition(self, edition_id):
        return self.by_edition.get(edition_id, _NO_ROLES)

    @property
    def all(self):
        return frozenset().union(*self.by_organisation.values(), *self.by_edition.values())


def _load_roles(user):
    """Read the user's memberships, with the editions each organisation organises (one query)."""
    by_organisation, by_edition = {}, {}
    # Through the reverse relation: this module is imported by the user model.
    rows = user.memberships.values_list(
        "organisation_id", "role", "edition_id", "organisation__organised_editions"
    )
    for organisation_id, role, narrowed_to, organised_edition in rows:
        if narrowed_to is None:
            by_organisation.setdefault(organisation_id, set()).add(role)
        if organised_edition is not None and narrowed_to in (None, organised_edition):
            by_edition.setdefault(organised_edition, set()).add(role)
    return Roles(
        by_organisation={key: frozenset(value) for key, value in by_organisation.items()},
        by_edition={key: frozenset(value) for key, value in by_edition.items()},
    )


def roles_of(user):
    """The user's :class:`Roles`, read once and then kept on the user object."""
    roles = getattr(user, _CACHE_ATTRIBUTE, None)
    if roles is None:
        roles = _load_roles(user)
        setattr(user, _CACHE_ATTRIBUTE, roles)
    return roles


def forget(user):
    """Drop the roles kept on ``user``, so that the next check reads them again."""
    if user is not None and hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


@dataclass(frozen=True)
class TokenLimits:
    """What an API token narrows its user's rights to."""

    actions: frozenset
    edition_id: int | None

    def allow(self, action, edition_id=None, *, organisation_wide=False):
        if action not in self.actions:
            return False
        if self.edition_id is None:
            return True
        return not organisation_wide and edition_id == self.edition_id


def limit_to_token(user, token):
    """Narrow ``user`` (the user object of this request) to what ``token`` allows."""
    setattr(
        user,
        _TOKEN_ATTRIBUTE,
        TokenLimits(
            actions=frozenset(Action(scope) for scope in token.scopes if scope in Action.values),
            edition_id=token.edition_id,
        ),
    )


def _token_limits(user):
    return getattr(user, _TOKEN_ATTRIBUTE, None)


def _edition_id_of(obj):
    """The edition ``obj`` belongs to, or ``None`` for organisations and venues."""
    if isinstance(obj, Edition):
        return obj.pk
    if isinstance(obj, Organisation | Venue):
        return None
    if hasattr(obj, "edition_id"):
        return obj.edition_id
    edition = getattr(obj, "edition", None)
    return edition.pk if isinstance(edition, Edition) else None


def _token_allows(user, action, obj):
    limits = _token_limits(user)
    if limits is None:
        return True
    return limits.allow(
        action, _edition_id_of(obj), organisation_wide=isinstance(obj, Organisation | Venue)
    )


def _is_active(user):
    return user is not None and user.is_authenticated and user.is_active


def _allows(roles, action):
    return any(action in ROLE_ACTIONS[role] for role in roles)


def _roles_on(user, obj):
    roles = roles_of(user)
    if isinstance(obj, Organisation):
        return roles.on_organisation(obj.pk)
    if isinstance(obj, Venue):
        return roles.on_organisation(obj.owner_id)
    if isinstance(obj, Edition):
        return roles.on_edition(obj.pk)
    if hasattr(obj, "edition_id"):
        return roles.on_edition(obj.edition_id)
    # Objects that reach their edition through another object (a ticket through its
    # registration) expose it as an ``edition`` property.
    edition = getattr(obj, "edition", None)
    if isinstance(edition, Edition):
        return roles.on_edition(edition.pk)
    raise TypeError(f"No permission scope is defined for {type(obj).__name__} objects.")


def can(user, action, obj):
    """Whether ``user`` may do ``action`` (a :class:`~common.permissions.Action`) to ``obj``."""
    if not _is_active(user):
        return False
    action = Action(action)
    if not _token_allows(user, action, obj):
        return False
    if user.is_superuser:
        return True
    return _allows(_roles_on(user, obj), action)


def require(user, action, obj):
    """Raise ``PermissionDenied`` unless ``user`` may do ``action`` to ``obj``."""
    if not can(user, action, obj):
        raise PermissionDenied


def editions_for(user, action):
    """The editions on which ``user`` may do ``action``, as a queryset."""
    if not _is_active(user):
        return Edition.objects.none()
    action = Action(action)
    limits = _token_limits(user)
    if limits is not None and action not in limits.actions:
        return Edition.objects.none()
    if user.is_superuser:
        editions = Edition.objects.all()
    else:
        ids = [pk for pk, roles in roles_of(user).by_edition.items() if _allows(roles, action)]
        editions = Edition.objects.filter(pk__in=ids)
    if limits is not None and limits.edition_id is not None:
        editions = editions.filter(pk=limits.edition_id)
    return editions


def organisations_for(user, action):
    """The organisations on which ``user`` may do ``action`` (roles not narrowed to an edition)."""
    if not _is_active(user):
        return Organisation.objects.none()
    action = Action(action)
    limits = _token_limits(user)
    if limits is not None and not limits.allow(action, organisation_wide=True):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    ids = [pk for pk, roles in roles_of(user).by_organisation.items() if _allows(roles, action)]
    return Organisation.objects.filter(pk__in=ids)


def on_any_edition(user, action):
    """Whether ``user`` may do ``action`` on at least one edition (without a query once read)."""
    if not _is_active(user):
        return False
    action = Action(action)
    limits = _token_limits(user)
    if limits is not None:
        if action not in limits.actions:
            return False
        if limits.edition_id is not None:
            roles = roles_of(user).on_edition(limits.edition_id)
            return user.is_superuser or _allows(roles, action)
    if user.is_superuser:
        return True
    return any(_allows(roles, action) for roles in roles_of(user).by_edition.values())


def on_any_organisation(user, action):
    """Whether ``user`` may do ``action`` on at least one organisation as a whole."""
    if not _is_active(user):
        return False
    action = Action(action)
    limits = _token_limits(user)
    if limits is not None and not limits.allow(action, organisation_wide=True):
        return False
    if user.is_superuser:
        return True
    return any(_allows(roles, action) for roles in roles_of(user).by_organisation.values())


def can_open_admin(user):
    """Whether ``user`` may open the admin site: active superusers only. Organisers and
    editors work in the organisers' area (the pages under ``…/gestion/``)."""
    return _is_active(user) and user.is_superuser


def require_edition(user, slug, action):
    """The edition with ``slug`` if ``user`` may do ``action`` to it: the organiser pages'
    first step. Raises ``Http404`` for an unknown slug, ``PermissionDenied`` otherwise."""
    edition = get_object_or_404(Edition, slug=slug)
    require(user, action, edition)
    return edition
