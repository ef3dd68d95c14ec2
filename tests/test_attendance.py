"""After the day: attendance figures (exact after a mix of admitted, confirmed, cancelled and
walk-in people across categories, organisation kinds and regions), their CSV, the organiser
page's permissions and queries; the certificate of attendance, read back with pypdf, only for
admitted people, and its link on the manage page.

As in tests/test_ticket_pdf.py: pypdf gives right-to-left text back in logical order, and an
Arabic name in its joined presentation forms, which NFKC turns back into the letters typed.
"""

import csv
import datetime as dt
import io
import itertools
import unicodedata

import pytest
from django.urls import reverse
from pypdf import PdfReader

from admission import attendance
from admission.attendance import Line
from network.enums import OrganisationKind
from network.poles import refresh_departments
from registrations.capacity import cancel, register
from registrations.enums import RegistrationStatus, Source
from registrations.links import manage_path, manage_token
from tests.auth import log_in
from tests.factories import (
    CategoryFactory,
    EditionFactory,
    EntranceFactory,
    OrganisationFactory,
    PoleFactory,
    RegistrationFactory,
    TerritoryAreaFactory,
    VenueFactory,
    admit_at_the_door,
)

pytestmark = [pytest.mark.django_db]

_numbers = itertools.count()
#: A Friday in the past: the day has started whenever the tests run.
DAY = dt.date(2014, 9, 19)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def edition(cast):
    edition = cast.edition
    edition.title = "Journée Exemple"
    edition.slug = "journee-exemple"
    edition.date = DAY
    edition.venue = VenueFactory(
        name="Salle Exemple",
        street_address="139 rue de l'Exemple",
        postal_code="75012",
        city="Paris",
    )
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
        email=f"presence{next(_numbers)}@example.org",
        by_organiser=True,
        **details,
    )


def pole_in(*department_codes, name):
    pole = PoleFactory(organisation__name=name, organisation__kind=OrganisationKind.POLE)
    for code in department_codes:
        TerritoryAreaFactory(pole=pole, level="department", code=code)
    refresh_departments(pole)
    return pole.organisation


# Figures ------------------------------------------------------------------------------------


@pytest.fixture
def mixed_day(edition, participant, cast):
    """Eight people, one cancelled after admission, one waiting, plus one at another day.

    Confirmed: Anne, Bruno, Chloé, Driss, Farid, Gaëlle, Hugo; admitted: Anne, Chloé, Driss,
    Gaëlle. Gaëlle and Hugo were registered at the desk.
    """
    speaker = CategoryFactory(edition=edition, name="Intervenant·e", slug="speaker", position=1)
    CategoryFactory(edition=edition, name="Presse", slug="press", position=2)
    door_a = EntranceFactory(edition=edition, name="Entrée A", position=0)
    door_b = EntranceFactory(edition=edition, name="Entrée B", position=1)
    EntranceFactory(edition=edition, name="Entrée C", position=2)
    lyon = pole_in("69", name="Pôle Exemple de Lyon")
    straddling = pole_in("75", "13", name="Pôle Exemple à cheval")
    network = OrganisationFactory(
        name="Réseau Exemple parisien", kind=OrganisationKind.NETWORK, department_code="75"
    )
    public_body = OrganisationFactory(name="Agence Exemple", kind=OrganisationKind.PUBLIC_BODY)

    anne = attendee(edition, participant, "Anne", "Dupont", organisation=lyon)
    admit_at_the_door(anne, door_a)
    # A second scan of Anne's ticket is a duplicate: still one person admitted.
    assert admit_at_the_door(anne, door_b).result == "already_admitted"
    bruno = attendee(edition, participant, "Bruno", "Martin", organisation=lyon)
    assert admit_at_the_door(bruno, door_a, id_checked=False).result == "id_mismatch"
    admit_at_the_door(attendee(edition, speaker, "Chloé", "Petit", organisation=network), door_b)
    admit_at_the_door(
        attendee(edition, participant, "Driss", "Benali", organisation=straddling), door_a
    )
    attendee(edition, speaker, "Farid", "Haddad", organisation=public_body)
    gaelle = attendee(edition, participant, "Gaëlle", "Roux", source=Source.WALK_IN)
    admit_at_the_door(gaelle, door_b)
    attendee(
        edition,
        participant,
        "Hugo",
        "Lefèvre",
        organisation_name="Association du quartier",
        source=Source.WALK_IN,
    )
    ines = attendee(edition, participant, "Inès", "Moreau", organisation=lyon)
    admit_at_the_door(ines, door_a)
    cancel(ines)
    emma = attendee(edition, participant, "Emma", "Bernard", organisation_name="Typed")
    cancel(emma)
    RegistrationFactory(edition=edition, category=participant, status=RegistrationStatus.WAITLISTED)
    elsewhere = CategoryFactory(edition=cast.edition_two, name="Participant")
    cast.edition_two.date = DAY
    cast.edition_two.save()
    admit_at_the_door(
        attendee(cast.edition_two, elsewhere, organisation=lyon),
        EntranceFactory(edition=cast.edition_two),
    )
    return edition


def test_figures_count_people_confirmed_and_admitted_in_every_breakdown(mixed_day):
    figures = attendance.figures(mixed_day)

    assert figures.overall == Line("All confirmed people", confirmed=7, admitted=4)
    assert (figures.overall.rate, figures.overall.no_shows) == (57, 3)
    assert figures.walk_ins == Line(
        "Of whom registered at the desk on the day", confirmed=2, admitted=1
    )
    assert figures.categories == [
        Line("Participant", confirmed=5, admitted=3),
        Line("Intervenant·e", confirmed=2, admitted=1),
        Line("Presse", confirmed=0, admitted=0),
    ]
    assert figures.kinds == [
        Line("Pole (PTCE)", confirmed=3, admitted=2),
        Line("Network", confirmed=1, admitted=1),
        Line("Public body", confirmed=1, admitted=0),
        Line("Not in the directory", confirmed=2, admitted=1),
    ]
    assert figures.regions == [
        Line("Auvergne-Rhône-Alpes", confirmed=2, admitted=1),
        Line("Île-de-France", confirmed=1, admitted=1),
        Line("Several regions", confirmed=1, admitted=1),
        Line("Region not known", confirmed=1, admitted=0),
        Line("Not in the directory", confirmed=2, admitted=1),
    ]
    assert [(line.label, line.admitted) for line in figures.entrances] == [
        ("Entrée A", 2),
        ("Entrée B", 2),
        ("Entrée C", 0),
    ]


def test_every_breakdown_adds_up_to_the_overall_figures(mixed_day):
    figures = attendance.figures(mixed_day)

    for lines in (figures.categories, figures.kinds, figures.regions):
        assert sum(line.confirmed for line in lines) == figures.overall.confirmed
        assert sum(line.admitted for line in lines) == figures.overall.admitted
    assert sum(line.admitted for line in figures.entrances) == figures.overall.admitted


def test_rates_are_whole_percentages_rounded_half_up_and_none_without_anybody():
    assert [
        Line("x", confirmed=confirmed, admitted=admitted).rate
        for confirmed, admitted in [(3, 2), (8, 1), (200, 1), (1, 1), (0, 0)]
    ] == [67, 13, 1, 100, None]


def test_an_organisations_own_department_decides_before_its_poles_territory(edition, participant):
    lyon = pole_in("69", name="Pôle Exemple de Lyon")
    lyon.department_code = "75"
    lyon.save()
    attendee(edition, participant, organisation=lyon)

    assert attendance.figures(edition).regions == [Line("Île-de-France", confirmed=1, admitted=0)]


def test_a_day_with_nobody_has_zero_figures_and_no_rate(edition, participant):
    figures = attendance.figures(edition)

    assert figures.overall == Line("All confirmed people", confirmed=0, admitted=0)
    assert figures.overall.rate is None
    assert figures.categories == [Line("Participant", confirmed=0, admitted=0)]
    assert (figures.kinds, figures.regions, figures.entrances) == ([], [], [])


def add_people(edition, category, count, entrance):
    kinds = itertools.cycle([OrganisationKind.POLE, OrganisationKind.NETWORK])
    for number in range(count):
        organisation = OrganisationFactory(kind=next(kinds), department_code=f"{69 + number}")
        admit_at_the_door(attendee(edition, category, organisation=organisation), entrance)
    attendee(edition, category, organisation=pole_in("33", name=f"Pôle {next(_numbers)}"))


def test_figures_take_four_queries_whatever_the_number_of_people(
    edition, participant, django_assert_num_queries
):
    door = EntranceFactory(edition=edition)
    add_people(edition, participant, 1, door)
    # Categories, entrances, the people grouped, the departments of their poles.
    with django_assert_num_queries(4):
        attendance.figures(edition)
    add_people(edition, participant, 3, door)
    with django_assert_num_queries(4):
        attendance.figures(edition)


def test_page_queries_do_not_grow_with_people(
    client, edition, participant, cast, django_assert_num_queries
):
    door = EntranceFactory(edition=edition)
    log_in(client, cast.organiser)
    url = reverse("admission:attendance", args=[edition.slug])
    add_people(edition, participant, 1, door)
    # Session, user, its second-factor device, roles, edition, then the figures' four.
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200
    add_people(edition, participant, 3, door)
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


# The CSV ------------------------------------------------------------------------------------


def read_csv(content):
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_holds_every_table_and_no_personal_data(mixed_day):
    rows = read_csv(attendance.figures_csv(attendance.figures(mixed_day)))

    assert rows == [
        ["Breakdown", "Line", "Confirmed", "Admitted", "Rate (%)", "No-shows"],
        ["Overall", "All confirmed people", "7", "4", "57", "3"],
        ["Overall", "Of whom registered at the desk on the day", "2", "1", "50", "1"],
        ["By category", "Participant", "5", "3", "60", "2"],
        ["By category", "Intervenant·e", "2", "1", "50", "1"],
        ["By category", "Presse", "0", "0", "", "0"],
        ["By organisation kind", "Pole (PTCE)", "3", "2", "67", "1"],
        ["By organisation kind", "Network", "1", "1", "100", "0"],
        ["By organisation kind", "Public body", "1", "0", "0", "1"],
        ["By organisation kind", "Not in the directory", "2", "1", "50", "1"],
        ["By region", "Auvergne-Rhône-Alpes", "2", "1", "50", "1"],
        ["By region", "Île-de-France", "1", "1", "100", "0"],
        ["By region", "Several regions", "1", "1", "100", "0"],
        ["By region", "Region not known", "1", "0", "0", "1"],
        ["By region", "Not in the directory", "2", "1", "50", "1"],
        ["By entrance", "Entrée A", "", "2", "", ""],
        ["By entrance", "Entrée B", "", "2", "", ""],
        ["By entrance", "Entrée C", "", "0", "", ""],
    ]
    text = "".join(";".join(row) for row in rows)
    for name in ("Dupont", "Martin", "Roux", "Lefèvre", "Pôle Exemple", "quartier"):
        assert name not in text


def test_csv_neutralises_labels_a_spreadsheet_would_read_as_formulas(edition):
    for position, name in enumerate(['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)"]):
        CategoryFactory(edition=edition, name=name, slug=f"c{position}", position=position)
    EntranceFactory(edition=edition, name="=cmd|' /C calc'!A0")

    rows = read_csv(attendance.figures_csv(attendance.figures(edition)))

    assert [row[1] for row in rows if row[0] in ("By category", "By entrance")] == [
        '\'=HYPERLINK("http://x")',
        "'+1+1",
        "'-2",
        "'@SUM(A1)",
        "'=cmd|' /C calc'!A0",
    ]


# The organiser page -------------------------------------------------------------------------


def urls(edition):
    return [
        reverse("admission:attendance", args=[edition.slug]),
        reverse("admission:attendance_csv", args=[edition.slug]),
    ]


def test_attendance_addresses_are_under_the_editions_management_pages(edition):
    assert urls(edition) == [
        "/journees/journee-exemple/gestion/presence/",
        "/journees/journee-exemple/gestion/presence/presence.csv",
    ]


@pytest.mark.parametrize("who", ["organiser", "viewer", "editor", "superuser"])
def test_figure_readers_get_the_page_and_the_csv_never_cached(client, mixed_day, cast, who):
    log_in(client, getattr(cast, who))

    page, download = (client.get(url) for url in urls(mixed_day))

    assert [page.status_code, download.status_code] == [200, 200]
    assert [page["Cache-Control"], download["Cache-Control"]] == ["private, no-store"] * 2
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="presence-journee-exemple.csv"'
    for name in ("Dupont", "Martin", "Roux", "Lefèvre"):
        assert name not in page.text


@pytest.mark.parametrize("who", ["agent", "outsider", "other_organiser"])
def test_other_users_get_403(client, mixed_day, cast, who):
    log_in(client, getattr(cast, who))

    for url in urls(mixed_day):
        response = client.get(url)
        assert response.status_code == 403
        assert "Participant" not in response.text


def test_anonymous_visitors_are_sent_to_the_login_page(client, edition):
    login = reverse("accounts:login")
    for url in urls(edition):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, f"{login}?next={url}")


def test_unknown_edition_is_404(client, cast):
    log_in(client, cast.organiser)

    assert client.get("/journees/nulle-part/gestion/presence/").status_code == 404


def test_page_shows_the_tables_with_captions_and_headers(client, mixed_day, cast):
    log_in(client, cast.organiser)

    html = client.get(urls(mixed_day)[0]).text

    for caption in (
        "Confirmed and admitted people",
        "By category",
        "By organisation kind",
        "By region of the organisation",
        "Admitted people by entrance",
    ):
        assert f'-caption">{caption}</caption>' in html
    assert (
        '<th scope="row">All confirmed people</th>\n'
        '      <td class="number">7</td>\n'
        '      <td class="number">4</td>\n'
        '      <td class="number">57%</td>\n'
        '      <td class="number">3</td>'
    ) in html
    assert '<th scope="row">Of whom registered at the desk on the day</th>' in html
    assert '<th scope="row">Entrée C</th><td class="number">0</td>' in html
    assert '<span class="visually-hidden">no rate: nobody confirmed</span>' in html
    # The organisers' menu, with this page as the current one.
    assert f'href="{reverse("registrations:list", args=[mixed_day.slug])}"' in html
    assert 'aria-current="page">Attendance</a>' in html


def test_a_viewer_gets_no_link_to_the_pages_with_names(client, mixed_day, cast):
    log_in(client, cast.viewer)

    html = client.get(urls(mixed_day)[0]).text

    assert reverse("registrations:list", args=[mixed_day.slug]) not in html
    assert reverse("admission:badges", args=[mixed_day.slug]) not in html
    assert 'aria-current="page">Attendance</a>' in html


def test_category_names_are_escaped_on_the_page(client, edition, cast):
    CategoryFactory(edition=edition, name="<script>alert(1)</script>", slug="x")
    log_in(client, cast.organiser)

    html = client.get(urls(edition)[0]).text

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_says_when_the_day_has_not_started(client, cast):
    future = EditionFactory(organisers=[cast.org], slug="plus-tard")
    log_in(client, cast.organiser)

    html = client.get(reverse("admission:attendance", args=[future.slug])).text

    assert "The day has not started yet: nobody can have been admitted." in html


def test_organiser_menu_of_the_registration_pages_links_to_attendance(client, edition, cast):
    log_in(client, cast.organiser)

    html = client.get(reverse("registrations:list", args=[edition.slug])).text

    assert f'<a href="{urls(edition)[0]}">Attendance</a>' in html


def test_only_get_and_head_are_allowed(client, edition, cast):
    log_in(client, cast.organiser)

    assert [client.post(url).status_code for url in urls(edition)] == [405, 405]


# The certificate of attendance --------------------------------------------------------------


def certificate_url(registration_or_token):
    token = (
        registration_or_token
        if isinstance(registration_or_token, str)
        else manage_token(registration_or_token)
    )
    return reverse("admission:certificate", args=[token])


def lines_of(content):
    reader = PdfReader(io.BytesIO(content))
    return [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]


@pytest.fixture
def door(edition):
    return EntranceFactory(edition=edition, name="Entrée A")


@pytest.fixture
def admitted(edition, participant, door):
    registration = attendee(
        edition, participant, "Anne", "Dupont", organisation_name="Pôle Exemple des Deux-Rives"
    )
    assert admit_at_the_door(registration, door).is_admitted
    return registration


def test_certificate_address_is_under_the_manage_link(admitted):
    assert certificate_url(admitted) == (f"/inscription/{manage_token(admitted)}/attestation.pdf")


def test_certificate_names_the_attendee_the_day_the_venue_and_the_organisers(admitted, settings):
    settings.SITE_URL = "https://journees.example.org"
    issued = dt.datetime(2014, 9, 22, 10, 0, tzinfo=dt.UTC)

    content = attendance.certificate_pdf(admitted, language="en", now=issued)

    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    assert [round(float(side)) for side in reader.pages[0].mediabox.upper_right] == [595, 842]
    assert reader.metadata.title == "Certificate of attendance: Journée Exemple"
    assert lines_of(content) == [
        "Journées PTCE",
        "Certificate of attendance",
        "Demonstration: a made-up day to try the platform.",
        "This certificate attests that",
        "Anne Dupont",
        "Pôle Exemple des Deux-Rives",
        "attended",
        "Journée Exemple",
        "on Friday 19 September 2014, from 9:30 a.m. to 4:30 p.m.",
        "at Salle Exemple, 139 rue de l'Exemple, 75012 Paris",
        "The organisers",
        "Réseau Exemple",
        f"Verification: registration {admitted.public_id}",
        "Issued on 22 September 2014, https://journees.example.org",
    ]


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [
        ("Zoé Éléonore", "Lefèvre-Ñúñez"),
        ("Αλέξανδρος", "Παπαδόπουλος"),
        ("Александра", "Иванова-Петрова"),
        ("שרה", "כהן"),
    ],
)
def test_names_in_latin_greek_cyrillic_and_hebrew_come_back_exactly(
    edition, participant, door, first_name, last_name
):
    registration = attendee(edition, participant, first_name, last_name)
    admit_at_the_door(registration, door)

    lines = lines_of(attendance.certificate_pdf(registration, language="en"))

    assert lines[lines.index("This certificate attests that") + 1] == f"{first_name} {last_name}"


def test_arabic_name_is_shaped_and_comes_back_as_typed(edition, participant, door):
    registration = attendee(edition, participant, "فاطمة الزهراء", "عبد الله")
    admit_at_the_door(registration, door)

    lines = lines_of(attendance.certificate_pdf(registration, language="en"))
    extracted = lines[lines.index("This certificate attests that") + 1]

    assert all("\ufb50" <= char <= "\ufeff" for char in extracted if char != " ")
    assert unicodedata.normalize("NFKC", extracted) == "فاطمة الزهراء عبد الله"


def test_markup_in_names_is_printed_literally(edition, participant, door):
    registration = attendee(
        edition, participant, "<b>Anne</b>", "=cmd|' /C calc'!A0", organisation_name="<i>x</i>"
    )
    admit_at_the_door(registration, door)

    lines = lines_of(attendance.certificate_pdf(registration, language="en"))

    assert lines[4:6] == ["<b>Anne</b> =cmd|' /C calc'!A0", "<i>x</i>"]


def test_admitted_attendee_downloads_the_certificate_privately(client, admitted):
    response = client.get(certificate_url(admitted), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Content-Disposition"] == 'inline; filename="attestation-journee-exemple.pdf"'
    assert lines_of(response.content)[:5] == [
        "Journées PTCE",
        "Certificate of attendance",
        "Demonstration: a made-up day to try the platform.",
        "This certificate attests that",
        "Anne Dupont",
    ]


def test_certificate_is_in_the_pages_language(client, admitted):
    response = client.get(certificate_url(admitted), HTTP_ACCEPT_LANGUAGE="fr")

    # Django's own catalogue gives the day and month names in French.
    assert "vendredi 19 septembre 2014" in " ".join(lines_of(response.content))


def test_confirmed_but_not_admitted_gets_no_certificate(client, edition, participant, door):
    registration = attendee(edition, participant)
    assert admit_at_the_door(registration, door, id_checked=False).result == "id_mismatch"

    assert client.get(certificate_url(registration)).status_code == 404
    with pytest.raises(attendance.NoCertificate):
        attendance.certificate_pdf(registration)


def test_cancelled_after_admission_gets_no_certificate(client, admitted):
    cancel(admitted)

    assert client.get(certificate_url(admitted)).status_code == 404


def test_waiting_person_gets_no_certificate(client, edition, participant):
    waiting = RegistrationFactory(
        edition=edition, category=participant, status=RegistrationStatus.WAITLISTED
    )

    assert client.get(certificate_url(waiting)).status_code == 404


def test_no_certificate_before_the_day_has_started(client, cast):
    future = EditionFactory(organisers=[cast.org], slug="plus-tard")
    registration = attendee(future, CategoryFactory(edition=future))
    # Admitted on the day, as the door's clock says; the server's clock is not there yet.
    assert admit_at_the_door(registration, EntranceFactory(edition=future)).is_admitted

    assert client.get(certificate_url(registration)).status_code == 404
    assert attendance.has_certificate(registration) is False
    assert attendance.has_certificate(registration, now=future.starts_at) is True


def test_tampered_or_made_up_tokens_get_404(client, admitted):
    genuine = manage_token(admitted)
    made_up = admitted.public_id.hex + ":" + "A" * 27

    assert [
        client.get(certificate_url(token)).status_code
        for token in (genuine + "x", genuine[:-1], made_up, "nimportequoi")
    ] == [404, 404, 404, 404]


# The manage page ----------------------------------------------------------------------------

LINK_TEXT = "Download your certificate of attendance"


def manage_page(client, registration):
    response = client.get(manage_path(registration), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.text


def test_manage_page_links_an_admitted_attendee_to_the_certificate(client, admitted):
    html = manage_page(client, admitted)

    assert f'<a href="{certificate_url(admitted)}" download>{LINK_TEXT}' in html


def test_manage_page_has_no_certificate_link_for_someone_not_admitted(client, edition, participant):
    assert LINK_TEXT not in manage_page(client, attendee(edition, participant))


def test_manage_page_has_no_certificate_link_once_cancelled(client, admitted):
    cancel(admitted)

    assert LINK_TEXT not in manage_page(client, admitted)


def test_manage_page_has_no_certificate_link_before_the_day(client, cast):
    future = EditionFactory(organisers=[cast.org], slug="plus-tard")
    registration = attendee(future, CategoryFactory(edition=future))
    admit_at_the_door(registration, EntranceFactory(edition=future))

    assert LINK_TEXT not in manage_page(client, registration)


def test_timezone_of_the_issue_date_is_paris(admitted):
    # 23:30 UTC on the 21st is already the 22nd in Paris.
    issued = dt.datetime(2014, 9, 21, 23, 30, tzinfo=dt.UTC)

    lines = lines_of(attendance.certificate_pdf(admitted, language="en", now=issued))

    assert lines[-1].startswith("Issued on 22 September 2014,")
