"""What the check-in API accepts and answers.

Only what the door screen needs leaves the server: the names as on the ID, the category, the
organisation and the attention note (accessibility needs), and only of people who may be
admitted. No email, no date of birth. Moments are ISO 8601 in Paris time; a moment sent
without an offset is read as Paris time (:data:`common.moments.MomentIn`).
"""

import uuid
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from admission.checkin import agent_name
from admission.enums import CheckInResult
from admission.models import CheckIn, Entrance
from common.moments import MomentIn
from events.schemas import ParisDateTime

NONCE_MAX = CheckIn._meta.get_field("nonce").max_length
ENTRANCE_MAX = Entrance._meta.get_field("slug").max_length
#: The most a QR code holds (7,089 digits): whatever a camera decodes fits and gets a verdict
#: (``invalid_ticket`` for garbage); longer was not read from a QR code: 422.
TICKET_MAX = 7089


def _printable(value):
    if not value.isprintable() or not value.isascii():
        raise PydanticCustomError(
            "invalid_nonce", _("A nonce is made of printable ASCII characters.")
        )
    return value


Nonce = Annotated[
    str, StringConstraints(min_length=1, max_length=NONCE_MAX), AfterValidator(_printable)
]


class CheckInIn(Schema):
    """One scan from a door device: the QR payload as read, or a registration found by name."""

    ticket: str | None = Field(
        None, max_length=TICKET_MAX, description="The QR code's text, as decoded."
    )
    registration: int | None = Field(
        None, description="The registration's number, when the agent found the name."
    )
    entrance: str = Field(max_length=ENTRANCE_MAX, description="The entrance's code (slug).")
    nonce: Nonce = Field(
        description="Unique per scan and device: the same nonce again answers the first verdict."
    )
    id_checked: bool = Field(description="The agent confirmed: ID checked, names match.")
    rehearsal: bool = Field(
        False,
        description=(
            "A scan of the rehearsal the agent takes part in (before the day): kept apart, it "
            "counts nowhere. With no rehearsal open for the agent: 422 ``rehearsal_closed``."
        ),
    )
    scanned_at: MomentIn | None = Field(
        None,
        description=(
            "For an offline scan: when the device made it. It must fall on the edition's day "
            "(with a margin of some hours) and not after the server's clock by more than a "
            "few minutes: else 422."
        ),
    )

    @model_validator(mode="after")
    def _ticket_or_registration(self):
        if (self.ticket is None) == (self.registration is None):
            raise PydanticCustomError(
                "ticket_or_registration", _("Give either a ticket or a registration, not both.")
            )
        return self


class EntranceOut(Schema):
    slug: str
    name: str


class WorkshopDoorsOut(Schema):
    """A workshop with a door, and what a device decides with there offline: public ids
    only, always whole."""

    id: int = Field(description="The workshop's number (a programme session).")
    title: str
    doors: list[str] = Field(
        description=(
            "The codes of the entrances that are its doors: scans there admit to the workshop "
            "the people holding a seat in it, with no ID check."
        )
    )
    seats: list[uuid.UUID] = Field(
        description="Public ids of the confirmed registrations holding a seat in the workshop."
    )
    admitted: list[uuid.UUID] = Field(description="Public ids of those admitted to it already.")


class AttendeeOut(Schema):
    """The person the door screen shows, in large type."""

    id: int = Field(description="The registration's number: send it as ``registration``.")
    public_id: uuid.UUID
    first_name: str = Field(description="As printed on the ID.")
    last_name: str = Field(description="As printed on the ID.")
    category: str
    organisation: str
    attention_note: str = Field(description="Accessibility needs, to help at the door.")


class DeviceAttendeeOut(AttendeeOut):
    """A person as the door device keeps them, with the tag of their short ticket code."""

    code_tag: int = Field(
        description=(
            "The first 20 bits of HMAC-SHA256(``code_key``, the ten characters of the person's "
            "short ticket code): a typed code finds its person offline, while the data holds "
            "no code."
        )
    )


class TicketCodeIn(Schema):
    """A short ticket code as the agent typed it (any case, spaces, dashes, O for 0…)."""

    code: str = Field(max_length=40, description="For example ``K7Q2-9XMA-3F``.")


class TicketCodeOut(Schema):
    """Whom a short code names: ``valid`` (with the person) or ``revoked`` (cancelled or
    waiting: no ticket)."""

    result: str = Field(description="``valid`` or ``revoked``.")
    message: str
    attendee: AttendeeOut | None


class AdmissionOut(Schema):
    """The first admission, for ``already_admitted``: when, where and by whom."""

    scanned_at: ParisDateTime
    received_at: ParisDateTime
    entrance: EntranceOut
    agent: str


class CheckInOut(Schema):
    result: CheckInResult
    message: str
    replayed: bool = Field(description="True when this nonce had been received before.")
    scanned_at: ParisDateTime
    received_at: ParisDateTime
    attendee: AttendeeOut | None
    first_admission: AdmissionOut | None


class EntranceCountOut(Schema):
    slug: str
    name: str
    admitted: int


class CheckInCountsOut(Schema):
    """The live counters, always whole (also with ``since``)."""

    expected: int = Field(description="Confirmed registrations.")
    admitted: int = Field(
        description=(
            "Registrations admitted, at any entrance; a workshop's door counts its workshop's "
            "admissions, which are not in this total."
        )
    )
    entrances: list[EntranceCountOut]


class CheckInDataOut(Schema):
    """What a door device keeps to work offline."""

    edition: str
    edition_id: int = Field(description="The edition's number, as in its tickets.")
    generated_at: ParisDateTime = Field(description="Send it back as ``since`` next time.")
    opens_at: ParisDateTime
    closes_at: ParisDateTime = Field(
        description="After it, devices wipe what they keep of this edition."
    )
    counts: CheckInCountsOut
    public_key: str = Field(description="Ed25519 public key, unpadded base64url.")
    code_key: str = Field(
        description="The key of the attendees' ``code_tag`` (32 bytes, unpadded base64url)."
    )
    rehearsal: bool = Field(
        description=(
            "True in a rehearsal the agent takes part in: ``opens_at`` is then its opening, "
            "``closes_at`` the day's start, ``counts`` and ``admitted`` its own scans."
        )
    )
    session: str = Field(
        description=(
            "``day``, or ``rehearsal-<n>``: when it changes from one download to the next, "
            "the device starts again from a whole download."
        )
    )
    entrances: list[EntranceOut]
    workshops: list[WorkshopDoorsOut] = Field(
        description="The workshops with a door; empty when no entrance is a workshop's door."
    )
    attendees: list[DeviceAttendeeOut] = Field(description="Confirmed registrations.")
    revoked: list[uuid.UUID] = Field(description="Cancelled registrations' public ids.")
    admitted: list[uuid.UUID] = Field(description="Registrations admitted already.")


class CheckInDataFilters(Schema):
    since: MomentIn | None = None


class CheckInLogOut(Schema):
    id: int
    result: CheckInResult
    registration: int | None = Field(alias="registration_id")
    attendee: str = Field(description="The names as on the ID, when the scan named someone.")
    entrance: str = Field(alias="entrance.slug")
    agent: str
    nonce: str
    id_checked: bool
    scanned_at: ParisDateTime
    received_at: ParisDateTime

    @staticmethod
    def resolve_attendee(scan):
        return str(scan.registration) if scan.registration_id else ""

    @staticmethod
    def resolve_agent(scan):
        return agent_name(scan.agent)


class CheckInLogFilters(Schema):
    result: CheckInResult | None = None
    entrance: str | None = Field(None, max_length=ENTRANCE_MAX)
