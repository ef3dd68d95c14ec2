"""Signals the events app sends, for the apps that build on it (events imports none of them).

``edition_copied(sender=Edition, source=<Edition>, copy=<Edition>)``: sent by
:func:`events.copying.copy_edition` inside its transaction, once the copy and its programme
exist, so that each app copies what it owns (registration categories, entrances) in the
same transaction: a failing receiver leaves no half copy.

``capacity_raised(sender=Edition, edition=<Edition>)``: sent by :func:`capacity_raised_for`
once an edition's capacity went up or was removed, inside the saving transaction; a receiver
returns the people it gave a seat to (the registrations app, from its waiting list).

``workshop_seats_raised(sender=Session, session=<Session>)``: sent by
:func:`workshop_seats_raised_for` once a workshop's seats went up on the programme's editing
page, inside the saving transaction; a receiver gives the new seats to the workshop's
waiting list and returns the people it gave one to (the registrations app).

``practical_details_changed(sender=Edition, edition=<Edition>, changes=<dict>, by=<User>)``:
sent by :func:`practical_details_changed_for` after an organiser's save changed when the day
takes place (date, hours) or where (the venue's address, or another venue), once the change
is committed. ``changes`` maps each aspect that changed (``"when"``, ``"where"``) to its value
before the save (:func:`practical_details`). A receiver returns the address of a page that
offers to tell the people concerned (the registrations app: its attendees), or None; the
organiser is taken to the first one. The receivers decide whom it concerns: this app only
says what changed.
"""

from django.dispatch import Signal

edition_copied = Signal()
capacity_raised = Signal()
workshop_seats_raised = Signal()
practical_details_changed = Signal()


def capacity_raised_for(edition):
    """Send :data:`capacity_raised` for ``edition``; the people given a seat, in the order
    the receivers returned them."""
    answers = capacity_raised.send(sender=type(edition), edition=edition)
    return [person for _receiver, people in answers for person in people or ()]


def workshop_seats_raised_for(session):
    """Send :data:`workshop_seats_raised` for the workshop ``session``; the people given a
    seat, in the order the receivers returned them."""
    answers = workshop_seats_raised.send(sender=type(session), session=session)
    return [person for _receiver, people in answers for person in people or ()]


def practical_details(edition):
    """What attendees plan their day by, as JSON values: ``when`` (the date and the hours,
    ISO) and ``where`` (the venue's address lines, or None without a venue). Transport and
    accessibility notes are not in it: they change no one's plans."""
    venue = edition.venue
    return {
        "when": {
            "date": edition.date.isoformat(),
            "start": edition.start_time.isoformat("minutes") if edition.start_time else None,
            "end": edition.end_time.isoformat("minutes") if edition.end_time else None,
        },
        "where": list(venue.address_lines) if venue else None,
    }


def practical_details_changed_for(edition, before, *, by):
    """Send :data:`practical_details_changed` if ``edition``'s practical details differ from
    ``before`` (:func:`practical_details` read before the save); call it once the save is
    committed. Returns the address of the first page a receiver offers, or None."""
    after = practical_details(edition)
    changes = {aspect: old for aspect, old in before.items() if after[aspect] != old}
    if not changes:
        return None
    answers = practical_details_changed.send(
        sender=type(edition), edition=edition, changes=changes, by=by
    )
    return next((url for _receiver, url in answers if url), None)
