"""The article 9 check, case by case (network.composition)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from common.text import fold
from network import composition
from network.enums import CompositionStatus, LegalForm, MemberCategory, TerritoryLevel
from network.models import Organisation, Pole, PoleMember, TerritoryArea
from network.validators import validate_siren

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are compared with their English msgids; test_translations.py checks French."""
    with translation.override("en"):
        yield


ESS, ENTERPRISE, AUTHORITY = (
    MemberCategory.ESS_ENTERPRISE,
    MemberCategory.ENTERPRISE,
    MemberCategory.LOCAL_AUTHORITY,
)


def organisation(name, *, legal_person=True):
    return Organisation.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        kind="other",
        legal_form=LegalForm.ASSOCIATION if legal_person else LegalForm.OTHER,
        is_legal_person=legal_person,
    )


def pole(*members, declared=True, legal_person=True, territory=True):
    """A pole with ``members`` given as (category, is_legal_person) pairs."""
    made = Pole.objects.create(
        organisation=organisation("Pôle Exemple", legal_person=legal_person),
        composition_declared=declared,
    )
    for number, (category, legal) in enumerate(members):
        PoleMember.objects.create(
            pole=made,
            organisation=organisation(f"Membre Exemple {number}", legal_person=legal),
            category=category,
        )
    if territory:
        TerritoryArea.objects.create(pole=made, level=TerritoryLevel.DEPARTMENT, code="69")
    return made


def missing(result):
    return [str(message) for message in result.missing]


COMPLETE = [(ESS, True), (ENTERPRISE, True), (AUTHORITY, True)]


def test_a_complete_declared_composition_meets_the_decree():
    result = composition.check(pole(*COMPLETE))

    assert result == composition.CompositionCheck(CompositionStatus.MEETS_DECREE_2015)


def test_nothing_is_claimed_when_the_composition_is_not_declared():
    result = composition.check(pole(*COMPLETE, declared=False))

    assert result == composition.CompositionCheck(CompositionStatus.NOT_DECLARED)


def test_not_declared_is_the_default_even_without_members():
    made = Pole.objects.create(organisation=organisation("Pôle Exemple"))

    assert composition.check(made).status == CompositionStatus.NOT_DECLARED
    assert made.composition_status == CompositionStatus.NOT_DECLARED


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (
            [(ENTERPRISE, True), (AUTHORITY, True)],
            ["Among the members: an ESS enterprise."],
        ),
        (
            [(ESS, True), (AUTHORITY, True)],
            ["Among the members: an enterprise outside the ESS."],
        ),
        (
            [(ESS, True), (ENTERPRISE, True)],
            [
                "Among the members: another person named by article 9 (local authority, "
                "research centre, higher education, training body or other person)."
            ],
        ),
        (
            [],
            [
                "Among the members: an ESS enterprise.",
                "Among the members: an enterprise outside the ESS.",
                "Among the members: another person named by article 9 (local authority, "
                "research centre, higher education, training body or other person).",
            ],
        ),
    ],
)
def test_each_missing_category_is_named(members, expected):
    result = composition.check(pole(*members))

    assert result.status == CompositionStatus.DOES_NOT_MEET
    assert missing(result) == expected


@pytest.mark.parametrize(
    "category",
    [
        MemberCategory.LOCAL_AUTHORITY,
        MemberCategory.RESEARCH_CENTRE,
        MemberCategory.HIGHER_EDUCATION,
        MemberCategory.TRAINING_BODY,
        MemberCategory.OTHER_PERSON,
    ],
)
def test_any_other_article_9_person_completes_the_trio(category):
    result = composition.check(pole((ESS, True), (ENTERPRISE, True), (category, True)))

    assert result.status == CompositionStatus.MEETS_DECREE_2015


def test_no_territory_does_not_meet_article_9():
    result = composition.check(pole(*COMPLETE, territory=False))

    assert result.status == CompositionStatus.DOES_NOT_MEET
    assert missing(result) == ["A territory: no commune, intercommunality, department or region."]


def test_a_pole_that_is_not_a_legal_person_meets_article_9_only():
    result = composition.check(pole(*COMPLETE, legal_person=False))

    assert result.status == CompositionStatus.MEETS_ARTICLE_9
    assert missing(result) == ["The pole itself is not known to be a legal person."]


def test_fewer_than_three_legal_persons_meets_article_9_only():
    result = composition.check(pole((ESS, True), (ENTERPRISE, True), (AUTHORITY, False)))

    assert result.status == CompositionStatus.MEETS_ARTICLE_9
    assert missing(result) == [
        "At least three members that are legal persons: 2 are known to be.",
        "Among the members that are legal persons: another person named by article 9 (local "
        "authority, research centre, higher education, training body or other person).",
    ]


def test_a_member_that_is_not_a_legal_person_does_not_count_for_the_decree():
    members = [(ESS, False), (ENTERPRISE, True), (AUTHORITY, True), (AUTHORITY, True)]

    result = composition.check(pole(*members))

    assert result.status == CompositionStatus.MEETS_ARTICLE_9
    assert missing(result) == ["Among the members that are legal persons: an ESS enterprise."]


def test_a_member_not_known_to_be_a_legal_person_does_not_count_either():
    made = pole(*COMPLETE)
    member = made.members.get(category=ESS).organisation
    Organisation.objects.filter(pk=member.pk).update(is_legal_person=None)

    result = composition.check(made)

    assert result.status == CompositionStatus.MEETS_ARTICLE_9
    assert missing(result)[0] == (
        "At least three members that are legal persons: 2 are known to be."
    )


def test_refresh_stores_the_status_and_check_reads_what_was_given(django_assert_num_queries):
    made = pole(*COMPLETE)

    composition.refresh(made)
    made = Pole.objects.select_related("organisation").get(pk=made.pk)
    members = list(made.members.select_related("organisation"))

    assert made.composition_status == CompositionStatus.MEETS_DECREE_2015
    with django_assert_num_queries(0):
        assert composition.check(made, members=members, has_territory=True).status == (
            CompositionStatus.MEETS_DECREE_2015
        )


def test_missing_parts_are_translated_into_french():
    with translation.override("fr"):
        result = composition.check(pole(*COMPLETE, territory=False))
        assert str(result.missing[0]) != (
            "A territory: no commune, intercommunality, department or region."
        )


@pytest.mark.parametrize("siren", ["732829320", "732 829 320", "552100554"])
def test_valid_siren_numbers_pass(siren):
    validate_siren(siren)


@pytest.mark.parametrize(
    ("siren", "code"),
    [
        ("732829321", "siren_checksum"),
        ("12345678", "siren_length"),
        ("1234567890", "siren_length"),
        ("73282932A", "siren_length"),
        ("७३२८२९३२०", "siren_length"),
    ],
)
def test_invalid_siren_numbers_are_refused_with_a_reason(siren, code):
    with pytest.raises(ValidationError) as refused:
        validate_siren(siren)

    assert refused.value.code == code


def test_search_text_folds_accents_case_and_spaces():
    assert fold("  Pôle ÉCOTONE   de l'Œuvre ") == "pole ecotone de l'oeuvre"
