"""The booker's page of a booking: the people they registered, and what the booker may do
for each of them from their own manage link (send the email again, cancel).

The booker is the person of the booking whose address is the booking's: the form's first
person, whose address receives every ticket of the booking. Only their page lists the others;
each colleague's own page stays theirs and lists nobody else. A colleague whose data was
erased is no longer listed nor reachable. Seats are never decided here: cancelling is the
attendee's own rule (:func:`registrations.attendees.cancel`), which goes through
:mod:`registrations.capacity`.
"""

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations import attendees, emails, figures
from registrations.models import Registration, WorkshopChoice

#: Who "send it again" writes to: the address given for the colleague, or the booker's.
RECIPIENTS = (emails.ATTENDEE, emails.BOOKER)


class GroupRefused(Exception):
    """What the booker may not do for a colleague; ``code`` is stable, ``message``
    translated (about the colleague, not the booker)."""

    MESSAGES = {
        "not_in_group": _("This person is not among the people you registered."),
        "colleague_cancelled": _("This person's registration is cancelled."),
        "day_over": _("The day has taken place: this registration can no longer be changed."),
        "colleague_admitted": _(
            "This person was admitted at the door: their registration can no longer be changed."
        ),
        "no_address": _("No address was given for this person: send the email to yourself."),
    }
    #: The attendee's own refusals (:class:`attendees.ChangeRefused`), said of a colleague.
    FROM_ATTENDEES = {
        "registration_cancelled": "colleague_cancelled",
        "day_over": "day_over",
        "admitted": "colleague_admitted",
    }

    def __init__(self, code):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(code)

    def __str__(self):
        return str(self.message)


def is_booker(registration):
    """Whether ``registration`` is its booking's booker: its address is the booking's (in any
    case, as the uniqueness of addresses). An erased person has no address: no longer."""
    if registration.booking_id is None or not registration.email:
        return False
    booking = registration.booking
    return booking.email.strip().lower() == registration.email.strip().lower()


def may_act(actor, target):
    """Whether ``actor``'s manage link may act on ``target``: both in one booking, ``actor``
    its booker, ``target`` another person whose data was not erased."""
    return (
        target.pk != actor.pk
        and actor.booking_id is not None
        and target.booking_id == actor.booking_id
        and target.anonymised_at is None
        and is_booker(actor)
    )


def colleague(booker, pk):
    """The registration ``pk`` if ``booker`` may act on it (:func:`may_act`), else None."""
    target = (
        Registration.objects.select_related("edition", "category", "booking").filter(pk=pk).first()
    )
    return target if target is not None and may_act(booker, target) else None


def colleagues(booker, *, now=None):
    """The other people of the booking of ``booker``, in the order they were registered, for
    the booker's page (an empty list when ``booker`` is not a booker): in two queries, each
    with ``waitlist_position`` (None unless waiting), ``is_admitted`` (let in at the door),
    ``workshops`` (their workshop choices, in the programme's order),
    ``may_resend`` and ``may_cancel`` (what the page offers; :func:`resend` and
    :func:`cancel` decide)."""
    if not is_booker(booker):
        return []
    now = now or timezone.now()
    admitted = Registration.objects.filter(pk=OuterRef("pk")).admitted()
    people = figures.with_waitlist_position(
        Registration.objects.filter(booking_id=booker.booking_id, anonymised_at=None)
        .exclude(pk=booker.pk)
        .select_related("category")
        .annotate(is_admitted=Exists(admitted))
        .prefetch_related(
            Prefetch(
                "workshop_choices",
                queryset=WorkshopChoice.objects.in_programme_order(),
                to_attr="workshops",
            )
        )
        .order_by("created_at", "pk")
    )
    day_over = now >= booker.edition.ends_at
    people = list(people)
    for person in people:
        person.may_resend = person.is_active
        person.may_cancel = person.is_active and not day_over and not person.is_admitted
    return people


def resend(booker, target, *, to):
    """Send ``target``'s confirmation with the ticket (or, while waiting, the waiting-list
    email) again, as the organisers' "send again" does (:func:`emails.registered`), to one
    address: ``to`` is ``emails.ATTENDEE`` (the address given for the person) or
    ``emails.BOOKER`` (the booker's).

    Raises :class:`GroupRefused`: ``not_in_group`` (:func:`may_act`), ``colleague_cancelled``,
    ``no_address`` when the person has no address of their own.

    Side effects: one email to the outbox.
    """
    if to not in RECIPIENTS:
        raise ValueError(f"to must be one of {RECIPIENTS}, not {to!r}")
    if not may_act(booker, target):
        raise GroupRefused("not_in_group")
    if not target.is_active:
        raise GroupRefused("colleague_cancelled")
    with transaction.atomic():
        written = emails.registered(target, to=to)
    if not written:
        raise GroupRefused("no_address")


def cancel(booker, target, *, now=None):
    """The booker cancels ``target``'s coming, by the rules of a person cancelling their own
    registration (:func:`attendees.cancel`): the seat goes to the waiting list.

    Raises :class:`GroupRefused`: ``not_in_group`` (:func:`may_act`), ``colleague_cancelled``,
    ``day_over``, ``colleague_admitted`` (let in at the door already).

    Side effects, in one transaction (``capacity.cancel``): the registration cancelled, its
    "cancelled" email (to the person and the booker), the people promoted and their emails.
    Returns the people promoted.
    """
    if not may_act(booker, target):
        raise GroupRefused("not_in_group")
    try:
        return attendees.cancel(target, now=now)
    except attendees.ChangeRefused as refused:
        raise GroupRefused(GroupRefused.FROM_ATTENDEES[refused.code]) from None
