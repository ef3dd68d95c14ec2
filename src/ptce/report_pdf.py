"""The report of a day (:mod:`ptce.report`) as a PDF for its funders, "Bilan de la journée".

Drawn with reportlab through :mod:`common.pdf`: every text (the organisers' own, names of
organisations, workshops and questions, all untrusted) goes through its runs, in the
project's fonts, as plain strings: no reportlab markup is ever parsed, so none can be
injected. Charts are vectors (``reportlab.graphics`` shapes, no image), each bar with its
figure written beside it, so that the text of the file holds every number.

Accessibility, as far as reportlab goes: the document's language and title are set (readers
show the title, screen readers read in the language), and each heading is an entry of the
outline (bookmarks), nested as the headings are. reportlab writes no tagged PDF (no
structure tree): a screen reader reads the text in the order it is drawn, which is the
reading order here (top to bottom, one column), but cannot tell a heading or a table from a
paragraph. The page is the accessible version of the same report.
"""

from django.utils import formats
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.units import mm

from common import pdf
from ptce import report as reports

ACCENT = colors.HexColor("#1f4e9c")
RULE = colors.HexColor("#c8c8c8")
BAR = colors.HexColor("#1f4e9c")
TEXT = 10
SMALL = 9
LEADING = 1.3


class _Pages:
    """The writer of the pages, its headings and their outline."""

    def __init__(self, document, edition):
        self.canvas = document.canvas
        self.edition = edition
        self.headings = 0
        self.writer = pdf.Writer(self.canvas, before=1.2, after=0.3, on_new_page=self._footer)

    def _footer(self, canvas):
        number = _("Page %(number)s") % {"number": canvas.getPageNumber()}
        size = 8
        pdf.draw(
            canvas,
            number,
            pdf.PAGE_WIDTH - pdf.MARGIN - pdf.width(number, size),
            10 * mm,
            size,
            color=pdf.MUTED,
        )

    def heading(self, text, level):
        """A heading (level 0: the title, 1: a section, 2: a part of it), in the outline."""
        size = {0: 20, 1: 14, 2: 11}[level]
        writer = self.writer
        writer.space(size * 0.6 if level else 0)
        # A heading never ends a page: room for it and two lines after it.
        writer.ensure(size * 2.5 + 2 * TEXT * LEADING)
        self.headings += 1
        key = f"heading-{self.headings}"
        self.canvas.bookmarkHorizontal(key, 0, writer.y + size)
        self.canvas.addOutlineEntry(text, key, level=level, closed=False)
        writer.paragraph(text, size, bold=True, color=ACCENT if level < 2 else colors.black)

    def text(self, text, size=TEXT, **kwargs):
        self.writer.paragraph(text, size, **kwargs)

    def table(self, caption, header, rows, *, columns=None):
        """A table under its caption: ``columns`` are ``(share of the width, "left" or
        "right")``, by default the first column text on half the width and the others
        figures aligned right. Each cell wraps in its column; the header is drawn again at
        the top of each new page."""
        writer = self.writer
        if columns is None:
            others = 0.5 / max(len(header) - 1, 1)
            columns = [(0.5, "left")] + [(others, "right")] * (len(header) - 1)
        lead = SMALL * LEADING
        gap = 3 * mm
        writer.space(1 * mm)
        writer.ensure(TEXT * 2 + 3 * lead)
        writer.paragraph(caption, TEXT, bold=True)
        writer.space(1 * mm)

        def draw_row(cells, *, bold=False, color=colors.black):
            wrapped = [
                pdf.wrap(cell, SMALL, share * writer.width - gap, bold=bold)
                for cell, (share, _align) in zip(cells, columns, strict=True)
            ]
            height = max(len(lines) for lines in wrapped) * lead + 2 * mm
            page = self.canvas.getPageNumber()
            writer.ensure(height)
            if page != self.canvas.getPageNumber() and not bold:
                draw_row(header, bold=True, color=pdf.MUTED)
            top = writer.y
            left = writer.margin
            for lines, (share, align) in zip(wrapped, columns, strict=True):
                room = share * writer.width
                for index, line in enumerate(lines):
                    x = left
                    if align == "right":
                        x = left + room - pdf.width(line, SMALL, bold=bold)
                    baseline = top - SMALL - index * lead
                    pdf.draw(self.canvas, line, x, baseline, SMALL, bold=bold, color=color)
                left += room
            writer.y = top - height
            rule = writer.y + 1 * mm
            self.canvas.setStrokeColor(RULE)
            self.canvas.setLineWidth(0.5)
            self.canvas.line(writer.margin, rule, writer.margin + writer.width, rule)

        draw_row(header, bold=True, color=pdf.MUTED)
        for row in rows:
            draw_row(row)
        writer.space(3 * mm)

    def bars(self, caption, items):
        """A horizontal bar chart: ``items`` are ``(label, value or None, figure text)``; a
        value of None (too small to show) has no bar, only its text."""
        writer = self.writer
        label_width = writer.width * 0.42
        bar_room = writer.width - label_width - 28 * mm
        largest = max((value for _label, value, _text in items if value), default=0)
        lead = SMALL * LEADING
        writer.ensure(TEXT * 2 + 2 * lead)
        writer.paragraph(caption, TEXT, bold=True)
        writer.space(1 * mm)
        for label, value, text in items:
            lines = pdf.wrap(label, SMALL, label_width - 3 * mm)
            height = len(lines) * lead + 1.5 * mm
            writer.ensure(height)
            top = writer.y
            for index, line in enumerate(lines):
                pdf.draw(self.canvas, line, writer.margin, top - SMALL - index * lead, SMALL)
            length = bar_room * value / largest if value and largest else 0
            if length:
                drawing = Drawing(length, SMALL)
                drawing.add(Rect(0, 0, length, SMALL, fillColor=BAR, strokeColor=None))
                renderPDF.draw(drawing, self.canvas, writer.margin + label_width, top - SMALL - 1.5)
            x = writer.margin + label_width + length + 1.5 * mm
            pdf.draw(self.canvas, text, x, top - SMALL, SMALL)
            writer.y = top - height
        writer.space(3 * mm)


def _figure(value, report):
    return report.below if value is None else formats.number_format(value, force_grouping=True)


def _rate(rate):
    if rate is None:
        return "—"
    return _("%(rate)s%%") % {"rate": rate}


def render(report):
    """The PDF bytes of ``report``, in the active language."""
    edition = report.edition
    title = _("Report of the day")
    day = formats.date_format(edition.date, "DATE_FORMAT")
    document = pdf.Document(
        _("%(title)s: %(edition)s") % {"title": title, "edition": edition.title},
        subject=_("%(edition)s, %(day)s") % {"edition": edition.title, "day": day},
        lang=get_language(),
    )
    pages = _Pages(document, edition)
    pages.heading(title, 0)
    pages.text(edition.title, 14, bold=True)
    pages.text(day, 11, color=pdf.MUTED)
    if edition.is_demonstration:
        pages.text(_("Demonstration: a made-up day to try the platform."), SMALL, color=pdf.MUTED)

    if report.introduction:
        pages.heading(_("Introduction"), 1)
        pages.text(report.introduction)

    _attendance(pages, report)
    _organisations(pages, report)
    _signatures(pages, report)
    if report.workshops:
        _workshops(pages, report)
    if report.feedback is not None:
        _feedback(pages, report)

    if report.conclusions:
        pages.heading(_("Conclusions"), 1)
        pages.text(report.conclusions)

    pages.writer.space(4 * mm)
    pages.text(reports.threshold_sentence(report), SMALL, color=pdf.MUTED)
    document.canvas.showOutline()
    document.canvas.showPage()
    return document.bytes()


def _people_rows(rows, report):
    if report.admissions_recorded:
        return [
            [
                row.label,
                _figure(row.confirmed, report),
                _figure(row.admitted, report),
                _rate(row.rate),
            ]
            for row in rows
        ]
    return [[row.label, _figure(row.confirmed, report)] for row in rows]


def _attendance(pages, report):
    pages.heading(_("Registrations and attendance"), 1)
    pages.text(reports.counted_sentence(report))
    confirmed = pgettext("people counted", "Confirmed")
    admitted = pgettext("people counted", "Admitted")
    columns = [confirmed, admitted, _("Rate")] if report.admissions_recorded else [confirmed]
    pages.table(
        _("Overall"),
        [_("People"), *columns],
        _people_rows(report.overall_rows, report),
    )
    if report.admissions_recorded:
        chart_caption = _("%(caption)s: people admitted")
    else:
        chart_caption = _("%(caption)s: people confirmed")
    for caption, heading, rows, chart in (
        (_("By category"), _("Category"), report.categories, True),
        (_("By organisation kind"), _("Organisation kind"), report.kinds, True),
        (_("By region of the organisation"), _("Region"), report.regions, False),
    ):
        if not rows:
            continue
        pages.table(caption, [heading, *columns], _people_rows(rows, report))
        if chart:
            counts = [row.admitted if report.admissions_recorded else row.confirmed for row in rows]
            pages.bars(
                chart_caption % {"caption": caption},
                [
                    (row.label, count, _figure(count, report))
                    for row, count in zip(rows, counts, strict=True)
                ],
            )


def _organisations(pages, report):
    pages.heading(_("Poles and networks represented"), 1)
    for title, caption, found, new in (
        (_("Poles"), _("Poles represented"), report.poles, report.new_poles),
        (_("Networks"), _("Networks represented"), report.networks, report.new_networks),
    ):
        pages.heading(title, 2)
        if not found:
            pages.text(_("None."))
            continue
        pages.text(
            _("%(count)s represented, of which %(new)s for the first time.")
            % {"count": len(found), "new": len(new)}
        )
        pages.table(
            caption,
            [_("Organisation"), _("People"), _("First time")],
            [
                [line.name, _figure(line.people, report), _("yes") if line.first_time else ""]
                for line in found
            ],
        )


def _signatures(pages, report):
    pages.heading(_("Charter signatures of the day"), 1)
    if not report.signatures:
        pages.text(_("No signature of the charter was recorded that day."))
        return
    pages.table(
        _("Organisations that signed the charter that day"),
        [_("Organisation"), _("Kind"), _("Charter")],
        [[line.organisation, line.kind, line.version] for line in report.signatures],
        columns=[(0.4, "left"), (0.25, "left"), (0.35, "left")],
    )


def _workshops(pages, report):
    pages.heading(_("Workshops"), 1)
    pages.table(
        _("Workshop fill and attendance"),
        [_("Workshop"), _("Seats"), _("Seats taken"), _("Admitted at its door")],
        [
            [
                line.title,
                _figure(line.seats, report),
                _figure(line.taken, report),
                _figure(line.admitted, report) if line.has_door else "—",
            ]
            for line in report.workshops
        ],
        columns=[(0.46, "left"), (0.18, "right"), (0.18, "right"), (0.18, "right")],
    )


def _feedback(pages, report):
    feedback = report.feedback
    pages.heading(_("What the attendees thought"), 1)
    pages.text(reports.responses_sentence(feedback))
    if not feedback.shown:
        pages.text(reports.fewer_answers_sentence(report.threshold))
        return
    for question in feedback.questions:
        pages.heading(question.text, 2)
        if question.session:
            pages.text(
                _("About: %(session)s") % {"session": question.session}, SMALL, color=pdf.MUTED
            )
        if question.is_free_text:
            pages.text(reports.free_texts_sentence(question.answered))
            continue
        if not question.shown:
            pages.text(reports.fewer_answers_sentence(report.threshold))
            continue
        if question.mean is not None:
            pages.text(
                _("Average: %(mean)s out of 5, from %(count)s answers.")
                % {"mean": formats.number_format(question.mean, 1), "count": question.answered}
            )
        else:
            count = question.answered
            pages.text(
                ngettext("%(count)s answer.", "%(count)s answers.", count) % {"count": count}
            )
        pages.bars(
            _("Answers"),
            [
                (bar.label, bar.count, f"{bar.count} ({_rate(bar.percent)})")
                for bar in question.bars
            ],
        )
