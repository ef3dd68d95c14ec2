"""Badges read back with pypdf: names in every supported script, the category in words, the
bulk print sorted by last name, the sheet layouts, and the organiser pages' permissions.

As in tests/test_ticket_pdf.py: pypdf gives right-to-left text back in logical order, and an
Arabic name in its joined presentation forms, which NFKC turns back into the letters typed.
"""

import io
import itertools
import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.lib import colors

from accounts.enums import Role
from admission import badges, checkin
from registrations.capacity import cancel, register
from tests.auth import log_in
from tests.factories import (
    CategoryFactory,
    EntranceFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db]

_numbers = itertools.count()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def edition(cast):
    edition = cast.edition
    edition.title = "Journée Exemple"
    edition.capacity = 100
    edition.save()
    return edition


@pytest.fixture
def participant(edition):
    return CategoryFactory(edition=edition, name="Participant", slug="participant", position=0)


def attendee(edition, category, first_name="Camille", last_name="Exemple", **details):
    return register(
        edition,
        category=category,
        first_name=first_name,
        last_name=last_name,
        email=f"personne{next(_numbers)}@example.org",
        by_organiser=True,
        **details,
    )


def read(content):
    return PdfReader(io.BytesIO(content))


def page_texts(content):
    return [page.extract_text() for page in read(content).pages]


def name_on_badge(registration, layout="a6"):
    """The name as read back from a badge with no organisation: its one or two lines, between
    the category and the edition's title, joined with a space."""
    return " ".join(badge_lines(registration, layout)[1:-1])


def badge_lines(registration, layout="a6"):
    # Lines are centred: pypdf may start one with a space where it begins left of where the
    # line above ended. That space is layout, not text.
    text = page_texts(badges.badges_pdf([registration], layout=layout))[0]
    return [line.strip() for line in text.splitlines()]


# Drawing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["a6", "label-90x55"])
def test_badge_shows_name_organisation_category_and_edition(edition, participant, layout):
    registration = attendee(
        edition,
        participant,
        first_name="Zoé Éléonore",
        last_name="Lefèvre-Ñúñez",
        organisation_name="Pôle Exemple des Deux-Rives",
    )

    # Too wide for one line at the largest size: on two lines, cut between words.
    assert badge_lines(registration, layout) == [
        "Participant",
        "Zoé Éléonore",
        "Lefèvre-Ñúñez",
        "Pôle Exemple des Deux-Rives",
        "Journée Exemple",
    ]


def test_badge_name_replaces_the_names_as_on_the_id(edition, participant):
    organisation = OrganisationFactory(name="Réseau Exemple des PTCE")
    registration = attendee(edition, participant, badge_name="Cam", organisation=organisation)

    assert badge_lines(registration) == [
        "Participant",
        "Cam",
        "Réseau Exemple des PTCE",
        "Journée Exemple",
    ]


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [
        ("Łukasz", "Żółkiewski-Ångström"),
        ("Αλέξανδρος", "Παπαδόπουλος"),
        ("Александра", "Иванова-Петрова"),
        ("Nguyễn", "Thị Minh Khai"),
    ],
)
@pytest.mark.parametrize("layout", ["a6", "label-90x55"])
def test_latin_greek_and_cyrillic_names_come_back_exactly(
    edition, participant, first_name, last_name, layout
):
    registration = attendee(edition, participant, first_name=first_name, last_name=last_name)

    assert name_on_badge(registration, layout) == f"{first_name} {last_name}"


def test_hebrew_name_comes_back_exactly(edition, participant):
    registration = attendee(edition, participant, first_name="שרה", last_name="כהן")

    assert badge_lines(registration) == ["Participant", "שרה כהן", "Journée Exemple"]


def test_arabic_name_is_shaped_and_comes_back_as_typed(edition, participant):
    registration = attendee(edition, participant, first_name="فاطمة الزهراء", last_name="عبد الله")

    extracted = name_on_badge(registration)

    assert all("\ufb50" <= char <= "\ufeff" for char in extracted if char != " ")
    assert unicodedata.normalize("NFKC", extracted) == "فاطمة الزهراء عبد الله"


def test_characters_no_shipped_font_has_show_a_placeholder(edition, participant):
    registration = attendee(edition, participant, first_name="Amélie 🎉", last_name="Exemple")

    assert name_on_badge(registration) == "Amélie \ufffd Exemple"


def test_markup_and_formula_names_are_printed_literally(edition, participant):
    registration = attendee(
        edition,
        participant,
        first_name="<b>Camille</b>",
        last_name="=cmd|' /C calc'!A0",
        organisation_name="<script>alert(1)</script>",
    )

    assert badge_lines(registration) == [
        "Participant",
        "<b>Camille</b>",
        "=cmd|' /C calc'!A0",
        "<script>alert(1)</script>",
        "Journée Exemple",
    ]


def test_category_name_is_written_in_words_in_its_band(edition, participant):
    speaker = CategoryFactory(edition=edition, name="Intervenant·e", slug="intervenant", position=1)
    registration = attendee(edition, speaker, first_name="Anne", last_name="Dupont")

    assert badge_lines(registration)[0] == "Intervenant·e"


def test_categories_take_palette_colours_by_rank_in_their_edition(edition, participant):
    press = CategoryFactory(edition=edition, name="Presse", slug="presse", position=2)
    speaker = CategoryFactory(edition=edition, name="Intervenant·e", slug="intervenant", position=1)

    colours = badges.category_colours(edition)

    assert [colours[c.pk].hexval() for c in (participant, speaker, press)] == [
        "0x" + badges.PALETTE[0][1:],
        "0x" + badges.PALETTE[1][1:],
        "0x" + badges.PALETTE[2][1:],
    ]


def test_band_is_filled_with_the_categorys_colour(edition, participant):
    speaker = CategoryFactory(edition=edition, name="Intervenant·e", slug="intervenant", position=1)
    registration = attendee(edition, speaker)

    page = read(badges.badges_pdf([registration], layout="a6")).pages[0]
    fills = [
        tuple(round(float(value), 4) for value in operands)
        for operands, operator in ContentStream(page.get_contents(), page.pdf).operations
        if operator == b"rg"
    ]

    red = colors.HexColor(badges.PALETTE[1])
    assert (round(red.red, 4), round(red.green, 4), round(red.blue, 4)) in fills
    blue = colors.HexColor(badges.PALETTE[0])
    assert (round(blue.red, 4), round(blue.green, 4), round(blue.blue, 4)) not in fills


def _luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_white_text_on_every_band_colour_has_at_least_aa_contrast():
    ratios = [(1.05) / (_luminance(colour) + 0.05) for colour in badges.PALETTE]

    assert [
        colour for colour, ratio in zip(badges.PALETTE, ratios, strict=True) if ratio < 4.5
    ] == []


def test_very_long_names_are_wrapped_on_the_badge(edition, participant):
    first_name = "Marie-" + "Élisabeth-" * 8 + "Fin"
    registration = attendee(edition, participant, first_name=first_name, last_name="Exemple")

    lines = badge_lines(registration)

    name_lines = lines[1:-1]
    assert len(name_lines) > 1
    assert "".join("".join(name_lines).split()) == f"{first_name}Exemple"


# Sheets and the bulk print ------------------------------------------------------------------


def test_a6_sheet_holds_four_badges_five_people_take_two_a4_pages(edition, participant):
    for last_name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]:
        attendee(edition, participant, last_name=last_name)

    reader = read(badges.badges_pdf(badges.bulk(edition), layout="a6"))

    assert len(reader.pages) == 2
    assert [round(float(side)) for side in reader.pages[0].mediabox.upper_right] == [595, 842]
    texts = [page.extract_text() for page in reader.pages]
    assert [texts[0].count("Participant"), texts[1].count("Participant")] == [4, 1]


def test_label_sheet_holds_ten_labels(edition, participant):
    for number in range(11):
        attendee(edition, participant, last_name=f"Exemple {number:02}")

    texts = page_texts(badges.badges_pdf(badges.bulk(edition), layout="label-90x55"))

    assert [text.count("Participant") for text in texts] == [10, 1]


def test_bulk_lists_confirmed_people_by_folded_last_name_then_first_name(edition, participant):
    for first_name, last_name in [
        ("Zoé", "Martin"),
        ("Émile", "Été"),
        ("Anne", "Martin"),
        ("Bruno", "adam"),
        ("Chloé", "Ébert"),
    ]:
        attendee(edition, participant, first_name=first_name, last_name=last_name)
    cancelled = attendee(edition, participant, first_name="Annulé", last_name="Aaron")
    cancel(cancelled)

    ordered = [(r.last_name, r.first_name) for r in badges.bulk(edition)]

    assert ordered == [
        ("adam", "Bruno"),
        ("Ébert", "Chloé"),
        ("Été", "Émile"),
        ("Martin", "Anne"),
        ("Martin", "Zoé"),
    ]


def test_bulk_pdf_prints_badges_in_last_name_order(edition, participant):
    for first_name, last_name in [("Zoé", "Martin"), ("Bruno", "adam"), ("Chloé", "Ébert")]:
        attendee(edition, participant, first_name=first_name, last_name=last_name)

    text = page_texts(badges.badges_pdf(badges.bulk(edition), layout="label-90x55"))[0]

    positions = [text.index(name) for name in ("Bruno adam", "Chloé Ébert", "Zoé Martin")]
    assert positions == sorted(positions)


def test_waitlisted_people_get_no_badge_in_bulk(edition, participant):
    edition.capacity = 1
    edition.save()
    attendee(edition, participant, last_name="Confirmée")
    attendee(edition, participant, last_name="EnAttente")

    assert [r.last_name for r in badges.bulk(edition)] == ["Confirmée"]


@pytest.mark.parametrize("layout", ["a6", "label-90x55"])
def test_bulk_print_queries_do_not_grow_with_people(
    edition, participant, layout, django_assert_num_queries
):
    attendee(edition, participant, last_name="Alpha")
    # The people, the categories' colours, the workshops where they hold a seat.
    with django_assert_num_queries(3):
        badges.badges_pdf(badges.bulk(edition), layout=layout)
    attendee(edition, participant, last_name="Bravo")
    attendee(edition, participant, last_name="Charlie")
    with django_assert_num_queries(3):
        badges.badges_pdf(badges.bulk(edition), layout=layout)


def test_unknown_layout_is_refused(edition, participant):
    with pytest.raises(ValueError, match="Unknown badge layout"):
        badges.badges_pdf([attendee(edition, participant)], layout="a3")


# Organiser pages ----------------------------------------------------------------------------


def urls(edition, registration):
    return [
        reverse("admission:badges", args=[edition.slug]),
        reverse("admission:badges_pdf", args=[edition.slug]) + "?layout=a6",
        reverse("admission:badge_pdf", args=[edition.slug, registration.pk]),
    ]


def test_organiser_gets_the_page_and_the_pdfs_never_cached(client, edition, participant, cast):
    registration = attendee(edition, participant, last_name="Dupont")
    log_in(client, cast.organiser)

    responses = [client.get(url) for url in urls(edition, registration)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [r["Cache-Control"] for r in responses] == ["private, no-store"] * 3
    assert [r["Content-Type"] for r in responses[1:]] == ["application/pdf"] * 2
    assert responses[1]["Content-Disposition"] == (
        'attachment; filename="badges-journee-exemple-a6.pdf"'
    )
    assert responses[2]["Content-Disposition"] == (
        f'inline; filename="badge-{registration.pk}-a6.pdf"'
    )
    assert "1 confirmed person, sorted by last name." in responses[0].text


@pytest.mark.parametrize("who", ["agent", "viewer", "editor", "outsider", "other_organiser"])
def test_other_roles_get_403_and_no_data(client, edition, participant, cast, who):
    registration = attendee(edition, participant, last_name="Dupont")
    log_in(client, getattr(cast, who))

    for url in urls(edition, registration):
        response = client.get(url)
        assert response.status_code == 403
        assert b"Dupont" not in response.content


def test_an_agent_prints_at_the_desk_only_the_badge_of_someone_admitted(
    client, edition, participant, cast
):
    edition.date = timezone.localdate()
    edition.save()
    admitted = attendee(edition, participant, first_name="Anne", last_name="Dupont")
    expected = attendee(edition, participant, first_name="Paul", last_name="Martin")
    door = EntranceFactory(edition=edition)
    verdict = checkin.admit(
        edition, registration=admitted, entrance=door, agent=cast.agent, nonce="n1", id_checked=True
    )
    assert verdict.is_admitted
    log_in(client, cast.agent)

    printed = client.get(reverse("admission:badge_pdf", args=[edition.slug, admitted.pk]))
    refused = client.get(reverse("admission:badge_pdf", args=[edition.slug, expected.pk]))

    assert printed.status_code == 200
    assert page_texts(printed.content)[0].splitlines()[1] == "Anne Dupont"
    assert refused.status_code == 403
    assert b"Martin" not in refused.content


def test_an_agent_of_another_edition_prints_no_badge(client, edition, participant, cast):
    edition.date = timezone.localdate()
    edition.save()
    admitted = attendee(edition, participant, last_name="Dupont")
    door = EntranceFactory(edition=edition)
    checkin.admit(
        edition, registration=admitted, entrance=door, agent=cast.agent, nonce="n1", id_checked=True
    )
    elsewhere = UserFactory(username="agent-ailleurs")
    MembershipFactory(
        user=elsewhere, organisation=cast.org, role=Role.AGENT, edition=cast.edition_two
    )
    log_in(client, elsewhere)

    response = client.get(reverse("admission:badge_pdf", args=[edition.slug, admitted.pk]))

    assert response.status_code == 403
    assert b"Dupont" not in response.content


def test_anonymous_visitors_are_sent_to_the_login_page(client, edition, participant):
    registration = attendee(edition, participant)
    login = reverse("accounts:login")

    for url in urls(edition, registration):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{login}?next=")


def test_one_badge_in_the_label_layout(client, edition, participant, cast):
    registration = attendee(edition, participant, first_name="Anne", last_name="Dupont")
    log_in(client, cast.organiser)

    url = (
        reverse("admission:badge_pdf", args=[edition.slug, registration.pk]) + "?layout=label-90x55"
    )
    response = client.get(url)

    assert response.status_code == 200
    assert page_texts(response.content)[0].splitlines()[1] == "Anne Dupont"


def test_one_badge_is_404_for_another_edition_or_a_person_not_confirmed(
    client, edition, participant, cast
):
    other = CategoryFactory(edition=cast.edition_two, name="Participant", slug="participant")
    cast.edition_two.capacity = 10
    cast.edition_two.save()
    elsewhere = attendee(cast.edition_two, other)
    edition.capacity = 1
    edition.save()
    confirmed = attendee(edition, participant)
    waiting = attendee(edition, participant)
    cancelled = attendee(edition, participant)  # waitlisted, then cancelled
    cancel(cancelled)
    log_in(client, cast.organiser)

    statuses = [
        client.get(reverse("admission:badge_pdf", args=[edition.slug, r.pk])).status_code
        for r in (elsewhere, waiting, cancelled)
    ]

    assert statuses == [404, 404, 404]
    assert (
        client.get(reverse("admission:badge_pdf", args=[edition.slug, confirmed.pk])).status_code
        == 200
    )


def test_unknown_layout_gets_the_page_with_an_error_not_a_pdf(client, edition, participant, cast):
    registration = attendee(edition, participant)
    log_in(client, cast.organiser)

    for url in (
        reverse("admission:badges_pdf", args=[edition.slug]) + "?layout=a3",
        reverse("admission:badges_pdf", args=[edition.slug]),
        reverse("admission:badge_pdf", args=[edition.slug, registration.pk]) + "?layout=<script>",
    ):
        response = client.get(url)
        assert response.status_code == 400
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert "Choose one of the layouts below." in response.text
        assert "<script>" not in response.text.split("<main", 1)[-1]


def test_unknown_edition_is_404(client, cast):
    log_in(client, cast.organiser)

    assert client.get(reverse("admission:badges", args=["inconnue"])).status_code == 404


def test_badge_pages_need_get(client, edition, cast):
    log_in(client, cast.organiser)

    assert client.post(reverse("admission:badges_pdf", args=[edition.slug])).status_code == 405
