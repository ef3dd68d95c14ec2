"""Workshops: the sessions of a programme that attendees choose, and the slots they form.

A session marked ``is_workshop`` has a number of seats and a choice deadline. Workshops whose
times overlap, directly or through another one, form a *slot*: a person holds at most one
workshop of a slot. Slots are computed from the times, never stored, so that moving a
session in the programme moves it between slots.

This app knows the workshops, not who chose them: the registrations app, which gives their
seats (:mod:`registrations.workshops`), registers how to count the seats taken
(:func:`count_seats_with`) from its ``AppConfig.ready()``, and the programme shows the seats
left through :func:`seats_left`.
"""

from dataclasses import dataclass

from django.utils.translation import ngettext

from events.models import Session


@dataclass(frozen=True)
class Slot:
    """Workshops at the same time, in the programme's order; ``key`` names the slot in forms
    and the API (the first workshop's id)."""

    sessions: tuple

    @property
    def key(self):
        return self.sessions[0].pk

    @property
    def start_time(self):
        return min(session.start_time for session in self.sessions)

    @property
    def end_time(self):
        return max(session.end_time for session in self.sessions)

    def __contains__(self, session):
        return any(session.pk == other.pk for other in self.sessions)


def workshops(edition):
    """The edition's workshops, in the programme's order."""
    return list(
        Session.objects.filter(edition=edition, is_workshop=True).order_by(
            "start_time", "room", "pk"
        )
    )


def slots(sessions):
    """The slots that the workshops ``sessions`` form: groups of sessions whose times
    overlap (a session ending at 15:00 and one starting at 15:00 do not), in order of time."""
    ordered = sorted(sessions, key=lambda session: (session.start_time, session.pk))
    groups = []
    end = None
    for session in ordered:
        if groups and session.start_time < end:
            groups[-1].append(session)
            end = max(end, session.end_time)
        else:
            groups.append([session])
            end = session.end_time
    return [
        Slot(tuple(sorted(group, key=lambda s: (s.start_time, s.room, s.pk)))) for group in groups
    ]


def edition_slots(edition):
    """The slots of ``edition``'s workshops."""
    return slots(workshops(edition))


def slot_of(session, all_slots):
    """The slot of ``all_slots`` that holds ``session``."""
    return next(slot for slot in all_slots if session in slot)


# The seats taken, counted by the app that gives them ----------------------------------------

_counters = []


def count_seats_with(function):
    """Registers ``function(sessions)``, which returns ``{session pk: seats taken}``; the
    registrations app registers its count when it is ready. Registering again changes
    nothing."""
    if function not in _counters:
        _counters.append(function)
    return function


def seats_taken(sessions):
    """``{session pk: seats taken}`` for the workshops among ``sessions``."""
    sessions = [session for session in sessions if session.is_workshop]
    taken = dict.fromkeys((session.pk for session in sessions), 0)
    for counter in _counters:
        for pk, count in counter(sessions).items():
            taken[pk] += count
    return taken


def seats_left(sessions):
    """``{session pk: seats left}`` for the workshops among ``sessions`` (never below 0)."""
    taken = seats_taken(sessions)
    return {
        session.pk: max(session.capacity - taken[session.pk], 0)
        for session in sessions
        if session.is_workshop
    }


def below_taken_sentence(taken):
    """Why a workshop cannot have fewer seats than ``taken``, the people holding one (the
    programme's form and the workshop's page say it alike)."""
    return ngettext(
        "%(count)s person already holds a seat in this workshop: it needs at least %(count)s seat.",
        "%(count)s people already hold a seat in this workshop: it needs at least %(count)s seats.",
        taken,
    ) % {"count": taken}
