"""common.spreadsheets: the one rule that makes formulas inert, and the CSV and XLSX writers
every export uses (read back with the csv module and openpyxl)."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from common import spreadsheets
from events.models import PARIS

FORMULAS = [
    '=HYPERLINK("http://evil.example/","clic")',
    "+33 1 23",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "\uff1dSUM(A1)",
    "\uff0b1",
    "\uff0d1",
    "\uff20SUM(A1)",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_text_that_starts_like_a_formula_gets_an_apostrophe(text):
    assert spreadsheets.neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["Pôle Exemple", "<script>alert(1)</script>", "l'Exemple", "'t Hooft", "", "1-2"]
)
def test_other_text_is_left_as_it_is(text):
    assert spreadsheets.neutralise(text) == text


def test_apostrophes_before_a_formula_get_one_more_so_that_it_can_be_restored():
    assert spreadsheets.neutralise("'=1") == "''=1"
    assert spreadsheets.restore("''=1") == "'=1"
    assert spreadsheets.restore("'t Hooft") == "'t Hooft"


@pytest.mark.parametrize(
    "value",
    [-5, 0, 2.5, Decimal("-1.50"), dt.date(2014, 9, 19), dt.datetime(2014, 9, 19, 9, 42)],
)
def test_numbers_and_dates_stay_what_they_are(value):
    assert spreadsheets.neutralise(value) == value
    assert type(spreadsheets.neutralise(value)) is type(value)


def test_none_is_empty_and_booleans_are_words():
    with translation.override("en"):
        assert [spreadsheets.neutralise(v) for v in (None, True, False)] == ["", "yes", "no"]
    with translation.override("fr"):
        assert [spreadsheets.neutralise(v) for v in (True, False)] == ["oui", "non"]


@given(st.text())
def test_neutralised_text_never_starts_like_a_formula_and_restores_exactly(text):
    neutralised = spreadsheets.neutralise(text)

    assert neutralised[:1] not in spreadsheets.FORMULA_STARTS
    assert spreadsheets.restore(neutralised) == text


# CSV ---------------------------------------------------------------------------------------


def read_csv(content):
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_is_utf8_with_bom_semicolons_crlf_and_paris_times():
    content = spreadsheets.csv_bytes(
        ["Nom", "Quand", "Né le", "Nombre"],
        [
            ['=Dupont; "Anne"', dt.datetime(2014, 9, 19, 7, 42, tzinfo=dt.UTC), None, -3],
            ["Zoé\nÉlodie", dt.datetime(2014, 9, 19, 9, 42, tzinfo=PARIS), dt.date(1980, 5, 1), 0],
        ],
    )

    assert content.split(b"\r\n")[0] == "\ufeffNom;Quand;Né le;Nombre".encode()
    assert read_csv(content) == [
        ["Nom", "Quand", "Né le", "Nombre"],
        ['\'=Dupont; "Anne"', "2014-09-19 09:42", "", "-3"],
        ["Zoé\nÉlodie", "2014-09-19 09:42", "1980-05-01", "0"],
    ]


def test_csv_response_is_an_attachment_no_cache_keeps():
    response = spreadsheets.csv_response("liste été.csv", ["A"], [["=1"]])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''liste%20%C3%A9t%C3%A9.csv"
    )
    assert read_csv(response.content) == [["A"], ["'=1"]]


def test_a_streamed_csv_holds_the_same_bytes():
    rows = [["=1", 2], ["b", None]]
    streamed = spreadsheets.csv_response("x.csv", ["A", "B"], iter(rows), streaming=True)

    assert streamed.streaming
    assert streamed["Cache-Control"] == "private, no-store"
    assert b"".join(streamed.streaming_content) == spreadsheets.csv_bytes(["A", "B"], rows)


# XLSX --------------------------------------------------------------------------------------


def read_xlsx(content):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_xlsx_cells_are_text_numbers_and_paris_times_never_formulas():
    sheet = spreadsheets.Sheet(
        "Inscriptions",
        ["Nom", "Quand", "Né le", "Nombre", "Vide"],
        [
            [
                "@SUM(A1)",
                dt.datetime(2014, 9, 19, 7, 42, tzinfo=dt.UTC),
                dt.date(1980, 5, 1),
                12,
                "",
            ],
            ["bell\x07 and tab\t", None, None, 2.5, None],
        ],
    )

    book = read_xlsx(spreadsheets.xlsx_bytes([sheet]))

    ws = book["Inscriptions"]
    assert [[cell.value for cell in row] for row in ws.iter_rows()] == [
        ["Nom", "Quand", "Né le", "Nombre", "Vide"],
        ["'@SUM(A1)", dt.datetime(2014, 9, 19, 9, 42), dt.datetime(1980, 5, 1), 12, None],
        ["bell\ufffd and tab\t", None, None, 2.5, None],
    ]
    assert [ws["A2"].data_type, ws["B2"].data_type, ws["D2"].data_type] == ["s", "d", "n"]
    assert [ws["B2"].number_format, ws["C2"].number_format] == ["yyyy-mm-dd hh:mm", "yyyy-mm-dd"]
    assert all(cell.font.b for cell in ws[1])
    assert not ws["A2"].font.b
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == len("bell\ufffd and tab\t") + 2
    assert ws.column_dimensions["E"].width == spreadsheets.MIN_WIDTH


def test_xlsx_has_one_sheet_each_with_titles_the_format_allows():
    sheets = [
        spreadsheets.Sheet("Version 1", ["A"], [["x"]]),
        spreadsheets.Sheet("Chiffres: par [catégorie] / région ou département", ["B"], []),
    ]

    book = read_xlsx(spreadsheets.xlsx_bytes(sheets))

    assert book.sheetnames == ["Version 1", "Chiffres- par -catégorie- - rég"]
    assert [[c.value for c in row] for row in book.worksheets[1].iter_rows()] == [["B"]]


def test_a_long_text_caps_its_column_width():
    sheet = spreadsheets.Sheet("S", ["A"], [["x" * 500]])

    ws = read_xlsx(spreadsheets.xlsx_bytes([sheet])).active

    assert ws.column_dimensions["A"].width == spreadsheets.MAX_WIDTH


def test_xlsx_response_is_an_attachment_no_cache_keeps():
    response = spreadsheets.xlsx_response("chiffres.xlsx", [spreadsheets.Sheet("S", ["A"], [])])

    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'attachment; filename="chiffres.xlsx"'
    assert read_xlsx(response.content).active["A1"].value == "A"


def test_xlsx_parts_are_well_formed_xml_with_markup_kept_as_text():
    sheets = [
        spreadsheets.Sheet('A & "B" <c>', ["<b>&amp;</b>"], [["<script>alert(1)</script> & co"]]),
        spreadsheets.Sheet('A & "B" <c>', ["x"], [[Decimal("1.50"), float("nan"), -2]]),
    ]
    content = spreadsheets.xlsx_bytes(sheets)

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            ElementTree.fromstring(archive.read(name))  # noqa: S314 (our own file)
    book = read_xlsx(content)
    assert book.sheetnames == ['A & "B" <c>', 'A & "B" <c>-2']
    first, second = book.worksheets
    assert [first["A1"].value, first["A2"].value] == [
        "<b>&amp;</b>",
        "<script>alert(1)</script> & co",
    ]
    assert [cell.value for cell in second[2]] == [1.5, "nan", -2]


def test_text_shaped_like_the_files_own_xml_stays_text_and_adds_no_cell():
    # XlsxWriter would write such text as XML of its own (a rich string's runs).
    forged = (
        '<r><t>a</t></r></is></c><c r="B2"><f>HYPERLINK("http://evil.example/","clic")</f>'
        '</c><c r="C2" t="inlineStr"><is><r><t>b</t></r>'
    )
    sheet = spreadsheets.Sheet("S", [forged, "B"], [[forged, "=1+1"]])

    ws = read_xlsx(spreadsheets.xlsx_bytes([sheet])).active

    assert [[cell.value for cell in row] for row in ws.iter_rows()] == [
        [forged, "B"],
        [forged, "'=1+1"],
    ]
    assert [ws["A2"].data_type, ws["B2"].data_type] == ["s", "s"]
    assert [ws["A1"].font.b, ws["A2"].font.b] == [True, False]


def test_text_longer_than_a_cell_holds_is_cut_counting_as_the_format_does():
    sheet = spreadsheets.Sheet("S", ["A", "B"], [["x" * 40_000, "\U0001f600" * 20_000]])

    ws = read_xlsx(spreadsheets.xlsx_bytes([sheet])).active

    assert ws["A2"].value == "x" * spreadsheets.MAX_CELL_TEXT
    # An emoji is two UTF-16 code units: half as many fit.
    assert ws["B2"].value == "\U0001f600" * (spreadsheets.MAX_CELL_TEXT // 2)


def test_characters_xml_forbids_become_replacement_characters():
    sheet = spreadsheets.Sheet("S", ["A"], [["lone \ud800 surrogate \ufffe\x0b"]])

    ws = read_xlsx(spreadsheets.xlsx_bytes([sheet])).active

    assert ws["A2"].value == "lone \ufffd surrogate \ufffd\ufffd"


def test_xlsx_times_are_to_the_second_and_times_of_day_are_text():
    sheet = spreadsheets.Sheet(
        "S",
        ["Aware", "Naive", "Time of day"],
        [
            [
                dt.datetime(2014, 9, 19, 7, 42, 59, 999_999, tzinfo=dt.UTC),
                dt.datetime(2014, 9, 19, 7, 42),
                dt.time(9, 30),
            ]
        ],
    )

    ws = read_xlsx(spreadsheets.xlsx_bytes([sheet])).active

    assert [cell.value for cell in ws[2]] == [
        dt.datetime(2014, 9, 19, 9, 42, 59),
        dt.datetime(2014, 9, 19, 7, 42),
        "09:30:00",
    ]


def test_sheet_titles_are_unique_whatever_their_case_and_fit_the_format():
    sheets = [
        spreadsheets.Sheet(title, ["A"], [])
        for title in ("Liste", "LISTE", "x" * 30 + "'y", "\U0001f389" * 20, "a\x01b")
    ]

    book = read_xlsx(spreadsheets.xlsx_bytes(sheets))

    # Cut to 31 UTF-16 code units, then never ending with an apostrophe.
    assert book.sheetnames == ["Liste", "LISTE-2", "x" * 30, "\U0001f389" * 15, "a\ufffdb"]
