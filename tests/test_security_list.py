"""The venue's security list: numbered versions, exact change lists after additions,
cancellations, late organiser additions and name corrections; names locked after the final
deadline; CSV, XLSX and PDF exports read back (formulas neutralised, any script in the PDF);
the organiser pages, their permissions and the download log."""

import csv
import datetime as dt
import io
import itertools
import threading

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from admission import security_list
from admission.enums import ExportFormat
from admission.models import SecurityList, SecurityListDownload
from registrations import attendees, capacity
from registrations.enums import RegistrationStatus, Source
from registrations.models import Registration
from tests.auth import log_in
from tests.factories import CategoryFactory, OrganisationFactory

pytestmark = [pytest.mark.django_db]

NOW = timezone.now()
DEADLINE = NOW + dt.timedelta(days=10)
AFTER_DEADLINE = DEADLINE + dt.timedelta(hours=1)
_numbers = itertools.count()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def edition(cast):
    edition = cast.edition
    edition.title = "Journée Exemple"
    edition.slug = "journee-exemple"
    edition.registration_opens_at = NOW - dt.timedelta(days=1)
    edition.security_list_first_deadline = NOW + dt.timedelta(days=5)
    edition.security_list_final_deadline = DEADLINE
    edition.security_fields = ["birth_date", "nationality"]
    edition.save()
    return edition


@pytest.fixture
def category(edition):
    return CategoryFactory(edition=edition, name="Participant", slug="participant")


def sign_up(edition, category, first_name, last_name, **details):
    return capacity.register(
        edition,
        category=category,
        first_name=first_name,
        last_name=last_name,
        email=f"personne{next(_numbers)}@example.org",
        **details,
    )


def names(rows):
    return [(row["last_name"], row["first_name"]) for row in rows]


# Versions and change lists ---------------------------------------------------------------


def test_first_version_lists_confirmed_people_sorted_by_folded_last_name(edition, category, cast):
    edition.capacity = 3
    edition.save()
    org = OrganisationFactory(name="Pôle Exemple des Deux-Rives")
    zoe = sign_up(
        edition,
        category,
        "Zoé",
        "Étienne",
        birth_date=dt.date(1980, 2, 29),
        nationality="française",
        birth_place="Lyon",
        employer="Exemple SA",
        organisation=org,
    )
    sign_up(edition, category, "Anne", "dupont", nationality="belge")
    sign_up(edition, category, "Bruno", "Durand", organisation_name="Coopérative Exemple")
    waiting = sign_up(edition, category, "Claire", "Abel")
    assert waiting.status == RegistrationStatus.WAITLISTED

    version = security_list.generate(edition, by=cast.organiser)

    assert (version.number, version.generated_by) == (1, cast.organiser)
    assert names(version.rows) == [("dupont", "Anne"), ("Durand", "Bruno"), ("Étienne", "Zoé")]
    # Only the details the venue asks for: neither the place of birth nor the employer.
    assert version.rows[2] == {
        "public_id": str(zoe.public_id),
        "last_name": "Étienne",
        "first_name": "Zoé",
        "birth_date": "1980-02-29",
        "nationality": "française",
        "organisation": "Pôle Exemple des Deux-Rives",
    }
    assert version.rows[1]["organisation"] == "Coopérative Exemple"
    assert version.rows[1]["birth_date"] == ""


def test_versions_are_numbered_per_edition(edition, cast):
    first = security_list.generate(edition, by=cast.organiser)
    other = security_list.generate(cast.edition_two, by=cast.organiser)
    second = security_list.generate(edition, by=None)

    assert (first.number, other.number, second.number) == (1, 1, 2)
    with pytest.raises(security_list.NoPreviousVersion):
        security_list.changes(first)


def test_changes_are_exact_after_additions_cancellations_late_additions_and_corrections(
    edition, category, cast
):
    anne = sign_up(edition, category, "Anne", "Dupont", nationality="belge")
    bruno = sign_up(edition, category, "Bruno", "Durand")
    claire = sign_up(edition, category, "Claire", "Martin")
    first = security_list.generate(edition, by=cast.organiser)

    # Before the final deadline: one more person, one cancellation, one name corrected.
    denis = sign_up(edition, category, "Denis", "Bernard")
    attendees.cancel(bruno)
    attendees.update_details(claire, last_name="Martin-Lefèvre", nationality="française")
    unchanged_details = attendees.update_details(anne, nationality="belge")
    second = security_list.generate(edition, by=cast.organiser)

    found = security_list.changes(second)
    assert unchanged_details == []
    assert names(found.added) == [("Bernard", "Denis")]
    assert found.added[0]["public_id"] == str(denis.public_id)
    assert names(found.removed) == [("Durand", "Bruno")]
    assert [(names([c.before]), names([c.after])) for c in found.corrected] == [
        ([("Martin", "Claire")], [("Martin-Lefèvre", "Claire")])
    ]
    assert found.corrected[0].changed_keys == ["last_name", "nationality"]
    assert found.corrected[0].changed_labels == ["Last name", "Nationality"]
    assert found.count == 3

    # After the final deadline: names are locked for the attendee, registration is closed,
    # and only an organiser adds someone, who shows in the next change list.
    with pytest.raises(attendees.ChangeRefused) as refused:
        attendees.update_details(anne, first_name="Annie", now=AFTER_DEADLINE)
    assert refused.value.code == "names_locked"
    with pytest.raises(capacity.RegistrationRefused) as closed:
        sign_up(edition, category, "Eve", "Roux", now=AFTER_DEADLINE)
    assert closed.value.code == "registration_closed"
    late = sign_up(edition, category, "Fanny", "Petit", now=AFTER_DEADLINE, by_organiser=True)
    assert late.status == RegistrationStatus.CONFIRMED
    third = security_list.generate(edition, by=cast.organiser, now=AFTER_DEADLINE)

    found = security_list.changes(third)
    assert (names(found.added), found.removed, found.corrected) == ([("Petit", "Fanny")], [], [])
    assert names(third.rows) == [
        ("Bernard", "Denis"),
        ("Dupont", "Anne"),
        ("Martin-Lefèvre", "Claire"),
        ("Petit", "Fanny"),
    ]
    # A version never changes afterwards.
    first.refresh_from_db()
    assert names(first.rows) == [("Dupont", "Anne"), ("Durand", "Bruno"), ("Martin", "Claire")]


def test_a_version_with_no_change_has_an_empty_change_list(edition, category, cast):
    sign_up(edition, category, "Anne", "Dupont")
    security_list.generate(edition, by=cast.organiser)
    second = security_list.generate(edition, by=cast.organiser)

    found = security_list.changes(second)
    assert (found.added, found.removed, found.corrected, bool(found)) == ([], [], [], False)


# Exports -------------------------------------------------------------------------------

HOSTILE = {
    "first_name": '=HYPERLINK("http://evil.example/","clic")',
    "last_name": "+cmd",
    "organisation_name": "@SUM(A1:A9)",
    "nationality": "-2+3",
}


@pytest.fixture
def hostile_version(edition, category, cast):
    sign_up(edition, category, "Anne", "Dupont", nationality="\tTAB")
    registration = sign_up(
        edition,
        category,
        HOSTILE["first_name"],
        HOSTILE["last_name"],
        organisation_name=HOSTILE["organisation_name"],
        nationality=HOSTILE["nationality"],
    )
    assert registration.status == RegistrationStatus.CONFIRMED
    return security_list.generate(edition, by=cast.organiser)


def test_csv_neutralises_formulas(hostile_version):
    content = security_list.as_csv(hostile_version)

    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["No.", "Last name", "First names", "Date of birth", "Nationality", "Organisation"],
        ["1", "'+cmd", '\'=HYPERLINK("http://evil.example/","clic")', "", "'-2+3", "'@SUM(A1:A9)"],
        ["2", "Dupont", "Anne", "", "'\tTAB", ""],
    ]


def test_xlsx_cells_are_neutralised_text(hostile_version):
    content = security_list.as_xlsx(hostile_version)

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Version 1"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [
        ["No.", "Last name", "First names", "Date of birth", "Nationality", "Organisation"],
        [
            "1",
            "'+cmd",
            '\'=HYPERLINK("http://evil.example/","clic")',
            None,
            "'-2+3",
            "'@SUM(A1:A9)",
        ],
        ["2", "Dupont", "Anne", None, "'\tTAB", None],
    ]
    types = {cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row if cell.value}
    assert types == {"s"}


def test_changes_only_exports_say_what_each_row_is(edition, category, cast):
    bruno = sign_up(edition, category, "Bruno", "Durand")
    claire = sign_up(edition, category, "Claire", "Martin")
    first = security_list.generate(edition, by=cast.organiser)
    sign_up(edition, category, "Anne", "Dupont")
    attendees.cancel(bruno)
    attendees.update_details(claire, first_name="Clara")
    second = security_list.generate(edition, by=cast.organiser)

    content = security_list.as_csv(second, changes_only=True)

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert [row[:3] for row in rows] == [
        ["Change", "Last name", "First names"],
        ["Added", "Dupont", "Anne"],
        ["Removed", "Durand", "Bruno"],
        ["Corrected: before", "Martin", "Claire"],
        ["Corrected: after", "Martin", "Clara"],
    ]
    sheet = openpyxl.load_workbook(
        io.BytesIO(security_list.as_xlsx(second, changes_only=True))
    ).active
    assert [[cell.value for cell in row][:3] for row in sheet.iter_rows()] == [
        row[:3] for row in rows
    ]
    with pytest.raises(security_list.NoPreviousVersion):
        security_list.as_csv(first, changes_only=True)


HEADER = ["No.", "Last name", "First names", "Organisation"]


def pdf_lines(content):
    reader = PdfReader(io.BytesIO(content))
    return reader, [line for page in reader.pages for line in page.extract_text().splitlines()]


SCRIPTS = [
    ("Élodie", "Çelik-Dupré"),
    ("Αλέξανδρος", "Παπαδόπουλος"),
    ("Анна", "Жукова"),
]


def test_pdf_lists_numbered_people_in_any_script(edition, category, cast):
    edition.security_fields = []
    edition.save()
    for first_name, last_name in SCRIPTS:
        sign_up(edition, category, first_name, last_name)
    version = security_list.generate(edition, by=cast.organiser)

    reader, lines = pdf_lines(security_list.as_pdf(version))

    assert [round(float(side)) for side in reader.pages[0].mediabox.upper_right] == [595, 842]
    assert lines[0] == "Security list: Journée Exemple, version 1"
    assert lines[2] == "3 people, sorted by last name"
    # One text line per cell; the organisation column is empty.
    assert lines[3:] == [
        *HEADER,
        *("1", "Çelik-Dupré", "Élodie"),
        # Greek letters come before Cyrillic ones, as in Unicode.
        *("2", "Παπαδόπουλος", "Αλέξανδρος"),
        *("3", "Жукова", "Анна"),
    ]


def test_pdf_changes_section(edition, category, cast):
    edition.security_fields = []
    edition.save()
    anna = sign_up(edition, category, "Анна", "Жукова")
    security_list.generate(edition, by=cast.organiser)
    sign_up(edition, category, "Αλέξανδρος", "Παπαδόπουλος")
    attendees.update_details(anna, first_name="Аня")
    second = security_list.generate(edition, by=cast.organiser)

    _, lines = pdf_lines(security_list.as_pdf(second, changes_only=True))

    assert lines[0] == "Security list: Journée Exemple, version 2"
    assert lines[2] == "Changes since version 1: 1 added, 0 removed, 1 corrected"
    assert lines[3:] == [
        "Change",
        *HEADER[1:],
        *("Added", "Παπαδόπουλος", "Αλέξανδρος"),
        *("Corrected: before", "Жукова", "Анна"),
        *("Corrected: after", "Жукова", "Аня"),
    ]


def test_pdf_of_a_long_list_repeats_the_header_on_each_page(edition, cast):
    edition.security_fields = []
    edition.save()
    version = SecurityList.objects.create(
        edition=edition,
        number=1,
        rows=[
            {
                "public_id": f"id-{number:03}",
                "last_name": f"Exemple {number:03}",
                "first_name": "Camille",
                "organisation": "",
            }
            for number in range(120)
        ],
    )

    reader, lines = pdf_lines(security_list.as_pdf(version))

    assert len(reader.pages) > 1
    assert lines.count("Last name") == len(reader.pages)
    first, *others = (page.extract_text().splitlines() for page in reader.pages)
    assert first[:7] == [
        "Security list: Journée Exemple, version 1",
        first[1],  # the date of generation
        "120 people, sorted by last name",
        *HEADER,
    ]
    assert [lines[:4] for lines in others] == [HEADER] * len(others)
    assert lines[-3:] == ["120", "Exemple 119", "Camille"]


# Pages, permissions and the download log -------------------------------------------------


def page(edition):
    return reverse("admission:security_list", args=[edition.slug])


def test_anonymous_visitors_are_sent_to_the_login_page(client, edition, cast):
    version = security_list.generate(edition, by=cast.organiser)
    login = reverse("accounts:login")
    for url in (
        page(edition),
        reverse("admission:security_download", args=[edition.slug, version.number, "csv"]),
    ):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, f"{login}?next={url}")
    response = client.post(reverse("admission:security_generate", args=[edition.slug]))
    assert response.status_code == 302
    assert SecurityList.objects.count() == 1
    assert SecurityListDownload.objects.count() == 0


@pytest.mark.parametrize("who", ["viewer", "agent", "editor", "outsider", "other_organiser"])
def test_other_roles_get_403_and_nothing_changes(client, edition, category, cast, who):
    sign_up(edition, category, "Anne", "Dupont")
    version = security_list.generate(edition, by=cast.organiser)
    log_in(client, getattr(cast, who))

    for url in (
        page(edition),
        reverse("admission:security_download", args=[edition.slug, version.number, "pdf"]),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert b"Dupont" not in response.content
    assert (
        client.post(reverse("admission:security_generate", args=[edition.slug])).status_code == 403
    )
    assert SecurityList.objects.count() == 1
    assert SecurityListDownload.objects.count() == 0


def test_the_page_names_the_fields_each_correction_changed(client, edition, category, cast):
    anne = sign_up(edition, category, "Anne", "Dupont", nationality="belge")
    claire = sign_up(edition, category, "Claire", "Martin")
    security_list.generate(edition, by=cast.organiser)
    attendees.update_details(anne, nationality="française")
    attendees.update_details(claire, first_name="Clara")
    security_list.generate(edition, by=cast.organiser)
    log_in(client, cast.organiser)

    listing = client.get(page(edition))

    assert "0 added, 0 removed, 2 corrected" in listing.text
    assert "Corrected: Dupont Anne (changed: Nationality)" in listing.text
    assert "Corrected: Martin Claire → Martin Clara (changed: First names)" in listing.text
    # The page names the fields; the values stay in the exports.
    assert "française" not in listing.text


def test_organiser_generates_sees_versions_and_downloads_are_recorded(
    client, edition, category, cast
):
    sign_up(edition, category, "Anne", "Dupont")
    log_in(client, cast.organiser)

    response = client.post(reverse("admission:security_generate", args=[edition.slug]), follow=True)
    assert response.status_code == 200
    assert "Version 1 of the security list was generated: 1 person." in response.text
    sign_up(edition, category, "Bruno", "Durand")
    client.post(reverse("admission:security_generate", args=[edition.slug]))

    listing = client.get(page(edition))
    assert listing.status_code == 200
    assert listing["Cache-Control"] == "private, no-store"
    assert "1 added, 0 removed, 0 corrected" in listing.text
    assert "Added: Durand Bruno" in listing.text
    assert "Generate a new version" in listing.text
    assert reverse("admission:security_changes", args=[edition.slug, 2, "xlsx"]) in listing.text
    assert reverse("admission:security_changes", args=[edition.slug, 1, "xlsx"]) not in listing.text

    expected = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf",
    }
    for export_format, content_type in expected.items():
        response = client.get(
            reverse("admission:security_download", args=[edition.slug, 2, export_format])
        )
        assert (response.status_code, response["Content-Type"]) == (200, content_type)
        assert response["Cache-Control"] == "private, no-store"
        assert response["Content-Disposition"] == (
            f'attachment; filename="securite-journee-exemple-v2-liste.{export_format}"'
        )
    response = client.get(reverse("admission:security_changes", args=[edition.slug, 2, "csv"]))
    assert response.status_code == 200
    assert "Added;Durand;Bruno" in response.content.decode("utf-8-sig")

    downloads = SecurityListDownload.objects.order_by("pk")
    assert [(d.security_list.number, d.user, d.format, d.changes_only) for d in downloads] == [
        (2, cast.organiser, ExportFormat.CSV, False),
        (2, cast.organiser, ExportFormat.XLSX, False),
        (2, cast.organiser, ExportFormat.PDF, False),
        (2, cast.organiser, ExportFormat.CSV, True),
    ]
    log = client.get(page(edition)).text
    assert log.count("Full list (CSV)") == 3  # two version links, one log entry
    assert "Changes only (CSV)" in log


def test_a_superuser_sees_and_generates(client, edition, cast):
    log_in(client, cast.superuser)
    assert client.get(page(edition)).status_code == 200
    assert (
        client.post(reverse("admission:security_generate", args=[edition.slug])).status_code == 302
    )
    assert SecurityList.objects.get().generated_by == cast.superuser


def test_bad_downloads_are_404_and_record_nothing(client, edition, cast):
    security_list.generate(edition, by=cast.organiser)
    security_list.generate(cast.other_edition, by=cast.other_organiser)
    log_in(client, cast.organiser)

    statuses = [
        client.get(url).status_code
        for url in (
            reverse("admission:security_download", args=[edition.slug, 1, "exe"]),
            reverse("admission:security_download", args=[edition.slug, 9, "csv"]),
            reverse("admission:security_changes", args=[edition.slug, 1, "csv"]),
            reverse("admission:security_download", args=["no-such-day", 1, "csv"]),
            reverse("admission:security_download", args=[cast.other_edition.slug, 1, "csv"]),
        )
    ]
    assert statuses == [404, 404, 404, 404, 403]
    assert SecurityListDownload.objects.count() == 0


def test_generating_needs_post(client, edition, cast):
    log_in(client, cast.organiser)
    assert (
        client.get(reverse("admission:security_generate", args=[edition.slug])).status_code == 405
    )
    assert SecurityList.objects.count() == 0


# Two generations at once -------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_generations_get_consecutive_numbers(edition, category, cast):
    sign_up(edition, category, "Anne", "Dupont")
    barrier = threading.Barrier(4)
    errors = []

    def work():
        try:
            barrier.wait()
            security_list.generate(edition, by=None)
        except Exception as error:  # any failure is reported by the assert below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = SecurityList.objects.filter(edition=edition).values_list("number", flat=True)
    assert sorted(numbers) == [1, 2, 3, 4]


# Walk-ins ----------------------------------------------------------------------------------


def test_a_walk_in_added_at_the_desk_is_flagged_in_the_next_version(
    client, edition, category, cast
):
    sign_up(edition, category, "Anne", "Dupont", birth_date=dt.date(1980, 1, 2), nationality="b")
    security_list.generate(edition, by=cast.organiser)
    log_in(client, cast.organiser)

    response = client.post(
        f"/journees/{edition.slug}/gestion/inscriptions/ajouter/",
        {
            "category": category.pk,
            "first_name": "Walid",
            "last_name": "Sur-Place",
            "email": "walid@example.org",
            "language": "fr",
            "birth_date": "1990-03-04",
            "nationality": "française",
            "walk_in": "on",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    walk_in = Registration.objects.get(email="walid@example.org")
    assert walk_in.source == Source.WALK_IN

    with translation.override("en"):
        second = security_list.generate(edition, by=cast.organiser)
        found = security_list.changes(second)
        header, *rows = list(
            csv.reader(io.StringIO(security_list.as_csv(second).decode("utf-8-sig")), delimiter=";")
        )

    assert [row["last_name"] for row in found.added] == ["Sur-Place"]
    assert found.added[0]["walk_in"] == "walk-in"
    assert header[-1] == "Registered at the desk"
    assert [row[-1] for row in rows] == ["", "walk-in"]


def test_an_organiser_addition_that_is_not_a_walk_in_is_not_flagged(edition, category, cast):
    capacity.register(
        edition,
        category=category,
        first_name="Odile",
        last_name="Ajoutée",
        email="odile@example.org",
        by_organiser=True,
    )

    version = security_list.generate(edition, by=cast.organiser)

    assert "walk_in" not in version.rows[0]
    assert "walk_in" not in security_list.columns(version)


# Retention ---------------------------------------------------------------------------------


def paris_moment(day, hour):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=security_list.PARIS)


def test_purge_empties_lists_from_the_day_after_the_edition_and_keeps_the_record(
    client, edition, category, cast, caplog
):
    sign_up(edition, category, "Anne", "Dupont", nationality="belge")
    first = security_list.generate(edition, by=cast.organiser)
    sign_up(edition, category, "Bruno", "Durand")
    second = security_list.generate(edition, by=cast.organiser)
    security_list.export(second, ExportFormat.CSV, by=cast.organiser)
    other = cast.edition_two
    other.date = edition.date + dt.timedelta(days=30)
    other.save()
    CategoryFactory(edition=other, name="Participant", slug="participant")
    sign_up(other, other.categories.get(), "Claire", "Martin", by_organiser=True)
    later = security_list.generate(other, by=cast.organiser)

    on_the_day = security_list.purge(now=paris_moment(edition.date, 23))
    with caplog.at_level("INFO", logger="admission.security_list"):
        day_after = security_list.purge(now=paris_moment(edition.date + dt.timedelta(days=1), 0))
    again = security_list.purge(now=paris_moment(edition.date + dt.timedelta(days=2), 12))

    assert (on_the_day, day_after, again) == (0, 2, 0)
    first.refresh_from_db()
    second.refresh_from_db()
    later.refresh_from_db()
    assert (first.rows, first.people, second.rows, second.people) == ([], 1, [], 2)
    assert (
        first.purged_at == second.purged_at == paris_moment(edition.date + dt.timedelta(days=1), 0)
    )
    assert (first.number, first.generated_by, second.downloads.count()) == (1, cast.organiser, 1)
    assert later.purged_at is None
    assert [row["last_name"] for row in later.rows] == ["Martin"]
    assert "personal data of 2 version(s) of journee-exemple deleted" in caplog.text
    assert "Dupont" not in caplog.text


def test_the_periodic_job_purges_and_is_declared(settings, edition, category, cast):
    sign_up(edition, category, "Anne", "Dupont")
    version = security_list.generate(edition, by=cast.organiser)
    edition.date = timezone.localdate() - dt.timedelta(days=1)
    edition.save()

    from admission.tasks import purge_security_lists

    assert ("admission.tasks.purge_security_lists", 60 * 60) in settings.PTCE_PERIODIC_TASKS
    assert purge_security_lists.call() == 1
    version.refresh_from_db()
    assert version.rows == []


def test_after_the_day_the_page_shows_purged_versions_and_refuses_downloads_and_generation(
    client, edition, category, cast
):
    sign_up(edition, category, "Anne", "Dupont")
    security_list.generate(edition, by=cast.organiser)
    sign_up(edition, category, "Bruno", "Durand")
    security_list.generate(edition, by=cast.organiser)
    edition.date = timezone.localdate() - dt.timedelta(days=1)
    edition.save()
    security_list.purge()
    log_in(client, cast.organiser)

    listing = client.get(page(edition))
    download = client.get(
        reverse("admission:security_download", args=[edition.slug, 2, "csv"]), follow=True
    )
    generated = client.post(
        reverse("admission:security_generate", args=[edition.slug]), follow=True
    )

    assert listing.status_code == 200
    assert listing.text.count("Personal data deleted on") == 2
    assert "Durand" not in listing.text
    assert reverse("admission:security_download", args=[edition.slug, 2, "csv"]) not in listing.text
    assert "Generate a new version" not in listing.text
    assert download.status_code == 200
    assert "Version 2 was deleted on" in download.text
    assert "Durand" not in download.text
    assert "The day is over: no new version can be made" in generated.text
    assert SecurityList.objects.count() == 2
    assert SecurityListDownload.objects.count() == 0
