"""Badges as PDF: four A6 badges on an A4 sheet, or labels of 90 by 55 mm (2 columns, 5 rows on A4).

Each badge shows the badge name (:attr:`Registration.display_name`) large, the organisation,
and a band in the category's colour with the category's name written in it: colour is never
the only signal, and a badge printed in black and white still says the category. Above the
footer, in small text, the workshops where the person holds a seat (start, title, room),
each on one line, its title cut with an ellipsis if too long; left out when they would
crowd the name.

Text goes through the ticket's machinery (:mod:`admission.pdf`): shaped, in visual order,
each run in the first shipped font that has its characters, a visible placeholder otherwise.
So names in Latin, Greek, Cyrillic, Arabic and Hebrew print as registered.
"""

from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from admission import workshops
from common.pdf import MUTED, Document, runs, width, wrap
from common.text import fold
from registrations.models import Registration

#: Band colours, each with a contrast of at least 4.5:1 against the white text drawn on it,
#: and told apart by more than hue. A category takes the colour of its rank in its edition.
PALETTE = (
    "#1f4e9c",  # blue
    "#a3000b",  # red
    "#1d6b35",  # green
    "#6a3d9a",  # purple
    "#8a4b00",  # brown
    "#006d77",  # teal
    "#9c1c6b",  # magenta
    "#444444",  # grey
)
LEADING = 1.2
ELLIPSIS = "…"
CUT_MARK = 5 * mm
CUT_MARK_COLOR = colors.HexColor("#b0b0b0")


@dataclass(frozen=True)
class Layout:
    label: str
    badge_width: float
    badge_height: float
    columns: int
    rows: int
    padding: float
    band_height: float
    band_size: int
    name_sizes: tuple
    organisation_sizes: tuple
    footer_size: int
    workshop_sizes: tuple
    cut_marks: bool

    @property
    def per_page(self):
        return self.columns * self.rows

    @property
    def left(self):
        """The sheet's left margin: the badges are centred across the page."""
        return (A4[0] - self.columns * self.badge_width) / 2

    @property
    def top(self):
        return A4[1] - (A4[1] - self.rows * self.badge_height) / 2


LAYOUTS = {
    "a6": Layout(
        label=gettext_lazy("A6 badges, four on an A4 sheet (with cut marks)"),
        badge_width=A4[0] / 2,
        badge_height=A4[1] / 2,
        columns=2,
        rows=2,
        padding=9 * mm,
        band_height=15 * mm,
        band_size=16,
        name_sizes=(34, 14),
        organisation_sizes=(16, 9),
        footer_size=9,
        workshop_sizes=(9, 7),
        cut_marks=True,
    ),
    "label-90x55": Layout(
        label=gettext_lazy("Labels of 90 by 55 mm, ten on an A4 sheet (2 columns, 5 rows)"),
        badge_width=90 * mm,
        badge_height=55 * mm,
        columns=2,
        rows=5,
        padding=4 * mm,
        band_height=8 * mm,
        band_size=11,
        name_sizes=(22, 10),
        organisation_sizes=(11, 7),
        footer_size=6,
        workshop_sizes=(6, 6),
        cut_marks=False,
    ),
}
DEFAULT_LAYOUT = "a6"


def bulk(edition):
    """Every confirmed registration of ``edition``, by last name then first names (case and
    accents aside, then exactly, then by id)."""
    registrations = (
        Registration.objects.filter(edition=edition)
        .confirmed()
        .select_related("category", "organisation", "edition")
    )
    return sorted(
        registrations,
        key=lambda r: (fold(r.last_name), fold(r.first_name), r.last_name, r.first_name, r.pk),
    )


def category_colours(edition):
    """``{category pk: colour}``: each category of ``edition`` by its rank (position, then pk)."""
    pks = edition.categories.order_by("position", "pk").values_list("pk", flat=True)
    return {pk: colors.HexColor(PALETTE[rank % len(PALETTE)]) for rank, pk in enumerate(pks)}


def badges_pdf(registrations, *, layout):
    """The badges of ``registrations`` (in the order given) as PDF bytes.

    ``layout`` is a key of :data:`LAYOUTS` (``ValueError`` otherwise). All registrations
    belong to one edition. Nothing is saved or sent.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"Unknown badge layout: {layout!r}")
    sheet = LAYOUTS[layout]
    registrations = list(registrations)
    document = Document()
    canvas = document.canvas
    seats = workshops.seats_by_registration(registrations)
    if registrations:
        edition = registrations[0].edition
        canvas.setTitle(_("Badges: %(title)s") % {"title": edition.title})
        palette = category_colours(edition)
    for start in range(0, len(registrations), sheet.per_page):
        if sheet.cut_marks:
            _cut_marks(canvas, sheet)
        # Left to right, then top to bottom: the order given is the order on the sheet.
        for index, registration in enumerate(registrations[start : start + sheet.per_page]):
            row, column = divmod(index, sheet.columns)
            x = sheet.left + column * sheet.badge_width
            y = sheet.top - (row + 1) * sheet.badge_height
            _badge(canvas, sheet, registration, seats[registration.pk], palette, x, y)
        canvas.showPage()
    return document.bytes()


def _badge(canvas, sheet, registration, sessions, palette, x, y):
    pad = sheet.padding
    inner = sheet.badge_width - 2 * pad
    centre = x + sheet.badge_width / 2
    top = y + sheet.badge_height - pad

    # The category: a band in its colour, and its name in words inside it.
    band_colour = palette.get(registration.category_id, colors.HexColor(PALETTE[-1]))
    canvas.setFillColor(band_colour)
    canvas.rect(x + pad, top - sheet.band_height, inner, sheet.band_height, stroke=0, fill=1)
    size, lines = _fit(
        registration.category.name,
        (sheet.band_size, 6),
        inner - 4 * mm,
        sheet.band_height - 2 * mm,
        bold=True,
    )
    baseline = top - sheet.band_height / 2 + (len(lines) * size * LEADING) / 2 - size * 0.95
    _centred(canvas, lines, size, centre, baseline, bold=True, color=colors.white)

    footer = registration.edition.title
    footer_top = y + pad + sheet.footer_size * LEADING
    body_top = top - sheet.band_height - 3 * mm
    body_height = body_top - footer_top - 2 * mm

    # The workshops, above the footer, only if the name keeps room for two lines at its
    # smallest size: the name is what the badge is for.
    size, lines = _workshop_lines(sessions, sheet.workshop_sizes, inner)
    height = len(lines) * size * LEADING + 2 * mm
    if lines and body_height - height >= 2 * sheet.name_sizes[1] * LEADING:
        bottom = footer_top + 1 * mm + size * 0.25
        _centred(
            canvas, lines, size, centre, bottom + (len(lines) - 1) * size * LEADING, color=MUTED
        )
        body_height -= height

    organisation = registration.organisation_label or ""
    org_size, organisation_lines = 0, []
    if organisation:
        org_size, organisation_lines = _fit(
            organisation, sheet.organisation_sizes, inner, body_height / 3, max_lines=2
        )
    org_height = len(organisation_lines) * org_size * LEADING
    gap = 2 * mm if organisation_lines else 0

    name_size, name_lines = _fit(
        registration.display_name,
        sheet.name_sizes,
        inner,
        body_height - org_height - gap,
        bold=True,
        # On two lines (first names, then last name) a name reads from further away.
        max_lines=2,
    )
    name_height = len(name_lines) * name_size * LEADING
    # The name and organisation together, centred in the space between band and footer.
    block_top = body_top - max(0, (body_height - name_height - gap - org_height) / 2)
    baseline = _centred(canvas, name_lines, name_size, centre, block_top - name_size, bold=True)
    if organisation_lines:
        _centred(
            canvas, organisation_lines, org_size, centre, baseline - gap - org_size, color=MUTED
        )
    footer_size, footer_lines = _fit(
        footer, (sheet.footer_size, sheet.footer_size), inner, sheet.footer_size * LEADING
    )
    _centred(canvas, footer_lines, footer_size, centre, y + pad, color=MUTED)


def _workshop_lines(sessions, sizes, available):
    """``(size, lines)``: a line per workshop, at the largest of ``sizes`` (largest,
    smallest) where every line fits whole, else at the smallest, cut."""
    largest, smallest = sizes
    size = largest
    while size > smallest and any(
        width(_workshop_text(session), size) > available for session in sessions
    ):
        size -= 1
    return size, [_workshop_line(session, size, available) for session in sessions]


def _workshop_text(session, title=None):
    """The line "14:00 · Title · Room", whole."""
    room = f" · {session.room}" if session.room else ""
    start = formats.time_format(session.start_time)
    return f"{start} · {session.title if title is None else title}{room}"


def _workshop_line(session, size, available):
    """The workshop's line, of ``available`` width: a title too long is cut with an
    ellipsis, the time and room kept (the whole line cut if they alone are too long)."""
    text = _workshop_text(session)
    if width(text, size) <= available:
        return text
    title = session.title
    while title and width(_workshop_text(session, title + ELLIPSIS), size) > available:
        title = title[:-1]
    if title:
        return _workshop_text(session, title.rstrip() + ELLIPSIS)
    while text and width(text + ELLIPSIS, size) > available:
        text = text[:-1]
    return text + ELLIPSIS


def _fit(text, sizes, available_width, available_height, *, bold=False, max_lines=1):
    """``(size, lines)``: ``text`` at the largest of ``sizes`` (largest, smallest) where it
    fits the box in at most ``max_lines`` lines cut between words; else wrapped at the
    smallest size, where lines that do not fit the box's height are left out and the last one
    kept ends with an ellipsis (only names far longer than any seen get cut)."""
    largest, smallest = sizes
    for size in range(largest, smallest - 1, -1):
        lines = wrap(text, size, available_width, bold=bold)
        if (
            len(lines) <= max_lines
            and len(lines) * size * LEADING <= available_height
            # Cut only between words: a name is never broken inside a word at a large size.
            and " ".join(lines) == text
        ):
            return size, lines
    lines = wrap(text, smallest, available_width, bold=bold)
    keep = max(1, int(available_height // (smallest * LEADING)))
    if keep < len(lines):
        last = lines[keep - 1]
        while last and width(last + ELLIPSIS, smallest, bold=bold) > available_width:
            last = last[:-1]
        lines = [*lines[: keep - 1], last + ELLIPSIS]
    return smallest, lines


def _centred(canvas, lines, size, centre, baseline, *, bold=False, color=colors.black):
    """Draw ``lines`` centred on ``centre``, the first on ``baseline``, going down; return
    the baseline of the last line."""
    canvas.setFillColor(color)
    for index, line in enumerate(lines):
        y = baseline - index * size * LEADING
        x = centre - width(line, size, bold=bold) / 2
        for font, chars in runs(line, bold=bold):
            canvas.setFont(font, size)
            canvas.drawString(x, y, chars)
            x += pdfmetrics.stringWidth(chars, font, size)
    return baseline - (len(lines) - 1) * size * LEADING


def _cut_marks(canvas, sheet):
    """Short light ticks where the sheet is cut, at its edges and a cross at its centre."""
    canvas.setStrokeColor(CUT_MARK_COLOR)
    canvas.setLineWidth(0.5)
    page_width, page_height = A4
    for column in range(1, sheet.columns):
        x = sheet.left + column * sheet.badge_width
        canvas.line(x, page_height, x, page_height - CUT_MARK)
        canvas.line(x, 0, x, CUT_MARK)
    for row in range(1, sheet.rows):
        y = sheet.top - row * sheet.badge_height
        canvas.line(0, y, CUT_MARK, y)
        canvas.line(page_width, y, page_width - CUT_MARK, y)
    for column in range(1, sheet.columns):
        for row in range(1, sheet.rows):
            x = sheet.left + column * sheet.badge_width
            y = sheet.top - row * sheet.badge_height
            canvas.line(x - CUT_MARK / 2, y, x + CUT_MARK / 2, y)
            canvas.line(x, y - CUT_MARK / 2, x, y + CUT_MARK / 2)
