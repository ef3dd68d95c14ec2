"""The audit log pages: who may read them, what each shows, newest first by pages of 50,
the filter by action, the CSV (formula-safe), and a fixed number of queries."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.enums import AuditAction
from accounts.models import AuditEntry
from tests.auth import log_in

LOG = reverse("accounts:audit")
LOG_CSV = reverse("accounts:audit_csv")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def edition_log(edition):
    return reverse("accounts:edition_audit", args=[edition.slug])


def edition_csv(edition):
    return reverse("accounts:edition_audit_csv", args=[edition.slug])


def entries(response):
    return [entry.what for entry in response.context["page"].object_list]


def rows(response):
    text = response.content.decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def lines(cast):
    """One line on each edition, and one about no edition."""
    return {
        "edition": audit.record(
            cast.organiser, AuditAction.EXPORT, "export A", edition=cast.edition, people=12
        ),
        "edition_two": audit.record(
            cast.organiser, AuditAction.MESSAGE, "message B", edition=cast.edition_two, people=3
        ),
        "other": audit.record(
            cast.other_organiser,
            AuditAction.EXPORT,
            "export C",
            edition=cast.other_edition,
            people=5,
        ),
        "none": audit.record(cast.organiser, AuditAction.TOKEN, "token D"),
    }


# Who may read them ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organiser", 200),
        ("superuser", 200),
        ("editor", 403),
        ("agent", 403),
        ("viewer", 403),
        ("outsider", 403),
        ("other_organiser", 403),
    ],
)
def test_edition_log_needs_manage_on_the_edition(client, cast, lines, who, status):
    log_in(client, getattr(cast, who))
    for path in (edition_log(cast.edition), edition_csv(cast.edition)):
        response = client.get(path)
        assert response.status_code == status
        if status == 403:
            assert b"export A" not in response.content


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organiser", 200),
        ("other_organiser", 200),
        ("superuser", 200),
        ("editor", 403),
        ("agent", 403),
        ("viewer", 403),
        ("outsider", 403),
    ],
)
def test_whole_log_needs_an_organiser_of_an_organisation(client, cast, lines, who, status):
    log_in(client, getattr(cast, who))
    for path in (LOG, LOG_CSV):
        response = client.get(path)
        assert response.status_code == status
        if status == 403:
            assert b"token D" not in response.content


def test_log_pages_send_anonymous_visitors_to_the_login_page(client, cast, lines):
    for path in (LOG, LOG_CSV, edition_log(cast.edition), edition_csv(cast.edition)):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_an_unknown_edition_is_404(client, cast):
    log_in(client, cast.organiser)
    assert client.get(reverse("accounts:edition_audit", args=["nulle-part"])).status_code == 404


# What they show --------------------------------------------------------------------------------


def test_edition_log_shows_that_edition_only(client, cast, lines):
    log_in(client, cast.organiser)
    response = client.get(edition_log(cast.edition))
    assert entries(response) == ["export A"]
    assert response["Cache-Control"] == "private, no-store"
    content = response.content.decode()
    assert '<meta name="robots" content="noindex">' in content
    assert "organisatrice" in content
    assert "12" in content


def test_whole_log_shows_lines_of_no_edition_and_of_managed_editions(client, cast, lines):
    log_in(client, cast.organiser)
    assert entries(client.get(LOG)) == ["token D", "message B", "export A"]
    log_in(client, cast.other_organiser)
    assert entries(client.get(LOG)) == ["token D", "export C"]
    log_in(client, cast.superuser)
    assert len(entries(client.get(LOG))) == 4


def test_lines_come_newest_first_by_pages_of_fifty(client, cast):
    start = timezone.now() - dt.timedelta(days=1)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            at=start + dt.timedelta(minutes=number),
            actor="organisatrice",
            action=AuditAction.EXPORT,
            edition=cast.edition,
            what=f"export {number:02}",
        )
        for number in range(51)
    )
    log_in(client, cast.organiser)
    first = client.get(edition_log(cast.edition))
    assert first.context["page"].paginator.count == 51
    assert entries(first)[:2] == ["export 50", "export 49"]
    assert len(entries(first)) == 50
    assert entries(client.get(edition_log(cast.edition), {"page": 2})) == ["export 00"]


def test_the_filter_by_action(client, cast, lines):
    log_in(client, cast.organiser)
    assert entries(client.get(LOG, {"action": "export"})) == ["export A"]
    assert entries(client.get(LOG, {"action": "token"})) == ["token D"]
    # An unknown action is ignored rather than an error.
    response = client.get(LOG, {"action": "nimportequoi"})
    assert response.status_code == 200
    assert len(entries(response)) == 3
    csv_rows = rows(client.get(LOG_CSV, {"action": "message"}))
    assert [row[4] for row in csv_rows[1:]] == ["message B"]


def test_the_csv_is_formula_safe_and_has_every_line_of_the_filter(client, cast):
    audit.record(
        cast.organiser, AuditAction.EXPORT, '=HYPERLINK("http://x")', edition=cast.edition, people=2
    )
    audit.record(cast.organiser, AuditAction.EXPORT, "+1", edition=cast.edition)
    log_in(client, cast.organiser)
    response = client.get(edition_csv(cast.edition))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "journal-" in response["Content-Disposition"]
    header, *body = rows(response)
    assert header == ["When", "Who", "Action", "Edition", "What", "Number of people"]
    assert [row[4] for row in body] == ["'+1", '\'=HYPERLINK("http://x")']
    assert [row[1:4] for row in body] == [["organisatrice", "export", cast.edition.slug]] * 2
    assert body[1][5] == "2"


def test_text_of_a_line_is_escaped_in_the_page(client, cast):
    audit.record(
        cast.organiser, AuditAction.EXPORT, "<script>alert(1)</script>", edition=cast.edition
    )
    log_in(client, cast.organiser)
    content = client.get(edition_log(cast.edition)).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;" in content


@pytest.mark.parametrize("path", ["edition", "whole"])
def test_the_pages_make_the_same_queries_whatever_the_size(
    client, cast, path, django_assert_num_queries
):
    url = edition_log(cast.edition) if path == "edition" else LOG
    per_batch = 1 if path == "edition" else 2
    log_in(client, cast.organiser)

    def add(count):
        for number in range(count):
            audit.record(cast.organiser, AuditAction.EXPORT, f"line {number}", edition=cast.edition)
            audit.record(cast.editor, AuditAction.ROLE, f"role {number}", edition=cast.edition_two)

    add(1)
    client.get(url)  # The session's first use.
    with CaptureQueriesContext(connection) as one:
        assert len(entries(client.get(url))) == per_batch
    add(2)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(entries(client.get(url))) == 3 * per_batch
    add(60)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(entries(client.get(url))) == 50
