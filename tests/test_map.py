"""The map of the poles: the tile grid, the counts, the SVG links and the table."""

import re

import pytest

from network import map as pole_map
from network import poles, territories
from network.enums import TerritoryLevel
from tests.factories import OrganisationFactory, PoleFactory, TerritoryAreaFactory


def make_pole(name, *codes, level=TerritoryLevel.DEPARTMENT):
    pole = PoleFactory(organisation=OrganisationFactory(name=name))
    for code in codes:
        TerritoryAreaFactory(pole=pole, level=level, code=code)
    poles.refresh(pole)
    return pole


def get(client, path="/poles/carte/", **params):
    response = client.get(path, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def tiles(html):
    """Each link of the SVG: (class, href, accessible name: its title)."""
    svg = html[html.index("<svg") : html.index("</svg>")]
    return re.findall(r'<a class="area (b\d)" href="([^"]+)"><title>([^<]+)</title>', svg)


def rows(html):
    """The table's body rows, as lists of cell texts."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        [
            re.sub(r"<[^>]+>", "", cell)
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


# The grid ----------------------------------------------------------------------------------


def test_every_department_is_on_the_map_exactly_once():
    codes = [department.code for department in territories.departments()]
    placed = [*pole_map.CELLS, *pole_map.OVERSEAS]

    assert len(pole_map.CELLS) == 96
    assert sorted(placed) == sorted(codes)
    assert len(placed) == len(set(placed))


def test_no_two_departments_share_a_cell():
    cells = list(pole_map.CELLS.values())

    assert len(cells) == len(set(cells))


def test_no_two_tiles_overlap_and_all_fit_in_the_picture():
    positions = {code: pole_map._position(code) for code in [*pole_map.CELLS, *pole_map.OVERSEAS]}

    assert len(set(positions.values())) == 101
    for code, (x, y) in positions.items():
        assert 0 <= x <= pole_map.WIDTH - pole_map.TILE, code
        assert 0 <= y <= pole_map.HEIGHT - pole_map.TILE, code
        for other, (x2, y2) in positions.items():
            if other != code:
                assert abs(x - x2) >= pole_map.STEP or abs(y - y2) >= pole_map.STEP, (code, other)


def neighbours(code):
    row, column = pole_map.CELLS[code]
    return {
        other
        for other, (row2, column2) in pole_map.CELLS.items()
        if other != code and abs(row - row2) <= 1 and abs(column - column2) <= 1
    }


def test_grid_keeps_paris_among_its_inner_suburbs():
    assert {"92", "93", "94", "95"} <= neighbours("75")


@pytest.mark.parametrize(
    ("north", "south"),
    [
        ("62", "80"),
        ("76", "60"),
        ("14", "61"),
        ("22", "56"),
        ("69", "07"),
        ("33", "40"),
        ("11", "66"),
    ],
)
def test_grid_puts_north_above_south(north, south):
    assert pole_map.CELLS[north][0] < pole_map.CELLS[south][0]


@pytest.mark.parametrize(
    ("west", "east"), [("29", "22"), ("33", "24"), ("64", "32"), ("13", "83"), ("67", "68")]
)
def test_grid_puts_west_left_of_east(west, east):
    assert pole_map.CELLS[west][1] <= pole_map.CELLS[east][1]


def test_corsica_is_at_the_bottom_right():
    last_column = max(column for _row, column in pole_map.CELLS.values())

    assert pole_map.CELLS["2B"] == (pole_map.ROWS - 2, last_column)
    assert pole_map.CELLS["2A"] == (pole_map.ROWS - 1, last_column)


def test_each_current_region_is_one_block_of_touching_tiles():
    """No region is cut in two on the grid (overseas regions are one tile each)."""
    for region in territories.regions():
        codes = set(territories.departments_in_region(region.code)) & set(pole_map.CELLS)
        if not codes:
            continue
        reached, todo = set(), [min(codes)]
        while todo:
            code = todo.pop()
            if code not in reached:
                reached.add(code)
                todo.extend(neighbours(code) & codes)
        assert reached == codes, region.name


# Buckets -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("highest", "labels"),
    [
        (0, ["0", "1", "2", "3", "4 ou plus"]),
        (3, ["0", "1", "2", "3", "4 ou plus"]),
        (7, ["0", "de 1 à 2", "de 3 à 4", "de 5 à 6", "7 ou plus"]),
        (40, ["0", "de 1 à 10", "de 11 à 20", "de 21 à 30", "31 ou plus"]),
        (150, ["0", "de 1 à 50", "de 51 à 100", "de 101 à 150", "151 ou plus"]),
    ],
)
def test_buckets_are_round_steps_up_to_the_highest_count(highest, labels):
    assert [str(bucket.label) for bucket in pole_map.buckets(highest)] == labels


@pytest.mark.parametrize(
    ("count", "index"), [(0, 0), (1, 1), (10, 1), (11, 2), (30, 3), (31, 4), (500, 4)]
)
def test_count_falls_in_its_bucket(count, index):
    assert pole_map.bucket_of(count, pole_map.buckets(40)) == index


# Counts ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_department_counts_count_every_department_a_pole_touches():
    make_pole("Pôle Rhône", "69")
    make_pole("Pôle Deux", "69", "42")
    make_pole("Pôle Commune", "42218", level=TerritoryLevel.COMMUNE)
    make_pole("Pôle Sans Territoire")

    assert pole_map.department_counts() == {"69": 2, "42": 2}


@pytest.mark.django_db
def test_region_counts_count_a_pole_once_per_region():
    make_pole("Pôle Deux", "69", "42")
    make_pole("Pôle Savoie", "73")
    make_pole("Pôle Deux Régions", "69", "80")

    assert pole_map.region_counts() == {"84": 3, "32": 1}
    assert pole_map.region_counts("2015") == {"82": 3, "22": 1}


# The page, by department -------------------------------------------------------------------


@pytest.fixture
def spread(db):
    make_pole("Pôle Rhône", "69")
    make_pole("Pôle Deux", "69", "42")
    make_pole("Pôle Réunion", "974")


@pytest.mark.usefixtures("spread")
def test_map_links_every_department_to_the_filtered_directory(client):
    found = tiles(get(client))

    assert len(found) == 101
    assert ("b2", "/poles/?department=69", "Rhône (69): 2 poles") in found
    assert ("b1", "/poles/?department=42", "Loire (42): 1 pole") in found
    assert ("b1", "/poles/?department=974", "La Réunion (974): 1 pole") in found
    assert ("b0", "/poles/?department=2A", "Corse-du-Sud (2A): 0 poles") in found


@pytest.mark.usefixtures("spread")
def test_tile_writes_its_code_and_count(client):
    html = get(client)

    tile = re.search(r'<a class="area b2" href="/poles/\?department=69".*?</a>', html, re.S)[0]
    x, y = pole_map._position("69")
    assert f'<rect x="{x}" y="{y}" width="40" height="40" rx="3"/>' in tile
    assert f'<text class="tile-code" x="{x + 20}" y="{y + 16}">69</text>' in tile
    assert f'<text class="tile-count" x="{x + 20}" y="{y + 34}">2</text>' in tile


@pytest.mark.usefixtures("spread")
def test_legend_gives_each_colour_its_range(client):
    html = get(client)

    legend = html[html.index('class="map-legend"') :]
    assert re.findall(
        r'<span class="swatch (b\d)" aria-hidden="true"></span> ([^<]+)</li>', legend
    ) == [
        ("b0", "0"),
        ("b1", "1"),
        ("b2", "2"),
        ("b3", "3"),
        ("b4", "4 or more"),
    ]


@pytest.mark.usefixtures("spread")
def test_table_gives_the_same_figures_as_the_map(client):
    html = get(client)

    assert '<caption id="tableau-titre">Poles by department</caption>' in html
    assert re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', html) == [
        "Department",
        "Code",
        "Region",
        "Poles",
        "Directory",
    ]
    table = rows(html)
    assert len(table) == 101
    assert ["Rhône", "69", "Auvergne-Rhône-Alpes", "2", "List — Rhône"] in table
    assert ["Mayotte", "976", "Mayotte", "0", "List — Mayotte"] in table
    assert '<th scope="row">Rhône</th>' in html
    assert (
        '<a href="/poles/?department=69">List<span class="visually-hidden"> — Rhône</span></a>'
        in html
    )


def test_map_page_has_no_inline_style(client, db):
    html = get(client)

    assert "style=" not in html
    assert "<style" not in html
    assert "<script" not in html


@pytest.mark.parametrize("count", [1, 3])
def test_map_query_count_does_not_grow_with_poles(client, db, django_assert_num_queries, count):
    for number in range(count):
        make_pole(f"Pôle Exemple {number}", "69", "42", "80")

    with django_assert_num_queries(1):
        get(client)
    with django_assert_num_queries(1):
        get(client, by="region")


# The page, by region -----------------------------------------------------------------------


@pytest.mark.usefixtures("spread")
def test_region_view_links_each_region_once(client):
    html = get(client, by="region")

    found = tiles(html)
    assert len(found) == 18
    assert ("b2", "/poles/?region=84", "Auvergne-Rhône-Alpes (84): 2 poles") in found
    assert ("b1", "/poles/?region=04", "La Réunion (04): 1 pole") in found
    assert ("b0", "/poles/?region=94", "Corse (94): 0 poles") in found
    region = re.search(r'<a class="area b2" href="/poles/\?region=84".*?</a>', html, re.S)[0]
    assert region.count("<rect ") == 12
    assert region.count("<text ") == 1
    assert [
        "Auvergne-Rhône-Alpes",
        "84",
        "01, 03, 07, 15, 26, 38, 42, 43, 63, 69, 73, 74",
        "2",
        "List — Auvergne-Rhône-Alpes",
    ] in rows(html)
    assert '<a href="/poles/carte/?by=region" aria-current="page">By region</a>' in html


@pytest.mark.usefixtures("spread")
def test_region_view_before_2016_links_with_the_period(client):
    html = get(client, by="region", period="2015")

    found = tiles(html)
    assert len(found) == 27
    assert ("b2", "/poles/?region=82&amp;period=2015", "Rhône-Alpes (82): 2 poles") in found
    assert '<caption id="tableau-titre">Poles by region before 2016</caption>' in html


@pytest.mark.usefixtures("spread")
def test_region_link_lists_the_same_poles_in_the_directory(client):
    html = client.get("/poles/", {"region": "82", "period": "2015"}).content.decode()

    assert re.findall(r'<h3 class="pole-card-title"><a href="[^"]+">([^<]+)</a>', html) == [
        "Pôle Deux",
        "Pôle Rhône",
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"by": "commune"}, "The map is shown by department or by region: “commune” was ignored."),
        (
            {"by": "region", "period": "1789"},
            "“1789” is not a period of the regions: the current regions are shown.",
        ),
    ],
)
def test_bad_view_is_reported_and_a_map_shown(client, db, params, message):
    html = get(client, **params)

    assert f"<li>{message}</li>" in html
    assert len(tiles(html)) in (101, 18)
