"""Text in PDF documents drawn with reportlab, in the fonts shipped in ``common/fonts``.

reportlab draws one glyph per character, left to right, with no shaping: so each line is
shaped here first (Arabic letters take their joined forms with arabic-reshaper), put in
visual order (python-bidi, the Unicode bidirectional algorithm), then cut into runs, each
drawn in the first shipped font that has its characters: Noto Sans (Latin, Greek, Cyrillic),
then Noto Sans Arabic, then Noto Sans Hebrew. A character none of them has (an emoji, a CJK
ideograph…) is drawn as U+FFFD "�", visibly; the registration keeps the exact text.

Known limit: Arabic vowel marks (harakat) are kept but placed as the font's default, not
positioned over their letter by the font's rules, since reportlab applies none.
"""

import functools
import io
import re
from pathlib import Path

from arabic_reshaper import ArabicReshaper
from bidi import get_display
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path(__file__).resolve().parent / "fonts"
#: Font files in fallback order: the first that has a character draws it.
FALLBACK = ("NotoSans", "NotoSansArabic", "NotoSansHebrew")
PLACEHOLDER = "\ufffd"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
MUTED = colors.HexColor("#4a4a4a")
# Vowel marks are kept: deleting them would print a name other than the one registered.
_reshaper = ArabicReshaper(configuration={"delete_harakat": False})


@functools.cache
def _fonts(bold):
    """``[(font name, set of code points)]`` in fallback order; registered once a process."""
    fonts = []
    for family in FALLBACK:
        name = f"{family}-{'Bold' if bold else 'Regular'}"
        font = TTFont(name, FONT_DIR / f"{name}.ttf")
        pdfmetrics.registerFont(font)
        fonts.append((name, frozenset(font.face.charToGlyph)))
    return fonts


#: Letters arabic-reshaper changes (Arabic, Arabic Supplement and Extended-A): other text
#: skips it, as it is slow and most names hold none of them.
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")


def runs(text, *, bold=False):
    """``text`` (one line, logical order) as ``[(font name, characters)]`` in visual order."""
    return list(_runs(text, bold))


# Each ticket measures and draws the same labels, and wrap() measures growing prefixes of
# each line: remembering the runs of recent lines makes a ticket several times faster.
@functools.lru_cache(maxsize=4096)
def _runs(text, bold):
    fonts = _fonts(bold)
    shaped = _reshaper.reshape(text) if _ARABIC.search(text) else text
    visual = get_display(shaped) if text else ""
    result = []
    for char in visual:
        font = next((name for name, chars in fonts if ord(char) in chars), None)
        if font is None:
            font, char = fonts[0][0], PLACEHOLDER
        elif char.isspace() and result:
            # A space belongs to the run it sits in: fewer font switches.
            font = result[-1][0]
        if result and result[-1][0] == font:
            result[-1] = (font, result[-1][1] + char)
        else:
            result.append((font, char))
    return tuple(result)


def width(text, size, *, bold=False):
    return sum(pdfmetrics.stringWidth(chars, font, size) for font, chars in runs(text, bold=bold))


def wrap(text, size, available, *, bold=False):
    """Lines of ``text`` (logical order) that each fit ``available`` points at ``size``.

    Cut between words; a word longer than a line (a long address) is cut between characters.
    """
    lines = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if width(candidate, size, bold=bold) <= available:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for char in word:
                if line and width(line + char, size, bold=bold) > available:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line)
    return lines


def draw(canvas, text, x, y, size, *, bold=False, color=colors.black):
    """One line of ``text`` from ``(x, y)`` (its baseline), each run in the font it needs."""
    canvas.setFillColor(color)
    for font, chars in runs(text, bold=bold):
        canvas.setFont(font, size)
        canvas.drawString(x, y, chars)
        x += pdfmetrics.stringWidth(chars, font, size)


class Document:
    """A PDF document of the site, drawn on :attr:`canvas`; :meth:`bytes` ends it.

    Compressed and ``invariant`` (the same content gives the same bytes: no creation date
    nor random identifier in the file); the site as its author, ``title`` and ``subject`` in
    its metadata (PDF readers and screen readers show the title); ``lang`` (``"fr"``), when
    given, the document's language, which screen readers read it in.
    """

    def __init__(self, title="", *, subject="", pagesize=A4, lang=None):
        self._buffer = io.BytesIO()
        self.canvas = Canvas(
            self._buffer, pagesize=pagesize, pageCompression=1, invariant=True, lang=lang
        )
        if title:
            self.canvas.setTitle(title)
        self.canvas.setAuthor(_("Journées PTCE"))
        if subject:
            self.canvas.setSubject(subject)

    def bytes(self):
        """The file, once the last page is ended (``canvas.showPage()``)."""
        self.canvas.save()
        return self._buffer.getvalue()


class Writer:
    """Draws lines down an A4 page from the top margin, each in the fonts its characters need.

    A line that would cross the bottom margin goes on a new page (only text of extraordinary
    length gets there); ``on_new_page(canvas)`` draws what every page has (a frame).
    ``centred``: each line is centred across the page instead of starting at ``x``.
    ``before`` and ``after``: the space above and below a line, in multiples of its size.
    """

    def __init__(
        self, canvas, *, margin=MARGIN, centred=False, before=1.2, after=0.25, on_new_page=None
    ):
        self.canvas = canvas
        self.margin = margin
        self.width = PAGE_WIDTH - 2 * margin
        self.centred = centred
        self.before = before
        self.after = after
        self.on_new_page = on_new_page
        self._start_page()

    def _start_page(self):
        self.y = PAGE_HEIGHT - self.margin
        if self.on_new_page is not None:
            self.on_new_page(self.canvas)

    def line(self, text, size, *, x=None, bold=False, color=colors.black):
        if self.y - size * (self.before + self.after) < self.margin:
            self.canvas.showPage()
            self._start_page()
        self.y -= size * self.before
        if self.centred:
            x = (PAGE_WIDTH - width(text, size, bold=bold)) / 2
        elif x is None:
            x = self.margin
        draw(self.canvas, text, x, self.y, size, bold=bold, color=color)
        self.y -= size * self.after

    def paragraph(self, text, size, *, available=None, x=None, bold=False, color=colors.black):
        for line in wrap(text, size, available or self.width, bold=bold):
            self.line(line, size, x=x, bold=bold, color=color)

    def fitted(self, text, largest, smallest, *, available=None, bold=True):
        """One line at the largest size that fits, else wrapped at the smallest."""
        available = available or self.width
        size = largest
        while size > smallest and width(text, size, bold=bold) > available:
            size -= 1
        self.paragraph(text, size, available=available, bold=bold)

    def labelled(self, label, value, *, size=12, available=None, x=None):
        self.paragraph(label, 9, available=available, x=x, color=MUTED)
        self.paragraph(value, size, available=available, x=x)
        self.y -= 2 * mm

    def space(self, height):
        self.y -= height

    def ensure(self, height):
        """Goes on a new page unless ``height`` more points fit above the bottom margin: what
        must not be cut (a table's row, a chart) asks first."""
        if self.y - height < self.margin:
            self.canvas.showPage()
            self._start_page()

    def rule(self):
        self.space(2 * mm)
        self.canvas.setStrokeColor(colors.lightgrey)
        self.canvas.setLineWidth(0.75)
        self.canvas.line(self.margin, self.y, PAGE_WIDTH - self.margin, self.y)
        self.space(3 * mm)


def draw_qr(canvas, qr, x, y, size):
    """The QR code as vector squares, ``size`` points wide, bottom-left corner at (x, y)."""
    matrix = [list(row) for row in qr.matrix_iter(scale=1, border=0)]
    module = size / len(matrix)
    canvas.setFillColor(colors.black)
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            # One rectangle per horizontal run of dark modules, a hair wider so that no
            # seam shows between neighbours in a viewer's anti-aliasing.
            canvas.rect(
                x + start * module,
                top,
                (column - start) * module + 0.01,
                module + 0.01,
                stroke=0,
                fill=1,
            )
