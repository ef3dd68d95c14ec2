"""The JSON API v1: editions list and detail, errors as JSON with a stable code, schema, docs."""

import datetime as dt
import json
import logging

import pytest
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone, translation
from django_ratelimit.exceptions import Ratelimited
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled

from events.enums import EditionStatus, SecurityField, SessionKind
from network.enums import OrganisationKind
from ptce.api import api
from tests.factories import (
    EditionFactory,
    OrganisationFactory,
    SessionFactory,
    SpeakerFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://journees.example.org"
UTC = dt.UTC

# Queries of one API call, whatever the number of editions or sessions: see the N+1 guards.
LIST_QUERIES = 2  # count, page (venue joined)
# edition+venue, organisers, partners, sessions, speakers (with their edition and organisation),
# organisations taking part
DETAIL_QUERIES = 6


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def get(client, url, language="en"):
    # English by default: labels of codes (kind_label) are then the msgids, stable whatever
    # the French catalogue says.
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def in_days(days):
    return timezone.localdate() + dt.timedelta(days=days)


# List ------------------------------------------------------------------------------------


def test_list_gives_upcoming_editions_soonest_first_then_past_ones_latest_first(client):
    EditionFactory(slug="passee-2012", date=dt.date(2012, 6, 25), status=EditionStatus.ARCHIVED)
    EditionFactory(slug="dans-90-jours", date=in_days(90))
    EditionFactory(slug="passee-2014", date=dt.date(2014, 9, 19), status=EditionStatus.ARCHIVED)
    EditionFactory(slug="aujourdhui", date=in_days(0))
    EditionFactory(slug="dans-30-jours", date=in_days(30))
    EditionFactory(slug="brouillon", date=in_days(10), status=EditionStatus.DRAFT)

    response = get(client, "/api/v1/editions")

    assert response.status_code == 200
    body = response.json()
    assert [item["slug"] for item in body["items"]] == [
        "aujourdhui",
        "dans-30-jours",
        "dans-90-jours",
        "passee-2014",
        "passee-2012",
    ]
    assert body["count"] == 5


def test_list_item_gives_the_edition_summary_with_paris_times(client):
    EditionFactory(
        title="Journée Exemple",
        slug="journee-exemple",
        number=2,
        summary="Une journée d'exemple.",
        date=dt.date(2014, 9, 19),
        start_time=dt.time(9, 30),
        end_time=dt.time(16, 30),
        status=EditionStatus.ARCHIVED,
        is_demonstration=False,
        capacity=300,
        id_required=True,
        registration_opens_at=dt.datetime(2014, 7, 1, 8, 0, tzinfo=UTC),
        registration_closes_at=dt.datetime(2014, 9, 16, 16, 0, tzinfo=UTC),
        venue=VenueFactory(name="Salle Exemple", city="Ville-Exemple"),
    )

    response = get(client, "/api/v1/editions")

    assert response.json()["items"] == [
        {
            "slug": "journee-exemple",
            "number": 2,
            "title": "Journée Exemple",
            "summary": "Une journée d'exemple.",
            "date": "2014-09-19",
            "starts_at": "2014-09-19T09:30:00+02:00",
            "ends_at": "2014-09-19T16:30:00+02:00",
            "status": "archived",
            "is_demonstration": False,
            "capacity": 300,
            "id_required": True,
            "registration_opens_at": "2014-07-01T10:00:00+02:00",
            "registration_deadline": "2014-09-16T18:00:00+02:00",
            "url": f"{SITE}/journees/journee-exemple/",
            "venue": {"name": "Salle Exemple", "city": "Ville-Exemple", "is_fictional": True},
        }
    ]


def test_list_gives_null_hours_and_venue_when_unknown(client):
    EditionFactory(
        slug="premiere",
        date=dt.date(2012, 6, 25),
        start_time=None,
        end_time=None,
        venue=None,
        capacity=None,
        status=EditionStatus.ARCHIVED,
    )

    item = get(client, "/api/v1/editions").json()["items"][0]

    assert (item["starts_at"], item["ends_at"], item["venue"], item["capacity"]) == (
        None,
        None,
        None,
        None,
    )
    # Without closing time nor deadline, registration closes when the day starts.
    assert item["registration_deadline"] == "2012-06-25T00:00:00+02:00"


def test_list_is_paginated_with_limit_and_offset(client):
    for days in (10, 20, 30):
        EditionFactory(slug=f"dans-{days}-jours", date=in_days(days))

    body = get(client, "/api/v1/editions?limit=1&offset=1").json()

    assert [item["slug"] for item in body["items"]] == ["dans-20-jours"]
    assert body["count"] == 3


@pytest.mark.parametrize("editions", [1, 3])
def test_list_makes_a_fixed_number_of_queries(client, django_assert_num_queries, editions):
    for days in range(editions):
        EditionFactory(date=in_days(days))

    with django_assert_num_queries(LIST_QUERIES):
        response = get(client, "/api/v1/editions")

    assert len(response.json()["items"]) == editions


# Detail ----------------------------------------------------------------------------------


@pytest.fixture
def edition():
    """An archived edition with a venue, organisers, partners and a two-session programme."""
    network = OrganisationFactory(
        name="Réseau Exemple",
        slug="reseau-exemple",
        kind=OrganisationKind.NETWORK,
        website="https://reseau.example.org/",
    )
    public_body = OrganisationFactory(
        name="Collectivité Exemple", slug="collectivite-exemple", kind=OrganisationKind.PUBLIC_BODY
    )
    pole = OrganisationFactory(name="Pôle Exemple", slug="pole-exemple")
    venue = VenueFactory(
        name="Salle Exemple",
        street_address="1 rue de l'Exemple",
        postal_code="00000",
        city="Ville-Exemple",
        public_transport="Métro : ligne 0\n\n  Bus : ligne 00  \n",
        accessibility="Accès de plain-pied.",
        map_url="https://carte.example.org/salle",
    )
    edition = EditionFactory(
        title="Journée Exemple",
        slug="journee-exemple",
        number=2,
        summary="Une journée d'exemple.",
        description="La description longue.",
        date=dt.date(2014, 9, 19),
        status=EditionStatus.ARCHIVED,
        is_demonstration=False,
        venue=venue,
        registration_opens_at=dt.datetime(2014, 7, 1, 8, 0, tzinfo=UTC),
        registration_closes_at=dt.datetime(2014, 9, 16, 16, 0, tzinfo=UTC),
        security_fields=[SecurityField.BIRTH_DATE],
        security_list_first_deadline=dt.datetime(2014, 9, 5, 10, 0, tzinfo=UTC),
        security_list_final_deadline=dt.datetime(2014, 9, 12, 10, 0, tzinfo=UTC),
        organisers=[network],
    )
    edition.partners.set([public_body])
    # Created after the morning's session, listed before it: the programme goes by time.
    round_table = SessionFactory(
        edition=edition,
        start_time=dt.time(14, 0),
        end_time=dt.time(15, 30),
        kind=SessionKind.ROUND_TABLE,
        title="Table ronde des pôles",
        description="Trois pôles racontent.",
        room="Salle B",
        is_illustrative=True,
    )
    round_table.speakers.add(
        SpeakerFactory(
            edition=edition,
            name="Bastien Exemple",
            slug="bastien-exemple",
            role="",
            organisation=None,
            affiliation="Pôle Exemple des Deux-Rives",
        ),
        SpeakerFactory(
            edition=edition,
            name="Alix Exemple",
            slug="alix-exemple",
            role="Coordinatrice",
            organisation=pole,
        ),
    )
    round_table.organisations.add(pole)
    SessionFactory(
        edition=edition,
        start_time=dt.time(9, 30),
        end_time=dt.time(10, 0),
        kind=SessionKind.WELCOME,
        title="Accueil",
    )
    return edition


def test_detail_gives_venue_organisers_deadlines_and_programme(client, edition):
    response = get(client, "/api/v1/editions/journee-exemple")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    pole = {
        "name": "Pôle Exemple",
        "slug": "pole-exemple",
        "kind": "pole",
        "kind_label": "Pole (PTCE)",
        "website": None,
        "is_fictional": True,
    }
    assert response.json() == {
        "slug": "journee-exemple",
        "number": 2,
        "title": "Journée Exemple",
        "summary": "Une journée d'exemple.",
        "date": "2014-09-19",
        "starts_at": "2014-09-19T09:30:00+02:00",
        "ends_at": "2014-09-19T16:30:00+02:00",
        "status": "archived",
        "is_demonstration": False,
        "capacity": 300,
        "id_required": True,
        "registration_opens_at": "2014-07-01T10:00:00+02:00",
        # The final deadline of the security list comes before the closing time.
        "registration_deadline": "2014-09-12T12:00:00+02:00",
        "url": f"{SITE}/journees/journee-exemple/",
        "description": "La description longue.",
        "venue": {
            "name": "Salle Exemple",
            "street_address": "1 rue de l'Exemple",
            "postal_code": "00000",
            "city": "Ville-Exemple",
            "public_transport": ["Métro : ligne 0", "Bus : ligne 00"],
            "accessibility": "Accès de plain-pied.",
            "map_url": "https://carte.example.org/salle",
            "is_fictional": True,
        },
        "organisers": [
            {
                "name": "Réseau Exemple",
                "slug": "reseau-exemple",
                "kind": "network",
                "kind_label": "Network",
                "website": "https://reseau.example.org/",
                "is_fictional": True,
            }
        ],
        "partners": [
            {
                "name": "Collectivité Exemple",
                "slug": "collectivite-exemple",
                "kind": "public_body",
                "kind_label": "Public body",
                "website": None,
                "is_fictional": True,
            }
        ],
        "security_fields": ["birth_date"],
        "security_list_first_deadline": "2014-09-05T12:00:00+02:00",
        "security_list_final_deadline": "2014-09-12T12:00:00+02:00",
        "programme_url": f"{SITE}/journees/journee-exemple/programme/",
        "sessions": [
            {
                "starts_at": "2014-09-19T09:30:00+02:00",
                "ends_at": "2014-09-19T10:00:00+02:00",
                "kind": "welcome",
                "kind_label": "Welcome",
                "title": "Accueil",
                "description": "",
                "room": "",
                "is_illustrative": False,
                "speakers": [],
                "organisations": [],
            },
            {
                "starts_at": "2014-09-19T14:00:00+02:00",
                "ends_at": "2014-09-19T15:30:00+02:00",
                "kind": "round_table",
                "kind_label": "Round table",
                "title": "Table ronde des pôles",
                "description": "Trois pôles racontent.",
                "room": "Salle B",
                "is_illustrative": True,
                "speakers": [
                    {
                        "slug": "alix-exemple",
                        "name": "Alix Exemple",
                        "role": "Coordinatrice",
                        "organisation_name": "Pôle Exemple",
                        "url": f"{SITE}/journees/journee-exemple/intervenants/alix-exemple/",
                    },
                    {
                        "slug": "bastien-exemple",
                        "name": "Bastien Exemple",
                        "role": "",
                        "organisation_name": "Pôle Exemple des Deux-Rives",
                        "url": f"{SITE}/journees/journee-exemple/intervenants/bastien-exemple/",
                    },
                ],
                "organisations": [pole],
            },
        ],
    }


def test_detail_gives_winter_times_with_their_offset(client):
    EditionFactory(slug="hiver", date=dt.date(2027, 1, 15))

    body = get(client, "/api/v1/editions/hiver").json()

    assert (body["starts_at"], body["ends_at"]) == (
        "2027-01-15T09:30:00+01:00",
        "2027-01-15T16:30:00+01:00",
    )


@pytest.mark.parametrize("sessions", [1, 3])
def test_detail_makes_a_fixed_number_of_queries(client, django_assert_num_queries, sessions):
    edition = EditionFactory(
        slug="journee-exemple", organisers=[OrganisationFactory(), OrganisationFactory()]
    )
    edition.partners.set([OrganisationFactory()])
    for hour in range(9, 9 + sessions):
        session = SessionFactory(
            edition=edition, start_time=dt.time(hour), end_time=dt.time(hour, 45)
        )
        session.speakers.add(
            SpeakerFactory(edition=edition, organisation=OrganisationFactory()),
            SpeakerFactory(edition=edition),
        )
        session.organisations.add(OrganisationFactory())

    with django_assert_num_queries(DETAIL_QUERIES):
        response = get(client, "/api/v1/editions/journee-exemple")

    assert len(response.json()["sessions"]) == sessions


def test_detail_gives_untrusted_text_back_exactly(client):
    title = 'Le "grand" débat </script><script>alert(1)</script> & <b>'
    edition = EditionFactory(slug="journee-exemple", title=title, description="<img src=x>\\'")
    SessionFactory(edition=edition, title="</script>\u2028fin", room="'; DROP TABLE --")

    response = get(client, "/api/v1/editions/journee-exemple")

    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(response.content)
    assert (body["title"], body["description"]) == (title, "<img src=x>\\'")
    assert (body["sessions"][0]["title"], body["sessions"][0]["room"]) == (
        "</script>\u2028fin",
        "'; DROP TABLE --",
    )


# Errors ----------------------------------------------------------------------------------


NOT_FOUND_EN = {"code": "not_found", "message": "No public edition has this address."}


def test_draft_edition_is_not_found_and_not_listed(client):
    EditionFactory(slug="brouillon", status=EditionStatus.DRAFT)

    response = get(client, "/api/v1/editions/brouillon")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND_EN
    assert get(client, "/api/v1/editions").json() == {"items": [], "count": 0}


@pytest.mark.parametrize("slug", ["inconnue", "a" * 4000, "%C3%A9t%C3%A9", "2014"])
def test_unknown_or_overlong_slug_is_not_found_as_json(client, slug):
    EditionFactory(slug="journee-exemple")

    response = get(client, f"/api/v1/editions/{slug}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == NOT_FOUND_EN


@pytest.mark.parametrize("language", ["fr", "en"])
def test_error_code_is_stable_and_message_follows_the_request_language(client, language):
    response = get(client, "/api/v1/editions/inconnue", language=language)

    assert response.status_code == 404
    assert response["Content-Language"] == language
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "location", "error_type"),
    [
        ("limit=abc", ["query", "limit"], "int_parsing"),
        ("limit=0", ["query", "limit"], "greater_than_equal"),
        ("limit=101", ["query", "limit"], "less_than_equal"),
        ("offset=-1", ["query", "offset"], "greater_than_equal"),
        # Far beyond any database integer: a validation error, not a 500.
        ("offset=" + "9" * 40, ["query", "offset"], "less_than_equal"),
    ],
)
def test_malformed_query_string_is_a_validation_error(client, query, location, error_type):
    response = get(client, f"/api/v1/editions?{query}")

    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["message"]) == (
        "invalid",
        "Some parameters are not valid: see the errors.",
    )
    assert [(error["loc"], error["type"]) for error in body["errors"]] == [(location, error_type)]


@pytest.mark.parametrize("path", ["/api/v1/nulle-part", "/api/v1/", "/api/v2/editions"])
def test_path_under_the_api_that_no_route_matches_is_not_found_as_json(client, path):
    # Answered by the site's 404 handler, which speaks JSON under /api/.
    response = get(client, path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("exception", "status", "code", "message"),
    [
        (
            AuthenticationError(),
            401,
            "unauthorized",
            "Authentication required: send a valid API token as a Bearer token.",
        ),
        (AuthorizationError(), 403, "forbidden", "You are not allowed to do this."),
        # get_object_or_404's text names the model and is not translated: not shown.
        (
            Http404("No Edition matches the given query."),
            404,
            "not_found",
            "Nothing was found at this address.",
        ),
        (PermissionDenied(), 403, "forbidden", "You are not allowed to do this."),
        (
            Ratelimited(),
            429,
            "rate_limited",
            "Too many requests. Try again later.",
        ),
        (
            Throttled(wait=None),
            429,
            "rate_limited",
            "Too many requests. Try again later.",
        ),
        (BadRequest(), 400, "bad_request", "The request could not be understood."),
        (SuspiciousOperation(), 400, "bad_request", "The request could not be understood."),
        (
            HttpError(400, "Cannot parse request body"),
            400,
            "bad_request",
            "The request could not be understood.",
        ),
        (HttpError(409, "Already signed."), 409, "conflict", "Already signed."),
    ],
)
def test_api_answers_refusals_as_json_with_a_code(exception, status, code, message):
    # Raised inside an endpoint by ninja's auth (401), permission checks (403), rate limits
    # (429) or a malformed request (400); the API's handlers turn them into these answers.
    request = RequestFactory().get("/api/v1/me")
    with translation.override("en"):
        response = api.on_exception(request, exception)

    assert response.status_code == status
    assert json.loads(response.content) == {"code": code, "message": message}


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic dXNlcjpwdw=="])
def test_endpoint_with_auth_answers_401_as_json_without_a_valid_token(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = client.get("/api/v1/me", headers=headers, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "code": "unauthorized",
        "message": "Authentication required: send a valid API token as a Bearer token.",
    }


def test_throttled_answer_says_when_to_retry():
    response = api.on_exception(RequestFactory().get("/api/v1/editions"), Throttled(wait=30))

    assert response["Retry-After"] == "30"


def test_unexpected_error_is_logged_and_answered_without_traceback(caplog, settings):
    settings.DEBUG = True  # even then, no traceback reaches the client
    error = RuntimeError("secret detail in the traceback")
    with caplog.at_level(logging.ERROR, logger="ptce.api"), translation.override("en"):
        response = api.on_exception(RequestFactory().get("/api/v1/editions"), error)

    assert response.status_code == 500
    assert json.loads(response.content) == {
        "code": "server_error",
        "message": "Something went wrong on our side. Please try again in a few minutes.",
    }
    [record] = caplog.records
    assert (record.getMessage(), record.exc_info[1]) == (
        "Unhandled API error on GET /api/v1/editions",
        error,
    )


# Schema and docs ---------------------------------------------------------------------------


def test_openapi_schema_is_json_with_the_editions_paths(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert {"/api/v1/editions", "/api/v1/editions/{slug}"} <= set(schema["paths"])
    assert schema["paths"]["/api/v1/editions"]["get"]["operationId"] == "list_editions"
    assert schema["paths"]["/api/v1/editions/{slug}"]["get"]["operationId"] == "get_edition"
    assert set(schema["paths"]["/api/v1/editions/{slug}"]["get"]["responses"]) == {
        "200",
        "404",
        "414",
        "429",
    }


def test_docs_page_uses_only_local_scripts_and_styles(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/ninja/swagger-ui-bundle.js"></script>' in html
    assert '<script src="/static/ninja/swagger-ui-init.js"></script>' in html
    assert '<link type="text/css" rel="stylesheet" href="/static/ninja/swagger-ui.css">' in html
    assert "http://" not in html
    assert "https://" not in html


def test_wrong_method_is_a_json_error_that_keeps_the_allow_header(client):
    response = client.post("/api/v1/editions")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"
