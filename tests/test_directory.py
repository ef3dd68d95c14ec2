"""The public directory of the poles and a pole's page."""

import datetime as dt
import re

import pytest

from network import poles
from network.enums import (
    CompositionStatus,
    LegalForm,
    MemberCategory,
    OrganisationKind,
    RecognitionKind,
    TerritoryLevel,
)
from tests.auth import log_in
from tests.factories import (
    OrganisationFactory,
    PoleFactory,
    PoleMemberFactory,
    RecognitionFactory,
    SectorFactory,
    TerritoryAreaFactory,
)

pytestmark = pytest.mark.django_db


def make_pole(
    name,
    *,
    town="",
    department="",
    areas=(),
    sectors=(),
    recognitions=(),
    members=(),
    declared=False,
    **fields,
):
    """A pole with its territory (level, code), sectors, recognitions and members
    (category, organisation), its derived data refreshed as the admin and the import do."""
    organisation_fields = {
        key.removeprefix("organisation__"): value
        for key, value in fields.items()
        if key.startswith("organisation__")
    }
    pole_fields = {
        key: value for key, value in fields.items() if not key.startswith("organisation__")
    }
    pole = PoleFactory(
        organisation=OrganisationFactory(
            name=name, town=town, department_code=department, **organisation_fields
        ),
        composition_declared=declared,
        **pole_fields,
    )
    for level, code in areas:
        TerritoryAreaFactory(pole=pole, level=level, code=code)
    pole.sectors.add(*sectors)
    for kind in recognitions:
        RecognitionFactory(pole=pole, kind=kind)
    for category, organisation in members:
        PoleMemberFactory(pole=pole, category=category, organisation=organisation)
    poles.refresh(pole)
    return pole


def department(code):
    return (TerritoryLevel.DEPARTMENT, code)


def get(client, path, **params):
    response = client.get(path, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def listed(html):
    """Names of the poles a directory page lists, in order."""
    return re.findall(r'<h3 class="pole-card-title"><a href="[^"]+">([^<]+)</a>', html)


def errors(html):
    """The messages of the box that lists the filters that were ignored."""
    box = re.search(r'<div class="notice form-errors">(.*?)</div>', html, re.S)
    return re.findall(r"</a> — ([^<]+)</li>", box[1]) if box else []


# Search ------------------------------------------------------------------------------------


def test_directory_lists_every_pole_by_name(client):
    make_pole("Pôle Zèbre")
    make_pole("Pôle Abeille")

    html = get(client, "/poles/")

    assert listed(html) == ["Pôle Abeille", "Pôle Zèbre"]
    assert '<h2 id="resultats">2 poles</h2>' in html
    assert errors(html) == []


def test_search_ignores_accents_and_case(client):
    make_pole("Pôle Écotone")
    make_pole("Pôle Exemple des Deux-Rives")

    assert listed(get(client, "/poles/", q="pole ecotone")) == ["Pôle Écotone"]
    assert listed(get(client, "/poles/", q="PÔLE ÉCOTONE")) == ["Pôle Écotone"]


def test_search_finds_a_town_and_takes_words_in_any_order(client):
    make_pole("Pôle Écotone", town="Saint-Étienne")
    make_pole("Pôle Exemple", town="Lyon")

    assert listed(get(client, "/poles/", q="saint-etienne")) == ["Pôle Écotone"]
    assert listed(get(client, "/poles/", q="lyon exemple")) == ["Pôle Exemple"]


def test_search_without_result_says_so_and_offers_to_clear(client):
    make_pole("Pôle Écotone")

    html = get(client, "/poles/", q="introuvable")

    assert listed(html) == []
    assert '<h2 id="resultats">0 poles match</h2>' in html
    assert "No pole matches this search." in html
    assert '<a href="/poles/">Clear the search and filters</a>' in html


def test_unfiltered_directory_has_no_clear_link(client):
    make_pole("Pôle Écotone")

    assert "Clear the search and filters" not in get(client, "/poles/")


# Filters -----------------------------------------------------------------------------------


@pytest.fixture
def spread():
    """Poles in Rhône, Loire, Somme, Paris, and one over Rhône and Somme."""
    food = SectorFactory(name="Alimentation", slug="alimentation")
    return {
        "rhone": make_pole(
            "Pôle Rhône",
            areas=[department("69")],
            sectors=[food],
            recognitions=[RecognitionKind.CALL_2013],
        ),
        "loire": make_pole("Pôle Loire", areas=[(TerritoryLevel.COMMUNE, "42218")]),
        "somme": make_pole(
            "Pôle Somme", areas=[department("80")], recognitions=[RecognitionKind.CALL_2023]
        ),
        "paris": make_pole("Pôle Paris", areas=[department("75")], sectors=[food]),
        "both": make_pole("Pôle Deux", areas=[department("69"), department("80")]),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "84"}, ["Pôle Deux", "Pôle Loire", "Pôle Rhône"]),
        ({"region": "32"}, ["Pôle Deux", "Pôle Somme"]),
        # Before 2016 Rhône and Loire were in Rhône-Alpes (82), the Somme in Picardie (22).
        ({"region": "82", "period": "2015"}, ["Pôle Deux", "Pôle Loire", "Pôle Rhône"]),
        ({"region": "22", "period": "2015"}, ["Pôle Deux", "Pôle Somme"]),
        ({"department": "69"}, ["Pôle Deux", "Pôle Rhône"]),
        ({"department": "42"}, ["Pôle Loire"]),
        ({"sector": "alimentation"}, ["Pôle Paris", "Pôle Rhône"]),
        ({"recognition": "call_2023"}, ["Pôle Somme"]),
        (
            {"composition": "not_declared"},
            ["Pôle Deux", "Pôle Loire", "Pôle Paris", "Pôle Rhône", "Pôle Somme"],
        ),
        ({"composition": "meets_article_9"}, []),
    ],
)
def test_each_filter_narrows_the_list(client, spread, params, expected):
    html = get(client, "/poles/", **params)

    assert listed(html) == expected
    assert errors(html) == []


def test_filters_combine(client, spread):
    html = get(client, "/poles/", region="84", department="69", sector="alimentation")

    assert listed(html) == ["Pôle Rhône"]


def test_department_outside_the_region_gives_nothing(client, spread):
    assert listed(get(client, "/poles/", region="84", department="80")) == []


def test_a_pole_over_several_departments_of_a_region_is_listed_once(client):
    make_pole("Pôle Deux Départements", areas=[department("69"), department("42")])

    html = get(client, "/poles/", region="84")

    assert listed(html) == ["Pôle Deux Départements"]
    assert '<h2 id="resultats">1 pole matches</h2>' in html


def test_filter_by_composition_status(client):
    ess, enterprise, town_hall = (
        OrganisationFactory(name=name, kind=kind, legal_form=LegalForm.ASSOCIATION)
        for name, kind in [
            ("Association Exemple", OrganisationKind.ESS_ENTERPRISE),
            ("Entreprise Exemple", OrganisationKind.ENTERPRISE),
            ("Commune Exemple", OrganisationKind.PUBLIC_BODY),
        ]
    )
    make_pole(
        "Pôle Complet",
        declared=True,
        areas=[department("69")],
        members=[
            (MemberCategory.ESS_ENTERPRISE, ess),
            (MemberCategory.ENTERPRISE, enterprise),
            (MemberCategory.LOCAL_AUTHORITY, town_hall),
        ],
        organisation__legal_form=LegalForm.ASSOCIATION,
    )
    make_pole("Pôle Incomplet", declared=True, members=[(MemberCategory.ESS_ENTERPRISE, ess)])
    make_pole("Pôle Inconnu")

    assert listed(get(client, "/poles/", composition="meets_decree_2015")) == ["Pôle Complet"]
    assert listed(get(client, "/poles/", composition="does_not_meet")) == ["Pôle Incomplet"]
    assert listed(get(client, "/poles/", composition="not_declared")) == ["Pôle Inconnu"]


def test_codes_are_read_as_a_spreadsheet_writes_them(client):
    make_pole("Pôle Ain", areas=[department("01")])
    make_pole("Pôle Corse", areas=[department("2A")])

    assert listed(get(client, "/poles/", department="1")) == ["Pôle Ain"]
    assert listed(get(client, "/poles/", department="2a")) == ["Pôle Corse"]


def test_region_list_follows_the_period(client):
    current = get(client, "/poles/")
    before = get(client, "/poles/", period="2015")

    assert '<option value="32">Hauts-de-France</option>' in current
    assert "Picardie" not in current
    assert '<option value="22">Picardie</option>' in before
    assert "Hauts-de-France" not in before
    assert '<option value="2015" selected>Regions before 2016</option>' in before


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"region": "99"},
            "“99” is not the code of a region of this period: that filter was ignored.",
        ),
        # Picardie's code means nothing since 2016.
        (
            {"region": "22"},
            "“22” is not the code of a region of this period: that filter was ignored.",
        ),
        ({"department": "20"}, "“20” is not the code of a department: that filter was ignored."),
        (
            {"sector": "inconnu"},
            "No sector of activity is called “inconnu”: that filter was ignored.",
        ),
        (
            {"recognition": "label"},
            "“label” is not a kind of recognition: that filter was ignored.",
        ),
        (
            {"composition": "parfait"},
            "“parfait” is not a status of the composition check: that filter was ignored.",
        ),
        (
            {"period": "1990"},
            "“1990” is not a period of the regions: the current regions are shown.",
        ),
        ({"q": "x" * 201}, "The search is longer than 200 characters: it was ignored."),
    ],
)
def test_bad_filter_is_reported_and_ignored(client, spread, params, message):
    html = get(client, "/poles/", **params)

    assert errors(html) == [message]
    assert len(listed(html)) == 5


def test_bad_filter_does_not_stop_the_good_ones(client, spread):
    html = get(client, "/poles/", department="69", sector="inconnu")

    assert listed(html) == ["Pôle Deux", "Pôle Rhône"]
    assert 'id="id_sector" aria-invalid="true" aria-describedby="id_sector_error"' in html


def test_markup_in_a_filter_value_is_shown_as_text(client):
    html = get(client, "/poles/", region="<b>x</b>", q="<script>")

    assert "<b>x</b>" not in html
    assert "“&lt;B&gt;X&lt;/B&gt;” is not the code of a region" in html
    assert 'value="&lt;script&gt;"' in html


@pytest.mark.parametrize("value", ["é" * 600, "1' OR '1'='1"])
def test_odd_values_never_fail(client, value):
    for name in (
        "q",
        "period",
        "region",
        "department",
        "sector",
        "recognition",
        "composition",
        "page",
    ):
        response = client.get("/poles/", {name: value})
        assert response.status_code == 200, name


# Pagination --------------------------------------------------------------------------------


@pytest.fixture
def many():
    """45 poles: three pages of 20, 20 and 5."""
    return [
        make_pole(f"Pôle Exemple {number:02d}", areas=[department("69")]) for number in range(45)
    ]


def test_directory_pages_by_twenty(client, many):
    first = get(client, "/poles/")
    third = get(client, "/poles/", page="3")

    assert listed(first) == [f"Pôle Exemple {number:02d}" for number in range(20)]
    assert listed(third) == [f"Pôle Exemple {number:02d}" for number in range(40, 45)]
    assert '<h2 id="resultats">45 poles</h2>' in first
    assert '<span aria-current="page">Page 1 of 3</span>' in first
    assert 'href="?page=2" rel="next"' in first
    assert 'rel="prev"' not in first
    assert 'href="?page=2" rel="prev"' in third
    assert 'rel="next"' not in third


@pytest.mark.parametrize(
    ("page", "shown"),
    [("0", 3), ("4", 3), ("999999999999999999999", 3), ("abc", 1), ("", 1), ("-1", 3), ("2.5", 1)],
)
def test_page_out_of_range_shows_the_first_or_last(client, many, page, shown):
    html = get(client, "/poles/", page=page)

    assert f'<span aria-current="page">Page {shown} of 3</span>' in html


def test_page_links_keep_the_valid_filters_only(client, many):
    html = get(client, "/poles/", q="exemple", department="69", sector="inconnu", period="2015")

    assert 'href="?q=exemple&amp;period=2015&amp;department=69&amp;page=2" rel="next"' in html


def test_filtered_directory_fits_on_one_page_without_pagination(client, many):
    html = get(client, "/poles/", q="exemple 07")

    assert listed(html) == ["Pôle Exemple 07"]
    assert 'class="pagination"' not in html


# What an entry shows -----------------------------------------------------------------------


def test_entry_shows_place_sectors_recognitions_status_and_fiction(client):
    make_pole(
        "Pôle Exemple des Deux-Rives",
        town="Amiens",
        department="80",
        areas=[department("80"), department("60")],
        sectors=[SectorFactory(name="Mobilité"), SectorFactory(name="Alimentation")],
        recognitions=[RecognitionKind.CALL_2015],
    )

    html = get(client, "/poles/")

    assert (
        '<a href="/poles/pole-exemple-des-deux-rives/">Pôle Exemple des Deux-Rives</a> '
        '<span class="badge badge-fiction">fictional</span>'
    ) in html
    assert '<p class="pole-place">Amiens, Somme (80) · Hauts-de-France</p>' in html
    assert "Territory:</span> Oise (60), Somme (80)</p>" in html
    assert "Sectors:</span> Alimentation, Mobilité</p>" in html
    assert "<li>Laureate of the 2015 call" in html
    assert (
        '<span class="badge badge-status badge-not_declared">Composition not declared</span>'
    ) in html
    assert "Poles marked “fictional” are made up for the demonstration" in html


def test_entry_names_the_region_of_the_chosen_period(client):
    make_pole("Pôle Exemple", town="Amiens", department="80", areas=[department("80")])

    html = get(client, "/poles/", period="2015")

    assert '<p class="pole-place">Amiens, Somme (80) · Picardie</p>' in html
    assert "Territory:" not in html


def test_real_pole_is_not_labelled_fictional(client):
    make_pole("Le Phares", organisation__is_fictional=False)

    html = get(client, "/poles/")

    assert "badge-fiction" not in html
    assert "made up for the demonstration" not in html


def test_markup_in_names_is_escaped(client):
    make_pole(
        "<script>alert(1)</script> Pôle",
        town="<img src=x onerror=alert(1)>",
        organisation__slug="pole-balise",
        sectors=[SectorFactory(name="<b>Gras</b>", slug="gras")],
    )

    directory = get(client, "/poles/")
    page = get(client, "/poles/pole-balise/")

    for html in (directory, page):
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Pôle" in html
        assert "<b>Gras</b>" not in html
        assert "&lt;b&gt;Gras&lt;/b&gt;" in html
    assert "<img src=x" not in directory
    assert "&lt;img src=x onerror=alert(1)&gt;" in directory


# Query counts ------------------------------------------------------------------------------


def _with_everything(number):
    food = SectorFactory()
    return make_pole(
        f"Pôle Exemple {number}",
        town="Lyon",
        department="69",
        areas=[department("69"), department("42")],
        sectors=[food, SectorFactory()],
        recognitions=[RecognitionKind.CALL_2013, RecognitionKind.CHARTER_2014],
    )


@pytest.mark.parametrize("count", [1, 3])
def test_directory_query_count_does_not_grow_with_poles(client, django_assert_num_queries, count):
    for number in range(count):
        _with_everything(number)

    # Sectors for the filter, the count, the poles with their organisations, then their
    # sectors, departments and recognitions.
    with django_assert_num_queries(6):
        html = get(client, "/poles/")

    assert len(listed(html)) == count


@pytest.mark.parametrize("count", [1, 3])
def test_filtered_directory_query_count_does_not_grow(client, django_assert_num_queries, count):
    for number in range(count):
        _with_everything(number)

    with django_assert_num_queries(6):
        html = get(
            client,
            "/poles/",
            q="exemple",
            region="84",
            department="69",
            recognition="call_2013",
            composition="not_declared",
        )

    assert len(listed(html)) == count


# A pole's page -----------------------------------------------------------------------------


def member(name, *, legal_form=LegalForm.ASSOCIATION, **fields):
    return OrganisationFactory(name=name, legal_form=legal_form, **fields)


@pytest.fixture
def full_pole():
    pole = make_pole(
        "Pôle Exemple des Deux-Rives",
        town="Amiens",
        department="80",
        areas=[
            (TerritoryLevel.COMMUNE, "80021"),
            (TerritoryLevel.EPCI, "248000531"),
            department("60"),
            (TerritoryLevel.REGION, "32"),
        ],
        sectors=[SectorFactory(name="Alimentation", slug="alimentation")],
        declared=True,
        members=[
            (MemberCategory.ESS_ENTERPRISE, member("Coopérative Exemple")),
            (MemberCategory.ESS_ENTERPRISE, member("Association Exemple")),
            (
                MemberCategory.ENTERPRISE,
                member("SARL Exemple", legal_form=LegalForm.COMMERCIAL_COMPANY),
            ),
            (
                MemberCategory.LOCAL_AUTHORITY,
                member("Commune Exemple", legal_form=LegalForm.PUBLIC_BODY),
            ),
        ],
        description="Un pôle d'exemple.\n\nIl coopère.",
        creation_year=2012,
        organisation__legal_form=LegalForm.ASSOCIATION,
        organisation__website="https://deux-rives.example.org/",
    )
    pole.members.filter(organisation__name="Coopérative Exemple").update(role="fondatrice")
    pole.recognitions.create(
        kind=RecognitionKind.CALL_2015,
        date=dt.date(2016, 1, 14),
        source="https://www.example.org/laureats-2015",
    )
    pole.recognitions.create(kind=RecognitionKind.CHARTER_2014)
    return pole


def test_pole_page_shows_the_pole(client, full_pole):
    html = get(client, "/poles/pole-exemple-des-deux-rives/")

    assert "<h1>Pôle Exemple des Deux-Rives <span" in html
    assert "<title>Pôle Exemple des Deux-Rives · Journées PTCE</title>" in html
    assert '<meta name="description" content="Un pôle d&#x27;exemple.\n\nIl coopère.">' in html
    assert "<p>Un pôle d&#x27;exemple.</p>\n\n<p>Il coopère.</p>" in html
    assert "<dd>Amiens, Somme (80)</dd>" in html
    assert "<dd>2012</dd>" in html
    assert "<dd>Association · a legal person</dd>" in html
    assert (
        '<a href="https://deux-rives.example.org/" rel="noopener">https://deux-rives.example.org/</a>'
    ) in html
    assert '<a href="/poles/?sector=alimentation">Alimentation</a>' in html


def test_pole_page_names_each_area_and_both_regions(client, full_pole):
    html = get(client, "/poles/pole-exemple-des-deux-rives/")

    areas = re.findall(
        r'<li><span class="label-inline">([^<]+)</span> ([^<]+) <span class="note">\(([^)]+)\)',
        html,
    )
    assert areas == [
        ("Region:", "Hauts-de-France", "32"),
        ("Department:", "Oise", "60"),
        ("Intercommunality (EPCI):", "CA Amiens Métropole", "248000531"),
        ("Commune:", "Amiens", "80021"),
    ]
    assert (
        '<a href="/poles/?department=80">Somme (80)</a> — Hauts-de-France '
        "(Picardie before 2016)" in html
    )
    assert "INSEE codes of the 2026 geographic code." in html


def test_pole_page_shows_a_region_once_when_it_did_not_change(client):
    make_pole("Pôle Breton", organisation__slug="pole-breton", areas=[department("35")])

    html = get(client, "/poles/pole-breton/")

    assert '<a href="/poles/?department=35">Ille-et-Vilaine (35)</a> — Bretagne</li>' in html


def test_pole_page_groups_members_by_article_9_category(client, full_pole):
    html = get(client, "/poles/pole-exemple-des-deux-rives/")
    members = html[html.index('id="membres"') : html.index('id="reconnaissances"')]

    groups = re.findall(r"<h3>([^<]+)</h3>\s*<ul class=\"members\">(.*?)</ul>", members, re.S)
    assert [
        (label, re.findall(r"<li>([^<]+?)(?: <span| —|</li>)", items)) for label, items in groups
    ] == [
        ("ESS enterprise", ["Association Exemple", "Coopérative Exemple"]),
        ("Enterprise outside the ESS", ["SARL Exemple"]),
        ("Local authority or grouping", ["Commune Exemple"]),
    ]
    assert (
        'Coopérative Exemple <span class="badge badge-fiction">fictional</span> — '
        '<span lang="fr">fondatrice</span>' in html
    )


def test_pole_page_lists_recognitions_with_date_and_source(client, full_pole):
    html = get(client, "/poles/pole-exemple-des-deux-rives/")

    assert (
        '<li>Laureate of the 2015 call, <time datetime="2016-01-14">14 January 2016</time> — '
        '<a href="https://www.example.org/laureats-2015" rel="noopener">source'
    ) in html
    assert "<li>Signed the charter, 2014 version</li>" in html


def test_pole_page_links_only_web_addresses(client):
    pole = make_pole(
        "Pôle Piégé",
        organisation__slug="pole-piege",
        organisation__website="javascript:alert(1)",
    )
    pole.recognitions.create(kind=RecognitionKind.CALL_2013, source="javascript:alert(2)")

    html = get(client, "/poles/pole-piege/")

    assert "javascript:" not in html
    assert "<dt>Website</dt>" not in html


def test_pole_page_of_an_empty_pole_says_what_is_not_known(client):
    make_pole("Pôle Vide", organisation__slug="pole-vide", organisation__is_fictional=False)

    html = get(client, "/poles/pole-vide/")

    assert "No territory has been declared." in html
    assert "No member has been declared." in html
    assert "No recognition is recorded." in html
    assert "<dd>not given · not known to be a legal person</dd>" in html
    assert "made up for the demonstration" not in html


def test_unknown_pole_is_not_found(client):
    assert client.get("/poles/inconnu/").status_code == 404


def test_an_organisation_that_is_not_a_pole_has_no_pole_page(client):
    OrganisationFactory(name="Réseau Exemple", kind=OrganisationKind.NETWORK)

    assert client.get("/poles/reseau-exemple/").status_code == 404


# The composition check on the page, one status at a time.

NOTE = (
    "This check reads only what the pole declared; it is not a label. The decree's last "
    "condition, no earlier support from the State through a call for projects, is not "
    "assessed here."
)


def composition(html):
    section = html[html.index('<section id="composition"') :]
    return section[: section.index("</section>")]


def test_composition_not_declared_claims_nothing(client):
    make_pole(
        "Pôle Discret",
        organisation__slug="pole-discret",
        members=[(MemberCategory.ESS_ENTERPRISE, member("Association Exemple"))],
    )

    section = composition(get(client, "/poles/pole-discret/"))

    assert 'class="composition composition-not_declared"' in section
    assert "Composition not declared</span>" in section
    assert "nothing is claimed about its composition" in section
    assert "What is missing" not in section
    assert NOTE in section


def test_composition_that_does_not_meet_article_9_says_what_is_missing(client):
    make_pole(
        "Pôle Partiel",
        organisation__slug="pole-partiel",
        declared=True,
        members=[(MemberCategory.ESS_ENTERPRISE, member("Association Exemple"))],
    )

    section = composition(get(client, "/poles/pole-partiel/"))

    assert "Does not meet article 9</span>" in section
    assert "does not meet article 9 of the 2014 law" in section
    assert re.findall(r"<li>([^<]+)</li>", section) == [
        "Among the members: an enterprise outside the ESS.",
        "Among the members: another person named by article 9 (local authority, research "
        "centre, higher education, training body or other person).",
        "A territory: no commune, intercommunality, department or region.",
    ]
    assert NOTE in section


def test_composition_that_meets_article_9_only_says_what_the_decree_misses(client):
    make_pole(
        "Pôle Informel",
        organisation__slug="pole-informel",
        declared=True,
        areas=[department("69")],
        members=[
            (MemberCategory.ESS_ENTERPRISE, member("Association Exemple")),
            (MemberCategory.ENTERPRISE, member("Artisan Exemple", legal_form=LegalForm.OTHER)),
            (MemberCategory.OTHER_PERSON, member("Collectif Exemple", legal_form=LegalForm.OTHER)),
        ],
    )

    section = composition(get(client, "/poles/pole-informel/"))

    assert "Meets article 9</span>" in section
    assert "It does not meet the eligibility rule of the decree of 15 April 2015" in section
    assert re.findall(r"<li>([^<]+)</li>", section) == [
        "The pole itself is not known to be a legal person.",
        "At least three members that are legal persons: 1 is known to be one.",
        "Among the members that are legal persons: an enterprise outside the ESS.",
        "Among the members that are legal persons: another person named by article 9 (local "
        "authority, research centre, higher education, training body or other person).",
    ]
    assert NOTE in section


def test_composition_that_meets_the_decree_says_so(client, full_pole):
    section = composition(get(client, "/poles/pole-exemple-des-deux-rives/"))

    assert "Meets article 9 and the 2015 decree&#x27;s rule</span>" in section
    assert "the pole is a legal person with at least three legal persons as members" in section
    assert "What is missing" not in section
    assert NOTE in section


@pytest.mark.parametrize("count", [1, 3])
def test_pole_page_query_count_does_not_grow(client, django_assert_num_queries, count):
    pole = make_pole(
        "Pôle Exemple",
        organisation__slug="pole-exemple",
        declared=True,
        areas=[department(code) for code in ["69", "42", "80"][:count]],
        sectors=[SectorFactory() for _ in range(count)],
        members=[
            (MemberCategory.ESS_ENTERPRISE, member(f"Membre Exemple {number}"))
            for number in range(count)
        ],
    )
    for kind in list(RecognitionKind)[:count]:
        RecognitionFactory(pole=pole, kind=kind)

    # The pole with its organisation, then its sectors, departments, recognitions, territory
    # and members with their organisations, and its signatures of the charter.
    with django_assert_num_queries(7):
        html = get(client, "/poles/pole-exemple/")

    assert html.count('<ul class="members">') == 1


def test_stored_status_and_page_agree(client, full_pole):
    full_pole.refresh_from_db()

    assert full_pole.composition_status == CompositionStatus.MEETS_DECREE_2015


# Links to the directory ----------------------------------------------------------------------


def test_every_page_links_the_directory_in_its_menu(client):
    home = get(client, "/")
    directory = get(client, "/poles/")

    assert '<li><a href="/poles/">Poles</a></li>' in home
    assert '<li><a href="/poles/" aria-current="page">Poles</a></li>' in directory


def test_readable_site_map_links_the_directory_and_the_map(client):
    html = get(client, "/plan-du-site/")

    assert '<a href="/poles/">Directory of the poles</a>' in html
    assert '<a href="/poles/carte/">Map of the poles</a>' in html


def test_sitemap_lists_every_pole_page(client, settings):
    settings.SITE_URL = "https://journees.example.org"
    make_pole("Pôle Écotone")

    html = client.get("/sitemap.xml").content.decode()

    assert "<loc>https://journees.example.org/poles/pole-ecotone/</loc>" in html


def test_directory_links_to_the_import_page_for_those_who_manage_it(client, cast):
    log_in(client, cast.viewer)
    assert 'href="/annuaire/import/"' not in client.get("/poles/").content.decode()

    log_in(client, cast.organiser)
    assert 'href="/annuaire/import/"' in client.get("/poles/").content.decode()
