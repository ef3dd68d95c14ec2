"""API authentication by bearer token, and ``GET /api/v1/me``.

Other routers protect their endpoints with ``auth=BearerAuth()`` and then decide with
``accounts.permissions.can(request.auth, action, obj)``, exactly like views do.
"""

from django.utils.translation import gettext_lazy
from ninja import Router, Schema
from ninja.security import HttpBearer

from accounts import permissions
from accounts.models import ApiToken
from accounts.permissions import limit_to_token
from common.api import ApiError
from events.models import Edition

router = Router(tags=["accounts"])


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>``: the token's user, with that user's roles.

    On success ``request.auth`` and ``request.user`` are the token's user, narrowed to the
    token's scopes and edition, and ``request.api_token`` the token; an unknown or revoked
    token (or one whose user was deactivated) answers 401.
    """

    def authenticate(self, request, token):
        api_token = ApiToken.objects.resolve(token)
        if api_token is None:
            return None
        limit_to_token(api_token.user, api_token)
        request.api_token = api_token
        request.user = api_token.user
        return api_token.user


def edition_for(slug, user, action):
    """The edition with ``slug`` if ``user`` may do ``action`` to it: else 404, or 403."""
    edition = Edition.objects.filter(slug=slug).first()
    if edition is None:
        raise ApiError("not_found", gettext_lazy("No edition has this address."), status=404)
    permissions.require(user, action, edition)
    return edition


class RoleOut(Schema):
    organisation: str
    role: str
    edition: str | None


class MeOut(Schema):
    username: str
    is_superuser: bool
    roles: list[RoleOut]


@router.get("/me", response=MeOut, auth=BearerAuth(), summary="The token's user and roles")
def me(request):
    user = request.auth
    memberships = (
        user.memberships.select_related("organisation", "edition")
        .order_by("organisation__slug", "role", "edition__slug")
        .all()
    )
    return {
        "username": user.get_username(),
        "is_superuser": user.is_superuser,
        "roles": [
            {
                "organisation": membership.organisation.slug,
                "role": membership.role,
                "edition": membership.edition.slug if membership.edition else None,
            }
            for membership in memberships
        ],
    }
