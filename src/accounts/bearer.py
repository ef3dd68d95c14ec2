"""API authentication by bearer token, for every router of the API.

Routers protect their endpoints with ``auth=BearerAuth()`` and then decide with
``accounts.permissions.can(request.auth, action, obj)``, exactly like views do.
"""

from django.utils.translation import gettext_lazy
from ninja.security import HttpBearer

from accounts import permissions
from accounts.models import ApiToken
from accounts.permissions import limit_to_token
from common.api import ApiError
from events.models import Edition


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
