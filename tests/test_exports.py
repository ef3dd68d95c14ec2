"""The exports page and its files: registrations (with the list's filters), the participant
list and the figures, in CSV and XLSX; who may download what; the audit line of every
download of personal data; and formulas and markup inert in every export of the project."""

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.enums import AuditAction
from accounts.models import AuditEntry
from admission import security_list
from admission.models import CheckIn
from common import spreadsheets
from events.models import PARIS
from network.enums import OrganisationKind
from registrations import capacity, exports, privacy
from registrations.enums import Diet, RegistrationStatus, Source
from registrations.models import Registration
from tests.auth import log_in
from tests.factories import (
    CategoryFactory,
    EntranceFactory,
    OrganisationFactory,
    PoleFactory,
    RegistrationFactory,
)

pytestmark = [pytest.mark.django_db]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def paris(day, hour, minute):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def edition(cast):
    edition = cast.edition
    edition.title = "Journée Exemple"
    edition.slug = "journee-exemple"
    edition.security_fields = ["birth_date"]
    edition.save()
    return edition


@pytest.fixture
def day(edition):
    """Five registrations: Anne (confirmed, admitted, a pole), Bruno and Chloé (waiting, in
    that order), Driss (cancelled), and an anonymised one."""
    participant = CategoryFactory(edition=edition, name="Participant", slug="participant")
    press = CategoryFactory(edition=edition, name="Presse", slug="press", position=1)
    pole = OrganisationFactory(name="Pôle Exemple de Lyon", kind=OrganisationKind.POLE)
    anne = RegistrationFactory(
        edition=edition,
        category=participant,
        first_name="Anne",
        last_name="Dupont",
        badge_name="Anne D.",
        email="anne@example.org",
        job_title="Chargée de mission",
        organisation=pole,
        diet=Diet.VEGETARIAN,
        dietary_notes="Sans noix",
        accessibility_needs="Fauteuil",
        consent_public_list=True,
        consent_news=True,
        birth_date=dt.date(1980, 5, 1),
        created_at=paris(2, 10, 15),
        confirmed_at=paris(2, 10, 15),
    )
    bruno = RegistrationFactory(
        edition=edition,
        category=press,
        first_name="Bruno",
        last_name="Martin",
        email="bruno@example.org",
        organisation_name="Collectif Exemple",
        status=RegistrationStatus.WAITLISTED,
        created_at=paris(3, 8, 0),
        confirmed_at=None,
        source=Source.INVITATION,
    )
    chloe = RegistrationFactory(
        edition=edition,
        category=participant,
        first_name="Chloé",
        last_name="Roux",
        email="chloe@example.org",
        status=RegistrationStatus.WAITLISTED,
        created_at=paris(4, 8, 0),
        confirmed_at=None,
        language="en",
    )
    driss = RegistrationFactory(
        edition=edition,
        category=participant,
        first_name="Driss",
        last_name="Lefèvre",
        email="driss@example.org",
        status=RegistrationStatus.CANCELLED,
        created_at=paris(5, 8, 0),
        confirmed_at=paris(5, 8, 0),
        cancelled_at=paris(6, 18, 30),
        consent_public_list=True,
    )
    gone = RegistrationFactory(
        edition=edition,
        category=participant,
        organisation=pole,
        created_at=paris(7, 8, 0),
        confirmed_at=paris(7, 8, 0),
        consent_public_list=True,
    )
    Registration.objects.filter(pk=gone.pk).update(**privacy.EMPTY, anonymised_at=paris(8, 0, 0))
    door = EntranceFactory(edition=edition, name="Entrée A")
    CheckIn.objects.create(
        edition=edition,
        registration=anne,
        entrance=door,
        nonce="n1",
        result="admitted",
        id_checked=True,
        scanned_at=paris(20, 9, 42),
    )
    return {"anne": anne, "bruno": bruno, "chloe": chloe, "driss": driss, "gone": gone}


HEADER = [
    "Number",
    "Last name",
    "First names",
    "Name on the badge",
    "Email",
    "Language",
    "Job title",
    "Organisation",
    "Organisation kind",
    "Category",
    "Status",
    "Place on the waiting list",
    "Registered",
    "Confirmed",
    "Reconfirmed",
    "Cancelled",
    "Admitted at",
    "Entrance",
    "Lunch",
    "Dietary details",
    "Accessibility needs",
    "Appears in the public participant list",
    "Agrees to be photographed",
    "Wants news from the organisers",
    "Source",
    "Date of birth",
    "Anonymised",
]


def expected_rows(day):
    anne, bruno, chloe, driss, gone = (
        day[k].pk for k in ("anne", "bruno", "chloe", "driss", "gone")
    )
    empty3 = ["", "", ""]
    return [
        [str(anne), "Dupont", "Anne", "Anne D.", "anne@example.org", "Français",
         "Chargée de mission", "Pôle Exemple de Lyon", "Pole (PTCE)", "Participant",
         "Confirmed", "", "2026-03-02 10:15", "2026-03-02 10:15", "", "", "2026-03-20 09:42",
         "Entrée A", "Vegetarian", "Sans noix", "Fauteuil", "yes", "no", "yes",
         "Public form", "1980-05-01", ""],
        [str(bruno), "Martin", "Bruno", "", "bruno@example.org", "Français", "",
         "Collectif Exemple", "", "Presse", "On the waiting list", "1", "2026-03-03 08:00",
         "", "", "", "", "", "No particular diet", "", "", "no", "no", "no", "Invitation",
         "", ""],
        [str(chloe), "Roux", "Chloé", "", "chloe@example.org", "English", "", "", "",
         "Participant", "On the waiting list", "2", "2026-03-04 08:00", "", "", "", "", "",
         "No particular diet", "", "", "no", "no", "no", "Public form", "", ""],
        [str(driss), "Lefèvre", "Driss", "", "driss@example.org", "Français", "", "", "",
         "Participant", "Cancelled", "", "2026-03-05 08:00", "2026-03-05 08:00", "",
         "2026-03-06 18:30", "", "", "No particular diet", "", "", "yes", "no", "no",
         "Public form", "", ""],
        [str(gone), "", "", "", "", "Français", "", "Pôle Exemple de Lyon", "Pole (PTCE)",
         "Participant", "Confirmed", "", "2026-03-07 08:00", "2026-03-07 08:00", "", "", "",
         "", "No particular diet", "", "", *empty3, "Public form", "", "2026-03-08 00:00"],
    ]  # fmt: skip


def read_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(response):
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


#: The export pages by their short names in these tests.
EXPORTS = {
    "page": "registrations:exports",
    "registrations": "registrations:export_registrations",
    "participants": "registrations:export_participants",
    "figures": "figures_export",
}


def url(name, edition, **query):
    address = reverse(EXPORTS[name], args=[edition.slug])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_addresses_are_under_the_editions_management_pages(edition):
    assert [
        url(name, edition) for name in ("page", "registrations", "participants", "figures")
    ] == [
        "/journees/journee-exemple/gestion/exports/",
        "/journees/journee-exemple/gestion/exports/inscriptions/",
        "/journees/journee-exemple/gestion/exports/participants/",
        "/journees/journee-exemple/gestion/exports/chiffres/",
    ]


# Registrations -----------------------------------------------------------------------------


def test_registrations_csv_holds_every_registration_in_order(client, cast, day, edition):
    log_in(client, cast.organiser)

    response = client.get(url("registrations", edition), **EN)

    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == 'attachment; filename="inscriptions-journee-exemple.csv"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert read_csv(response) == [HEADER, *expected_rows(day)]


def test_registrations_xlsx_holds_the_same_with_numbers_and_dates(client, cast, day, edition):
    log_in(client, cast.organiser)

    response = client.get(url("registrations", edition, format="xlsx"), **EN)

    assert response["Content-Disposition"] == (
        'attachment; filename="inscriptions-journee-exemple.xlsx"'
    )
    sheet = read_xlsx(response)
    assert sheet.title == "Registrations"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADER
    assert rows[1][:3] == [day["anne"].pk, "Dupont", "Anne"]
    assert rows[1][12] == dt.datetime(2026, 3, 2, 10, 15)
    assert rows[1][16] == dt.datetime(2026, 3, 20, 9, 42)
    assert rows[1][25] == dt.datetime(1980, 5, 1)
    assert rows[2][11] == 1
    assert rows[5][1:5] == [None, None, None, None]

    def text(value):
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d" if value.year == 1980 else "%Y-%m-%d %H:%M")
        return "" if value is None else str(value)

    assert [[text(value) for value in row] for row in rows[1:]] == expected_rows(day)


def test_the_venues_details_go_once_deleted(day, edition):
    edition.venue_data_deleted_at = paris(22, 0, 0)
    edition.save()

    with translation.override("en"):
        table = exports.registrations_table(edition)

    assert "Date of birth" not in table.header
    assert table.header[-1] == "Anonymised"


def test_details_the_edition_does_not_ask_are_not_exported(day, edition):
    edition.security_fields = ["nationality", "employer"]
    edition.save()

    with translation.override("en"):
        header = exports.registrations_table(edition).header

    assert header[-3:] == ["Nationality", "Employer", "Anonymised"]


@pytest.mark.parametrize(
    ("query", "people"),
    [
        ({"status": "waitlisted"}, ["bruno", "chloe"]),
        ({"category": "press"}, ["bruno"]),
        ({"status": "confirmed", "category": "participant"}, ["anne", "gone"]),
        ({"q": "roux"}, ["chloe"]),
    ],
)
def test_the_lists_filters_choose_the_rows(client, cast, day, edition, query, people):
    log_in(client, cast.organiser)

    rows = read_csv(client.get(url("registrations", edition, **query), **EN))[1:]

    assert [row[0] for row in rows] == [str(day[name].pk) for name in people]
    if "status" in query and query["status"] == "waitlisted":
        # The place is the one in the whole waiting list.
        assert [row[11] for row in rows] == ["1", "2"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "lost"}, "Select a valid choice"),
        ({"category": "nope"}, "Select a valid choice"),
        ({"format": "pdf"}, "Choose CSV or XLSX."),
    ],
)
def test_a_bad_filter_or_format_gets_the_page_and_no_file(
    client, cast, day, edition, query, message
):
    log_in(client, cast.organiser)

    response = client.get(url("registrations", edition, **query), **EN)

    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert message in response.text
    assert not AuditEntry.objects.exists()


def test_reading_registrations_takes_the_same_queries_whatever_their_number(client, cast, edition):
    category = CategoryFactory(edition=edition)
    log_in(client, cast.organiser)
    RegistrationFactory(edition=edition, category=category)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("registrations", edition)).status_code == 200
        return len(queries)

    one = count()
    for status in ("confirmed", "waitlisted"):
        RegistrationFactory(edition=edition, category=category, status=status)
    assert count() == one


def test_a_large_export_is_read_in_chunks_from_one_query(edition, django_assert_num_queries):
    category = CategoryFactory(edition=edition)
    Registration.objects.bulk_create(
        RegistrationFactory.build(edition=edition, category=category)
        for _ in range(exports.CHUNK + 5)
    )
    # The waiting list's places, then the rows: one query, fetched by chunks.
    with django_assert_num_queries(2):
        table = exports.registrations_table(edition)
    assert table.people == exports.CHUNK + 5


# Participant list --------------------------------------------------------------------------


def test_participant_list_holds_confirmed_people_who_consented(client, cast, day, edition):
    other = RegistrationFactory(
        edition=edition,
        category=day["anne"].category,
        first_name="Élodie",
        last_name="Arnaud",
        organisation_name="Collectif Exemple",
        consent_public_list=True,
    )
    RegistrationFactory(edition=edition, category=other.category, consent_public_list=False)
    log_in(client, cast.organiser)

    response = client.get(url("participants", edition), **EN)

    assert response["Content-Disposition"] == (
        'attachment; filename="participants-journee-exemple.csv"'
    )
    assert read_csv(response) == [
        ["Name", "Organisation"],
        ["Élodie Arnaud", "Collectif Exemple"],
        ["Anne D.", "Pôle Exemple de Lyon"],
    ]
    sheet = read_xlsx(client.get(url("participants", edition, format="xlsx"), **EN))
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Name", "Organisation"],
        ["Élodie Arnaud", "Collectif Exemple"],
        ["Anne D.", "Pôle Exemple de Lyon"],
    ]


# Figures -----------------------------------------------------------------------------------


def test_figures_are_counts_without_a_name(client, cast, day, edition):
    log_in(client, cast.viewer)

    rows = read_csv(client.get(url("figures", edition), **EN))

    assert rows[0] == [
        "Breakdown",
        "Line",
        "Confirmed",
        "Waiting",
        "Cancelled",
        "Admitted",
        "Quota",
        "Free",
    ]
    assert rows[1] == ["Overall", "Seats", "2", "2", "1", "1", "300", "298"]
    assert ["By category", "Participant", "2", "1", "1", "1", "", "298"] in rows
    assert ["By category", "Presse", "0", "1", "0", "0", "", "298"] in rows
    assert ["By organisation kind", "Pole (PTCE)", "2", "", "", "1", "", ""] in rows
    assert ["By pole", "Pôle Exemple de Lyon", "2", "", "", "", "", ""] in rows
    assert ["Lunch", "Vegetarian", "1", "", "", "", "", ""] in rows
    assert ["Lunch", "Dietary details given", "1", "", "", "", "", ""] in rows
    text = json.dumps(rows)
    for name in ("Dupont", "Martin", "Roux", "Lefèvre", "anne@"):
        assert name not in text
    assert not AuditEntry.objects.exists()
    sheet = read_xlsx(client.get(url("figures", edition, format="xlsx"), **EN))
    assert [cell.value for cell in sheet[2]] == ["Overall", "Seats", 2, 2, 1, 1, 300, 298]


# The page ----------------------------------------------------------------------------------


def test_the_page_lists_the_exports_and_says_downloads_are_recorded(client, cast, edition):
    log_in(client, cast.organiser)

    response = client.get(url("page", edition), **EN)

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert '<meta name="robots" content="noindex">' in response.text
    assert "Every download of personal data is recorded in the audit log" in response.text
    for name in ("registrations", "participants", "figures"):
        assert reverse(EXPORTS[name], args=[edition.slug]) in response.text


def test_a_viewer_sees_only_the_figures_on_the_page(client, cast, edition):
    log_in(client, cast.viewer)

    response = client.get(url("page", edition), **EN)

    assert response.status_code == 200
    assert url("figures", edition) in response.text
    assert url("registrations", edition) not in response.text
    assert url("participants", edition) not in response.text


# Permissions -------------------------------------------------------------------------------

ALLOWED = {
    "page": {"organiser", "editor", "viewer", "superuser"},
    "figures": {"organiser", "editor", "viewer", "superuser"},
    "registrations": {"organiser", "superuser"},
    "participants": {"organiser", "superuser"},
}
WHO = ["organiser", "editor", "agent", "viewer", "outsider", "other_organiser", "superuser"]


@pytest.mark.parametrize("name", sorted(ALLOWED))
@pytest.mark.parametrize("who", WHO)
def test_each_role_gets_the_file_or_403(client, cast, day, edition, name, who):
    log_in(client, getattr(cast, who))

    response = client.get(url(name, edition))

    expected = 200 if who in ALLOWED[name] else 403
    assert response.status_code == expected
    if expected == 403:
        assert "Dupont" not in response.content.decode()


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_anonymous_visitors_are_sent_to_the_login_page(client, edition, name):
    address = url(name, edition)

    response = client.get(address)

    login = reverse("accounts:login")
    assert (response.status_code, response["Location"]) == (302, f"{login}?next={address}")


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_exports_need_get(client, cast, edition, name):
    log_in(client, cast.organiser)

    assert client.post(url(name, edition)).status_code == 405


# The audit log -----------------------------------------------------------------------------


def no_names(entry, day):
    text = json.dumps([entry.what, entry.detail, entry.actor])
    for registration in day.values():
        for value in (registration.first_name, registration.last_name, registration.email):
            if value:
                assert value not in text


def test_each_download_of_personal_data_is_one_audit_line(client, cast, day, edition):
    log_in(client, cast.organiser)

    client.get(url("registrations", edition, status="waitlisted", format="xlsx"))
    client.get(url("registrations", edition, q="Dupont"))
    client.get(url("participants", edition))
    client.get(url("figures", edition))

    entries = list(AuditEntry.objects.order_by("pk"))
    assert [(e.user, e.action, e.edition, e.what, e.people, e.detail) for e in entries] == [
        (
            cast.organiser,
            AuditAction.EXPORT,
            edition,
            "inscriptions-journee-exemple.xlsx",
            2,
            {"filters": {"status": "waitlisted"}, "format": "xlsx"},
        ),
        (
            cast.organiser,
            AuditAction.EXPORT,
            edition,
            "inscriptions-journee-exemple.csv",
            1,
            {"filters": {"search": True}, "format": "csv"},
        ),
        (
            cast.organiser,
            AuditAction.EXPORT,
            edition,
            "participants-journee-exemple.csv",
            1,
            {"format": "csv"},
        ),
    ]
    for entry in entries:
        no_names(entry, day)


def test_security_list_and_badge_downloads_are_audit_lines(client, cast, day, edition):
    version = security_list.generate(edition, by=cast.organiser)
    log_in(client, cast.organiser)

    client.get(reverse("admission:security_download", args=[edition.slug, version.number, "csv"]))
    client.get(reverse("admission:badges_pdf", args=[edition.slug]) + "?layout=a6")
    client.get(reverse("admission:badge_pdf", args=[edition.slug, day["anne"].pk]))

    entries = list(AuditEntry.objects.filter(action=AuditAction.EXPORT).order_by("pk"))
    assert [(e.user, e.edition, e.what, e.people) for e in entries] == [
        (cast.organiser, edition, "securite-journee-exemple-v1-liste.csv", 2),
        (cast.organiser, edition, "badges-journee-exemple-a6.pdf", 2),
        (cast.organiser, edition, f"badge-{day['anne'].pk}-a6.pdf", 1),
    ]
    assert entries[0].detail == {"format": "csv", "version": 1, "changes_only": False}
    for entry in entries:
        no_names(entry, day)


# Formulas and markup are inert in every export of the project -------------------------------

HOSTILE = [
    '=HYPERLINK("http://evil.example/","<script>alert(1)</script>")',
    "+cmd <script>alert(2)</script>",
    "-2+3 <script>alert(3)</script>",
    "@SUM(A1:A9) <script>alert(4)</script>",
    "\t=1+1 <script>alert(5)</script>",
    "\uff1dSUM(A1) <script>alert(6)</script>",
]


@pytest.fixture
def hostile_day(edition, cast):
    """Everything a person or an organiser types, starting like a formula, with markup."""
    edition.security_fields = ["birth_place", "nationality", "employer"]
    edition.save()
    category = CategoryFactory(edition=edition, name=HOSTILE[0], slug="hostile")
    EntranceFactory(edition=edition, name=HOSTILE[3])
    pole = PoleFactory(organisation__name=HOSTILE[4], description=HOSTILE[5]).organisation
    people = []
    for number, organisation in enumerate([pole, None]):
        people.append(
            capacity.register(
                edition,
                category=category,
                first_name=HOSTILE[(number + 0) % 6],
                last_name=HOSTILE[(number + 1) % 6],
                email=f"=x{number}@example.org",
                organisation=organisation,
                organisation_name="" if organisation else HOSTILE[2],
                badge_name=HOSTILE[(number + 2) % 6] if number else "",
                job_title=HOSTILE[3],
                accessibility_needs=HOSTILE[4],
                diet=Diet.OTHER,
                dietary_notes=HOSTILE[5],
                birth_place=HOSTILE[0],
                nationality=HOSTILE[1],
                employer=HOSTILE[2],
                consent_public_list=True,
                by_organiser=True,
            )
        )
    assert {person.status for person in people} == {RegistrationStatus.CONFIRMED}
    version = security_list.generate(edition, by=cast.organiser)
    return {"people": people, "version": version}


def exported_files(client, edition, version):
    """Every spreadsheet the project exports, as ``(name, format, response)``."""
    for name in ("registrations", "participants", "figures"):
        for export_format in exports.FORMATS:
            yield name, export_format, client.get(url(name, edition, format=export_format))
    for export_format in ("csv", "xlsx"):
        address = reverse(
            "admission:security_download", args=[edition.slug, version.number, export_format]
        )
        yield "security list", export_format, client.get(address)
    yield "attendance", "csv", client.get(reverse("admission:attendance_csv", args=[edition.slug]))
    yield "directory", "csv", client.get("/annuaire/export.csv")


def cells(export_format, response):
    if export_format == "csv":
        content = b"".join(response) if response.streaming else response.content
        text = content.decode("utf-8-sig")
        return [
            (value, "s")
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")
            for value in row
        ]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [
        (cell.value, cell.data_type)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def test_formulas_and_markup_come_out_inert_in_every_export(client, cast, edition, hostile_day):
    log_in(client, cast.superuser)
    found = {}

    for name, export_format, response in exported_files(client, edition, hostile_day["version"]):
        assert response.status_code == 200, name
        values = cells(export_format, response)
        for value, data_type in values:
            if isinstance(value, str):
                assert value[:1] not in spreadsheets.FORMULA_STARTS, (name, value)
                assert data_type == "s", (name, value)
        texts = {value for value, _type in values if isinstance(value, str)}
        # Markup is text, kept exactly after the apostrophe: a spreadsheet renders no HTML.
        found[name, export_format] = {text for text in HOSTILE if "'" + text in texts}

    everything = set(HOSTILE)
    assert found["registrations", "csv"] == everything
    assert found["registrations", "xlsx"] == everything
    # The name shown (the badge name, else the names as on the ID) and the organisation.
    assert found["participants", "csv"] == {HOSTILE[3], HOSTILE[4], HOSTILE[2]}
    assert found["participants", "xlsx"] == {HOSTILE[3], HOSTILE[4], HOSTILE[2]}
    # Names, the venue's details, the organisation.
    assert found["security list", "csv"] == everything - {HOSTILE[3], HOSTILE[5]}
    assert found["security list", "xlsx"] == everything - {HOSTILE[3], HOSTILE[5]}
    # The category and the pole.
    assert found["figures", "csv"] == {HOSTILE[0], HOSTILE[4]}
    assert found["figures", "xlsx"] == {HOSTILE[0], HOSTILE[4]}
    # The category and the entrance.
    assert found["attendance", "csv"] == {HOSTILE[0], HOSTILE[3]}
    # The pole's name and description.
    assert found["directory", "csv"] == {HOSTILE[4], HOSTILE[5]}


@pytest.mark.parametrize("name", ["participants", "figures"])
def test_an_unknown_format_gets_the_page_with_a_message(client, cast, day, edition, name):
    log_in(client, cast.organiser)

    response = client.get(url(name, edition, format="ods"), **EN)

    assert response.status_code == 400
    assert "Nothing was downloaded:" in response.text
    assert "Choose CSV or XLSX." in response.text
    assert not AuditEntry.objects.exists()


def test_an_export_of_an_anonymised_edition_has_its_rows_and_no_person(day, edition):
    Registration.objects.filter(edition=edition).update(
        **privacy.EMPTY, anonymised_at=paris(30, 0, 0)
    )

    registrations = exports.registrations_table(edition)
    participants = exports.participants_table(edition)

    assert registrations.people == 5
    assert {tuple(row[1:5]) for row in registrations.rows} == {(None, None, None, None)}
    assert participants.rows == []
