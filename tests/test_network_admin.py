"""The admin of poles, sectors and organisations: superusers only, and what saving refreshes."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, override

from network import poles, territories
from network.enums import CompositionStatus, LegalForm
from network.models import Pole, PoleMember, Sector
from tests.auth import log_in
from tests.factories import (
    OrganisationFactory,
    PoleFactory,
    PoleMemberFactory,
    RecognitionFactory,
    SectorFactory,
    TerritoryAreaFactory,
)

POLES = "/admin/network/pole/"


def fr(msgid):
    with override("fr"):
        return gettext(msgid)


def inline(prefix, rows, *, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def pole_data(pole, *, members=(), territory=(), recognitions=(), **overrides):
    """POST data of the pole's change form; inline rows are dicts of their fields (new rows)."""
    data = {
        "organisation": pole.organisation_id,
        "description": pole.description,
        "creation_year": pole.creation_year or "",
        "sectors": [sector.pk for sector in pole.sectors.all()],
        "_save": "Enregistrer",
        **inline("members", members),
        **inline("territory", territory),
        **inline("recognitions", recognitions),
    }
    if pole.composition_declared:
        data["composition_declared"] = "on"
    data.update(overrides)
    return data


def legal_member(category, name):
    organisation = OrganisationFactory(name=name, legal_form=LegalForm.ASSOCIATION)
    return {"organisation": organisation.pk, "category": category, "role": ""}


# Who may use it: superusers only ------------------------------------------------------------


@pytest.mark.parametrize("path", [POLES, f"{POLES}add/", "/admin/network/sector/"])
def test_superusers_work_on_poles_and_sectors(client, cast, path):
    log_in(client, cast.superuser)

    assert client.get(path).status_code == 200


@pytest.mark.parametrize("who", ["organiser", "other_organiser", "editor"])
def test_others_are_sent_to_the_login_page_and_change_nothing(client, cast, who):
    """Directory managers work on the organiser pages (tests/test_edit_directory.py)."""
    pole = PoleFactory()
    log_in(client, getattr(cast, who))

    response = client.post(f"{POLES}{pole.pk}/change/", pole_data(pole, description="Piraté"))

    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")
    pole.refresh_from_db()
    assert pole.description == ""


# Saving refreshes what derives from the pole ----------------------------------------------------


def test_adding_members_through_the_admin_updates_the_composition_status(client, cast):
    pole = PoleFactory(composition_declared=True, organisation__legal_form=LegalForm.ASSOCIATION)
    TerritoryAreaFactory(pole=pole, level="department", code="69")
    poles.refresh(pole)
    assert Pole.objects.get(pk=pole.pk).composition_status == CompositionStatus.DOES_NOT_MEET
    members = [
        legal_member("ess_enterprise", "Coopérative Exemple"),
        legal_member("enterprise", "Entreprise Exemple"),
        legal_member("research_centre", "Laboratoire Exemple"),
    ]
    data = pole_data(pole, members=members)
    data.update(
        inline(
            "territory",
            [{"id": pole.territory.get().pk, "level": "department", "code": "69"}],
            initial=1,
        )
    )
    log_in(client, cast.superuser)

    response = client.post(f"{POLES}{pole.pk}/change/", data)

    assert response.status_code == 302
    pole.refresh_from_db()
    assert pole.composition_status == CompositionStatus.MEETS_DECREE_2015
    assert sorted(pole.members.values_list("organisation__name", flat=True)) == [
        "Coopérative Exemple",
        "Entreprise Exemple",
        "Laboratoire Exemple",
    ]


def test_the_territory_is_normalised_and_gives_the_departments_and_vintage(client, cast):
    pole = PoleFactory(geo_vintage=None)
    log_in(client, cast.superuser)

    territory = [{"level": "department", "code": "1"}, {"level": "epci", "code": "200046977"}]
    response = client.post(f"{POLES}{pole.pk}/change/", pole_data(pole, territory=territory))

    assert response.status_code == 302
    pole.refresh_from_db()
    assert sorted(pole.territory.values_list("level", "code")) == [
        ("department", "01"),
        ("epci", "200046977"),
    ]
    assert list(pole.departments.values_list("code", flat=True)) == ["01", "69"]
    assert pole.geo_vintage == territories.VINTAGE


def test_an_unknown_insee_code_is_refused_and_nothing_is_saved(client, cast):
    pole = PoleFactory()
    log_in(client, cast.superuser)

    territory = [{"level": "commune", "code": "99999"}]
    data = pole_data(pole, territory=territory, description="Nouvelle description")
    response = client.post(f"{POLES}{pole.pk}/change/", data)

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][1].formset.errors
    with pytest.raises(ValidationError) as expected:
        territories.validate_code("commune", "99999")
    assert errors == [{"code": expected.value.messages}]
    pole.refresh_from_db()
    assert (pole.description, pole.territory.count()) == ("", 0)


def test_a_pole_cannot_be_its_own_member(client, cast):
    pole = PoleFactory()
    log_in(client, cast.superuser)

    members = [{"organisation": pole.organisation_id, "category": "other_person", "role": ""}]
    response = client.post(f"{POLES}{pole.pk}/change/", pole_data(pole, members=members))

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors == [
        {"organisation": [fr("A pole cannot be a member of itself.")]}
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
    log_in(client, cast.superuser)

    response = client.post(f"/admin/network/organisation/{authority.pk}/change/", data)

    assert response.status_code == 302
    authority.refresh_from_db()
    assert (authority.is_legal_person, authority.department_code) == (True, "2A")
    assert Pole.objects.get(pk=pole.pk).composition_status == CompositionStatus.MEETS_DECREE_2015


def test_the_change_page_says_what_the_composition_lacks(client, cast):
    pole = PoleFactory(composition_declared=True)
    PoleMemberFactory(pole=pole, category="ess_enterprise")
    log_in(client, cast.superuser)

    with override("en"):
        response = client.get(f"{POLES}{pole.pk}/change/", headers={"accept-language": "en"})

    content = response.content.decode()
    assert "Among the members: an enterprise outside the ESS." in content
    assert "A territory: no commune, intercommunality, department or region." in content


# The list ------------------------------------------------------------------------------------


def pole_list(client, **query):
    response = client.get(POLES, query)
    assert response.status_code == 200
    return sorted(pole.organisation.name for pole in response.context["cl"].result_list)


def test_poles_are_searched_and_filtered(client, cast):
    food = SectorFactory(name="Alimentation")
    laureate = PoleFactory(organisation__name="Pôle Exemple Lauréat", organisation__town="Lyon")
    laureate.sectors.set([food])
    RecognitionFactory(pole=laureate, kind="call_2023")
    declared = PoleFactory(organisation__name="Pôle Exemple Déclaré", composition_declared=True)
    poles.refresh(declared)
    PoleFactory(organisation__name="Pôle Exemple Autre")
    log_in(client, cast.superuser)

    assert pole_list(client, q="lyon") == ["Pôle Exemple Lauréat"]
    assert pole_list(client, recognitions__kind="call_2023") == ["Pôle Exemple Lauréat"]
    assert pole_list(client, sectors__id__exact=food.pk) == ["Pôle Exemple Lauréat"]
    assert pole_list(client, composition_status="does_not_meet") == ["Pôle Exemple Déclaré"]


def test_markup_in_names_is_shown_as_text(client, cast):
    PoleFactory(organisation__name="<script>alert(1)</script> Pôle")
    log_in(client, cast.superuser)

    content = client.get(POLES).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt; Pôle" in content
    assert "<script>alert(1)</script>" not in content


def test_a_sector_name_may_not_hold_the_csv_list_separator(client, cast):
    log_in(client, cast.superuser)

    data = {"name": "Alimentation | Mobilité", "slug": "alimentation-mobilite"}
    response = client.post("/admin/network/sector/add/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "name": [fr("A sector's name cannot contain “%(character)s”.") % {"character": "|"}]
    }
    assert not Sector.objects.exists()
