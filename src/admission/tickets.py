"""Tickets: the signed token in the QR code, its check, and the ticket as SVG, PDF and .ics.

A token names one registration of one edition and is signed with that edition's Ed25519 key
(:mod:`admission.keys`), so a scanner holding only the public key verifies it offline. It is
``"P1"`` followed by the unpadded base64url of 85 bytes::

    version (1 byte, 1) | edition id (4 bytes, big-endian) | registration public_id (16 bytes)
    | Ed25519 signature (64 bytes) of the 21 bytes before it

Ed25519 is deterministic, so the token is computed again whenever needed and never stored.
Only a confirmed registration has a ticket; a cancelled registration's token still verifies
offline, so the server (:func:`check_ticket`) and the scanner's revocation list say
"revoked".
"""

import base64
import binascii
import datetime as dt
import io
import struct
import uuid
from dataclasses import dataclass

import icalendar
import segno
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admission import codes, keys, workshops
from admission.models import EditionKey
from admission.pdf import render_ticket
from events import ics
from registrations.enums import RegistrationStatus
from registrations.links import manage_path
from registrations.models import Registration

PREFIX = "P1"
VERSION = 1
_CLAIM = struct.Struct(">BI16s")
SIGNATURE_SIZE = 64
PAYLOAD_SIZE = _CLAIM.size + SIGNATURE_SIZE
TOKEN_LENGTH = len(PREFIX) + len(keys.b64url(bytes(PAYLOAD_SIZE)))


class InvalidTicket(Exception):
    """A token that is malformed or whose signature does not verify."""


class NoTicket(Exception):
    """The registration has no ticket: it is on the waiting list or cancelled."""


@dataclass(frozen=True)
class TicketClaim:
    """What a verified token says: the edition and the registration's ``public_id``."""

    edition_id: int
    public_id: uuid.UUID


@dataclass(frozen=True)
class TicketCheck:
    """The server's verdict on a token for an edition; ``code`` is stable (API, tests).

    ``registration`` is set for "valid" and "revoked", and None otherwise.
    """

    code: str
    registration: Registration | None = None

    MESSAGES = {
        "valid": _("Valid ticket."),
        "revoked": _("This ticket was revoked: the registration was cancelled."),
        "unknown": _("This ticket names nobody registered for this day."),
        "invalid": _("This is not a valid ticket: it is damaged or forged."),
        "wrong_edition": _("This ticket is for another day."),
    }

    @property
    def message(self):
        return self.MESSAGES[self.code]

    @property
    def is_valid(self):
        return self.code == "valid"


def has_ticket(registration):
    return registration.status == RegistrationStatus.CONFIRMED


def token_for(registration):
    """The registration's token; raises :class:`NoTicket` unless it is confirmed."""
    if not has_ticket(registration):
        raise NoTicket(registration.status)
    message = _CLAIM.pack(VERSION, registration.edition_id, registration.public_id.bytes)
    signature = keys.private_key_for(registration.edition).sign(message)
    return PREFIX + keys.b64url(message + signature)


def verify_token(token, public_key):
    """The claim of ``token`` if ``public_key`` (32 raw bytes) signed it.

    Pure: needs nothing but its arguments, as a scanner offline. Raises
    :class:`InvalidTicket` for anything else (not a string, wrong prefix, length, alphabet or
    version, a non-canonical encoding, a bad signature).
    """
    claim, message, signature = _parse(token)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        raise InvalidTicket("bad signature") from None
    return claim


def check_ticket(token, edition):
    """The verdict on ``token`` at ``edition``'s door, with the registration it names.

    "invalid": malformed, or not signed by the key of the edition it names; "wrong_edition":
    genuinely signed for another edition; "unknown": signed for this edition but naming no
    registration of it; "revoked": the registration is not confirmed (cancelled); "valid".
    Reads only: records nothing.
    """
    try:
        claim = _parse(token)[0]
    except InvalidTicket:
        return TicketCheck("invalid")
    # The key of the edition the token names, never created here: an edition without one
    # signed nothing.
    public_key = (
        EditionKey.objects.filter(edition_id=claim.edition_id)
        .values_list("public_key", flat=True)
        .first()
    )
    try:
        verify_token(token, bytes(public_key or b""))
    except InvalidTicket:
        return TicketCheck("invalid")
    if claim.edition_id != edition.pk:
        return TicketCheck("wrong_edition")
    registration = (
        Registration.objects.select_related("edition", "category", "organisation")
        .filter(edition=edition, public_id=claim.public_id)
        .first()
    )
    if registration is None:
        return TicketCheck("unknown")
    if not has_ticket(registration):
        return TicketCheck("revoked", registration)
    return TicketCheck("valid", registration)


def qr_code(registration):
    """The QR code of the registration's token (a segno object); raises :class:`NoTicket`."""
    # Level M: survives a crease or a smudge on a printed ticket, still a small symbol.
    return segno.make(token_for(registration), error="m", micro=False)


def qr_svg(registration):
    """The QR code as a standalone SVG document (bytes), scalable (a viewBox, no size)."""
    buffer = io.BytesIO()
    qr_code(registration).save(
        buffer, kind="svg", border=4, omitsize=True, dark="#000", light="#fff", xmldecl=True
    )
    return buffer.getvalue()


def ticket_pdf(registration, *, language=None):
    """The registration's ticket as PDF bytes (A4); raises :class:`NoTicket`.

    Written in ``language``, by default the attendee's (as their emails).
    """
    with translation.override(language or registration.language):
        return render_ticket(
            registration,
            qr_code(registration),
            codes.code_for(registration),
            workshops=[workshops.line(session) for session in workshops.seats(registration)],
        )


def ticket_ics(registration, *, language=None):
    """The day in a calendar file (bytes): the edition's event, told for this attendee, and
    one event per workshop where they hold a seat.

    Its UID is the registration's (not the edition's), so importing it again, or a newer
    version, updates this entry, beside the public calendar's if both are imported; a
    workshop's is the registration's and the workshop's, so that a workshop given up
    disappears from a newer file and one kept stays one entry. Any status: a waiting person
    may want the day in their calendar too. Written in ``language``, by default the
    attendee's.
    """
    with translation.override(language or registration.language):
        return _calendar(registration)


def email_files(registration, language):
    """The PDF ticket and the calendar file, in the recipient's language: attached to every
    email that carries the ticket (registered with
    :func:`registrations.emails.attach_to_ticket_emails` when the app is ready)."""
    stem = f"{slugify(gettext('ticket'))}-{registration.edition.slug}"
    return [
        (f"{stem}.pdf", ticket_pdf(registration, language=language), "application/pdf"),
        (f"{stem}.ics", ticket_ics(registration, language=language), "text/calendar"),
    ]


def _calendar(registration):
    edition = registration.edition
    lines = [
        edition.summary,
        gettext("Registered: %(names)s (%(category)s)")
        % {"names": _names_as_on_id(registration), "category": registration.category.name},
    ]
    if edition.id_required:
        lines.append(
            gettext(
                "Bring an identity document bearing the names you registered with: "
                "it is checked at the entrance."
            )
        )
    lines.append(
        gettext("Your ticket, and to change or cancel your registration: %(url)s")
        % {"url": settings.SITE_URL + manage_path(registration)}
    )
    if edition.has_hours:
        start, end = edition.starts_at, edition.ends_at
    else:
        start, end = edition.date, edition.date + dt.timedelta(days=1)
    event = icalendar.Event.new(
        uid=ics._uid("registration", registration.public_id.hex),
        summary=ics._labelled(edition.title, edition),
        description="\n\n".join(str(line) for line in lines),
        location=ics._location(edition),
        url=settings.SITE_URL + edition.get_absolute_url(),
        start=start,
        end=end,
        stamp=registration.updated_at,
    )
    events = [event]
    for session in workshops.seats(registration):
        details = [gettext("Workshop: your seat is taken.")]
        if session.description:
            details.append(session.description)
        events.append(
            icalendar.Event.new(
                uid=ics._uid("workshop", f"{registration.public_id.hex}-{session.pk}"),
                summary=ics._labelled(f"{session.title} · {edition.title}", edition),
                description="\n\n".join(details),
                location=ics._location(edition, room=session.room),
                url=settings.SITE_URL + session.get_absolute_url(),
                start=session.starts_at,
                end=session.ends_at,
                stamp=registration.updated_at,
            )
        )
    return ics._calendar(edition, events)


def _names_as_on_id(registration):
    return f"{registration.first_name} {registration.last_name}"


def _parse(token):
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH or not token.startswith(PREFIX):
        raise InvalidTicket("bad format")
    encoded = token[len(PREFIX) :]
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise InvalidTicket("bad encoding") from None
    # urlsafe_b64decode skips characters outside the alphabet, and the last character has
    # unused bits: only the one canonical spelling of the payload is accepted.
    if len(payload) != PAYLOAD_SIZE or keys.b64url(payload) != encoded:
        raise InvalidTicket("bad encoding")
    message, signature = payload[: _CLAIM.size], payload[_CLAIM.size :]
    version, edition_id, public_id = _CLAIM.unpack(message)
    if version != VERSION:
        raise InvalidTicket("unknown version")
    return TicketClaim(edition_id, uuid.UUID(bytes=public_id)), message, signature
