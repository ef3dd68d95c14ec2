"""Personal data of attendees: what is kept, for how long, a person's copy and erasure.

The one place for these rules; the retention job, the manage link and the organisers' pages
call the functions below.

What a registration keeps for ever, for the anonymous figures (seats, attendance, lunch): its
edition, category, directory organisation (kind, region), status and its times, source, diet,
language, public identifier (so that an old manage link says "deleted" instead of failing),
and its check-ins (times, entrance, verdict: they hold no name; a device nonce names nobody).

What goes:

- ``VENUE_FIELDS`` (asked only when the venue requires them) from
  ``date + venue_data_retention_days`` (Paris midnight), with the rows of the stored security
  lists (:func:`delete_venue_data`);
- every field of ``PERSONAL_FIELDS`` from ``date + personal_data_retention_days``
  (:func:`anonymise_edition`), with the bookers' addresses, the invitations' addresses, guest
  names and notes, and the edition's emails in the outbox (sent, failed or pending: a pending
  one would now go to nobody). Free text goes too: accessibility needs and dietary details
  can be health or religious data; a job title or an organisation name typed in the form (one
  not in the directory, so not in the figures either) can point at one person in a small
  organisation. The consents are reset: an anonymous row appears in no public list.

A person may have the same done to their own registration at any time (:func:`erase`), and
get a copy of what is stored about them (:func:`data_copy`).

The stored security lists are the admission app's, which builds on this one: it registers
them as a :class:`Holding` when it is ready, and the rules here reach them through it.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from accounts import audit
from accounts.enums import AuditAction
from events.enums import SecurityField
from events.models import PARIS, Edition
from outbox.models import Message
from registrations import capacity, emails, locks
from registrations.enums import InvitationKind
from registrations.models import Booking, Invitation, Registration

logger = logging.getLogger(__name__)

#: The details only the venue's security asks for (see ``events.enums.SecurityField``).
VENUE_FIELDS = tuple(SecurityField.values)

#: Every field of a registration that says something about the person, venue fields
#: included; anonymising empties them (``EMPTY``).
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "badge_name",
    "job_title",
    "organisation_name",
    "accessibility_needs",
    "dietary_notes",
    *VENUE_FIELDS,
    "consent_public_list",
    "consent_photos",
    "consent_news",
)

#: What each personal field holds once emptied.
EMPTY = {
    name: None if name == "birth_date" else False if name.startswith("consent_") else ""
    for name in PERSONAL_FIELDS
}
VENUE_EMPTY = {name: EMPTY[name] for name in VENUE_FIELDS}

#: Who asked for an erasure or a copy, in the audit line's detail.
BY_PERSON = "the person themselves"
BY_ORGANISER = "an organiser"

#: The retention job's audit lines, written in the site's language (accounts.audit.record).
VENUE_DATA_DELETED = gettext_lazy("Venue details and security lists deleted")
ANONYMISED = gettext_lazy("Personal data anonymised")


# What the apps above keep about registrations ----------------------------------------------


@dataclass(frozen=True)
class Holding:
    """Personal data about registrations that an app above this one keeps (the admission
    app's stored security lists), registered with :func:`register_holding` when that app is
    ready: this app cannot import it. ``name`` is its key in the counts of the retention job
    and of an erasure, and in a person's copy.

    - ``delete_venue_data(edition, now)`` (None when it keeps none): the venue details it
      keeps of ``edition``, deleted once :func:`venue_data_due_at`; returns how many records
      changed;
    - ``erase(registration)``: the person removed from what it keeps; returns how many
      records changed;
    - ``copy(registration)``: what it keeps about the person, ready for JSON;
    - ``anonymise(edition, now)`` (optional): what it keeps about the people of ``edition``
      deleted once :func:`personal_data_due_at`; returns how many records changed.
    """

    name: str
    delete_venue_data: Callable | None
    erase: Callable
    copy: Callable
    anonymise: Callable | None = None


_holdings = {}


def register_holding(holding):
    """Registers ``holding`` (a :class:`Holding`): the rules below reach it from now on.
    Registering the same name again replaces the first."""
    _holdings[holding.name] = holding


# When --------------------------------------------------------------------------------------


def _midnight_after(edition, days):
    return dt.datetime.combine(edition.date + dt.timedelta(days=days), dt.time(0), tzinfo=PARIS)


def venue_data_due_at(edition):
    """When the venue fields and the stored security lists of ``edition`` are deleted."""
    return _midnight_after(edition, edition.venue_data_retention_days)


def personal_data_due_at(edition):
    """When the personal data of ``edition`` is anonymised."""
    return _midnight_after(edition, edition.personal_data_retention_days)


# The retention job ---------------------------------------------------------------------------


def _empty_venue_fields(edition, now):
    """Empties the venue fields of the edition's registrations and the venue details that the
    apps above keep (the rows of its stored security lists); returns ``(people, held)``,
    ``held`` being the records changed by :class:`Holding` name. The caller holds the
    edition's lock."""
    holding = Q(birth_date__isnull=False)
    for name in VENUE_FIELDS:
        if name != SecurityField.BIRTH_DATE:
            holding |= ~Q(**{name: ""})
    people = (
        Registration.objects.filter(edition=edition)
        .filter(holding)
        .update(**VENUE_EMPTY, updated_at=now)
    )
    held = {
        name: holding.delete_venue_data(edition, now)
        for name, holding in _holdings.items()
        if holding.delete_venue_data is not None
    }
    return people, held


def delete_venue_data(edition, now=None):
    """From :func:`venue_data_due_at`: empty the venue fields of every registration of
    ``edition`` and the rows of its stored security lists.

    Side effects, in one transaction: locks the edition's row; updates its registrations and
    security lists (a :class:`Holding`); sets ``edition.venue_data_deleted_at``; writes an
    audit line and a log line (counts only). Returns the counts, or None when it is not due or
    was done already.
    """
    now = now or timezone.now()
    if now < venue_data_due_at(edition):
        return None
    with transaction.atomic():
        edition = locks.edition(edition.pk)
        if edition.venue_data_deleted_at is not None:
            return None
        people, held = _empty_venue_fields(edition, now)
        edition.venue_data_deleted_at = now
        edition.save(update_fields=["venue_data_deleted_at", "updated_at"])
        counts = {"registrations": people, **held}
        _log(edition, VENUE_DATA_DELETED, people, counts)
    return counts


def anonymise_edition(edition, now=None):
    """From :func:`personal_data_due_at`: anonymise every registration of ``edition``.

    Side effects, in one transaction: locks the edition's row; empties the venue data first if
    that was not done (:func:`delete_venue_data`'s work, with its own audit line); empties
    ``PERSONAL_FIELDS`` of every registration not yet anonymised and sets its
    ``anonymised_at``; empties the bookers' addresses and the invitations' addresses, guest
    names and notes (personal invitations still usable are revoked: the day is long over);
    deletes the edition's emails in the outbox and what the apps above keep about its people
    (a :class:`Holding`'s ``anonymise``); sets ``edition.personal_data_anonymised_at``;
    writes an audit line and a log line (counts only). Figures are unchanged: statuses,
    categories, organisations, diets and check-ins stay. Returns the counts, or None when it
    is not due or was done already.
    """
    now = now or timezone.now()
    if now < personal_data_due_at(edition):
        return None
    with transaction.atomic():
        edition = locks.edition(edition.pk)
        if edition.personal_data_anonymised_at is not None:
            return None
        if edition.venue_data_deleted_at is None:
            people, held = _empty_venue_fields(edition, now)
            edition.venue_data_deleted_at = now
            _log(
                edition,
                VENUE_DATA_DELETED,
                people,
                {"registrations": people, **held},
            )
        people = Registration.objects.filter(edition=edition, anonymised_at=None).update(
            **EMPTY, anonymised_at=now, updated_at=now
        )
        bookings = Booking.objects.filter(edition=edition).exclude(email="").update(email="")
        invitations = Invitation.objects.filter(edition=edition)
        scrubbed = invitations.exclude(email="", guest_name="", note="")
        # An empty address must not stay on a usable personal invitation: the one-invitation-
        # per-address constraint would see them all as the same address.
        revoked = scrubbed.filter(kind=InvitationKind.PERSONAL, revoked_at=None).update(
            email="", guest_name="", note="", revoked_at=now
        )
        others = invitations.exclude(email="", guest_name="", note="").update(
            email="", guest_name="", note=""
        )
        messages, _ = Message.objects.filter(edition=edition).delete()
        held = {
            name: holding.anonymise(edition, now)
            for name, holding in _holdings.items()
            if holding.anonymise is not None
        }
        edition.personal_data_anonymised_at = now
        edition.save(
            update_fields=["venue_data_deleted_at", "personal_data_anonymised_at", "updated_at"]
        )
        counts = {
            "registrations": people,
            "bookings": bookings,
            "invitations": revoked + others,
            "emails": messages,
            **held,
        }
        _log(edition, ANONYMISED, people, counts)
    return counts


def _log(edition, what, people, counts):
    audit.record(None, AuditAction.RETENTION, what, edition=edition, people=people, detail=counts)
    # The audit line is in the site's language; the server's log stays in English, as its
    # other lines (no translation active: the msgid).
    with translation.override(None):
        logger.info(
            "retention: %s: %s (%s)",
            edition.slug,
            str(what).lower(),
            ", ".join(f"{key} {value}" for key, value in counts.items()),
        )


@dataclass
class RetentionRun:
    """What one run of :func:`apply_retention` did: ``{edition slug: counts}`` per step."""

    venue: dict = field(default_factory=dict)
    personal: dict = field(default_factory=dict)

    def __bool__(self):
        return bool(self.venue or self.personal)


def apply_retention(now=None):
    """Apply each edition's retention settings at ``now``: venue data, then personal data.

    Safe to run again and at the same time elsewhere: a step done is recorded on the edition
    (``venue_data_deleted_at``, ``personal_data_anonymised_at``) under its row lock, so a
    second run changes nothing and writes no audit or log line. Each edition and step is its
    own transaction: one failing leaves the others done. Returns a :class:`RetentionRun`.
    """
    now = now or timezone.now()
    today = timezone.localdate(now, timezone=PARIS)
    run = RetentionRun()
    # Every retention lasts at least a day: only past days can be due.
    candidates = Edition.objects.filter(date__lt=today).filter(
        Q(venue_data_deleted_at=None) | Q(personal_data_anonymised_at=None)
    )
    for edition in candidates.order_by("date", "pk"):
        if edition.venue_data_deleted_at is None:
            counts = delete_venue_data(edition, now)
            if counts is not None:
                run.venue[edition.slug] = counts
        counts = anonymise_edition(edition, now)
        if counts is not None:
            run.personal[edition.slug] = counts
    return run


# One person ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    cancelled: bool
    promoted: int
    emails: int
    #: The records changed in what the apps above keep, by :class:`Holding` name.
    held: dict

    @property
    def counts(self):
        """What was done, for the audit line."""
        return {
            "cancelled": self.cancelled,
            "promoted": self.promoted,
            "emails": self.emails,
            **self.held,
        }


def erase(registration, *, by=None, now=None):
    """Erase one person's data on their request (``by``: None when they asked themselves
    from the manage link, else the organiser who acted).

    Before the day ends an active registration is first cancelled through
    :func:`registrations.capacity.cancel` (the seat goes to the waiting list, the ticket is
    revoked); once the day is over its status stays, so that the anonymous figures of who
    came stay true. Then, in the same transaction: ``PERSONAL_FIELDS`` emptied and
    ``anonymised_at`` set; the person's row removed from every stored version of the security
    list (head counts kept as they were sent: a :class:`Holding`); their emails deleted from
    the outbox (those about the registration, and those to their address about nobody else
    still known); the booking's address emptied when no other registration of the booking
    keeps its data; the personal invitation they used emptied and revoked; an audit line.
    Returns an :class:`Erasure`, or None when it was erased already.
    """
    now = now or timezone.now()
    with transaction.atomic():
        promoted = []
        cancelled = False
        if registration.is_active and now < registration.edition.ends_at:
            promoted = capacity.cancel(registration, now=now)
            cancelled = True
        else:
            locks.edition(registration.edition_id)
        registration = Registration.objects.select_related("edition", "invitation").get(
            pk=registration.pk
        )
        if registration.anonymised_at is not None:
            return None
        edition = registration.edition
        deleted_emails = _delete_emails(registration)
        held = {name: holding.erase(registration) for name, holding in _holdings.items()}
        if registration.booking_id is not None:
            others = Registration.objects.filter(
                booking_id=registration.booking_id, anonymised_at=None
            ).exclude(pk=registration.pk)
            if not others.exists():
                Booking.objects.filter(pk=registration.booking_id).update(email="")
        invitation = registration.invitation
        if invitation is not None and invitation.kind == InvitationKind.PERSONAL:
            Invitation.objects.filter(pk=invitation.pk).update(
                email="", guest_name="", note="", revoked_at=invitation.revoked_at or now
            )
        Registration.objects.filter(pk=registration.pk).update(
            **EMPTY, anonymised_at=now, updated_at=now
        )
        erasure = Erasure(
            cancelled=cancelled, promoted=len(promoted), emails=deleted_emails, held=held
        )
        audit.record(
            by,
            AuditAction.ERASURE,
            gettext_lazy("Erasure of one registration's personal data"),
            edition=edition,
            people=1,
            detail={"requested_by": BY_ORGANISER if by else BY_PERSON, **erasure.counts},
        )
    logger.info("erasure: one registration of %s anonymised", edition.slug)
    return erasure


def _delete_emails(registration):
    mine = Q(kind__in=emails.REGISTRATION_KINDS, object_id=registration.pk)
    if registration.invitation_id is not None:
        mine |= Q(kind="registrations.invitation", object_id=registration.invitation_id)
    if registration.email:
        # Their address, unless the message is about another registration that keeps its
        # data (a colleague they booked for: their booking's address stays too).
        others = Registration.objects.filter(
            edition_id=registration.edition_id, anonymised_at=None
        ).exclude(pk=registration.pk)
        mine |= Q(edition_id=registration.edition_id, recipient__iexact=registration.email) & ~Q(
            kind__in=emails.REGISTRATION_KINDS, object_id__in=others.values("pk")
        )
    deleted, _ = Message.objects.filter(mine).delete()
    return deleted


def _iso(value):
    return value.isoformat() if value is not None else None


#: The registration's fields in a person's copy, besides the personal ones.
COPY_FIELDS = (
    "diet",
    "language",
    "source",
    "status",
    "created_at",
    "confirmed_at",
    "cancelled_at",
    "reconfirmed_at",
    "anonymised_at",
)


def data_copy(registration, *, by=None, now=None):
    """Everything stored about the person of ``registration``, as a dict ready for JSON:
    the registration's fields, the booking and the invitation it was made with, the
    workshops chosen, the check-ins at the door and at workshops' doors, the emails written
    to them (what and when: the text is made when sent and not kept), and the versions of
    the security list they appear in.

    Side effect: an audit line (``by``: None when the person asked from the manage link).
    """
    now = now or timezone.now()
    registration = Registration.objects.select_related(
        "edition", "category", "organisation", "booking", "invitation"
    ).get(pk=registration.pk)
    edition = registration.edition
    fields = {}
    for name in (*PERSONAL_FIELDS, *COPY_FIELDS):
        value = getattr(registration, name)
        fields[name] = _iso(value) if isinstance(value, dt.date) else value
    fields["public_id"] = str(registration.public_id)
    fields["category"] = registration.category.name
    fields["organisation"] = registration.organisation.name if registration.organisation else ""
    booking = registration.booking
    invitation = registration.invitation
    # The check-ins are the admission app's, read through the registration's reverse relation.
    checkins = registration.checkins.select_related("entrance")
    messages = Message.objects.filter(
        Q(kind__in=emails.REGISTRATION_KINDS, object_id=registration.pk)
        | (
            Q(edition=edition, recipient__iexact=registration.email)
            if registration.email
            else Q(pk__in=[])
        )
    ).order_by("created_at", "pk")
    copy = {
        "generated_at": _iso(now),
        "edition": {"title": edition.title, "date": _iso(edition.date)},
        "registration": fields,
        "booking": {
            "email": booking.email,
            "language": booking.language,
            "created_at": _iso(booking.created_at),
        }
        if booking
        else None,
        "invitation": {
            "kind": invitation.kind,
            "email": invitation.email,
            "guest_name": invitation.guest_name,
            "note": invitation.note,
            "created_at": _iso(invitation.created_at),
            "sent_at": _iso(invitation.sent_at),
        }
        if invitation
        else None,
        "check_ins": [
            {
                "scanned_at": _iso(checkin.scanned_at),
                "received_at": _iso(checkin.received_at),
                "entrance": checkin.entrance.name,
                "result": checkin.result,
                "id_checked": checkin.id_checked,
            }
            for checkin in checkins
        ],
        # Scans at a workshop's door (the admission app's, by the reverse relation's name);
        # rehearsal scans are not kept beyond the rehearsal.
        "workshop_check_ins": [
            {
                "scanned_at": _iso(scan.scanned_at),
                "workshop": scan.session.title,
                "entrance": scan.entrance.name,
                "result": scan.result,
            }
            for scan in registration.workshop_checkins.filter(rehearsal=None).select_related(
                "session", "entrance"
            )
        ],
        "workshops": [
            {
                "workshop": choice.session.title,
                "status": choice.status,
                "requested_at": _iso(choice.requested_at),
                "offered_until": _iso(choice.offered_until),
            }
            for choice in registration.workshop_choices.select_related("session")
        ],
        "emails": [
            {
                "kind": message.kind,
                "to": message.recipient,
                "status": message.status,
                "written_at": _iso(message.created_at),
                "sent_at": _iso(message.sent_at),
            }
            for message in messages
        ],
        **{name: holding.copy(registration) for name, holding in _holdings.items()},
    }
    with transaction.atomic():
        audit.record(
            by,
            AuditAction.DATA_REQUEST,
            "Copy of one registration's personal data",
            edition=edition,
            people=1,
            detail={"requested_by": BY_ORGANISER if by else BY_PERSON},
        )
    return copy
