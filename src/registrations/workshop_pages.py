"""What the attendee's pages show of the workshops, and the attendee's changes to them.

The registration form offers, per slot, the workshops still open to choice with their seats
left (:func:`form_slots`); the private manage page shows, per slot, where the person stands
and what they may do (:func:`person_slots`). The changes go through the rules of
:mod:`registrations.workshops`, which raise :class:`~registrations.workshops.ChoiceRefused`;
the functions here only check first that the registration is still active and return the
code of the notice the page shows.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from events.workshops import edition_slots, seats_left
from registrations import workshops
from registrations.enums import RegistrationStatus, WorkshopChoiceStatus
from registrations.workshops import ChoiceRefused

SEAT = WorkshopChoiceStatus.CONFIRMED
WAITING = WorkshopChoiceStatus.WAITING
OFFERED = WorkshopChoiceStatus.OFFERED
WISH = WorkshopChoiceStatus.WISH


@dataclass
class Option:
    """A workshop offered in a slot: its seats left and whether it is still open to choice."""

    session: object
    left: int
    is_open: bool = True
    checked: bool = False

    @property
    def is_full(self):
        return self.left <= 0


@dataclass
class Line:
    """One of the person's choices: its state, its place in the waiting list, and for an
    offered seat the seat the person holds in the slot."""

    choice: object
    position: int | None = None
    held: object = None

    @property
    def session(self):
        return self.choice.session

    @property
    def status(self):
        return self.choice.status


@dataclass
class PersonSlot:
    """A slot as the manage page shows it to one person."""

    slot: object
    options: list
    lines: list = field(default_factory=list)
    #: Workshops of the slot with room where a person waiting without a seat may sit meanwhile.
    meanwhile: list = field(default_factory=list)
    #: Whether one of the slot's workshops is still open to choice.
    is_open: bool = False

    @property
    def key(self):
        return self.slot.key

    @property
    def start_time(self):
        return self.slot.start_time

    @property
    def end_time(self):
        return self.slot.end_time


# Reading ------------------------------------------------------------------------------------


def form_slots(edition, now=None):
    """The slots of the registration form: ``[(slot, [Option])]``, the workshops still open to
    choice only, slots with none left out."""
    now = now or timezone.now()
    slots = edition_slots(edition)
    for slot in slots:
        for session in slot.sessions:
            session.edition = edition
    left = seats_left([session for slot in slots for session in slot.sessions])
    found = []
    for slot in slots:
        options = [
            Option(session, left[session.pk])
            for session in slot.sessions
            if session.is_open_to_choice(now)
        ]
        if options:
            found.append((slot, options))
    return found


def person_slots(registration, now=None):
    """The manage page's workshops: a :class:`PersonSlot` per slot of the edition (none when
    the edition has no workshops or the registration is cancelled)."""
    if not registration.is_active:
        return []
    now = now or timezone.now()
    edition = registration.edition
    slots = edition_slots(edition)
    if not slots:
        return []
    sessions = [session for slot in slots for session in slot.sessions]
    for session in sessions:
        session.edition = edition
    left = seats_left(sessions)
    mine = {choice.session_id: choice for choice in workshops.choices_of(registration)}
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    shown = []
    for slot in slots:
        choices = [mine[session.pk] for session in slot.sessions if session.pk in mine]
        held = next((choice for choice in choices if choice.status == SEAT), None)
        wanted = _wanted(choices)
        options = [
            Option(
                session,
                left[session.pk],
                is_open=session.is_open_to_choice(now),
                checked=wanted is not None and wanted.session_id == session.pk,
            )
            for session in slot.sessions
        ]
        lines = []
        for choice in choices:
            line = Line(choice)
            if choice.status == WAITING:
                line.position = workshops.waiting_position(choice)
            elif choice.status == OFFERED:
                line.held = held
            lines.append(line)
        meanwhile = []
        waits = any(choice.status == WAITING for choice in choices)
        seated = any(choice.status in (SEAT, OFFERED) for choice in choices)
        if confirmed and waits and not seated:
            meanwhile = [
                option
                for option in options
                if option.is_open and not option.is_full and option.session.pk not in mine
            ]
        shown.append(
            PersonSlot(
                slot,
                options,
                lines=lines,
                meanwhile=meanwhile,
                is_open=any(option.is_open for option in options),
            )
        )
    return shown


def _wanted(choices):
    """The workshop the person wants in the slot: the one offered or waited for over the one
    held meanwhile, else the seat or the wish."""
    for status in (OFFERED, WAITING, SEAT, WISH):
        for choice in choices:
            if choice.status == status:
                return choice
    return None


# Changes ------------------------------------------------------------------------------------


def _check_active(registration):
    registration.refresh_from_db(fields=["status"])
    if not registration.is_active:
        raise ChoiceRefused("registration_cancelled")


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ChoiceRefused("not_a_workshop") from None


def change(registration, *, slot, workshop, now=None):
    """The manage page's form of a slot: ``workshop`` (an id) becomes the person's choice in
    it, or with no ``workshop`` the person gives the slot up. Raises ChoiceRefused. Returns
    the notice code: ``workshop_seat``, ``workshop_waiting``, ``workshop_wish`` or
    ``workshop_none``."""
    _check_active(registration)
    if workshop:
        choice = workshops.choose(registration, _number(workshop), now=now)
        return {
            SEAT: "workshop_seat",
            WAITING: "workshop_waiting",
            OFFERED: "workshop_seat",
            WISH: "workshop_wish",
        }[choice.status]
    key = _number(slot)
    found = next((s for s in edition_slots(registration.edition) if s.key == key), None)
    if found is None:
        raise ChoiceRefused("not_a_workshop")
    # Giving up is allowed at any time: each choice of the slot goes, in one transaction.
    with transaction.atomic():
        for session in found.sessions:
            workshops.leave(registration, session, now=now)
    return "workshop_none"


def leave(registration, workshop, *, now=None):
    """Give up one workshop (its seat, its waiting list or the wish). Raises ChoiceRefused."""
    _check_active(registration)
    workshops.leave(registration, _number(workshop), now=now)
    return "workshop_left"


def take_meanwhile(registration, workshop, *, now=None):
    """Sit in ``workshop`` while waiting for another one of its slot. Raises ChoiceRefused."""
    _check_active(registration)
    workshops.take_meanwhile(registration, _number(workshop), now=now)
    return "workshop_meanwhile"


#: The answers to an offered seat: keep the one offered, or the one held.
KEEP = {"offered": True, "held": False}


def answer_offer(registration, workshop, *, keep, now=None):
    """Answer the offer of a seat in ``workshop``: ``keep`` is ``"offered"`` or ``"held"``.
    Raises ChoiceRefused."""
    _check_active(registration)
    if keep not in KEEP:
        raise ChoiceRefused("not_offered")
    workshops.answer_offer(registration, _number(workshop), keep_offered=KEEP[keep], now=now)
    return "workshop_offer_taken" if KEEP[keep] else "workshop_offer_declined"
