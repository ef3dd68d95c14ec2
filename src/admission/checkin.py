"""Check-in at the door: the one rule that decides a scan's verdict, and records it.

:func:`admit` is called by the API for every scan a device sends, online or from its offline
queue. Every scan is recorded as a :class:`~admission.models.CheckIn` with its verdict
(admissions, duplicates and refusals alike), except a retry: a device sends each scan with a
nonce unique to it, and the same nonce again answers the stored verdict and records nothing.
A nonce is an idempotency key: sent again with another ticket, registration, entrance or ID
check, it is refused (:class:`NonceReused`) and nothing is recorded. The device's time of an
offline scan must fall on the edition's day (:func:`scan_window`), else :class:`ScanRefused`.

The verdict, in this order:

1. the ticket: ``invalid_ticket`` (malformed or forged), ``wrong_edition`` (genuinely signed
   for another edition), ``unknown_ticket`` (names nobody of this edition), ``revoked`` (the
   registration is not confirmed: cancelled, or on the waiting list, so without a ticket);
2. ``not_open``: check-in opens on the edition's date at 00:00, Paris time, by the server's
   clock (a device's clock is not trusted for this);
3. ``id_mismatch``: the agent did not confirm that the ID matches the names shown;
4. ``admitted`` for the first admission the server *receives*, ``already_admitted`` for any
   later one, with the first admission's time, entrance and agent. Offline scans are merged
   in the order they arrive, not by their device time: whoever synced first wins, and the
   duplicate carries both device times (its own ``scanned_at`` and the first's).

A workshop's door (an entrance bound to a workshop) decides by its own rule,
:mod:`admission.workshop_door`, which reuses the ticket checks here (:func:`decide_ticket`).

Two simultaneous admissions of one registration give exactly one ``admitted``: the insert
runs in a savepoint and the database's partial unique constraint
(``one_admission_per_registration``) refuses the second, which then reads the first.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from admission import tickets
from admission.enums import CheckInResult
from admission.models import CheckIn, Entrance, RehearsalCheckIn, WorkshopCheckIn
from common import moments
from events.models import PARIS
from registrations.enums import RegistrationStatus
from registrations.models import Registration

#: check_ticket's codes, as verdicts; "valid" goes on to the next checks.
TICKET_RESULTS = {
    "invalid": CheckInResult.INVALID_TICKET,
    "wrong_edition": CheckInResult.WRONG_EDITION,
    "unknown": CheckInResult.UNKNOWN_TICKET,
    "revoked": CheckInResult.REVOKED,
}


#: Registrations are numbered by the database: beyond its integers, none can match.
MAX_ID = 2**31 - 1

MESSAGES = {
    CheckInResult.ADMITTED: gettext_lazy("Admitted."),
    CheckInResult.ALREADY_ADMITTED: gettext_lazy("Already admitted."),
    CheckInResult.REVOKED: gettext_lazy("Refused: this registration was cancelled."),
    CheckInResult.UNKNOWN_TICKET: gettext_lazy(
        "Refused: this ticket names nobody registered for this day."
    ),
    CheckInResult.INVALID_TICKET: gettext_lazy(
        "Refused: this is not a valid ticket (damaged or forged)."
    ),
    CheckInResult.WRONG_EDITION: gettext_lazy("Refused: this ticket is for another day."),
    CheckInResult.NOT_OPEN: gettext_lazy(
        "Check-in is not open yet: it opens on the day of the event."
    ),
    CheckInResult.ID_MISMATCH: gettext_lazy("Refused: the ID does not match the names registered."),
    CheckInResult.NOT_REGISTERED_HERE: gettext_lazy(
        "Refused: this person holds no seat in this workshop."
    ),
}


class ScanRefused(Exception):
    """A scan that cannot be recorded as sent; ``field`` is the part of it at fault."""

    def __init__(self, message, *, code, field):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class NonceReused(Exception):
    """The nonce was recorded already for a different scan: nothing is recorded."""

    code = "nonce_reused"
    message = gettext_lazy(
        "This nonce was sent before with another ticket, entrance or ID check: each scan "
        "needs a nonce of its own."
    )


@dataclass(frozen=True)
class Verdict:
    """What the door screen shows for one scan.

    ``checkin`` is the recorded scan (for a retry, the one recorded the first time);
    ``registration`` the person it names, when known; ``first_admission`` the admission that
    came first, for ``already_admitted``; ``replayed``: the nonce had been seen already.
    """

    result: CheckInResult
    checkin: CheckIn
    registration: Registration | None = None
    first_admission: CheckIn | None = None
    replayed: bool = False

    @property
    def is_admitted(self):
        return self.result == CheckInResult.ADMITTED

    @property
    def message(self):
        """The verdict in words, in the active language."""
        first = self.first_admission
        if first is None:
            return str(MESSAGES[self.result])
        return _("Already admitted at %(time)s, %(entrance)s, by %(agent)s.") % {
            "time": formats.time_format(timezone.localtime(first.scanned_at)),
            "entrance": first.entrance.name,
            "agent": agent_name(first.agent),
        }


def agent_name(user):
    """How the screens name an agent: full name, else username; empty once deleted."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def opens_at(edition):
    """When check-in opens: the edition's date at midnight, Paris time."""
    return edition.starts_at.replace(hour=0, minute=0, second=0, microsecond=0)


def closes_at(edition):
    """When door devices stop keeping the edition's data: the midnight after its day, Paris."""
    return dt.datetime.combine(edition.date + dt.timedelta(days=1), dt.time(0), tzinfo=PARIS)


def scan_window(edition, now, rehearsal=None):
    """The device times a scan of ``edition`` may carry, received at ``now``: its day, with
    ``PTCE_CHECKIN_TIME_MARGIN_HOURS`` either side, and never beyond the server's clock by
    more than ``PTCE_CHECKIN_CLOCK_AHEAD_MINUTES``. In a ``rehearsal``: from its opening
    (with the margin) to the day's start."""
    margin = dt.timedelta(hours=settings.PTCE_CHECKIN_TIME_MARGIN_HOURS)
    ahead = dt.timedelta(minutes=settings.PTCE_CHECKIN_CLOCK_AHEAD_MINUTES)
    if rehearsal is not None:
        return rehearsal.opened_at - margin, min(opens_at(edition), now + ahead)
    return opens_at(edition) - margin, min(closes_at(edition) + margin, now + ahead)


def check_scanned_at(edition, scanned_at, now, rehearsal=None):
    """``scanned_at`` if it lies within :func:`scan_window`, else :class:`ScanRefused`."""
    earliest, latest = scan_window(edition, now, rehearsal)
    try:
        return moments.check_moment(scanned_at, earliest, latest)
    except moments.MomentOutOfRange:
        raise ScanRefused(
            _(
                "“scanned_at” must be between %(earliest)s and %(latest)s: the day of the "
                "edition, %(margin)s hours either side, and no later than %(ahead)s minutes "
                "after the server's clock."
            )
            % {
                "earliest": moments.iso(earliest),
                "latest": moments.iso(latest),
                "margin": settings.PTCE_CHECKIN_TIME_MARGIN_HOURS,
                "ahead": settings.PTCE_CHECKIN_CLOCK_AHEAD_MINUTES,
            },
            code="scanned_at_out_of_range",
            field="scanned_at",
        ) from None


def request_digest(*, ticket, registration, entrance, id_checked):
    """What a scan asks, as the digest stored with its nonce: the same nonce must come back
    with the same question. The device's time is left out: a device that got no answer in
    time queues the scan again, then with its own time."""
    if isinstance(registration, Registration):
        registration = registration.pk
    question = {
        "ticket": ticket,
        "registration": registration,
        "entrance": entrance.pk,
        "id_checked": bool(id_checked),
    }
    return hashlib.sha256(json.dumps(question, sort_keys=True).encode()).hexdigest()


def scans(rehearsal=None):
    """Where scans are kept: the day's :class:`CheckIn`, or a rehearsal's own table."""
    if rehearsal is None:
        return CheckIn.objects.all()
    return RehearsalCheckIn.objects.filter(rehearsal=rehearsal)


def counts(edition, rehearsal=None):
    """The door's live counters: expected (confirmed), admitted, admitted per entrance (in a
    ``rehearsal``, its own admissions); a workshop's door counts the admissions to its
    workshop."""
    admitted = dict(
        scans(rehearsal)
        .filter(edition=edition, result=CheckInResult.ADMITTED)
        # No default ordering: it would split the groups.
        .order_by()
        .values("entrance_id")
        .annotate(total=Count("pk"))
        .values_list("entrance_id", "total")
    )
    entrances = list(Entrance.objects.filter(edition=edition))
    total = sum(admitted.values())
    if any(entrance.session_id for entrance in entrances):
        # A workshop's door counts its own admissions (admission.workshop_door), never the
        # day's: a person admitted to the day and to two workshops counts once in "admitted".
        admitted |= dict(
            WorkshopCheckIn.objects.filter(
                edition=edition, rehearsal=rehearsal, result=CheckInResult.ADMITTED
            )
            .order_by()
            .values("entrance_id")
            .annotate(total=Count("pk"))
            .values_list("entrance_id", "total")
        )
    return {
        "expected": Registration.objects.filter(
            edition=edition, status=RegistrationStatus.CONFIRMED
        ).count(),
        "admitted": total,
        "entrances": [
            {"slug": entrance.slug, "name": entrance.name, "admitted": admitted.get(entrance.pk, 0)}
            for entrance in entrances
        ],
    }


def admit(
    edition,
    *,
    ticket=None,
    registration=None,
    entrance,
    agent,
    nonce,
    id_checked,
    scanned_at=None,
    now=None,
    rehearsal=None,
):
    """Decide and record one scan at ``entrance`` of ``edition``; returns a :class:`Verdict`.

    Give the QR payload as ``ticket`` (any string: garbage is ``invalid_ticket``) or the
    registration found by name as ``registration`` (a
    :class:`~registrations.models.Registration` or its number: a number naming nobody is
    ``unknown_ticket``, another edition's registration ``wrong_edition``).
    ``scanned_at`` is the device's time of an offline scan (default: ``now``, the server's).

    Side effects: one ``CheckIn`` row, unless ``nonce`` was seen already for this edition: the
    same scan again answers the stored verdict, another scan with it raises
    :class:`NonceReused`. A ``scanned_at`` outside :func:`scan_window` raises
    :class:`ScanRefused`; neither records anything. Raises ``ValueError`` for a programming
    error: an entrance of another edition, neither or both of ``ticket`` and ``registration``.

    ``rehearsal``: the open :class:`~admission.models.Rehearsal` the agent takes part in (the
    caller checks it, :func:`admission.rehearsals.for_agent`). The scan is then decided as on
    the day, opening time aside, and kept in the rehearsal's own table, which counts nowhere.
    """
    if entrance.edition_id != edition.pk:
        raise ValueError("The entrance belongs to another edition.")
    if (ticket is None) == (registration is None):
        raise ValueError("Give either a ticket or a registration.")
    now = now or timezone.now()
    digest = request_digest(
        ticket=ticket, registration=registration, entrance=entrance, id_checked=id_checked
    )

    kept = scans(rehearsal)
    found = stored(kept, edition, nonce, digest)
    if found is not None:
        return found
    if scanned_at is None:
        scanned_at = now
    else:
        scanned_at = check_scanned_at(edition, scanned_at, now, rehearsal)

    result, registration = _decide(
        edition, ticket, registration, id_checked, now, rehearsal=rehearsal is not None
    )
    scan = kept.model(
        **({"rehearsal": rehearsal} if rehearsal is not None else {}),
        edition=edition,
        registration=registration,
        entrance=entrance,
        agent=agent,
        nonce=nonce,
        request_digest=digest,
        result=result,
        id_checked=bool(id_checked),
        scanned_at=scanned_at,
        received_at=now,
    )
    return record(scan, kept)


def record(scan, kept, *, nonces=None):
    """Insert ``scan`` (a scan of any door, not saved yet) and return its :class:`Verdict`:
    ``already_admitted`` when the scans ``kept`` hold an admission of its registration. The
    stored verdict when a retry with the same nonce, among ``nonces`` (default: ``kept``),
    was recorded concurrently."""
    nonces = kept if nonces is None else nonces
    edition, nonce, digest = scan.edition, scan.nonce, scan.request_digest
    registration = scan.registration
    first = None
    if scan.result == CheckInResult.ADMITTED:
        first = _first_admission(kept, registration)
        if first is not None:
            scan.result = CheckInResult.ALREADY_ADMITTED
    try:
        # A savepoint: a concurrent admission of the same registration, or a concurrent retry
        # with the same nonce, makes this insert fail without spoiling the caller's transaction.
        with transaction.atomic():
            scan.save(force_insert=True)
    except IntegrityError:
        found = stored(kept, edition, nonce, digest, nonces=nonces)
        if found is not None:
            return found
        if scan.result != CheckInResult.ADMITTED:
            raise
        # Someone else's admission of this registration committed first: this scan is the
        # duplicate.
        scan.pk = None
        scan.result = CheckInResult.ALREADY_ADMITTED
        first = _first_admission(kept, registration)
        try:
            with transaction.atomic():
                scan.save(force_insert=True)
        except IntegrityError:
            # A retry with the same nonce, racing this one through the same path, won.
            found = stored(kept, edition, nonce, digest, nonces=nonces)
            if found is None:
                raise
            return found
    return Verdict(
        result=CheckInResult(scan.result),
        checkin=scan,
        registration=registration,
        first_admission=first if scan.result == CheckInResult.ALREADY_ADMITTED else None,
    )


def _decide(edition, ticket, registration, id_checked, now, *, rehearsal=False):
    """``(result, registration)`` before the admission itself: ADMITTED means "may enter"."""
    result, registration = decide_ticket(edition, ticket, registration, now, rehearsal=rehearsal)
    if result == CheckInResult.ADMITTED and not id_checked:
        return CheckInResult.ID_MISMATCH, registration
    return result, registration


def decide_ticket(edition, ticket, registration, now, *, rehearsal=False):
    """``(result, registration)`` from the ticket (or registration) and the opening time
    alone, the checks every door makes: ADMITTED means "the ticket lets them in"."""
    if ticket is not None:
        check = tickets.check_ticket(ticket, edition)
        registration = check.registration
        if not check.is_valid:
            return TICKET_RESULTS[check.code], registration
    registration = _resolve(registration)
    if registration is None:
        return CheckInResult.UNKNOWN_TICKET, None
    if registration.edition_id != edition.pk:
        return CheckInResult.WRONG_EDITION, None
    if registration.status != RegistrationStatus.CONFIRMED:
        return CheckInResult.REVOKED, registration
    if now < opens_at(edition) and not rehearsal:
        return CheckInResult.NOT_OPEN, registration
    return CheckInResult.ADMITTED, registration


def _resolve(registration):
    if isinstance(registration, Registration):
        return registration
    if not isinstance(registration, int) or not 0 < registration <= MAX_ID:
        return None
    return (
        Registration.objects.select_related("category", "organisation")
        .filter(pk=registration)
        .first()
    )


def _first_admission(kept, registration):
    return (
        kept.select_related("entrance", "agent")
        .filter(registration=registration, result=CheckInResult.ADMITTED)
        .first()
    )


def stored(kept, edition, nonce, digest, *, nonces=None):
    """The verdict already given for ``nonce`` at ``edition`` among the scans ``nonces``
    (default: ``kept``, the scans where its registration's first admission is looked for),
    or None; :class:`NonceReused` when it was given for another scan (scans recorded before
    digests were kept have none)."""
    nonces = kept if nonces is None else nonces
    scan = (
        nonces.select_related(
            "entrance", "agent", "registration__category", "registration__organisation"
        )
        .filter(edition=edition, nonce=nonce)
        .first()
    )
    if scan is None:
        return None
    if scan.request_digest and scan.request_digest != digest:
        raise NonceReused
    first = None
    if scan.result == CheckInResult.ALREADY_ADMITTED:
        first = _first_admission(kept, scan.registration)
    return Verdict(
        result=CheckInResult(scan.result),
        checkin=scan,
        registration=scan.registration,
        first_admission=first,
        replayed=True,
    )
