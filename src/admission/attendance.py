"""After the day: who came (attendance figures for the organisers) and the certificate of
attendance an admitted attendee downloads from the manage link.

Figures count people, that is registrations, never scans: a registration is *confirmed* while
its status is confirmed (cancelled ones count nowhere, even if admitted before being
cancelled: a cancellation after the day is an organiser putting a mistake right), and
*admitted* when it has its one ``admitted`` check-in (the database allows one per
registration). Walk-ins, registered at the desk on the day, are counted like everyone else
and also shown on a line of their own.

Each person falls in exactly one row of each breakdown. The region is the organisation's:
from its own department when it has one, else, for a pole, from the departments its
territory touches when they all lie in one region (the regions in force since 2016); a pole
across several regions is counted under "Several regions", an organisation of the directory
with neither under "Region not known", and a person whose organisation is not in the directory
(typed in the form, or none) under "Not in the directory", as for the organisation kind.

Workshops with a door (an entrance bound to the workshop) have a line each: the confirmed
people holding a seat in it, and those of them admitted at its door (admission.workshop_door;
rehearsal scans never count). A workshop's door is not in the entrances' table: it admits
nobody to the day.

The certificate is only for a registration that is confirmed, admitted at the door, of an
edition that has started: anyone else gets none (:class:`NoCertificate`).
"""

import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, FilteredRelation, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.units import mm

from admission import workshop_door
from admission.enums import CheckInResult
from admission.models import CheckIn, Entrance, WorkshopCheckIn
from common import french, spreadsheets
from common.numbers import percent
from common.pdf import MUTED, PAGE_HEIGHT, PAGE_WIDTH, Document, Writer
from common.text import fold
from network import territories
from network.enums import OrganisationKind
from network.models import PoleDepartment
from registrations.enums import RegistrationStatus, Source
from registrations.models import Category, Registration

# Figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One row of a table of figures: confirmed people, and how many of them were admitted."""

    label: str
    confirmed: int
    admitted: int
    #: What the line counts when a reader needs more than its label (a workshop's session
    #: pk); not compared.
    key: object = field(default=None, compare=False)

    @property
    def no_shows(self):
        return self.confirmed - self.admitted

    @property
    def rate(self):
        """Admitted people as a whole percentage of the confirmed (half rounded up); None when
        nobody is confirmed."""
        return percent(self.admitted, self.confirmed)


@dataclass(frozen=True)
class EntranceLine:
    label: str
    admitted: int


@dataclass(frozen=True)
class Attendance:
    """An edition's attendance figures; every breakdown adds up to ``overall``."""

    overall: Line
    walk_ins: Line
    categories: list
    kinds: list
    regions: list
    entrances: list
    #: One :class:`Line` per workshop with a door: its seats taken as ``confirmed``, the
    #: people admitted at its door as ``admitted``. Empty without workshop doors.
    workshops: list = ()

    @property
    def overall_lines(self):
        return [self.overall, self.walk_ins]


class _Tally:
    """Confirmed and admitted people counted under keys, in the order keys first appear."""

    def __init__(self, keys=()):
        self.counts = {key: [0, 0] for key in keys}

    def add(self, key, people, admitted):
        counts = self.counts.setdefault(key, [0, 0])
        counts[0] += people
        counts[1] += people if admitted else 0

    def line(self, key, label):
        confirmed, admitted = self.counts.get(key, (0, 0))
        return Line(label=str(label), confirmed=confirmed, admitted=admitted)


# Keys of the rows that are not a kind or a region of the directory.
NOT_IN_DIRECTORY = "not_in_directory"
SEVERAL_REGIONS = "several_regions"
REGION_NOT_KNOWN = "region_not_known"


def _labels():
    """The labels of the rows outside the directory's own values, in the active language."""
    return {
        NOT_IN_DIRECTORY: _("Not in the directory"),
        SEVERAL_REGIONS: _("Several regions"),
        REGION_NOT_KNOWN: _("Region not known"),
    }


@functools.cache
def _region(department_code):
    """The current region of a department, or None for a code the shipped data lacks.
    Kept once looked up: the shipped territories do not change while the process runs."""
    try:
        return territories.region_of(department_code)
    except ValidationError:
        return None


def _region_key(organisation_id, department_code, pole_departments, names):
    """The region row of a person's organisation; fills ``names`` (code → name)."""
    if organisation_id is None:
        return NOT_IN_DIRECTORY
    if department_code:
        candidates = {_region(department_code)}
    else:
        candidates = {_region(code) for code in pole_departments.get(organisation_id, ())}
    candidates.discard(None)
    if not candidates:
        return REGION_NOT_KNOWN
    if len(candidates) > 1:
        return SEVERAL_REGIONS
    region = candidates.pop()
    names[region.code] = region.name
    return region.code


def figures(edition):
    """The :class:`Attendance` of ``edition``, in four queries whatever its size (six with
    workshop doors).

    Categories and entrances are all listed, in their order, even at zero; organisation kinds
    (in the directory's order) and regions (by name) only when someone is confirmed in them,
    the rows outside the directory last.
    """
    categories = list(Category.objects.filter(edition=edition).order_by("position", "pk"))
    entrances = list(Entrance.objects.filter(edition=edition).select_related("session"))
    confirmed = Registration.objects.filter(edition=edition, status=RegistrationStatus.CONFIRMED)
    groups = (
        confirmed.annotate(
            admission=FilteredRelation(
                "checkins", condition=Q(checkins__result=CheckInResult.ADMITTED)
            )
        )
        .values(
            "category_id",
            "source",
            "organisation_id",
            "organisation__kind",
            "organisation__department_code",
            "admission__entrance_id",
        )
        .annotate(people=Count("pk"))
        # No default ordering: it would split the groups.
        .order_by()
    )
    pole_departments = {}
    for organisation_id, code in PoleDepartment.objects.filter(
        pole__organisation_id__in=confirmed.values("organisation_id")
    ).values_list("pole__organisation_id", "code"):
        pole_departments.setdefault(organisation_id, []).append(code)

    overall, walk_ins = _Tally(), _Tally()
    by_category = _Tally(category.pk for category in categories)
    by_kind, by_region = _Tally(), _Tally()
    by_entrance = dict.fromkeys((entrance.pk for entrance in entrances), 0)
    region_names = {}
    for group in groups:
        people = group["people"]
        entrance_id = group["admission__entrance_id"]
        admitted = entrance_id is not None
        overall.add(None, people, admitted)
        if group["source"] == Source.WALK_IN:
            walk_ins.add(None, people, admitted)
        by_category.add(group["category_id"], people, admitted)
        organisation_id = group["organisation_id"]
        by_kind.add(
            NOT_IN_DIRECTORY if organisation_id is None else group["organisation__kind"],
            people,
            admitted,
        )
        region = _region_key(
            organisation_id,
            group["organisation__department_code"],
            pole_departments,
            region_names,
        )
        by_region.add(region, people, admitted)
        if admitted:
            by_entrance[entrance_id] = by_entrance.get(entrance_id, 0) + people

    labels = _labels()
    kind_labels = dict(OrganisationKind.choices)
    kinds = [kind for kind in OrganisationKind.values if kind in by_kind.counts]
    # A kind the directory no longer offers still counts, under its stored value.
    kinds += sorted(set(by_kind.counts) - set(OrganisationKind.values) - {NOT_IN_DIRECTORY})
    regions = sorted(region_names, key=lambda code: fold(region_names[code]))
    outside = [SEVERAL_REGIONS, REGION_NOT_KNOWN, NOT_IN_DIRECTORY]
    return Attendance(
        overall=overall.line(None, _("All confirmed people")),
        walk_ins=walk_ins.line(None, _("Of whom registered at the desk on the day")),
        categories=[by_category.line(category.pk, category.name) for category in categories],
        kinds=[by_kind.line(kind, kind_labels.get(kind, kind)) for kind in kinds]
        + (
            [by_kind.line(NOT_IN_DIRECTORY, labels[NOT_IN_DIRECTORY])]
            if NOT_IN_DIRECTORY in by_kind.counts
            else []
        ),
        regions=[by_region.line(code, region_names[code]) for code in regions]
        + [by_region.line(key, labels[key]) for key in outside if key in by_region.counts],
        # A workshop's door admits nobody to the day: it has its line under the workshops.
        entrances=[
            EntranceLine(label=entrance.name, admitted=by_entrance[entrance.pk])
            for entrance in entrances
            if entrance.session_id is None
        ],
        workshops=_workshops(entrances),
    )


def _workshops(entrances):
    """The lines of the workshops that have a door (two more queries, only then): the
    confirmed people holding a seat, and those of them admitted at its door (never in a
    rehearsal)."""
    sessions = {entrance.session_id: entrance.session for entrance in entrances if entrance.session}
    if not sessions:
        return []
    seats = _count_by_session(workshop_door.seats(sessions))
    admitted = _count_by_session(
        WorkshopCheckIn.objects.filter(
            session__in=sessions,
            rehearsal__isnull=True,
            result=CheckInResult.ADMITTED,
            registration__status=RegistrationStatus.CONFIRMED,
        )
    )
    ordered = sorted(
        sessions.values(), key=lambda session: (session.start_time, session.room, session.pk)
    )
    return [
        Line(
            label=session.title,
            confirmed=seats.get(session.pk, 0),
            admitted=admitted.get(session.pk, 0),
            key=session.pk,
        )
        for session in ordered
    ]


def _count_by_session(rows):
    return dict(
        rows.order_by()
        .values("session_id")
        .annotate(total=Count("pk"))
        .values_list("session_id", "total")
    )


def figures_csv(attendance):
    """The figures as CSV bytes (UTF-8 with a byte order mark, ";" between fields, as the
    security list): one row per line of each table, no personal data. Labels typed by
    organisers (categories, entrances) are neutralised against spreadsheet formulas."""
    header = [
        _("Breakdown"),
        _("Line"),
        pgettext("people counted", "Confirmed"),
        pgettext("people counted", "Admitted"),
        _("Rate (%)"),
        _("No-shows"),
    ]
    tables = [
        (_("Overall"), attendance.overall_lines),
        (_("By category"), attendance.categories),
        (_("By organisation kind"), attendance.kinds),
        (_("By region"), attendance.regions),
    ]
    rows = [
        [table, line.label, line.confirmed, line.admitted, line.rate, line.no_shows]
        for table, lines in tables
        for line in lines
    ]
    rows += [
        [_("By entrance"), line.label, "", line.admitted, "", ""] for line in attendance.entrances
    ]
    # Seats taken in "Confirmed", people admitted at the workshop's door in "Admitted".
    rows += [
        [_("By workshop"), line.label, line.confirmed, line.admitted, line.rate, line.no_shows]
        for line in attendance.workshops
    ]
    return spreadsheets.csv_bytes(header, rows)


# The certificate of attendance ------------------------------------------------------------


class NoCertificate(Exception):
    """The registration has no certificate: not admitted, cancelled, or the day not begun."""


def admission_of(registration):
    """The registration's admission at the door (a CheckIn), or None."""
    return CheckIn.objects.filter(registration=registration, result=CheckInResult.ADMITTED).first()


def has_certificate(registration, *, now=None):
    """Whether ``registration`` may download a certificate of attendance: confirmed (not
    cancelled), admitted at the door, and its edition has started. One query at most."""
    now = now or timezone.now()
    return (
        registration.status == RegistrationStatus.CONFIRMED
        and now >= registration.edition.starts_at
        and admission_of(registration) is not None
    )


def certificate_link(registration, token):
    """The certificate's address under the manage link's ``token`` when
    :func:`has_certificate`, else None: what the manage page links to (offered to it with
    :func:`registrations.links.offer` when the app is ready)."""
    if not has_certificate(registration):
        return None
    return reverse("admission:certificate", args=[token])


def certificate_pdf(registration, *, language=None, now=None):
    """The certificate of attendance of ``registration`` as PDF bytes (an A4 page), written
    in ``language`` (by default the attendee's); raises :class:`NoCertificate` unless
    :func:`has_certificate`. Nothing is saved or sent."""
    now = now or timezone.now()
    if not has_certificate(registration, now=now):
        raise NoCertificate(registration.pk)
    with translation.override(language or registration.language):
        return _render_certificate(registration, now)


FRAME = 12 * mm
MARGIN = 28 * mm
FRAME_COLOR = colors.HexColor("#1f4e9c")


def _frame(canvas):
    canvas.setStrokeColor(FRAME_COLOR)
    canvas.setLineWidth(2)
    canvas.rect(FRAME, FRAME, PAGE_WIDTH - 2 * FRAME, PAGE_HEIGHT - 2 * FRAME)


def _render_certificate(registration, now):
    edition = registration.edition
    document = Document(
        _("Certificate of attendance: %(title)s") % {"title": edition.title},
        subject=f"{registration.first_name} {registration.last_name}",
    )
    canvas = document.canvas
    page = Writer(canvas, margin=MARGIN, centred=True, before=1.25, after=0.3, on_new_page=_frame)

    page.paragraph(_("Journées PTCE"), 11, color=MUTED)
    page.paragraph(_("Certificate of attendance"), 26, bold=True)
    if edition.is_demonstration:
        page.paragraph(_("Demonstration: a made-up day to try the platform."), 10, color=MUTED)
    page.space(22 * mm)
    page.paragraph(_("This certificate attests that"), 13)
    page.space(3 * mm)
    page.fitted(f"{registration.first_name} {registration.last_name}", 28, 16)
    if registration.organisation_label:
        page.paragraph(registration.organisation_label, 14)
    page.space(3 * mm)
    page.paragraph(_("attended"), 13)
    page.space(3 * mm)
    page.paragraph(edition.title, 18, bold=True)
    page.paragraph(_on_day(edition), 13)
    venue = edition.venue
    if venue:
        page.paragraph(french.at(", ".join(venue.address_lines), article=True), 13)
    page.space(22 * mm)
    organisers = [organisation.name for organisation in edition.organisers.all()]
    if organisers:
        page.paragraph(_("The organisers"), 10, color=MUTED)
        page.paragraph(", ".join(organisers), 12)

    # The verification lines sit at the foot of the page, below whatever came above.
    page.y = min(page.y - 8 * mm, MARGIN + 12 * mm)
    page.paragraph(
        _("Verification: registration %(number)s") % {"number": registration.public_id},
        9,
        color=MUTED,
    )
    page.paragraph(
        _("Issued on %(date)s, %(site)s")
        % {
            "date": formats.date_format(timezone.localdate(now), "j F Y"),
            "site": settings.SITE_URL,
        },
        9,
        color=MUTED,
    )
    canvas.showPage()
    return document.bytes()


def _on_day(edition):
    day = formats.date_format(edition.date, "l j F Y")
    if not edition.has_hours:
        return _("on %(day)s") % {"day": day}
    return _("on %(day)s, from %(start)s to %(end)s") % {
        "day": day,
        "start": formats.time_format(edition.start_time),
        "end": formats.time_format(edition.end_time),
    }
