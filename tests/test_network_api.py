"""The directory's JSON API: poles (list, filters, detail) and organisations for autocomplete."""

import datetime as dt
import json

import pytest

from network import poles
from network.enums import (
    LegalForm,
    MemberCategory,
    OrganisationKind,
    RecognitionKind,
    TerritoryLevel,
)
from network.models import Sector
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    PoleMemberFactory,
    RecognitionFactory,
    SectorFactory,
    TerritoryAreaFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://journees.example.org"

# Queries of one call, whatever the number of poles, members or areas: see the N+1 guards.
LIST_QUERIES = 5  # count, page (organisation joined), sectors, departments, recognitions
LIST_QUERIES_BY_SECTOR = LIST_QUERIES + 1  # the sector's slug looked up first
# pole (organisation joined), sectors, departments, recognitions, territory, members (joined)
DETAIL_QUERIES = 6
SEARCH_QUERIES = 1


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def get(client, url, language="en"):
    # English: labels of codes are then the msgids, whatever the French catalogue says.
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def sector(slug):
    return Sector.objects.filter(slug=slug).first() or SectorFactory(
        slug=slug, name=slug.capitalize()
    )


def make_pole(
    name,
    *,
    town="",
    areas=(),
    sectors=(),
    recognitions=(),
    members=(),
    declared=False,
    legal_form=LegalForm.ASSOCIATION,
    **fields,
):
    """A pole with its territory ``areas`` ((level, code) pairs), sector slugs, recognition
    kinds and ``members`` ((name, category) pairs), refreshed as every writer does."""
    pole = PoleFactory(
        organisation__name=name,
        organisation__town=town,
        organisation__legal_form=legal_form,
        composition_declared=declared,
        **fields,
    )
    for level, code in areas:
        TerritoryAreaFactory(pole=pole, level=level, code=code)
    pole.sectors.set([sector(slug) for slug in sectors])
    for kind in recognitions:
        RecognitionFactory(pole=pole, kind=kind, date=None)
    for member_name, category in members:
        PoleMemberFactory(
            pole=pole,
            organisation__name=member_name,
            organisation__legal_form=LegalForm.ASSOCIATION,
            category=category,
        )
    poles.refresh(pole)
    return pole


def names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


# List ------------------------------------------------------------------------------------


def test_list_gives_each_pole_summary_with_absolute_url(client):
    pole = make_pole(
        "Pôle Exemple des Deux-Rives",
        town="Ville-Exemple",
        areas=[(TerritoryLevel.DEPARTMENT, "69"), (TerritoryLevel.COMMUNE, "2A004")],
        sectors=["mobilite"],
        recognitions=[RecognitionKind.CALL_2015],
    )
    pole.recognitions.update(date=dt.date(2016, 1, 14))

    response = get(client, "/api/v1/poles")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": pole.pk,
                "slug": "pole-exemple-des-deux-rives",
                "name": "Pôle Exemple des Deux-Rives",
                "town": "Ville-Exemple",
                "department_codes": ["2A", "69"],
                "sectors": [{"slug": "mobilite", "name": "Mobilite"}],
                "recognitions": [
                    {
                        "kind": "call_2015",
                        "label": "Laureate of the 2015 call",
                        "date": "2016-01-14",
                    }
                ],
                "composition_status": "not_declared",
                "composition_status_label": "Composition not declared",
                "is_fictional": True,
                "url": f"{SITE}/poles/pole-exemple-des-deux-rives/",
            }
        ],
        "count": 1,
    }


def test_list_is_in_name_order_ignoring_accents_and_case(client):
    for name in ["Pôle Exemple Zèbre", "écotone Exemple", "Aube Exemple", "Eden Exemple"]:
        make_pole(name)

    assert names(get(client, "/api/v1/poles")) == [
        "Aube Exemple",
        "écotone Exemple",
        "Eden Exemple",
        "Pôle Exemple Zèbre",
    ]


def test_list_is_paginated_with_limit_and_offset(client):
    for letter in "ABCD":
        make_pole(f"{letter} Exemple")

    response = get(client, "/api/v1/poles?limit=2&offset=1")

    assert names(response) == ["B Exemple", "C Exemple"]
    assert response.json()["count"] == 4


def test_list_gives_twenty_poles_a_page_by_default(client):
    for number in range(21):
        make_pole(f"Pôle Exemple {number:02}")

    body = get(client, "/api/v1/poles").json()

    assert (len(body["items"]), body["count"]) == (20, 21)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ecotone", ["Pôle Écotone"]),
        ("ÉCOTONE", ["Pôle Écotone"]),
        ("  pole   ECO ", ["Pôle Écotone"]),
        ("lyon", ["Pôle Écotone"]),
        ("saint-etienne", ["Coopérative des Rives"]),
        ("pole lyon", ["Pôle Écotone"]),
        ("pole saint", []),
        ("rives", ["Coopérative des Rives"]),
    ],
)
def test_search_matches_every_word_in_name_or_town_ignoring_accents_and_case(client, q, expected):
    make_pole("Pôle Écotone", town="Lyon")
    make_pole("Coopérative des Rives", town="Saint-Étienne")

    assert names(get(client, f"/api/v1/poles?q={q}")) == expected


@pytest.fixture
def spread():
    """Poles in departments of several regions, with sectors, recognitions and statuses."""
    return {
        "lyon": make_pole(
            "Pôle Lyon Exemple",
            areas=[(TerritoryLevel.COMMUNE, "69123")],
            sectors=["mobilite"],
            recognitions=[RecognitionKind.CALL_2013],
        ),
        "clermont": make_pole(
            "Pôle Clermont Exemple",
            areas=[(TerritoryLevel.DEPARTMENT, "63")],
            sectors=["mobilite", "culture"],
        ),
        "ajaccio": make_pole(
            "Pôle Ajaccio Exemple",
            areas=[(TerritoryLevel.DEPARTMENT, "2A")],
            sectors=["culture"],
            recognitions=[RecognitionKind.CALL_2013, RecognitionKind.CHARTER_2021],
            declared=True,
            members=[("Coopérative Exemple", MemberCategory.ESS_ENTERPRISE)],
        ),
        # The EPCI of Lyon's metropolis lies in department 69 only.
        "metropole": make_pole(
            "Pôle Métropole Exemple", areas=[(TerritoryLevel.EPCI, "200046977")]
        ),
        "nowhere": make_pole("Pôle Sans Territoire Exemple"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("region=84", ["Pôle Clermont Exemple", "Pôle Lyon Exemple", "Pôle Métropole Exemple"]),
        (
            "region=84&period=current",
            ["Pôle Clermont Exemple", "Pôle Lyon Exemple", "Pôle Métropole Exemple"],
        ),
        ("region=82&period=2015", ["Pôle Lyon Exemple", "Pôle Métropole Exemple"]),
        ("region=83&period=2015", ["Pôle Clermont Exemple"]),
        ("region=94", ["Pôle Ajaccio Exemple"]),
        ("region=11", []),
        ("department=69", ["Pôle Lyon Exemple", "Pôle Métropole Exemple"]),
        ("department=2a", ["Pôle Ajaccio Exemple"]),
        ("department=%202A%20", ["Pôle Ajaccio Exemple"]),
        ("region=84&department=63", ["Pôle Clermont Exemple"]),
        ("region=94&department=63", []),
        ("sector=culture", ["Pôle Ajaccio Exemple", "Pôle Clermont Exemple"]),
        ("recognition=call_2013", ["Pôle Ajaccio Exemple", "Pôle Lyon Exemple"]),
        ("recognition=charter_2021", ["Pôle Ajaccio Exemple"]),
        ("recognition=call_2023", []),
        ("composition=does_not_meet", ["Pôle Ajaccio Exemple"]),
        (
            "composition=not_declared",
            [
                "Pôle Clermont Exemple",
                "Pôle Lyon Exemple",
                "Pôle Métropole Exemple",
                "Pôle Sans Territoire Exemple",
            ],
        ),
        ("region=84&sector=mobilite&q=lyon", ["Pôle Lyon Exemple"]),
        ("region=84&sector=culture&recognition=call_2013", []),
    ],
)
def test_filters_narrow_the_list_as_the_directory_does(client, spread, query, expected):
    assert names(get(client, f"/api/v1/poles?{query}")) == expected


def test_empty_filters_are_no_filters(client, spread):
    response = get(client, "/api/v1/poles?q=&region=&department=&sector=&recognition=&composition=")

    assert response.json()["count"] == len(spread)


def test_a_pole_touching_a_region_twice_is_listed_once(client):
    make_pole(
        "Pôle Exemple",
        areas=[(TerritoryLevel.DEPARTMENT, "69"), (TerritoryLevel.DEPARTMENT, "38")],
    )

    response = get(client, "/api/v1/poles?region=84")

    assert names(response) == ["Pôle Exemple"]
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "location", "error_type"),
    [
        ("region=99", ["query", "region"], "unknown_region"),
        # 82 was Rhône-Alpes until 2015: not a current region.
        ("region=82", ["query", "region"], "unknown_region"),
        ("region=84&period=2015", ["query", "region"], "unknown_region"),
        ("region=" + "8" * 30, ["query", "region"], "string_too_long"),
        ("period=1999", ["query", "period"], "literal_error"),
        ("department=20", ["query", "department"], "unknown_department"),
        ("department=<b>", ["query", "department"], "unknown_department"),
        ("sector=inconnu", ["query", "sector"], "unknown_sector"),
        ("recognition=label", ["query", "recognition"], "enum"),
        ("composition=yes", ["query", "composition"], "enum"),
        ("q=" + "a" * 201, ["query", "q"], "string_too_long"),
        ("limit=101", ["query", "limit"], "less_than_equal"),
        ("offset=-1", ["query", "offset"], "greater_than_equal"),
    ],
)
def test_invalid_filter_is_a_json_validation_error(client, query, location, error_type):
    make_pole("Pôle Exemple", sectors=["culture"])

    response = get(client, f"/api/v1/poles?{query}")

    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["message"]) == (
        "invalid",
        "Some parameters are not valid: see the errors.",
    )
    assert [(error["loc"], error["type"]) for error in body["errors"]] == [(location, error_type)]


def test_unknown_region_error_says_what_the_code_was(client):
    body = get(client, "/api/v1/poles?region=82").json()

    assert body["errors"][0]["msg"] == (
        "82 is not a region code in the 2026 geographic code: until 2015 it was the code of "
        "Rhône-Alpes, now part of Auvergne-Rhône-Alpes (84)."
    )


@pytest.mark.parametrize("count", [1, 3])
def test_list_makes_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    for number in range(count):
        make_pole(
            f"Pôle Exemple {number}",
            areas=[(TerritoryLevel.DEPARTMENT, "69"), (TerritoryLevel.DEPARTMENT, "01")],
            sectors=["culture", "mobilite"],
            recognitions=[RecognitionKind.CALL_2013, RecognitionKind.CHARTER_2014],
        )

    with django_assert_num_queries(LIST_QUERIES):
        response = get(client, "/api/v1/poles?region=84&q=exemple")
    with django_assert_num_queries(LIST_QUERIES_BY_SECTOR):
        by_sector = get(client, "/api/v1/poles?sector=culture")

    assert len(response.json()["items"]) == len(by_sector.json()["items"]) == count


# Detail ----------------------------------------------------------------------------------


@pytest.fixture
def declared():
    """A declared pole that meets article 9 but not the decree (a member is not a legal
    person), with two areas, a sector and a recognition."""
    pole = make_pole(
        "Pôle Exemple des Deux-Rives",
        town="Ville-Exemple",
        areas=[(TerritoryLevel.COMMUNE, "69123"), (TerritoryLevel.EPCI, "200046977")],
        sectors=["culture"],
        recognitions=[RecognitionKind.CALL_2023],
        declared=True,
        description="Un pôle d'exemple.",
        creation_year=2012,
        organisation__website="https://deux-rives.example.org/",
        organisation__is_fictional=True,
        members=[
            ("Coopérative Exemple", MemberCategory.ESS_ENTERPRISE),
            ("Entreprise Exemple", MemberCategory.ENTERPRISE),
        ],
    )
    PoleMemberFactory(
        pole=pole,
        organisation__name="Collectif Exemple",
        organisation__legal_form=LegalForm.OTHER,
        organisation__is_legal_person=False,
        organisation__kind=OrganisationKind.OTHER,
        category=MemberCategory.OTHER_PERSON,
        role="partenaire",
    )
    poles.refresh(pole)
    return pole


def test_detail_gives_territory_members_and_the_composition_check(client, declared):
    response = get(client, f"/api/v1/poles/{declared.pk}")

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("id", "slug", "name", "url")} == {
        "id": declared.pk,
        "slug": "pole-exemple-des-deux-rives",
        "name": "Pôle Exemple des Deux-Rives",
        "url": f"{SITE}/poles/pole-exemple-des-deux-rives/",
    }
    assert {key: body[key] for key in ("description", "creation_year", "geo_vintage")} == {
        "description": "Un pôle d'exemple.",
        "creation_year": 2012,
        "geo_vintage": 2026,
    }
    assert (body["legal_form"], body["legal_form_label"], body["is_legal_person"]) == (
        "association",
        "Association",
        True,
    )
    assert body["website"] == "https://deux-rives.example.org/"
    assert body["department_codes"] == ["69"]
    assert body["territory"] == [
        {
            "level": "commune",
            "level_label": "Commune",
            "code": "69123",
            "name": "Lyon",
        },
        {
            "level": "epci",
            "level_label": "Intercommunality (EPCI)",
            "code": "200046977",
            "name": "Métropole de Lyon",
        },
    ]
    assert body["members"] == [
        {
            "name": "Entreprise Exemple",
            "slug": "entreprise-exemple",
            "category": "enterprise",
            "category_label": "Enterprise outside the ESS",
            "role": "",
        },
        {
            "name": "Coopérative Exemple",
            "slug": "cooperative-exemple",
            "category": "ess_enterprise",
            "category_label": "ESS enterprise",
            "role": "",
        },
        {
            "name": "Collectif Exemple",
            "slug": "collectif-exemple",
            "category": "other_person",
            "category_label": "Other natural or legal person",
            "role": "partenaire",
        },
    ]
    assert body["composition"] == {
        "status": "meets_article_9",
        "label": "Meets article 9",
        "missing": [
            "At least three members that are legal persons: 2 are known to be.",
            "Among the members that are legal persons: another person named by article 9 "
            "(local authority, research centre, higher education, training body or other "
            "person).",
        ],
    }
    assert (body["composition_status"], body["composition_status_label"]) == (
        "meets_article_9",
        "Meets article 9",
    )


def test_detail_of_a_pole_that_does_not_meet_article_9_says_what_is_missing(client):
    pole = make_pole(
        "Pôle Exemple",
        declared=True,
        members=[("Coopérative Exemple", MemberCategory.ESS_ENTERPRISE)],
    )

    body = get(client, f"/api/v1/poles/{pole.pk}").json()

    assert body["composition"] == {
        "status": "does_not_meet",
        "label": "Does not meet article 9",
        "missing": [
            "Among the members: an enterprise outside the ESS.",
            "Among the members: another person named by article 9 (local authority, research "
            "centre, higher education, training body or other person).",
            "A territory: no commune, intercommunality, department or region.",
        ],
    }


def test_detail_of_an_undeclared_pole_claims_nothing(client):
    pole = make_pole("Pôle Exemple", legal_form="", members=[("Membre", MemberCategory.ENTERPRISE)])

    body = get(client, f"/api/v1/poles/{pole.pk}").json()

    assert body["composition"] == {
        "status": "not_declared",
        "label": "Composition not declared",
        "missing": [],
    }
    assert (body["legal_form"], body["legal_form_label"], body["is_legal_person"]) == ("", "", None)
    assert (body["website"], body["creation_year"], body["geo_vintage"]) == (None, None, 2026)


@pytest.mark.parametrize("count", [1, 3])
def test_detail_makes_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    pole = make_pole(
        "Pôle Exemple",
        areas=[(TerritoryLevel.DEPARTMENT, "69"), (TerritoryLevel.COMMUNE, "01053")][:count],
        sectors=["culture", "mobilite", "energie"][:count],
        recognitions=[RecognitionKind.CALL_2013, RecognitionKind.CALL_2015][:count],
        declared=True,
        members=[(f"Membre Exemple {n}", MemberCategory.ESS_ENTERPRISE) for n in range(count)],
    )

    with django_assert_num_queries(DETAIL_QUERIES):
        response = get(client, f"/api/v1/poles/{pole.pk}")

    assert len(response.json()["members"]) == count


def test_detail_gives_untrusted_text_back_exactly(client):
    name = 'Le "pôle" </script><script>alert(1)</script> & <b>'
    description = "<img src=x onerror=alert(1)>\\'\u2028fin"
    pole = make_pole(name, description=description)
    PoleMemberFactory(pole=pole, organisation__name="'; DROP TABLE --", role="<i>rôle</i>")

    response = get(client, f"/api/v1/poles/{pole.pk}")

    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(response.content)
    assert (body["name"], body["description"]) == (name, "<img src=x onerror=alert(1)>\\'\u2028fin")
    assert [(m["name"], m["role"]) for m in body["members"]] == [
        ("'; DROP TABLE --", "<i>rôle</i>")
    ]
    assert names(get(client, "/api/v1/poles")) == [name]


def test_detail_says_nothing_of_the_people_behind_an_organisation(client, declared):
    user = UserFactory(username="camille", email="camille.exemple@example.org")
    MembershipFactory(user=user, organisation=declared.organisation)

    response = get(client, f"/api/v1/poles/{declared.pk}")

    assert b"camille" not in response.content.lower()


@pytest.mark.parametrize("pole_id", ["0", "-1", "999999", "9" * 40])
def test_unknown_pole_is_not_found_as_json(client, pole_id):
    make_pole("Pôle Exemple")

    response = get(client, f"/api/v1/poles/{pole_id}")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No pole has this number."}


def test_pole_number_that_is_not_a_number_is_a_validation_error(client):
    response = get(client, "/api/v1/poles/deux-rives")

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


# Organisations, for autocomplete --------------------------------------------------------


def test_organisation_search_gives_id_name_kind_town_and_whether_it_is_a_pole(client):
    pole = make_pole("Écopôle Exemple", town="Audruicq-Exemple")
    member = OrganisationFactory(
        name="Coopérative Écopôle", kind=OrganisationKind.ESS_ENTERPRISE, town=""
    )

    response = get(client, "/api/v1/organisations?search=ecopole")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": pole.organisation.pk,
            "name": "Écopôle Exemple",
            "kind": "pole",
            "town": "Audruicq-Exemple",
            "is_pole": True,
        },
        {
            "id": member.pk,
            "name": "Coopérative Écopôle",
            "kind": "ess_enterprise",
            "town": "",
            "is_pole": False,
        },
    ]


@pytest.mark.parametrize("search", ["ÉCOPÔLE", "ecopole", "Écopole exem", "audruicq"])
def test_organisation_search_ignores_accents_and_case_and_matches_the_town(client, search):
    OrganisationFactory(name="Écopôle Exemple", town="Audruicq")
    OrganisationFactory(name="Autre Exemple", town="Lyon")

    response = get(client, f"/api/v1/organisations?search={search}")

    assert [item["name"] for item in response.json()] == ["Écopôle Exemple"]


def test_organisation_search_gives_at_most_twenty_in_one_query(client, django_assert_num_queries):
    for number in range(25):
        OrganisationFactory(name=f"Réseau Exemple {number:02}")

    with django_assert_num_queries(SEARCH_QUERIES):
        response = get(client, "/api/v1/organisations?search=reseau")

    assert [item["name"] for item in response.json()] == [
        f"Réseau Exemple {number:02}" for number in range(20)
    ]


@pytest.mark.parametrize("search", ["a", "é", " a ", "  "])
def test_organisation_search_needs_two_characters(client, search):
    OrganisationFactory(name="Aa Exemple")

    response = get(client, f"/api/v1/organisations?search={search}")

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert [(e["loc"], e["type"], e["msg"]) for e in body["errors"]] == [
        (["query", "search"], "string_too_short", "Type at least 2 characters.")
    ]


@pytest.mark.parametrize(
    ("query", "error_type"), [("", "missing"), ("search=" + "a" * 201, "string_too_long")]
)
def test_organisation_search_without_a_sensible_search_is_invalid(client, query, error_type):
    response = get(client, f"/api/v1/organisations?{query}")

    assert response.status_code == 422
    assert [e["type"] for e in response.json()["errors"]] == [error_type]


def test_organisation_search_lists_names_starting_with_the_search_first(client):
    OrganisationFactory(name="Le Réseau Exemple")
    OrganisationFactory(name="Réseau Exemple")
    OrganisationFactory(name="Association Réseau Exemple")

    response = get(client, "/api/v1/organisations?search=reseau")

    assert [item["name"] for item in response.json()] == [
        "Réseau Exemple",
        "Association Réseau Exemple",
        "Le Réseau Exemple",
    ]


def test_openapi_schema_has_the_directory_paths(client):
    paths = get(client, "/api/v1/openapi.json").json()["paths"]

    assert {"/api/v1/poles", "/api/v1/poles/{pole_id}", "/api/v1/organisations"} <= set(paths)


def test_detail_survives_a_territory_code_the_shipped_vintage_no_longer_knows(client, declared):
    # Stored under an older geographic code, say: no longer in the vendored one.
    TerritoryAreaFactory(pole=declared, level="commune", code="99999")

    response = get(client, f"/api/v1/poles/{declared.pk}")

    assert response.status_code == 200
    assert {"level": "commune", "level_label": "Commune", "code": "99999", "name": ""} in (
        response.json()["territory"]
    )
