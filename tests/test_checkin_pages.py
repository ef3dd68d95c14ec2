"""The check-in app's pages: who may open them, the edition picker, the app page (without any
personal data in it), the service worker and the web app manifest."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from admission.views.checkin import strings
from tests.auth import log_in
from tests.factories import EditionFactory, MembershipFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def app_url(edition):
    return f"/controle/{edition.slug}/"


def get(client, path, user=None):
    if user is not None:
        log_in(client, user)
    return client.get(path, HTTP_ACCEPT_LANGUAGE="en")


def script_json(response, element_id):
    html = response.content.decode()
    start = html.index(f'<script id="{element_id}" type="application/json">') + len(
        f'<script id="{element_id}" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_addresses_are_stable():
    assert reverse("admission:checkin_pick") == "/controle/"
    assert reverse("admission:checkin", args=["journee"]) == "/controle/journee/"
    assert reverse("admission:checkin_service_worker") == "/controle/sw.js"
    assert reverse("admission:checkin_manifest") == "/controle/manifest.webmanifest"


@pytest.mark.parametrize("path", ["/controle/", "/controle/journee-exemple/"])
def test_pages_send_anonymous_visitors_to_the_login_page(client, cast, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/connexion/?next={path}"


@pytest.mark.parametrize("who", ["agent", "organiser", "superuser"])
def test_agent_and_organisers_of_the_edition_open_the_app(client, cast, who):
    response = get(client, app_url(cast.edition), getattr(cast, who))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert "Journée Exemple" in response.content.decode()
    # The scripts read the session's CSRF token from its cookie.
    assert "csrftoken" in response.cookies


@pytest.mark.parametrize("who", ["viewer", "editor", "outsider", "other_organiser"])
def test_others_get_the_403_page_and_no_data(client, cast, who):
    RegistrationFactory(edition=cast.edition, first_name="Zoé", last_name="Secrète")

    response = get(client, app_url(cast.edition), getattr(cast, who))

    assert response.status_code == 403
    html = response.content.decode()
    assert "Secrète" not in html
    assert "checkin-config" not in html


def test_agent_of_another_edition_gets_403(client, cast):
    response = get(client, app_url(cast.edition_two), cast.agent)

    assert response.status_code == 403
    assert "checkin-config" not in response.content.decode()


def test_unknown_edition_is_404(client, cast):
    assert get(client, "/controle/pas-de-journee/", cast.agent).status_code == 404


def test_app_page_holds_no_personal_data(client, cast):
    RegistrationFactory(
        edition=cast.edition,
        first_name="Zoé",
        last_name="Secrète",
        email="zoe.secrete@example.org",
        accessibility_needs="Boucle magnétique",
    )

    html = get(client, app_url(cast.edition), cast.agent).content.decode()

    for secret in ("Zoé", "Secrète", "zoe.secrete", "Boucle magnétique", "agent@example.org"):
        assert secret not in html


def test_app_page_gives_its_scripts_addresses_and_every_word(client, cast):
    response = get(client, app_url(cast.edition), cast.agent)

    config = script_json(response, "checkin-config")
    slug = cast.edition.slug
    assert config["edition"] == slug
    assert config["dataUrl"] == f"/api/v1/editions/{slug}/checkin-data"
    assert config["checkinsUrl"] == f"/api/v1/editions/{slug}/checkins"
    assert config["badgeUrl"] == f"/journees/{slug}/gestion/badges/0.pdf"
    assert config["serviceWorker"] == "/controle/sw.js"
    assert config["scope"] == "/controle/"
    assert config["csrfCookie"] == "csrftoken"
    assert config["timeZone"] == "Europe/Paris"
    assert "/static/admission/checkin/app.js" in config["assets"]
    words = script_json(response, "checkin-strings")
    assert words["results"]["admitted"] == "Admitted"
    assert words["results"]["already_admitted"] == "Refused: already admitted"
    assert words["sync"]["offline"] == {
        "one": "Offline — %(count)s admission waiting to sync",
        "other": "Offline — %(count)s admissions waiting to sync",
    }


def test_every_result_has_words_in_the_page():
    from admission.enums import CheckInResult

    words = strings()

    assert set(words["results"]) == set(CheckInResult.values)


def test_app_page_has_the_code_field_and_the_verdict_region(client, cast):
    html = get(client, app_url(cast.edition), cast.agent).content.decode()

    assert '<label for="ticket-code">Ticket code</label>' in html
    assert 'id="verdict" class="verdict screen" role="status"' in html
    assert '<link rel="manifest" href="/controle/manifest.webmanifest">' in html
    assert '<script type="module" src="/static/admission/checkin/app.js"></script>' in html


def test_picker_lists_only_the_users_editions_of_today_or_later(client, cast):
    cast.edition.date = timezone.localdate()
    cast.edition.save()
    past = EditionFactory(
        title="Journée passée", organisers=[cast.org], date=timezone.localdate() - dt.timedelta(1)
    )

    organiser_page = get(client, "/controle/", cast.organiser).content.decode()
    agent_page = get(client, "/controle/", cast.agent).content.decode()

    assert f'href="/controle/{cast.edition.slug}/"' in organiser_page
    assert f'href="/controle/{cast.edition_two.slug}/"' in organiser_page
    assert f'href="/controle/{cast.other_edition.slug}/"' not in organiser_page
    assert f'href="/controle/{past.slug}/"' not in organiser_page
    assert f'href="/controle/{cast.edition.slug}/"' in agent_page
    assert f'href="/controle/{cast.edition_two.slug}/"' not in agent_page


def test_picker_queries_do_not_grow_with_editions(client, cast, django_assert_num_queries):
    log_in(client, cast.organiser)
    get(client, "/controle/")
    for number in range(3):
        EditionFactory(title=f"Journée en plus {number}", organisers=[cast.org])

    # Session, user, its second-factor device, roles, editions with their venues, the
    # rehearsals the user takes part in.
    with django_assert_num_queries(6):
        response = get(client, "/controle/")

    assert response.status_code == 200


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_picker_says_so_when_the_user_checks_in_nowhere(client, cast, who):
    response = get(client, "/controle/", getattr(cast, who))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your account may not check people in for any day, today or later." in html
    assert "/controle/journee" not in html


def test_agent_narrowed_to_one_edition_of_two_sees_only_it(client, cast):
    MembershipFactory(user=cast.agent, organisation=cast.other_org, role="viewer")

    html = get(client, "/controle/", cast.agent).content.decode()

    assert html.count('href="/controle/journee') == 1


def test_service_worker_is_served_for_the_app_scope_and_checked_at_every_visit(client):
    response = client.get("/controle/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/controle/"
    assert b'self.addEventListener("fetch"' in response.content


def test_manifest_makes_the_app_installable(client):
    response = client.get("/controle/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == "/controle/"
    assert manifest["scope"] == "/controle/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0a3a66"
    assert manifest["name"] == "Journées PTCE check-in"
    assert manifest["icons"] == [
        {
            "src": "/static/admission/checkin/icon.svg",
            "sizes": "any",
            "type": "image/svg+xml",
            "purpose": "any",
        },
        {
            "src": "/static/admission/checkin/icon-192.png",
            "sizes": "192x192",
            "type": "image/png",
            "purpose": "any",
        },
        {
            "src": "/static/admission/checkin/icon-512.png",
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "any",
        },
    ]


@pytest.mark.parametrize("path", ["/controle/sw.js", "/controle/manifest.webmanifest"])
def test_worker_and_manifest_refuse_writes(client, path):
    assert client.post(path).status_code == 405


def test_icons_have_the_sizes_the_manifest_says(client):
    from django.contrib.staticfiles import finders
    from PIL import Image

    for size in (192, 512):
        with Image.open(finders.find(f"admission/checkin/icon-{size}.png")) as image:
            assert image.size == (size, size)
