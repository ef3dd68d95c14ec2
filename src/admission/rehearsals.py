"""Rehearsals at the door: check-in opened before the day, for practice.

An organiser opens a rehearsal for the agents they choose (:func:`open_rehearsal`); until it
is closed (:func:`close`) or the day starts, those agents' check-in app works as on the day,
under a "Rehearsal" banner. Their scans are decided by the same rule
(:func:`admission.checkin.admit`, with ``rehearsal=True``) and stored as
:class:`~admission.models.RehearsalCheckIn`, a table that no count, list or figure of the day
reads (scans at a workshop's door go to :class:`~admission.models.WorkshopCheckIn`, marked
with the rehearsal). Closing deletes the rehearsal and its scans; so does :func:`end_started`, the
scheduler's job, once the day has started (a rehearsal never lasts into it: :func:`current`
already ignores it then).
"""

from django.db import transaction
from django.utils import timezone

from admission.checkin import opens_at
from admission.models import Rehearsal


def current(edition, now=None):
    """The edition's open rehearsal, or None (none opened, or the day has started)."""
    now = now or timezone.now()
    rehearsal = Rehearsal.objects.filter(edition=edition).first()
    if rehearsal is None or now >= opens_at(edition):
        return None
    return rehearsal


def for_agent(edition, user, now=None):
    """The open rehearsal ``user`` was chosen for, or None."""
    rehearsal = current(edition, now)
    if rehearsal is None or not rehearsal.agents.filter(pk=user.pk).exists():
        return None
    return rehearsal


def rehearsing(user, editions, now=None):
    """The ids of ``editions`` whose open rehearsal ``user`` takes part in (one query)."""
    now = now or timezone.now()
    chosen = Rehearsal.objects.filter(edition__in=editions, agents=user).values_list(
        "edition_id", flat=True
    )
    by_id = {edition.pk: edition for edition in editions}
    return {pk for pk in chosen if now < opens_at(by_id[pk])}


def may_open(edition, now=None):
    """A rehearsal is for before the day only."""
    return (now or timezone.now()) < opens_at(edition)


@transaction.atomic
def open_rehearsal(edition, agents, *, by, now=None):
    """Open the edition's rehearsal for ``agents`` (or change who takes part in the open one).

    Returns the rehearsal; raises ``ValueError`` once the day has started.
    """
    now = now or timezone.now()
    if not may_open(edition, now):
        raise ValueError("The day has started: check-in is open for real.")
    rehearsal, _created = Rehearsal.objects.get_or_create(
        edition=edition, defaults={"opened_at": now, "opened_by": by}
    )
    rehearsal.agents.set(agents)
    return rehearsal


@transaction.atomic
def close(edition):
    """Close the edition's rehearsal: it and every scan made in it are deleted.

    Returns the number of scans deleted (0 when no rehearsal was open).
    """
    rehearsal = Rehearsal.objects.select_for_update().filter(edition=edition).first()
    if rehearsal is None:
        return 0
    scans = rehearsal.scans.count() + rehearsal.workshop_scans.count()
    rehearsal.delete()
    return scans


def end_started(now=None):
    """Delete the rehearsals of the editions whose day has started; returns how many."""
    now = now or timezone.now()
    ended = 0
    for rehearsal in Rehearsal.objects.select_related("edition"):
        if now >= opens_at(rehearsal.edition):
            close(rehearsal.edition)
            ended += 1
    return ended
