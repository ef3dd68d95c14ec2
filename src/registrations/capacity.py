"""Seat allocation: the one module that decides who gets a seat.

Every change of a registration's status goes through a function of this module, and each runs
in one transaction that first locks the edition's row (``SELECT … FOR UPDATE`` on PostgreSQL;
on SQLite the project opens every transaction with ``BEGIN IMMEDIATE``, which already
serialises writers). Counting, deciding and writing happen under that lock, so no interleaving
of requests, processes or machines can confirm more people than a limit allows, and the order
of ``created_at`` is the order of commits: the waiting list's.

The limits on confirmed seats:

- the edition's ``capacity`` (empty: no limit);
- the category's ``quota`` (empty: no quota);
- the category's ``organisation_cap``, counted per organisation of the directory within the
  category (empty: no cap; an organisation only typed by the attendee has no cap).

When a limit is reached, the person joins the waiting list if the edition has one and
registration is not closed; otherwise they are refused with the first limit reached, in the
order above. A freed seat goes, in the transaction that frees it, to the first waiting person
it fits (first come, first served among those who fit). After ``registration_deadline``
nobody is added or promoted automatically; an organiser still may, within every limit.

Emails are not sent here. The functions return the registrations whose status they changed
(``register`` the new one, ``cancel`` and ``fill_freed_seats`` the promoted ones): the
outbox step writes its records for them inside the same transaction, at the places marked
"outbox", so that nothing is sent for a rolled-back change and nothing committed is lost.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Edition
from registrations.enums import RegistrationStatus
from registrations.models import Category, Registration

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED


class RegistrationRefused(Exception):
    """A registration or promotion that the rules forbid.

    ``code`` is stable (the API returns it, tests assert it); ``message`` is translated.
    """

    MESSAGES = {
        "edition_full": _("There are no seats left for this day."),
        "category_full": _("There are no seats left in this category."),
        "organisation_cap_reached": _(
            "This organisation already has all the seats it may have in this category."
        ),
        "registration_closed": _("Registration is closed."),
        "registration_not_open": _("Registration is not open yet."),
        "already_registered": _("This email address is already registered for this day."),
        "category_not_public": _("This category is by invitation only."),
        "not_waitlisted": _("Only a person on the waiting list can be promoted."),
    }

    def __init__(self, code):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(code)

    def __str__(self):
        return str(self.message)


@dataclass
class _Seats:
    """Confirmed seats of one edition, counted under its lock and updated as seats are given.

    Only the counters that were loaded are meaningful: ``register`` and ``promote`` count
    for one category and organisation, ``fill_freed_seats`` for all of them.
    """

    capacity: int | None
    total: int = 0
    by_category: Counter = field(default_factory=Counter)
    by_organisation: Counter = field(default_factory=Counter)

    def limit_reached(self, category, organisation_id):
        """The code of the first limit a new confirmed seat would exceed, or None."""
        if self.capacity is not None and self.total >= self.capacity:
            return "edition_full"
        if category.quota is not None and self.by_category[category.pk] >= category.quota:
            return "category_full"
        if (
            organisation_id is not None
            and category.organisation_cap is not None
            and self.by_organisation[category.pk, organisation_id] >= category.organisation_cap
        ):
            return "organisation_cap_reached"
        return None

    @property
    def is_full(self):
        return self.capacity is not None and self.total >= self.capacity

    def take(self, category_id, organisation_id):
        self.total += 1
        self.by_category[category_id] += 1
        self.by_organisation[category_id, organisation_id] += 1


def _lock(edition_id):
    """The edition, read again under its row lock: the lock every allocation waits for."""
    return Edition.objects.select_for_update().get(pk=edition_id)


def _seats_for(edition, category, organisation_id):
    """Count the seats one category and organisation depend on, in one query."""
    confirmed = Registration.objects.filter(edition=edition).confirmed()
    counts = confirmed.aggregate(
        total=Count("pk"),
        category=Count("pk", filter=Q(category_id=category.pk)),
        organisation=Count(
            "pk", filter=Q(category_id=category.pk, organisation_id=organisation_id)
        ),
    )
    seats = _Seats(capacity=edition.capacity, total=counts["total"])
    seats.by_category[category.pk] = counts["category"]
    if organisation_id is not None:
        seats.by_organisation[category.pk, organisation_id] = counts["organisation"]
    return seats


def _all_seats(edition):
    """Count every category's and organisation's seats, in one query."""
    seats = _Seats(capacity=edition.capacity)
    rows = (
        Registration.objects.filter(edition=edition)
        .confirmed()
        .values_list("category_id", "organisation_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for category_id, organisation_id, count in rows:
        seats.total += count
        seats.by_category[category_id] += count
        seats.by_organisation[category_id, organisation_id] += count
    return seats


def _is_closed(edition, now):
    return now >= edition.registration_deadline


def register(
    edition,
    *,
    category,
    first_name,
    last_name,
    email,
    organisation=None,
    organisation_name="",
    language="fr",
    now=None,
    by_organiser=False,
):
    """Register one person: a confirmed seat if every limit has room, else the waiting list.

    Raises :class:`RegistrationRefused` when registration is not open (``registration_state``
    other than "open"), the category is invitation-only, the email (in any case) already has
    an active registration for the edition, or a limit is reached and the person cannot wait
    (no waiting list, or registration closed).

    ``by_organiser``: an organiser adds the person; the opening times and the public flag of
    the category do not apply. After the deadline the person is confirmed only if every limit
    has room (never beyond), and is refused otherwise: nobody joins the waiting list then.

    Side effects, in one transaction: locks the edition's row; inserts the registration.
    Returns it (status CONFIRMED or WAITLISTED); the outbox step will write its "confirmed"
    or "on the waiting list" email in this same transaction.
    """
    email = email.strip()
    with transaction.atomic():
        edition = _lock(edition.pk)
        # Taken under the lock, so that the order of created_at is the order of commits.
        now = now or timezone.now()
        closed = _is_closed(edition, now)
        if not by_organiser:
            state = edition.registration_state(now)
            if state == "closed":
                raise RegistrationRefused("registration_closed")
            if state != "open":
                raise RegistrationRefused("registration_not_open")
        category = Category.objects.filter(edition=edition, pk=category.pk).first()
        if category is None:
            raise ValueError("the category does not belong to this edition")
        if not category.is_public and not by_organiser:
            raise RegistrationRefused("category_not_public")
        if Registration.objects.filter(edition=edition).active().with_email(email).exists():
            raise RegistrationRefused("already_registered")

        organisation_id = organisation.pk if organisation else None
        limit = _seats_for(edition, category, organisation_id).limit_reached(
            category, organisation_id
        )
        if limit is None:
            status = CONFIRMED
        elif edition.has_waiting_list and not closed:
            status = WAITLISTED
        else:
            raise RegistrationRefused(limit)

        registration = Registration.objects.create(
            edition=edition,
            category=category,
            organisation=organisation,
            organisation_name=organisation_name,
            first_name=first_name,
            last_name=last_name,
            email=email,
            language=language,
            status=status,
            created_at=now,
            confirmed_at=now if status == CONFIRMED else None,
        )
        # outbox: "confirmed" or "on the waiting list" email for `registration`.
        return registration


def cancel(registration, *, now=None):
    """Cancel a registration and give the seat it frees to the waiting list.

    Cancelling a registration that is already cancelled changes nothing.

    Side effects, in one transaction: locks the edition's row; sets ``registration`` (the
    object passed, refreshed) to CANCELLED with ``cancelled_at``; if it held a seat and the
    deadline has not passed, confirms the waiting people the freed seats fit, first come
    first (see :func:`fill_freed_seats`). Returns the promoted registrations; the outbox step
    will write the "cancelled" email and one "promoted" email each in this transaction.
    """
    with transaction.atomic():
        edition = _lock(registration.edition_id)
        now = now or timezone.now()
        registration.refresh_from_db()
        if not registration.is_active:
            return []
        held_a_seat = registration.status == CONFIRMED
        registration.status = CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        # outbox: "cancelled" email for `registration`.
        return _fill(edition, now) if held_a_seat else []


def fill_freed_seats(edition, *, now=None):
    """Give free seats to the waiting list; call it after raising a capacity, quota or cap.

    Walks the waiting list in order (``created_at``, then ``pk``) and confirms every person
    who fits every limit, so a seat freed in a category or by an organisation goes to the
    first waiting person it fits. Nothing happens at or after ``registration_deadline``.

    Side effects, in one transaction: locks the edition's row; sets the promoted
    registrations to CONFIRMED with ``confirmed_at``. Returns them, in waiting-list order;
    the outbox step will write one "promoted" email each in this transaction.
    """
    with transaction.atomic():
        edition = _lock(edition.pk)
        return _fill(edition, now or timezone.now())


def _fill(edition, now):
    """Promote who fits; the caller holds the edition's lock (see fill_freed_seats)."""
    if _is_closed(edition, now):
        return []
    seats = _all_seats(edition)
    if seats.is_full:
        return []
    categories = {category.pk: category for category in edition.categories.all()}
    promoted = []
    for registration in Registration.objects.filter(edition=edition).waiting():
        category = categories[registration.category_id]
        if seats.limit_reached(category, registration.organisation_id) is None:
            seats.take(category.pk, registration.organisation_id)
            promoted.append(registration)
            if seats.is_full:
                break
    if promoted:
        Registration.objects.filter(pk__in=[r.pk for r in promoted]).update(
            status=CONFIRMED, confirmed_at=now
        )
        for registration in promoted:
            registration.status = CONFIRMED
            registration.confirmed_at = now
    # outbox: one "promoted" email for each of `promoted`.
    return promoted


def promote(registration, *, now=None):
    """An organiser gives a seat to a waiting person, ahead of the waiting list's order.

    Allowed after the deadline too (the person then shows in the security list's next change
    list), but never beyond a limit: raises :class:`RegistrationRefused` with the first limit
    reached, or ``not_waitlisted`` when the registration is not waiting (already confirmed,
    for instance by a cancellation meanwhile, or cancelled).

    Side effects, in one transaction: locks the edition's row; sets ``registration`` (the
    object passed, refreshed) to CONFIRMED with ``confirmed_at``. Returns it; the outbox step
    will write its "promoted" email in this transaction.
    """
    with transaction.atomic():
        edition = _lock(registration.edition_id)
        now = now or timezone.now()
        registration.refresh_from_db()
        if registration.status != WAITLISTED:
            raise RegistrationRefused("not_waitlisted")
        category = Category.objects.get(pk=registration.category_id)
        organisation_id = registration.organisation_id
        limit = _seats_for(edition, category, organisation_id).limit_reached(
            category, organisation_id
        )
        if limit is not None:
            raise RegistrationRefused(limit)
        registration.status = CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        # outbox: "promoted" email for `registration`.
        return registration
