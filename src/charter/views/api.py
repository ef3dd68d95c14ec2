"""The charter as JSON: its versions and their signatures (public).

Organisations only, and a representative's name and role when they agreed to be named; never
an email address nor a receipt code (a code is checked on the verification page). The rules
of the list are :mod:`charter.listing`'s, shared with the public pages.
"""

from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate

from charter import listing
from charter.models import CharterVersion
from charter.schemas import SignatureFilters, SignatureOut, VersionOut
from common.api import ApiError, ErrorOut, ValidationErrorOut, pagination

router = Router(tags=["charter"])

#: A page of the API holds as many signatures as a page of the list.
DEFAULT_LIMIT = listing.PAGE_SIZE
MAX_LIMIT = 100
#: Beyond this an offset is a mistake (a few hundred organisations sign).
MAX_OFFSET = 100_000


SignaturePagination = pagination(default=DEFAULT_LIMIT, maximum=MAX_LIMIT, max_offset=MAX_OFFSET)


@router.get(
    "/charter/versions",
    response=list[VersionOut],
    operation_id="list_charter_versions",
    summary="Versions of the charter",
)
def list_versions(request):
    """Every version of the charter, oldest first, with whether it is open for signing,
    whether its text is a placeholder, and its number of standing signatures."""
    return list(listing.versions())


@router.get(
    "/charter/{version}/signatures",
    response={200: list[SignatureOut], 404: ErrorOut, 422: ValidationErrorOut},
    operation_id="list_charter_signatures",
    summary="Standing signatures of a version of the charter",
)
@paginate(SignaturePagination)
def list_signatures(request, version: str, filters: Query[SignatureFilters]):
    """The version's standing signatures, latest first, as the public list shows them.

    ``region`` is the code of a region since 2016: an organisation is in it when its
    declared territory touches it (else when it is based there); an unknown code answers
    422. ``representative`` is null unless the representative agreed to be named. An
    unknown version answers 404 ``not_found``.
    """
    if not CharterVersion.objects.filter(slug=version).exists():
        raise ApiError("not_found", _("The charter has no such version."), status=404)
    signatures = listing.filter_signatures(
        listing.public_signatures(), version=version, **filters.model_dump(exclude_none=True)
    )
    return listing.with_details(signatures)
