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

A personal invitation that holds a seat (``holds_seat_until`` in the future, not yet used)
counts as a confirmed seat of its category until the guest registers with it or the hold ends.

When a limit is reached, the person joins the waiting list if the edition has one and
registration is not closed; otherwise they are refused with the first limit reached, in the
order above. A freed seat goes, in the transaction that frees it, to the first waiting person
it fits (first come, first served among those who fit). After ``registration_deadline``
nobody is added or promoted automatically; an organiser still may, within every limit.

A registration's workshop seats follow it (:mod:`registrations.workshops`): the person's
wishes become seats when they get theirs, and cancelling frees them, in the same transaction.

Emails are written here, as outbox records in the same transaction as the change they
announce (:mod:`registrations.emails`): nothing is sent for a rolled-back change and nothing
committed is lost.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations import emails, limits, locks, workshops
from registrations.enums import InvitationKind, RegistrationStatus, Source
from registrations.models import Category, Invitation, Registration

#: What an attendee tells about themselves beyond names and email; ``register`` takes them
#: as keyword arguments and the form, the API and the organiser pages pass them through.
ATTENDEE_DETAILS = frozenset(
    {
        "badge_name",
        "job_title",
        "accessibility_needs",
        "diet",
        "dietary_notes",
        "birth_date",
        "birth_place",
        "nationality",
        "employer",
        "consent_public_list",
        "consent_photos",
        "consent_news",
    }
)

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
        "registration_cancelled": _("This registration is cancelled."),
        "invalid_invitation_code": _("This invitation code is not valid for this day."),
        "invitation_used": _("This invitation has already been used."),
    }

    def __init__(self, code, *, index=None, detail=None):
        self.code = code
        # ``detail``: the limit said with its numbers (:mod:`registrations.limits`), for an
        # organiser; the generic sentence otherwise.
        self.message = detail or self.MESSAGES[code]
        # In a group registration, the position of the person refused (0 for the first).
        self.index = index
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

    def limit_value(self, code, category):
        """The value of the limit ``code`` (a code of :meth:`limit_reached`)."""
        return {
            "edition_full": self.capacity,
            "category_full": category.quota,
            "organisation_cap_reached": category.organisation_cap,
        }[code]

    def refusal(self, code, category, organisation_label):
        """The :class:`RegistrationRefused` for the limit ``code``, said with its numbers."""
        detail = limits.sentence(
            code,
            limit=self.limit_value(code, category),
            category=category.name,
            organisation=organisation_label,
        )
        return RegistrationRefused(code, detail=detail)

    @property
    def is_full(self):
        return self.capacity is not None and self.total >= self.capacity

    def take(self, category_id, organisation_id):
        self.total += 1
        self.by_category[category_id] += 1
        self.by_organisation[category_id, organisation_id] += 1


def _seats_for(edition, category, organisation_id, now, *, using=None):
    """Count the seats one category and organisation depend on, in one query or two.

    ``using``: the invitation being used, whose held seat is the guest's own.
    """
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
    _count_held(seats, edition, now, using=using)
    return seats


def _count_held(seats, edition, now, *, using=None):
    """Add the seats held by personal invitations, except the one being used."""
    held = Invitation.objects.filter(edition=edition).holding_seats(now)
    if using is not None:
        held = held.exclude(pk=using.pk)
    for category_id, count in held.values_list("category_id").annotate(n=Count("pk")).order_by():
        seats.total += count
        seats.by_category[category_id] += count


def _all_seats(edition, now):
    """Count every category's and organisation's seats, in one query (two with holds)."""
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
    _count_held(seats, edition, now)
    return seats


def _is_closed(edition, now):
    return now >= edition.registration_deadline


def register(
    edition,
    *,
    category=None,
    first_name,
    last_name,
    email,
    organisation=None,
    organisation_name="",
    language="fr",
    now=None,
    by_organiser=False,
    invitation_code=None,
    booking=None,
    source=None,
    **details,
):
    """Register one person: a confirmed seat if every limit has room, else the waiting list.

    Raises :class:`RegistrationRefused` when registration is not open (``registration_state``
    other than "open"), the category is invitation-only, the email (in any case) already has
    an active registration for the edition, or a limit is reached and the person cannot wait
    (no waiting list, or registration closed).

    ``details``: the attendee's other fields, among ``ATTENDEE_DETAILS``; already validated
    (the form and the API do it). ``email`` may be empty for a colleague registered in a
    booking: the booker's address then receives the emails.

    ``invitation_code``: a personal invitation's or a group code. It opens its category
    (``category`` may then be None; if given, it must be the invitation's), lets the guest
    register before opening (not after closing), and uses the seat the invitation holds.
    Raises ``invalid_invitation_code`` for an unknown or revoked code or one for another
    category, ``invitation_used`` for a personal invitation already used or a group code
    used ``max_uses`` times.

    ``by_organiser``: an organiser adds the person; the opening times and the public flag of
    the category do not apply. After the deadline the person is confirmed only if every limit
    has room (never beyond), and is refused otherwise: nobody joins the waiting list then.

    Side effects, in one transaction: locks the edition's row; inserts the registration;
    writes its "confirmed" or "on the waiting list" email to the outbox. Returns it (status
    CONFIRMED or WAITLISTED).
    """
    person = dict(
        category=category,
        first_name=first_name,
        last_name=last_name,
        email=email,
        organisation=organisation,
        organisation_name=organisation_name,
        **details,
    )
    return register_group(
        edition,
        [person],
        language=language,
        now=now,
        by_organiser=by_organiser,
        invitation_code=invitation_code,
        booking=booking,
        source=source,
    )[0]


def register_group(
    edition,
    people,
    *,
    language="fr",
    now=None,
    by_organiser=False,
    invitation_code=None,
    booking=None,
    source=None,
):
    """Register several people at once (a booker and colleagues): all of them, or none.

    ``people``: dicts of the keyword arguments of :func:`register` that describe a person
    (``category``, ``first_name``, ``last_name``, ``email``, ``organisation``,
    ``organisation_name`` and ``ATTENDEE_DETAILS``), and ``workshops``: the workshops the
    person chose, one per slot (:func:`registrations.workshops.set_choices`: seats for a
    confirmed person, wishes for a waiting one). Each person is decided in turn, in list
    order, under one lock: each gets a seat or a place in the waiting list by the rules of
    :func:`register`, counting the seats the people before them took. When one is refused,
    nothing is written and :class:`RegistrationRefused` (or a workshop's
    :class:`registrations.workshops.ChoiceRefused`) carries the refused person's ``index``.

    Side effects, in one transaction: locks the edition's row; inserts the registrations
    (linked to ``booking`` when given); writes their emails to the outbox. Returns them.
    """
    with transaction.atomic():
        edition = locks.edition(edition.pk)
        # Taken under the lock, so that the order of created_at is the order of commits.
        now = now or timezone.now()
        invitation = None
        # A blank code is no code (a form's empty field).
        if invitation_code and invitation_code.strip():
            invitation = _invitation(edition, invitation_code, now, places=len(people))
        if not by_organiser:
            state = edition.registration_state(now)
            if state == "closed":
                raise RegistrationRefused("registration_closed")
            if state != "open" and not (state == "not_open" and invitation):
                raise RegistrationRefused("registration_not_open")
        if source is None:
            source = (
                Source.ORGANISER
                if by_organiser
                else Source.INVITATION
                if invitation
                else Source.FORM
            )
        registrations = []
        for index, person in enumerate(people):
            person = dict(person)
            chosen = person.pop("workshops", ())
            try:
                registration = _register_one(
                    edition,
                    now,
                    person,
                    by_organiser=by_organiser,
                    invitation=invitation,
                    booking=booking,
                    language=language,
                    source=source,
                )
                workshops.register_choices(
                    edition, registration, chosen, by_organiser=by_organiser, now=now
                )
            except (RegistrationRefused, workshops.ChoiceRefused) as refused:
                refused.index = index
                raise
            registrations.append(registration)
        for registration in registrations:
            emails.registered(registration)
        return registrations


def _invitation(edition, code, now, *, places):
    """The usable invitation with ``code`` for ``places`` people, or RegistrationRefused."""
    code = code.strip()
    invitation = (
        Invitation.objects.usable()
        .filter(edition=edition)
        .filter(Q(code=code) | Q(kind=InvitationKind.GROUP, code=code.upper().replace(" ", "")))
        .select_related("category")
        .first()
    )
    if invitation is None:
        raise RegistrationRefused("invalid_invitation_code")
    used = invitation.registrations.count()
    if invitation.is_personal:
        if used or places > 1:
            raise RegistrationRefused("invitation_used")
    elif invitation.max_uses is not None:
        active = invitation.registrations.active().count()
        if active + places > invitation.max_uses:
            raise RegistrationRefused("invitation_used")
    return invitation


def _register_one(edition, now, person, *, by_organiser, invitation, booking, language, source):
    """Decide one person's seat and insert it; the caller holds the edition's lock."""
    person = dict(person)
    category = person.pop("category", None)
    email = (person.pop("email", "") or "").strip()
    unknown = (
        set(person)
        - ATTENDEE_DETAILS
        - {
            "first_name",
            "last_name",
            "organisation",
            "organisation_name",
        }
    )
    if unknown:
        raise TypeError(f"unknown attendee details: {sorted(unknown)}")
    if invitation is not None:
        if category is not None and category.pk != invitation.category_id:
            raise RegistrationRefused("invalid_invitation_code")
        category = invitation.category
    if category is None:
        raise ValueError("a category or an invitation is needed")
    category = Category.objects.filter(edition=edition, pk=category.pk).first()
    if category is None:
        raise ValueError("the category does not belong to this edition")
    if not category.is_public and not by_organiser and invitation is None:
        raise RegistrationRefused("category_not_public")
    if email and Registration.objects.filter(edition=edition).active().with_email(email).exists():
        raise RegistrationRefused("already_registered")

    organisation = person.get("organisation")
    organisation_id = organisation.pk if organisation else None
    seats = _seats_for(edition, category, organisation_id, now, using=invitation)
    limit = seats.limit_reached(category, organisation_id)
    waiting = {}
    if limit is None:
        status = CONFIRMED
    elif edition.has_waiting_list and not _is_closed(edition, now):
        status = WAITLISTED
        waiting = {
            "waiting_reason": limit,
            "waiting_limit": seats.limit_value(limit, category),
        }
    else:
        raise RegistrationRefused(limit)

    return Registration.objects.create(
        edition=edition,
        category=category,
        email=email,
        language=language,
        status=status,
        created_at=now,
        confirmed_at=now if status == CONFIRMED else None,
        invitation=invitation,
        booking=booking,
        source=source,
        **waiting,
        **person,
    )


def cancel(registration, *, now=None):
    """Cancel a registration and give the seat it frees to the waiting list.

    Cancelling a registration that is already cancelled changes nothing.

    Side effects, in one transaction: locks the edition's row; sets ``registration`` (the
    object passed, refreshed) to CANCELLED with ``cancelled_at``; if it held a seat and the
    deadline has not passed, confirms the waiting people the freed seats fit, first come
    first (see :func:`fill_freed_seats`); gives its workshop seats to the workshops' waiting
    lists (:func:`registrations.workshops.release`); writes the "cancelled" email and one
    "promoted" email each to the outbox. Returns the promoted registrations.
    """
    with transaction.atomic():
        edition = locks.edition(registration.edition_id)
        now = now or timezone.now()
        registration.refresh_from_db()
        if not registration.is_active:
            return []
        held_a_seat = registration.status == CONFIRMED
        registration.status = CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at", "updated_at"])
        emails.cancelled(registration)
        workshops.release(edition, registration, now)
        return _fill(edition, now) if held_a_seat else []


def fill_seats_raised(sender, edition, **kwargs):
    """Receiver of ``events.signals.capacity_raised``: the waiting list takes the new seats
    (:func:`fill_freed_seats`); returns the people promoted."""
    return fill_freed_seats(edition)


def fill_freed_seats(edition, *, now=None):
    """Give free seats to the waiting list; call it after raising a capacity, quota or cap.

    Walks the waiting list in order (``created_at``, then ``pk``) and confirms every person
    who fits every limit, so a seat freed in a category or by an organisation goes to the
    first waiting person it fits. Nothing happens at or after ``registration_deadline``.

    Side effects, in one transaction: locks the edition's row; sets the promoted
    registrations to CONFIRMED with ``confirmed_at``; writes one "promoted" email each to the
    outbox. Returns them, in waiting-list order. Also call it when a held seat is released
    (an invitation revoked or its hold ended).
    """
    with transaction.atomic():
        edition = locks.edition(edition.pk)
        return _fill(edition, now or timezone.now())


def _fill(edition, now):
    """Promote who fits; the caller holds the edition's lock (see fill_freed_seats)."""
    if _is_closed(edition, now):
        return []
    seats = _all_seats(edition, now)
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
            status=CONFIRMED, confirmed_at=now, updated_at=now
        )
        for registration in promoted:
            registration.status = CONFIRMED
            registration.confirmed_at = now
            emails.promoted(registration)
        workshops.apply_wishes(edition, promoted, now)
    return promoted


def promote(registration, *, now=None):
    """An organiser gives a seat to a waiting person, ahead of the waiting list's order.

    Allowed after the deadline too (the person then shows in the security list's next change
    list), but never beyond a limit: raises :class:`RegistrationRefused` with the first limit
    reached, or ``not_waitlisted`` when the registration is not waiting (already confirmed,
    for instance by a cancellation meanwhile, or cancelled).

    Side effects, in one transaction: locks the edition's row; sets ``registration`` (the
    object passed, refreshed) to CONFIRMED with ``confirmed_at``; writes its "promoted" email
    to the outbox. Returns it.
    """
    with transaction.atomic():
        edition = locks.edition(registration.edition_id)
        now = now or timezone.now()
        registration.refresh_from_db()
        if registration.status != WAITLISTED:
            raise RegistrationRefused("not_waitlisted")
        category = Category.objects.get(pk=registration.category_id)
        organisation_id = registration.organisation_id
        seats = _seats_for(edition, category, organisation_id, now)
        limit = seats.limit_reached(category, organisation_id)
        if limit is not None:
            raise seats.refusal(limit, category, registration.organisation_label)
        registration.status = CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at", "updated_at"])
        emails.promoted(registration)
        workshops.apply_wishes(edition, [registration], now)
        return registration


def change_category(registration, category, *, by_organiser=False, now=None):
    """Move a registration to another category of its edition, through the limits.

    A confirmed person keeps their seat only if the new category has room for it (its quota,
    and its seats per organisation, counting the person's own seat as leaving the old
    category); otherwise nothing changes and :class:`RegistrationRefused` names the limit
    with its numbers. The seat freed in the old category goes to the waiting list, in the
    same transaction (see :func:`fill_freed_seats`).

    A waiting person gets a seat in the new category if it has room, and otherwise waits
    for one there, keeping their place in the order (with the new limit as the reason).

    ``by_organiser``: an organiser moves the person; otherwise it is the attendee, who may
    only choose a public category while registration is open.

    Raises :class:`RegistrationRefused`: ``registration_cancelled``, ``category_not_public``,
    ``registration_closed``, or a limit. Side effects, in one transaction: locks the
    edition's row; saves the registration; writes the confirmation with the new ticket (or
    the "promoted" email) to the outbox, and those of the people promoted. Returns the
    people promoted to the freed seat (the person themselves is not among them).
    """
    with transaction.atomic():
        edition = locks.edition(registration.edition_id)
        now = now or timezone.now()
        registration.refresh_from_db()
        if not registration.is_active:
            raise RegistrationRefused("registration_cancelled")
        category = Category.objects.filter(edition=edition, pk=category.pk).first()
        if category is None:
            raise ValueError("the category does not belong to this edition")
        if category.pk == registration.category_id:
            return []
        if not by_organiser:
            if not category.is_public:
                raise RegistrationRefused("category_not_public")
            if edition.registration_state(now) != "open":
                raise RegistrationRefused("registration_closed")
        organisation_id = registration.organisation_id
        seats = _seats_for(edition, category, organisation_id, now)
        held_a_seat = registration.status == CONFIRMED
        if held_a_seat:
            seats.total -= 1  # The person's own seat, counted with the old category.
        limit = seats.limit_reached(category, organisation_id)
        if limit is not None and (
            held_a_seat or not edition.has_waiting_list or _is_closed(edition, now)
        ):
            raise seats.refusal(limit, category, registration.organisation_label)
        registration.category = category
        fields = ["category", "updated_at"]
        if limit is None:
            if not held_a_seat:
                registration.status = CONFIRMED
                registration.confirmed_at = now
                fields += ["status", "confirmed_at"]
        else:
            registration.waiting_reason = limit
            registration.waiting_limit = seats.limit_value(limit, category)
            fields += ["waiting_reason", "waiting_limit"]
        registration.save(update_fields=fields)
        if held_a_seat:
            emails.registered(registration)
            return _fill(edition, now)
        if registration.status == CONFIRMED:
            emails.promoted(registration)
            workshops.apply_wishes(edition, [registration], now)
        return []


def revoke_invitation(invitation, *, now=None):
    """Revoke an invitation: its link or code no longer works, and its held seat is freed.

    Registrations already made with it stay. Revoking twice changes nothing.

    Side effects, in one transaction: locks the edition's row; sets ``revoked_at``; gives
    the seat it held to the waiting list (see :func:`fill_freed_seats`). Returns the
    promoted registrations.
    """
    with transaction.atomic():
        edition = locks.edition(invitation.edition_id)
        now = now or timezone.now()
        invitation.refresh_from_db()
        if invitation.revoked_at is not None:
            return []
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])
        return _fill(edition, now)
