"""Check-in as JSON: the door devices' scans and offline download, and the organisers' log.

The door endpoints need ``check_in`` on the edition (agents of that edition, organisers): an
API token (``Authorization: Bearer …``) or the check-in app's session (with its CSRF token).
An agent whose role is narrowed to another edition gets 403, as does a viewer. The log needs
``view_personal_data``. The verdict rule is :mod:`admission.checkin`'s.

A scan always answers 200 with its ``result`` (refusals included), except an unknown entrance
(422 on ``entrance``: no scan can be recorded without a door), a device time outside the
edition's day (422 on ``scanned_at``), a nonce already used for another scan (409
``nonce_reused``) and malformed bodies (422). The person a scan names is shown only when they
may be admitted (a confirmed registration): for a cancelled or waiting one, the verdict alone.
"""

import time

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import ValidationError
from ninja.pagination import paginate

from accounts.bearer import BearerAuth, edition_for
from accounts.second_factor import verified_session_auth
from admission import checkin, codes, keys, rehearsals, workshop_door
from admission.enums import CheckInResult
from admission.models import CheckIn, Entrance
from admission.schemas import (
    CheckInDataFilters,
    CheckInDataOut,
    CheckInIn,
    CheckInLogFilters,
    CheckInLogOut,
    CheckInOut,
    TicketCodeIn,
    TicketCodeOut,
)
from common.api import AUTH_ERRORS, ApiError, ErrorOut, ValidationErrorOut, invalid, pagination
from common.permissions import Action
from common.ratelimits import CHECKIN_THROTTLES, TICKET_CODE_THROTTLES
from registrations.enums import RegistrationStatus
from registrations.models import Registration

router = Router(tags=["check-in"])

AUTH = [BearerAuth(), verified_session_auth]
MAX_LIMIT = 500
DEFAULT_LIMIT = 100
MAX_OFFSET = 1_000_000


CheckInPagination = pagination(default=DEFAULT_LIMIT, maximum=MAX_LIMIT, max_offset=MAX_OFFSET)


def _attendee(registration):
    """What the door screen shows of a person: only of one who may be admitted."""
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return None
    organisation = registration.organisation
    return {
        "id": registration.pk,
        "public_id": registration.public_id,
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "category": registration.category.name,
        "organisation": organisation.name if organisation else registration.organisation_name,
        "attention_note": registration.accessibility_needs,
    }


def _verdict_out(verdict):
    scan, first = verdict.checkin, verdict.first_admission
    return {
        "result": verdict.result,
        "message": verdict.message,
        "replayed": verdict.replayed,
        "scanned_at": scan.scanned_at,
        "received_at": scan.received_at,
        # Only a ticket that names someone of this edition, who may be admitted, shows them.
        "attendee": _attendee(verdict.registration),
        "first_admission": first
        and {
            "scanned_at": first.scanned_at,
            "received_at": first.received_at,
            "entrance": {"slug": first.entrance.slug, "name": first.entrance.name},
            "agent": checkin.agent_name(first.agent),
        },
    }


@router.post(
    "/editions/{slug}/checkins",
    response={200: CheckInOut, 409: ErrorOut, 422: ValidationErrorOut, **AUTH_ERRORS},
    auth=AUTH,
    throttle=CHECKIN_THROTTLES,
    operation_id="create_checkin",
    summary="Scan a ticket at the door (agent)",
)
def create_checkin(request, slug: str, payload: CheckInIn, response: HttpResponse):
    """Decide and record one scan; needs ``check_in`` on the edition.

    ``result`` is one of ``admitted``, ``already_admitted`` (with ``first_admission``: when,
    which entrance, by whom), ``revoked``, ``unknown_ticket``, ``invalid_ticket``,
    ``wrong_edition``, ``not_open`` (before the edition's day, Paris time) and
    ``id_mismatch`` (``id_checked`` false: refused and logged). At a workshop's door (in
    the ``doors`` of a workshop in ``checkin-data``) the scan admits to that workshop, once
    per person: ``not_registered_here`` for a person without a seat in it, no ID check
    (``id_checked`` decides nothing), and ``first_admission`` is the first at that workshop.
    ``attendee`` is given only for a confirmed registration. The same ``nonce`` with the same
    ticket (or registration), entrance and ``id_checked`` answers the first verdict
    (``replayed``) and records nothing; with any of them different, 409 ``nonce_reused``.
    Offline scans give their device time as ``scanned_at`` (on the edition's day, else 422);
    the first admission the server receives wins. The ``Server-Timing`` header gives the
    time spent deciding.
    """
    started = time.perf_counter()
    edition = edition_for(slug, request.auth, Action.CHECK_IN)
    entrance = (
        Entrance.objects.select_related("session")
        .filter(edition=edition, slug=payload.entrance)
        .first()
    )
    if entrance is None:
        raise ValidationError(
            [invalid("entrance", "unknown_entrance", _("This edition has no such entrance."))]
        )
    rehearsal = None
    if payload.rehearsal:
        rehearsal = rehearsals.for_agent(edition, request.auth)
        if rehearsal is None:
            raise ValidationError(
                [
                    invalid(
                        "rehearsal",
                        "rehearsal_closed",
                        _("The rehearsal is closed: this scan of it was not kept."),
                    )
                ]
            )
    # A workshop's door admits to its workshop, by its own rule.
    door = workshop_door if workshop_door.is_workshop_door(entrance) else checkin
    try:
        verdict = door.admit(
            edition,
            ticket=payload.ticket,
            registration=payload.registration,
            entrance=entrance,
            agent=request.auth,
            nonce=payload.nonce,
            id_checked=payload.id_checked,
            scanned_at=payload.scanned_at,
            rehearsal=rehearsal,
        )
    except checkin.ScanRefused as refused:
        raise ValidationError([invalid(refused.field, refused.code, refused.message)]) from None
    except checkin.NonceReused as reused:
        raise ApiError(reused.code, reused.message, status=409) from None
    response["Server-Timing"] = f"checkin;dur={(time.perf_counter() - started) * 1000:.1f}"
    return _verdict_out(verdict)


@router.get(
    "/editions/{slug}/checkin-data",
    response={200: CheckInDataOut, 422: ValidationErrorOut, **AUTH_ERRORS},
    auth=AUTH,
    throttle=CHECKIN_THROTTLES,
    operation_id="get_checkin_data",
    summary="What a door device keeps to work offline (agent)",
)
def get_checkin_data(request, slug: str, filters: Query[CheckInDataFilters]):
    """The edition's public key, entrances, confirmed attendees (only what the door screen
    shows), the public ids of cancelled registrations and of those admitted already; needs
    ``check_in`` on the edition. ``workshops``: those with a door (an entrance bound to
    them), with the public ids of the people holding a seat and of those admitted already.

    With ``since`` (the ``generated_at`` of the previous download), only the registrations
    changed and the admissions received after it. Entrances, workshops and the key always
    come whole.
    """
    edition = edition_for(slug, request.auth, Action.CHECK_IN)
    generated_at = timezone.now()
    rehearsal = rehearsals.for_agent(edition, request.auth, generated_at)
    registrations = Registration.objects.filter(edition=edition)
    admissions = checkin.scans(rehearsal).filter(edition=edition, result=CheckInResult.ADMITTED)
    if filters.since is not None:
        registrations = registrations.filter(updated_at__gt=filters.since)
        admissions = admissions.filter(received_at__gt=filters.since)
    confirmed = (
        registrations.filter(status=RegistrationStatus.CONFIRMED)
        .select_related("category", "organisation")
        .only(
            "public_id",
            "status",
            "first_name",
            "last_name",
            "organisation_name",
            "accessibility_needs",
            "category__name",
            "organisation__name",
        )
        .order_by("last_name", "first_name", "pk")
    )
    revoked = registrations.filter(status=RegistrationStatus.CANCELLED).order_by("pk")
    confirmed = list(confirmed)
    tag_key, tags = codes.tags(edition, confirmed)
    return {
        "edition": edition.slug,
        "edition_id": edition.pk,
        "generated_at": generated_at,
        "opens_at": rehearsal.opened_at if rehearsal else checkin.opens_at(edition),
        "closes_at": checkin.opens_at(edition) if rehearsal else checkin.closes_at(edition),
        "counts": checkin.counts(edition, rehearsal),
        "public_key": keys.public_key_b64(edition),
        "code_key": keys.b64url(tag_key),
        "rehearsal": rehearsal is not None,
        "session": f"rehearsal-{rehearsal.pk}" if rehearsal else "day",
        "entrances": list(Entrance.objects.filter(edition=edition).values("slug", "name")),
        "workshops": _workshops(edition, rehearsal),
        "attendees": [
            {**_attendee(registration), "code_tag": tags[registration.pk]}
            for registration in confirmed
        ],
        "revoked": list(revoked.values_list("public_id", flat=True)),
        "admitted": list(
            admissions.order_by("pk").values_list("registration__public_id", flat=True)
        ),
    }


def _workshops(edition, rehearsal):
    """The workshops with a door, and what a device needs to decide there offline: who holds
    a seat, who was admitted already (always whole: a workshop's seats are few). Empty for
    an edition without workshop doors."""
    sessions = {}
    for entrance in workshop_door.doors(edition):
        sessions.setdefault(entrance.session, []).append(entrance.slug)
    return [
        {
            "id": session.pk,
            "title": session.title,
            "doors": doors,
            "seats": list(
                workshop_door.seats([session])
                .order_by("pk")
                .values_list("registration__public_id", flat=True)
            ),
            "admitted": list(
                workshop_door.scans(session, rehearsal)
                .filter(result=CheckInResult.ADMITTED)
                .order_by("pk")
                .values_list("registration__public_id", flat=True)
            ),
        }
        for session, doors in sessions.items()
    ]


@router.post(
    "/editions/{slug}/ticket-code",
    response={200: TicketCodeOut, 404: ErrorOut, 422: ValidationErrorOut, **AUTH_ERRORS},
    auth=AUTH,
    throttle=TICKET_CODE_THROTTLES,
    operation_id="find_ticket_code",
    summary="Find whom a short ticket code names (agent)",
)
def find_ticket_code(request, slug: str, payload: TicketCodeIn):
    """The person whose ticket prints this short code (``K7Q2-9XMA-3F``, typed any way);
    needs ``check_in`` on the edition. Records nothing: the agent checks the ID, then sends
    the scan with the person's ``registration``.

    422 ``invalid_code`` for a code no ticket can have (length, a character, the check
    character), 404 ``unknown_code`` when it names nobody of this edition; ``revoked`` for a
    registration without a ticket (cancelled, waiting). Few per minute and agent
    (``api_ticket_code``): each lookup is a guess.
    """
    edition = edition_for(slug, request.auth, Action.CHECK_IN)
    try:
        registration = codes.find(edition, payload.code)
    except codes.InvalidCode as error:
        raise ValidationError([invalid("code", "invalid_code", error.message)]) from None
    if registration is None:
        raise ApiError(
            "unknown_code", _("This code names nobody registered for this day."), status=404
        )
    if registration.status != RegistrationStatus.CONFIRMED:
        return {
            "result": "revoked",
            "message": str(checkin.MESSAGES[CheckInResult.REVOKED]),
            "attendee": None,
        }
    return {"result": "valid", "message": _("Valid ticket."), "attendee": _attendee(registration)}


@router.get(
    "/editions/{slug}/checkins",
    response={200: list[CheckInLogOut], 422: ValidationErrorOut, **AUTH_ERRORS},
    auth=AUTH,
    operation_id="list_checkins",
    summary="Every scan at the doors (organiser)",
)
@paginate(CheckInPagination)
def list_checkins(request, slug: str, filters: Query[CheckInLogFilters]):
    """Every scan of the edition in the order received, refusals included; needs
    ``view_personal_data`` on the edition. ``result`` and ``entrance`` (a slug; unknown:
    422) narrow the list. Paginated with ``limit`` (at most 500) and ``offset``.
    """
    edition = edition_for(slug, request.auth, Action.VIEW_PERSONAL_DATA)
    scans = CheckIn.objects.filter(edition=edition)
    if filters.result:
        scans = scans.filter(result=filters.result)
    if filters.entrance:
        entrance = Entrance.objects.filter(edition=edition, slug=filters.entrance).first()
        if entrance is None:
            raise ValidationError(
                [
                    invalid(
                        "entrance",
                        "unknown_entrance",
                        _("This edition has no such entrance."),
                        where="query",
                    )
                ]
            )
        scans = scans.filter(entrance=entrance)
    return scans.select_related("registration", "entrance", "agent").order_by("received_at", "pk")
