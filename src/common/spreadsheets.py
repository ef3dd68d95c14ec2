"""The spreadsheets the platform writes (CSV and XLSX): one rule against formula injection,
one way to write each format, one way to send it.

Every cell is untrusted output. A spreadsheet reads a cell whose text starts with ``=``,
``+``, ``-`` or ``@`` as a formula (OWASP's "CSV injection"), some also after a tab or a
carriage return, and some turn the full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) into
the plain ones. :func:`neutralise` puts an apostrophe before such text: the cell then shows
the text as it was typed, and nothing runs. Text that already starts with apostrophes and
then such a character gets one more, so that :func:`restore` gives back exactly what was
written (the directory's CSV import reads its own export back). Real numbers and dates are
not text: they stay numbers and dates.

CSV: UTF-8 with a byte order mark, ``;`` between fields, CRLF line ends: what the French
edition of Excel opens directly (and LibreOffice alike). XLSX: text always written as text
(inline strings), numbers as numbers, dates and times (Paris time) as dates; the header row
bold and frozen, column widths from the header and the first rows. XlsxWriter writes the
file, in its constant-memory mode (row by row, to temporary files), so the cost of an export
grows with its rows but its memory does not; openpyxl reads our files back in the tests
(its own write-only mode makes an object per cell, several seconds for 10,000
registrations).

Responses are attachments that no cache keeps (``Cache-Control: private, no-store``): most
carry personal data.
"""

import csv
import datetime as dt
import itertools
import math
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse
from django.template.defaultfilters import yesno
from django.utils import timezone
from django.utils.http import content_disposition_header

#: What makes a spreadsheet read a cell as a formula, the full-width forms included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: First characters worth a closer look (apostrophes may hide a formula behind them).
_SUSPECT_FIRST = frozenset((*FORMULA_STARTS, "'"))

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_DELIMITER = ";"
BOM = "\ufeff"

#: How dates and times look in a CSV file (Paris time) and in an XLSX cell.
CSV_DATETIME = "%Y-%m-%d %H:%M"
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
XLSX_DATE = "yyyy-mm-dd"
#: Rows read to size the columns of an XLSX sheet; the rest are written as they come.
WIDTH_SAMPLE = 200
MIN_WIDTH, MAX_WIDTH = 6, 50
#: The most characters (UTF-16 code units) an XLSX cell holds; the rest is cut.
MAX_CELL_TEXT = 32_767
#: Text no longer than this fits a cell whatever its characters (two UTF-16 units each at most).
_SHORT = MAX_CELL_TEXT // 2
#: An XLSX sheet's title: at most 31 characters (UTF-16 code units), none of these.
MAX_TITLE = 31
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: Characters XML 1.0 forbids (control characters but tab, line feed, carriage return; lone
#: surrogates, which UTF-8 cannot even encode).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_NUMBERS = (int, float, Decimal)


# The rule ----------------------------------------------------------------------------------


def starts_like_formula(text):
    """Whether a spreadsheet would read ``text`` as a formula once leading apostrophes go."""
    first = text.lstrip("'")[:1]
    return bool(first) and first in FORMULA_STARTS


def _inert(text):
    if text[:1] in _SUSPECT_FIRST and starts_like_formula(text):
        return "'" + text
    return text


def neutralise(value):
    """``value`` as a cell that runs nothing: text gets an apostrophe first when it starts
    like a formula; numbers, dates and times are returned as they are; ``None`` is ``""``;
    ``True``/``False`` are the words yes/no in the active language."""
    if type(value) is str:
        return _inert(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return yesno(value)
    if isinstance(value, (*_NUMBERS, dt.date, dt.time)):
        return value
    return _inert(str(value))


def restore(text):
    """The inverse of :func:`neutralise` for text: what was written before it."""
    return text[1:] if text.startswith("'") and starts_like_formula(text) else text


def _cells(rows):
    """``rows`` neutralised, cell by cell, the words yes and no translated once."""
    words = {True: yesno(True), False: yesno(False)}
    for row in rows:
        yield [
            _inert(value)
            if type(value) is str
            else words[value]
            if type(value) is bool
            else neutralise(value)
            for value in row
        ]


# CSV ---------------------------------------------------------------------------------------


def _csv_text(value, zone):
    if type(value) is str:
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zone)
        return value.strftime(CSV_DATETIME)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


class _Echo:
    """A file-like object whose ``write`` hands back what it was given (for csv.writer)."""

    def write(self, value):
        return value


def csv_lines(header, rows):
    """The file as text, one chunk per line, the first with the byte order mark."""
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER, lineterminator="\r\n")
    cells = _cells(itertools.chain([header], rows))
    zone = timezone.get_current_timezone()
    yield BOM + writer.writerow([_csv_text(cell, zone) for cell in next(cells)])
    for row in cells:
        yield writer.writerow([_csv_text(cell, zone) for cell in row])


def csv_bytes(header, rows):
    return "".join(csv_lines(header, rows)).encode("utf-8")


def csv_response(filename, header, rows, *, streaming=False):
    """A CSV attachment. ``streaming``: written while ``rows`` is read (for long exports
    that record nothing); otherwise the whole file is made before the answer."""
    if streaming:
        content = (line.encode("utf-8") for line in csv_lines(header, rows))
        response = StreamingHttpResponse(content, content_type=CSV_CONTENT_TYPE)
        return _attachment(response, filename)
    return file_response(csv_bytes(header, rows), CSV_CONTENT_TYPE, filename)


# XLSX --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its title, the header's labels and the rows (any iterable
    of sequences of cell values)."""

    title: str
    header: list
    rows: object


def _utf16_prefix(text, limit):
    """The start of ``text`` that fits in ``limit`` UTF-16 code units: the file format's
    limits count those, so an emoji counts twice."""
    if len(text) <= limit // 2:
        return text
    return text.encode("utf-16-le")[: 2 * limit].decode("utf-16-le", "ignore")


def sheet_title(title):
    """``title`` as the file format allows it."""
    title = _XML_FORBIDDEN.sub("\ufffd", _SHEET_TITLE_FORBIDDEN.sub("-", str(title)))
    # Stripped again once cut: the cut may leave an apostrophe at the end.
    return _utf16_prefix(title.strip("'"), MAX_TITLE).strip("'") or "-"


def _unique_titles(sheets):
    taken = set()
    for number, sheet in enumerate(sheets, start=1):
        title = base = sheet_title(sheet.title)
        # Excel ignores case when it compares sheet names (and XlsxWriter refuses a workbook
        # that has the same name twice).
        while title.lower() in taken:
            suffix = f"-{number}"
            title = _utf16_prefix(base, MAX_TITLE - len(suffix)) + suffix
            number += 1
        taken.add(title.lower())
        yield title


def _text(value):
    """Text as a cell can hold it: characters XML forbids replaced, cut to the cell's
    limit."""
    if not value.isprintable():  # Printable text has none of the forbidden characters.
        value = _XML_FORBIDDEN.sub("\ufffd", value)
    return _utf16_prefix(value, MAX_CELL_TEXT)


def _write_text(worksheet, row, column, text, cell_format=None):
    if text.startswith("<r>") and text.endswith("</r>"):
        # In constant_memory mode XlsxWriter takes such text for the XML of a rich string it
        # made itself and writes it unescaped: the text could close its cell and open a
        # formula. Written as a rich string of three runs, it is escaped like any other.
        runs = ("<", "r", text[2:])
        if cell_format is None:
            worksheet.write_rich_string(row, column, *runs)
        else:
            tokens = [token for run in runs for token in (cell_format, run)]
            worksheet.write_rich_string(row, column, *tokens, cell_format)
    else:
        worksheet.write_string(row, column, text, cell_format)


def _finite(value):
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


class _Writer:
    """Writes neutralised cells: text always as text (never through ``write``, which would
    read ``=…`` as a formula), numbers as numbers, dates and times as dates."""

    def __init__(self, workbook):
        self.bold = workbook.add_format({"bold": True})
        self.datetime = workbook.add_format({"num_format": XLSX_DATETIME})
        self.date = workbook.add_format({"num_format": XLSX_DATE})
        self.zone = timezone.get_current_timezone()

    def cell(self, worksheet, row, column, value, text_format=None):
        if type(value) is str:
            if value:  # An empty cell is no cell.
                _write_text(worksheet, row, column, _text(value), text_format)
        elif isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                # The file format has no time zones: Paris time, as everywhere on the site.
                value = value.astimezone(self.zone)
            # To the second: what the cell shows is never a rounded-up minute.
            value = value.replace(tzinfo=None, microsecond=0)
            worksheet.write_datetime(row, column, value, self.datetime)
        elif isinstance(value, dt.date):
            worksheet.write_datetime(row, column, value, self.date)
        elif isinstance(value, _NUMBERS) and _finite(value):
            worksheet.write_number(row, column, value)
        elif value is not None:
            # Times of day, and NaN or infinity, which no cell holds as a number.
            _write_text(worksheet, row, column, _text(str(value)), text_format)

    def sheet(self, worksheet, sheet):
        cells = _cells(sheet.rows)
        header = next(_cells([sheet.header]))
        sample = list(itertools.islice(cells, WIDTH_SAMPLE))
        worksheet.freeze_panes(1, 0)
        for index, label in enumerate(header):
            longest = max(
                [_width(label), *(_width(row[index]) for row in sample if index < len(row))]
            )
            width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
            # In pixels, so that the file holds ``width`` itself: set_column would add the
            # cell's padding to it.
            worksheet.set_column_pixels(index, index, width * worksheet.max_digit_width)
        cell, write_string = self.cell, worksheet.write_string
        for column, label in enumerate(header):
            cell(worksheet, 0, column, label, self.bold)
        for number, row in enumerate(itertools.chain(sample, cells), start=1):
            for column, value in enumerate(row):
                if type(value) is not str:
                    cell(worksheet, number, column, value)
                elif value.isprintable() and len(value) <= _SHORT and value[:3] != "<r>":
                    # Most cells, where an export spends its time: text that needs none
                    # of the care of :meth:`cell`.
                    if value:
                        write_string(number, column, value)
                else:
                    _write_text(worksheet, number, column, _text(value))


def _width(value):
    if isinstance(value, dt.datetime):
        return len(XLSX_DATETIME)
    if value is None:
        return 0
    return max((len(line) for line in str(value).splitlines()), default=0)


def xlsx_bytes(sheets):
    """A workbook of :class:`Sheet` objects, in their order."""
    sheets = list(sheets)
    buffer = BytesIO()
    options = {
        # Each row goes to a temporary file once the next one starts, text inline: memory
        # stays flat however long the export. (``in_memory`` would turn this mode off; the
        # finished file still goes to ``buffer``.)
        "constant_memory": True,
        # Only write_string, write_number and write_datetime are used, which never guess;
        # these make ``write`` as careful should it ever be used.
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    # The temporary files go to a directory of this workbook's own, which goes whatever
    # happens: XlsxWriter leaves behind the file of a sheet that got no cell (when reading
    # its rows failed, say).
    with (
        tempfile.TemporaryDirectory(prefix="ptce-xlsx-") as scratch,
        xlsxwriter.Workbook(buffer, {**options, "tmpdir": scratch}) as workbook,
    ):
        writer = _Writer(workbook)
        for sheet, title in zip(sheets, _unique_titles(sheets), strict=True):
            writer.sheet(workbook.add_worksheet(title), sheet)
    return buffer.getvalue()


def xlsx_response(filename, sheets):
    return file_response(xlsx_bytes(sheets), XLSX_CONTENT_TYPE, filename)


# Responses ---------------------------------------------------------------------------------


def _attachment(response, filename):
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def file_response(content, content_type, filename):
    """``content`` (bytes) as an attachment named ``filename``, kept by no cache."""
    return _attachment(HttpResponse(content, content_type=content_type), filename)
