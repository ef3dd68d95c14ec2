"""The map of the poles: France's departments as a grid of square tiles, drawn in SVG.

A tile grid rather than shapes: nothing to download or to license, the page renders with no
network, and every department gets the same room (Paris and its inner suburbs stay big enough
to click). Each department sits at a hand-placed (row, column) that keeps it near its real
neighbours; Corsica is at the bottom right, the five overseas departments in a row of their
own. The template draws what :func:`department_map` and :func:`region_map` compute; the same
figures are given as a table under the map.
"""

import math
from dataclasses import dataclass, field

from django import forms
from django.db.models import Case, CharField, Count, Value, When
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from network import territories
from network.models import PoleDepartment

# Metropolitan France, north at the top: one line per row, one department code (or ".") per
# column. Hand-made from where each department lies; Paris's small neighbours get a tile each
# around it (95 and 93 north, 92 then 78 west, 77 east, 91 and 94 south), which pushes the
# Centre down by a row.
GRID = """
.  .  .  .  .  .  .  62 59 .  .  .
.  .  .  .  .  .  76 80 02 08 .  .
.  .  .  .  14 27 60 95 93 51 55 57
29 22 35 50 61 78 92 75 77 10 54 67
.  56 44 53 72 28 91 94 89 52 88 68
.  .  85 49 37 41 45 18 58 21 70 90
.  .  .  79 86 36 23 03 71 39 25 .
.  .  .  17 16 87 63 42 69 01 74 .
.  .  .  33 24 19 15 43 07 38 73 .
.  .  .  40 47 46 12 48 30 26 05 .
.  .  .  64 32 82 81 34 84 04 06 .
.  .  .  .  65 31 11 .  13 83 .  2B
.  .  .  .  .  09 66 .  .  .  .  2A
"""

#: The overseas departments, west to east, drawn in a row under metropolitan France.
OVERSEAS = ("971", "972", "973", "974", "976")

#: Side of a tile and the space between tiles, in SVG units.
TILE = 40
GAP = 4
STEP = TILE + GAP
#: Room under the overseas tiles for their names.
LABEL_HEIGHT = 18
#: Columns between two overseas tiles, so that their names fit.
OVERSEAS_SPACING = 2.5


def _cells(grid):
    cells = {}
    for row, line in enumerate(grid.strip().splitlines()):
        for column, code in enumerate(line.split()):
            if code != ".":
                if code in cells:
                    raise ValueError(f"{code} is twice in the grid")
                cells[code] = (row, column)
    return cells


#: department code → (row, column) of metropolitan France.
CELLS = _cells(GRID)
ROWS = max(row for row, _column in CELLS.values()) + 1
COLUMNS = max(column for _row, column in CELLS.values()) + 1
#: Where the overseas row starts: a blank row under metropolitan France, and a caption.
OVERSEAS_TOP = (ROWS + 1) * STEP
WIDTH = COLUMNS * STEP - GAP
HEIGHT = OVERSEAS_TOP + TILE + LABEL_HEIGHT


def _position(code):
    """The (x, y) of a department's tile, top left, in SVG units."""
    if code in CELLS:
        row, column = CELLS[code]
        return column * STEP, row * STEP
    # Half a column in, so that the first name under its tile is not cut at the edge.
    index = OVERSEAS.index(code)
    return round((0.5 + index * OVERSEAS_SPACING) * STEP), OVERSEAS_TOP


# The view ------------------------------------------------------------------------------------


class MapForm(forms.Form):
    """The map's view, read from the address: ``by`` department or region, and ``period``."""

    by = forms.ChoiceField(
        required=False,
        choices=[("department", "department"), ("region", "region")],
        error_messages={
            "invalid_choice": _(
                "The map is shown by department or by region: “%(value)s” was ignored."
            )
        },
    )
    period = forms.ChoiceField(
        required=False,
        choices=list(territories.PERIODS.items()),
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a period of the regions: the current regions are shown."
            )
        },
    )


# Counts ------------------------------------------------------------------------------------


def department_counts():
    """Poles per department code whose territory touches it (one query); absent means 0."""
    rows = PoleDepartment.objects.values("code").annotate(poles=Count("pole")).order_by()
    return {row["code"]: row["poles"] for row in rows}


def region_counts(period=territories.CURRENT):
    """Poles per region code of ``period`` (one query): a pole counts once per region."""
    region_of = Case(
        *(
            When(
                code__in=territories.departments_in_region(region.code, period),
                then=Value(region.code),
            )
            for region in territories.regions(period)
        ),
        output_field=CharField(),
    )
    rows = (
        PoleDepartment.objects.annotate(region=region_of)
        .values("region")
        .annotate(poles=Count("pole", distinct=True))
        .order_by()
    )
    return {row["region"]: row["poles"] for row in rows if row["region"]}


# Colours -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """A range of counts shown in one colour (CSS class ``b<index>``)."""

    index: int
    low: int
    #: None for the last, open-ended bucket.
    high: int | None

    @property
    def label(self):
        if self.high is None:
            return _("%(low)d or more") % {"low": self.low}
        if self.low == self.high:
            return str(self.low)
        return _("%(low)d to %(high)d") % {"low": self.low, "high": self.high}


def _round_up(value):
    """The smallest of 1, 2, 5, 10, 20, 50… that is at least ``value``."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10


def buckets(highest):
    """Five colour buckets for counts up to ``highest``: none, then four equal, round steps."""
    step = _round_up(max(1, math.ceil(highest / 4)))
    return [
        Bucket(0, 0, 0),
        Bucket(1, 1, step),
        Bucket(2, step + 1, 2 * step),
        Bucket(3, 2 * step + 1, 3 * step),
        Bucket(4, 3 * step + 1, None),
    ]


def bucket_of(count, scale):
    """The index of the bucket of ``scale`` (from :func:`buckets`) that ``count`` falls in."""
    return next(bucket.index for bucket in reversed(scale) if count >= bucket.low)


def poles_label(name, code, count):
    """E.g. "Rhône (69): 3 poles", the accessible name of a tile."""
    return ngettext(
        "%(name)s (%(code)s): %(count)d pole", "%(name)s (%(code)s): %(count)d poles", count
    ) % {"name": name, "code": code, "count": count}


# Layouts -------------------------------------------------------------------------------------


@dataclass
class Tile:
    code: str
    name: str
    x: int
    y: int
    overseas: bool

    # Where the template writes in the tile: code above, count below, or the count alone.
    @property
    def centre_x(self):
        return self.x + TILE // 2

    @property
    def code_y(self):
        return self.y + 16

    @property
    def count_y(self):
        return self.y + 34

    @property
    def middle_y(self):
        return self.y + TILE // 2 + 6

    @property
    def name_y(self):
        return self.y + TILE + 14


@dataclass
class Area:
    """A link of the map: one department, or one region and all its tiles."""

    code: str
    name: str
    count: int
    bucket: int
    href: str
    label: str
    tiles: list
    #: The tile that shows the count (a region's most central one).
    anchor: Tile
    #: The region's name, for the table (department view).
    region: str = ""
    #: The departments' codes, for the table (region view).
    departments: list = field(default_factory=list)


@dataclass
class Map:
    by: str
    period: str
    areas: list
    legend: list
    #: Line segments (x1, y1, x2, y2) between tiles of different regions.
    borders: list
    width: int = WIDTH
    height: int = HEIGHT
    tile: int = TILE
    overseas_top: int = OVERSEAS_TOP


def _tiles():
    tiles = {}
    for department in territories.departments():
        x, y = _position(department.code)
        tiles[department.code] = Tile(
            department.code, department.name, x, y, department.code not in CELLS
        )
    return tiles


def _directory(**params):
    return f"{reverse('network:directory')}?{urlencode(params)}"


def _region_of(period):
    return {
        code: region.code
        for region in territories.regions(period)
        for code in territories.departments_in_region(region.code, period)
    }


def _borders(region_of):
    """Segments between side-by-side tiles of different regions, drawn in the gap."""
    half = GAP // 2
    segments = []
    for code, (row, column) in CELLS.items():
        x, y = column * STEP, row * STEP
        right = _at(row, column + 1)
        below = _at(row + 1, column)
        if right and region_of[right] != region_of[code]:
            segments.append((x + TILE + half, y - half, x + TILE + half, y + TILE + half))
        if below and region_of[below] != region_of[code]:
            segments.append((x - half, y + TILE + half, x + TILE + half, y + TILE + half))
    return segments


_BY_CELL = {cell: code for code, cell in CELLS.items()}


def _at(row, column):
    return _BY_CELL.get((row, column))


def department_map():
    """The map by department: a tile per department, each linking to the filtered directory."""
    counts = department_counts()
    scale = buckets(max(counts.values(), default=0))
    region_of = _region_of(territories.CURRENT)
    regions = {region.code: region.name for region in territories.regions()}
    areas = []
    for code, tile in _tiles().items():
        count = counts.get(code, 0)
        areas.append(
            Area(
                code=code,
                name=tile.name,
                count=count,
                bucket=bucket_of(count, scale),
                href=_directory(department=code),
                label=poles_label(tile.name, code, count),
                tiles=[tile],
                anchor=tile,
                region=regions[region_of[code]],
            )
        )
    return Map("department", territories.CURRENT, areas, scale, _borders(region_of))


def region_map(period=territories.CURRENT):
    """The map by region of ``period``: each region's tiles form one link, in one colour."""
    counts = region_counts(period)
    scale = buckets(max(counts.values(), default=0))
    tiles = _tiles()
    region_of = _region_of(period)
    areas = []
    for region in territories.regions(period):
        codes = territories.departments_in_region(region.code, period)
        count = counts.get(region.code, 0)
        params = {"region": region.code}
        if period != territories.CURRENT:
            params["period"] = period
        members = [tiles[code] for code in codes]
        areas.append(
            Area(
                code=region.code,
                name=region.name,
                count=count,
                bucket=bucket_of(count, scale),
                href=_directory(**params),
                label=poles_label(region.name, region.code, count),
                tiles=members,
                anchor=_central(members),
                departments=codes,
            )
        )
    return Map("region", period, areas, scale, _borders(region_of))


def _central(tiles):
    """The tile nearest the middle of ``tiles``, where a region's count is written."""
    x = sum(tile.x for tile in tiles) / len(tiles)
    y = sum(tile.y for tile in tiles) / len(tiles)
    return min(tiles, key=lambda tile: ((tile.x - x) ** 2 + (tile.y - y) ** 2, tile.code))
