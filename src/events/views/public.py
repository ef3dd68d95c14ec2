"""The public event site: home, edition, programme, speakers and calendar files.

Only published and archived editions are shown to visitors; a draft is a 404 for them. The
people who prepare it (``edit_content`` on it: organisers and editors) preview its page and
programme, marked as a preview, never cached nor indexed.
"""

from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from common.permissions import Action
from events import ics, registration_notes
from events.enums import PUBLIC_STATUSES, SECURITY_FIELD_REASONS, SecurityField
from events.models import Edition, Material, MaterialPublication, Session, Speaker
from events.workshops import seats_left, slots


def _public_edition(slug):
    return get_object_or_404(Edition.objects.public().select_related("venue"), slug=slug)


def _shown_edition(request, queryset, slug):
    """The edition with ``slug`` if it is public, or if ``request.user`` prepares it (a
    preview); else 404. Returns ``(edition, is_preview)``."""
    edition = get_object_or_404(queryset, slug=slug)
    if edition.is_public:
        return edition, False
    if request.user.has_perm(Action.EDIT_CONTENT, edition):
        return edition, True
    raise Http404


def _preview(response, is_preview):
    if is_preview:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


def home(request):
    # One query split here rather than upcoming() and past(): the page costs the same number
    # of queries whichever list is empty.
    editions = list(Edition.objects.public().select_related("venue").prefetch_related("organisers"))
    today = timezone.localdate()
    upcoming = sorted((e for e in editions if e.date >= today), key=lambda e: e.date)
    past = sorted((e for e in editions if e.date < today), key=lambda e: e.date, reverse=True)
    next_edition = upcoming[0] if upcoming else None
    return render(
        request,
        "events/home.html",
        {
            "next_edition": next_edition,
            "next_state": next_edition.registration_state() if next_edition else None,
            "next_has_fictional": next_edition is not None
            and _any_fictional(next_edition.organisers.all()),
            "other_upcoming": upcoming[1:],
            "past": past,
        },
    )


def edition(request, slug):
    edition, is_preview = _shown_edition(
        request,
        Edition.objects.select_related("venue").prefetch_related("organisers", "partners"),
        slug,
    )
    security_details = [
        (SecurityField(field).label, SECURITY_FIELD_REASONS[field])
        for field in SecurityField.values
        if edition.asks_for(field)
    ]
    response = render(
        request,
        "events/edition.html",
        {
            "edition": edition,
            "is_preview": is_preview,
            "registration_state": edition.registration_state(),
            "registration_notes": registration_notes.notes(edition),
            "security_details": security_details,
            "day_materials": _shown_materials(
                edition, _published(Material.objects.filter(edition=edition, session=None))
            ),
            "has_programme": edition.sessions.exists(),
            "has_fictional": _any_fictional(edition.organisers.all(), edition.partners.all()),
            "sees_registrations": request.user.has_perm(Action.VIEW_PERSONAL_DATA, edition),
        },
    )
    return _preview(response, is_preview)


def programme(request, slug):
    edition, is_preview = _shown_edition(request, Edition.objects.select_related("venue"), slug)
    sessions = list(
        Session.objects.filter(edition=edition)
        .for_programme()
        .prefetch_related(Prefetch("materials", queryset=_published(Material.objects.all())))
    )
    for session in sessions:
        session.shown_materials = _shown_materials(edition, session.materials.all())
    shown = [o for session in sessions for o in session.organisations.all()]
    shown += [s.organisation for session in sessions for s in session.speakers.all()]
    response = render(
        request,
        "events/programme.html",
        {
            "edition": edition,
            "is_preview": is_preview,
            "entries": _programme_entries(edition, sessions),
            "has_fictional": _any_fictional(shown),
        },
    )
    return _preview(response, is_preview)


def _published(materials):
    return materials.filter(
        publication__in=[MaterialPublication.NOW, MaterialPublication.AFTER_DAY]
    ).order_by("position", "pk")


def _shown_materials(edition, materials, now=None):
    """Those of ``edition``'s published ``materials`` that visitors see at ``now`` (after the
    day: once it has ended), with no query per material."""
    now = now or timezone.now()
    shown = []
    for material in materials:
        material.edition = edition
        if material.is_visible(now):
            shown.append(material)
    return shown


def _programme_entries(edition, sessions):
    """The programme in order: each entry a session alone (``session``) or the workshops of
    one slot together (``slot``), placed where its first workshop starts. Each workshop
    carries its ``seats_left`` (one query for all) and whether ``choices_open``."""
    workshops = [session for session in sessions if session.is_workshop]
    left = seats_left(workshops)
    now = timezone.now()
    for session in workshops:
        session.edition = edition
        session.seats_left = left[session.pk]
        session.choices_open = session.is_open_to_choice(now)
    slot_of = {session.pk: slot for slot in slots(workshops) for session in slot.sessions}
    entries, placed = [], set()
    for session in sessions:
        slot = slot_of.get(session.pk)
        if slot is None:
            entries.append({"session": session})
        elif slot.key not in placed:
            placed.add(slot.key)
            entries.append({"slot": slot})
    return entries


def speaker(request, slug, speaker):
    speaker = get_object_or_404(
        Speaker.objects.select_related("edition", "organisation"),
        edition__status__in=PUBLIC_STATUSES,
        edition__slug=slug,
        slug=speaker,
    )
    return render(
        request,
        "events/speaker.html",
        {
            "edition": speaker.edition,
            "speaker": speaker,
            "sessions": speaker.sessions.order_by("start_time", "pk"),
        },
    )


def edition_ics(request, slug):
    edition = _public_edition(slug)
    return _calendar_response(ics.edition_calendar(edition), f"{edition.slug}.ics")


def session_ics(request, slug, session):
    edition = _public_edition(slug)
    # An id beyond the column's range is a 404 like any unknown id: Django's integer lookups
    # turn such a value into an empty result instead of a database error.
    session = get_object_or_404(
        Session.objects.prefetch_related("speakers"), edition=edition, pk=session
    )
    session.edition = edition
    return _calendar_response(
        ics.session_calendar(session), f"{edition.slug}-session-{session.pk}.ics"
    )


def _any_fictional(*organisations):
    """Whether a page shows a made-up organisation, so that it says what the label means."""
    return any(o is not None and o.is_fictional for group in organisations for o in group)


def _calendar_response(content, filename):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
