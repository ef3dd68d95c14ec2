"""The exports of an edition, in CSV or XLSX: its registrations, the participant list, its
figures.

- Registrations: every registration (or those the list's filters keep), with what an
  organiser needs to run the day; the details only the venue asks for are there while the
  edition asks for them and they are not deleted yet. An anonymised registration has its row,
  with its personal fields empty (:data:`registrations.privacy.PERSONAL_FIELDS`).
- Participant list: the confirmed people who agreed to appear in the public list, with the
  name and organisation the public page shows.
- Figures: counts only (:func:`ptce.dashboard.figures_table`, as they span registrations and
  admission), no personal data.

An export of personal data is recorded in the audit log (:func:`export`): the read, the line
and the file are made in one transaction, so a line exists exactly when a file was made.
Every cell goes through :mod:`common.spreadsheets`, whose one rule makes formulas inert.
Registrations are read in a fixed number of queries whatever their number, as tuples.
"""

from dataclasses import dataclass
from operator import itemgetter

from django.db import transaction
from django.db.models import FilteredRelation, Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts import audit
from accounts.enums import AuditAction
from common import spreadsheets
from common.text import fold
from events.enums import SecurityField
from network.enums import OrganisationKind
from registrations.enums import ADMITTED_AT_THE_DOOR, Diet, Language, RegistrationStatus, Source
from registrations.models import Registration
from registrations.organiser_forms import matching
from registrations.privacy import PERSONAL_FIELDS

CSV, XLSX = "csv", "xlsx"
FORMATS = (CSV, XLSX)
#: Rows fetched per round trip when registrations are read.
CHUNK = 2000


class UnknownFormat(ValueError):
    """The format asked for is neither CSV nor XLSX."""

    def __init__(self):
        super().__init__(_("Choose CSV or XLSX."))
        self.code = "unknown_format"


@dataclass(frozen=True)
class Table:
    """What a file holds: its name (without extension), the sheet's title, the header and
    the rows (lists of cell values), and how many people it names (None: none, figures)."""

    name: str
    title: str
    header: list
    rows: list
    people: int | None = None


def _label(model, name):
    return str(capfirst(model._meta.get_field(name).verbose_name))


#: Columns holding a code, and the choices that give its label.
_CODE_LABELS = {
    "language": Language,
    "organisation__kind": OrganisationKind,
    "status": RegistrationStatus,
    "diet": Diet,
    "source": Source,
}


def _labels(choices):
    """``{value: label}`` of a ``TextChoices``, translated once for the whole file; a choice's
    short label when it has one (the form's "say which below" is not for a file)."""
    return {choice.value: str(getattr(choice, "short_label", choice.label)) for choice in choices}


# Registrations ----------------------------------------------------------------------------


def described(filters):
    """``filters`` for the audit log: which were used, never the words searched (they may be
    a name)."""
    described = {name: value for name, value in filters.items() if name != "q"}
    if filters.get("q"):
        described["search"] = True
    return described


def venue_fields(edition):
    """The details only the venue asks for that the export shows: those the edition asks
    for, until the retention job deletes them."""
    if edition.venue_data_deleted_at is not None:
        return []
    return [field for field in SecurityField.values if edition.asks_for(field)]


def _registration_columns(edition):
    """``[(label, field path)]`` of the registrations export, in column order."""

    def field(name):
        return _label(Registration, name), name

    return [
        (_("Number"), "pk"),
        (_("Last name"), "last_name"),
        (_("First names"), "first_name"),
        field("badge_name"),
        field("email"),
        field("language"),
        field("job_title"),
        (_("Organisation"), "organisation_name"),
        (_("Organisation kind"), "organisation__kind"),
        (_("Category"), "category__name"),
        field("status"),
        (_("Place on the waiting list"), "waitlist_position"),
        field("created_at"),
        field("confirmed_at"),
        field("reconfirmed_at"),
        field("cancelled_at"),
        (_("Admitted at"), "admission__scanned_at"),
        (_("Entrance"), "admission__entrance__name"),
        field("diet"),
        field("dietary_notes"),
        field("accessibility_needs"),
        field("consent_public_list"),
        field("consent_photos"),
        field("consent_news"),
        field("source"),
        *(field(name) for name in venue_fields(edition)),
        field("anonymised_at"),
    ]


def _labelled(get, labels):
    def label(values):
        code = get(values)
        return labels.get(code, code)

    return label


def _getter(path, index, positions):
    """The function that gives the cell of column ``path`` from a row read (a tuple in the
    order of ``index``): labels for codes, and nothing personal on an anonymised row."""
    if path == "waitlist_position":
        pk = index["pk"]
        return lambda values: positions.get(values[pk])
    position, anonymised = index[path], index["anonymised_at"]
    labels = _CODE_LABELS.get(path)
    get = itemgetter(position)
    if labels:
        get = _labelled(get, _labels(labels))
    if path == "organisation_name":
        # The directory's organisation (kept for the figures), else the name as typed.
        directory = index["organisation__name"]
        return lambda values: (
            values[directory] or (None if values[anonymised] is not None else values[position])
        )
    if path in PERSONAL_FIELDS:
        return lambda values: None if values[anonymised] is not None else get(values)
    return get


def registrations_table(edition, filters=None):
    """The registrations export of ``edition`` (those ``filters`` keep): a :class:`Table`, in
    two queries (the edition's waiting list, then the rows, read by chunks from one query)."""
    filters = filters or {}
    columns = _registration_columns(edition)
    # The place on the waiting list is edition-wide, whatever the filters keep.
    waiting = Registration.objects.filter(edition=edition).waiting().values_list("pk", flat=True)
    positions = {pk: place for place, pk in enumerate(waiting, start=1)}
    read = [path for _label_, path in columns if path != "waitlist_position"]
    read += ["organisation__name", "anonymised_at"]
    rows = (
        matching(edition, filters)
        .annotate(
            admission=FilteredRelation(
                "checkins", condition=Q(checkins__result=ADMITTED_AT_THE_DOOR)
            )
        )
        .values_list(*read)
    )
    index = {path: position for position, path in enumerate(read)}
    getters = [_getter(path, index, positions) for _label_, path in columns]
    table = [[get(values) for get in getters] for values in rows.iterator(chunk_size=CHUNK)]
    return Table(
        name=f"inscriptions-{edition.slug}",
        title=_("Registrations"),
        header=[label for label, _path in columns],
        rows=table,
        people=len(table),
    )


# The participant list ------------------------------------------------------------------------


def participants_table(edition):
    """The confirmed people who agreed to the public list, by last name: the name the public
    participant page shows (the badge name, else the names as on the ID) and the
    organisation."""
    people = (
        Registration.objects.filter(edition=edition, consent_public_list=True, anonymised_at=None)
        .confirmed()
        .values_list(
            "pk", "last_name", "first_name", "badge_name", "organisation__name", "organisation_name"
        )
    )
    rows = sorted(
        people.iterator(chunk_size=CHUNK),
        key=lambda row: (fold(row[1]), fold(row[2]), row[0]),
    )
    table = [
        [badge_name or f"{first_name} {last_name}", directory_name or typed_name]
        for _pk, last_name, first_name, badge_name, directory_name, typed_name in rows
    ]
    return Table(
        name=f"participants-{edition.slug}",
        title=_("Participants"),
        header=[_("Name"), _("Organisation")],
        rows=table,
        people=len(table),
    )


# Files ---------------------------------------------------------------------------------------


def response(table, export_format):
    """``table`` as a CSV or XLSX attachment (:class:`UnknownFormat` for anything else)."""
    filename = f"{table.name}.{export_format}"
    if export_format == CSV:
        return spreadsheets.csv_response(filename, table.header, table.rows)
    if export_format == XLSX:
        sheet = spreadsheets.Sheet(table.title, table.header, table.rows)
        return spreadsheets.xlsx_response(filename, [sheet])
    raise UnknownFormat


def export(make_table, export_format, *, by, edition, detail=None):
    """An export of personal data: ``make_table()`` read, the file made and one audit line
    written (who, the file's name, how many people, ``detail`` with the format), all in one
    transaction. Returns the response. Raises :class:`UnknownFormat` before reading anything.
    """
    if export_format not in FORMATS:
        raise UnknownFormat
    with transaction.atomic():
        table = make_table()
        answer = response(table, export_format)
        audit.record(
            by,
            AuditAction.EXPORT,
            f"{table.name}.{export_format}",
            edition=edition,
            people=table.people,
            detail={**(detail or {}), "format": export_format},
        )
    return answer
