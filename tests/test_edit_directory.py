"""The directory's organiser pages: organisations, poles and sectors, and what saving
refreshes (ported from the admin's tests)."""

import pytest
from django.core.exceptions import ValidationError

from network import poles, territories
from network.enums import CompositionStatus, LegalForm
from network.models import Organisation, Pole, PoleMember, Sector
from tests.auth import log_in
from tests.factories import (
    OrganisationFactory,
    PoleFactory,
    PoleMemberFactory,
    TerritoryAreaFactory,
)

pytestmark = pytest.mark.django_db

INDEX = "/annuaire/gestion/"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def pole_url(organisation):
    return f"{INDEX}organisations/{organisation.pk}/pole/"


def rows(prefix, items, *, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(items):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def pole_data(pole=None, *, members=(), territory=(), recognitions=(), **overrides):
    data = {
        "description": pole.description if pole else "",
        "creation_year": (pole.creation_year or "") if pole else "",
        **rows("members", members),
        **rows("territory", territory),
        **rows("recognitions", recognitions),
    }
    if pole is not None and pole.composition_declared:
        data["composition_declared"] = "on"
    data.update(overrides)
    return data


def legal_member(category, name):
    organisation = OrganisationFactory(name=name, legal_form=LegalForm.ASSOCIATION)
    return {"organisation": organisation.pk, "category": category, "role": ""}


@pytest.mark.parametrize("who", ["organiser", "other_organiser", "superuser"])
def test_directory_managers_open_the_pages(client, cast, who):
    pole = PoleFactory()
    log_in(client, getattr(cast, who))
    for path in (
        INDEX,
        f"{INDEX}organisations/nouvelle/",
        pole_url(pole.organisation),
        f"{INDEX}secteurs/",
    ):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("who", ["editor", "agent", "viewer", "outsider"])
def test_other_users_get_403_and_change_nothing(client, cast, who):
    pole = PoleFactory()
    log_in(client, getattr(cast, who))
    assert client.get(INDEX).status_code == 403
    response = client.post(pole_url(pole.organisation), pole_data(pole, description="Piraté"))
    assert response.status_code == 403
    data = {"name": "Piraté", "slug": cast.org.slug, "kind": cast.org.kind}
    assert client.post(f"{INDEX}organisations/{cast.org.pk}/", data).status_code == 403
    pole.refresh_from_db()
    cast.org.refresh_from_db()
    assert (pole.description, cast.org.name) == ("", "Réseau Exemple")


def test_anonymous_visitors_go_to_the_login_page(client, db):
    assert client.get(INDEX)["Location"] == f"/connexion/?next={INDEX}"


def test_organisations_are_searched(client, cast):
    OrganisationFactory(name="Pôle Lyonnais", town="Lyon")
    response = log_in(client, cast.organiser).get(INDEX, {"q": "lyon"})
    assert [o.name for o in response.context["page"].object_list] == ["Pôle Lyonnais"]


def test_manager_adds_and_changes_an_organisation(client, cast):
    log_in(client, cast.organiser)
    data = {"name": "Partenaire Exemple", "slug": "", "kind": "network", "website": "example.org"}
    assert client.post(f"{INDEX}organisations/nouvelle/", data).status_code == 302
    organisation = Organisation.objects.get(slug="partenaire-exemple")
    assert organisation.website == "https://example.org"

    data = {
        "name": "Partenaire renommé",
        "slug": organisation.slug,
        "kind": "network",
        "siren": "12",
    }
    response = client.post(f"{INDEX}organisations/{organisation.pk}/", data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"siren"}
    organisation.refresh_from_db()
    assert organisation.name == "Partenaire Exemple"


def test_adding_members_updates_the_composition_status(client, cast):
    pole = PoleFactory(composition_declared=True, organisation__legal_form=LegalForm.ASSOCIATION)
    area = TerritoryAreaFactory(pole=pole, level="department", code="69")
    poles.refresh(pole)
    assert Pole.objects.get(pk=pole.pk).composition_status == CompositionStatus.DOES_NOT_MEET
    members = [
        legal_member("ess_enterprise", "Coopérative Exemple"),
        legal_member("enterprise", "Entreprise Exemple"),
        legal_member("research_centre", "Laboratoire Exemple"),
    ]
    data = pole_data(pole, members=members)
    data.update(
        rows("territory", [{"id": area.pk, "level": "department", "code": "69"}], initial=1)
    )

    response = log_in(client, cast.organiser).post(pole_url(pole.organisation), data)

    assert response.status_code == 302
    pole.refresh_from_db()
    assert pole.composition_status == CompositionStatus.MEETS_DECREE_2015
    assert pole.members.count() == 3


def test_a_pole_is_made_for_an_organisation_with_its_territory(client, cast):
    organisation = OrganisationFactory(name="Pôle Nouveau")
    territory = [{"level": "department", "code": "1"}, {"level": "epci", "code": "200046977"}]

    response = log_in(client, cast.organiser).post(
        pole_url(organisation), pole_data(territory=territory)
    )

    assert response.status_code == 302
    pole = Pole.objects.get(organisation=organisation)
    assert sorted(pole.territory.values_list("level", "code")) == [
        ("department", "01"),
        ("epci", "200046977"),
    ]
    assert list(pole.departments.values_list("code", flat=True)) == ["01", "69"]
    assert pole.geo_vintage == territories.VINTAGE


def test_an_unknown_insee_code_is_refused_and_nothing_is_saved(client, cast):
    pole = PoleFactory()
    data = pole_data(
        pole, territory=[{"level": "commune", "code": "99999"}], description="Nouvelle"
    )

    response = log_in(client, cast.organiser).post(pole_url(pole.organisation), data)

    assert response.status_code == 200
    formset = response.context["formsets"][1][0]
    with pytest.raises(ValidationError) as expected:
        territories.validate_code("commune", "99999")
    assert formset.errors == [{"code": expected.value.messages}]
    pole.refresh_from_db()
    assert (pole.description, pole.territory.count()) == ("", 0)


def test_a_pole_cannot_be_its_own_member(client, cast):
    pole = PoleFactory()
    members = [{"organisation": pole.organisation_id, "category": "other_person", "role": ""}]

    response = log_in(client, cast.organiser).post(
        pole_url(pole.organisation), pole_data(pole, members=members)
    )

    assert response.status_code == 200
    assert response.context["formsets"][0][0].errors == [
        {"organisation": ["A pole cannot be a member of itself."]}
    ]
    assert not PoleMember.objects.exists()


def test_a_member_becoming_a_legal_person_refreshes_its_poles(client, cast):
    pole = PoleFactory(composition_declared=True, organisation__is_legal_person=True)
    TerritoryAreaFactory(pole=pole)
    for category in ("ess_enterprise", "enterprise"):
        PoleMemberFactory(pole=pole, category=category, organisation__is_legal_person=True)
    authority = PoleMemberFactory(pole=pole, category="local_authority").organisation
    poles.refresh(pole)
    assert Pole.objects.get(pk=pole.pk).composition_status == CompositionStatus.MEETS_ARTICLE_9
    data = {
        "name": authority.name,
        "slug": authority.slug,
        "kind": authority.kind,
        "is_legal_person": "true",
        "department_code": "2a",
    }

    response = log_in(client, cast.organiser).post(f"{INDEX}organisations/{authority.pk}/", data)

    assert response.status_code == 302
    authority.refresh_from_db()
    assert (authority.is_legal_person, authority.department_code) == (True, "2A")
    assert Pole.objects.get(pk=pole.pk).composition_status == CompositionStatus.MEETS_DECREE_2015


def test_the_pole_page_says_what_the_composition_lacks(client, cast):
    pole = PoleFactory(composition_declared=True)
    PoleMemberFactory(pole=pole, category="ess_enterprise")
    content = (
        log_in(client, cast.organiser)
        .get(pole_url(pole.organisation), headers={"accept-language": "en"})
        .content.decode()
    )
    assert "Among the members: an enterprise outside the ESS." in content


def test_markup_in_names_is_shown_as_text(client, cast):
    PoleFactory(organisation__name="<script>alert(1)</script> Pôle")
    content = log_in(client, cast.organiser).get(INDEX).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Pôle" in content
    assert "<script>alert(1)</script>" not in content


def test_a_sector_name_may_not_hold_the_csv_list_separator(client, cast):
    log_in(client, cast.organiser)
    response = client.post(f"{INDEX}secteurs/", {"name": "Alimentation | Mobilité", "slug": ""})
    assert response.context["form"].errors == {"name": ["A sector's name cannot contain “|”."]}
    assert client.post(f"{INDEX}secteurs/", {"name": "Alimentation", "slug": ""}).status_code == 302
    assert list(Sector.objects.values_list("slug", flat=True)) == ["alimentation"]
