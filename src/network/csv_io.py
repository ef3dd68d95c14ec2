"""CSV import and export of the directory of poles.

The format
==========

One line per member of a pole; a pole whose members are not known has one line with the
member columns empty. The first line is the header: every column below must be there, once,
in any order (``COLUMNS`` holds them with their help text, shown on the import page).

- Pole: ``pole_nom`` (required), ``pole_siren``, ``pole_forme_juridique``,
  ``pole_personne_morale``, ``pole_ville``, ``pole_departement``, ``pole_site_web``,
  ``pole_fictif``, ``pole_annee_creation``, ``pole_secteurs`` (names separated by ``|``),
  ``pole_territoire`` (``level:INSEE code`` separated by ``|``, e.g.
  ``commune:69123|departement:69``; levels commune, epci, departement, region),
  ``pole_composition_declaree``, ``pole_description``.
- Member: ``membre_nom``, ``membre_siren``, ``membre_forme_juridique``,
  ``membre_personne_morale``, ``membre_ville``, ``membre_departement``, ``membre_site_web``,
  ``membre_fictif``, ``membre_categorie`` (article 9: a code such as ``ess_enterprise`` or its
  French label), ``membre_role``.
- Yes/no cells: ``oui`` or ``non`` (also o/n, 1/0, vrai/faux, yes/no, true/false).
- Legal forms: a code (``association``, ``cooperative``…) or its French label.

Who is who: an organisation (pole or member) is the same on every line that gives the same
name, give or take case and accents (its slug); in the database it is found by its SIREN when
the file gives one, else by that slug. Details repeated over several lines must agree where
they are not empty.

What a line changes:

- Organisation details (SIREN, legal form, legal person, town, department, website,
  fictional): an empty cell keeps what the directory knows, so a file need not repeat
  everything about an organisation that is also known elsewhere.
- A pole's own details (year, sectors, territory, composition declared, description) and its
  list of members: the file is the reference for every pole it names. An empty cell clears; a
  member that is not listed is removed. Poles the file does not name are not touched.
  Recognitions are not part of the format: they are kept as they are (edited in the admin).
- The territory's codes are checked against the shipped geographic code, so the vintage of
  a pole with a territory becomes ``territories.VINTAGE``.

Files: UTF-8 (with or without BOM) or Windows-1252, comma or semicolon between cells, at most
``MAX_BYTES`` bytes, ``MAX_LINES`` lines and ``MAX_LINE_CHARS`` characters a line. A cell that
starts with = + - @ (or a tab, a carriage return, or the full-width forms of the four) is
refused as a formula: a spreadsheet would run it. Text that really starts so is written with
an apostrophe first (``'-5 %``), as the export does; the import removes that apostrophe
(the one rule of :mod:`common.spreadsheets`). No cell of the format holds a signed number,
so ``-`` and ``+`` get no exception.

The export writes this format in UTF-8 with a BOM and semicolons (what the French edition of
Excel opens directly), codes rather than labels, and re-imports as it is.
"""

import csv
import functools
import io
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, override

from common import spreadsheets
from network import poles as pole_rules
from network import territories
from network.enums import LegalForm, MemberCategory, OrganisationKind, TerritoryLevel
from network.models import (
    LEGAL_PERSON_FORMS,
    Organisation,
    Pole,
    PoleMember,
    Sector,
    TerritoryArea,
    fold,
)
from network.validators import validate_siren

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 20_000
#: Characters a line may hold: a long description (5,000) and a territory of a few thousand
#: communes fit, a pasted book does not.
MAX_LINE_CHARS = 50_000
LIST_SEPARATOR = "|"
#: Rows read or written per query.
_BATCH = 500

_NAME_MAX = Organisation._meta.get_field("name").max_length
_SLUG_MAX = Organisation._meta.get_field("slug").max_length
_TOWN_MAX = Organisation._meta.get_field("town").max_length
_URL_MAX = Organisation._meta.get_field("website").max_length
_DESCRIPTION_MAX = Pole._meta.get_field("description").max_length
_ROLE_MAX = PoleMember._meta.get_field("role").max_length
_SECTOR_MAX = Sector._meta.get_field("name").max_length


@dataclass(frozen=True)
class Column:
    name: str
    help: str
    example: str = ""


COLUMNS = (
    Column("pole_nom", gettext_lazy("Name of the pole. Required."), "Pôle Exemple des Deux-Rives"),
    Column(
        "pole_siren",
        gettext_lazy("SIREN of the pole's legal person, nine digits. Finds the pole when given."),
        "732829320",
    ),
    Column(
        "pole_forme_juridique",
        gettext_lazy("Legal form of the pole: a code of the list below or its French label."),
        "association",
    ),
    Column(
        "pole_personne_morale",
        gettext_lazy("Whether the pole is a legal person: oui or non."),
        "oui",
    ),
    Column("pole_ville", gettext_lazy("Town of the pole."), "Villeurbanne"),
    Column("pole_departement", gettext_lazy("Department of the pole: INSEE code."), "69"),
    Column("pole_site_web", gettext_lazy("Website of the pole."), "https://exemple.org"),
    Column(
        "pole_fictif",
        gettext_lazy("oui for an invented pole (demonstration), shown as such."),
        "non",
    ),
    Column("pole_annee_creation", gettext_lazy("Year the pole was created, four digits."), "2012"),
    Column(
        "pole_secteurs",
        gettext_lazy("Sectors of activity, separated by |. New names are added to the list."),
        "Alimentation|Mobilité",
    ),
    Column(
        "pole_territoire",
        gettext_lazy(
            "Territory: level:INSEE code, separated by |. Levels: commune, epci, departement, "
            "region."
        ),
        "commune:69266|departement:69",
    ),
    Column(
        "pole_composition_declaree",
        gettext_lazy(
            "oui when the list of members is complete, so that the article 9 check can be made."
        ),
        "oui",
    ),
    Column("pole_description", gettext_lazy("What the pole does (5,000 characters at most)."), ""),
    Column(
        "membre_nom",
        gettext_lazy(
            "Name of the member organisation; empty on the line of a pole with no member."
        ),
        "Coopérative Exemple",
    ),
    Column("membre_siren", gettext_lazy("SIREN of the member. Finds it when given."), ""),
    Column("membre_forme_juridique", gettext_lazy("Legal form of the member."), "cooperative"),
    Column("membre_personne_morale", gettext_lazy("Whether the member is a legal person."), "oui"),
    Column("membre_ville", gettext_lazy("Town of the member."), ""),
    Column("membre_departement", gettext_lazy("Department of the member: INSEE code."), ""),
    Column("membre_site_web", gettext_lazy("Website of the member."), ""),
    Column("membre_fictif", gettext_lazy("oui for an invented member (demonstration)."), "non"),
    Column(
        "membre_categorie",
        gettext_lazy("Article 9 category of the member: a code of the list below or its label."),
        "ess_enterprise",
    ),
    Column("membre_role", gettext_lazy("Role of the member in the pole."), "membre fondateur"),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)

#: Organisation fields → the suffix of their pole_ and membre_ columns.
_ORGANISATION_COLUMNS = {
    "siren": "siren",
    "legal_form": "forme_juridique",
    "is_legal_person": "personne_morale",
    "town": "ville",
    "department_code": "departement",
    "website": "site_web",
    "is_fictional": "fictif",
}

_TRUE = {"oui", "o", "1", "vrai", "yes", "y", "true"}
_FALSE = {"non", "n", "0", "faux", "no", "false"}

_LEVELS = {
    "commune": TerritoryLevel.COMMUNE,
    "epci": TerritoryLevel.EPCI,
    "departement": TerritoryLevel.DEPARTMENT,
    "department": TerritoryLevel.DEPARTMENT,
    "region": TerritoryLevel.REGION,
}
_EXPORTED_LEVELS = {
    TerritoryLevel.COMMUNE: "commune",
    TerritoryLevel.EPCI: "epci",
    TerritoryLevel.DEPARTMENT: "departement",
    TerritoryLevel.REGION: "region",
}

# French labels accepted beside the codes (folded: no accents, lower case). The site's own
# French translations of the labels are accepted too (see _choices).
_FRENCH_CATEGORIES = {
    "entreprise de l'ess": MemberCategory.ESS_ENTERPRISE,
    "entreprise de l'economie sociale et solidaire": MemberCategory.ESS_ENTERPRISE,
    "entreprise ess": MemberCategory.ESS_ENTERPRISE,
    "entreprise": MemberCategory.ENTERPRISE,
    "entreprise hors ess": MemberCategory.ENTERPRISE,
    "collectivite territoriale": MemberCategory.LOCAL_AUTHORITY,
    "collectivite territoriale ou groupement": MemberCategory.LOCAL_AUTHORITY,
    "collectivite": MemberCategory.LOCAL_AUTHORITY,
    "centre de recherche": MemberCategory.RESEARCH_CENTRE,
    "etablissement d'enseignement superieur et de recherche": MemberCategory.HIGHER_EDUCATION,
    "enseignement superieur": MemberCategory.HIGHER_EDUCATION,
    "organisme de formation": MemberCategory.TRAINING_BODY,
    "autre personne physique ou morale": MemberCategory.OTHER_PERSON,
    "autre personne": MemberCategory.OTHER_PERSON,
    "autre": MemberCategory.OTHER_PERSON,
}
_FRENCH_LEGAL_FORMS = {
    "association": LegalForm.ASSOCIATION,
    "cooperative": LegalForm.COOPERATIVE,
    "mutuelle": LegalForm.MUTUAL,
    "fondation": LegalForm.FOUNDATION,
    "societe commerciale": LegalForm.COMMERCIAL_COMPANY,
    "personne publique": LegalForm.PUBLIC_BODY,
    "etablissement public": LegalForm.PUBLIC_BODY,
    "collectivite": LegalForm.PUBLIC_BODY,
    "autre": LegalForm.OTHER,
}
_FRENCH_SPELLINGS = {MemberCategory: _FRENCH_CATEGORIES, LegalForm: _FRENCH_LEGAL_FORMS}
#: The kind given to a member organisation the import creates, from its article 9 category.
_KIND_OF_CATEGORY = {
    MemberCategory.ESS_ENTERPRISE: OrganisationKind.ESS_ENTERPRISE,
    MemberCategory.ENTERPRISE: OrganisationKind.ENTERPRISE,
    MemberCategory.LOCAL_AUTHORITY: OrganisationKind.PUBLIC_BODY,
    MemberCategory.RESEARCH_CENTRE: OrganisationKind.RESEARCH_EDUCATION,
    MemberCategory.HIGHER_EDUCATION: OrganisationKind.RESEARCH_EDUCATION,
    MemberCategory.TRAINING_BODY: OrganisationKind.TRAINING_BODY,
    MemberCategory.OTHER_PERSON: OrganisationKind.OTHER,
}


# Results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineError:
    """One problem of an imported file.

    ``line`` is the file's line number as a spreadsheet shows it (the header is line 1),
    ``None`` for the file as a whole; ``column`` the column's name, empty for the whole line.
    ``code`` is stable.
    """

    line: int | None
    column: str
    message: str
    code: str


@dataclass
class ImportResult:
    """What an import did, or why it did nothing (``errors`` not empty)."""

    errors: list = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    #: Data lines read (the header aside).
    lines: int = 0
    #: Per kind of object ("organisations", "poles", "members", "sectors"): how many.
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)

    @property
    def ok(self):
        return not self.errors

    @property
    def file_errors(self):
        return [error for error in self.errors if error.line is None]

    @property
    def line_errors(self):
        return [error for error in self.errors if error.line is not None]

    @property
    def bad_lines(self):
        return sorted({error.line for error in self.line_errors})

    def summary(self):
        """E.g. "3 created, 1 updated, 0 removed"."""
        return _("%(created)d created, %(updated)d updated, %(removed)d removed") % {
            "created": sum(self.created.values()),
            "updated": sum(self.updated.values()),
            "removed": sum(self.removed.values()),
        }


class _FileRefused(Exception):
    """The file cannot be read as this format at all: one message, about the whole file."""

    def __init__(self, message, code):
        super().__init__(message)
        self.error = LineError(None, "", str(message), code)


# Cells ----------------------------------------------------------------------------------------


def _looks_like_formula(raw):
    return raw[:1] in ("\t", "\r") or raw.strip()[:1] in spreadsheets.FORMULA_STARTS


def _text(max_length):
    def parse(value):
        if len(value) > max_length:
            raise ValidationError(
                ngettext(
                    "At most %(max)d character (this one has %(length)d).",
                    "At most %(max)d characters (this one has %(length)d).",
                    max_length,
                )
                % {"max": max_length, "length": len(value)},
                code="too_long",
            )
        return value

    return parse


def _siren(value):
    validate_siren(value)
    return value.replace(" ", "")


def _boolean(value):
    folded = fold(value)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValidationError(_("Write oui or non."), code="invalid_boolean")


@functools.cache
def _accepted(enum):
    """Accepted spellings (folded) of ``enum``'s values: codes, English and French labels."""
    accepted = dict(_FRENCH_SPELLINGS[enum])
    for choice in enum:
        accepted[_key(choice.value)] = choice
        accepted[_key(choice.value.replace("_", " "))] = choice
        for language in ("en", "fr"):
            with override(language):
                accepted[_key(str(choice.label))] = choice
    return accepted


def _key(value):
    return fold(value).replace("\u2019", "'")


def _choice(enum, message):
    def parse(value):
        try:
            return _accepted(enum)[_key(value)]
        except KeyError:
            raise ValidationError(
                message % {"value": _shown(value), "codes": ", ".join(enum.values)},
                code="invalid_choice",
            ) from None

    return parse


_legal_form = _choice(
    LegalForm,
    gettext_lazy("“%(value)s” is not a legal form; use one of: %(codes)s."),
)
_category = _choice(
    MemberCategory,
    gettext_lazy("“%(value)s” is not an article 9 category; use one of: %(codes)s."),
)


def _department(value):
    territories.validate_code(TerritoryLevel.DEPARTMENT, value)
    return territories.normalise_code(TerritoryLevel.DEPARTMENT, value)


def _url(value):
    if "://" not in value:
        # As the admin does: an address typed without its scheme is an https one.
        value = f"https://{value}"
    if len(value) > _URL_MAX:
        raise ValidationError(_("At most %(max)d characters.") % {"max": _URL_MAX}, code="too_long")
    URLValidator(schemes=["http", "https"], message=_("This is not a web address."))(value)
    return value


def _year(value):
    this_year = timezone.localdate().year
    if not (len(value) == 4 and value.isascii() and value.isdigit()):
        raise ValidationError(_("A year has four digits, e.g. 2014."), code="invalid_year")
    if not 1900 <= int(value) <= this_year:
        raise ValidationError(
            _("The year must be between 1900 and %(year)d.") % {"year": this_year},
            code="invalid_year",
        )
    return int(value)


def _items(value):
    return [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]


def _sectors(value):
    """Sector names → {slug: name}."""
    sectors = {}
    for name in _items(value):
        _text(_SECTOR_MAX)(name)
        slug = slugify(name)[: Sector._meta.get_field("slug").max_length]
        if not slug:
            raise ValidationError(
                _("“%(value)s”: a sector's name needs letters or digits.")
                % {"value": _shown(name)},
                code="invalid_sector",
            )
        sectors.setdefault(slug, name)
    return sectors


def _territory(value):
    """``level:code|…`` → a frozenset of (level, normalised code); every bad item reported."""
    areas, problems = set(), []
    for item in _items(value):
        level_name, colon, code = item.partition(":")
        level = _LEVELS.get(fold(level_name))
        if not colon or level is None:
            problems.append(
                ValidationError(
                    _(
                        "“%(value)s” is not level:code, e.g. commune:69123 or departement:69 "
                        "(levels: commune, epci, departement, region)."
                    )
                    % {"value": _shown(item)},
                    code="invalid_territory_level",
                )
            )
            continue
        try:
            territories.validate_code(level, code)
        except ValidationError as error:
            problems.append(error)
            continue
        areas.add((level.value, territories.normalise_code(level, code)))
    if problems:
        raise ValidationError(problems)
    return frozenset(areas)


def _shown(value):
    return value if len(value) <= 40 else f"{value[:40]}…"


_PARSERS = {
    "nom": _text(_NAME_MAX),
    "siren": _siren,
    "forme_juridique": _legal_form,
    "personne_morale": _boolean,
    "ville": _text(_TOWN_MAX),
    "departement": _department,
    "site_web": _url,
    "fictif": _boolean,
    "annee_creation": _year,
    "secteurs": _sectors,
    "territoire": _territory,
    "composition_declaree": _boolean,
    "description": _text(_DESCRIPTION_MAX),
    "categorie": _category,
    "role": _text(_ROLE_MAX),
}


def _parser(column):
    return _PARSERS[column.split("_", 1)[1]]


# Reading the file -----------------------------------------------------------------------------


def _read_bytes(file):
    data = file.read(MAX_BYTES + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise _FileRefused(
            _("The file is larger than %(size)d MB: split it into several files.")
            % {"size": MAX_BYTES // (1024 * 1024)},
            "file_too_large",
        )
    return data


def _decode(data):
    """(text, encoding name): UTF-8 when the bytes are strictly UTF-8, else Windows-1252."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise _FileRefused(
            _("This is a spreadsheet workbook, not a CSV file: save it as “CSV UTF-8” first."),
            "not_csv",
        )
    unreadable = _FileRefused(
        _(
            "The file's characters cannot be read: save it as “CSV UTF-8” (or Windows-1252) "
            "from your spreadsheet."
        ),
        "undecodable",
    )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise unreadable
    try:
        text, encoding = data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            raise unreadable from None
    if "\x00" in text:
        raise unreadable
    return text, encoding


def _delimiter(header_line):
    try:
        return csv.Sniffer().sniff(header_line, delimiters=",;").delimiter
    except csv.Error:
        pass
    if "," in header_line or ";" in header_line:
        return ";" if header_line.count(";") >= header_line.count(",") else ","
    raise _FileRefused(
        _(
            "The columns must be separated by commas or semicolons, and the first line must "
            "name them: %(columns)s."
        )
        % {"columns": ", ".join(COLUMN_NAMES)},
        "wrong_delimiter",
    )


def _header(cells):
    names = [cell.strip().lstrip("\ufeff").casefold() for cell in cells]
    missing = [name for name in COLUMN_NAMES if name not in names]
    unknown = [name for name in names if name not in COLUMN_NAMES]
    repeated = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
    if unknown:
        problems.append(
            _("unknown columns: %(names)s") % {"names": ", ".join(_shown(n) for n in unknown)}
        )
    if repeated:
        problems.append(_("repeated columns: %(names)s") % {"names": ", ".join(repeated)})
    if problems:
        raise _FileRefused(
            _("The first line must name the columns of the format (%(problems)s).")
            % {"problems": "; ".join(problems)},
            "bad_header",
        )
    return names


def _records(text, result):
    """Yield (line number, column names, cells) of each data line.

    Lines are numbered as a spreadsheet numbers its rows: the header is line 1, and a cell
    holding several lines of text does not shift the numbers. Problems with the file as a
    whole raise _FileRefused; a line the CSV reader cannot read ends the reading, reported.
    """
    header_line = text.split("\n", 1)[0].rstrip("\r")
    if not header_line.strip():
        raise _FileRefused(_("The file is empty or its first line is blank."), "empty")
    result.delimiter = _delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=result.delimiter, strict=True)
    try:
        names = _header(next(reader))
        for cells in reader:
            result.lines += 1
            if result.lines > MAX_LINES:
                raise _FileRefused(
                    _("The file has more than %(max)s lines: split it into several files.")
                    % {"max": f"{MAX_LINES:,}".replace(",", "\u202f")},
                    "too_many_lines",
                )
            yield result.lines + 1, names, cells
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            message = _("This line is too long.")
        else:
            message = _("A cell's quotes are not closed or are misplaced (%(detail)s).") % {
                "detail": error
            }
        result.errors.append(LineError(result.lines + 2, "", message, "malformed_line"))


# Collecting the file's poles and organisations ---------------------------------------------


@dataclass
class _Value:
    value: object
    line: int
    column: str


@dataclass
class _Organisation:
    slug: str
    name: str
    line: int
    column: str
    is_pole: bool = False
    kind: str = OrganisationKind.OTHER
    #: field name → _Value, only the fields the file gives.
    details: dict = field(default_factory=dict)


@dataclass
class _Pole:
    slug: str
    line: int
    #: field name → _Value (empty cells ignored when merging lines).
    details: dict = field(default_factory=dict)
    #: member slug → (category, role, line)
    members: dict = field(default_factory=dict)


_POLE_FIELDS = {
    "creation_year": "pole_annee_creation",
    "sectors": "pole_secteurs",
    "territory": "pole_territoire",
    "composition_declared": "pole_composition_declaree",
    "description": "pole_description",
}


class _Import:
    """One import: the file's lines gathered into organisations and poles (``read_line``),
    matched with the directory (``resolve``), then written (``write``)."""

    def __init__(self, result):
        self.result = result
        self.organisations = {}  # slug → _Organisation
        self.poles = {}  # slug → _Pole
        self.sector_names = {}  # slug → name

    def error(self, line, column, message, code):
        self.result.errors.append(LineError(line, column, str(message), code))

    # Lines ------------------------------------------------------------------------------

    def read_line(self, number, names, cells):
        if not any(cell.strip() for cell in cells):
            return
        if len(cells) != len(names):
            self.error(
                number,
                "",
                _(
                    "This line has %(cells)d cells where the header has %(columns)d: check the "
                    "separators and quotes."
                )
                % {"cells": len(cells), "columns": len(names)},
                "wrong_cell_count",
            )
            return
        if sum(len(cell) for cell in cells) > MAX_LINE_CHARS:
            self.error(
                number,
                "",
                _("This line is longer than %(max)d characters.") % {"max": MAX_LINE_CHARS},
                "line_too_long",
            )
            return
        values, ok = {}, True
        for name, raw in zip(names, cells, strict=True):
            if _looks_like_formula(raw):
                self.error(
                    number,
                    name,
                    _(
                        "“%(value)s” looks like a formula. If it is text, start the cell with "
                        "an apostrophe (')."
                    )
                    % {"value": _shown(raw.strip())},
                    "formula",
                )
                ok = False
                continue
            value = spreadsheets.restore(raw.strip())
            if not value:
                continue
            try:
                values[name] = _parser(name)(value)
            except ValidationError as error:
                for problem in error.error_list:
                    for message in problem.messages:
                        self.error(number, name, message, problem.code or "invalid")
                ok = False
        if ok:
            self.collect(number, values)

    def collect(self, number, values):
        if "pole_nom" not in values:
            self.error(number, "pole_nom", _("The pole's name is required."), "required")
            return
        member_cells = [
            name for name in values if name.startswith("membre_") and name != "membre_nom"
        ]
        if "membre_nom" not in values and member_cells:
            self.error(
                number,
                "membre_nom",
                _("The member's name is required when other member cells are filled."),
                "required",
            )
            return
        if "membre_nom" in values and "membre_categorie" not in values:
            self.error(
                number,
                "membre_categorie",
                _("The member's article 9 category is required."),
                "required",
            )
            return
        pole_org = self.organisation(number, values, "pole_")
        if pole_org is None:
            return
        pole_org.is_pole = True
        pole_org.kind = OrganisationKind.POLE
        pole = self.poles.setdefault(pole_org.slug, _Pole(pole_org.slug, number))
        for field_name, column in _POLE_FIELDS.items():
            if column in values:
                self.merge(pole.details, field_name, _Value(values[column], number, column))
        for sector_slug, sector_name in values.get("pole_secteurs", {}).items():
            self.sector_names.setdefault(sector_slug, sector_name)
        if "membre_nom" not in values:
            return
        member = self.organisation(number, values, "membre_")
        if member is None:
            return
        category = values["membre_categorie"]
        if member.slug == pole.slug:
            self.error(
                number, "membre_nom", _("A pole cannot be a member of itself."), "self_member"
            )
        elif member.slug in pole.members:
            self.error(
                number,
                "membre_nom",
                _("This member is already listed for this pole on line %(line)d.")
                % {"line": pole.members[member.slug][2]},
                "repeated_member",
            )
        else:
            if not member.is_pole and member.kind == OrganisationKind.OTHER:
                member.kind = _KIND_OF_CATEGORY[category]
            pole.members[member.slug] = (category, values.get("membre_role", ""), number)

    def organisation(self, number, values, prefix):
        name = values[f"{prefix}nom"]
        slug = slugify(name)[:_SLUG_MAX]
        if not slug:
            self.error(number, f"{prefix}nom", _("A name needs letters or digits."), "invalid_name")
            return None
        organisation = self.organisations.setdefault(
            slug, _Organisation(slug, name, number, f"{prefix}nom")
        )
        for field_name, suffix in _ORGANISATION_COLUMNS.items():
            column = f"{prefix}{suffix}"
            if column in values:
                self.merge(organisation.details, field_name, _Value(values[column], number, column))
        return organisation

    def merge(self, details, field_name, new):
        known = details.get(field_name)
        if known is None:
            details[field_name] = new
        elif self._comparable(known.value) != self._comparable(new.value):
            self.error(
                new.line,
                new.column,
                _(
                    "This differs from line %(line)d (%(column)s) about the same organisation "
                    "or pole: the lines must agree."
                )
                % {"line": known.line, "column": known.column},
                "conflict",
            )

    @staticmethod
    def _comparable(value):
        return frozenset(value) if isinstance(value, dict) else value

    # The database -----------------------------------------------------------------------

    def resolve(self):
        """Match the file's organisations with the directory's: slug → Organisation or None."""
        slugs = list(self.organisations)
        sirens = [
            o.details["siren"].value for o in self.organisations.values() if "siren" in o.details
        ]
        by_slug, by_siren = {}, {}
        for organisation in _in_batches(Organisation.objects, "slug", slugs):
            by_slug[organisation.slug] = organisation
        for organisation in _in_batches(Organisation.objects, "siren", sirens):
            by_siren.setdefault(organisation.siren, []).append(organisation)

        matched, owners, siren_owners = {}, {}, {}
        for slug, wanted in self.organisations.items():
            siren_value = wanted.details.get("siren")
            found = None
            if siren_value is not None:
                first = siren_owners.setdefault(siren_value.value, wanted)
                if first is not wanted:
                    self.error(
                        siren_value.line,
                        siren_value.column,
                        _("Line %(line)d gives this SIREN to “%(name)s”: one SIREN, one name.")
                        % {"line": first.details["siren"].line, "name": first.name},
                        "repeated_siren",
                    )
                    continue
                candidates = by_siren.get(siren_value.value, [])
                if len(candidates) > 1:
                    same_slug = [o for o in candidates if o.slug == slug]
                    if not same_slug:
                        self.error(
                            siren_value.line,
                            siren_value.column,
                            _(
                                "Several organisations of the directory have this SIREN: "
                                "give the name of one of them (%(names)s)."
                            )
                            % {"names": ", ".join(o.name for o in candidates)},
                            "ambiguous_siren",
                        )
                        continue
                    candidates = same_slug
                found = candidates[0] if candidates else None
            if found is None and slug in by_slug:
                found = by_slug[slug]
                if siren_value is not None and found.siren and found.siren != siren_value.value:
                    self.error(
                        siren_value.line,
                        siren_value.column,
                        _(
                            "“%(name)s” is already in the directory with the SIREN %(siren)s. "
                            "If this is another organisation, give it another name."
                        )
                        % {"name": found.name, "siren": found.siren},
                        "siren_mismatch",
                    )
                    continue
            if found is not None:
                if found.pk in owners:
                    self.error(
                        wanted.line,
                        wanted.column,
                        _(
                            "This is the organisation of the directory named on line %(line)d "
                            "(“%(name)s”): write its name the same way on both lines."
                        )
                        % {"line": owners[found.pk].line, "name": found.name},
                        "same_organisation",
                    )
                    continue
                owners[found.pk] = wanted
            matched[slug] = found
        return matched

    # Writing ----------------------------------------------------------------------------

    def write(self, matched):
        """Write what differs; called inside a transaction, once everything was checked."""
        sectors = self.write_sectors()
        already_poles = set(
            _in_batches(
                Pole.objects.values_list("organisation_id", flat=True),
                "organisation_id",
                [o.pk for o in matched.values() if o is not None],
            )
        )
        organisations, legal_person_changed = self.write_organisations(matched, already_poles)

        existing = {
            pole.organisation_id: pole
            for pole in _in_batches(
                Pole.objects.select_related("organisation").prefetch_related(
                    "sectors", "territory", "members"
                ),
                "organisation_id",
                [organisations[slug].pk for slug in self.poles],
            )
        }
        new_poles = {
            slug: Pole(organisation=organisations[slug])
            for slug in self.poles
            if organisations[slug].pk not in existing
        }
        for slug, pole in new_poles.items():
            self.pole_fields(pole, self.poles[slug])
        Pole.objects.bulk_create(new_poles.values(), batch_size=_BATCH)
        self.result.created["poles"] += len(new_poles)

        changes = _Changes()
        touched = list(new_poles.values())
        for slug, wanted in self.poles.items():
            pole = new_poles.get(slug)
            if pole is not None:
                self.sectors_of(pole, wanted, sectors, changes, created=True)
                self.territory_of(pole, wanted, changes, created=True)
                self.members_of(pole, wanted, organisations, changes, created=True)
                continue
            pole = existing[organisations[slug].pk]
            changed_fields = self.pole_fields(pole, wanted)
            # Each step runs (no short-circuit): each records what it changes.
            related = [
                self.sectors_of(pole, wanted, sectors, changes, created=False),
                self.territory_of(pole, wanted, changes, created=False),
                self.members_of(pole, wanted, organisations, changes, created=False),
            ]
            if changed_fields or any(related):
                pole.save(update_fields=[*changed_fields, "updated_at"])
                self.result.updated["poles"] += 1
                touched.append(pole)
        changes.apply(self.result)

        # A member that became (or ceased to be) a legal person changes the check of every
        # pole it belongs to, in the file or not.
        others = (
            Pole.objects.filter(
                Q(organisation_id__in=legal_person_changed)
                | Q(members__organisation_id__in=legal_person_changed)
            )
            .exclude(pk__in=[pole.pk for pole in touched])
            .distinct()
            .select_related("organisation")
        )
        for pole in [*touched, *others]:
            pole_rules.refresh(pole)

    def write_sectors(self):
        # A few dozen sectors: all read, and found by slug or by the slug of their name (the
        # admin may have given one a slug of its own).
        existing = {}
        for sector in Sector.objects.all():
            existing.setdefault(sector.slug, sector)
            existing.setdefault(slugify(sector.name), sector)
        for slug, name in self.sector_names.items():
            if slug not in existing:
                existing[slug] = Sector.objects.create(name=name, slug=slug)
                self.result.created["sectors"] += 1
        return existing

    def write_organisations(self, matched, already_poles):
        """Create or update the file's organisations; return them by slug, and the ids of
        those whose legal person changed."""
        organisations, new, legal_person_changed = {}, [], set()
        for slug, wanted in self.organisations.items():
            values = {name: value.value for name, value in wanted.details.items()}
            organisation = matched.get(slug)
            if organisation is None:
                organisation = Organisation(
                    name=wanted.name, slug=wanted.slug, kind=wanted.kind, **values
                )
                new.append(_as_saved(organisation))
                organisations[slug] = organisation
                continue
            organisations[slug] = organisation
            target = dict(values, name=wanted.name)
            if wanted.is_pole and organisation.pk not in already_poles:
                target["kind"] = OrganisationKind.POLE
            changed = [
                name for name, value in target.items() if getattr(organisation, name) != value
            ]
            if changed:
                if "is_legal_person" in changed:
                    legal_person_changed.add(organisation.pk)
                for name in changed:
                    setattr(organisation, name, target[name])
                organisation.save(update_fields=changed)
                self.result.updated["organisations"] += 1
        Organisation.objects.bulk_create(new, batch_size=_BATCH)
        self.result.created["organisations"] += len(new)
        return organisations, legal_person_changed

    def pole_fields(self, pole, wanted):
        """Set the pole's own fields from the file; return the names of those that changed."""
        details = {name: value.value for name, value in wanted.details.items()}
        target = {
            "description": details.get("description", ""),
            "creation_year": details.get("creation_year"),
            "composition_declared": details.get("composition_declared", False),
        }
        if details.get("territory"):
            target["geo_vintage"] = territories.VINTAGE
        changed = [name for name, value in target.items() if getattr(pole, name) != value]
        for name in changed:
            setattr(pole, name, target[name])
        return changed

    def sectors_of(self, pole, wanted, sectors, changes, *, created):
        value = wanted.details.get("sectors")
        target = {sectors[slug].pk for slug in (value.value if value else {})}
        current = set() if created else {sector.pk for sector in pole.sectors.all()}
        changes.sector_links += [
            Pole.sectors.through(pole_id=pole.pk, sector_id=pk) for pk in target - current
        ]
        changes.stale_sector_links += [(pole.pk, pk) for pk in current - target]
        return target != current

    def territory_of(self, pole, wanted, changes, *, created):
        value = wanted.details.get("territory")
        target = set(value.value) if value else set()
        current = {} if created else {(a.level, a.code): a.pk for a in pole.territory.all()}
        changes.areas += [
            TerritoryArea(pole=pole, level=level, code=code)
            for level, code in target - set(current)
        ]
        changes.stale_areas += [pk for area, pk in current.items() if area not in target]
        return target != set(current)

    def members_of(self, pole, wanted, organisations, changes, *, created):
        target = {
            organisations[slug].pk: (category, role)
            for slug, (category, role, _line) in wanted.members.items()
        }
        current = {} if created else {m.organisation_id: m for m in pole.members.all()}
        stale = [member.pk for org_id, member in current.items() if org_id not in target]
        changes.stale_members += stale
        changed = bool(stale)
        for org_id, (category, role) in target.items():
            member = current.get(org_id)
            if member is None:
                changes.members.append(
                    PoleMember(pole=pole, organisation_id=org_id, category=category, role=role)
                )
                changed = True
            elif (member.category, member.role) != (category, role):
                member.category, member.role = category, role
                member.save(update_fields=["category", "role"])
                self.result.updated["members"] += 1
                changed = True
        return changed


@dataclass
class _Changes:
    """Rows to insert or delete, gathered over all poles to be written a few hundred at a time."""

    sector_links: list = field(default_factory=list)
    stale_sector_links: list = field(default_factory=list)
    areas: list = field(default_factory=list)
    stale_areas: list = field(default_factory=list)
    members: list = field(default_factory=list)
    stale_members: list = field(default_factory=list)

    def apply(self, result):
        links = Pole.sectors.through.objects
        for pole_id, sector_id in self.stale_sector_links:
            links.filter(pole_id=pole_id, sector_id=sector_id).delete()
        for start in range(0, len(self.stale_areas), _BATCH):
            TerritoryArea.objects.filter(pk__in=self.stale_areas[start : start + _BATCH]).delete()
        for start in range(0, len(self.stale_members), _BATCH):
            PoleMember.objects.filter(pk__in=self.stale_members[start : start + _BATCH]).delete()
        links.bulk_create(self.sector_links, batch_size=_BATCH)
        TerritoryArea.objects.bulk_create(self.areas, batch_size=_BATCH)
        PoleMember.objects.bulk_create(self.members, batch_size=_BATCH)
        result.removed["members"] += len(self.stale_members)
        result.created["members"] += len(self.members)


def _as_saved(organisation):
    """``organisation`` with the fields its save() derives, for bulk_create (which skips it)."""
    if organisation.legal_form in LEGAL_PERSON_FORMS and organisation.is_legal_person is None:
        organisation.is_legal_person = True
    organisation.search_text = fold(f"{organisation.name} {organisation.town}")
    return organisation


def _in_batches(queryset, field_name, values, size=_BATCH):
    """``queryset`` filtered on ``field_name`` in ``values``, a few hundred at a time."""
    values = list(values)
    for start in range(0, len(values), size):
        yield from queryset.filter(**{f"{field_name}__in": values[start : start + size]})


def import_poles(file, *, by):
    """Import the poles and members of the CSV ``file`` (binary), for user ``by``.

    Every line is checked first; if anything is wrong nothing is written and the result lists
    every error with its line and column. Otherwise, in one transaction: creates or updates
    the organisations, poles, sectors, territories and memberships the file names (removing
    the memberships of those poles it does not list), then refreshes the derived data of each
    pole that changed (``network.poles.refresh``). Writes only what differs, so importing the
    same file twice changes nothing the second time. Logs a line with the counts.
    Returns an :class:`ImportResult`.
    """
    result = ImportResult()
    job = _Import(result)
    try:
        text, result.encoding = _decode(_read_bytes(file))
        for number, names, cells in _records(text, result):
            job.read_line(number, names, cells)
    except _FileRefused as refused:
        result.errors = [refused.error]
        return result
    if not result.errors and not job.poles:
        result.errors.append(
            LineError(None, "", _("The file has no pole: only its header line."), "empty")
        )
    matched = job.resolve()
    if result.errors:
        return result
    try:
        with transaction.atomic():
            job.write(matched)
    except IntegrityError:
        # Another import (or an admin) created the same organisation meanwhile.
        result.created.clear(), result.updated.clear(), result.removed.clear()
        result.errors.append(
            LineError(
                None,
                "",
                _("The directory changed during the import: nothing was imported. Try again."),
                "conflict",
            )
        )
        return result
    logger.info(
        "Directory import by %s: %d lines, created %s, updated %s, removed %s",
        by,
        result.lines,
        dict(result.created),
        dict(result.updated),
        dict(result.removed),
    )
    return result


# Export ---------------------------------------------------------------------------------------


def _yes_no(value):
    return {True: "oui", False: "non", None: ""}[value]


def _organisation_cells(prefix, organisation):
    return {
        f"{prefix}nom": organisation.name,
        f"{prefix}siren": organisation.siren,
        f"{prefix}forme_juridique": organisation.legal_form,
        f"{prefix}personne_morale": _yes_no(organisation.is_legal_person),
        f"{prefix}ville": organisation.town,
        f"{prefix}departement": organisation.department_code,
        f"{prefix}site_web": organisation.website,
        f"{prefix}fictif": _yes_no(organisation.is_fictional),
    }


_NO_MEMBER = dict.fromkeys((name for name in COLUMN_NAMES if name.startswith("membre_")), "")


def export_rows():
    """The directory as rows of cells (lists of str), in the order of ``COLUMN_NAMES``."""
    queryset = (
        Pole.objects.select_related("organisation")
        .prefetch_related("sectors", "territory", "members__organisation")
        .order_by("organisation__search_text", "pk")
    )
    for pole in queryset.iterator(chunk_size=500):
        cells = _organisation_cells("pole_", pole.organisation) | {
            "pole_annee_creation": str(pole.creation_year or ""),
            "pole_secteurs": LIST_SEPARATOR.join(sector.name for sector in pole.sectors.all()),
            "pole_territoire": LIST_SEPARATOR.join(
                f"{_EXPORTED_LEVELS[area.level]}:{area.code}" for area in pole.territory.all()
            ),
            "pole_composition_declaree": _yes_no(pole.composition_declared),
            "pole_description": pole.description,
        }
        for member in pole.members.all() or [None]:
            row = cells | _NO_MEMBER
            if member is not None:
                row |= _organisation_cells("membre_", member.organisation) | {
                    "membre_categorie": member.category,
                    "membre_role": member.role,
                }
            yield [row[name] for name in COLUMN_NAMES]


def export_response(filename):
    """The export as a CSV attachment, streamed as it is read: UTF-8 with a BOM, ";" between
    cells, formulas neutralised (:mod:`common.spreadsheets`)."""
    return spreadsheets.csv_response(filename, COLUMN_NAMES, export_rows(), streaming=True)
