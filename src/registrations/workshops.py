"""Workshop seats: the one module that decides who holds a seat in a workshop.

A workshop is a session of the programme open to choice, with a number of seats; workshops
at the same time form a slot (:mod:`events.workshops`). The rules are those of the day's
seats (:mod:`registrations.capacity`), per workshop:

- Every change takes the edition's lock (:mod:`registrations.locks`), the one the day's seats
  take, and counts, decides and writes under it: no interleaving of requests can put more
  people in a workshop than its seats, and a registration cannot lose its seat for the day
  while it takes a workshop's.
- Only a confirmed registration holds workshop seats. A waiting registration's choices are
  kept as wishes and applied when it gets its seat (:func:`apply_wishes`): a seat where one
  remains, else the workshop's waiting list.
- A person holds at most one workshop per slot, and waits for at most one. Choosing a
  workshop that has room takes a seat there and gives up the person's other choices of the
  slot; choosing a full one puts them on its waiting list, in order of request, and they
  keep the seat they hold in the slot meanwhile.
- A freed seat goes, in the transaction that frees it, to the first person waiting for that
  workshop. One who holds a seat in another workshop of the slot moves to the freed one,
  freeing theirs in turn (the edition's ``workshop_promotion``: SWAP), or is offered it and
  asked which to keep (ASK): the offered seat is theirs until ``offered_until``, after which
  they keep the seat they held (:func:`end_offers`).
- Cancelling a registration frees its seats (:func:`release`).
- Attendees choose until a workshop's ``choice_deadline`` (and may give a choice up at any
  time: that only frees a seat); organisers at any time, within the seats.

The emails (a seat given, a seat offered) are written to the outbox in the transaction of
the change, as the day's are.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.enums import WorkshopPromotion
from events.models import Session
from events.workshops import below_taken_sentence, edition_slots, slot_of
from registrations import emails, locks
from registrations.enums import HOLDS_WORKSHOP_SEAT, RegistrationStatus, WorkshopChoiceStatus
from registrations.models import WorkshopChoice

SEAT = WorkshopChoiceStatus.CONFIRMED
WAITING = WorkshopChoiceStatus.WAITING
OFFERED = WorkshopChoiceStatus.OFFERED
WISH = WorkshopChoiceStatus.WISH

#: How long a seat offered to a person who holds another one stays theirs, at most (never
#: beyond the workshop's choice deadline).
OFFER_TIME = dt.timedelta(hours=48)


class ChoiceRefused(Exception):
    """A workshop choice the rules forbid; ``code`` is stable (the API returns it, tests
    assert it), ``message`` is translated."""

    MESSAGES = {
        "not_a_workshop": _("This workshop is not one of this day's."),
        "slot_conflict": _("Only one workshop can be chosen at a time: two are at the same time."),
        "choice_closed": _("Choices for this workshop are closed."),
        "registration_cancelled": _("This registration is cancelled."),
        "workshop_full": _("This workshop has no seat left."),
        "not_offered": _("This seat is no longer offered to you."),
        "capacity_below_taken": _("The seats cannot be fewer than the people holding one."),
    }

    def __init__(self, code, *, detail=None, session=None):
        self.code = code
        self.message = detail or self.MESSAGES[code]
        # The workshop concerned, when there is one (the form puts the message beside it),
        # and in a group registration the position of the person refused (0 for the first).
        self.session = session
        self.index = None
        super().__init__(code)

    def __str__(self):
        return str(self.message)


# Reading -------------------------------------------------------------------------------------


def count_seats(sessions):
    """``{session pk: seats taken}``: confirmed and offered seats (registered with
    :func:`events.workshops.count_seats_with`, for the programme)."""
    rows = (
        WorkshopChoice.objects.filter(session__in=[session.pk for session in sessions])
        .holding_seats()
        .values_list("session_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return dict(rows)


def choices_of(registration):
    """The person's choices, in the programme's order, with their workshops."""
    return list(registration.workshop_choices.in_programme_order())


def waiting_position(choice):
    """The place of a waiting ``choice`` in its workshop's waiting list (1 for the first)."""
    waiting = WorkshopChoice.objects.filter(session_id=choice.session_id).waiting()
    return (
        waiting.filter(requested_at__lt=choice.requested_at).count()
        + waiting.filter(requested_at=choice.requested_at, pk__lt=choice.pk).count()
        + 1
    )


# Attendees' and organisers' changes -----------------------------------------------------------


def set_choices(registration, sessions, *, by_organiser=False, now=None):
    """Make ``sessions`` (workshops, or their ids) the person's choice, one per slot; a slot
    with none of them is given up. A workshop the person already holds or waits for stays as
    it is.

    Raises :class:`ChoiceRefused` and changes nothing: ``not_a_workshop`` (not a workshop of
    the registration's edition), ``slot_conflict`` (two of ``sessions`` in one slot),
    ``choice_closed`` (a choice changed after its deadline, unless ``by_organiser``),
    ``registration_cancelled``.

    Side effects, in one transaction: locks the edition; writes the choices; gives the seats
    freed to the waiting lists, with their emails. Returns the person's choices.
    """
    with transaction.atomic():
        edition = locks.edition(registration.edition_id)
        now = now or timezone.now()
        registration.refresh_from_db()
        _set_choices(edition, registration, sessions, by_organiser=by_organiser, now=now)
        return choices_of(registration)


def choose(registration, session, *, by_organiser=False, now=None):
    """Choose one workshop; the person's other slots stay as they are (see
    :func:`set_choices` for the rules and refusals). Returns the choice."""
    with transaction.atomic():
        edition = locks.edition(registration.edition_id)
        now = now or timezone.now()
        registration.refresh_from_db()
        state = _State(edition, registration, now, by_organiser)
        session = state.workshop(session)
        state.choose(session)
        state.promote()
        return WorkshopChoice.objects.get(registration=registration, session=session)


def leave(registration, session, *, by_organiser=False, now=None):
    """Give up one workshop: its seat, its waiting list or the wish; the person's other
    choices of the slot stay. Nothing happens if the person did not choose it.

    Raises :class:`ChoiceRefused` ``not_a_workshop``. Side effects, in
    one transaction: locks the edition; deletes the choice; gives a freed seat to the waiting
    list. Returns the people given a seat."""
    with transaction.atomic():
        edition = locks.edition(registration.edition_id)
        now = now or timezone.now()
        state = _State(edition, registration, now, by_organiser)
        session = state.workshop(session)
        choice = state.mine.get(session.pk)
        if choice is not None:
            state.delete(choice)
        return state.promote()


def take_meanwhile(registration, session, *, now=None):
    """For a person waiting for a workshop of the slot: take a seat in ``session`` and keep
    waiting for the other one.

    Raises :class:`ChoiceRefused`: ``workshop_full``, ``choice_closed``, ``not_a_workshop``,
    ``registration_cancelled``. Returns the choice."""
    with transaction.atomic():
        edition = locks.edition(registration.edition_id)
        now = now or timezone.now()
        registration.refresh_from_db()
        state = _State(edition, registration, now, by_organiser=False)
        session = state.workshop(session)
        state.check_active()
        if registration.status != RegistrationStatus.CONFIRMED:
            raise ChoiceRefused("choice_closed", session=session)
        state.check_open(session)
        if state.taken(session) >= session.capacity:
            raise ChoiceRefused("workshop_full", session=session)
        for choice in state.in_slot(session):
            if choice.status in HOLDS_WORKSHOP_SEAT:
                state.delete(choice)
        existing = state.mine.get(session.pk)
        if existing is not None:
            state.delete(existing)
        choice = state.create(session, SEAT)
        state.promote()
        return choice


def answer_offer(registration, session, *, keep_offered, now=None):
    """A person offered a seat answers: ``keep_offered`` takes it and gives up the seat
    they held in the slot; otherwise they keep theirs and the offered seat goes on down the
    waiting list.

    Raises :class:`ChoiceRefused` ``not_offered`` when the offer ended or was answered.
    Returns the people given a seat."""
    with transaction.atomic():
        edition = locks.edition(registration.edition_id)
        now = now or timezone.now()
        state = _State(edition, registration, now, by_organiser=False)
        session = state.workshop(session)
        offered = state.mine.get(session.pk)
        if offered is None or offered.status != OFFERED or offered.offered_until <= now:
            raise ChoiceRefused("not_offered", session=session)
        if keep_offered:
            for choice in state.in_slot(session):
                if choice.pk != offered.pk:
                    state.delete(choice)
            state.update(offered, SEAT)
        else:
            state.delete(offered)
        return state.promote()


def move(registration, session, *, now=None):
    """An organiser moves a person to ``session``, a workshop with room in the slot of one
    they chose; their other choices of the slot are given up (a freed seat goes to the
    waiting list) and they are told by email.

    Raises :class:`ChoiceRefused`: ``workshop_full`` (with the seats), ``not_a_workshop``,
    ``registration_cancelled``. Returns the choice."""
    with transaction.atomic():
        edition = locks.edition(registration.edition_id)
        now = now or timezone.now()
        registration.refresh_from_db()
        state = _State(edition, registration, now, by_organiser=True)
        session = state.workshop(session)
        state.check_active()
        existing = state.mine.get(session.pk)
        holds = existing is not None and existing.status in HOLDS_WORKSHOP_SEAT
        if not holds and registration.status == RegistrationStatus.CONFIRMED:
            taken = state.taken(session)
            if taken >= session.capacity:
                raise ChoiceRefused(
                    "workshop_full", detail=full_sentence(session, taken), session=session
                )
        state.choose(session)
        choice = WorkshopChoice.objects.get(registration=registration, session=session)
        if choice.status == SEAT:
            emails.workshop_seat(choice, moved=True)
        state.promote()
        return choice


def set_capacity(session, capacity, *, now=None):
    """Set a workshop's seats. Fewer seats than the people holding one is refused with the
    number (:class:`ChoiceRefused` ``capacity_below_taken``); more seats fill from the
    waiting list at once.

    Side effects, in one transaction: locks the edition; saves the session; gives the new
    seats, with their emails. Returns the people given a seat, in waiting-list order."""
    with transaction.atomic():
        edition = locks.edition(session.edition_id)
        now = now or timezone.now()
        session = Session.objects.get(pk=session.pk, is_workshop=True)
        taken = WorkshopChoice.objects.filter(session=session).holding_seats().count()
        if capacity < max(taken, 1):
            raise ChoiceRefused(
                "capacity_below_taken",
                detail=below_taken_sentence(taken),
                session=session,
            )
        session.capacity = capacity
        session.save(update_fields=["capacity"])
        return _promote(edition, [session], now)


def fill_workshop(session, *, now=None):
    """Give a workshop's free seats to its waiting list; call it after its seats were raised
    elsewhere (the programme's editing page). Returns the people given a seat."""
    with transaction.atomic():
        edition = locks.edition(session.edition_id)
        return _promote(edition, [Session.objects.get(pk=session.pk)], now or timezone.now())


def end_offers(*, now=None):
    """The periodic job: offers not answered in time end; each person keeps the seat they
    held, and the offered seat goes on down the waiting list. Returns how many ended."""
    now = now or timezone.now()
    ended = 0
    editions = (
        WorkshopChoice.objects.filter(status=OFFERED, offered_until__lte=now)
        .values_list("session__edition_id", flat=True)
        .distinct()
    )
    for edition_id in list(editions):
        with transaction.atomic():
            edition = locks.edition(edition_id)
            expired = list(
                WorkshopChoice.objects.filter(
                    session__edition_id=edition_id, status=OFFERED, offered_until__lte=now
                ).select_related("session")
            )
            sessions = {choice.session_id: choice.session for choice in expired}
            WorkshopChoice.objects.filter(pk__in=[choice.pk for choice in expired]).delete()
            ended += len(expired)
            _promote(edition, list(sessions.values()), now)
    return ended


# Hooks of the day's seats (registrations.capacity calls them under the edition's lock) -------


def register_choices(edition, registration, sessions, *, by_organiser, now):
    """The workshops chosen in the registration form or the API, for a person just
    registered: seats if confirmed, wishes if waiting. The caller holds the lock."""
    if sessions:
        _set_choices(edition, registration, sessions, by_organiser=by_organiser, now=now)


def release(edition, registration, now):
    """A registration was cancelled: its choices go and the seats they held go to the
    waiting lists. The caller holds the lock. Returns the people given a seat."""
    choices = list(registration.workshop_choices.select_related("session"))
    if not choices:
        return []
    freed = {c.session_id: c.session for c in choices if c.status in HOLDS_WORKSHOP_SEAT}
    WorkshopChoice.objects.filter(pk__in=[choice.pk for choice in choices]).delete()
    return _promote(edition, list(freed.values()), now)


def apply_wishes(edition, registrations, now):
    """People who just got their seat for the day: their wishes become workshop seats where
    seats remain, places in the waiting lists otherwise (in the order they got their seat).
    The caller holds the lock."""
    wishes = list(
        WorkshopChoice.objects.filter(
            registration__in=[registration.pk for registration in registrations], status=WISH
        )
        .select_related("session")
        .order_by("registration__confirmed_at", "registration_id", "requested_at", "pk")
    )
    if not wishes:
        return
    taken = count_seats({wish.session for wish in wishes})
    for wish in wishes:
        session = wish.session
        has_room = taken.get(session.pk, 0) < session.capacity
        wish.status = SEAT if has_room else WAITING
        wish.requested_at = now
        wish.save(update_fields=["status", "requested_at"])
        if has_room:
            taken[session.pk] = taken.get(session.pk, 0) + 1


# Sentences with numbers -------------------------------------------------------------------------


def full_sentence(session, taken):
    return ngettext(
        "“%(title)s” is full: its %(count)s seat is taken.",
        "“%(title)s” is full: its %(count)s seats are taken.",
        taken,
    ) % {"title": session.title, "count": taken}


# Under the lock ---------------------------------------------------------------------------------


class _State:
    """One person's choices and the edition's slots, read under the lock, and the changes
    made to them; the seats freed are given by :meth:`promote` once the changes are made."""

    def __init__(self, edition, registration, now, by_organiser):
        self.edition = edition
        self.registration = registration
        self.now = now
        self.by_organiser = by_organiser
        self.slots = edition_slots(edition)
        self.sessions = {}
        for slot in self.slots:
            for session in slot.sessions:
                session.edition = edition
                self.sessions[session.pk] = session
        self.mine = {
            choice.session_id: choice
            for choice in WorkshopChoice.objects.filter(registration=registration)
            if choice.session_id in self.sessions
        }
        self.freed = {}

    def workshop(self, session):
        pk = getattr(session, "pk", session)
        try:
            return self.sessions[int(pk)]
        except (KeyError, TypeError, ValueError):
            raise ChoiceRefused("not_a_workshop") from None

    def check_active(self):
        if not self.registration.is_active:
            raise ChoiceRefused("registration_cancelled")

    def check_open(self, session):
        if not self.by_organiser and not session.is_open_to_choice(self.now):
            raise ChoiceRefused("choice_closed", session=session)

    def in_slot(self, session):
        slot = slot_of(session, self.slots)
        return [
            choice
            for pk, choice in self.mine.items()
            if pk != session.pk and self.sessions[pk] in slot
        ]

    def taken(self, session):
        return WorkshopChoice.objects.filter(session=session).holding_seats().count()

    def create(self, session, status):
        choice = WorkshopChoice.objects.create(
            registration=self.registration, session=session, status=status, requested_at=self.now
        )
        self.mine[session.pk] = choice
        return choice

    def update(self, choice, status):
        self.check_open(self.sessions[choice.session_id])
        choice.status = status
        choice.offered_until = None
        if status in (WAITING, WISH):
            choice.requested_at = self.now
        choice.save(update_fields=["status", "offered_until", "requested_at"])

    def delete(self, choice):
        # Giving a choice up is allowed after the deadline too: it only frees a seat.
        session = self.sessions[choice.session_id]
        if choice.status in HOLDS_WORKSHOP_SEAT:
            self.freed[session.pk] = session
        choice.delete()
        del self.mine[session.pk]

    def choose(self, session):
        """Make ``session`` the person's choice in its slot (see :func:`set_choices`)."""
        self.check_active()
        current = self.mine.get(session.pk)
        others = self.in_slot(session)
        if self.registration.status != RegistrationStatus.CONFIRMED:
            if current is None or current.status != WISH:
                self.check_open(session)
                if current is not None:
                    self.update(current, WISH)
                else:
                    self.create(session, WISH)
            for choice in others:
                self.delete(choice)
            return
        if current is not None and current.status in (SEAT, OFFERED):
            if current.status == OFFERED:
                self.update(current, SEAT)
            for choice in others:
                self.delete(choice)
            return
        if current is not None and current.status == WAITING:
            for choice in others:
                if choice.status != SEAT:
                    self.delete(choice)
            return
        self.check_open(session)
        has_room = self.taken(session) < session.capacity
        status = SEAT if has_room else WAITING
        for choice in others:
            if has_room or choice.status != SEAT:
                self.delete(choice)
        if current is not None:  # A wish of a registration confirmed since.
            self.update(current, status)
        else:
            self.create(session, status)

    def give_up_slot(self, slot):
        for session in slot.sessions:
            choice = self.mine.get(session.pk)
            if choice is not None:
                self.delete(choice)

    def promote(self):
        return _promote(self.edition, list(self.freed.values()), self.now)


def _set_choices(edition, registration, sessions, *, by_organiser, now):
    state = _State(edition, registration, now, by_organiser)
    state.check_active()
    wanted = {}
    for session in sessions:
        session = state.workshop(session)
        slot = slot_of(session, state.slots)
        if wanted.get(slot.key, session).pk != session.pk:
            raise ChoiceRefused("slot_conflict", session=session)
        wanted[slot.key] = session
    for slot in state.slots:
        if slot.key in wanted:
            state.choose(wanted[slot.key])
        else:
            state.give_up_slot(slot)
    return state.promote()


def _promote(edition, sessions, now):
    """Give the free seats of ``sessions`` to their waiting lists, and the seats that frees
    in turn; the caller holds the edition's lock. Returns the choices given a seat or
    offered one."""
    if not sessions:
        return []
    slots = edition_slots(edition)
    queue = list(sessions)
    promoted = []
    while queue:
        session = queue.pop(0)
        session.edition = edition
        taken = WorkshopChoice.objects.filter(session=session).holding_seats().count()
        waiting = list(
            WorkshopChoice.objects.filter(session=session)
            .waiting()
            .select_related("registration")[: max(session.capacity - taken, 0)]
        )
        slot = slot_of(session, slots)
        for choice in waiting:
            held = (
                WorkshopChoice.objects.filter(
                    registration_id=choice.registration_id,
                    session__in=[other.pk for other in slot.sessions],
                    status=SEAT,
                )
                .exclude(pk=choice.pk)
                .select_related("session")
                .first()
            )
            offer_until = min(now + OFFER_TIME, session.choice_deadline)
            if (
                held is not None
                and edition.workshop_promotion == WorkshopPromotion.ASK
                and offer_until > now
            ):
                choice.status = OFFERED
                choice.offered_until = offer_until
                choice.save(update_fields=["status", "offered_until"])
                emails.workshop_offer(choice, held=held)
            else:
                choice.status = SEAT
                choice.save(update_fields=["status"])
                if held is not None:
                    held.delete()
                    queue.append(held.session)
                emails.workshop_seat(choice, instead_of=held.session if held else None)
            promoted.append(choice)
    return promoted
