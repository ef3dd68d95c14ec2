"""``GET /api/v1/me``: who the bearer token is, with its roles (see :mod:`accounts.bearer`)."""

from ninja import Router, Schema

from accounts.bearer import BearerAuth

router = Router(tags=["accounts"])


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
