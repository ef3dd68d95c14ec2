"""What the API accepts and says about registrations and seats.

Names as on the ID follow the one rule of :mod:`common.names` (letters, spaces, hyphens,
apostrophes, periods), as in the forms. Other texts are given back exactly as typed (markup,
emoji and right-to-left text included): JSON is not HTML, the client escapes for its own
output. Moments are ISO 8601 in Paris time, as in the rest of the API.
"""

import unicodedata
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, StrictInt, StringConstraints
from pydantic_core import PydanticCustomError

from common.addresses import validate_address
from common.names import PersonName
from events.schemas import ParisDateTime, absolute
from registrations import figures, links
from registrations.enums import RegistrationStatus, WorkshopChoiceStatus
from registrations.models import Registration

EMAIL_MAX = Registration._meta.get_field("email").max_length
BADGE_NAME_MAX = Registration._meta.get_field("badge_name").max_length
#: Slugs of categories and organisations: longer is no slug of ours.
SLUG_MAX = 200
#: Invitation codes (personal ones are 10 characters; the model allows 64).
CODE_MAX = 64


def _one_line(value):
    """Refuse control characters (line breaks, tabulations, NUL…): a name is one line."""
    if any(unicodedata.category(character) == "Cc" for character in value):
        raise PydanticCustomError(
            "control_character", _("Line breaks and control characters are not allowed.")
        )
    return value


def _email(value):
    try:
        validate_address(value)
    except DjangoValidationError as error:
        raise PydanticCustomError("invalid_email", str(error.messages[0])) from None
    return value


def _text(max_length, *, min_length=0):
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_one_line),
    ]


class RegistrationIn(Schema):
    """One person registered through the API.

    The API follows the public rules (it is not an organiser adding someone by hand):
    registration must be open, the category public, and when a limit is reached the person
    joins the waiting list (if the edition has one) or is refused. An ``invitation_code``
    (personal or group) opens its invitation-only category, and before the opening time too.
    """

    first_name: PersonName = Field(
        ...,
        description=(
            "First name(s) exactly as printed on the ID: letters, spaces, hyphens, "
            "apostrophes and periods, starting with a letter."
        ),
    )
    last_name: PersonName = Field(
        ...,
        description=(
            "Last name exactly as printed on the ID: letters, spaces, hyphens, apostrophes "
            "and periods, starting with a letter."
        ),
    )
    email: Annotated[_text(EMAIL_MAX, min_length=1), AfterValidator(_email)] = Field(
        ..., description="The attendee's address: the ticket is sent there."
    )
    category: _text(SLUG_MAX, min_length=1) = Field(
        ..., description="Slug of one of the edition's registration categories."
    )
    organisation: _text(SLUG_MAX) | None = Field(
        None,
        description="Slug of an organisation of the directory (its seat cap then applies).",
    )
    badge_name: _text(BADGE_NAME_MAX) = Field(
        "", description="Name on the badge, if it differs from the names as on the ID."
    )
    invitation_code: _text(CODE_MAX) | None = Field(
        None,
        description=(
            "A personal invitation's code or a group code: opens an invitation-only category."
        ),
    )
    language: Literal["fr", "en"] | None = Field(
        None,
        description="Language of the attendee's emails; the request's language by default.",
    )


def ticket_url(registration):
    """The absolute address of the registration's ticket page."""
    return absolute(reverse("admission:ticket", args=[links.manage_token(registration)]))


class RegisteredOut(Schema):
    id: int
    status: RegistrationStatus = Field(..., description="`confirmed` or `waitlisted`.")
    waitlist_position: int | None = Field(
        ..., description="Place in the waiting list (1 for the first); null when confirmed."
    )
    ticket_url: str = Field(
        ...,
        description=(
            "Address of the attendee's ticket page (private: it carries a signed token). "
            "While waiting, the page says so; once confirmed, it shows the ticket."
        ),
    )

    @staticmethod
    def resolve_waitlist_position(registration):
        return figures.waitlist_position(registration)

    @staticmethod
    def resolve_ticket_url(registration):
        return ticket_url(registration)


class RegistrationOut(Schema):
    id: int
    first_name: str
    last_name: str
    badge_name: str
    email: str
    organisation: str | None = Field(
        ..., description="Slug of the directory organisation, if the attendee chose one."
    )
    organisation_name: str = Field(
        ..., description="The organisation's name: the directory's, or as typed."
    )
    category: str = Field(..., description="Slug of the registration category.")
    status: RegistrationStatus
    waitlist_position: int | None = Field(
        ..., description="Place in the waiting list (1 for the first); null when not waiting."
    )
    waiting_reason: str | None = Field(
        ...,
        description=(
            "While waiting, the limit that sent the person there: `edition_full`, "
            "`category_full` or `organisation_cap_reached`; null otherwise (or not recorded)."
        ),
    )
    waiting_limit: int | None = Field(
        ..., description="While waiting, that limit's value when it was reached."
    )
    source: str
    created_at: ParisDateTime
    confirmed_at: ParisDateTime | None
    cancelled_at: ParisDateTime | None

    @staticmethod
    def resolve_organisation(registration):
        return registration.organisation.slug if registration.organisation else None

    @staticmethod
    def resolve_organisation_name(registration):
        return registration.organisation_label

    @staticmethod
    def resolve_category(registration):
        return registration.category.slug

    @staticmethod
    def resolve_waiting_reason(registration):
        if registration.status != RegistrationStatus.WAITLISTED:
            return None
        return registration.waiting_reason or None

    @staticmethod
    def resolve_waiting_limit(registration):
        if registration.status != RegistrationStatus.WAITLISTED:
            return None
        return registration.waiting_limit

    @staticmethod
    def resolve_waitlist_position(registration):
        # Annotated by figures.with_waitlist_position for lists (one query for a page).
        if hasattr(registration, "waitlist_position"):
            return registration.waitlist_position
        return figures.waitlist_position(registration)


class RegistrationFilters(Schema):
    status: RegistrationStatus | None = None
    category: _text(SLUG_MAX) | None = Field(None, description="Slug of a category.")


class CategoryAvailabilityOut(Schema):
    slug: str
    name: str
    quota: int | None
    confirmed: int
    available: int | None = Field(
        ..., description="Seats left in this category (its quota and the edition's capacity)."
    )
    waiting: int


class AvailabilityOut(Schema):
    capacity: int | None
    confirmed: int
    available: int | None = Field(
        ...,
        description=(
            "Seats left: capacity minus confirmed seats and seats held for invited guests; "
            "null when the edition has no capacity."
        ),
    )
    waiting: int
    categories: list[CategoryAvailabilityOut] = Field(
        ..., description="Public categories only, in the edition's order."
    )

    @staticmethod
    def resolve_categories(counts):
        return counts.public_categories


# Workshops ----------------------------------------------------------------------------------

#: Workshops an attendee may choose in one request: far more than any day has slots.
MAX_WORKSHOPS = 50
#: Sessions are numbered by the database: beyond its integers, none can match.
WORKSHOP_ID_MAX = 2**31 - 1
HourMinute = Annotated[str, Field(pattern=r"^\d\d:\d\d$", examples=["14:00"])]


class WorkshopOut(Schema):
    id: int
    title: str
    room: str
    start: HourMinute = Field(..., description="Paris time, HH:MM.")
    end: HourMinute = Field(..., description="Paris time, HH:MM.")
    capacity: int = Field(..., description="The workshop's seats.")
    seats_left: int = Field(
        ..., description="Seats not taken (a snapshot); 0 when people wait for one."
    )
    choices_close_at: ParisDateTime = Field(
        ...,
        description=(
            "Until when attendees choose this workshop: its own deadline, or the start of "
            "the day when it has none."
        ),
    )


class WorkshopSlotOut(Schema):
    start: HourMinute = Field(..., description="Paris time, HH:MM: the earliest start.")
    end: HourMinute = Field(..., description="Paris time, HH:MM: the latest end.")
    workshops: list[WorkshopOut] = Field(
        ..., description="Workshops at the same time: a person holds a seat in one at most."
    )


class WorkshopsOut(Schema):
    slots: list[WorkshopSlotOut] = Field(..., description="In order of time.")


class WorkshopChoicesIn(Schema):
    workshops: list[Annotated[StrictInt, Field(ge=1, le=WORKSHOP_ID_MAX)]] = Field(
        ...,
        max_length=MAX_WORKSHOPS,
        description=(
            "Ids of the workshops the person takes, at most one per slot; a slot with none "
            "of them is given up. An empty list gives up every workshop."
        ),
    )


class WorkshopChoiceOut(Schema):
    workshop: int = Field(..., description="The workshop's id.")
    title: str
    status: WorkshopChoiceStatus = Field(
        ...,
        description=(
            "`confirmed`: a seat taken; `waiting`: on the workshop's waiting list; "
            "`offered`: a seat freed up and kept for the person until `offered_until`; "
            "`wish`: chosen while the registration itself waits for a seat."
        ),
    )
    waiting_position: int | None = Field(
        ..., description="Place in the workshop's waiting list (1 for the first); else null."
    )
    offered_until: ParisDateTime | None = Field(
        ..., description="Until when an offered seat is kept; else null."
    )
    reason: Literal["workshop_full"] | None = Field(
        ..., description="Why the person waits: `workshop_full` for a waiting choice; else null."
    )


class WorkshopChoicesOut(Schema):
    choices: list[WorkshopChoiceOut] = Field(..., description="In the programme's order.")
