"""The directory as JSON: poles (filtered as the directory), one pole, organisations for
autocomplete. Public: organisations only, never people."""

from django.db.models import Case, Exists, OuterRef, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router
from ninja.errors import ValidationError
from ninja.pagination import paginate

from common.api import ApiError, ErrorOut, ValidationErrorOut, invalid, pagination
from common.text import fold
from network import composition, directory
from network.models import Organisation, Pole, Sector
from network.schemas import (
    OrganisationOut,
    OrganisationSearch,
    PoleDetailOut,
    PoleFilters,
    PoleSummaryOut,
)

router = Router(tags=["directory"])

#: A page of the API holds as many poles as a page of the directory.
DEFAULT_LIMIT = directory.PAGE_SIZE
MAX_LIMIT = 100
#: Beyond this an offset is a mistake (the directory has a few hundred poles).
MAX_OFFSET = 100_000
#: Poles are numbered by the database: beyond its integers, no pole can match.
MAX_ID = 2**31 - 1
#: Autocomplete answers stay short: the user types more to narrow them down.
AUTOCOMPLETE_LIMIT = 20


PolePagination = pagination(default=DEFAULT_LIMIT, maximum=MAX_LIMIT, max_offset=MAX_OFFSET)


def filter_poles(poles, filters):
    """``poles`` narrowed by ``filters`` (a :class:`PoleFilters`), as the directory does.

    The schema has checked the codes; a sector is checked here (one query when given) since
    the directory ignores an unknown one where the API answers 422.
    """
    if filters.sector and not Sector.objects.filter(slug=filters.sector).exists():
        raise ValidationError(
            [
                invalid(
                    "sector",
                    "unknown_sector",
                    _("No sector of activity has this slug."),
                    where="query",
                )
            ]
        )
    given = filters.model_dump(exclude_none=True)
    return directory.filter_poles(poles, **given)


@router.get(
    "/poles",
    response={200: list[PoleSummaryOut], 422: ValidationErrorOut},
    operation_id="list_poles",
    summary="Poles of the directory",
)
@paginate(PolePagination)
def list_poles(request, filters: Query[PoleFilters]):
    """Poles in the directory's order (by name), with the directory's filters.

    ``region`` is a region code of ``period`` (``current``: the 13+5 regions since 2016;
    ``2015``: the 22+5 before); a pole is in a region or department when its declared
    territory touches it. An unknown code, sector, recognition or composition status answers
    422 with the code ``invalid``.
    """
    return filter_poles(Pole.objects.for_directory(), filters)


@router.get(
    "/poles/{pole_id}",
    response={200: PoleDetailOut, 404: ErrorOut},
    operation_id="get_pole",
    summary="One pole, with its territory, members and composition check",
)
def get_pole(request, pole_id: int):
    """A pole with its territory (INSEE codes and names), its member organisations by
    article 9 category, its recognitions and the article 9 check of its composition."""
    poles = directory.poles_for_page()
    pole = poles.filter(pk=pole_id).first() if 0 < pole_id <= MAX_ID else None
    if pole is None:
        raise ApiError("not_found", gettext_lazy("No pole has this number."), status=404)
    pole.composition_check = composition.check(
        pole, members=list(pole.members.all()), has_territory=bool(pole.territory.all())
    )
    # The check just made is the one shown: the stored status says the same once refreshed.
    pole.composition_status = pole.composition_check.status
    return pole


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], 422: ValidationErrorOut},
    operation_id="search_organisations",
    summary="Organisations whose name or town matches, for autocomplete",
)
def search_organisations(request, params: Query[OrganisationSearch]):
    """At most 20 organisations whose name or town holds every word of ``search`` (accents and
    case ignored), those starting with it first. ``search`` needs at least 2 characters."""
    folded = fold(params.search)
    organisations = Organisation.objects.all()
    for word in folded.split():
        organisations = organisations.filter(search_text__contains=word)
    organisations = organisations.annotate(
        is_pole=Exists(Pole.objects.filter(organisation=OuterRef("pk"))),
        starts=Case(When(search_text__startswith=folded, then=Value(0)), default=Value(1)),
    ).order_by("starts", "search_text", "pk")
    return list(organisations[:AUTOCOMPLETE_LIMIT])
