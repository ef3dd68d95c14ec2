"""The workshops a person holds a seat in, as the ticket, its calendar file and the badge
tell them: only seats taken (``confirmed``), never a waiting list or a wish, in the
programme's order. The seats themselves are :mod:`registrations.workshops`'s."""

from django.utils import formats
from django.utils.translation import gettext as _

from registrations.enums import WorkshopChoiceStatus
from registrations.models import WorkshopChoice
from registrations.workshops import choices_of

SEAT = WorkshopChoiceStatus.CONFIRMED


def seats(registration):
    """The workshops where ``registration`` holds a seat, each with its ``edition`` set."""
    sessions = [choice.session for choice in choices_of(registration) if choice.status == SEAT]
    for session in sessions:
        session.edition = registration.edition
    return sessions


def seats_by_registration(registrations):
    """``{registration pk: [workshops]}`` for ``registrations``, in one query."""
    by_registration = {registration.pk: [] for registration in registrations}
    choices = WorkshopChoice.objects.filter(
        registration__in=list(by_registration), status=SEAT
    ).in_programme_order()
    for choice in choices:
        by_registration[choice.registration_id].append(choice.session)
    return by_registration


def times(session):
    """The times, "14:00 to 15:30", in the active language's format."""
    return _("%(start)s to %(end)s") % {
        "start": formats.time_format(session.start_time),
        "end": formats.time_format(session.end_time),
    }


def line(session):
    """The workshop in one sentence: "Workshop: Title — 14:00 to 15:30, Salle Jaurès" (the
    room as the organisers named it)."""
    if session.room:
        return _("Workshop: %(title)s — %(times)s, %(room)s") % {
            "title": session.title,
            "times": times(session),
            "room": session.room,
        }
    return _("Workshop: %(title)s — %(times)s") % {"title": session.title, "times": times(session)}
