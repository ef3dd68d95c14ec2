"""Periodic jobs of registration, enqueued by the scheduler of ``ptce serve``.

Each may run twice at once (several schedulers) or again soon after: both are idempotent.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from events.enums import EditionStatus
from events.models import Edition
from outbox.models import Message
from registrations import capacity, emails, privacy, workshops
from registrations.models import Registration

#: The reminder is written this long before the day starts, or later for a registration
#: confirmed after that (never once the day has started).
REMINDER_BEFORE = dt.timedelta(days=2)


@task()
def end_workshop_offers():
    """Workshop seats offered and not answered in time: each person keeps the seat they
    held, and the offered one goes on down the waiting list
    (:func:`registrations.workshops.end_offers`). Returns how many offers ended."""
    return workshops.end_offers()


@task()
def send_reminders():
    """Writes the reminder of every confirmed registration of the days starting soon.

    Days: published editions that start within ``REMINDER_BEFORE`` and have not started.
    One reminder per registration ever (its outbox ``dedupe_key``), so running this again,
    or at the same time elsewhere, writes nothing more. Returns the number written.
    """
    return write_reminders()


def write_reminders(*, now=None):
    """The body of :func:`send_reminders`; ``now`` for the tests."""
    now = now or timezone.now()
    return sum(
        _write_to_each_once("reminder", Registration.objects.filter(edition=edition).confirmed())
        for edition in _editions_starting_soon(now)
    )


def _write_to_each_once(name, registrations):
    """Writes the once-only email ``name`` (see ``emails.once_key``) to each of
    ``registrations`` that has not had it; returns how many were written."""
    registrations = list(registrations)
    keys = {emails.once_key(name, registration) for registration in registrations}
    done = set(Message.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    written = 0
    for registration in registrations:
        if emails.once_key(name, registration) in done:
            continue
        with transaction.atomic():
            if emails.write_once(name, registration) is not None:
                written += 1
    return written


def _editions_starting_soon(now):
    today = timezone.localdate(now)
    candidates = Edition.objects.filter(
        status=EditionStatus.PUBLISHED,
        date__gte=today,
        date__lte=today + REMINDER_BEFORE + dt.timedelta(days=1),
    )
    return [edition for edition in candidates if now < edition.starts_at <= now + REMINDER_BEFORE]


@task()
def fill_free_seats():
    """Gives to the waiting list the seats freed without anyone's action: the seats held by
    personal invitations whose hold ended.

    For each edition whose registration is open, :func:`capacity.fill_freed_seats` (which
    writes the "promoted" emails). Returns the number of people promoted.
    """
    return fill_seats_of_open_editions()


def fill_seats_of_open_editions(*, now=None):
    """The body of :func:`fill_free_seats`; ``now`` for the tests."""
    now = now or timezone.now()
    promoted = 0
    candidates = Edition.objects.filter(date__gte=timezone.localdate(now)).exclude(
        registration_opens_at=None, registration_closes_at=None
    )
    for edition in candidates:
        if edition.registration_state(now) == "open":
            promoted += len(capacity.fill_freed_seats(edition, now=now))
    return promoted


@task()
def send_reconfirmations():
    """Writes the "are you still coming?" email of every confirmed registration that has not
    answered, for the editions whose reconfirmation time has come.

    An edition asks ``reconfirmation_days`` before its security list's final deadline, until
    that deadline. One email per registration ever (its outbox ``dedupe_key``): running this
    again, or at the same time elsewhere, writes nothing more. Returns the number written.
    """
    return write_reconfirmations()


def write_reconfirmations(*, now=None):
    """The body of :func:`send_reconfirmations`; ``now`` for the tests."""
    now = now or timezone.now()
    return sum(
        _write_to_each_once(
            "reconfirmation",
            Registration.objects.filter(edition=edition, reconfirmed_at=None).confirmed(),
        )
        for edition in _editions_reconfirming(now)
    )


def _editions_reconfirming(now):
    candidates = Edition.objects.filter(
        status=EditionStatus.PUBLISHED,
        reconfirmation_days__isnull=False,
        security_list_final_deadline__gt=now,
    )
    return [
        edition
        for edition in candidates
        if edition.security_list_final_deadline - dt.timedelta(days=edition.reconfirmation_days)
        <= now
    ]


@task()
def apply_retention():
    """Deletes the venue details and anonymises the personal data of the editions whose
    retention time is over (:func:`registrations.privacy.apply_retention`); safe to re-run.
    Returns the number of steps done."""
    run = privacy.apply_retention()
    return len(run.venue) + len(run.personal)
