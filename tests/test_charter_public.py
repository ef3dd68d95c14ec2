"""The charter's public pages: what it is, a version's text, the list of signatories (counts,
filters, consent, constant queries), a signature's receipt (page and PDF) and the
verification of receipt codes; and the charter on a pole's page, in the menu and sitemap."""

import datetime as dt
import io
import re
import time
import unicodedata
from html import unescape
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import django_ratelimit.core
import pytest
from django.urls import Resolver404, resolve
from pypdf import PdfReader

from charter import links, listing
from charter import signatures as rules
from charter.enums import Channel, RequestStatus
from charter.models import SigningRequest
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
#: Queries of the list, whatever it shows: versions (for the filter), the counts, the
#: paginator's count, the page (version, organisation, pole and day joined), the poles'
#: departments.
LIST_QUERIES = 5
MARKUP = '<b>Pôle</b> <script>alert("x")</script>'
ESCAPED_MARKUP = "&lt;b&gt;Pôle&lt;/b&gt; &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
FORMULA = '=HYPERLINK("http://example.org","clic")'


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def at(year, month, day, hour=12, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def make_pole(name, town, *codes):
    pole = PoleFactory(organisation__name=name, organisation__town=town)
    for code in codes:
        TerritoryAreaFactory(pole=pole, level="department", code=code)
    poles.refresh(pole)
    return pole


def sign(version, organisation, signed_at, **fields):
    """A signature as the rules record it (a closed version included), with a real code."""
    return SignatureFactory(
        version=version,
        organisation=organisation,
        signed_at=signed_at,
        receipt_code=fields.pop("receipt_code", None) or rules.new_receipt_code(),
        **fields,
    )


@pytest.fixture
def charter(db):
    """Two versions, a ceremony in 2014, two poles (Lyon, Amiens) and a network (Paris):
    four standing signatures and one revoked, with and without consent."""
    v2014 = CharterVersionFactory(
        slug="2014",
        title="Charte de la démarche collective PTCE (2014)",
        year=2014,
        is_open=False,
        text_is_placeholder=False,
        text="Premier paragraphe.\n\nDeuxième <em>paragraphe</em>\nsur deux lignes.",
        recognition_kind="charter_2014",
    )
    v2021 = CharterVersionFactory()
    day = EditionFactory(
        title="Journée Exemple 2014",
        slug="journee-exemple-2014",
        date=dt.date(2014, 9, 19),
        status=EditionStatus.ARCHIVED,
    )
    ecotone = make_pole("Pôle Écotone", "Lyon", "69")
    rives = make_pole("Pôle Exemple des Deux-Rives", "Amiens", "80")
    network = OrganisationFactory(
        name="Réseau Exemple", kind=OrganisationKind.NETWORK, town="Paris", department_code="75"
    )
    ceremony = {"channel": Channel.CEREMONY, "edition": day}
    return SimpleNamespace(
        v2014=v2014,
        v2021=v2021,
        day=day,
        ecotone=ecotone,
        rives=rives,
        network=network,
        ecotone_2014=sign(
            v2014,
            ecotone.organisation,
            at(2014, 9, 19, 16, 5),
            name_is_public=True,
            representative_name="Camille Exemple",
            representative_role="Coordinatrice",
            **ceremony,
        ),
        rives_2014=sign(
            v2014,
            rives.organisation,
            at(2014, 9, 19, 16, 10),
            name_is_public=True,
            representative_name="Claude Révoqué",
            representative_role="Trésorier",
            revoked_at=at(2015, 1, 5),
            revocation_reason="Signée sans mandat",
            **ceremony,
        ),
        ecotone_2021=sign(
            v2021,
            ecotone.organisation,
            at(2021, 9, 1),
            name_is_public=False,
            representative_name="Dominique Discrète",
            representative_role="Présidente",
        ),
        rives_2021=sign(
            v2021,
            rives.organisation,
            at(2022, 3, 15),
            name_is_public=True,
            representative_name="Alex Exemple",
            representative_role="Directeur",
        ),
        network_2021=sign(
            v2021,
            network,
            at(2023, 5, 2),
            name_is_public=True,
            representative_name="Sam Exemple",
            representative_role="Déléguée générale",
        ),
    )


def get(client, path, **params):
    response = client.get(path, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def text(fragment):
    """What a reader sees of an HTML fragment: tags dropped, entities read, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def cards(html):
    """Each signature a list page shows: its heading, place line and facts, as read."""
    result = []
    for card in re.findall(r'<li class="pole-card">(.*?)</li>', html, re.S):
        facts = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", card, re.S)
        result.append(
            {
                "name": text(re.search(r"<h3[^>]*>(.*?)</h3>", card, re.S)[1]),
                "place": text(re.search(r'<p class="pole-place">(.*?)</p>', card, re.S)[1]),
                **{text(label): text(value) for label, value in facts},
            }
        )
    return result


def names(html):
    return [card["name"] for card in cards(html)]


def counts(html):
    box = re.search(r'<dl class="facts figures charter-counts">(.*?)</dl>', html, re.S)
    return {
        text(label): int(text(value))
        for label, value in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", box[1], re.S)
    }


def errors(html):
    box = re.search(r'<div class="notice form-errors">(.*?)</div>', html, re.S)
    return [text(error) for error in re.findall(r"</a> — ([^<]+)</li>", box[1])] if box else []


def view_name(path):
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


# What the charter is --------------------------------------------------------------------


def test_index_tells_the_charters_story_and_lists_versions_with_their_counts(client, charter):
    html = get(client, "/charte/")

    assert "39 poles signed it that day" in text(html)
    assert "June 2021 by Le Labo de l'ESS, RTES, Coorace, ESS France and MES" in text(html)
    versions = re.findall(r'<li class="card">(.*?)</li>\s*</ul>\s*</li>', html, re.S)
    assert [text(re.search(r"<h3[^>]*>(.*?)</h3>", v, re.S)[1]) for v in versions] == [
        "Charte de la démarche collective PTCE (2014)",
        "Charte de la démarche collective PTCE (2021)",
    ]
    # The revoked 2014 signature no longer counts.
    assert "Year 2014 Signing Closed for signing Signatures 1 signature" in text(versions[0])
    assert "Year 2021 Signing Open for signing Signatures 3 signatures" in text(versions[1])
    assert 'href="/charte/signataires/?version=2021"' in versions[1]
    assert "Placeholder text" not in versions[0]
    assert "Placeholder text The text shown is not the charter's." in text(versions[1])


def test_index_without_versions_says_so(client, db):
    assert "No version of the charter has been published yet." in get(client, "/charte/")


def test_version_page_shows_paragraphs_as_plain_text(client, charter):
    html = get(client, "/charte/2014/")

    # The text exists in French only: marked so on this English page.
    assert '<p lang="fr">Premier paragraphe.</p>' in html
    assert '<p lang="fr">Deuxième &lt;em&gt;paragraphe&lt;/em&gt;<br>sur deux lignes.</p>' in html
    assert "<em>" not in html
    assert "Placeholder text" not in html
    assert "Closed for signing" in html
    assert "Sign online" not in html


def test_placeholder_text_is_announced_in_words_before_the_text(client, charter):
    html = get(client, "/charte/2021/")

    banner = re.search(r'<div class="notice notice-demo" role="note">(.*?)</div>', html, re.S)
    assert text(banner[1]) == (
        "Placeholder text The text below is not the charter's: it only stands in for it until "
        "the organisers enter the real text. Do not quote it."
    )
    placeholder = '<p lang="fr">Texte provisoire de démonstration.</p>'
    assert html.index("notice-demo") < html.index(placeholder)
    assert '<h2 id="texte-titre">Placeholder text</h2>' in html
    assert '<a class="button button-primary" href="/charte/2021/signer/">Sign online</a>' in html


def test_blank_lines_with_spaces_still_separate_paragraphs():
    from charter.views.public import paragraphs

    assert paragraphs("Un.\r\n  \r\nDeux\nlignes.\n\n\n\nTrois.  ") == [
        "Un.",
        "Deux\nlignes.",
        "Trois.",
    ]


def test_unknown_version_is_not_found(client, charter):
    assert client.get("/charte/1999/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/charte/signataires/",
        "/charte/verifier/",
        "/charte/gestion/",
        "/charte/recu/1:abc/",
        "/charte/signature/1:abc/",
        "/charte/2021x/",
    ],
)
def test_only_a_year_is_a_versions_address(path):
    assert resolve("/charte/2021/").view_name == "charter:version"
    assert view_name(path) != "charter:version"


def test_verify_address_is_the_one_recognitions_point_to():
    assert resolve(rules.VERIFY_PATH).view_name == "charter:verify"


# The list of signatories ----------------------------------------------------------------


def test_list_shows_standing_signatures_latest_first_with_their_facts(client, charter):
    html = get(client, "/charte/signataires/")

    assert cards(html) == [
        {
            "name": "Réseau Exemple fictional",
            "place": "Network Paris, Paris (75) · Île-de-France",
            "Version": "Charte de la démarche collective PTCE (2021)",
            "Signed": "2 May 2023",
            "Channel": "Online",
            "Signed by": "Sam Exemple, Déléguée générale",
        },
        {
            "name": "Pôle Exemple des Deux-Rives fictional",
            "place": "Pole (PTCE) Amiens, Somme (80) · Hauts-de-France",
            "Version": "Charte de la démarche collective PTCE (2021)",
            "Signed": "15 March 2022",
            "Channel": "Online",
            "Signed by": "Alex Exemple, Directeur",
        },
        {
            "name": "Pôle Écotone fictional",
            "place": "Pole (PTCE) Lyon, Rhône (69) · Auvergne-Rhône-Alpes",
            "Version": "Charte de la démarche collective PTCE (2021)",
            "Signed": "1 September 2021",
            "Channel": "Online",
        },
        {
            "name": "Pôle Écotone fictional",
            "place": "Pole (PTCE) Lyon, Rhône (69) · Auvergne-Rhône-Alpes",
            "Version": "Charte de la démarche collective PTCE (2014)",
            "Signed": "19 September 2014",
            "Channel": "At the ceremony — Journée Exemple 2014",
            "Signed by": "Camille Exemple, Coordinatrice",
        },
    ]
    assert '<h2 id="resultats">4 signatures</h2>' in html
    assert counts(html) == {"2014 version": 1, "2021 version": 3, "Online": 3, "At the ceremony": 1}
    assert "Organisations marked “fictional” are made up for the demonstration" in html


def test_list_links_poles_to_their_page_and_ceremonies_to_their_day(client, charter):
    html = get(client, "/charte/signataires/")

    assert '<h3 class="pole-card-title"><a href="/poles/pole-ecotone/">Pôle Écotone</a>' in html
    assert '<h3 class="pole-card-title">Réseau Exemple <span' in html
    assert '<a href="/journees/journee-exemple-2014/">Journée Exemple 2014</a>' in html


def test_a_ceremony_at_a_day_not_public_names_no_day(client, charter):
    charter.day.status = EditionStatus.DRAFT
    charter.day.save()

    html = get(client, "/charte/signataires/", version="2014")

    assert cards(html)[0]["Channel"] == "At the ceremony"
    assert "Journée Exemple 2014" not in html


def test_representatives_are_named_only_with_their_consent(client, charter):
    SigningRequest.objects.create(
        version=charter.v2021,
        organisation=charter.ecotone.organisation,
        representative_name="Dominique Discrète",
        representative_role="Présidente",
        representative_email="dominique@example.org",
        status=RequestStatus.SIGNED,
        signature=charter.ecotone_2021,
    )

    html = get(client, "/charte/signataires/")

    assert "Dominique Discrète" not in html
    assert "Présidente" not in html
    assert "@example.org" not in html
    # A revoked signature is not listed, whatever its consent.
    assert "Claude Révoqué" not in html
    assert [card.get("Signed by") for card in cards(html)] == [
        "Sam Exemple, Déléguée générale",
        "Alex Exemple, Directeur",
        None,
        "Camille Exemple, Coordinatrice",
    ]


def test_no_receipt_code_is_on_the_list(client, charter):
    html = get(client, "/charte/signataires/")

    for signature in (charter.ecotone_2014, charter.rives_2021, charter.network_2021):
        assert rules.format_code(signature.receipt_code) not in html
        assert signature.receipt_code not in html


@pytest.mark.parametrize(
    ("params", "expected", "heading"),
    [
        ({"version": "2014"}, ["Pôle Écotone fictional"], "1 signature matches"),
        ({"region": "84"}, ["Pôle Écotone fictional"] * 2, "2 signatures match"),
        ({"region": "32"}, ["Pôle Exemple des Deux-Rives fictional"], "1 signature matches"),
        ({"region": "11"}, ["Réseau Exemple fictional"], "1 signature matches"),
        ({"region": "53"}, [], "0 signatures match"),
        ({"kind": "network"}, ["Réseau Exemple fictional"], "1 signature matches"),
        (
            {"kind": "pole", "version": "2021"},
            ["Pôle Exemple des Deux-Rives fictional", "Pôle Écotone fictional"],
            "2 signatures match",
        ),
        ({"channel": "ceremony"}, ["Pôle Écotone fictional"], "1 signature matches"),
    ],
)
def test_filters_narrow_the_list_and_its_counts(client, charter, params, expected, heading):
    html = get(client, "/charte/signataires/", **params)

    assert names(html) == expected
    assert f'<h2 id="resultats">{heading}</h2>' in html
    if expected:
        assert sum(counts(html)[label] for label in ("2014 version", "2021 version")) == len(
            expected
        )
    else:
        assert "No signature matches these filters." in html


def test_region_filter_follows_the_poles_territory_then_its_seat(client, charter):
    # A pole of the Rhône based in Paris is in Auvergne-Rhône-Alpes, not in Île-de-France…
    seated = make_pole("Pôle Exemple du Rhône", "Paris", "69")
    seated.organisation.department_code = "75"
    seated.organisation.save()
    sign(charter.v2021, seated.organisation, at(2024, 1, 10))
    # …while a pole that declared no territory is where it is based.
    unplaced = make_pole("Pôle Exemple sans territoire", "Nantes")
    unplaced.organisation.department_code = "44"
    unplaced.organisation.save()
    sign(charter.v2021, unplaced.organisation, at(2024, 1, 11))

    in_84 = names(get(client, "/charte/signataires/", region="84", version="2021"))
    in_11 = names(get(client, "/charte/signataires/", region="11"))
    in_52 = cards(get(client, "/charte/signataires/", region="52"))

    assert in_84 == ["Pôle Exemple du Rhône fictional", "Pôle Écotone fictional"]
    assert in_11 == ["Réseau Exemple fictional"]
    assert [(card["name"], card["place"]) for card in in_52] == [
        (
            "Pôle Exemple sans territoire fictional",
            "Pole (PTCE) Nantes, Loire-Atlantique (44) · Pays de la Loire",
        )
    ]


def test_region_code_as_a_spreadsheet_spells_it_is_understood(client, charter):
    # Guyane is 03: "3" is the same region.
    guyane = make_pole("Pôle Exemple de Guyane", "Cayenne", "973")
    sign(charter.v2021, guyane.organisation, at(2024, 2, 1))

    html = get(client, "/charte/signataires/", region="3")

    assert names(html) == ["Pôle Exemple de Guyane fictional"]
    assert errors(html) == []


def test_bad_filters_are_reported_and_ignored(client, charter):
    html = get(
        client,
        "/charte/signataires/",
        version="1999",
        region="24x",
        kind="public_body",
        channel="pigeon",
    )

    assert errors(html) == [
        "“1999” is not a version of the charter: that filter was ignored.",
        "“24X” is not the code of a current region: that filter was ignored.",
        "“public_body” is not a kind of organisation that signs: that filter was ignored.",
        "“pigeon” is not a channel: that filter was ignored.",
    ]
    assert len(names(html)) == 4
    assert '<h2 id="resultats">4 signatures</h2>' in html


def test_a_region_before_2016_is_not_a_filter(client, charter):
    # 82 was Rhône-Alpes until 2015: the list's regions are today's.
    html = get(client, "/charte/signataires/", region="82")

    assert errors(html) == ["“82” is not the code of a current region: that filter was ignored."]


def test_list_pages_through_the_signatures_keeping_the_filters(client, db):
    version = CharterVersionFactory()
    for number in range(listing.PAGE_SIZE + 1):
        sign(version, PoleFactory().organisation, at(2022, 1, 1) + dt.timedelta(hours=number))

    first = get(client, "/charte/signataires/", version="2021")
    second = get(client, "/charte/signataires/", version="2021", page="2")
    beyond = get(client, "/charte/signataires/", version="2021", page="99")

    assert len(names(first)) == listing.PAGE_SIZE
    assert len(names(second)) == 1
    assert names(beyond) == names(second)
    assert 'href="?version=2021&amp;page=2" rel="next"' in first
    assert "Page 2 of 2" in second


def test_list_without_signatures_says_so(client, db):
    html = get(client, "/charte/signataires/")

    assert "Nobody has signed the charter here yet." in html
    assert "charter-counts" not in html


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count_does_not_grow(client, django_assert_num_queries, count):
    version = CharterVersionFactory()
    day = EditionFactory()
    for number in range(count):
        pole = make_pole(f"Pôle Exemple {number}", "Lyon", "69", "42")
        sign(version, pole.organisation, at(2022, 1, 1), channel=Channel.CEREMONY, edition=day)
        network = OrganisationFactory(kind=OrganisationKind.NETWORK, department_code="75")
        sign(version, network, at(2022, 1, 2), name_is_public=True)

    with django_assert_num_queries(LIST_QUERIES):
        html = get(client, "/charte/signataires/")
    with django_assert_num_queries(LIST_QUERIES):
        filtered = get(client, "/charte/signataires/", region="84", kind="pole", version="2021")

    assert len(names(html)) == 2 * count
    assert len(names(filtered)) == count


def test_markup_and_formulas_in_names_and_roles_are_shown_as_typed(client, charter):
    organisation = charter.network
    organisation.name = MARKUP
    organisation.save()
    signature = charter.network_2021
    signature.representative_name = MARKUP
    signature.representative_role = FORMULA
    signature.save()

    html = get(client, "/charte/signataires/")

    assert "<script>" not in html
    assert f'<h3 class="pole-card-title">{ESCAPED_MARKUP} <span' in html
    assert cards(html)[0]["Signed by"] == f"{MARKUP}, {FORMULA}"


# The receipt ------------------------------------------------------------------------------


def receipt_url(signature, suffix=""):
    return f"/charte/recu/{links.receipt_token(signature)}/{suffix}"


def test_receipt_shows_the_holders_own_data_and_the_code_to_check(client, charter):
    signature = charter.ecotone_2021
    code = rules.format_code(signature.receipt_code)

    response = client.get(receipt_url(signature), HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    facts = dict(re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", html, re.S))
    assert {label: text(value) for label, value in facts.items()} == {
        "Organisation": "Pole (PTCE)",
        "Representative": "Dominique Discrète",
        "Role": "Présidente",
        "Signed": "1 September 2021, noon",
        "Channel": "Online",
        "Public list": "Your name and role are not shown publicly: the list shows the "
        "organisation only.",
    }
    assert f'<p class="ticket-name receipt-code">{code}</p>' in html
    assert (
        f'<a class="invitation-link" href="/charte/verifier/?code={code}">'
        f"{SITE}/charte/verifier/?code={code}</a>"
    ) in html
    assert "<h1>Charte de la démarche collective PTCE (2021)</h1>" in html
    assert "Revoked" not in html
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex">' in html


def test_receipt_of_a_ceremony_names_the_day(client, charter):
    html = get(client, receipt_url(charter.ecotone_2014))

    assert re.search(r"<dt>National day</dt>\s*<dd>Journée Exemple 2014</dd>", html)
    assert re.search(r"<dt>Channel</dt>\s*<dd>At the ceremony</dd>", html)
    assert "Your name and role are shown in the list of signatories." in html


def test_receipt_of_a_revoked_signature_says_so(client, charter):
    html = get(client, receipt_url(charter.rives_2014))

    assert text(
        re.search(r'<section class="notice notice-demo"[^>]*>(.*?)</section>', html, re.S)[1]
    ) == (
        "Revoked signature This signature was revoked on 5 January 2015: it no longer counts "
        "and is no longer in the list of signatories."
    )
    assert "Signée sans mandat" not in html


@pytest.mark.parametrize("suffix", ["", "recu.pdf"])
def test_receipt_with_a_tampered_or_made_up_token_is_not_found(client, charter, suffix):
    token = links.receipt_token(charter.ecotone_2021)
    number, signed = token.split(":")
    other = charter.rives_2021.pk

    for bad in (f"{other}:{signed}", f"{number}:{signed[:-1]}x", "abc", f"{number}", "1:"):
        assert client.get(f"/charte/recu/{bad}/{suffix}").status_code == 404


def test_receipt_answers_only_reads(client, charter):
    assert client.post(receipt_url(charter.ecotone_2021)).status_code == 405


def test_receipt_shows_markup_as_typed(client, charter):
    signature = charter.network_2021
    signature.representative_name = MARKUP
    signature.representative_role = FORMULA
    signature.save()
    charter.network.name = MARKUP
    charter.network.save()

    html = get(client, receipt_url(signature))

    assert "<script>" not in html
    assert f'<h2 id="signature-titre">{ESCAPED_MARKUP} <span' in html
    assert f"<dd>{ESCAPED_MARKUP}</dd>" in html
    assert "<dd>=HYPERLINK(&quot;http://example.org&quot;,&quot;clic&quot;)</dd>" in html


def pdf_lines(content):
    reader = PdfReader(io.BytesIO(content))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


def test_receipt_pdf_is_an_a4_page_with_the_same_facts(client, charter):
    signature = charter.ecotone_2014
    code = rules.format_code(signature.receipt_code)

    response = client.get(receipt_url(signature, "recu.pdf"), HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="recu-charte-2014.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    assert [round(float(side)) for side in reader.pages[0].mediabox.upper_right] == [595, 842]
    assert pdf_lines(response.content) == [
        "Receipt of signature",
        "Charte de la démarche collective PTCE (2014)",
        "Organisation",
        "Pôle Écotone",
        "Pole (PTCE)",
        "Fictional: made up for the demonstration.",
        "Representative",
        "Camille Exemple",
        "Role",
        "Coordinatrice",
        "Signed",
        "19 September 2014, 4:05 p.m.",
        "Channel",
        "At the ceremony",
        "National day",
        "Journée Exemple 2014",
        "Verification code",
        code,
        "Anyone can check this receipt with its code at:",
        f"{SITE}/charte/verifier/?code={code}",
    ]


def test_receipt_pdf_of_a_revoked_signature_says_so(client, charter):
    response = client.get(receipt_url(charter.rives_2014, "recu.pdf"), HTTP_ACCEPT_LANGUAGE="en")

    assert pdf_lines(response.content)[2] == (
        "Revoked on 5 January 2015: this signature no longer counts."
    )


def test_receipt_pdf_draws_hebrew_and_arabic_names_as_typed(client, charter):
    signature = charter.network_2021
    signature.representative_name = "שרה כהן"
    signature.representative_role = "فاطمة الزهراء"
    signature.save()

    lines = pdf_lines(client.get(receipt_url(signature, "recu.pdf")).content)

    assert "שרה כהן" in lines
    arabic = [line for line in lines if "\ufb50" <= line[:1] <= "\ufeff"]
    assert [unicodedata.normalize("NFKC", line) for line in arabic] == ["فاطمة الزهراء"]


def test_receipt_pdf_draws_markup_and_formulas_as_text(client, charter):
    signature = charter.network_2021
    signature.representative_name = MARKUP
    signature.representative_role = FORMULA
    signature.save()

    lines = pdf_lines(client.get(receipt_url(signature, "recu.pdf")).content)

    assert MARKUP in lines
    assert FORMULA in lines


# Verification -----------------------------------------------------------------------------


def verify(client, code, **headers):
    return client.get("/charte/verifier/", {"code": code}, HTTP_ACCEPT_LANGUAGE="en", **headers)


def result(response):
    """The result's heading and what follows it, as read."""
    html = response.content.decode()
    section = re.search(
        r'<section class="verification verification-(\w+)"[^>]*>(.*?)</section>', html, re.S
    )
    return section[1], text(section[2])


@pytest.fixture
def typed_code(charter):
    """A signature whose code holds a 0 and a 1, which people may type O, I or L."""
    signature = charter.rives_2021
    signature.receipt_code = "7KQM4XPA9TDE2B10"
    signature.save()
    return signature


@pytest.mark.parametrize(
    "typed",
    [
        "7KQM-4XPA-9TDE-2B10",
        "7KQM4XPA9TDE2B10",
        "7kqm-4xpa-9tde-2b10",
        " 7kqm 4xpa 9tde 2b1o ",
        "7KQM-4XPA-9TDE-2BIO",
        "7KQM-4XPA-9TDE-2BL0",
    ],
)
def test_a_good_code_however_typed_is_valid(client, typed_code, typed):
    status, shown = result(verify(client, typed))

    assert status == "valid"
    assert shown == (
        "Valid: this signature stands Pôle Exemple des Deux-Rives fictional "
        "Pole (PTCE) Amiens, Somme (80) · Hauts-de-France "
        "Version Charte de la démarche collective PTCE (2021) "
        "Signed 15 March 2022 Channel Online "
        "Signed by Alex Exemple, Directeur "
        "Organisations marked “fictional” are made up for the demonstration; they do not exist."
    )


def test_a_valid_code_names_the_representative_only_with_their_consent(client, charter):
    status, shown = result(verify(client, charter.ecotone_2021.receipt_code))

    assert status == "valid"
    assert "Pôle Écotone" in shown
    assert "Signed by" not in shown
    assert "Dominique Discrète" not in shown
    assert "Présidente" not in shown


def test_a_code_nobody_has_is_unknown(client, charter):
    status, shown = result(verify(client, "ZZZZ-ZZZZ-ZZZZ-ZZZZ"))

    assert status == "unknown"
    assert shown == (
        "Unknown code: no signature has this code Check what you typed against the receipt. "
        "A code that does not match any signature certifies nothing."
    )


def test_a_revoked_code_says_when_not_why(client, charter):
    response = verify(client, rules.format_code(charter.rives_2014.receipt_code))

    status, shown = result(response)
    assert status == "revoked"
    assert shown == (
        "Revoked: this signature no longer counts This code was the receipt of the signature "
        "of Charte de la démarche collective PTCE (2014) by Pôle Exemple des Deux-Rives. "
        "That signature was revoked on 5 January 2015."
    )
    html = response.content.decode()
    assert "Signée sans mandat" not in html
    assert "Claude Révoqué" not in html


@pytest.mark.parametrize(
    "typed",
    [
        "pas un code",
        "7KQM-4XPA-9TDE",
        "7KQM-4XPA-9TDE-2B5U",
        "<script>alert(1)</script>",
        "=1+1",
        "٧٨٩",
    ],
)
def test_garbage_is_unknown_with_a_hint(client, charter, typed):
    response = verify(client, typed)

    status, shown = result(response)
    assert response.status_code == 200
    assert status == "unknown"
    assert shown == (
        "Unknown code: no signature has this code This is not a verification code: a code has "
        "16 letters and digits, e.g. 7KQM-4XPA-9TDE-2B5C. Check what you typed."
    )
    assert "<script>alert" not in response.content.decode()


def test_thousands_of_characters_are_unknown_and_not_echoed_in_the_field(client, charter):
    # Within the longest address the site takes (beyond it: 414).
    response = verify(client, "7KQM" * 900)

    field = re.search(
        r'<input type="text" id="code" name="code" value="([^"]*)"', response.content.decode()
    )
    assert result(response)[0] == "unknown"
    assert field[1] == "7KQM" * 10


def test_the_form_alone_shows_no_result(client, charter):
    for params in ({}, {"code": ""}, {"code": "   "}):
        html = get(client, "/charte/verifier/", **params)

        assert '<label for="code">Verification code</label>' in html
        assert "verification-" not in html
        assert '<meta name="robots" content="noindex">' not in html


def test_a_checked_code_is_not_indexed(client, charter):
    html = verify(client, charter.ecotone_2014.receipt_code).content.decode()

    assert '<meta name="robots" content="noindex">' in html


def test_verification_shows_markup_as_typed(client, charter):
    signature = charter.network_2021
    signature.representative_name = MARKUP
    signature.representative_role = FORMULA
    signature.save()

    html = verify(client, signature.receipt_code).content.decode()

    assert "<script>" not in html
    role = '<span lang="fr">=HYPERLINK(&quot;http://example.org&quot;'
    assert f"<dd>{ESCAPED_MARKUP}, {role}" in html


@pytest.fixture
def _one_window(monkeypatch):
    # django-ratelimit counts per window of the rate's period, on the wall clock: its clock
    # is held still so that every check of a test falls in one window.
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.mark.usefixtures("_one_window")
def test_checks_are_rate_limited_per_address(client, charter, settings):
    allowed = int(settings.PTCE_RATES["charter_verify"].split("/")[0])
    code = charter.ecotone_2014.receipt_code

    statuses = [verify(client, code, REMOTE_ADDR="192.0.2.1").status_code for _ in range(allowed)]
    refused = verify(client, code, REMOTE_ADDR="192.0.2.1")
    other = verify(client, code, REMOTE_ADDR="192.0.2.2")
    form = client.get("/charte/verifier/", REMOTE_ADDR="192.0.2.1")

    assert statuses == [200] * allowed
    assert refused.status_code == 429
    assert other.status_code == 200
    assert form.status_code == 200


# Elsewhere on the site --------------------------------------------------------------------


def test_pole_page_lists_its_standing_signatures_with_a_link_to_check_them(client, charter):
    html = get(client, "/poles/pole-exemple-des-deux-rives/")

    section = re.search(r'<section id="charte"[^>]*>(.*?)</section>', html, re.S)[1]
    code = rules.format_code(charter.rives_2021.receipt_code)
    assert text(section) == (
        "Charter of the collective approach Charte de la démarche collective PTCE (2021): "
        "signed on 15 March 2022, online — check the receipt: Charte de la démarche "
        "collective PTCE (2021)"
    )
    assert f'<a href="/charte/verifier/?code={code}">check the receipt' in section
    assert rules.format_code(charter.rives_2014.receipt_code) not in html


def test_pole_page_names_the_ceremony_day(client, charter):
    html = get(client, "/poles/pole-ecotone/")

    section = text(re.search(r'<section id="charte"[^>]*>(.*?)</section>', html, re.S)[1])
    assert "(2014): signed on 19 September 2014, at the ceremony (Journée Exemple 2014)" in section
    assert "(2021): signed on 1 September 2021, online" in section


def test_pole_page_without_signature_has_no_charter_section(client, db):
    make_pole("Pôle Exemple", "Lyon", "69")

    assert '<section id="charte"' not in get(client, "/poles/pole-exemple/")


def test_every_page_links_the_charter_in_its_menu(client, db):
    home = get(client, "/")
    index = get(client, "/charte/")

    assert '<li><a href="/charte/">Charter</a></li>' in home
    assert '<li><a href="/charte/" aria-current="page">Charter</a></li>' in index


def test_sitemaps_list_the_charters_pages(client, charter):
    xml = client.get("/sitemap.xml").content.decode()
    readable = get(client, "/plan-du-site/")

    locations = set(re.findall(r"<loc>([^<]+)</loc>", xml))
    assert {
        f"{SITE}/charte/",
        f"{SITE}/charte/signataires/",
        f"{SITE}/charte/verifier/",
        f"{SITE}/charte/2014/",
        f"{SITE}/charte/2021/",
    } <= locations
    assert '<a href="/charte/signataires/">Signatories of the charter</a>' in readable
    assert '<a href="/charte/verifier/">Check a receipt of the charter</a>' in readable
