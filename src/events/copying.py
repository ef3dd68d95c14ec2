"""Copying an edition to prepare the next one: its settings and programme, never its people.

:func:`copy_edition` copies what the events app owns (the edition's settings, venue,
organisers and partners, speakers, sessions with their workshops' seats and deadlines, the
materials of the day and of its sessions) and sends :data:`events.signals.edition_copied` in
the same transaction, for the other apps to copy their part (registration categories with
their quotas, the entrances). Registrations, workshop choices, bookings, invitations,
tickets, keys, check-ins, security lists and messages are never copied: the copy gets its
own ticket key when it is created (``admission.signals``).

Materials are copied unpublished (:attr:`MaterialPublication.DRAFT`): the new day's slides
and replays are not those of the source until the organisers say so, and its page shows
nothing before they have looked. A link keeps its address; a file is copied into the
storage under a new name of the new edition, never shared with the source, so that deleting
either material deletes its own file only. The copy was added by nobody (``created_by`` is
empty). A file missing from the storage is left out (its material shows nothing on the
source either); copies stored before the transaction fails are deleted again.
"""

import datetime as dt

from django.db import transaction

from events.enums import EditionStatus
from events.models import (
    PARIS,
    Edition,
    Material,
    MaterialKind,
    MaterialPublication,
    Session,
    Speaker,
)
from events.signals import edition_copied

#: Settings copied as they are.
COPIED_FIELDS = (
    "summary",
    "description",
    "venue",
    "capacity",
    "has_waiting_list",
    "show_places_left",
    "workshop_promotion",
    "id_required",
    "security_fields",
    "reconfirmation_days",
    "participant_list_is_public",
    "venue_data_retention_days",
    "personal_data_retention_days",
    "is_demonstration",
)
#: Moments moved by as many days as the date.
SHIFTED_FIELDS = (
    "registration_opens_at",
    "registration_closes_at",
    "security_list_first_deadline",
    "security_list_final_deadline",
)
SPEAKER_FIELDS = ("slug", "name", "role", "organisation_id", "affiliation", "bio")
SESSION_FIELDS = (
    "start_time",
    "end_time",
    "kind",
    "title",
    "description",
    "room",
    "is_illustrative",
    "is_workshop",
    "capacity",
)
#: The sessions' moments, moved by as many days as the date.
SESSION_SHIFTED_FIELDS = ("choices_close_at",)
#: A material's fields copied as they are (not its publication, reset, nor its file, stored
#: again).
MATERIAL_FIELDS = (
    "kind",
    "title",
    "description",
    "file_name",
    "content_type",
    "size",
    "url",
    "position",
)


def shifted(moment, days):
    """``moment`` moved by ``days`` days at the same wall-clock time in Paris (a deadline at
    noon stays at noon across a change of summer time)."""
    if moment is None:
        return None
    local = moment.astimezone(PARIS)
    return dt.datetime.combine(local.date() + dt.timedelta(days=days), local.time(), PARIS)


def copy_edition(source, *, title, slug, date, start_time=None, end_time=None):
    """A new draft edition from ``source``, on ``date``; returns it.

    Side effects, in one transaction: the edition (its own ticket key with it), its
    organisers and partners, speakers, sessions (same times, on the new date) with their
    speakers and organisations, materials (unpublished; files copied in the storage), and
    whatever the receivers of ``edition_copied`` copy.
    Raises ``IntegrityError`` for a slug already taken.
    """
    stored = []
    try:
        return _copy(source, stored, title, slug, date, start_time, end_time)
    except BaseException:
        # The rows are rolled back: the files copied for them go too.
        for name in stored:
            Material.file.field.storage.delete(name)
        raise


def _copy(source, stored, title, slug, date, start_time, end_time):
    days = (date - source.date).days
    with transaction.atomic():
        copy = Edition(
            title=title,
            slug=slug,
            date=date,
            start_time=start_time,
            end_time=end_time,
            status=EditionStatus.DRAFT,
            **{field: getattr(source, field) for field in COPIED_FIELDS},
            **{field: shifted(getattr(source, field), days) for field in SHIFTED_FIELDS},
        )
        copy.save(force_insert=True)
        copy.organisers.set(source.organisers.all())
        copy.partners.set(source.partners.all())
        speakers = {}
        for speaker in Speaker.objects.filter(edition=source).order_by("pk"):
            speakers[speaker.pk] = Speaker.objects.create(
                edition=copy, **{field: getattr(speaker, field) for field in SPEAKER_FIELDS}
            )
        sessions = Session.objects.filter(edition=source).prefetch_related(
            "speakers", "organisations"
        )
        copied_sessions = {}
        for session in sessions.order_by("pk"):
            new = copied_sessions[session.pk] = Session.objects.create(
                edition=copy,
                **{field: getattr(session, field) for field in SESSION_FIELDS},
                **{
                    field: shifted(getattr(session, field), days)
                    for field in SESSION_SHIFTED_FIELDS
                },
            )
            new.speakers.set([speakers[speaker.pk] for speaker in session.speakers.all()])
            new.organisations.set(session.organisations.all())
        for material in Material.objects.filter(edition=source).order_by("pk"):
            copy_material(material, copy, copied_sessions.get(material.session_id), stored)
        edition_copied.send(sender=Edition, source=source, copy=copy)
    return copy


def copy_material(material, edition, session, stored):
    """``material`` copied, unpublished, to ``edition`` (and ``session``, or the day itself);
    a file is stored again under a new name, added to ``stored``. Returns the copy, or None
    for a file missing from the storage."""
    new = Material(
        edition=edition,
        session=session,
        publication=MaterialPublication.DRAFT,
        **{field: getattr(material, field) for field in MATERIAL_FIELDS},
    )
    if material.kind == MaterialKind.FILE:
        storage = material.file.storage
        try:
            source_file = storage.open(material.file.name, "rb")
        except (FileNotFoundError, OSError):
            return None
        with source_file:
            # A new name under the new edition (the field's ``upload_to``), from the name
            # shown for the download: its extension is the checked type's.
            new.file.save(material.file_name, source_file, save=False)
        stored.append(new.file.name)
    new.save(force_insert=True)
    return new
