"""The organisers' view of the workshops: how full each one is, who holds its seats and who
waits, and the facilitator's list of a workshop (CSV, XLSX or PDF).

The seats are given by :mod:`registrations.workshops` alone; this module reads them, and
connects the programme's editing page to it: a workshop's seats raised there
(:data:`events.signals.workshop_seats_raised`) fill from its waiting list
(:func:`fill_raised_workshop`).

The facilitator's list names the people holding a seat: confirmed, and those offered one
who have not answered yet (marked so: the seat is theirs until the offer ends). People on
the waiting list, and wishes of registrations still waiting for the day, are not on it.
Downloading it is an export of personal data, recorded in the audit log (:func:`export`).
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from accounts import audit
from accounts.enums import AuditAction
from common import spreadsheets
from common.numbers import percent
from common.pdf import MARGIN, MUTED, PAGE_HEIGHT, PAGE_WIDTH, Document, runs, wrap
from common.text import fold
from events.models import Session
from events.workshops import edition_slots, slot_of, slots
from registrations import workshops
from registrations.enums import WorkshopChoiceStatus
from registrations.models import WorkshopChoice

SEAT = WorkshopChoiceStatus.CONFIRMED
OFFERED = WorkshopChoiceStatus.OFFERED
WAITING = WorkshopChoiceStatus.WAITING
WISH = WorkshopChoiceStatus.WISH

CSV, XLSX, PDF = "csv", "xlsx", "pdf"
FORMATS = (CSV, XLSX, PDF)


def fill_raised_workshop(sender, session, **kwargs):
    """Receiver of :data:`events.signals.workshop_seats_raised`: the new seats go to the
    waiting list (:func:`registrations.workshops.fill_workshop`). Returns the people given a
    seat or offered one."""
    return workshops.fill_workshop(session)


# How full the workshops are ------------------------------------------------------------------


@dataclass(frozen=True)
class WorkshopFigures:
    """One workshop's seats: ``taken`` (confirmed), ``offered`` (awaiting an answer, held
    meanwhile), ``waiting`` (its waiting list) and ``wishes`` (of registrations that wait for
    the day)."""

    session: Session
    taken: int
    offered: int
    waiting: int
    wishes: int

    @property
    def seats(self):
        return self.session.capacity or 0

    @property
    def holding(self):
        """Seats held: confirmed and offered."""
        return self.taken + self.offered

    @property
    def free(self):
        return max(self.seats - self.holding, 0)

    @property
    def share(self):
        """Seats held as a whole percentage of the seats, at most 100 (for the bar)."""
        if self.seats <= 0:
            return 100
        return min(100, percent(self.holding, self.seats))

    @property
    def is_full(self):
        return self.holding >= self.seats


@dataclass(frozen=True)
class SlotFigures:
    """Workshops at the same time (:class:`events.workshops.Slot`), with their figures."""

    start_time: object
    end_time: object
    workshops: list


def figures(edition):
    """The edition's workshops by slot, with their figures (:class:`SlotFigures`), in one
    query."""

    def counted(status):
        return Count("choices", filter=Q(choices__status=status))

    sessions = list(
        Session.objects.filter(edition=edition, is_workshop=True)
        .annotate(
            taken=counted(SEAT),
            offered=counted(OFFERED),
            waiting=counted(WAITING),
            wishes=counted(WISH),
        )
        .order_by("start_time", "room", "pk")
    )
    return [
        SlotFigures(
            start_time=slot.start_time,
            end_time=slot.end_time,
            workshops=[
                WorkshopFigures(
                    session=session,
                    taken=session.taken,
                    offered=session.offered,
                    waiting=session.waiting,
                    wishes=session.wishes,
                )
                for session in slot.sessions
            ],
        )
        for slot in slots(sessions)
    ]


def one_workshop(session):
    """The :class:`WorkshopFigures` of one workshop."""
    counts = dict(
        WorkshopChoice.objects.filter(session=session)
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return WorkshopFigures(
        session=session,
        taken=counts.get(SEAT, 0),
        offered=counts.get(OFFERED, 0),
        waiting=counts.get(WAITING, 0),
        wishes=counts.get(WISH, 0),
    )


def other_workshops(session):
    """The other workshops of ``session``'s slot, where an organiser may move its people."""
    slot = slot_of(session, edition_slots(session.edition))
    return [other for other in slot.sessions if other.pk != session.pk]


# Who is in a workshop ------------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    """A workshop's people: seat holders (confirmed and offered) by last name, the waiting
    list in its order (``position`` set on each choice), and the wishes of registrations
    that wait for the day."""

    holders: list
    waiting: list
    wishes: list


def _by_name(choice):
    registration = choice.registration
    return (fold(registration.last_name), fold(registration.first_name), registration.pk)


def people(session):
    """The :class:`People` of the workshop ``session``, in one query."""
    choices = list(
        WorkshopChoice.objects.filter(session=session)
        .select_related("registration__category", "registration__organisation")
        .order_by("requested_at", "pk")
    )
    waiting = [choice for choice in choices if choice.status == WAITING]
    for position, choice in enumerate(waiting, start=1):
        choice.position = position
    return People(
        holders=sorted(
            (choice for choice in choices if choice.status in (SEAT, OFFERED)), key=_by_name
        ),
        waiting=waiting,
        wishes=sorted((choice for choice in choices if choice.status == WISH), key=_by_name),
    )


# The facilitator's list --------------------------------------------------------------------


def when(session):
    """The workshop's hours, "14:00 to 15:30" in the active language's format."""
    return _("%(start)s to %(end)s") % {
        "start": formats.time_format(session.start_time),
        "end": formats.time_format(session.end_time),
    }


def _rows(session):
    """``[(last name, first names, organisation, offered)]`` of the seat holders, by last
    name."""
    return [
        (
            choice.registration.last_name,
            choice.registration.first_name,
            choice.registration.organisation_label or "",
            choice.status == OFFERED,
        )
        for choice in people(session).holders
    ]


def filename(session, export_format):
    return f"atelier-{session.edition.slug}-{session.pk}.{export_format}"


def export(session, export_format, *, by):
    """The facilitator's list of ``session`` in ``export_format`` (csv, xlsx or pdf), and one
    audit line (who, the file, how many people), in one transaction. Returns
    ``(content bytes, content type, file name)``; ``ValueError`` for another format."""
    if export_format not in FORMATS:
        raise ValueError(export_format)
    name = filename(session, export_format)
    with transaction.atomic():
        rows = _rows(session)
        if export_format == PDF:
            content, content_type = as_pdf(session, rows), "application/pdf"
        else:
            header, table = _table(rows)
            if export_format == CSV:
                content = spreadsheets.csv_bytes(header, table)
                content_type = spreadsheets.CSV_CONTENT_TYPE
            else:
                sheet = spreadsheets.Sheet(_("Workshop"), header, table)
                content = spreadsheets.xlsx_bytes([sheet])
                content_type = spreadsheets.XLSX_CONTENT_TYPE
        audit.record(
            by,
            AuditAction.EXPORT,
            name,
            edition=session.edition,
            people=len(rows),
            detail={"format": export_format, "workshop": session.pk},
        )
    return content, content_type, name


OFFERED_NOTE = gettext_lazy("seat offered, awaiting an answer")


def _table(rows):
    header = [_("Last name"), _("First names"), _("Organisation"), _("Seat"), _("Present")]
    seat, offered = str(WorkshopChoiceStatus.CONFIRMED.label), str(OFFERED_NOTE)
    table = [
        [last, first, organisation, offered if is_offered else seat, ""]
        for last, first, organisation, is_offered in rows
    ]
    return header, table


# The PDF: A4, a line per person with a box to tick ------------------------------------------

SIZE = 10
LEADING = SIZE * 1.3
PADDING = 1.6 * mm
BOX = 4.5 * mm
BOX_COLUMN = 20 * mm


def title(session):
    return _("Workshop: %(title)s") % {"title": session.title}


def as_pdf(session, rows):
    """The list as PDF bytes: the workshop's title, day, time and room, then a row per
    person (name, organisation, a box to tick), by last name. Any script the shipped fonts
    cover (:mod:`common.pdf`)."""
    edition = session.edition
    document = Document(title(session), subject=edition.title)
    page = _Page(document.canvas)
    page.text(session.title, 16, bold=True)
    page.text(edition.title, SIZE, color=MUTED)
    details = [formats.date_format(edition.date, "l j F Y"), when(session)]
    if session.room:
        details.append(session.room)
    page.text(" · ".join(details), 11)
    page.text(
        ngettext(
            "%(count)s person holds a seat (%(seats)s seats), sorted by last name.",
            "%(count)s people hold a seat (%(seats)s seats), sorted by last name.",
            len(rows),
        )
        % {"count": len(rows), "seats": session.capacity},
        SIZE,
    )
    page.y -= 3 * mm
    page.row(_("Name"), _("Organisation"), _("Present"), bold=True)
    for last, first, organisation, is_offered in rows:
        name = f"{last.upper()} {first}".strip()
        if is_offered:
            name = f"{name} ({OFFERED_NOTE})"
        page.row(name, organisation, box=True)
    if not rows:
        page.text(_("Nobody holds a seat in this workshop yet."), SIZE)
    document.canvas.showPage()
    return document.bytes()


class _Page:
    """Lines and rows down the pages; the header row is repeated on each new page."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.y = PAGE_HEIGHT - MARGIN
        available = PAGE_WIDTH - 2 * MARGIN - BOX_COLUMN
        self.widths = [available * 0.55, available * 0.45, BOX_COLUMN]
        self.header = None

    def _draw(self, text, x, size, bold):
        for font, chars in runs(text, bold=bold):
            self.canvas.setFont(font, size)
            self.canvas.drawString(x, self.y, chars)
            x += pdfmetrics.stringWidth(chars, font, size)

    def _need(self, height):
        if self.y - height >= MARGIN:
            return
        self.canvas.showPage()
        self.y = PAGE_HEIGHT - MARGIN
        if self.header:
            self.row(*self.header, bold=True)

    def text(self, text, size, *, bold=False, color=colors.black):
        for line in wrap(text, size, PAGE_WIDTH - 2 * MARGIN, bold=bold):
            self._need(size * 1.5)
            self.y -= size * 1.2
            self.canvas.setFillColor(color)
            self._draw(line, MARGIN, size, bold)
            self.y -= size * 0.3

    def row(self, name, organisation, last="", *, bold=False, box=False):
        if bold:
            self.header = (name, organisation, last)
        cells = [
            wrap(value, SIZE, width - 2 * PADDING, bold=bold)
            for value, width in zip((name, organisation, last), self.widths, strict=True)
        ]
        height = max(max(len(lines) for lines in cells) * LEADING, BOX) + 2 * PADDING
        self._need(height)
        top = self.y
        x = MARGIN
        self.canvas.setFillColor(colors.black)
        for lines, width in zip(cells, self.widths, strict=True):
            self.y = top - PADDING
            for line in lines:
                self.y -= SIZE
                self._draw(line, x + PADDING, SIZE, bold)
                self.y -= LEADING - SIZE
            x += width
        if box:
            self.canvas.setStrokeColor(colors.black)
            self.canvas.setLineWidth(0.8)
            self.canvas.rect(
                PAGE_WIDTH - MARGIN - BOX_COLUMN / 2 - BOX / 2, top - PADDING - BOX, BOX, BOX
            )
        self.y = top - height
        self.canvas.setStrokeColor(colors.lightgrey)
        self.canvas.setLineWidth(0.5)
        self.canvas.line(MARGIN, self.y, PAGE_WIDTH - MARGIN, self.y)
