"""The emails of registration: one function per email, each writing outbox records.

Every function is called inside the transaction of the change it announces (see
:mod:`registrations.capacity`), so a rolled-back change sends nothing and a committed one is
always sent (:mod:`outbox.services`). The message itself (subject, text, HTML, attachments)
is rendered when it is sent, by the builders below, in the recipient's language, from the
registration as it is then: a message about a state that no longer holds (a "confirmed"
email for a registration cancelled meanwhile, say) is skipped.

Recipients: the attendee's own address, and the booker's when the registration was made in
a booking by someone else (the booker receives every ticket), one message each; an attendee
registered without an address is written to through the booker only. The reminder goes to
one address: the attendee's, else the booker's.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation

from common.mail import render_email
from events import ics
from events.models import Session
from outbox.models import Message
from outbox.services import builder, enqueue
from registrations import limits, links
from registrations.enums import ACTIVE, RegistrationStatus, WorkshopChoiceStatus
from registrations.models import Booking, Invitation, Registration, WorkshopChoice

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED

#: The kinds of outbox messages built from a registration (the invitation's is built from
#: an invitation).
REGISTRATION_KINDS = tuple(
    f"registrations.{name}"
    for name in (
        "confirmed",
        "waitlisted",
        "promoted",
        "cancelled",
        "manage_link",
        "reminder",
        "reconfirmation",
        "changed",
        "ticket_changed",
        "workshop_seat",
        "workshop_offer",
    )
)

#: What a message is addressed as, in its context: the attendee, or the booker who
#: registered them.
ATTENDEE, BOOKER = "attendee", "booker"


def registered(registration, *, to=None):
    """After a registration: "confirmed" (ticket attached) or "on the waiting list"; also
    what "send it again" sends.

    ``to``: ``ATTENDEE`` or ``BOOKER`` writes to that one recipient only (the booker's page
    sends a colleague's ticket again to one address). Returns how many messages were written
    (none when that recipient has no address of its own).
    """
    kind = "confirmed" if registration.status == CONFIRMED else "waitlisted"
    return _to_attendee_and_booker(kind, registration, only=to)


def promoted(registration):
    """A waiting person got a seat: "you have a seat" (ticket attached)."""
    _to_attendee_and_booker("promoted", registration)


def workshop_seat(choice, *, instead_of=None, moved=False):
    """A person got a seat in a workshop they waited for (``instead_of``: the workshop of
    the slot they held and gave up for it), or an organiser put them in it (``moved``)."""
    context = {"session": choice.session_id, "moved": moved}
    if instead_of is not None:
        context["instead_of"] = instead_of.pk
    _to_attendee_and_booker("workshop_seat", choice.registration, **context)


def workshop_offer(choice, *, held):
    """A seat freed up in a workshop a person waited for, while they hold ``held`` (a choice)
    in the slot: which one do they keep? Until ``choice.offered_until``."""
    _to_attendee_and_booker(
        "workshop_offer", choice.registration, session=choice.session_id, held=held.session_id
    )


def cancelled(registration):
    """A registration was cancelled (by the attendee or an organiser)."""
    _to_attendee_and_booker("cancelled", registration)


def invitation(invitation):
    """A personal invitation: the link to register, the category, the seat held if any."""
    enqueue(
        "registrations.invitation",
        to=invitation.email,
        object_id=invitation.pk,
        edition=invitation.edition_id,
        language=invitation.language,
    )


def manage_link(registration):
    """The private manage link again, asked for through the lost-link form."""
    _to_attendee_and_booker("manage_link", registration)


def registered_again(registration):
    """The private manage link again, to the attendee's own address only, because that
    address was typed once more in the registration form: the form does not say that an
    address is registered already (anyone could then test addresses), its owner is told."""
    enqueue(
        "registrations.manage_link",
        to=registration.email,
        object_id=registration.pk,
        edition=registration.edition_id,
        language=registration.language,
        context={"to": ATTENDEE, "why": "registered_again"},
    )


def reminder(registration):
    """Two days before the day: practical information, the ID reminder, the ticket.

    Written once per registration whatever the number of calls (``dedupe_key``), to the
    attendee's address or, without one, the booker's. Returns the outbox message (the one
    written before, if any), or None when there is no address to write to.
    """
    return write_once("reminder", registration)


def reconfirmation(registration):
    """Before the security list's final deadline: "are you still coming?", with a link to
    answer yes and one to cancel.

    Written once per registration (``dedupe_key``), to the attendee's address or, without
    one, the booker's. Returns the outbox message, or None when there is no address.
    """
    return write_once("reconfirmation", registration)


def changed(registration, *, changes, key):
    """The day's date, hours or venue changed (``changes``: aspect -> (before, now), as
    :mod:`registrations.changes` says): the new details, the new calendar file and, for a
    confirmed person, the new ticket.

    One message per registration and notice (``key``, in the ``dedupe_key``), to the
    attendee's address or, without one, the booker's. Returns the outbox message (the one
    written before, if any), or None when there is no address to write to."""
    return _to_first_recipient(
        "changed",
        registration,
        dedupe_key=f"{change_key(key)}{registration.pk}",
        changes={aspect: list(pair) for aspect, pair in changes.items()},
    )


def change_key(key):
    """The start of the ``dedupe_key`` of every message of the notice ``key``."""
    return f"change:{key}:"


def ticket_changed(registration):
    """The names on a confirmed registration changed: the new ticket, to the attendee and
    the booker (who receives every ticket)."""
    _to_attendee_and_booker("ticket_changed", registration)


def readable_changes(changes):
    """``changes`` (aspect -> (before, now), JSON values) as templates show them, in the
    order of the day's details: ``[{"aspect", "before", "now"}]``, a "when" as a date and
    its hours (times, or None), a "where" as the address lines (or None)."""

    def value(aspect, raw):
        if aspect != "when" or raw is None:
            return raw
        return {
            "date": dt.date.fromisoformat(raw["date"]),
            "start": raw["start"] and dt.time.fromisoformat(raw["start"]),
            "end": raw["end"] and dt.time.fromisoformat(raw["end"]),
        }

    return [
        {"aspect": aspect, "before": value(aspect, before), "now": value(aspect, now)}
        for aspect in ("when", "where")
        if aspect in changes
        for before, now in [changes[aspect]]
    ]


def messages_about(registration):
    """The outbox messages about ``registration`` (organisers see them with their status)."""
    return Message.objects.about(REGISTRATION_KINDS, registration.pk)


def once_key(name, registration):
    """The outbox ``dedupe_key`` of the email ``name`` that a registration gets only once."""
    return f"{name}:{registration.pk}"


def write_once(name, registration):
    """Writes the email ``name`` once per registration whatever the number of calls, to the
    attendee's address or, without one, the booker's. Returns the outbox message (the one
    written before, if any), or None when there is no address to write to."""
    return _to_first_recipient(name, registration, dedupe_key=once_key(name, registration))


def _to_first_recipient(name, registration, *, dedupe_key, **context):
    """Writes the email ``name`` once for ``dedupe_key``, to the attendee's address or,
    without one, the booker's, with ``context``; the outbox message, or None (no address)."""
    recipients = _recipients(registration)
    if not recipients:
        return None
    address, language, role = recipients[0]
    return enqueue(
        f"registrations.{name}",
        to=address,
        object_id=registration.pk,
        edition=registration.edition_id,
        language=language,
        context={"to": role, **context},
        dedupe_key=dedupe_key,
    )


def _to_attendee_and_booker(name, registration, *, only=None, **context):
    """Writes the email ``name`` to each recipient (``only``: to the one of that role), with
    ``context``; returns how many."""
    recipients = [
        recipient for recipient in _recipients(registration) if only in (None, recipient[2])
    ]
    for address, language, role in recipients:
        enqueue(
            f"registrations.{name}",
            to=address,
            object_id=registration.pk,
            edition=registration.edition_id,
            language=language,
            context={"to": role, **context},
        )
    return len(recipients)


def _recipients(registration):
    """``(address, language, role)`` for the attendee, then the booker if another address."""
    recipients = []
    if registration.email:
        recipients.append((registration.email, registration.language, ATTENDEE))
    if registration.booking_id is not None:
        booking = _booking(registration)
        if booking and booking.email.strip().lower() != registration.email.strip().lower():
            recipients.append((booking.email, booking.language, BOOKER))
    return recipients


def _booking(registration):
    # The object already loaded when there is one (the form passes it); else one query.
    if Registration.booking.is_cached(registration):
        return registration.booking
    return Booking.objects.filter(pk=registration.booking_id).only("email", "language").first()


# The ticket's files, from the app that makes tickets (above this one) -----------------------

_ticket_files_makers = {}


def attach_to_ticket_emails(function):
    """Registers ``function(registration, language)``, which returns the files ``[(file name,
    content, MIME type)]`` attached to every email that carries the ticket (confirmed,
    promoted, reminder). The admission app, which makes tickets, registers its PDF ticket and
    calendar file when it is ready: this app cannot import it. Registering a function again
    changes nothing."""
    _ticket_files_makers[f"{function.__module__}.{function.__qualname__}"] = function
    return function


_ticket_code_makers = {}


def print_ticket_code(function):
    """Registers ``function(registration)``, which returns the short code printed on the
    ticket, for the emails that carry it (the admission app's, as for the files)."""
    _ticket_code_makers[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def _ticket_code(registration):
    return next((make(registration) for make in _ticket_code_makers.values()), "")


def _ticket_files(registration, language):
    """The files of the ticket, in the recipient's language."""
    return [
        file
        for make_files in _ticket_files_makers.values()
        for file in make_files(registration, language)
    ]


# Builders: run by the worker when a message is sent -----------------------------------------


def _with_ticket(name, message):
    """The email ``name`` to a confirmed person, with the ticket's files; nothing when the
    registration is no longer confirmed."""
    registration = _registration(message, CONFIRMED)
    if registration is None:
        return None
    context = _context(
        registration,
        message,
        ticket_code=_ticket_code(registration),
        workshop_choices=_workshop_choices(registration),
    )
    return _email(name, context, _ticket_files(registration, message.language))


def _workshop_choices(registration):
    """The person's workshops, in the programme's order, for the emails that list them."""
    return list(registration.workshop_choices.in_programme_order())


@builder("registrations.confirmed")
def build_confirmed(message):
    return _with_ticket("confirmed", message)


@builder("registrations.waitlisted")
def build_waitlisted(message):
    registration = _registration(message, WAITLISTED)
    if registration is None:
        return None
    with translation.override(message.language):
        reason = limits.waiting_sentence(registration)
    context = _context(
        registration,
        message,
        position=waitlist_position(registration),
        reason=reason,
        other_category=registration.waiting_reason in limits.ANOTHER_CATEGORY_HELPS,
        workshop_choices=_workshop_choices(registration),
    )
    return _email("waitlisted", context)


@builder("registrations.promoted")
def build_promoted(message):
    return _with_ticket("promoted", message)


@builder("registrations.workshop_seat")
def build_workshop_seat(message):
    choice = _workshop_choice(message, WorkshopChoiceStatus.CONFIRMED)
    if choice is None:
        return None
    instead_of = message.context.get("instead_of")
    context = _context(
        choice.registration,
        message,
        session=choice.session,
        moved=message.context.get("moved", False),
        instead_of=Session.objects.filter(pk=instead_of).first() if instead_of else None,
    )
    return _email("workshop_seat", context)


@builder("registrations.workshop_offer")
def build_workshop_offer(message):
    choice = _workshop_choice(message, WorkshopChoiceStatus.OFFERED)
    held = Session.objects.filter(pk=message.context.get("held")).first()
    if choice is None or held is None:
        return None
    with translation.override(message.language):
        until = formats.date_format(timezone.localtime(choice.offered_until), "DATETIME_FORMAT")
    context = _context(
        choice.registration,
        message,
        session=choice.session,
        held=held,
        until=until,
        # The page's workshops, where the two buttons are.
        workshops_url=_absolute(f"{links.manage_path(choice.registration)}#workshops"),
    )
    return _email("workshop_offer", context)


def _workshop_choice(message, status):
    """The choice an email about a workshop is about, if it still stands as it said."""
    return (
        WorkshopChoice.objects.select_related(
            "session",
            "registration__edition__venue",
            "registration__category",
            "registration__organisation",
        )
        .filter(
            registration_id=message.object_id,
            session_id=message.context.get("session"),
            status=status,
            registration__status=CONFIRMED,
        )
        .first()
    )


@builder("registrations.cancelled")
def build_cancelled(message):
    registration = _registration(message, CANCELLED)
    if registration is None:
        return None
    return _email("cancelled", _context(registration, message))


@builder("registrations.manage_link")
def build_manage_link(message):
    registration = _registration(message)
    if registration is None:
        return None
    return _email("manage_link", _context(registration, message))


@builder("registrations.reminder")
def build_reminder(message):
    return _with_ticket("reminder", message)


@builder("registrations.reconfirmation")
def build_reconfirmation(message):
    registration = _registration(message, CONFIRMED)
    if registration is None or registration.reconfirmed_at is not None:
        return None  # Cancelled or answered meanwhile: nothing to ask.
    token = links.manage_token(registration)
    context = _context(
        registration,
        message,
        deadline=registration.edition.security_list_final_deadline,
        reconfirm_url=_absolute(reverse("registrations:reconfirm", args=[token])),
        cancel_url=_absolute(reverse("registrations:cancel", args=[token])),
    )
    return _email("reconfirmation", context)


@builder("registrations.changed")
def build_changed(message):
    registration = _registration(message)
    if registration is None or registration.status not in ACTIVE or registration.anonymised_at:
        return None  # Cancelled or anonymised meanwhile: nothing to tell.
    changes = readable_changes(message.context.get("changes") or {})
    context = _context(registration, message, changes=changes)
    if registration.status == CONFIRMED:
        files = _ticket_files(registration, message.language)
    else:
        # No ticket while waiting: the day's own calendar file (the builder runs in the
        # message's language).
        edition = registration.edition
        files = [(f"{edition.slug}.ics", ics.edition_calendar(edition), "text/calendar")]
    return _email("changed", context, files)


@builder("registrations.ticket_changed")
def build_ticket_changed(message):
    return _with_ticket("ticket_changed", message)


@builder("registrations.invitation")
def build_invitation(message):
    invitation = (
        Invitation.objects.usable()
        .select_related("edition__venue", "category")
        .filter(pk=message.object_id, registrations=None)
        .first()
    )
    if invitation is None:  # Revoked, used or deleted meanwhile: nothing to invite to.
        return None
    edition = invitation.edition
    context = {
        "invitation": invitation,
        "edition": edition,
        "venue": edition.venue,
        "category": invitation.category,
        "invitation_url": _absolute(_invitation_path(invitation)),
        "edition_url": _absolute(edition.get_absolute_url()),
        "language": message.language,
    }
    return _email("invitation", context)


def waitlist_position(registration):
    """The registration's place in its edition's waiting list (1 for the first), now."""
    before = Q(created_at__lt=registration.created_at) | Q(
        created_at=registration.created_at, pk__lt=registration.pk
    )
    return (
        Registration.objects.filter(edition_id=registration.edition_id)
        .waiting()
        .filter(before)
        .count()
        + 1
    )


def _registration(message, status=None):
    registration = (
        Registration.objects.select_related("edition__venue", "category", "organisation")
        .filter(pk=message.object_id)
        .first()
    )
    if registration is None or (status is not None and registration.status != status):
        return None
    return registration


def _context(registration, message, **extra):
    edition = registration.edition
    return {
        "registration": registration,
        "edition": edition,
        "venue": edition.venue,
        "category": registration.category,
        "full_name": f"{registration.first_name} {registration.last_name}",
        "to_booker": message.context.get("to") == BOOKER,
        "registered_again": message.context.get("why") == "registered_again",
        "manage_url": _absolute(links.manage_path(registration)),
        "ticket_url": _ticket_url(registration),
        "edition_url": _absolute(edition.get_absolute_url()),
        "language": message.language,
        **extra,
    }


def _email(name, context, attachments=()):
    return render_email(
        f"registrations/email/{name}",
        context,
        language=context["language"],
        attachments=attachments,
    )


def _ticket_url(registration):
    if registration.status != CONFIRMED:
        return None
    return _absolute(reverse("admission:ticket", args=[links.manage_token(registration)]))


def _invitation_path(invitation):
    return reverse("registrations:invitation", args=[invitation.code])


def _absolute(path):
    return settings.SITE_URL + path
