"""Check-in at a workshop's door: an entrance bound to a workshop (``Entrance.session``)
admits to it the people who hold a seat in it.

An edition opts in by binding an entrance to a workshop on the entrances' pages; an edition
without such a door checks in exactly as before. The API sends a scan here when its entrance
is a workshop's door (:func:`is_workshop_door`); the scan is recorded as a
:class:`~admission.models.WorkshopCheckIn`, apart from the day's
:class:`~admission.models.CheckIn`: being admitted to a workshop is not being admitted to the
day, and a person may be admitted once to each workshop.

The verdict, in this order:

1. the ticket, as at the main door (:mod:`admission.checkin`): ``invalid_ticket``,
   ``wrong_edition``, ``unknown_ticket``, ``revoked``;
2. ``not_open``: before the edition's day (except in a rehearsal), as at the main door;
3. ``not_registered_here``: the person holds no confirmed seat in the door's workshop (on its
   waiting list, offered a seat they did not take yet, or never chose it);
4. ``admitted`` for the first admission to the workshop the server receives,
   ``already_admitted`` for any later one, with the first one's time, door and agent.

No ID check: the person's ID was checked at the venue's entrance, and the workshop's door
only tells who has a seat. ``id_checked`` is part of the request's digest (the same nonce must
ask the same) but decides nothing, and the scan records ``id_checked`` false.

Nonces, retries and offline device times behave as at the main door: the same nonce answers
the stored verdict and records nothing, another scan with it raises
:class:`~admission.checkin.NonceReused`, a device time off the day raises
:class:`~admission.checkin.ScanRefused`.
"""

from django.utils import timezone

from admission import checkin
from admission.enums import CheckInResult
from admission.models import Entrance, WorkshopCheckIn
from registrations.enums import RegistrationStatus, WorkshopChoiceStatus
from registrations.models import WorkshopChoice


def is_workshop_door(entrance):
    return entrance.session_id is not None


def doors(edition):
    """The edition's workshop doors, with their workshop, in the entrances' order."""
    return list(
        Entrance.objects.filter(edition=edition, session__isnull=False).select_related("session")
    )


def seats(sessions):
    """The choices that admit at the doors of the workshops ``sessions``: a confirmed choice
    of a confirmed registration (a seat offered and not taken yet does not admit)."""
    return WorkshopChoice.objects.filter(
        session__in=sessions,
        status=WorkshopChoiceStatus.CONFIRMED,
        registration__status=RegistrationStatus.CONFIRMED,
    )


def scans(session, rehearsal=None):
    """The scans at ``session``'s doors: the day's, or a rehearsal's."""
    return WorkshopCheckIn.objects.filter(session=session, rehearsal=rehearsal)


def admit(
    edition,
    *,
    ticket=None,
    registration=None,
    entrance,
    agent,
    nonce,
    id_checked=False,
    scanned_at=None,
    now=None,
    rehearsal=None,
):
    """Decide and record one scan at the workshop door ``entrance``; returns a
    :class:`~admission.checkin.Verdict` whose ``checkin`` is the
    :class:`~admission.models.WorkshopCheckIn`.

    Arguments as :func:`admission.checkin.admit`'s. Side effects: one ``WorkshopCheckIn``
    row, unless ``nonce`` was seen already. Raises ``ValueError`` for an entrance of another
    edition or one that is not a workshop's door, or neither or both of ``ticket`` and
    ``registration``.
    """
    if entrance.edition_id != edition.pk:
        raise ValueError("The entrance belongs to another edition.")
    if not is_workshop_door(entrance):
        raise ValueError("The entrance is not a workshop's door.")
    if (ticket is None) == (registration is None):
        raise ValueError("Give either a ticket or a registration.")
    now = now or timezone.now()
    digest = checkin.request_digest(
        ticket=ticket, registration=registration, entrance=entrance, id_checked=id_checked
    )
    session = entrance.session
    kept = scans(session, rehearsal)
    # A nonce is unique among all the edition's workshop scans (any workshop, any rehearsal).
    found = checkin.stored(kept, edition, nonce, digest, nonces=WorkshopCheckIn.objects)
    if found is not None:
        return found
    if scanned_at is None:
        scanned_at = now
    else:
        scanned_at = checkin.check_scanned_at(edition, scanned_at, now, rehearsal)

    result, registration = checkin.decide_ticket(
        edition, ticket, registration, now, rehearsal=rehearsal is not None
    )
    if (
        result == CheckInResult.ADMITTED
        and not seats([session]).filter(registration=registration).exists()
    ):
        result = CheckInResult.NOT_REGISTERED_HERE
    scan = WorkshopCheckIn(
        edition=edition,
        session=session,
        rehearsal=rehearsal,
        registration=registration,
        entrance=entrance,
        agent=agent,
        nonce=nonce,
        request_digest=digest,
        result=result,
        id_checked=False,
        scanned_at=scanned_at,
        received_at=now,
    )
    return checkin.record(scan, kept, nonces=WorkshopCheckIn.objects)
