"""France's territories as INSEE codes: validation, names, and regions before and since 2016.

Communes, EPCI, departments and regions are checked against one vintage of the official
geographic code (``VINTAGE``), shipped as ``data/cog-2026.json.gz``: a slim copy of the npm
package ``@etalab/decoupage-administratif`` (see THIRD_PARTY.md; regenerate it with
``scripts/vendor_territories.py``). The file is read once per process.

Regions are dated: ``period="current"`` gives the 18 regions in force since 1 January 2016
(13 metropolitan, 5 overseas), ``period="2015"`` the 27 before (22 metropolitan, 5 overseas),
so that the directory can show a pole's region under either map.

Codes are normalised before any check: blanks dropped, letters upper-cased (``2a`` → ``2A``),
and the leading zero a spreadsheet strips put back (department ``1`` → ``01``, commune
``1053`` → ``01053``).
"""

import functools
import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common import french
from network.enums import TerritoryLevel

#: Year of the official geographic code the shipped data follows.
VINTAGE = 2026

DATA_FILE = Path(__file__).resolve().parent / "data" / f"cog-{VINTAGE}.json.gz"

CURRENT = "current"
BEFORE_2016 = "2015"
#: The two maps of regions, for a choice in the directory.
PERIODS = {CURRENT: _("Regions since 2016"), BEFORE_2016: _("Regions before 2016")}


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    name: str
    region_code: str


# The regions in force until 31 December 2015 and their departments.
# Source: INSEE, Code officiel géographique au 1er janvier 2015 (regions and departments).
# Loi n° 2015-29 du 16 janvier 2015 relative à la délimitation des régions merged them into the
# 13 metropolitan regions in force since 1 January 2016, whole regions only: each of these lies
# inside exactly one current region (tests/test_territories.py checks it against the data).
_REGIONS_2015 = {
    "01": ("Guadeloupe", ("971",)),
    "02": ("Martinique", ("972",)),
    "03": ("Guyane", ("973",)),
    "04": ("La Réunion", ("974",)),
    "06": ("Mayotte", ("976",)),
    "11": ("Île-de-France", ("75", "77", "78", "91", "92", "93", "94", "95")),
    "21": ("Champagne-Ardenne", ("08", "10", "51", "52")),
    "22": ("Picardie", ("02", "60", "80")),
    "23": ("Haute-Normandie", ("27", "76")),
    # Named Centre-Val de Loire by the same law.
    "24": ("Centre", ("18", "28", "36", "37", "41", "45")),
    "25": ("Basse-Normandie", ("14", "50", "61")),
    "26": ("Bourgogne", ("21", "58", "71", "89")),
    "31": ("Nord-Pas-de-Calais", ("59", "62")),
    "41": ("Lorraine", ("54", "55", "57", "88")),
    "42": ("Alsace", ("67", "68")),
    "43": ("Franche-Comté", ("25", "39", "70", "90")),
    "52": ("Pays de la Loire", ("44", "49", "53", "72", "85")),
    "53": ("Bretagne", ("22", "29", "35", "56")),
    "54": ("Poitou-Charentes", ("16", "17", "79", "86")),
    "72": ("Aquitaine", ("24", "33", "40", "47", "64")),
    "73": ("Midi-Pyrénées", ("09", "12", "31", "32", "46", "65", "81", "82")),
    "74": ("Limousin", ("19", "23", "87")),
    "82": ("Rhône-Alpes", ("01", "07", "26", "38", "42", "69", "73", "74")),
    "83": ("Auvergne", ("03", "15", "43", "63")),
    "91": ("Languedoc-Roussillon", ("11", "30", "34", "48", "66")),
    "93": ("Provence-Alpes-Côte d'Azur", ("04", "05", "06", "13", "83", "84")),
    "94": ("Corse", ("2A", "2B")),
}

_FORMATS = {
    TerritoryLevel.COMMUNE: re.compile(r"(?:[0-9]{2}|2[AB])[0-9]{3}"),
    TerritoryLevel.EPCI: re.compile(r"[0-9]{9}"),
    TerritoryLevel.DEPARTMENT: re.compile(r"[0-9]{2}|2[AB]|97[0-9]"),
    TerritoryLevel.REGION: re.compile(r"[0-9]{2}"),
}
# Codes whose leading zeros a spreadsheet drops: the length they should have.
_PADDED_LENGTH = {
    TerritoryLevel.COMMUNE: 5,
    TerritoryLevel.DEPARTMENT: 2,
    TerritoryLevel.REGION: 2,
}
_MALFORMED = {
    TerritoryLevel.COMMUNE: _(
        "“%(code)s” is not a commune code: an INSEE commune code has five characters, "
        "e.g. 69123 or 2A004."
    ),
    TerritoryLevel.EPCI: _(
        "“%(code)s” is not an EPCI code: use the SIREN number of the intercommunality, "
        "nine digits, e.g. 200046977."
    ),
    TerritoryLevel.DEPARTMENT: _("“%(code)s” is not a department code: e.g. 01, 69, 2A or 974."),
    TerritoryLevel.REGION: _("“%(code)s” is not a region code: two digits, e.g. 84."),
}
_UNKNOWN = {
    TerritoryLevel.COMMUNE: _("%(code)s is not a commune code in the %(vintage)s geographic code."),
    TerritoryLevel.EPCI: _(
        "%(code)s is not the SIREN number of an intercommunality (EPCI) in %(vintage)s."
    ),
    TerritoryLevel.DEPARTMENT: _(
        "%(code)s is not a department code in the %(vintage)s geographic code."
    ),
    TerritoryLevel.REGION: _("%(code)s is not a region code in the %(vintage)s geographic code."),
}


@dataclass(frozen=True, slots=True)
class _Tables:
    regions: dict  # code → Region
    departments: dict  # code → Department
    departments_by_region: dict  # region code → tuple of department codes
    communes: dict  # code → (name, department code), municipal arrondissements included
    former_communes: dict  # code → (name, code of the current commune it belongs to)
    epci: dict  # SIREN → (name, type, frozenset of department codes)
    regions_2015: dict  # code → Region
    departments_by_region_2015: dict  # region code → tuple of department codes
    region_2015_of: dict  # department code → region code


@functools.cache
def _tables():
    data = json.loads(gzip.decompress(DATA_FILE.read_bytes()))
    if data["vintage"] != VINTAGE:
        raise RuntimeError(f"{DATA_FILE} holds the {data['vintage']} code, not {VINTAGE}'s")
    departments = {
        code: Department(code, name, region) for code, name, region in data["departments"]
    }
    by_region = {}
    for department in departments.values():
        by_region.setdefault(department.region_code, []).append(department.code)
    communes = {
        code: (name, department)
        for code, name, department in data["communes"] + data["municipal_arrondissements"]
    }
    return _Tables(
        regions={code: Region(code, name) for code, name in data["regions"]},
        departments=departments,
        departments_by_region={code: tuple(sorted(codes)) for code, codes in by_region.items()},
        communes=communes,
        former_communes={code: (name, current) for code, name, current in data["former_communes"]},
        epci={
            code: (name, kind, frozenset(department_codes))
            for code, name, kind, department_codes in data["epci"]
        },
        regions_2015={code: Region(code, name) for code, (name, _d) in _REGIONS_2015.items()},
        departments_by_region_2015={
            code: tuple(sorted(codes)) for code, (_n, codes) in _REGIONS_2015.items()
        },
        region_2015_of={
            department: code for code, (_n, codes) in _REGIONS_2015.items() for department in codes
        },
    )


def attribution():
    """The credit the Licence Ouverte asks for, to show wherever territory names appear."""
    return _(
        "Territories: INSEE, official geographic code %(vintage)s, and DGCL "
        "(Licence Ouverte 2.0, via @etalab/decoupage-administratif)."
    ) % {"vintage": VINTAGE}


def _level(level):
    try:
        return TerritoryLevel(level)
    except ValueError:
        raise ValidationError(
            _("“%(level)s” is not a territory level: commune, epci, department or region."),
            code="invalid_territory_level",
            params={"level": _shown(level)},
        ) from None


def _shown(value):
    # The code as typed, cut short: an error message quoting a whole pasted paragraph helps nobody.
    text = str(value)
    return text if len(text) <= 20 else f"{text[:20]}…"


def normalise_code(level, code):
    """``code`` as stored and compared: no blanks, upper case, leading zeros restored."""
    level = _level(level)
    text = "".join(str("" if code is None else code).split()).upper()
    length = _PADDED_LENGTH.get(level)
    if length and text.isascii() and text.isdigit() and len(text) == length - 1:
        text = f"0{text}"
    return text


def _unknown(level, code):
    """The ValidationError for a well-formed ``code`` the geographic code does not know."""
    tables = _tables()
    params = {"code": code, "vintage": VINTAGE}
    message = _UNKNOWN[level]
    if level == TerritoryLevel.COMMUNE and code in tables.former_communes:
        former_name, current = tables.former_communes[code]
        message = _(
            "%(code)s is not a current commune in the %(vintage)s geographic code: "
            "%(former)s is now part %(of_current_name)s (%(current)s)."
        )
        params |= {
            "former": former_name,
            "current": current,
            "of_current_name": french.of(_commune(current), article=True),
        }
    elif level == TerritoryLevel.DEPARTMENT and code == "20":
        message = _(
            "%(code)s is not a department code in the %(vintage)s geographic code: "
            "Corsica's departments are 2A and 2B."
        )
    elif level == TerritoryLevel.REGION and code in tables.regions_2015:
        message = _(
            "%(code)s is not a region code in the %(vintage)s geographic code: until 2015 it "
            "was the code of %(former)s, now part %(of_current_name)s (%(current)s)."
        )
        department = tables.departments_by_region_2015[code][0]
        current = tables.regions[tables.departments[department].region_code]
        params |= {
            "former": tables.regions_2015[code].name,
            "current": current.code,
            "of_current_name": french.of(current.name, article=True),
        }
    return ValidationError(message, code="unknown_insee_code", params=params)


def _commune(code):
    return _tables().communes[code][0]


def _checked(level, code):
    """``(level, normalised code)``; raises ValidationError if either is not known."""
    level = _level(level)
    normalised = normalise_code(level, code)
    if not _FORMATS[level].fullmatch(normalised):
        raise ValidationError(
            _MALFORMED[level], code="malformed_insee_code", params={"code": _shown(code)}
        )
    tables = _tables()
    known = {
        TerritoryLevel.COMMUNE: tables.communes,
        TerritoryLevel.EPCI: tables.epci,
        TerritoryLevel.DEPARTMENT: tables.departments,
        TerritoryLevel.REGION: tables.regions,
    }[level]
    if normalised not in known:
        raise _unknown(level, normalised)
    return level, normalised


def validate_code(level, code):
    """Raise ValidationError unless ``code`` names a ``level`` area in the ``VINTAGE`` code.

    The error's code is ``malformed_insee_code`` when ``code`` cannot be such a code at all,
    ``unknown_insee_code`` when it could but does not exist (any longer), and
    ``invalid_territory_level`` when ``level`` is not a TerritoryLevel.
    """
    _checked(level, code)


def name(level, code):
    """The official name of the area, e.g. ``name("department", "2A") == "Corse-du-Sud"``.

    Raises ValidationError as ``validate_code`` does.
    """
    level, code = _checked(level, code)
    tables = _tables()
    if level == TerritoryLevel.COMMUNE:
        return tables.communes[code][0]
    if level == TerritoryLevel.EPCI:
        return tables.epci[code][0]
    if level == TerritoryLevel.DEPARTMENT:
        return tables.departments[code].name
    return tables.regions[code].name


def departments():
    """France's 101 departments, sorted by code (01 … 19, 21 … 29, 2A, 2B, 30 … 976)."""
    return sorted(_tables().departments.values(), key=lambda department: department.code)


def _period(period):
    if period not in PERIODS:
        raise ValueError(f"period must be {CURRENT!r} or {BEFORE_2016!r}, not {period!r}")
    return period


def regions(period=CURRENT):
    """The regions of ``period``, sorted by code: 18 current ones, or 27 for ``"2015"``."""
    tables = _tables()
    table = tables.regions if _period(period) == CURRENT else tables.regions_2015
    return sorted(table.values(), key=lambda region: region.code)


def region_of(department_code, period=CURRENT):
    """The Region the department belonged to in ``period``; ValidationError if unknown."""
    code = _checked(TerritoryLevel.DEPARTMENT, department_code)[1]
    tables = _tables()
    if _period(period) == CURRENT:
        return tables.regions[tables.departments[code].region_code]
    return tables.regions_2015[tables.region_2015_of[code]]


def departments_in_region(region_code, period=CURRENT):
    """Codes of the departments of the region of ``period``, sorted; ValidationError if unknown."""
    if _period(period) == CURRENT:
        code = _checked(TerritoryLevel.REGION, region_code)[1]
        return list(_tables().departments_by_region[code])
    code = normalise_code(TerritoryLevel.REGION, region_code)
    by_region = _tables().departments_by_region_2015
    if code not in by_region:
        raise ValidationError(
            _("%(code)s is not the code of a region before 2016."),
            code="unknown_insee_code",
            params={"code": _shown(region_code)},
        )
    return list(by_region[code])


def departments_of_area(level, code):
    """Codes of the departments the area touches (an EPCI may straddle several)."""
    level, code = _checked(level, code)
    tables = _tables()
    if level == TerritoryLevel.COMMUNE:
        return {tables.communes[code][1]}
    if level == TerritoryLevel.EPCI:
        return set(tables.epci[code][2])
    if level == TerritoryLevel.DEPARTMENT:
        return {code}
    return set(tables.departments_by_region[code])
