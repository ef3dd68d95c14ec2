"""The public event site: home, edition, programme and speaker pages, legal pages, sitemap."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events.enums import EditionStatus, SecurityField, SessionKind
from tests.factories import (
    EditionFactory,
    OrganisationFactory,
    SessionFactory,
    SpeakerFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SITE_URL = "https://journees.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


def in_days(days):
    return timezone.localdate() + dt.timedelta(days=days)


def text(response):
    return response.content.decode()


def meta(html, attribute, name):
    """The content of the <meta> whose ``attribute`` (name or property) is ``name``."""
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    return match[1] if match else None


# Home ---------------------------------------------------------------------------------------


def test_home_puts_the_next_edition_first_then_other_upcoming_then_past(client):
    later = EditionFactory(title="Journée plus tardive", date=in_days(200))
    soon = EditionFactory(title="Journée prochaine", date=in_days(30))
    past = EditionFactory(title="Journée de 2014", date=dt.date(2014, 9, 19))
    older = EditionFactory(title="Journée de 2012", date=dt.date(2012, 6, 25))

    html = text(client.get("/"))

    positions = [html.index(e.title) for e in (soon, later, past, older)]
    assert positions == sorted(positions)
    next_section = html[html.index('id="prochaine-edition"') : html.index('id="autres-editions"')]
    assert soon.title in next_section
    assert later.title not in next_section


def test_home_without_editions_says_none_is_announced(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "No upcoming edition has been announced yet." in text(response)


def test_home_hides_drafts(client):
    EditionFactory(title="Journée en préparation", status=EditionStatus.DRAFT)

    assert "Journée en préparation" not in text(client.get("/"))


def test_home_labels_a_demonstration_edition_and_its_fictional_organiser(client):
    organiser = OrganisationFactory(name="Réseau Exemple", is_fictional=True)
    EditionFactory(title="Journée Exemple", is_demonstration=True, organisers=[organiser])

    html = text(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))

    assert '<strong class="badge badge-demo">Demonstration</strong>' in html
    assert "it will not take place." in html
    assert 'Réseau Exemple <span class="badge badge-fiction">fictional</span>' in html
    assert "made up for the demonstration; they do not exist." in html


def test_home_labels_past_demonstration_editions_too(client):
    EditionFactory(title="Journée Exemple passée", date=in_days(-30), is_demonstration=True)

    html = text(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))

    past = html[html.index('id="editions-passees"') :]
    assert '<span class="badge badge-demo">Demonstration</span>' in past


def test_home_does_not_label_a_real_edition(client):
    EditionFactory(title="2e Journée nationale des PTCE", is_demonstration=False)

    assert "badge-demo" not in text(client.get("/"))


@pytest.mark.parametrize("count", [1, 3])
def test_home_query_count_does_not_grow_with_editions(client, django_assert_num_queries, count):
    for days in range(count):
        EditionFactory(date=in_days(10 + days), organisers=[OrganisationFactory()])
        EditionFactory(date=in_days(-10 - days), organisers=[OrganisationFactory()])

    # The editions with their venues, then their organisers.
    with django_assert_num_queries(2):
        response = client.get("/")

    assert response.status_code == 200


# Edition page -------------------------------------------------------------------------------


@pytest.fixture
def bercy():
    return VenueFactory(
        name="Centre de conférences Pierre Mendès France",
        street_address="139 rue de Bercy",
        postal_code="75012",
        city="Paris",
        public_transport="RER A ou D, Gare de Lyon\nMétro lignes 6 et 14, Bercy\n\nBus 24 et 87",
        accessibility="Salle accessible en fauteuil roulant.\nBoucle magnétique.",
        map_url="https://www.openstreetmap.org/#map=18/48.8386/2.3806",
        is_fictional=False,
    )


@pytest.fixture
def journee_2014(bercy):
    labo = OrganisationFactory(
        name="Le Labo de l'ESS", website="https://www.lelabo-ess.org", is_fictional=False
    )
    edition = EditionFactory(
        title="2e Journée nationale des PTCE",
        slug="2014",
        summary="Témoignages de pôles, débats et signature de la charte.",
        description="Premier paragraphe.\nSuite du paragraphe.\n\nSecond paragraphe.",
        date=dt.date(2014, 9, 19),
        venue=bercy,
        is_demonstration=False,
        status=EditionStatus.ARCHIVED,
        organisers=[labo],
    )
    edition.partners.add(
        OrganisationFactory(name="RTES", website="https://www.rtes.fr", is_fictional=False)
    )
    return edition


def test_edition_page_says_what_when_and_where_in_french_by_default(client, journee_2014):
    response = client.get("/journees/2014/")

    html = text(response)
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "<h1>2e Journée nationale des PTCE</h1>" in html
    assert "Témoignages de pôles, débats et signature de la charte." in html
    assert '<time datetime="2014-09-19">vendredi 19 septembre 2014</time>' in html
    assert "de 9\u00a0h\u00a030 à 16\u00a0h\u00a030" in html
    assert "<p>Premier paragraphe.<br>Suite du paragraphe.</p>\n\n<p>Second paragraphe.</p>" in html


def test_edition_page_gives_the_address_transport_accessibility_and_map(client, journee_2014):
    html = text(client.get("/journees/2014/"))

    assert "Centre de conférences Pierre Mendès France<br>139 rue de Bercy<br>75012 Paris" in html
    assert "<li>RER A ou D, Gare de Lyon</li>" in html
    assert "<li>Métro lignes 6 et 14, Bercy</li>" in html
    assert "<li>Bus 24 et 87</li>" in html
    assert "<p>Salle accessible en fauteuil roulant.<br>Boucle magnétique.</p>" in html
    assert '<a href="https://www.openstreetmap.org/#map=18/48.8386/2.3806" rel="noopener">' in html


def test_edition_page_links_organisers_and_partners_to_their_websites(client, journee_2014):
    html = text(client.get("/journees/2014/"))

    assert '<a href="https://www.lelabo-ess.org" rel="noopener">Le Labo de l&#x27;ESS</a>' in html
    assert '<a href="https://www.rtes.fr" rel="noopener">RTES</a>' in html
    assert "badge-fiction" not in html


def test_edition_page_never_links_an_organisation_website_that_is_not_http(client):
    organiser = OrganisationFactory(name="Réseau Piégé", website="javascript:alert(1)")
    EditionFactory(slug="piege", organisers=[organiser])

    html = text(client.get("/journees/piege/"))

    assert "javascript:" not in html
    assert "<li>Réseau Piégé" in html


def test_edition_page_explains_the_id_check_before_the_description(client, journee_2014):
    journee_2014.security_fields = [SecurityField.BIRTH_DATE, SecurityField.EMPLOYER]
    journee_2014.save()

    html = text(client.get("/journees/2014/", HTTP_ACCEPT_LANGUAGE="en"))

    id_section = html.index('id="piece-identite"')
    assert id_section < html.index('id="a-propos"') < html.index('id="lieu"')
    assert "Register with your first and last names exactly as printed on it" in html
    assert "<dt>Date of birth</dt>\n      <dd>The venue&#x27;s security asks for it" in html
    assert "<dt>Employer</dt>\n      <dd>The venue&#x27;s security lists each visitor" in html
    assert "Nationality" not in html
    assert "No copy or number of your identity document is ever stored." in html


def test_edition_page_without_id_check_has_no_id_section(client):
    EditionFactory(slug="sans-piece", id_required=False)

    assert 'id="piece-identite"' not in text(client.get("/journees/sans-piece/"))


def test_edition_page_says_when_hours_and_venue_are_not_known(client):
    EditionFactory(
        slug="2012", date=dt.date(2012, 6, 25), start_time=None, end_time=None, venue=None
    )

    html = text(client.get("/journees/2012/", HTTP_ACCEPT_LANGUAGE="en"))

    assert "Monday 25 June 2012</time>, hours not announced" in html
    assert "venue not announced" in html
    assert "The venue has not been announced." in html


def test_edition_page_labels_a_demonstration_with_its_fictional_venue(client):
    EditionFactory(slug="demo", is_demonstration=True)

    html = text(client.get("/journees/demo/", HTTP_ACCEPT_LANGUAGE="en"))

    assert '<strong class="badge badge-demo">Demonstration</strong>' in html
    assert "This venue is made up for the demonstration; it does not exist." in html


def test_edition_page_links_the_programme_and_the_calendar_file(client, journee_2014):
    SessionFactory(edition=journee_2014)

    html = text(client.get("/journees/2014/"))

    assert 'href="/journees/2014/programme/"' in html
    assert 'href="/journees/2014/journee.ics"' in html


def test_edition_page_does_not_link_an_empty_programme(client, journee_2014):
    assert 'href="/journees/2014/programme/"' not in text(client.get("/journees/2014/"))


def test_edition_page_escapes_organiser_text(client):
    EditionFactory(
        slug="xss",
        title="<script>alert(1)</script>",
        summary="<img src=x onerror=alert(2)>",
        description="<script>alert(3)</script>",
        is_demonstration=False,
    )

    html = text(client.get("/journees/xss/"))

    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in html
    assert "<p>&lt;script&gt;alert(3)&lt;/script&gt;</p>" in html
    assert meta(html, "property", "og:title") == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_home_escapes_organiser_text(client):
    EditionFactory(title="<script>alert(1)</script>")

    html = text(client.get("/"))

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "path",
    [
        "/journees/brouillon/",
        "/journees/brouillon/programme/",
        "/journees/brouillon/intervenants/camille-exemple/",
        "/journees/brouillon/journee.ics",
    ],
)
def test_draft_editions_are_not_found_anywhere(client, path):
    edition = EditionFactory(slug="brouillon", status=EditionStatus.DRAFT)
    SpeakerFactory(edition=edition, slug="camille-exemple")

    assert client.get(path).status_code == 404


def test_unknown_edition_is_not_found(client):
    assert client.get("/journees/inconnue/").status_code == 404


# Registration call to action ---------------------------------------------------------------


def paris(*args):
    return dt.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def registrable():
    return EditionFactory.build(
        date=dt.date(2030, 6, 20),
        registration_opens_at=paris(2030, 4, 1, 9, 0),
        registration_closes_at=paris(2030, 6, 10, 18, 0),
        security_list_final_deadline=paris(2030, 6, 5, 12, 0),
    )


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (paris(2030, 3, 31, 23, 59), "not_open"),
        (paris(2030, 4, 1, 9, 0), "open"),
        (paris(2030, 6, 5, 11, 59), "open"),
        (paris(2030, 6, 5, 12, 0), "closed"),
        (paris(2030, 6, 21, 9, 0), "closed"),
    ],
)
def test_registration_state_follows_opening_and_the_earlier_deadline(registrable, now, state):
    assert registrable.registration_state(now) == state


def test_registration_state_is_none_without_registration_times():
    edition = EditionFactory.build(date=dt.date(2012, 6, 25))

    assert edition.registration_state(paris(2012, 6, 1, 9, 0)) == "none"


def test_registration_without_opening_time_is_open_until_the_deadline():
    edition = EditionFactory.build(
        date=dt.date(2030, 6, 20), registration_closes_at=paris(2030, 6, 10, 18, 0)
    )

    assert edition.registration_state(paris(2020, 1, 1, 0, 0)) == "open"
    assert edition.registration_state(paris(2030, 6, 10, 18, 0)) == "closed"


def test_edition_page_shows_open_registration_with_its_deadline(client):
    EditionFactory(
        slug="ouverte",
        date=in_days(60),
        registration_opens_at=timezone.now() - dt.timedelta(days=1),
        security_list_final_deadline=dt.datetime.combine(in_days(50), dt.time(18, 0), tzinfo=PARIS),
    )

    html = text(client.get("/journees/ouverte/", HTTP_ACCEPT_LANGUAGE="en"))

    deadline = f"{in_days(50):%A} {in_days(50).day} {in_days(50):%B %Y}"
    assert f"Registration is open until 6 p.m. on {deadline}." in html
    register = '<a class="button button-primary" href="/journees/ouverte/inscription/">Register</a>'
    assert register in html
    assert 'id="inscription"' in html


def test_edition_page_says_when_registration_opens(client):
    opens = dt.datetime.combine(in_days(10), dt.time(9, 0), tzinfo=PARIS)
    EditionFactory(slug="bientot", registration_opens_at=opens)

    html = text(client.get("/journees/bientot/", HTTP_ACCEPT_LANGUAGE="en"))

    assert f"Registration opens at 9 a.m. on {opens:%A} {opens.day} {opens:%B %Y}." in html
    assert 'href="#inscription">Register</a>' in html


def test_edition_page_says_registration_is_closed(client):
    EditionFactory(
        slug="fermee",
        registration_opens_at=timezone.now() - dt.timedelta(days=10),
        registration_closes_at=timezone.now() - dt.timedelta(days=1),
    )

    html = text(client.get("/journees/fermee/", HTTP_ACCEPT_LANGUAGE="en"))

    assert "Registration is closed." in html
    assert ">Register</a>" not in html


def test_past_edition_without_registration_says_it_took_place(client):
    EditionFactory(slug="2012", date=dt.date(2012, 6, 25))

    html = text(client.get("/journees/2012/", HTTP_ACCEPT_LANGUAGE="en"))

    assert "This day has taken place." in html
    assert ">Register</a>" not in html


# Programme ------------------------------------------------------------------------------------


@pytest.fixture
def programme_edition():
    return EditionFactory(title="Journée Exemple", slug="exemple")


def test_programme_lists_sessions_by_time_with_kind_room_and_speakers(client, programme_edition):
    pole = OrganisationFactory(name="Pôle Exemple des Deux-Rives", website="https://pole.example")
    speaker = SpeakerFactory(
        edition=programme_edition,
        name="Camille Exemple",
        slug="camille-exemple",
        role="Coordinatrice",
    )
    afternoon = SessionFactory(
        edition=programme_edition,
        title="Signature de la charte",
        kind=SessionKind.CEREMONY,
        start_time=dt.time(15, 30),
        end_time=dt.time(16, 30),
    )
    morning = SessionFactory(
        edition=programme_edition,
        title="Témoignages de pôles",
        kind=SessionKind.TESTIMONIAL,
        start_time=dt.time(10, 0),
        end_time=dt.time(11, 0),
        room="Salle Exemple",
        description="Trois pôles racontent.\nPuis questions.",
    )
    morning.speakers.add(speaker)
    morning.organisations.add(pole)

    response = client.get("/journees/exemple/programme/", HTTP_ACCEPT_LANGUAGE="en")

    html = text(response)
    assert response.status_code == 200
    assert html.index(f'id="s{morning.pk}"') < html.index(f'id="s{afternoon.pk}"')
    assert '<span class="badge badge-kind">Testimonials</span>' in html
    assert '<span class="badge badge-kind">Ceremony</span>' in html
    assert "Room: Salle Exemple" in html
    assert "<p>Trois pôles racontent.<br>Puis questions.</p>" in html
    assert (
        '<a href="/journees/exemple/intervenants/camille-exemple/">Camille Exemple</a>'
        ', <span lang="fr">Coordinatrice</span>, Pôle Exemple des Deux-Rives' in html
    )
    assert '<a href="https://pole.example" rel="noopener">Pôle Exemple des Deux-Rives</a>' in html
    assert f'href="/journees/exemple/programme/{morning.pk}.ics"' in html
    assert f'href="/journees/exemple/programme/{afternoon.pk}.ics"' in html


def test_programme_marks_illustrative_sessions(client, programme_edition):
    SessionFactory(edition=programme_edition, title="Débat", is_illustrative=True)
    SessionFactory(edition=programme_edition, title="Clôture", kind=SessionKind.CLOSING)

    html = text(client.get("/journees/exemple/programme/", HTTP_ACCEPT_LANGUAGE="en"))

    assert html.count('<strong class="badge badge-indicative">Indicative</strong>') == 1


def test_programme_of_an_edition_without_sessions_says_so(client, programme_edition):
    html = text(client.get("/journees/exemple/programme/", HTTP_ACCEPT_LANGUAGE="en"))

    assert "The programme has not been published yet." in html


def test_programme_escapes_session_text(client, programme_edition):
    SessionFactory(edition=programme_edition, title="<script>x</script>", room="<b>r</b>")

    html = text(client.get("/journees/exemple/programme/"))

    assert "<script>" not in html
    assert "<b>r</b>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


@pytest.mark.parametrize("count", [1, 3])
def test_programme_query_count_does_not_grow_with_sessions(
    client, django_assert_num_queries, programme_edition, count
):
    for hour in range(9, 9 + count):
        session = SessionFactory(
            edition=programme_edition, start_time=dt.time(hour), end_time=dt.time(hour, 45)
        )
        organisation = OrganisationFactory()
        session.speakers.add(
            SpeakerFactory(edition=programme_edition, organisation=organisation),
            SpeakerFactory(edition=programme_edition, organisation=None),
        )
        session.organisations.add(organisation)

    # The edition, the sessions, their speakers (with organisations), their organisations,
    # their published materials.
    with django_assert_num_queries(5):
        response = client.get("/journees/exemple/programme/")

    assert response.status_code == 200


# Speaker page -----------------------------------------------------------------------------------


def test_speaker_page_shows_the_person_and_links_their_sessions(client, programme_edition):
    organisation = OrganisationFactory(name="Réseau Exemple", is_fictional=True)
    speaker = SpeakerFactory(
        edition=programme_edition,
        name="Camille Exemple",
        slug="camille-exemple",
        role="Coordinatrice",
        organisation=organisation,
        bio="Anime un pôle.\nAime les coopératives.",
    )
    first = SessionFactory(edition=programme_edition, title="Ouverture", kind=SessionKind.OPENING)
    second = SessionFactory(
        edition=programme_edition,
        title="Table ronde",
        start_time=dt.time(14, 0),
        end_time=dt.time(15, 0),
    )
    SessionFactory(edition=programme_edition, title="Sans Camille")
    first.speakers.add(speaker)
    second.speakers.add(speaker)

    response = client.get(
        "/journees/exemple/intervenants/camille-exemple/", HTTP_ACCEPT_LANGUAGE="en"
    )

    html = text(response)
    assert response.status_code == 200
    assert "<h1>Camille Exemple</h1>" in html
    assert (
        'Coordinatrice, Réseau Exemple <span class="badge badge-fiction">fictional</span>' in html
    )
    assert "<p>Anime un pôle.<br>Aime les coopératives.</p>" in html
    # Written in French only, marked so on this English page.
    ouverture = f'<a href="/journees/exemple/programme/#s{first.pk}" lang="fr">Ouverture</a>'
    assert ouverture in html
    table_ronde = f'<a href="/journees/exemple/programme/#s{second.pk}" lang="fr">Table ronde</a>'
    assert table_ronde in html
    assert "Sans Camille" not in html


def test_speaker_page_needs_the_speaker_to_belong_to_the_edition(client, programme_edition):
    SpeakerFactory(slug="camille-exemple")

    response = client.get("/journees/exemple/intervenants/camille-exemple/")

    assert response.status_code == 404


# Metadata, language ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/journees/exemple/",
        "/journees/exemple/programme/",
        "/journees/exemple/intervenants/camille-exemple/",
        "/confidentialite/",
        "/accessibilite/",
    ],
)
def test_every_page_has_title_description_canonical_and_sharing_metadata(client, path):
    edition = EditionFactory(slug="exemple")
    SpeakerFactory(edition=edition, slug="camille-exemple")

    html = text(client.get(path))

    assert re.search(r"<title>[^<]+ · Journées PTCE</title>|<title>Journées PTCE</title>", html)
    assert meta(html, "name", "description")
    assert f'<link rel="canonical" href="{SITE_URL}{path}">' in html
    assert meta(html, "property", "og:url") == SITE_URL + path
    assert meta(html, "property", "og:title")
    assert meta(html, "property", "og:description")
    assert meta(html, "property", "og:type") in {"website", "profile"}
    assert meta(html, "property", "og:site_name") == "Journées PTCE"
    assert meta(html, "property", "og:locale") == "fr_FR"
    assert meta(html, "name", "twitter:card") == "summary"
    assert html.count("<h1") == 1


def test_edition_metadata_comes_from_the_edition(client):
    EditionFactory(
        slug="exemple", title="Journée Exemple", summary="Un résumé.", is_demonstration=True
    )

    html = text(client.get("/journees/exemple/", HTTP_ACCEPT_LANGUAGE="en"))

    assert "<title>Journée Exemple (demonstration) · Journées PTCE</title>" in html
    assert meta(html, "property", "og:title") == "Journée Exemple (demonstration)"
    assert meta(html, "name", "description") == "Un résumé."
    assert meta(html, "property", "og:description") == "Un résumé."
    assert meta(html, "property", "og:locale") == "en_GB"


def test_pages_are_french_without_accept_language_and_english_when_asked(client):
    assert '<html lang="fr">' in text(client.get("/"))
    english = text(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="en">' in english
    assert "Skip to content" in english


def test_language_cookie_wins_over_accept_language(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    assert '<html lang="en">' in text(client.get("/", HTTP_ACCEPT_LANGUAGE="fr"))


def test_layout_has_skip_link_landmarks_and_language_form(client):
    html = text(client.get("/"))

    assert '<a class="skip-link" href="#contenu">' in html
    assert '<main id="contenu" tabindex="-1">' in html
    assert "<header" in html
    assert "<nav" in html
    assert "<footer" in html
    assert '<form class="language" action="/i18n/setlang/" method="post">' in html
    assert 'href="/confidentialite/"' in html
    assert 'href="/accessibilite/"' in html
    assert 'href="/plan-du-site/"' in html


def test_pages_have_no_inline_script_or_style(client, programme_edition):
    SessionFactory(edition=programme_edition)
    for path in ["/", "/journees/exemple/", "/journees/exemple/programme/"]:
        html = text(client.get(path))
        assert "<script" not in html
        assert "<style" not in html
        assert "style=" not in html


# Legal pages ------------------------------------------------------------------------------------


def test_privacy_notice_is_french_by_default_and_english_when_asked(client):
    french = text(client.get("/confidentialite/"))
    english = text(client.get("/confidentialite/", HTTP_ACCEPT_LANGUAGE="en"))

    assert "<h1>Données personnelles et confidentialité</h1>" in french
    assert "Aucune copie ni aucun numéro de pièce d'identité n'est jamais enregistré." in french
    assert "CNIL" in french
    assert "<h1>Personal data and privacy</h1>" in english


def test_accessibility_statement_gives_status_and_contact(client, settings):
    settings.PTCE_CONTACT_EMAIL = "accessibilite@example.org"

    french = text(client.get("/accessibilite/"))
    english = text(client.get("/accessibilite/", HTTP_ACCEPT_LANGUAGE="en"))

    assert "<strong>non conforme</strong>" in french
    assert "RGAA), version 4.1.2" in french
    assert "n'a pas encore fait l'objet d'un audit" in french
    assert '<a href="mailto:accessibilite@example.org">accessibilite@example.org</a>' in french
    assert "Défenseur des droits" in french
    assert "<strong>not compliant</strong>" in english


# Sitemap and robots.txt ---------------------------------------------------------------------------


def test_sitemap_lists_public_editions_programmes_and_speakers(client):
    edition = EditionFactory(slug="exemple")
    SessionFactory(edition=edition)
    SpeakerFactory(edition=edition, slug="camille-exemple")
    EditionFactory(slug="sans-programme")
    draft = EditionFactory(slug="brouillon", status=EditionStatus.DRAFT)
    SpeakerFactory(edition=draft, slug="cachee")

    response = client.get("/sitemap.xml")

    locations = re.findall(r"<loc>([^<]+)</loc>", text(response))
    assert response.status_code == 200
    assert sorted(locations) == sorted(
        [
            f"{SITE_URL}/",
            f"{SITE_URL}/poles/",
            f"{SITE_URL}/poles/carte/",
            f"{SITE_URL}/charte/",
            f"{SITE_URL}/charte/signataires/",
            f"{SITE_URL}/charte/verifier/",
            f"{SITE_URL}/plan-du-site/",
            f"{SITE_URL}/confidentialite/",
            f"{SITE_URL}/accessibilite/",
            f"{SITE_URL}/journees/exemple/",
            f"{SITE_URL}/journees/sans-programme/",
            f"{SITE_URL}/journees/exemple/programme/",
            f"{SITE_URL}/journees/exemple/intervenants/camille-exemple/",
        ]
    )


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in text(response).splitlines()


def test_readable_site_map_links_every_public_edition_and_page(client):
    public = EditionFactory(title="Journée Exemple publique", slug="publique")
    EditionFactory(title="Journée Exemple brouillon", slug="brouillon", status=EditionStatus.DRAFT)

    html = client.get("/plan-du-site/").content.decode()

    assert f'href="{public.get_absolute_url()}"' in html
    assert 'href="/journees/publique/programme/"' in html
    assert "brouillon" not in html
    assert 'href="/confidentialite/"' in html
    assert 'href="/accessibilite/"' in html
