"""The list of expected people sent to the venue's security: numbered versions, the changes
between two versions, and the CSV, XLSX and PDF exports.

A version is a snapshot (:class:`~admission.models.SecurityList`): the confirmed people of
the edition at generation, with their names as on the ID and only the details the venue asks
for (``edition.security_fields``). Exports and change lists are made from the snapshot, so
what was sent once can be sent again identically. Every download is recorded
(:class:`~admission.models.SecurityListDownload`): who, when, which version, which format.

Spreadsheets are untrusted output: written by :mod:`common.spreadsheets`, whose one rule puts
an apostrophe before a cell a spreadsheet would read as a formula; XLSX cells are text. Every
download is also a line of the audit log of personal data (:mod:`accounts.audit`).

Retention: a list holds dates of birth and other details that the venue needs for one day
only. From the edition's ``venue_data_retention_days`` after the day (Paris time; the day
after by default) :func:`purge` empties the stored versions' rows (the periodic job here, and
the retention job of :mod:`registrations.privacy`, which reaches the lists through
:data:`PRIVACY`), and no new version can be generated.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from accounts import audit
from accounts.enums import AuditAction
from admission.enums import ExportFormat
from admission.models import SecurityList, SecurityListDownload
from common import spreadsheets
from common.pdf import Document, runs, wrap
from common.text import fold
from events.enums import SecurityField
from events.models import PARIS, Edition
from registrations.enums import Source
from registrations.models import Registration
from registrations.privacy import Holding, venue_data_due_at

logger = logging.getLogger(__name__)

#: The names of every row, in column order; the asked details come between them.
NAME_KEYS = ("last_name", "first_name")
ORGANISATION_KEY = "organisation"
#: Present, in the rows of people registered at the desk on the day only, as a word.
WALK_IN_KEY = "walk_in"

COLUMN_LABELS = {
    "last_name": gettext_lazy("Last name"),
    "first_name": gettext_lazy("First names"),
    **{field.value: field.label for field in SecurityField},
    ORGANISATION_KEY: gettext_lazy("Organisation"),
    WALK_IN_KEY: gettext_lazy("Registered at the desk"),
}

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: spreadsheets.XLSX_CONTENT_TYPE,
    ExportFormat.PDF: "application/pdf",
}


class NoPreviousVersion(Exception):
    """The changes of a first version were asked for: there is nothing to compare with."""


@dataclass(frozen=True)
class Correction:
    before: dict
    after: dict

    @property
    def changed_keys(self):
        return [
            key
            for key in self.after
            if key != "public_id" and self.before.get(key) != self.after[key]
        ]

    @property
    def changed_labels(self):
        """The changed columns' names, for the page (which shows names, not the details)."""
        return [str(COLUMN_LABELS.get(key, key)) for key in self.changed_keys]


@dataclass(frozen=True)
class Changes:
    """What changed since the previous version: rows added and removed, and corrections
    (same person, other names or details), each in list order."""

    added: list
    removed: list
    corrected: list

    def __bool__(self):
        return bool(self.added or self.removed or self.corrected)

    @property
    def count(self):
        return len(self.added) + len(self.removed) + len(self.corrected)


# Versions ----------------------------------------------------------------------------------


def asked_fields(edition):
    """The details the venue asks for, in the order of :class:`SecurityField`."""
    asked = set(edition.security_fields or [])
    return [field.value for field in SecurityField if field.value in asked]


def _row(registration, fields):
    row = {
        "public_id": str(registration.public_id),
        "last_name": registration.last_name,
        "first_name": registration.first_name,
    }
    for field in fields:
        value = getattr(registration, field)
        if field == SecurityField.BIRTH_DATE:
            value = value.isoformat() if value else ""
        row[field] = value or ""
    row[ORGANISATION_KEY] = registration.organisation_label or ""
    if registration.source == Source.WALK_IN:
        # A word, in the language of whoever generates the list, so that every export and
        # the change list say it; absent from everyone else's row.
        row[WALK_IN_KEY] = pgettext("security list", "walk-in")
    return row


def sort_key(row):
    """By last name, then first names, case and accents aside (then exactly, then by id)."""
    return (
        fold(row["last_name"]),
        fold(row["first_name"]),
        row["last_name"],
        row["first_name"],
        row["public_id"],
    )


def snapshot(edition):
    """The rows of the list as it stands now: every confirmed registration, sorted."""
    fields = asked_fields(edition)
    registrations = (
        Registration.objects.filter(edition=edition)
        .confirmed()
        .select_related("organisation")
        .only(
            "public_id",
            "first_name",
            "last_name",
            "organisation_name",
            "organisation__name",
            "source",
            *fields,
        )
    )
    return sorted((_row(registration, fields) for registration in registrations), key=sort_key)


def generate(edition, *, by, now=None):
    """Make the next numbered version of the edition's list.

    Side effects, in one transaction: locks the edition's row (two generations at once get
    consecutive numbers, and the snapshot sees no half-made allocation); inserts the
    :class:`SecurityList`. Returns it.
    """
    with transaction.atomic():
        edition = Edition.objects.locked(edition.pk)
        last = edition.security_lists.aggregate(last=Max("number"))["last"] or 0
        rows = snapshot(edition)
        return SecurityList.objects.create(
            edition=edition,
            number=last + 1,
            rows=rows,
            people=len(rows),
            generated_at=now or timezone.now(),
            generated_by=by,
        )


def can_generate(edition, now=None):
    """Lists are made until the end of the edition's day: after it, their data is deleted."""
    return (now or timezone.now()) < purge_from(edition)


def purge_from(edition):
    """When the edition's stored lists lose their personal data: with the other details only
    the venue asks for, ``venue_data_retention_days`` after the day (Paris midnight; the day
    after by default). The rule is :func:`registrations.privacy.venue_data_due_at`."""
    return venue_data_due_at(edition)


def purge(*, now=None, edition=None):
    """Empty the rows of every stored list whose edition is due (see :func:`purge_from`),
    or of ``edition``'s lists only, when due.

    Keeps each version's number, date, author, head count and download log. Safe to run again
    and at the same time elsewhere: a version already purged is not touched again. Logs and
    returns the number of versions purged.
    """
    now = now or timezone.now()
    # Every edition keeps its lists at least until the day after: only past days can be due.
    today = timezone.localdate(now, timezone=PARIS)
    due = SecurityList.objects.filter(purged_at__isnull=True, edition__date__lt=today)
    if edition is not None:
        due = due.filter(edition_id=edition.pk)
    purged = 0
    for candidate in Edition.objects.filter(pk__in=due.values("edition_id")):
        if now < purge_from(candidate):
            continue
        count = due.filter(edition_id=candidate.pk).update(rows=[], purged_at=now)
        logger.info(
            "security lists: personal data of %s version(s) of %s deleted", count, candidate.slug
        )
        purged += count
    return purged


def remove_person(registration):
    """Removes the person of ``registration`` from every stored version of their edition's
    list not yet purged, head counts kept as they were sent (their erasure); returns the
    number of versions changed. Call it inside a transaction: the versions are locked."""
    public_id = str(registration.public_id)
    changed = 0
    for version in SecurityList.objects.filter(
        edition_id=registration.edition_id, purged_at=None
    ).select_for_update():
        rows = [row for row in version.rows if row.get("public_id") != public_id]
        if len(rows) != len(version.rows):
            version.rows = rows
            version.save(update_fields=["rows"])
            changed += 1
    return changed


def versions_naming(registration):
    """The stored versions not yet purged that list the person of ``registration``, for
    their copy of their data: ``[{"version", "generated_at"}]``, ready for JSON."""
    public_id = str(registration.public_id)
    return [
        {"version": version.number, "generated_at": version.generated_at.isoformat()}
        for version in SecurityList.objects.filter(
            edition_id=registration.edition_id, purged_at=None
        )
        if any(row.get("public_id") == public_id for row in version.rows)
    ]


#: The lists, as personal data that the rules of :mod:`registrations.privacy` reach (the
#: admission app registers it when it is ready): their rows go with the venue details, and
#: with a person's erasure; a person's copy says which versions list them.
PRIVACY = Holding(
    name="security_lists",
    delete_venue_data=lambda edition, now: purge(edition=edition, now=now),
    erase=remove_person,
    copy=versions_naming,
)


def previous(version):
    """The version before ``version`` of the same edition, or None for the first."""
    return (
        SecurityList.objects.filter(edition_id=version.edition_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def compare(before_rows, after_rows):
    """The :class:`Changes` from ``before_rows`` to ``after_rows``, matched by public id."""
    before = {row["public_id"]: row for row in before_rows}
    after = {row["public_id"]: row for row in after_rows}
    return Changes(
        added=[row for row in after_rows if row["public_id"] not in before],
        removed=[row for row in before_rows if row["public_id"] not in after],
        corrected=[
            Correction(before=before[row["public_id"]], after=row)
            for row in after_rows
            if row["public_id"] in before and before[row["public_id"]] != row
        ],
    )


def changes(version, *, previous_version=None):
    """What changed in ``version`` since the version before it.

    Raises :class:`NoPreviousVersion` for a first version. ``previous_version``: the version
    before, if already read.
    """
    before = previous_version or previous(version)
    if before is None:
        raise NoPreviousVersion
    return compare(before.rows, version.rows)


def columns(version):
    """The keys of the version's columns, names first, organisation last."""
    present = set().union(*(row.keys() for row in version.rows)) if version.rows else set()
    if not version.rows:
        present = set(asked_fields(version.edition))
    return [
        *NAME_KEYS,
        *(field.value for field in SecurityField if field.value in present),
        ORGANISATION_KEY,
        *([WALK_IN_KEY] if WALK_IN_KEY in present else []),
    ]


# Downloads ---------------------------------------------------------------------------------


def export(version, export_format, *, by, changes_only=False, now=None):
    """The version in ``export_format`` (an :class:`ExportFormat`), and its download recorded.

    Raises :class:`NoPreviousVersion` when the changes of a first version are asked for
    (nothing is recorded then). Side effects, in one transaction: inserts a
    :class:`SecurityListDownload` and an audit line (:data:`AuditAction.EXPORT`, with the
    number of people in the file). Returns ``(content bytes, content type, file name)``.
    """
    export_format = ExportFormat(export_format)
    render = {ExportFormat.CSV: as_csv, ExportFormat.XLSX: as_xlsx, ExportFormat.PDF: as_pdf}
    name = filename(version, export_format, changes_only)
    with transaction.atomic():
        content = render[export_format](version, changes_only=changes_only)
        SecurityListDownload.objects.create(
            security_list=version,
            user=by,
            format=export_format,
            changes_only=changes_only,
            downloaded_at=now or timezone.now(),
        )
        audit.record(
            by,
            AuditAction.EXPORT,
            name,
            edition=version.edition,
            people=_people(version, changes_only),
            detail={
                "format": export_format.value,
                "version": version.number,
                "changes_only": changes_only,
            },
        )
    return content, CONTENT_TYPES[export_format], name


def _people(version, changes_only):
    """How many people a download names: the list's, or those added, removed or corrected."""
    if not changes_only:
        return len(version.rows)
    found = changes(version)
    return len(found.added) + len(found.removed) + len(found.corrected)


def filename(version, export_format, changes_only=False):
    kind = "changements" if changes_only else "liste"
    return f"securite-{version.edition.slug}-v{version.number}-{kind}.{export_format}"


def _table(version, changes_only, *, written=False):
    """``(header, rows)`` of plain strings: the full list numbered, or the change list with
    what each row is ("added", "removed", "before correction", "after correction").

    ``written``: for a page a person reads (the PDF), dates of birth written out ("12 mars
    1980"); the spreadsheets keep ISO 8601, which sorts and imports."""
    keys = columns(version)
    labels = [str(COLUMN_LABELS[key]) for key in keys]
    if not changes_only:
        rows = [
            [str(number), *(_cell(row, key, written) for key in keys)]
            for number, row in enumerate(version.rows, start=1)
        ]
        return [_("No."), *labels], rows
    found = changes(version)
    rows = []
    for what, row in _change_rows(found):
        rows.append([what, *(_cell(row, key, written) for key in keys)])
    return [pgettext("security list column", "Change"), *labels], rows


def _cell(row, key, written):
    value = str(row.get(key, ""))
    if written and key == SecurityField.BIRTH_DATE and value:
        try:
            return formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return value


def _change_rows(found):
    for row in found.added:
        yield pgettext("security list change", "Added"), row
    for row in found.removed:
        yield pgettext("security list change", "Removed"), row
    for correction in found.corrected:
        yield _("Corrected: before"), correction.before
        yield _("Corrected: after"), correction.after


def as_csv(version, *, changes_only=False):
    """UTF-8 with a byte order mark and ";" between fields: what a French spreadsheet opens
    directly."""
    return spreadsheets.csv_bytes(*_table(version, changes_only))


def as_xlsx(version, *, changes_only=False):
    header, rows = _table(version, changes_only)
    sheet_title = (_("Changes %(number)s") if changes_only else _("Version %(number)s")) % {
        "number": version.number
    }
    return spreadsheets.xlsx_bytes([spreadsheets.Sheet(sheet_title, header, rows)])


# PDF ---------------------------------------------------------------------------------------

MARGIN = 12 * mm
SIZE = 9
LEADING = SIZE * 1.3
PADDING = 1.5 * mm


def title(version):
    return _("Security list: %(edition)s, version %(number)s") % {
        "edition": version.edition.title,
        "number": version.number,
    }


def as_pdf(version, *, changes_only=False):
    """A4, sorted by last name, numbered rows; landscape when the venue asks for more than
    two details. Names in any script the shipped fonts cover (see :mod:`common.pdf`)."""
    header, rows = _table(version, changes_only, written=True)
    pagesize = landscape(A4) if len(header) > 5 else A4
    document = Document(title(version), pagesize=pagesize)
    canvas = document.canvas
    table = _PdfTable(canvas, pagesize, header, first=34 * mm if changes_only else 10 * mm)
    generated = formats.date_format(timezone.localtime(version.generated_at), "DATETIME_FORMAT")
    table.text(title(version), 14, bold=True)
    table.text(_("Generated on %(date)s") % {"date": generated}, SIZE)
    if changes_only:
        found = changes(version)
        table.text(
            _(
                "Changes since version %(number)s: %(added)s added, %(removed)s removed, "
                "%(corrected)s corrected"
            )
            % {
                "number": previous(version).number,
                "added": len(found.added),
                "removed": len(found.removed),
                "corrected": len(found.corrected),
            },
            SIZE,
        )
    else:
        sorted_line = ngettext(
            "%(count)s person, sorted by last name",
            "%(count)s people, sorted by last name",
            len(rows),
        )
        table.text(sorted_line % {"count": len(rows)}, SIZE)
    table.y -= 3 * mm
    table.row(header, bold=True)
    for values in rows:
        table.row(values)
    if not rows:
        table.text(_("No change.") if changes_only else _("Nobody is on the list."), SIZE)
    canvas.showPage()
    return document.bytes()


class _PdfTable:
    """Rows of wrapped cells down the page; the header is repeated on each new page."""

    def __init__(self, canvas, pagesize, header, *, first):
        self.canvas = canvas
        self.page_width, self.page_height = pagesize
        self.header = header
        self.y = self.page_height - MARGIN
        available = self.page_width - 2 * MARGIN
        # The number or change column is narrow (``first``); the others share the rest.
        other = (available - first) / (len(header) - 1)
        self.widths = [first] + [other] * (len(header) - 1)

    def _draw(self, text, x, size, bold):
        for font, chars in runs(text, bold=bold):
            self.canvas.setFont(font, size)
            self.canvas.drawString(x, self.y, chars)
            x += pdfmetrics.stringWidth(chars, font, size)

    def text(self, text, size, *, bold=False):
        for line in wrap(text, size, self.page_width - 2 * MARGIN, bold=bold):
            self._need(size * 1.4)
            self.y -= size * 1.2
            self.canvas.setFillColor(colors.black)
            self._draw(line, MARGIN, size, bold)
            self.y -= size * 0.3

    def _need(self, height, *, repeat_header=False):
        if self.y - height >= MARGIN:
            return
        self.canvas.showPage()
        self.y = self.page_height - MARGIN
        if repeat_header:
            self.row(self.header, bold=True)

    def row(self, values, *, bold=False):
        cells = [
            wrap(value, SIZE, width - 2 * PADDING, bold=bold)
            for value, width in zip(values, self.widths, strict=True)
        ]
        height = max(len(lines) for lines in cells) * LEADING + 2 * PADDING
        self._need(height, repeat_header=not bold)
        top = self.y
        x = MARGIN
        self.canvas.setFillColor(colors.black)
        for lines, width in zip(cells, self.widths, strict=True):
            self.y = top - PADDING
            for line in lines:
                self.y -= SIZE
                self._draw(line, x + PADDING, SIZE, bold)
                self.y -= LEADING - SIZE
            x += width
        self.y = top - height
        self.canvas.setStrokeColor(colors.lightgrey)
        self.canvas.setLineWidth(0.5)
        self.canvas.line(MARGIN, self.y, self.page_width - MARGIN, self.y)
