"""The PDF ticket, read back with pypdf: what a person sees is what was registered.

pypdf gives right-to-left text back in logical order (it reorders what is drawn left to
right), so a Hebrew name is compared as extracted; an Arabic name comes back in its joined
presentation forms (U+FExx, drawn by the shipped font), which NFKC turns back into the letters
typed: the comparison is NFKC(extracted) == name, after checking the forms are there.
"""

import io
import unicodedata

import pytest
from pypdf import PdfReader

from admission.tickets import NoTicket, ticket_pdf
from common import pdf
from registrations.capacity import cancel, register
from registrations.links import manage_path
from tests.factories import CategoryFactory, EditionFactory, VenueFactory

LABEL_BEFORE_NAMES = "Names as on the ID"


@pytest.fixture
def edition(db):
    return EditionFactory(
        title="Journée Exemple des PTCE",
        capacity=2,
        venue=VenueFactory(
            name="Salle Exemple",
            street_address="139 rue de l'Exemple",
            postal_code="75012",
            city="Paris",
            public_transport="Métro : Exemple (ligne 6)\nBus : 24",
        ),
    )


def attendee(edition, first_name="Camille", last_name="Exemple", **details):
    return register(
        edition,
        category=_participant(edition),
        first_name=first_name,
        last_name=last_name,
        email=details.pop("email", "camille@example.org"),
        by_organiser=True,
        **details,
    )


def _participant(edition):
    return edition.categories.first() or CategoryFactory(edition=edition, name="Participant")


def pages(content):
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def text_lines(registration):
    return pages(ticket_pdf(registration, language="en"))[0].splitlines()


def names_line(registration):
    lines = text_lines(registration)
    return lines[lines.index(LABEL_BEFORE_NAMES) + 1]


def test_ticket_is_one_a4_page_with_the_days_details(edition, settings):
    settings.SITE_URL = "https://journees.example.org"
    registration = attendee(
        edition, badge_name="Cam", organisation_name="Pôle Exemple des Deux-Rives"
    )

    content = ticket_pdf(registration, language="en")

    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    assert [round(float(side)) for side in reader.pages[0].mediabox.upper_right] == [595, 842]
    lines = reader.pages[0].extract_text().splitlines()
    assert lines[:2] == ["Ticket", "Journée Exemple des PTCE"]
    for line in [
        "Camille Exemple",
        "Cam",
        "Participant",
        "Pôle Exemple des Deux-Rives",
        "Bring an identity document",
        "Salle Exemple",
        "139 rue de l'Exemple",
        "75012 Paris",
        "Métro : Exemple (ligne 6)",
        "Bus : 24",
    ]:
        assert line in lines
    # The private link comes last, cut between characters where it is wider than the page.
    link_label = lines.index("To change or cancel your registration, use your private link:")
    assert "".join(lines[link_label + 1 :]) == (
        f"https://journees.example.org{manage_path(registration)}"
    )
    assert reader.metadata.title == "Ticket: Journée Exemple des PTCE"


def test_ticket_is_written_in_the_attendees_language_by_default(edition):
    registration = attendee(edition, language="en")

    assert pages(ticket_pdf(registration))[0].splitlines()[0] == "Ticket"


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [
        ("Zoé Éléonore", "Lefèvre-Ñúñez"),
        ("Łukasz", "Żółkiewski-Ångström"),
        ("Αλέξανδρος", "Παπαδόπουλος"),
        ("Александра", "Иванова-Петрова"),
        ("Nguyễn", "Thị Minh Khai"),
    ],
)
def test_latin_greek_and_cyrillic_names_come_back_exactly(edition, first_name, last_name):
    registration = attendee(edition, first_name=first_name, last_name=last_name)

    assert names_line(registration) == f"{first_name} {last_name}"


def test_hebrew_name_comes_back_exactly(edition):
    registration = attendee(edition, first_name="שרה", last_name="כהן")

    assert names_line(registration) == "שרה כהן"
    # Drawn in visual order: the last letter typed is drawn first, at the left.
    assert pdf.runs("שרה כהן", bold=True) == [("NotoSansHebrew-Bold", "ןהכ הרש")]


def test_arabic_name_is_shaped_and_comes_back_as_typed(edition):
    name = "فاطمة الزهراء عبد الله"
    registration = attendee(edition, first_name="فاطمة الزهراء", last_name="عبد الله")

    extracted = names_line(registration)

    # Joined forms were drawn (not the isolated letters typed)…
    assert extracted != name
    assert all("\ufb50" <= char <= "\ufeff" for char in extracted if char != " "), (
        "every letter is drawn in an Arabic presentation form"
    )
    # …and they are exactly the letters typed.
    assert unicodedata.normalize("NFKC", extracted) == name


def test_arabic_vowel_marks_are_kept(edition):
    registration = attendee(edition, first_name="لَيْلى", last_name="حَسَن")

    assert unicodedata.normalize("NFKC", names_line(registration)) == "لَيْلى حَسَن"


def test_names_mixing_scripts_draw_each_letter_in_a_font_that_has_it():
    assert pdf.runs("Sarah שרה Fatima فاطمة", bold=True) == [
        ("NotoSans-Bold", "Sarah "),
        ("NotoSansHebrew-Bold", "הרש "),
        ("NotoSans-Bold", "Fatima "),
        ("NotoSansArabic-Bold", "ﺔﻤﻃﺎﻓ"),
    ]


@pytest.mark.parametrize(
    ("first_name", "shown"),
    [
        ("Amélie 🎉", "Amélie \ufffd"),
        ("山田 Taro", "\ufffd\ufffd Taro"),
        ("Jin-woo 김", "Jin-woo \ufffd"),
    ],
)
def test_characters_no_shipped_font_has_show_a_placeholder(edition, first_name, shown):
    registration = attendee(edition, first_name=first_name, last_name="Exemple")

    assert names_line(registration) == f"{shown} Exemple"
    registration.refresh_from_db()
    assert registration.first_name == first_name


def test_markup_and_spreadsheet_formulas_are_printed_literally(edition):
    registration = attendee(
        edition,
        first_name="<b>Camille</b>",
        last_name="=cmd|' /C calc'!A0",
        badge_name="<script>alert(1)</script>",
    )

    lines = text_lines(registration)

    assert "<b>Camille</b> =cmd|' /C calc'!A0" in lines
    assert "<script>alert(1)</script>" in lines


def test_very_long_names_are_wrapped_not_cut(edition):
    first_name = "Marie-" + "Élisabeth-" * 13 + "Fin"
    registration = attendee(edition, first_name=first_name[:150], last_name="Exemple")

    text = pages(ticket_pdf(registration, language="en"))[0]

    start = text.index(LABEL_BEFORE_NAMES) + len(LABEL_BEFORE_NAMES) + 1
    drawn = text[start : text.index("Category")]
    assert len(drawn.strip().splitlines()) > 1
    assert "".join(drawn.split()) == f"{first_name[:150]}Exemple"


def test_demonstration_edition_is_labelled_on_the_ticket(edition):
    lines = text_lines(attendee(edition))

    assert "Demonstration: a made-up day to try the platform." in lines


def test_no_pdf_for_a_waitlisted_or_cancelled_registration(edition):
    edition.capacity = 1
    edition.save()
    first = attendee(edition)
    waiting = attendee(edition, email="dominique@example.org")

    with pytest.raises(NoTicket):
        ticket_pdf(waiting)
    cancel(first)
    first.refresh_from_db()
    with pytest.raises(NoTicket):
        ticket_pdf(first)
