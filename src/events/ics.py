"""Calendar files (RFC 5545) for an edition and for one programme session.

Each event has a UID built from the database id and the site's host, so that importing the
same file twice, or a newer version of it, updates the calendar entry instead of adding one.
Times carry TZID=Europe/Paris with its VTIMEZONE; a day whose hours are not known is an
all-day event (VALUE=DATE).
"""

import datetime as dt
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

PRODID = "-//Journées PTCE//ptce//FR"


def edition_calendar(edition):
    """The .ics file of a whole day, as bytes."""
    lines = [edition.summary]
    if edition.id_required:
        lines.append(
            _(
                "Bring an identity document bearing the names you registered with: "
                "it is checked at the entrance."
            )
        )
    lines.append(_("Programme: %(url)s") % {"url": _absolute(_programme_path(edition))})
    if edition.has_hours:
        start, end = edition.starts_at, edition.ends_at
    else:
        start, end = edition.date, edition.date + dt.timedelta(days=1)
    event = icalendar.Event.new(
        uid=_uid("edition", edition.pk),
        summary=_labelled(edition.title, edition),
        description="\n\n".join(lines),
        location=_location(edition),
        url=_absolute(edition.get_absolute_url()),
        start=start,
        end=end,
        stamp=edition.updated_at,
    )
    return _calendar(edition, [event])


def session_calendar(session):
    """The .ics file of one programme session, as bytes; ``session.edition`` is read."""
    edition = session.edition
    lines = [session.get_kind_display()]
    if session.description:
        lines.append(session.description)
    speakers = ", ".join(speaker.name for speaker in session.speakers.all())
    if speakers:
        lines.append(_("Speakers: %(names)s") % {"names": speakers})
    if session.is_illustrative:
        lines.append(_("Indicative: the times or contents of this session are not known exactly."))
    lines.append(_absolute(edition.get_absolute_url()))
    path = _programme_path(edition) + f"#s{session.pk}"
    event = icalendar.Event.new(
        uid=_uid("session", session.pk),
        summary=_labelled(f"{session.title} · {edition.title}", edition),
        description="\n\n".join(lines),
        location=_location(edition, room=session.room),
        url=_absolute(path),
        start=session.starts_at,
        end=session.ends_at,
        stamp=edition.updated_at,
    )
    return _calendar(edition, [event])


def _calendar(edition, events):
    calendar = icalendar.Calendar.new(
        prodid=PRODID,
        uid=_uid("calendar", edition.pk),
        name=_labelled(edition.title, edition),
        method="PUBLISH",
        subcomponents=events,
    )
    # A VTIMEZONE covering the years around the day rather than 1970 to 2038: same meaning,
    # a file twenty times smaller.
    calendar.add_missing_timezones(
        first_date=dt.date(edition.date.year - 1, 1, 1),
        last_date=dt.date(edition.date.year + 2, 1, 1),
    )
    return calendar.to_ical()


def _labelled(text, edition):
    if edition.is_demonstration:
        return _("%(text)s (demonstration)") % {"text": text}
    return text


def _location(edition, *, room=""):
    parts = [room] if room else []
    if edition.venue:
        parts.extend(edition.venue.address_lines)
    return ", ".join(parts) or None


def _programme_path(edition):
    return reverse("events:programme", kwargs={"slug": edition.slug})


def _absolute(path):
    return settings.SITE_URL + path


def _uid(kind, pk):
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"ptce-{kind}-{pk}@{host}"
