"""Registrations as JSON: register, list and cancel (organisers), a person's workshops
(organisers), and public availability and workshops.

Organiser endpoints take an API token (``Authorization: Bearer …``) and decide with the one
permission rule: registering and cancelling need ``manage`` on the edition, listing needs
``view_personal_data``. No token: 401; a token without the right: 403; an unknown edition or
registration: 404. The seat rules are :mod:`registrations.capacity`'s.
"""

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import ValidationError
from ninja.pagination import paginate

from accounts import permissions
from accounts.bearer import BearerAuth, edition_for
from common.api import AUTH_ERRORS, ApiError, ErrorOut, ValidationErrorOut, invalid, pagination
from common.permissions import Action
from events.models import Edition
from events.workshops import edition_slots, seats_left
from network.models import Organisation
from registrations import capacity, figures, workshops
from registrations.enums import Language, Source, WorkshopChoiceStatus
from registrations.models import Category, Registration
from registrations.schemas import (
    AvailabilityOut,
    RegisteredOut,
    RegistrationFilters,
    RegistrationIn,
    RegistrationOut,
    WorkshopChoicesIn,
    WorkshopChoicesOut,
    WorkshopsOut,
)

router = Router(tags=["registrations"])

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
#: Beyond this an offset is a mistake (an edition has a few hundred registrations).
MAX_OFFSET = 1_000_000
#: Registrations are numbered by the database: beyond its integers, none can match.
MAX_ID = 2**31 - 1

#: Refusals of capacity.register that the API's contract names otherwise: its list of codes is
#: fixed. An invitation-only category without a valid code, or an invitation already used,
#: is a code that does not open the category: ``invalid_invitation_code`` (the message says
#: which case it is).
REFUSAL_CODES = {
    "category_not_public": "invalid_invitation_code",
    "invitation_used": "invalid_invitation_code",
}


RegistrationPagination = pagination(default=DEFAULT_LIMIT, maximum=MAX_LIMIT, max_offset=MAX_OFFSET)


@router.post(
    "/editions/{slug}/registrations",
    response={201: RegisteredOut, 409: ErrorOut, 422: ValidationErrorOut, **AUTH_ERRORS},
    auth=BearerAuth(),
    operation_id="create_registration",
    summary="Register one person (organiser token)",
)
def create_registration(request, slug: str, payload: RegistrationIn):
    """Register one person with the public rules; needs ``manage`` on the edition.

    The API is not an organiser adding someone by hand: registration must be open
    (``registration_not_open``, ``registration_closed``), the category public, and every
    limit applies. When a limit is reached the person joins the waiting list if the edition
    has one (``status`` ``waitlisted``, with its ``waitlist_position``); otherwise the
    answer is 409 with the limit's code (``edition_full``, ``category_full``,
    ``organisation_cap_reached``). An ``invitation_code`` (personal or group, for the given
    category) opens an invitation-only category, also before the opening time; a category
    that needs one without a valid code, or an invitation already used, answers 409
    ``invalid_invitation_code``. An email with an active registration answers 409
    ``already_registered``.

    The attendee's emails are in the request's language (Accept-Language; French by
    default) unless ``language`` is given.
    """
    edition = edition_for(slug, request.auth, Action.MANAGE)
    errors = []
    category = Category.objects.filter(edition=edition, slug=payload.category).first()
    if category is None:
        errors.append(
            invalid("category", "unknown_category", _("This edition has no such category."))
        )
    organisation = None
    if payload.organisation:
        organisation = Organisation.objects.filter(slug=payload.organisation).first()
        if organisation is None:
            errors.append(
                invalid(
                    "organisation",
                    "unknown_organisation",
                    _("No organisation of the directory has this slug."),
                )
            )
    if errors:
        raise ValidationError(errors)
    language = payload.language or get_language()
    try:
        registration = capacity.register(
            edition,
            category=category,
            first_name=payload.first_name,
            last_name=payload.last_name,
            email=payload.email,
            organisation=organisation,
            badge_name=payload.badge_name,
            invitation_code=payload.invitation_code or None,
            language=language if language in Language.values else Language.FRENCH,
            source=Source.API,
        )
    except capacity.RegistrationRefused as refused:
        code = REFUSAL_CODES.get(refused.code, refused.code)
        raise ApiError(code, refused.message, status=409) from None
    return Status(201, registration)


@router.get(
    "/editions/{slug}/registrations",
    response={200: list[RegistrationOut], 422: ValidationErrorOut, **AUTH_ERRORS},
    auth=BearerAuth(),
    operation_id="list_registrations",
    summary="The edition's registrations (organiser token)",
)
@paginate(RegistrationPagination)
def list_registrations(request, slug: str, filters: Query[RegistrationFilters]):
    """Every registration of the edition, in the order they were made (the waiting list's
    order), with personal data: needs ``view_personal_data`` on the edition.

    ``status`` and ``category`` (a slug; unknown: 422) narrow the list. Paginated with
    ``limit`` (at most 500) and ``offset``.
    """
    edition = edition_for(slug, request.auth, Action.VIEW_PERSONAL_DATA)
    registrations = Registration.objects.filter(edition=edition)
    if filters.status:
        registrations = registrations.filter(status=filters.status)
    if filters.category:
        category = Category.objects.filter(edition=edition, slug=filters.category).first()
        if category is None:
            raise ValidationError(
                [
                    invalid(
                        "category",
                        "unknown_category",
                        _("This edition has no such category."),
                        where="query",
                    )
                ]
            )
        registrations = registrations.filter(category=category)
    registrations = registrations.select_related("category", "organisation").order_by(
        "created_at", "pk"
    )
    return figures.with_waitlist_position(registrations)


@router.post(
    "/registrations/{registration_id}/cancel",
    response={200: RegistrationOut, **AUTH_ERRORS},
    auth=BearerAuth(),
    operation_id="cancel_registration",
    summary="Cancel a registration (organiser token)",
)
def cancel_registration(request, registration_id: int):
    """Cancel a registration; needs ``manage`` on its edition. The seat it frees goes to the
    first waiting person it fits, who is emailed.

    Idempotent: cancelling a cancelled registration answers 200 with it, unchanged.
    """
    registration = None
    if 0 < registration_id <= MAX_ID:
        registration = (
            Registration.objects.select_related("category", "organisation")
            .filter(pk=registration_id)
            .first()
        )
    if registration is None:
        raise ApiError("not_found", gettext_lazy("No registration has this number."), status=404)
    permissions.require(request.auth, Action.MANAGE, registration)
    capacity.cancel(registration)
    return registration


@router.get(
    "/registrations/{registration_id}/workshops",
    response={200: WorkshopChoicesOut, **AUTH_ERRORS},
    auth=BearerAuth(),
    operation_id="get_workshop_choices",
    summary="A person's workshops (organiser token)",
)
def get_workshop_choices(request, registration_id: int):
    """The workshops a person chose, in the programme's order, with where they stand in
    each: needs ``view_personal_data`` on the registration's edition."""
    registration = _registration(registration_id)
    permissions.require(request.auth, Action.VIEW_PERSONAL_DATA, registration)
    return _choices(registration)


@router.put(
    "/registrations/{registration_id}/workshops",
    response={200: WorkshopChoicesOut, 422: ValidationErrorOut, **AUTH_ERRORS},
    auth=BearerAuth(),
    operation_id="set_workshop_choices",
    summary="Set a person's workshops (organiser token)",
)
def set_workshop_choices(request, registration_id: int, payload: WorkshopChoicesIn):
    """Make ``workshops`` the person's choice, one per slot; needs ``manage`` on the
    registration's edition. A slot with none of them is given up (an empty list gives up
    every workshop); a workshop the person already holds or waits for stays as it is.

    The token acts as an organiser: the choice deadline does not apply, the seats do. A
    workshop with a seat left gives one (``confirmed``, and the person's other workshop of
    the slot is given up); a full one puts the person on its waiting list (``waiting``, with
    ``reason`` ``workshop_full``), keeping the seat they hold in the slot meanwhile. A person
    whose registration waits for a seat has ``wish`` choices, applied when they get it.

    Refused with 422 and nothing changed: ``slot_conflict`` (two workshops at the same
    time), ``not_a_workshop`` (not a workshop of the registration's edition),
    ``registration_cancelled``.
    """
    registration = _registration(registration_id)
    permissions.require(request.auth, Action.MANAGE, registration)
    try:
        workshops.set_choices(registration, payload.workshops, by_organiser=True)
    except workshops.ChoiceRefused as refused:
        # The refusal's code on top, as the API's other refusals, and where it lies in the
        # body as any invalid parameter: the workshop refused, when there is one.
        location = ["body", "payload", "workshops"]
        if refused.session is not None and refused.session.pk in payload.workshops:
            location.append(payload.workshops.index(refused.session.pk))
        message = str(refused.message)
        error = {"loc": location, "msg": message, "type": refused.code}
        return Status(422, {"code": refused.code, "message": message, "errors": [error]})
    return _choices(registration)


@router.get(
    "/editions/{slug}/workshops",
    response={200: WorkshopsOut, 404: ErrorOut},
    operation_id="get_workshops",
    summary="Workshops and their seats left (public)",
)
def get_workshops(request, slug: str):
    """The workshops of a public edition, by slot (workshops at the same time, of which a
    person takes one), with their seats left. No personal data; no token needed. A
    snapshot: a seat left may be taken a moment later."""
    edition = Edition.objects.public().filter(slug=slug).first()
    if edition is None:
        raise ApiError("not_found", gettext_lazy("No public edition has this address."), status=404)
    slots = edition_slots(edition)
    left = seats_left([session for slot in slots for session in slot.sessions])
    return {
        "slots": [
            {
                "start": _hour(slot.start_time),
                "end": _hour(slot.end_time),
                "workshops": [
                    {
                        "id": session.pk,
                        "title": session.title,
                        "room": session.room,
                        "start": _hour(session.start_time),
                        "end": _hour(session.end_time),
                        "capacity": session.capacity,
                        "seats_left": left[session.pk],
                        "choices_close_at": _deadline(session, edition),
                    }
                    for session in slot.sessions
                ],
            }
            for slot in slots
        ]
    }


def _registration(registration_id):
    registration = None
    if 0 < registration_id <= MAX_ID:
        registration = (
            Registration.objects.select_related("edition").filter(pk=registration_id).first()
        )
    if registration is None:
        raise ApiError("not_found", gettext_lazy("No registration has this number."), status=404)
    return registration


def _choices(registration):
    answer = []
    for choice in workshops.choices_of(registration):
        waiting = choice.status == WorkshopChoiceStatus.WAITING
        answer.append(
            {
                "workshop": choice.session_id,
                "title": choice.session.title,
                "status": choice.status,
                "waiting_position": workshops.waiting_position(choice) if waiting else None,
                "offered_until": choice.offered_until,
                "reason": "workshop_full" if waiting else None,
            }
        )
    return {"choices": answer}


def _hour(time):
    return time.strftime("%H:%M")


def _deadline(session, edition):
    session.edition = edition
    return session.choice_deadline


@router.get(
    "/editions/{slug}/availability",
    response={200: AvailabilityOut, 404: ErrorOut},
    operation_id="get_availability",
    summary="Seats taken, free and waiting (public)",
)
def get_availability(request, slug: str):
    """Seats of a public edition: capacity, confirmed, available and waiting, overall and per
    public category. No personal data; no token needed.

    ``available`` counts seats held for invited guests as taken; a category's is the smaller
    of what its quota and the edition's capacity leave. A snapshot: a registration made a
    moment later may find the last seat taken.
    """
    edition = Edition.objects.public().filter(slug=slug).first()
    if edition is None:
        raise ApiError("not_found", gettext_lazy("No public edition has this address."), status=404)
    return figures.availability(edition)
