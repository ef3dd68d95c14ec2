"""The charter's JSON API: versions with their counts, a version's standing signatures
(filters, pagination, consent, constant queries), errors and the OpenAPI schema."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from charter import signatures as rules
from charter.enums import Channel
from events.enums import EditionStatus
from network import poles
from network.enums import OrganisationKind
from tests.factories import (
    CharterVersionFactory,
    EditionFactory,
    OrganisationFactory,
    PoleFactory,
    SignatureFactory,
    TerritoryAreaFactory,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SITE = "https://journees.example.org"
# Queries of one call, whatever the number of signatures: see the N+1 guards.
VERSIONS_QUERIES = 1
# the version looked up, the count, the page (version, organisation, pole and day joined),
# the poles' departments
SIGNATURES_QUERIES = 4


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def get(client, url, **params):
    # English: labels of codes are then the msgids, whatever the French catalogue says.
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")


def at(year, month, day, hour=12, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def make_pole(name, town, *codes):
    pole = PoleFactory(organisation__name=name, organisation__town=town)
    for code in codes:
        TerritoryAreaFactory(pole=pole, level="department", code=code)
    poles.refresh(pole)
    return pole


def sign(version, organisation, signed_at, **fields):
    return SignatureFactory(
        version=version,
        organisation=organisation,
        signed_at=signed_at,
        receipt_code=rules.new_receipt_code(),
        **fields,
    )


@pytest.fixture
def charter(db):
    v2014 = CharterVersionFactory(
        slug="2014",
        title="Charte de la démarche collective PTCE (2014)",
        year=2014,
        adopted_on=dt.date(2014, 9, 19),
        is_open=False,
        text_is_placeholder=False,
        recognition_kind="charter_2014",
    )
    v2021 = CharterVersionFactory()
    day = EditionFactory(
        title="Journée Exemple 2014",
        slug="journee-exemple-2014",
        date=dt.date(2014, 9, 19),
        status=EditionStatus.ARCHIVED,
    )
    ecotone = make_pole("Pôle Écotone", "Lyon", "69", "42")
    rives = make_pole("Pôle Exemple des Deux-Rives", "Amiens", "80")
    network = OrganisationFactory(
        name="Réseau Exemple",
        slug="reseau-exemple",
        kind=OrganisationKind.NETWORK,
        town="Paris",
        department_code="75",
    )
    made = {
        "ecotone_2014": sign(
            v2014,
            ecotone.organisation,
            at(2014, 9, 19, 16, 5),
            channel=Channel.CEREMONY,
            edition=day,
            name_is_public=True,
        ),
        "rives_2014": sign(
            v2014,
            rives.organisation,
            at(2014, 9, 19, 16, 10),
            channel=Channel.CEREMONY,
            edition=day,
            revoked_at=at(2015, 1, 5),
        ),
        "ecotone_2021": sign(
            v2021,
            ecotone.organisation,
            at(2021, 9, 1),
            representative_name="Dominique Discrète",
            representative_role="Présidente",
            name_is_public=False,
        ),
        "rives_2021": sign(
            v2021,
            rives.organisation,
            at(2022, 3, 15),
            representative_name="Alex Exemple",
            representative_role="Directeur",
            name_is_public=True,
        ),
        "network_2021": sign(
            v2021,
            network,
            at(2023, 5, 2, 9, 30),
            representative_name="Sam Exemple",
            representative_role="Déléguée générale",
            name_is_public=True,
        ),
    }
    return made


def organisations(response):
    return [item["organisation"]["name"] for item in response.json()["items"]]


# Versions ---------------------------------------------------------------------------------


def test_versions_are_listed_oldest_first_with_their_standing_signatures(client, charter):
    response = get(client, "/api/v1/charter/versions")

    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "2014",
            "title": "Charte de la démarche collective PTCE (2014)",
            "year": 2014,
            "adopted_on": "2014-09-19",
            "is_open": False,
            "text_is_placeholder": False,
            "signatures": 1,
            "url": f"{SITE}/charte/2014/",
        },
        {
            "slug": "2021",
            "title": "Charte de la démarche collective PTCE (2021)",
            "year": 2021,
            "adopted_on": None,
            "is_open": True,
            "text_is_placeholder": True,
            "signatures": 3,
            "url": f"{SITE}/charte/2021/",
        },
    ]


def test_versions_cost_one_query(client, charter, django_assert_num_queries):
    with django_assert_num_queries(VERSIONS_QUERIES):
        get(client, "/api/v1/charter/versions")


# Signatures -------------------------------------------------------------------------------


def test_signatures_of_a_version_latest_first_as_the_public_list(client, charter):
    response = get(client, "/api/v1/charter/2021/signatures")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert body["items"] == [
        {
            "organisation": {
                "name": "Réseau Exemple",
                "slug": "reseau-exemple",
                "kind": "network",
                "kind_label": "Network",
                "is_fictional": True,
                "url": None,
            },
            "territory": {
                "town": "Paris",
                "departments": [{"code": "75", "name": "Paris"}],
                "regions": ["Île-de-France"],
            },
            "version": "2021",
            "signed_at": "2023-05-02T09:30:00+02:00",
            "channel": "online",
            "channel_label": "Online",
            "edition": None,
            "representative": {"name": "Sam Exemple", "role": "Déléguée générale"},
        },
        {
            "organisation": {
                "name": "Pôle Exemple des Deux-Rives",
                "slug": "pole-exemple-des-deux-rives",
                "kind": "pole",
                "kind_label": "Pole (PTCE)",
                "is_fictional": True,
                "url": f"{SITE}/poles/pole-exemple-des-deux-rives/",
            },
            "territory": {
                "town": "Amiens",
                "departments": [{"code": "80", "name": "Somme"}],
                "regions": ["Hauts-de-France"],
            },
            "version": "2021",
            "signed_at": "2022-03-15T12:00:00+01:00",
            "channel": "online",
            "channel_label": "Online",
            "edition": None,
            "representative": {"name": "Alex Exemple", "role": "Directeur"},
        },
        {
            "organisation": {
                "name": "Pôle Écotone",
                "slug": "pole-ecotone",
                "kind": "pole",
                "kind_label": "Pole (PTCE)",
                "is_fictional": True,
                "url": f"{SITE}/poles/pole-ecotone/",
            },
            "territory": {
                "town": "Lyon",
                "departments": [{"code": "42", "name": "Loire"}, {"code": "69", "name": "Rhône"}],
                "regions": ["Auvergne-Rhône-Alpes"],
            },
            "version": "2021",
            "signed_at": "2021-09-01T12:00:00+02:00",
            "channel": "online",
            "channel_label": "Online",
            "edition": None,
            "representative": None,
        },
    ]


def test_a_ceremony_signature_names_its_day_and_revoked_ones_are_left_out(client, charter):
    items = get(client, "/api/v1/charter/2014/signatures").json()["items"]

    assert [(item["organisation"]["name"], item["channel"], item["edition"]) for item in items] == [
        ("Pôle Écotone", "ceremony", "journee-exemple-2014")
    ]
    assert items[0]["signed_at"] == "2014-09-19T16:05:00+02:00"


def test_a_day_that_is_not_public_is_not_named(client, charter):
    charter["ecotone_2014"].edition.status = EditionStatus.DRAFT
    charter["ecotone_2014"].edition.save()

    items = get(client, "/api/v1/charter/2014/signatures").json()["items"]

    assert items[0]["edition"] is None


def test_no_email_no_receipt_code_and_no_name_without_consent(client, charter):
    response = get(client, "/api/v1/charter/2021/signatures")

    # As a reader of the JSON sees it, with its escapes read.
    content = json.dumps(response.json(), ensure_ascii=False)
    for signature in charter.values():
        assert signature.receipt_code not in content
        assert rules.format_code(signature.receipt_code) not in content
    assert "@" not in content
    assert "Dominique Discrète" not in content
    assert "Présidente" not in content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "84"}, ["Pôle Écotone"]),
        ({"region": "11"}, ["Réseau Exemple"]),
        ({"region": "32"}, ["Pôle Exemple des Deux-Rives"]),
        ({"region": "53"}, []),
        ({"kind": "network"}, ["Réseau Exemple"]),
        ({"kind": "pole"}, ["Pôle Exemple des Deux-Rives", "Pôle Écotone"]),
        ({"channel": "online"}, ["Réseau Exemple", "Pôle Exemple des Deux-Rives", "Pôle Écotone"]),
        ({"channel": "ceremony"}, []),
        (
            {"region": "", "kind": "", "channel": ""},
            ["Réseau Exemple", "Pôle Exemple des Deux-Rives", "Pôle Écotone"],
        ),
    ],
)
def test_filters_narrow_the_signatures(client, charter, params, expected):
    response = get(client, "/api/v1/charter/2021/signatures", **params)

    assert response.status_code == 200
    assert organisations(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize(
    ("params", "field", "error_type"),
    [
        ({"region": "99"}, "region", "unknown_region"),
        ({"region": "82"}, "region", "unknown_region"),
        ({"region": "x" * 21}, "region", "string_too_long"),
        ({"kind": "public_body"}, "kind", "literal_error"),
        ({"channel": "pigeon"}, "channel", "enum"),
        ({"limit": "101"}, "limit", "less_than_equal"),
        ({"offset": "-1"}, "offset", "greater_than_equal"),
    ],
)
def test_bad_parameters_answer_422(client, charter, params, field, error_type):
    response = get(client, "/api/v1/charter/2021/signatures", **params)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert [(error["loc"][-1], error["type"]) for error in body["errors"]] == [(field, error_type)]


@pytest.mark.parametrize("version", ["1999", "gestion", "x" * 300])
def test_unknown_version_is_a_json_404(client, charter, version):
    response = get(client, f"/api/v1/charter/{version}/signatures")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "The charter has no such version."}


def test_signatures_page_with_limit_and_offset(client, charter):
    first = get(client, "/api/v1/charter/2021/signatures", limit=2)
    second = get(client, "/api/v1/charter/2021/signatures", limit=2, offset=2)

    assert organisations(first) == ["Réseau Exemple", "Pôle Exemple des Deux-Rives"]
    assert organisations(second) == ["Pôle Écotone"]
    assert first.json()["count"] == second.json()["count"] == 3


@pytest.mark.parametrize("count", [1, 3])
def test_signatures_query_count_does_not_grow(client, django_assert_num_queries, count):
    version = CharterVersionFactory()
    day = EditionFactory()
    for number in range(count):
        pole = make_pole(f"Pôle Exemple {number}", "Lyon", "69", "42")
        sign(version, pole.organisation, at(2022, 1, 1), channel=Channel.CEREMONY, edition=day)
        network = OrganisationFactory(kind=OrganisationKind.NETWORK, department_code="75")
        sign(version, network, at(2022, 1, 2), name_is_public=True)

    with django_assert_num_queries(SIGNATURES_QUERIES):
        response = get(client, "/api/v1/charter/2021/signatures")
    with django_assert_num_queries(SIGNATURES_QUERIES):
        filtered = get(client, "/api/v1/charter/2021/signatures", region="84", kind="pole")

    assert response.json()["count"] == 2 * count
    assert filtered.json()["count"] == count


def test_markup_and_formulas_are_given_as_typed_data(client, charter):
    signature = charter["network_2021"]
    signature.representative_name = '<script>alert("x")</script>'
    signature.representative_role = '=HYPERLINK("http://example.org","clic")'
    signature.save()
    signature.organisation.name = "<b>Réseau</b>"
    signature.organisation.save()

    response = get(client, "/api/v1/charter/2021/signatures", kind="network")

    assert response["Content-Type"] == "application/json; charset=utf-8"
    item = response.json()["items"][0]
    assert item["organisation"]["name"] == "<b>Réseau</b>"
    assert item["representative"] == {
        "name": '<script>alert("x")</script>',
        "role": '=HYPERLINK("http://example.org","clic")',
    }


# Schema -----------------------------------------------------------------------------------


def test_openapi_schema_has_the_charter_paths_and_no_personal_fields(client):
    schema = get(client, "/api/v1/openapi.json").json()

    paths = schema["paths"]
    versions = paths["/api/v1/charter/versions"]["get"]
    signatures = paths["/api/v1/charter/{version}/signatures"]["get"]
    assert versions["operationId"] == "list_charter_versions"
    assert signatures["operationId"] == "list_charter_signatures"
    assert set(signatures["responses"]) == {"200", "404", "414", "422", "429"}
    assert {parameter["name"] for parameter in signatures["parameters"]} == {
        "version",
        "region",
        "kind",
        "channel",
        "limit",
        "offset",
    }
    components = schema["components"]["schemas"]
    assert set(components["SignatureOut"]["properties"]) == {
        "organisation",
        "territory",
        "version",
        "signed_at",
        "channel",
        "channel_label",
        "edition",
        "representative",
    }
    assert set(components["RepresentativeOut"]["properties"]) == {"name", "role"}
