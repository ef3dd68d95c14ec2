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
bold and frozen, column widths from the header and the first rows. The XLSX file is written
here, as plain XML in a zip, rather than by openpyxl: openpyxl's write-only mode makes an
object and an XML element per cell, about ten times slower (several seconds for 10,000
registrations); openpyxl reads our files back in the tests.

Responses are attachments that no cache keeps (``Cache-Control: private, no-store``): most
carry personal data.
"""

import csv
import datetime as dt
import itertools
import math
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

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
#: The most characters an XLSX cell holds.
MAX_CELL_TEXT = 32_767
#: An XLSX sheet's title: at most 31 characters, none of these.
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: Characters XML 1.0 forbids (control characters but tab, line feed, carriage return).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

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


def sheet_title(title):
    """``title`` as the file format allows it."""
    return _SHEET_TITLE_FORBIDDEN.sub("-", str(title)).strip("'")[:31] or "-"


def column_letter(index):
    """``A`` for 0, ``Z`` for 25, ``AA`` for 26…"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _escape(text):
    text = _XML_FORBIDDEN.sub("\ufffd", text[:MAX_CELL_TEXT])
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text):
    return _escape(text).replace('"', "&quot;")


_EPOCH = dt.datetime(1899, 12, 30)
#: Cell styles (``cellXfs`` of :data:`_STYLES`): plain, bold, date and time, date.
_BOLD, _DATETIME, _DATE = 1, 2, 3


def _serial(value, zone):
    """A date or a time as the file format counts it: days since 1899-12-30."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            # The file format has no time zones: Paris time, as everywhere on the site.
            value = value.astimezone(zone)
        delta = value.replace(tzinfo=None) - _EPOCH
        return repr(delta.days + delta.seconds / 86400), _DATETIME
    return str((value - _EPOCH.date()).days), _DATE


def _xml_cell(reference, value, zone, style=0):
    if type(value) is str:
        if not value:
            return ""
        styled = f' s="{style}"' if style else ""
        return (
            f'<c r="{reference}"{styled} t="inlineStr"><is><t xml:space="preserve">'
            f"{_escape(value)}</t></is></c>"
        )
    if isinstance(value, dt.date):
        serial, style = _serial(value, zone)
        return f'<c r="{reference}" s="{style}"><v>{serial}</v></c>'
    if isinstance(value, int) or (isinstance(value, (float, Decimal)) and math.isfinite(value)):
        return f'<c r="{reference}"><v>{value}</v></c>'
    if value is None:
        return ""
    return _xml_cell(reference, str(value), zone, style)


def _width(value):
    if isinstance(value, dt.datetime):
        return len(XLSX_DATETIME)
    if value is None:
        return 0
    return max((len(line) for line in str(value).splitlines()), default=0)


def _sheet_xml(sheet):
    """The sheet's XML, in chunks."""
    cells = _cells(sheet.rows)
    header = next(_cells([sheet.header]))
    sample = list(itertools.islice(cells, WIDTH_SAMPLE))
    yield (
        f'{_XML}<worksheet {_MAIN}><sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft"/></sheetView></sheetViews><cols>'
    )
    for index, label in enumerate(header):
        longest = max([_width(label), *(_width(row[index]) for row in sample if index < len(row))])
        width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
        yield f'<col min="{index + 1}" max="{index + 1}" width="{width}" customWidth="1"/>'
    yield "</cols><sheetData>"
    letters = [column_letter(index) for index in range(len(header))]
    zone = timezone.get_current_timezone()
    yield '<row r="1">'
    yield "".join(
        _xml_cell(f"{letter}1", label, zone, _BOLD)
        for letter, label in zip(letters, header, strict=True)
    )
    yield "</row>"
    for number, row in enumerate(itertools.chain(sample, cells), start=2):
        if len(row) > len(letters):
            letters += [column_letter(index) for index in range(len(letters), len(row))]
        parts = [f'<row r="{number}">']
        for letter, value in zip(letters, row, strict=False):
            if type(value) is str:
                # Most cells: text, inline.
                if value:
                    parts.append(
                        f'<c r="{letter}{number}" t="inlineStr"><is><t xml:space="preserve">'
                        f"{_escape(value)}</t></is></c>"
                    )
            elif value is not None:
                parts.append(_xml_cell(f"{letter}{number}", value, zone))
        parts.append("</row>")
        yield "".join(parts)
    yield "</sheetData></worksheet>"


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RELATIONSHIPS = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STYLES = (
    f"{_XML}<styleSheet {_MAIN}>"
    f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{XLSX_DATETIME}"/>'
    f'<numFmt numFmtId="165" formatCode="{XLSX_DATE}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _package(titles):
    """The files around the sheets: content types, relationships, workbook, styles."""
    sheets = range(1, len(titles) + 1)
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    yield (
        "[Content_Types].xml",
        (
            f"{_XML}<Types "
            'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet_type}"/>'
                for n in sheets
            )
            + "</Types>"
        ),
    )
    yield (
        "_rels/.rels",
        (
            f'{_XML}<Relationships {_RELATIONSHIPS}><Relationship Id="rId1" '
            f'Type="{_OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
    )
    yield (
        "xl/workbook.xml",
        (
            f'{_XML}<workbook {_MAIN} xmlns:r="{_OFFICE}"><sheets>'
            + "".join(
                f'<sheet name="{_attribute(title)}" sheetId="{n}" r:id="rId{n}"/>'
                for n, title in zip(sheets, titles, strict=True)
            )
            + "</sheets></workbook>"
        ),
    )
    yield (
        "xl/_rels/workbook.xml.rels",
        (
            f"{_XML}<Relationships {_RELATIONSHIPS}>"
            + "".join(
                f'<Relationship Id="rId{n}" Type="{_OFFICE}/worksheet" '
                f'Target="worksheets/sheet{n}.xml"/>'
                for n in sheets
            )
            + f'<Relationship Id="rId{len(titles) + 1}" Type="{_OFFICE}/styles" '
            'Target="styles.xml"/></Relationships>'
        ),
    )
    yield "xl/styles.xml", _STYLES


def xlsx_bytes(sheets):
    """A workbook of :class:`Sheet` objects, in their order."""
    sheets = list(sheets)
    titles = []
    for sheet in sheets:
        title = sheet_title(sheet.title)
        while title in titles:  # Sheet names are unique in a workbook.
            title = f"{title[:28]}-{len(titles) + 1}"
        titles.append(title)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _package(titles):
            archive.writestr(name, text)
        for number, sheet in enumerate(sheets, start=1):
            xml = "".join(_sheet_xml(sheet)).encode("utf-8", "replace")
            archive.writestr(f"xl/worksheets/sheet{number}.xml", xml)
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
