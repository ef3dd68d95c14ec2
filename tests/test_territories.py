import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from network import territories
from network.enums import TerritoryLevel
from network.models import PoleDepartment, TerritoryArea
from network.poles import refresh_departments
from tests.factories import PoleFactory, TerritoryAreaFactory


@pytest.fixture(autouse=True)
def english():
    """Messages are compared with their English msgids; test_translations.py checks French."""
    with translation.override("en"):
        yield


COMMUNE = TerritoryLevel.COMMUNE
EPCI = TerritoryLevel.EPCI
DEPARTMENT = TerritoryLevel.DEPARTMENT
REGION = TerritoryLevel.REGION

METROPOLE_DE_LYON = "200046977"
GRAND_PARIS = "200054781"
PLAINE_COMMUNE = "200057867"  # an EPT of the Grand Paris
BEAUNE_CHAGNY_NOLAY = "200006682"  # an agglomeration over Côte-d'Or and Saône-et-Loire

# Which current region each pre-2016 region was merged into (loi n° 2015-29).
MERGED_INTO = {
    "01": "01",
    "02": "02",
    "03": "03",
    "04": "04",
    "06": "06",
    "11": "11",
    "21": "44",
    "22": "32",
    "23": "28",
    "24": "24",
    "25": "28",
    "26": "27",
    "31": "32",
    "41": "44",
    "42": "44",
    "43": "27",
    "52": "52",
    "53": "53",
    "54": "75",
    "72": "75",
    "73": "76",
    "74": "75",
    "82": "84",
    "83": "84",
    "91": "76",
    "93": "93",
    "94": "94",
}


def error(level, code):
    with pytest.raises(ValidationError) as caught:
        territories.validate_code(level, code)
    return caught.value.code, caught.value.messages


def test_vintage_is_the_2026_geographic_code():
    assert territories.VINTAGE == 2026


def test_vendored_file_is_under_one_megabyte():
    assert territories.DATA_FILE.name == "cog-2026.json.gz"
    assert territories.DATA_FILE.stat().st_size < 1_000_000


@pytest.mark.parametrize(
    ("level", "code"),
    [
        (COMMUNE, "69123"),  # Lyon
        (COMMUNE, "2A004"),  # Ajaccio
        (COMMUNE, "97411"),  # Saint-Denis, La Réunion
        (COMMUNE, "97611"),  # Mamoudzou, Mayotte
        (COMMUNE, "13203"),  # a municipal arrondissement of Marseille
        (EPCI, METROPOLE_DE_LYON),
        (EPCI, GRAND_PARIS),
        (EPCI, PLAINE_COMMUNE),
        (DEPARTMENT, "01"),
        (DEPARTMENT, "2A"),
        (DEPARTMENT, "2B"),
        (DEPARTMENT, "976"),
        (REGION, "84"),
        (REGION, "06"),
        (REGION, "94"),
    ],
)
def test_validate_code_accepts_codes_of_the_vintage(level, code):
    assert territories.validate_code(level, code) is None


@pytest.mark.parametrize(
    ("level", "typed", "normalised"),
    [
        (COMMUNE, " 2a004 ", "2A004"),
        (COMMUNE, "1053", "01053"),  # a spreadsheet dropped the leading zero of Bourg-en-Bresse
        (EPCI, "200 046 977", METROPOLE_DE_LYON),
        (DEPARTMENT, "2b", "2B"),
        (DEPARTMENT, "1", "01"),
        (DEPARTMENT, 69, "69"),
        (REGION, "4", "04"),
    ],
)
def test_codes_are_normalised_before_the_check(level, typed, normalised):
    assert territories.normalise_code(level, typed) == normalised
    assert territories.validate_code(level, typed) is None
    assert territories.name(level, typed) == territories.name(level, normalised)


@pytest.mark.parametrize(
    ("level", "code", "message"),
    [
        (COMMUNE, "99999", "99999 is not a commune code in the 2026 geographic code."),
        (
            COMMUNE,
            "50416",
            "50416 is not a current commune in the 2026 geographic code: Querqueville is now "
            "part of Cherbourg-en-Cotentin (50129).",
        ),
        (
            EPCI,
            "123456789",
            "123456789 is not the SIREN number of an intercommunality (EPCI) in 2026.",
        ),
        (
            DEPARTMENT,
            "20",
            "20 is not a department code in the 2026 geographic code: Corsica's departments "
            "are 2A and 2B.",
        ),
        (DEPARTMENT, "96", "96 is not a department code in the 2026 geographic code."),
        (DEPARTMENT, "975", "975 is not a department code in the 2026 geographic code."),
        (REGION, "99", "99 is not a region code in the 2026 geographic code."),
        (
            REGION,
            "22",
            "22 is not a region code in the 2026 geographic code: until 2015 it was the code "
            "of Picardie, now part of Hauts-de-France (32).",
        ),
    ],
)
def test_validate_code_rejects_unknown_codes_with_a_clear_message(level, code, message):
    assert error(level, code) == ("unknown_insee_code", [message])


@pytest.mark.parametrize(
    ("level", "code", "message"),
    [
        (
            COMMUNE,
            "Lyon",
            "“Lyon” is not a commune code: an INSEE commune code has five characters, "
            "e.g. 69123 or 2A004.",
        ),
        (
            COMMUNE,
            "2C004",
            "“2C004” is not a commune code: an INSEE commune code has five characters, "
            "e.g. 69123 or 2A004.",
        ),
        (
            EPCI,
            "20004697",
            "“20004697” is not an EPCI code: use the SIREN number of the intercommunality, "
            "nine digits, e.g. 200046977.",
        ),
        (DEPARTMENT, "2C", "“2C” is not a department code: e.g. 01, 69, 2A or 974."),
        (DEPARTMENT, "", "“” is not a department code: e.g. 01, 69, 2A or 974."),
        (REGION, "084", "“084” is not a region code: two digits, e.g. 84."),
        (
            REGION,
            "<b>8</b>" * 10,
            "“<b>8</b><b>8</b><b>8…” is not a region code: two digits, e.g. 84.",
        ),
    ],
)
def test_validate_code_rejects_malformed_codes_with_a_clear_message(level, code, message):
    assert error(level, code) == ("malformed_insee_code", [message])


def test_validate_code_rejects_an_unknown_level():
    assert error("canton", "6901") == (
        "invalid_territory_level",
        ["“canton” is not a territory level: commune, epci, department or region."],
    )


@pytest.mark.parametrize(
    ("level", "code", "expected"),
    [
        (COMMUNE, "69123", "Lyon"),
        (COMMUNE, "2A004", "Ajaccio"),
        (COMMUNE, "97411", "Saint-Denis"),
        (COMMUNE, "75111", "Paris 11e Arrondissement"),
        (EPCI, METROPOLE_DE_LYON, "Métropole de Lyon"),
        (EPCI, PLAINE_COMMUNE, "Plaine Commune"),
        (DEPARTMENT, "2A", "Corse-du-Sud"),
        (DEPARTMENT, "2B", "Haute-Corse"),
        (DEPARTMENT, "976", "Mayotte"),
        (DEPARTMENT, "80", "Somme"),
        (REGION, "84", "Auvergne-Rhône-Alpes"),
        (REGION, "32", "Hauts-de-France"),
    ],
)
def test_name_gives_the_official_name(level, code, expected):
    assert territories.name(level, code) == expected


def test_name_of_an_unknown_code_raises_like_validate_code():
    with pytest.raises(ValidationError) as caught:
        territories.name(DEPARTMENT, "96")
    assert caught.value.code == "unknown_insee_code"


def test_departments_are_the_101_sorted_by_code():
    departments = territories.departments()
    codes = [department.code for department in departments]
    assert len(codes) == 101
    assert codes == sorted(codes)
    assert codes[:3] == ["01", "02", "03"]
    assert codes[27:31] == ["29", "2A", "2B", "30"]
    assert codes[-5:] == ["971", "972", "973", "974", "976"]
    assert departments[0] == territories.Department("01", "Ain", "84")


def test_there_are_18_current_regions_13_of_them_metropolitan():
    regions = territories.regions()
    assert len(regions) == 18
    assert [r.code for r in regions if len(territories.departments_in_region(r.code)) > 1] == [
        "11",
        "24",
        "27",
        "28",
        "32",
        "44",
        "52",
        "53",
        "75",
        "76",
        "84",
        "93",
        "94",
    ]
    assert [r.code for r in regions][:5] == ["01", "02", "03", "04", "06"]


def test_there_were_27_regions_before_2016_22_of_them_metropolitan():
    regions = territories.regions("2015")
    assert len(regions) == 27
    assert sorted(r.code for r in regions) == sorted(MERGED_INTO)
    overseas = [r.name for r in regions if r.code < "10"]
    assert overseas == ["Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]
    assert len(regions) - len(overseas) == 22


@pytest.mark.parametrize("period", ["current", "2015"])
def test_every_department_lies_in_exactly_one_region_of_each_period(period):
    regions = territories.regions(period)
    in_regions = [
        department
        for r in regions
        for department in territories.departments_in_region(r.code, period)
    ]
    codes = [department.code for department in territories.departments()]
    assert sorted(in_regions) == codes  # each department once, none missing
    for code in codes:
        region = territories.region_of(code, period)
        assert code in territories.departments_in_region(region.code, period)


def test_every_region_before_2016_lies_inside_exactly_one_current_region():
    merged_into = {}
    for old in territories.regions("2015"):
        current = {
            territories.region_of(department).code
            for department in territories.departments_in_region(old.code, "2015")
        }
        assert len(current) == 1, old
        merged_into[old.code] = current.pop()
    assert merged_into == MERGED_INTO


@pytest.mark.parametrize(
    ("department", "before", "since"),
    [
        ("80", ("22", "Picardie"), ("32", "Hauts-de-France")),
        ("67", ("42", "Alsace"), ("44", "Grand Est")),
        ("21", ("26", "Bourgogne"), ("27", "Bourgogne-Franche-Comté")),
        ("2A", ("94", "Corse"), ("94", "Corse")),
        ("974", ("04", "La Réunion"), ("04", "La Réunion")),
        ("45", ("24", "Centre"), ("24", "Centre-Val de Loire")),
    ],
)
def test_region_of_a_department_before_2016_and_since(department, before, since):
    assert territories.region_of(department, "2015") == territories.Region(*before)
    assert territories.region_of(department) == territories.Region(*since)
    assert territories.region_of(department, "current") == territories.Region(*since)


def test_departments_in_region_for_each_period():
    assert territories.departments_in_region("22", "2015") == ["02", "60", "80"]
    assert territories.departments_in_region("32") == ["02", "59", "60", "62", "80"]
    assert territories.departments_in_region("94") == ["2A", "2B"]


def test_departments_in_region_rejects_a_code_of_the_other_period():
    with pytest.raises(ValidationError) as caught:
        territories.departments_in_region("32", "2015")
    assert caught.value.messages == ["32 is not the code of a region before 2016."]
    with pytest.raises(ValidationError) as caught:
        territories.departments_in_region("22")
    assert caught.value.code == "unknown_insee_code"


def test_region_of_an_unknown_department_raises():
    with pytest.raises(ValidationError) as caught:
        territories.region_of("20", "2015")
    assert caught.value.code == "unknown_insee_code"


def test_an_unknown_period_is_a_programming_error():
    with pytest.raises(ValueError, match="period must be 'current' or '2015', not '2016'"):
        territories.regions("2016")


@pytest.mark.parametrize(
    ("level", "code", "expected"),
    [
        (COMMUNE, "69123", {"69"}),
        (COMMUNE, "2A004", {"2A"}),
        (COMMUNE, "97411", {"974"}),
        (COMMUNE, "75111", {"75"}),
        (EPCI, METROPOLE_DE_LYON, {"69"}),
        (EPCI, BEAUNE_CHAGNY_NOLAY, {"21", "71"}),
        (EPCI, GRAND_PARIS, {"75", "91", "92", "93", "94", "95"}),
        (DEPARTMENT, "2a", {"2A"}),
        (REGION, "94", {"2A", "2B"}),
        (REGION, "28", {"14", "27", "50", "61", "76"}),
        (REGION, "06", {"976"}),
    ],
)
def test_departments_of_area_for_each_level(level, code, expected):
    assert territories.departments_of_area(level, code) == expected


def pole_departments(pole):
    return list(PoleDepartment.objects.filter(pole=pole).values_list("code", flat=True))


@pytest.mark.django_db
def test_refresh_departments_writes_the_union_of_the_areas_departments():
    pole = PoleFactory()
    TerritoryAreaFactory(pole=pole, level=COMMUNE, code="2A004")
    TerritoryAreaFactory(pole=pole, level=EPCI, code=BEAUNE_CHAGNY_NOLAY)
    TerritoryAreaFactory(pole=pole, level=DEPARTMENT, code="21")
    TerritoryAreaFactory(pole=pole, level=REGION, code="28")
    other = TerritoryAreaFactory(level=DEPARTMENT, code="69").pole
    refresh_departments(other)

    assert refresh_departments(pole) == {"2A", "21", "71", "14", "27", "50", "61", "76"}

    assert pole_departments(pole) == ["14", "21", "27", "2A", "50", "61", "71", "76"]
    assert pole_departments(other) == ["69"]


@pytest.mark.django_db
def test_refresh_departments_deletes_what_is_gone_and_keeps_the_rest():
    pole = PoleFactory()
    TerritoryAreaFactory(pole=pole, level=DEPARTMENT, code="80")
    gone = TerritoryAreaFactory(pole=pole, level=DEPARTMENT, code="2B")
    refresh_departments(pole)
    kept_row = PoleDepartment.objects.get(pole=pole, code="80")

    gone.delete()
    TerritoryAreaFactory(pole=pole, level=COMMUNE, code="97411")
    refresh_departments(pole)

    assert pole_departments(pole) == ["80", "974"]
    assert PoleDepartment.objects.get(pole=pole, code="80").pk == kept_row.pk


@pytest.mark.django_db
def test_refresh_departments_writes_nothing_when_nothing_changed():
    pole = PoleFactory()
    TerritoryAreaFactory(pole=pole, level=EPCI, code=GRAND_PARIS)
    refresh_departments(pole)

    with CaptureQueriesContext(connection) as queries:
        refresh_departments(pole)

    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "DELETE"))
    ]
    assert writes == []
    assert pole_departments(pole) == ["75", "91", "92", "93", "94", "95"]


@pytest.mark.django_db
def test_refresh_departments_of_a_pole_without_territory_clears_its_rows():
    pole = PoleFactory()
    area = TerritoryAreaFactory(pole=pole, level=DEPARTMENT, code="33")
    refresh_departments(pole)
    area.delete()

    assert refresh_departments(pole) == set()

    assert pole_departments(pole) == []


@pytest.mark.django_db
def test_refresh_departments_skips_a_code_the_vintage_no_longer_knows():
    pole = PoleFactory()
    # Saved without validation, as a code of an older vintage would have been.
    TerritoryAreaFactory(pole=pole, level=COMMUNE, code="50416")
    TerritoryAreaFactory(pole=pole, level=DEPARTMENT, code="50")

    assert refresh_departments(pole) == {"50"}


@pytest.mark.django_db
def test_refresh_departments_drops_a_stale_prefetched_list():
    TerritoryAreaFactory(level=DEPARTMENT, code="35")
    pole = PoleFactory._meta.model.objects.prefetch_related("departments").get()
    assert list(pole.departments.all()) == []

    refresh_departments(pole)

    assert [row.code for row in pole.departments.all()] == ["35"]


@pytest.mark.django_db
def test_territory_area_full_clean_rejects_an_unknown_code():
    area = TerritoryArea(pole=PoleFactory(), level=DEPARTMENT, code="96")

    with pytest.raises(ValidationError) as caught:
        area.full_clean()

    assert caught.value.messages == ["96 is not a department code in the 2026 geographic code."]


@pytest.mark.django_db
def test_territory_area_full_clean_accepts_a_known_code():
    TerritoryArea(pole=PoleFactory(), level=COMMUNE, code="69123").full_clean()


def test_attribution_names_the_sources_and_the_licence():
    assert territories.attribution() == (
        "Territories: INSEE, official geographic code 2026, and DGCL "
        "(Licence Ouverte 2.0, via @etalab/decoupage-administratif)."
    )
