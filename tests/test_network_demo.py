"""The directory's demonstration data (network.demo): real poles with only their facts, and
fictional ones that fill the directory and the map."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from network import composition, territories
from network.demo import load_network_demo
from network.enums import CompositionStatus, OrganisationKind, RecognitionKind, TerritoryLevel
from network.models import Organisation, Pole, PoleMember, Recognition, TerritoryArea

pytestmark = pytest.mark.django_db

REAL_POLES = {
    "domb-innov": "Domb'Innov",
    "la-coursive-boutaric": "La Coursive Boutaric",
    "pays-de-bray": "Pays de Bray",
    "sud-aquitain": "Sud Aquitain",
    "le-phares": "Le Phares",
    "ecopole-alimentaire": "Ecopôle alimentaire",
}


def dump():
    out = io.StringIO()
    call_command("dumpdata", "network", indent=1, stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded():
    return load_network_demo()


def real_poles():
    return Pole.objects.filter(organisation__is_fictional=False).select_related("organisation")


def fictional_poles():
    return Pole.objects.filter(organisation__is_fictional=True)


# Real poles: only their facts -------------------------------------------------------------


def test_real_poles_are_those_of_the_facts(loaded):
    assert {pole.organisation.slug: pole.name for pole in real_poles()} == REAL_POLES
    assert {pole.organisation.kind for pole in real_poles()} == {OrganisationKind.POLE}


def test_le_phares_is_in_l_ile_saint_denis_and_laureate_of_2013_without_a_made_up_date(loaded):
    pole = Pole.objects.get(organisation__slug="le-phares")

    assert (pole.organisation.town, pole.organisation.department_code) == (
        "L'Île-Saint-Denis",
        "93",
    )
    assert list(pole.territory.values_list("level", "code")) == [(TerritoryLevel.COMMUNE, "93039")]
    assert territories.name(TerritoryLevel.COMMUNE, "93039") == "L'Île-Saint-Denis"
    assert list(pole.departments.values_list("code", flat=True)) == ["93"]
    assert list(pole.recognitions.values_list("kind", "date")) == [
        (RecognitionKind.CALL_2013, None)
    ]


def test_ecopole_is_laureate_of_the_2015_call_announced_on_14_january_2016(loaded):
    pole = Pole.objects.get(organisation__slug="ecopole-alimentaire")

    assert list(pole.recognitions.values_list("kind", "date")) == [
        (RecognitionKind.CALL_2015, dt.date(2016, 1, 14))
    ]
    # "Audruicq area, 62": the department, since the area's extent is not stated.
    assert pole.organisation.department_code == "62"
    assert list(pole.territory.values_list("level", "code")) == [(TerritoryLevel.DEPARTMENT, "62")]


def test_the_2014_poles_have_no_territory_since_only_their_old_region_is_known(loaded):
    testified = real_poles().exclude(organisation__slug__in=["le-phares", "ecopole-alimentaire"])

    assert not TerritoryArea.objects.filter(pole__in=testified).exists()
    assert {pole.name: pole.description for pole in testified}["Domb'Innov"] == (
        "Pôle territorial de coopération économique de la région Rhône-Alpes (nom de la région "
        "en 2014). Il a témoigné lors de la 2e Journée nationale des PTCE, le 19 septembre "
        "2014, à Paris."
    )


def test_no_real_pole_has_a_declared_composition_nor_any_invented_detail(loaded):
    for pole in real_poles():
        assert (pole.composition_declared, pole.composition_status) == (
            False,
            CompositionStatus.NOT_DECLARED,
        ), pole.name
        organisation = pole.organisation
        assert (organisation.legal_form, organisation.is_legal_person) == ("", None), pole.name
        assert (organisation.website, organisation.siren) == ("", ""), pole.name
        assert pole.creation_year is None, pole.name
        assert not pole.members.exists(), pole.name
        assert not pole.sectors.exists(), pole.name
    assert set(Recognition.objects.values_list("pole__organisation__slug", flat=True)) == {
        "le-phares",
        "ecopole-alimentaire",
    }


# Fictional poles ---------------------------------------------------------------------------


def test_fictional_poles_and_members_are_flagged_and_named_as_examples(loaded):
    assert fictional_poles().count() == 62
    assert all(pole.name.startswith("Pôle Exemple ") for pole in fictional_poles())
    members = Organisation.objects.filter(pole_memberships__pole__in=fictional_poles())
    assert members.exists()
    assert not members.filter(is_fictional=False).exists()
    assert all("Exemple" in name for name in members.values_list("name", flat=True))
    assert not Organisation.objects.filter(is_fictional=False, name__icontains="exemple").exists()


def test_fictional_poles_claim_no_recognition(loaded):
    assert not Recognition.objects.filter(pole__organisation__is_fictional=True).exists()


def test_fictional_poles_cover_every_composition_status_most_not_declared(loaded):
    statuses = list(fictional_poles().values_list("composition_status", flat=True))

    assert set(statuses) == set(CompositionStatus)
    assert statuses.count(CompositionStatus.NOT_DECLARED) > len(statuses) / 2


def test_stored_status_is_the_check_of_each_pole(loaded):
    for pole in Pole.objects.select_related("organisation"):
        assert pole.composition_status == composition.check(pole).status, pole.name


def test_fictional_poles_spread_over_forty_departments_of_every_metropolitan_region(loaded):
    departments = set(
        fictional_poles()
        .values_list("departments__code", flat=True)
        .exclude(departments__code=None)
    )
    regions = {territories.region_of(code).code for code in departments}

    assert len(departments) >= 40
    overseas = {"01", "02", "03", "04", "06"}
    assert {region.code for region in territories.regions()} - overseas <= regions
    assert not fictional_poles().filter(departments=None).exists()


def test_demonstration_edition_partners_are_poles_of_the_directory(loaded):
    assert set(
        Pole.objects.filter(
            organisation__slug__in=["pole-exemple-des-deux-rives", "pole-exemple-du-haut-val"]
        ).values_list("organisation__name", flat=True)
    ) == {"Pôle Exemple des Deux-Rives", "Pôle Exemple du Haut-Val"}


# Idempotence -------------------------------------------------------------------------------


def test_loading_twice_changes_nothing(loaded):
    before = dump()

    again = load_network_demo()

    assert dump() == before
    assert [created for _pole, created in again.poles] == [False] * len(loaded.poles)
    assert all(created for _pole, created in loaded.poles)


def test_an_existing_pole_is_left_as_it_is(loaded):
    pole = Pole.objects.get(organisation__slug="pole-exemple-des-deux-rives")
    Pole.objects.filter(pk=pole.pk).update(description="Revu par une organisatrice.")
    pole.members.all().delete()

    load_network_demo()

    pole.refresh_from_db()
    assert pole.description == "Revu par une organisatrice."
    assert not pole.members.exists()


def test_organisations_created_by_the_events_demo_become_poles_unchanged():
    # As a site loaded with an earlier demo: the testifying poles exist as organisations.
    domb = Organisation.objects.create(
        slug="domb-innov", name="Domb'Innov", kind=OrganisationKind.POLE
    )

    load_network_demo()

    pole = Pole.objects.get(organisation__slug="domb-innov")
    assert pole.organisation == domb
    assert Organisation.objects.filter(slug="domb-innov").count() == 1


def test_the_demo_command_loads_the_directory_too(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.HTTPS = False
    monkeypatch.delenv("PTCE_PASSWORD", raising=False)

    call_command("demo", stdout=io.StringIO())

    assert Pole.objects.count() == len(REAL_POLES) + 62
    assert PoleMember.objects.exists()
