"""The one permission rule, for every role against every kind of object."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts import permissions
from accounts.enums import Role
from accounts.models import ApiToken, Membership, User
from accounts.permissions import can, editions_for, organisations_for, require
from common.permissions import Action
from events.models import Edition
from network.models import Organisation
from tests.factories import (
    EditionFactory,
    MembershipFactory,
    OrganisationFactory,
    SessionFactory,
    SpeakerFactory,
    UserFactory,
    VenueFactory,
)

ALL = frozenset(Action)
EDT = frozenset({Action.EDIT_CONTENT, Action.VIEW_FIGURES})
CHK = frozenset({Action.CHECK_IN})
FIG = frozenset({Action.VIEW_FIGURES})
NO = frozenset()

#: ``org`` organises ``edition`` and ``edition_two`` and owns ``venue``; ``other_org``
#: organises ``other_edition`` and owns ``other_venue``. Sessions and speakers belong to
#: ``edition`` (``session``, ``speaker``), ``edition_two`` (``session_two``) or
#: ``other_edition`` (``other_session``, ``other_speaker``).
OBJECTS = (
    "edition",
    "edition_two",
    "other_edition",
    "session",
    "session_two",
    "other_session",
    "speaker",
    "other_speaker",
    "venue",
    "other_venue",
    "org",
    "other_org",
)

# fmt: off
EXPECTED = {
    # Columns follow OBJECTS: for each kind, ``org``'s objects, then ``other_org``'s.
    #                   editions         sessions         speakers    venues      orgs
    "superuser":       (ALL, ALL, ALL,   ALL, ALL, ALL,   ALL, ALL,   ALL, ALL,   ALL, ALL),
    "organiser":       (ALL, ALL, NO,    ALL, ALL, NO,    ALL, NO,    ALL, NO,    ALL, NO),
    "editor":          (EDT, EDT, NO,    EDT, EDT, NO,    EDT, NO,    EDT, NO,    EDT, NO),
    # narrowed to ``edition``: nothing on the other one, nor on organisation-level objects
    "agent":           (CHK, NO,  NO,    CHK, NO,  NO,    CHK, NO,    NO,  NO,    NO,  NO),
    "viewer":          (FIG, FIG, NO,    FIG, FIG, NO,    FIG, NO,    FIG, NO,    FIG, NO),
    "outsider":        (NO,  NO,  NO,    NO,  NO,  NO,    NO,  NO,    NO,  NO,    NO,  NO),
    "other_organiser": (NO,  NO,  ALL,   NO,  NO,  ALL,   NO,  ALL,   NO,  ALL,   NO,  ALL),
    # an organiser of ``org`` whose account was deactivated
    "inactive":        (NO,  NO,  NO,    NO,  NO,  NO,    NO,  NO,    NO,  NO,    NO,  NO),
    "anonymous":       (NO,  NO,  NO,    NO,  NO,  NO,    NO,  NO,    NO,  NO,    NO,  NO),
}
# fmt: on

USERS = tuple(EXPECTED)


@pytest.fixture
def world(cast):
    inactive = UserFactory(username="ancienne-organisatrice", is_active=False)
    MembershipFactory(user=inactive, organisation=cast.org, role=Role.ORGANISER)
    return SimpleNamespace(
        **vars(cast),
        inactive=inactive,
        anonymous=AnonymousUser(),
        session=SessionFactory(edition=cast.edition),
        session_two=SessionFactory(edition=cast.edition_two),
        other_session=SessionFactory(edition=cast.other_edition),
        speaker=SpeakerFactory(edition=cast.edition),
        other_speaker=SpeakerFactory(edition=cast.other_edition),
        venue=VenueFactory(owner=cast.org),
        other_venue=VenueFactory(owner=cast.other_org),
    )


@pytest.mark.parametrize(
    ("who", "what", "allowed"),
    [
        (who, what, allowed)
        for who, row in EXPECTED.items()
        for what, allowed in zip(OBJECTS, row, strict=True)
    ],
)
def test_can_follows_the_expected_table(world, who, what, allowed):
    user, obj = getattr(world, who), getattr(world, what)
    assert {action for action in Action if can(user, action, obj)} == allowed


def test_can_refuses_nobody_at_all(world):
    assert can(None, Action.VIEW_FIGURES, world.edition) is False


def test_can_accepts_actions_as_plain_strings(world):
    assert can(world.editor, "edit_content", world.edition) is True
    assert can(world.editor, "manage", world.edition) is False


def test_can_rejects_unknown_actions(world):
    with pytest.raises(ValueError, match="publish"):
        can(world.organiser, "publish", world.edition)


def test_can_rejects_objects_without_a_scope(world):
    with pytest.raises(TypeError, match="User"):
        can(world.organiser, Action.VIEW_FIGURES, world.viewer)


def test_require_raises_permission_denied_when_refused(world):
    require(world.organiser, Action.MANAGE, world.edition)
    with pytest.raises(PermissionDenied):
        require(world.editor, Action.MANAGE, world.edition)


def test_role_narrowed_to_an_edition_of_another_organisation_gives_nothing(world):
    # Membership.clean refuses this; a row that got in anyway must not open anything.
    user = UserFactory(username="mal-rattachee")
    MembershipFactory(
        user=user, organisation=world.org, role=Role.ORGANISER, edition=world.other_edition
    )
    assert {action for action in Action if can(user, action, world.other_edition)} == NO
    assert {action for action in Action if can(user, action, world.edition)} == NO


def test_partners_get_no_role_on_the_edition(world):
    world.edition.partners.add(world.other_org)
    assert can(world.other_organiser, Action.VIEW_FIGURES, world.edition) is False


def test_co_organised_edition_is_open_to_both_organisations(world):
    shared = EditionFactory(title="Journée commune", organisers=[world.org, world.other_org])
    assert can(world.organiser, Action.MANAGE, shared) is True
    assert can(world.other_organiser, Action.MANAGE, shared) is True


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("action", list(Action))
def test_editions_for_agrees_with_can(world, who, action):
    user = getattr(world, who)
    expected = {edition for edition in Edition.objects.all() if can(user, action, edition)}
    assert set(editions_for(user, action)) == expected


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("action", list(Action))
def test_organisations_for_agrees_with_can(world, who, action):
    user = getattr(world, who)
    expected = {org for org in Organisation.objects.all() if can(user, action, org)}
    assert set(organisations_for(user, action)) == expected


def test_editions_for_lists_the_organisations_editions(world):
    assert set(editions_for(world.editor, Action.EDIT_CONTENT)) == {
        world.edition,
        world.edition_two,
    }
    assert set(editions_for(world.agent, Action.CHECK_IN)) == {world.edition}
    assert set(editions_for(world.agent, Action.EDIT_CONTENT)) == set()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("superuser", True),
        ("organiser", False),
        ("editor", False),
        ("other_organiser", False),
        ("agent", False),
        ("viewer", False),
        ("outsider", False),
        ("inactive", False),
        ("anonymous", False),
    ],
)
def test_only_superusers_open_the_admin(world, who, expected):
    assert permissions.can_open_admin(getattr(world, who)) is expected


def test_roles_are_read_once_per_user_object(world, django_assert_num_queries):
    user = User.objects.get(pk=world.organiser.pk)
    objects = [getattr(world, name) for name in OBJECTS]
    with django_assert_num_queries(1):
        can(user, Action.MANAGE, world.edition)
    with django_assert_num_queries(0):
        for obj in objects:
            for action in Action:
                can(user, action, obj)
        permissions.on_any_edition(user, Action.CHECK_IN)
        permissions.on_any_organisation(user, Action.MANAGE)
        permissions.can_open_admin(user)


def test_superuser_checks_need_no_query(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        for name in OBJECTS:
            can(world.superuser, Action.MANAGE, getattr(world, name))


def test_forget_makes_a_new_role_count(world):
    user = User.objects.get(pk=world.outsider.pk)
    assert can(user, Action.VIEW_FIGURES, world.edition) is False
    Membership.objects.create(user=user, organisation=world.org, role=Role.VIEWER)
    assert can(user, Action.VIEW_FIGURES, world.edition) is False
    permissions.forget(user)
    assert can(user, Action.VIEW_FIGURES, world.edition) is True


def test_new_edition_of_the_organisation_counts_once_roles_are_read_again(world):
    user = User.objects.get(pk=world.editor.pk)
    can(user, Action.EDIT_CONTENT, world.edition)
    edition = EditionFactory(title="Journée suivante", organisers=[world.org])
    permissions.forget(user)
    assert can(user, Action.EDIT_CONTENT, edition) is True


def test_organisation_without_edition_still_gives_roles_on_itself(db):
    organisation = OrganisationFactory(name="Pôle sans journée")
    user = UserFactory(username="redactrice-du-pole")
    MembershipFactory(user=user, organisation=organisation, role=Role.EDITOR)
    assert can(user, Action.EDIT_CONTENT, organisation) is True
    assert set(editions_for(user, Action.EDIT_CONTENT)) == set()


# What a token narrows: the lists and the "any" questions agree with can() -----------------


def narrowed(user, *, scopes, edition=None):
    """``user`` as an API request with a token of ``scopes``, on ``edition`` if given."""
    token, _raw = ApiToken.issue(user, scopes=scopes, edition=edition)
    fresh = User.objects.get(pk=user.pk)
    permissions.limit_to_token(fresh, token)
    return fresh


LISTS = (
    permissions.editions_for,
    permissions.organisations_for,
    permissions.on_any_edition,
    permissions.on_any_organisation,
)


def answers(user, action):
    return [
        set(answer) if not isinstance(answer, bool) else answer
        for answer in (question(user, action) for question in LISTS)
    ]


@pytest.mark.parametrize("who", ["organiser", "superuser"])
def test_a_token_on_one_edition_gives_that_edition_only_and_no_organisation(world, who):
    user = narrowed(getattr(world, who), scopes=[Action.CHECK_IN], edition=world.edition)

    assert answers(user, Action.CHECK_IN) == [{world.edition}, set(), True, False]
    # Not among the token's scopes: nothing, whatever the role allows.
    assert answers(user, Action.MANAGE) == [set(), set(), False, False]


def test_a_token_on_one_edition_gives_nothing_where_the_role_gives_nothing(world):
    user = narrowed(world.agent, scopes=[Action.VIEW_FIGURES], edition=world.edition)

    assert answers(user, Action.VIEW_FIGURES) == [set(), set(), False, False]


def test_a_token_for_every_edition_keeps_the_roles_within_its_scopes(world):
    user = narrowed(world.organiser, scopes=[Action.VIEW_FIGURES])

    assert answers(user, Action.VIEW_FIGURES) == [
        {world.edition, world.edition_two},
        {world.org},
        True,
        True,
    ]
    assert answers(user, Action.MANAGE) == [set(), set(), False, False]


@pytest.mark.parametrize("who", ["inactive", "anonymous"])
def test_an_inactive_or_anonymous_user_is_given_no_list(world, who):
    assert answers(getattr(world, who), Action.VIEW_FIGURES) == [set(), set(), False, False]


def test_an_object_without_a_scope_is_refused_to_a_token_too(world):
    user = narrowed(world.organiser, scopes=[Action.MANAGE])

    with pytest.raises(TypeError):
        can(user, Action.MANAGE, object())
