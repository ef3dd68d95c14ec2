"""Public editions as JSON: the list, and one edition with its venue and programme."""

from django.db.models import Case, F, Prefetch, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router
from ninja.pagination import paginate

from common.api import ApiError, ErrorOut, ValidationErrorOut, pagination
from events.models import Edition, Session
from events.schemas import EditionDetailOut, EditionSummaryOut

router = Router(tags=["editions"])

#: One page holds every edition for decades (there is about one a year).
MAX_LIMIT = 100
#: Beyond this an offset is a mistake; bounded so that it is a validation error rather than an
#: integer the database refuses.
MAX_OFFSET = 10_000


EditionPagination = pagination(default=MAX_LIMIT, maximum=MAX_LIMIT, max_offset=MAX_OFFSET)


def upcoming_then_past(editions):
    """Upcoming editions first, soonest first; then past ones, latest first."""
    today = timezone.localdate()
    return editions.order_by(
        Case(When(date__gte=today, then=Value(0)), default=Value(1)),
        Case(When(date__gte=today, then=F("date"))).asc(),
        F("date").desc(),
        "pk",
    )


def public_edition_for_api(slug):
    """The public edition with this slug, with everything its API page shows, in a fixed number
    of queries; raises ``ApiError("not_found")`` for a draft or an unknown slug."""
    sessions = Session.objects.for_programme()
    editions = (
        Edition.objects.public()
        .select_related("venue")
        .prefetch_related("organisers", "partners", Prefetch("sessions", queryset=sessions))
    )
    try:
        return editions.get(slug=slug)
    except Edition.DoesNotExist:
        raise ApiError("not_found", _("No public edition has this address."), status=404) from None


@router.get(
    "/editions",
    response={200: list[EditionSummaryOut], 422: ValidationErrorOut},
    operation_id="list_editions",
    summary="Public editions",
)
@paginate(EditionPagination)
def list_editions(request):
    """Published and archived editions: upcoming ones first (soonest first), then past ones
    (latest first).

    Paginated with ``limit`` and ``offset`` although the list stays small (about one edition a
    year): the answer's shape (``items``, ``count``) then never has to change, and the default
    page (100) holds every edition for decades.
    """
    return upcoming_then_past(Edition.objects.public().select_related("venue"))


@router.get(
    "/editions/{slug}",
    response={200: EditionDetailOut, 404: ErrorOut},
    operation_id="get_edition",
    summary="One edition, with its venue and programme",
)
def get_edition(request, slug: str):
    """A public edition with its venue, organisers, partners, security list deadlines and its
    programme (sessions by time, with their speakers and the organisations taking part)."""
    return public_edition_for_api(slug)
