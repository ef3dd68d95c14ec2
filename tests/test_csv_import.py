"""CSV import and export of the directory (network.csv_io) and its organiser pages."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils.translation import override

from common import spreadsheets
from network import csv_io, poles, territories
from network.enums import CompositionStatus, LegalForm, MemberCategory, OrganisationKind
from network.models import Organisation, Pole, PoleMember, Sector, TerritoryArea
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

POLE_SIREN = "732829320"
MEMBER_SIREN = "552032534"

POLE = {
    "pole_nom": "Pôle Exemple des Deux-Rives",
    "pole_siren": POLE_SIREN,
    "pole_forme_juridique": "association",
    "pole_personne_morale": "oui",
    "pole_ville": "Villeurbanne",
    "pole_departement": "69",
    "pole_site_web": "https://deux-rives.example.org",
    "pole_fictif": "oui",
    "pole_annee_creation": "2012",
    "pole_secteurs": "Alimentation|Mobilité",
    "pole_territoire": "commune:69266|departement:69",
    "pole_composition_declaree": "oui",
    "pole_description": "Un pôle d'exemple.\nSur deux lignes ; avec « guillemets ».",
}
MEMBERS = [
    {
        "membre_nom": "Coopérative Exemple",
        "membre_siren": MEMBER_SIREN,
        "membre_forme_juridique": "cooperative",
        "membre_ville": "Lyon",
        "membre_categorie": "ess_enterprise",
        "membre_role": "membre fondateur",
    },
    {
        "membre_nom": "Entreprise Exemple",
        "membre_forme_juridique": "commercial_company",
        "membre_categorie": "enterprise",
    },
    {
        "membre_nom": "Commune Exemple",
        "membre_forme_juridique": "public_body",
        "membre_categorie": "local_authority",
    },
]
LONE_POLE = {"pole_nom": "Pôle Exemple du Causse", "pole_territoire": "departement:12"}


def rows(*lines):
    """Complete rows (every column) from dicts of the cells that are not empty."""
    return [{name: line.get(name, "") for name in csv_io.COLUMN_NAMES} for line in lines]


def directory_rows():
    return rows(*({**POLE, **member} for member in MEMBERS), LONE_POLE)


def csv_bytes(lines, *, delimiter=",", encoding="utf-8", header=csv_io.COLUMN_NAMES):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    for line in lines:
        writer.writerow([line.get(name, "") for name in header])
    return buffer.getvalue().encode(encoding)


def run(data):
    return csv_io.import_poles(io.BytesIO(data), by=None)


def errors(result):
    return [(error.line, error.column, error.code) for error in result.errors]


def dump():
    out = io.StringIO()
    call_command("dumpdata", "network", stdout=out)
    return out.getvalue()


def totals(result):
    return (
        sum(result.created.values()),
        sum(result.updated.values()),
        sum(result.removed.values()),
    )


# A good file ----------------------------------------------------------------------------------


def test_good_file_creates_the_poles_their_members_sectors_and_territory():
    result = run(csv_bytes(directory_rows()))

    assert result.errors == []
    assert (result.encoding, result.delimiter, result.lines) == ("UTF-8", ",", 4)
    assert dict(+result.created) == {"organisations": 5, "poles": 2, "members": 3, "sectors": 2}
    pole = Pole.objects.select_related("organisation").get(organisation__siren=POLE_SIREN)
    organisation = pole.organisation
    assert (
        organisation.name,
        organisation.slug,
        organisation.kind,
        organisation.legal_form,
        organisation.is_legal_person,
        organisation.town,
        organisation.department_code,
        organisation.website,
        organisation.is_fictional,
    ) == (
        "Pôle Exemple des Deux-Rives",
        "pole-exemple-des-deux-rives",
        OrganisationKind.POLE,
        LegalForm.ASSOCIATION,
        True,
        "Villeurbanne",
        "69",
        "https://deux-rives.example.org",
        True,
    )
    assert (pole.creation_year, pole.description, pole.geo_vintage) == (
        2012,
        POLE["pole_description"],
        territories.VINTAGE,
    )
    assert sorted(pole.sectors.values_list("name", flat=True)) == ["Alimentation", "Mobilité"]
    assert sorted(pole.territory.values_list("level", "code")) == [
        ("commune", "69266"),
        ("department", "69"),
    ]
    assert list(pole.departments.values_list("code", flat=True)) == ["69"]
    assert sorted(
        pole.members.values_list("organisation__name", "category", "role", "organisation__kind")
    ) == [
        ("Commune Exemple", "local_authority", "", OrganisationKind.PUBLIC_BODY),
        ("Coopérative Exemple", "ess_enterprise", "membre fondateur", "ess_enterprise"),
        ("Entreprise Exemple", "enterprise", "", OrganisationKind.ENTERPRISE),
    ]
    # network.poles.refresh ran: three legal persons of the three kinds, and a territory.
    assert pole.composition_status == CompositionStatus.MEETS_DECREE_2015
    lone = Pole.objects.get(organisation__slug="pole-exemple-du-causse")
    assert (lone.composition_status, lone.members.count()) == (CompositionStatus.NOT_DECLARED, 0)
    assert list(lone.departments.values_list("code", flat=True)) == ["12"]


def test_utf8_file_with_bom_and_semicolons_imports_the_same():
    result = run(b"\xef\xbb\xbf" + csv_bytes(directory_rows(), delimiter=";"))

    assert (result.errors, result.encoding, result.delimiter) == ([], "UTF-8", ";")
    assert Organisation.objects.filter(name="Pôle Exemple des Deux-Rives").count() == 1
    assert PoleMember.objects.count() == 3


def test_windows_1252_file_with_semicolons_keeps_its_accents():
    result = run(csv_bytes(directory_rows(), delimiter=";", encoding="cp1252"))

    assert (result.errors, result.encoding, result.delimiter) == ([], "Windows-1252", ";")
    assert sorted(Organisation.objects.values_list("name", flat=True)) == [
        "Commune Exemple",
        "Coopérative Exemple",
        "Entreprise Exemple",
        "Pôle Exemple des Deux-Rives",
        "Pôle Exemple du Causse",
    ]
    assert Pole.objects.get(organisation__siren=POLE_SIREN).description == POLE["pole_description"]


def test_french_labels_and_yes_no_spellings_are_accepted():
    line = {
        **LONE_POLE,
        "pole_forme_juridique": "Société commerciale",
        "pole_personne_morale": "Non",
        "membre_nom": "Mairie Exemple",
        "membre_categorie": "Collectivité territoriale ou groupement",
        "membre_forme_juridique": "Personne publique",
        "membre_personne_morale": "O",
    }
    other = {
        **LONE_POLE,
        "membre_nom": "Scop Exemple",
        "membre_categorie": "Entreprise de l\u2019ESS",
    }

    result = run(csv_bytes(rows(line, other)))

    assert result.errors == []
    pole = Pole.objects.get()
    assert (pole.organisation.legal_form, pole.organisation.is_legal_person) == (
        LegalForm.COMMERCIAL_COMPANY,
        False,
    )
    assert sorted(pole.members.values_list("organisation__name", "category")) == [
        ("Mairie Exemple", MemberCategory.LOCAL_AUTHORITY),
        ("Scop Exemple", MemberCategory.ESS_ENTERPRISE),
    ]


def test_spreadsheet_habits_are_tolerated():
    """Department 1 for 01, a website without https://, blanks around cells."""
    line = {
        **LONE_POLE,
        "pole_departement": "1",
        "pole_site_web": "www.causse.example.org",
        "pole_territoire": " commune:1053 | departement:1 ",
        "pole_siren": "732 829 320",
    }

    result = run(csv_bytes(rows(line)))

    assert result.errors == []
    organisation = Organisation.objects.get()
    assert (organisation.department_code, organisation.website, organisation.siren) == (
        "01",
        "https://www.causse.example.org",
        POLE_SIREN,
    )
    assert sorted(TerritoryArea.objects.values_list("level", "code")) == [
        ("commune", "01053"),
        ("department", "01"),
    ]


# Importing again --------------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing():
    data = csv_bytes(directory_rows(), delimiter=";")
    run(data)
    before = dump()

    result = run(data)

    assert result.errors == []
    assert totals(result) == (0, 0, 0)
    with override("en"):
        assert result.summary() == "0 created, 0 updated, 0 removed"
    assert dump() == before


def test_a_later_file_is_the_reference_for_its_poles_members_but_keeps_unknown_details():
    run(csv_bytes(directory_rows()))
    # The cooperative leaves, the enterprise's role changes; the pole's town is not repeated.
    pole_line = {**POLE, "pole_ville": ""}
    later = rows(
        {**pole_line, **MEMBERS[1], "membre_role": "partenaire"},
        {**pole_line, **MEMBERS[2]},
    )

    result = run(csv_bytes(later))

    assert result.errors == []
    assert (dict(+result.created), dict(+result.updated), dict(+result.removed)) == (
        {},
        {"members": 1, "poles": 1},
        {"members": 1},
    )
    pole = Pole.objects.get(organisation__siren=POLE_SIREN)
    assert sorted(pole.members.values_list("organisation__name", "role")) == [
        ("Commune Exemple", ""),
        ("Entreprise Exemple", "partenaire"),
    ]
    assert pole.organisation.town == "Villeurbanne"
    # Two of the three kinds are left: the check says what is missing.
    assert pole.composition_status == CompositionStatus.DOES_NOT_MEET
    # The pole the file does not name is untouched, and the cooperative stays in the directory.
    assert Pole.objects.filter(organisation__slug="pole-exemple-du-causse").exists()
    assert Organisation.objects.filter(siren=MEMBER_SIREN).exists()


def test_sectors_are_found_by_their_name_whatever_their_slug():
    sector = SectorFactory(name="Alimentation", slug="alim")

    result = run(csv_bytes(rows({**LONE_POLE, "pole_secteurs": "alimentation|Mobilité"})))

    assert result.errors == []
    assert dict(+result.created) == {"organisations": 1, "poles": 1, "sectors": 1}
    assert sorted(Pole.objects.get().sectors.values_list("pk", flat=True)) == [
        sector.pk,
        Sector.objects.get(slug="mobilite").pk,
    ]


def test_a_pole_is_found_by_its_siren_and_renamed():
    pole = PoleFactory(organisation__name="Ancien Nom", organisation__siren=POLE_SIREN)

    result = run(csv_bytes(rows({**LONE_POLE, "pole_siren": POLE_SIREN})))

    assert result.errors == []
    assert (dict(+result.created), dict(+result.updated)) == ({}, {"organisations": 1, "poles": 1})
    pole.organisation.refresh_from_db()
    assert (pole.organisation.name, pole.organisation.slug) == (
        "Pôle Exemple du Causse",
        "ancien-nom",
    )


def test_an_organisation_becoming_a_legal_person_refreshes_the_poles_it_belongs_to():
    other = PoleFactory(composition_declared=True, organisation__is_legal_person=True)
    TerritoryAreaFactory(pole=other)
    for category in ("ess_enterprise", "enterprise"):
        PoleMemberFactory(pole=other, category=category, organisation__is_legal_person=True)
    authority = PoleMemberFactory(
        pole=other, category="local_authority", organisation__name="Commune Exemple"
    ).organisation
    assert (other.composition_status, authority.is_legal_person) == ("not_declared", None)
    poles.refresh(other)
    assert Pole.objects.get(pk=other.pk).composition_status == CompositionStatus.MEETS_ARTICLE_9

    line = {**LONE_POLE, **MEMBERS[2], "membre_personne_morale": "oui"}
    result = run(csv_bytes(rows(line)))

    assert result.errors == []
    assert Pole.objects.get(pk=other.pk).composition_status == CompositionStatus.MEETS_DECREE_2015


# Round trip -----------------------------------------------------------------------------------


def test_export_then_import_changes_nothing(client, cast):
    pole = PoleFactory(
        organisation__name='Pôle "Exemple"; des <Deux> Rives',
        organisation__siren=POLE_SIREN,
        organisation__legal_form=LegalForm.ASSOCIATION,
        organisation__website="https://exemple.org/",
        description="=SOMME(A1:A3) n'est pas une formule ici\r\n- ni ceci\n'@ni cela",
        creation_year=2014,
        composition_declared=True,
    )
    pole.sectors.set([SectorFactory(name="Alimentation"), SectorFactory(name="+ Mobilité")])
    TerritoryAreaFactory(pole=pole, level="commune", code="69266")
    TerritoryAreaFactory(pole=pole, level="epci", code="200046977")
    PoleMemberFactory(pole=pole, category="enterprise", role="-")
    PoleMemberFactory(pole=pole, category="ess_enterprise", organisation__siren=MEMBER_SIREN)
    PoleFactory(organisation__name="Pôle Exemple sans membre")
    RecognitionFactory(pole=pole)
    for each in Pole.objects.all():
        poles.refresh(each)
    before = dump()

    log_in(client, cast.organiser)
    response = client.get("/annuaire/export.csv")
    exported = b"".join(response.streaming_content)
    result = run(exported)

    assert result.errors == []
    assert totals(result) == (0, 0, 0)
    assert dump() == before


def test_the_export_is_utf8_with_bom_semicolons_and_neutralised_formulas(client, cast):
    pole = PoleFactory(organisation__name="=Pôle Exemple", description="@SOMME(1;2)")
    PoleMemberFactory(pole=pole, organisation__name="Membre Exemple", role="+33")
    log_in(client, cast.organiser)

    response = client.get("/annuaire/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="annuaire-ptce-')
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbfpole_nom;pole_siren;")
    lines = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert [
        (line["pole_nom"], line["pole_description"], line["membre_role"]) for line in lines
    ] == [("'=Pôle Exemple", "'@SOMME(1;2)", "'+33")]


@pytest.mark.parametrize("value", ["=1+1", "'=1", "''-2", "'t Hooft", "plain", "-", "", "'"])
def test_escaping_formulas_is_reversible(value):
    escaped = spreadsheets.neutralise(value)

    assert spreadsheets.restore(escaped) == value
    assert not csv_io._looks_like_formula(escaped)


# Bad files: nothing written -------------------------------------------------------------------


def test_a_file_with_bad_lines_imports_nothing_and_reports_every_bad_line():
    lines = directory_rows()
    lines[1]["membre_categorie"] = "adhérent"
    lines[2]["pole_annee_creation"] = "20l2"
    lines[2]["membre_siren"] = "732829321"
    lines[3]["pole_territoire"] = "departement:99|commune:75056|pays:FR"
    lines += rows(
        {"pole_nom": "Pôle Exemple Trois", "pole_site_web": "pas une adresse"},
        {"pole_nom": "Pôle Exemple Quatre", "membre_role": "sans nom"},
        {"pole_nom": "Pôle Exemple Cinq"},
    )

    with override("en"):
        result = run(csv_bytes(lines))

    assert errors(result) == [
        (3, "membre_categorie", "invalid_choice"),
        (4, "pole_annee_creation", "invalid_year"),
        (4, "membre_siren", "siren_checksum"),
        (5, "pole_territoire", "unknown_insee_code"),
        (5, "pole_territoire", "invalid_territory_level"),
        (6, "pole_site_web", "invalid"),
        (7, "membre_nom", "required"),
    ]
    assert result.bad_lines == [3, 4, 5, 6, 7]
    with override("en"):
        assert [error.message for error in result.errors if error.line == 5] == [
            raised("department", "99"),
            "“pays:FR” is not level:code, e.g. commune:69123 or departement:69 (levels: commune, "
            "epci, departement, region).",
        ]
    assert Organisation.objects.count() == Pole.objects.count() == Sector.objects.count() == 0


def raised(level, code):
    try:
        territories.validate_code(level, code)
    except ValidationError as error:
        return error.messages[0]
    raise AssertionError(f"{level} {code} is valid")


def test_unknown_insee_codes_are_reported_with_the_geographic_code_s_message():
    line = {**LONE_POLE, "pole_territoire": "commune:99999|region:82", "pole_departement": "20"}

    result = run(csv_bytes(rows(line)))

    assert [(e.line, e.column, e.code, e.message) for e in result.errors] == [
        (2, "pole_departement", "unknown_insee_code", raised("department", "20")),
        (2, "pole_territoire", "unknown_insee_code", raised("commune", "99999")),
        (2, "pole_territoire", "unknown_insee_code", raised("region", "82")),
    ]
    assert not Pole.objects.exists()


def test_over_long_texts_are_refused_with_the_limit():
    line = {
        "pole_nom": "P" * 201,
        "pole_description": "d" * 5001,
        "membre_nom": "Membre Exemple",
        "membre_categorie": "enterprise",
        "membre_role": "r" * 101,
    }

    with override("en"):
        result = run(csv_bytes(rows(line)))

    assert [(e.column, e.code, e.message) for e in result.errors] == [
        ("pole_nom", "too_long", "At most 200 characters (this one has 201)."),
        ("pole_description", "too_long", "At most 5000 characters (this one has 5001)."),
        ("membre_role", "too_long", "At most 100 characters (this one has 101)."),
    ]
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("pole_nom", '=HYPERLINK("http://example.com";"clic")'),
        ("pole_ville", "+33 1 23 45 67 89"),
        ("pole_annee_creation", "-2012"),
        ("membre_role", "@SUM(A1)"),
        ("pole_description", "\t=1+1"),
        ("pole_description", "\r=1+1"),
        ("pole_description", "  =1+1"),
    ],
)
def test_formulas_are_refused(column, value):
    line = {**LONE_POLE, "membre_nom": "Membre Exemple", "membre_categorie": "enterprise"}
    line[column] = value

    result = run(csv_bytes(rows(line)))

    assert errors(result) == [(2, column, "formula")]
    assert not Organisation.objects.exists()


def test_text_starting_like_a_formula_is_imported_after_an_apostrophe():
    line = {**LONE_POLE, "pole_description": "'- une liste\n- à puces", "pole_ville": "'t Ville"}

    result = run(csv_bytes(rows(line)))

    assert result.errors == []
    pole = Pole.objects.select_related("organisation").get()
    assert (pole.description, pole.organisation.town) == ("- une liste\n- à puces", "'t Ville")


def test_lines_of_one_pole_must_agree():
    lines = rows(
        {**LONE_POLE, "pole_annee_creation": "2012"},
        {**LONE_POLE, "pole_annee_creation": ""},
        {**LONE_POLE, "pole_annee_creation": "2014"},
    )

    result = run(csv_bytes(lines))

    assert errors(result) == [(4, "pole_annee_creation", "conflict")]


def test_a_member_listed_twice_or_the_pole_itself_is_refused():
    member = {"membre_nom": "Membre Exemple", "membre_categorie": "enterprise"}
    lines = rows(
        {**LONE_POLE, **member},
        {**LONE_POLE, **member, "membre_nom": "MEMBRE exemple"},
        {**LONE_POLE, "membre_nom": LONE_POLE["pole_nom"], "membre_categorie": "other_person"},
    )

    result = run(csv_bytes(lines))

    assert errors(result) == [
        (3, "membre_nom", "repeated_member"),
        (4, "membre_nom", "self_member"),
    ]


def test_a_name_already_in_the_directory_with_another_siren_is_refused():
    OrganisationFactory(name="Pôle Exemple du Causse", siren=MEMBER_SIREN)

    result = run(csv_bytes(rows({**LONE_POLE, "pole_siren": POLE_SIREN})))

    assert errors(result) == [(2, "pole_siren", "siren_mismatch")]
    assert not Pole.objects.exists()


def test_one_siren_for_two_names_is_refused():
    lines = rows(
        {**LONE_POLE, "pole_siren": POLE_SIREN},
        {"pole_nom": "Pôle Exemple Homonyme", "pole_siren": POLE_SIREN},
    )

    result = run(csv_bytes(lines))

    assert errors(result) == [(3, "pole_siren", "repeated_siren")]
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("pole_nom,pole_siren\n".encode("utf-16"), "undecodable"),
        (b"pole_nom\xff\x81,pole_siren\n", "undecodable"),
        (b"PK\x03\x04\x14\x00\x06\x00", "not_csv"),
        ("\t".join(csv_io.COLUMN_NAMES).encode() + b"\nP\t\t\n", "wrong_delimiter"),
        (b"", "empty"),
        (b"\n\n", "empty"),
    ],
    ids=["utf-16", "not-cp1252", "xlsx", "tabs", "empty", "blank"],
)
def test_unreadable_files_get_one_clear_message(data, code):
    result = run(data)

    assert errors(result) == [(None, "", code)]
    assert not Organisation.objects.exists()


def test_missing_unknown_and_repeated_columns_are_named():
    header = [name for name in csv_io.COLUMN_NAMES if name not in {"membre_role", "pole_siren"}] + [
        "remarques",
        "pole_nom",
    ]

    with override("en"):
        result = run(csv_bytes(rows(LONE_POLE), header=header))

    assert [(e.line, e.code, e.message) for e in result.errors] == [
        (
            None,
            "bad_header",
            "The first line must name the columns of the format (missing columns: pole_siren, "
            "membre_role; unknown columns: remarques; repeated columns: pole_nom).",
        )
    ]


def test_lines_split_with_the_wrong_delimiter_are_reported():
    data = csv_bytes(rows(LONE_POLE), delimiter=";") + b"Autre pole,,,\n"

    result = run(data)

    assert errors(result) == [(3, "", "wrong_cell_count")]


def test_a_file_over_5_mb_is_refused_before_being_read():
    data = csv_bytes(rows(LONE_POLE)) + b"x" * (10 * 1024 * 1024)

    result = run(data)

    assert errors(result) == [(None, "", "file_too_large")]


def test_a_file_of_100000_lines_is_refused():
    line = ("Pôle Exemple" + "," * (len(csv_io.COLUMN_NAMES) - 1) + "\n").encode()
    data = csv_bytes([]) + line * 100_000

    with override("en"):
        result = run(data)

    assert [(e.line, e.code, e.message) for e in result.errors] == [
        (
            None,
            "too_many_lines",
            "The file has more than 20\u202f000 lines: split it into several files.",
        )
    ]
    assert not Pole.objects.exists()


def test_a_line_too_long_is_refused():
    lines = rows({**LONE_POLE, "pole_description": "d" * (csv_io.MAX_LINE_CHARS + 1)}, LONE_POLE)

    result = run(csv_bytes(lines))

    assert errors(result) == [(2, "", "line_too_long")]


def test_a_cell_beyond_the_csv_reader_s_limit_stops_the_reading_at_its_line():
    data = csv_bytes(rows(LONE_POLE)) + b'"' + b"d" * 200_000 + b'",,\n'

    result = run(data)

    assert errors(result) == [(3, "", "malformed_line")]


def test_an_unclosed_quote_is_reported_at_its_line():
    """Lines count as a spreadsheet's rows: the description on two lines of text is one."""
    data = csv_bytes(rows(LONE_POLE, LONE_POLE)) + b'"Autre pole,,\n'

    result = run(data)

    assert errors(result) == [(4, "", "malformed_line")]


def test_a_header_alone_has_no_pole():
    result = run(csv_bytes([]))

    assert errors(result) == [(None, "", "empty")]


# Organiser pages -----------------------------------------------------------------------------


def upload(client, data, name="annuaire.csv"):
    file = io.BytesIO(data)
    file.name = name
    return client.post("/annuaire/import/", {"file": file}, headers={"accept-language": "en"})


@pytest.mark.parametrize("path", ["/annuaire/import/", "/annuaire/export.csv"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/connexion/?next={path}"


@pytest.mark.parametrize("who", ["outsider", "editor", "agent", "viewer"])
@pytest.mark.parametrize("path", ["/annuaire/import/", "/annuaire/export.csv"])
def test_users_who_do_not_manage_the_directory_are_refused(client, cast, who, path):
    log_in(client, getattr(cast, who))

    assert client.get(path).status_code == 403


def test_a_refused_user_imports_nothing(client, cast):
    log_in(client, cast.editor)

    response = upload(client, csv_bytes(directory_rows()))

    assert response.status_code == 403
    assert not Pole.objects.exists()


@pytest.mark.parametrize("who", ["organiser", "other_organiser", "superuser"])
def test_directory_managers_open_the_import_page(client, cast, who):
    log_in(client, getattr(cast, who))

    response = client.get("/annuaire/import/")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'accept=".csv,text/csv"' in content
    assert 'aria-describedby="file-help"' in content
    assert "<code>pole_territoire</code>" in content
    assert 'href="/annuaire/export.csv"' in content


def test_uploading_a_good_file_shows_what_was_done(client, cast):
    log_in(client, cast.organiser)

    response = upload(client, csv_bytes(directory_rows()))

    assert response.status_code == 200
    assert response.context["result"].ok
    content = response.content.decode()
    assert "4 lines read (UTF-8): 12 created, 0 updated, 0 removed." in content
    assert Pole.objects.count() == 2


def test_uploading_a_bad_file_lists_its_errors_by_line(client, cast):
    lines = directory_rows()
    lines[2]["membre_categorie"] = "<script>alert(1)</script>"
    log_in(client, cast.organiser)

    response = upload(client, csv_bytes(lines))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Nothing was imported: 1 line has errors." in content
    assert "<td>4</td><td><code>membre_categorie</code></td>" in content
    assert "“&lt;script&gt;alert(1)&lt;/script&gt;” is not an article 9 category" in content
    assert "<script>alert" not in content
    assert not Pole.objects.exists()


def test_a_file_level_error_is_tied_to_the_file_field(client, cast):
    log_in(client, cast.organiser)

    # Beyond the import's 5 MB, within the 10 MB a request may carry (beyond: 413).
    response = upload(client, b"x" * (6 * 1024 * 1024))

    assert response.status_code == 200
    content = response.content.decode()
    assert '<ul class="errorlist" id="file-errors"><li>The file is larger than 5 MB' in content
    assert 'aria-describedby="file-help file-errors" aria-invalid="true"' in content


def test_posting_without_a_file_asks_for_one(client, cast):
    log_in(client, cast.organiser)

    response = client.post("/annuaire/import/", {})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        response.context["form"].fields["file"].error_messages["required"]
    ]


def test_markup_in_names_is_stored_as_text():
    name = "<b>Pôle</b> & <script>alert(1)</script>"

    result = run(csv_bytes(rows({"pole_nom": name})))

    assert result.errors == []
    assert Organisation.objects.get().name == name
