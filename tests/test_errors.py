"""Bad input gets a proper error page (or JSON under /api/), never a server error."""

import json

import pytest
from django.test import Client

from common import errors as views
from outbox.models import Message
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db


def is_french_error_page(response, status):
    html = response.content.decode()
    return (
        response.status_code == status
        and response["Content-Type"] == "text/html; charset=utf-8"
        and '<html lang="fr">' in html
        and html.count("<h1>") == 1
        and 'href="/"' in html
    )


@pytest.mark.parametrize(
    "path",
    [
        "/journees/inconnue/",
        "/journees/inconnue/programme/",
        "/journees/inconnue/intervenants/personne/",
        "/journees/inconnue/journee.ics",
        "/journees/inconnue/programme/1.ics",
        "/nulle-part/",
        "/journees/%00/",
        "/journees/a%00b/programme/",
        "/journees/%ff%fe/",
        "/journees/%C0%AE%C0%AE/",
        "/journees/%E2%80%AE%F0%9F%98%80/",
        "/journees/<script>alert(1)</script>/",
        "/journees/..%2F..%2Fetc%2Fpasswd/",
        "/journees/exemple/programme/-1.ics",
        "/journees/exemple/programme/99999999999999999999.ics",
    ],
)
def test_bad_paths_give_a_french_not_found_page(client, path):
    EditionFactory(slug="exemple")

    response = client.get(path)

    assert is_french_error_page(response, 404)
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["page=abc", "x=%ff%fe", "a=" + "z" * 4000, "&".join(f"k{n}=v" for n in range(500)), "%"],
)
def test_malformed_query_strings_on_a_page_are_ignored(client, query):
    EditionFactory(slug="exemple")

    assert client.get(f"/journees/exemple/?{query}").status_code == 200
    assert client.get(f"/?{query}").status_code == 200


@pytest.mark.parametrize("query", ["page=abc", "x=%ff%fe", "a=" + "z" * 4000])
def test_malformed_query_strings_on_an_unknown_page_give_not_found(client, query):
    assert is_french_error_page(client.get(f"/journees/inconnue/?{query}"), 404)


@pytest.mark.parametrize(
    "address",
    ["/poles/?q=%00", "/charte/verifier/?code=a%00b", "/?%00=x", "/journees/exemple/?x=%00"],
)
def test_nul_in_a_query_string_gets_a_french_400_page_naming_it(client, address):
    EditionFactory(slug="exemple")

    response = client.get(address)

    assert is_french_error_page(response, 400)
    assert "contient un caractère invisible (U+0000)" in response.content.decode()


def test_nul_in_a_form_field_or_a_cookie_gets_a_400_and_changes_nothing(client):
    edition = EditionFactory(slug="exemple")
    before = Message.objects.count()

    posted = client.post("/journees/exemple/inscription/lien/", {"email": "a\x00@example.org"})
    client.cookies["sessionid"] = "abc\x00def"
    with_cookie = client.get(edition.get_absolute_url())

    assert is_french_error_page(posted, 400)
    assert is_french_error_page(with_cookie, 400)
    assert Message.objects.count() == before


def test_a_body_beyond_the_limit_gets_413_in_french_or_as_json(client):
    EditionFactory(slug="exemple")
    body = "email=" + "a" * (3 * 1024 * 1024)

    page = client.post(
        "/journees/exemple/inscription/lien/",
        body,
        content_type="application/x-www-form-urlencoded",
    )
    api = client.post(
        "/api/v1/editions/exemple/registrations", body, content_type="application/json"
    )

    assert is_french_error_page(page, 413)
    assert "Envoi trop volumineux" in page.content.decode()
    assert (api.status_code, api.json()["code"]) == (413, "payload_too_large")
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    "address",
    [
        "/journees/" + "a" * 5000 + "/",
        "/" + "x" * 5000,
        "/journees/exemple/intervenants/" + "b" * 5000 + "/",
        "/journees/exemple/?a=" + "z" * 20000,
        "/?" + "&".join(f"k{n}=v" for n in range(2000)),
        "/api/v1/poles?q=" + "z" * 5000,
    ],
)
def test_addresses_beyond_the_limit_get_a_french_414_page(client, address):
    EditionFactory(slug="exemple")

    response = client.get(address)

    if address.startswith("/api/"):
        assert (response.status_code, response.json()["code"]) == (414, "uri_too_long")
    else:
        assert is_french_error_page(response, 414)
        assert "Adresse trop longue" in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "%ff%fe", "99999999999999999999999", "-1"])
def test_sitemap_with_a_bad_page_number_is_not_found(client, page):
    assert is_french_error_page(client.get(f"/sitemap.xml?p={page}"), 404)


def test_unknown_host_gives_a_french_bad_request_page(client):
    response = client.get("/", HTTP_HOST="evil.example")

    assert is_french_error_page(response, 400)


def test_api_not_found_is_json(client):
    response = client.get("/api/v1/nonexistent")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert sorted(body) == ["code", "message"]
    assert body["code"] == "not_found"


def test_api_bad_request_is_json(client):
    response = client.get("/api/v1/nonexistent", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert json.loads(response.content)["code"] == "bad_request"


def test_server_error_page_needs_no_database(rf, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = views.server_error(rf.get("/journees/exemple/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fr">' in html
    assert html.count("<h1>") == 1


def test_server_error_under_the_api_is_json(rf):
    response = views.server_error(rf.get("/api/v1/editions"))

    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"


def test_forbidden_and_rate_limited_pages(rf):
    assert is_french_error_page(views.permission_denied(rf.get("/")), 403)
    assert is_french_error_page(views.rate_limited(rf.get("/")), 429)


def test_missing_csrf_token_gives_the_expired_form_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert is_french_error_page(response, 403)
    assert "403_csrf.html" in [t.name for t in response.templates]


def test_error_page_follows_the_visitors_language(client):
    response = client.get("/journees/inconnue/", HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="en">' in html
    assert "<h1>Page not found</h1>" in html


def test_api_error_message_follows_the_visitors_language(client):
    response = client.get("/api/v1/nonexistent", HTTP_ACCEPT_LANGUAGE="en")

    assert json.loads(response.content)["message"] == "Nothing was found at this address."
