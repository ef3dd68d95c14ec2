"""Group registrations and invitations in the seat allocation (registrations.capacity)."""

import datetime as dt

import pytest
from django.utils import timezone

from registrations.capacity import (
    RegistrationRefused,
    cancel,
    fill_freed_seats,
    register,
    register_group,
    revoke_invitation,
)
from registrations.enums import InvitationKind, RegistrationStatus, Source
from registrations.models import Invitation, Registration
from tests.factories import CategoryFactory, EditionFactory, OrganisationFactory

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED

NOW = timezone.now().replace(microsecond=0)
OPENS = NOW - dt.timedelta(days=1)
CLOSES = NOW + dt.timedelta(days=10)


@pytest.fixture
def edition(db):
    return EditionFactory(capacity=4, registration_opens_at=OPENS, registration_closes_at=CLOSES)


@pytest.fixture
def public(edition):
    return CategoryFactory(edition=edition, name="Participant")


@pytest.fixture
def guests(edition):
    return CategoryFactory(edition=edition, name="Invité", is_public=False)


def person(n, category=None, **fields):
    return {
        "category": category,
        "first_name": f"Personne{n}",
        "last_name": "Exemple",
        "email": fields.pop("email", f"personne{n}@example.org"),
        **fields,
    }


def invite(edition, category, **fields):
    return Invitation.objects.create(edition=edition, category=category, **fields)


# Groups ---------------------------------------------------------------------------------


def test_group_takes_seats_in_order_and_waits_beyond_them(edition, public):
    people = [person(n, public) for n in range(6)]

    registrations = register_group(edition, people, now=NOW)

    assert [r.status for r in registrations] == [CONFIRMED] * 4 + [WAITLISTED] * 2
    assert [r.first_name for r in registrations] == [f"Personne{n}" for n in range(6)]


def test_group_counts_a_pole_cap_across_its_own_members(edition):
    pole = OrganisationFactory()
    reps = CategoryFactory(edition=edition, name="Représentant", organisation_cap=2)
    people = [person(n, reps, organisation=pole) for n in range(3)]

    statuses = [r.status for r in register_group(edition, people, now=NOW)]

    assert statuses == [CONFIRMED, CONFIRMED, WAITLISTED]


def test_group_is_all_or_nothing_and_names_the_refused_person(edition, public):
    register(edition, **person(9, public), now=NOW)
    people = [person(1, public), person(9, public, email="PERSONNE9@example.org")]

    with pytest.raises(RegistrationRefused) as refused:
        register_group(edition, people, now=NOW)

    assert (refused.value.code, refused.value.index) == ("already_registered", 1)
    assert Registration.objects.filter(edition=edition).count() == 1


def test_colleagues_without_an_address_do_not_collide(edition, public):
    people = [person(1, public), person(2, public, email=""), person(3, public, email="")]

    registrations = register_group(edition, people, now=NOW)

    assert [r.email for r in registrations] == ["personne1@example.org", "", ""]


def test_register_keeps_the_attendee_details(edition, public):
    registration = register(
        edition,
        **person(1, public),
        now=NOW,
        badge_name="Cam",
        diet="vegan",
        birth_date=dt.date(1980, 5, 17),
        consent_public_list=True,
    )

    registration.refresh_from_db()
    assert (registration.badge_name, registration.diet, registration.birth_date) == (
        "Cam",
        "vegan",
        dt.date(1980, 5, 17),
    )
    assert (registration.consent_public_list, registration.consent_photos) == (True, False)
    assert registration.source == Source.FORM


def test_register_refuses_an_unknown_detail(edition, public):
    with pytest.raises(TypeError):
        register(edition, **person(1, public), now=NOW, password="x")
    assert Registration.objects.count() == 0


# Invitations ----------------------------------------------------------------------------


def test_personal_invitation_opens_its_invitation_only_category_once(edition, guests):
    invitation = invite(edition, guests, email="invitee@example.org")

    registration = register(edition, **person(1), invitation_code=invitation.code, now=NOW)

    assert (registration.category, registration.invitation) == (guests, invitation)
    assert registration.source == Source.INVITATION
    with pytest.raises(RegistrationRefused) as refused:
        register(edition, **person(2), invitation_code=invitation.code, now=NOW)
    assert refused.value.code == "invitation_used"


def test_invitation_only_category_is_refused_without_a_code(edition, guests):
    with pytest.raises(RegistrationRefused) as refused:
        register(edition, **person(1, guests), now=NOW)
    assert refused.value.code == "category_not_public"


@pytest.mark.parametrize("code", ["NOPE", "", " "])
def test_unknown_code_is_refused(edition, guests, code):
    invite(edition, guests, email="invitee@example.org")
    if not code.strip():
        # An empty code means "no code": the invitation-only category stays closed.
        with pytest.raises(RegistrationRefused) as refused:
            register(edition, **person(1, guests), invitation_code=code, now=NOW)
        assert refused.value.code == "category_not_public"
        return
    with pytest.raises(RegistrationRefused) as refused:
        register(edition, **person(1), invitation_code=code, now=NOW)
    assert refused.value.code == "invalid_invitation_code"


def test_revoked_invitation_and_another_editions_code_are_refused(edition, guests):
    revoked = invite(edition, guests, email="a@example.org", revoked_at=NOW)
    other = EditionFactory(registration_opens_at=OPENS, registration_closes_at=CLOSES)
    elsewhere = invite(other, CategoryFactory(edition=other, is_public=False), email="b@x.org")

    for code in (revoked.code, elsewhere.code):
        with pytest.raises(RegistrationRefused) as refused:
            register(edition, **person(1), invitation_code=code, now=NOW)
        assert refused.value.code == "invalid_invitation_code"


def test_code_for_another_category_is_refused(edition, public, guests):
    invitation = invite(edition, guests, email="invitee@example.org")

    with pytest.raises(RegistrationRefused) as refused:
        register(edition, **person(1, public), invitation_code=invitation.code, now=NOW)

    assert refused.value.code == "invalid_invitation_code"


def test_group_code_is_typed_in_any_case_up_to_its_uses(edition, guests):
    code = invite(edition, guests, kind=InvitationKind.GROUP, max_uses=2, code="PRESSE2026")

    register_group(edition, [person(1), person(2)], invitation_code=" presse2026 ", now=NOW)

    with pytest.raises(RegistrationRefused) as refused:
        register(edition, **person(3), invitation_code=code.code, now=NOW)
    assert refused.value.code == "invitation_used"


def test_group_code_use_comes_back_when_a_guest_cancels(edition, guests):
    code = invite(edition, guests, kind=InvitationKind.GROUP, max_uses=1, code="ABCDEFGH23")
    first = register(edition, **person(1), invitation_code=code.code, now=NOW)

    cancel(first, now=NOW)

    assert register(edition, **person(2), invitation_code=code.code, now=NOW).status == CONFIRMED


def test_invitation_lets_a_guest_register_before_opening_but_not_after_closing(edition, guests):
    invitation = invite(edition, guests, email="invitee@example.org")

    early = register(edition, **person(1), invitation_code=invitation.code, now=OPENS)
    assert early.status == CONFIRMED

    late = invite(edition, guests, email="late@example.org")
    with pytest.raises(RegistrationRefused) as refused:
        register(edition, **person(2), invitation_code=late.code, now=CLOSES)
    assert refused.value.code == "registration_closed"


# Seats held by invitations ------------------------------------------------------------


def test_held_seat_counts_until_the_guest_uses_it(edition, public, guests):
    held = invite(edition, guests, email="vip@example.org", holds_seat_until=CLOSES)
    statuses = [register(edition, **person(n, public), now=NOW).status for n in range(4)]

    assert statuses == [CONFIRMED] * 3 + [WAITLISTED]
    guest = register(edition, **person(9), invitation_code=held.code, now=NOW)
    assert guest.status == CONFIRMED
    assert Registration.objects.filter(edition=edition).confirmed().count() == 4


def test_expired_hold_frees_its_seat_for_the_waiting_list(edition, public, guests):
    until = NOW + dt.timedelta(hours=1)
    invite(edition, guests, email="vip@example.org", holds_seat_until=until)
    waiting = [register(edition, **person(n, public), now=NOW) for n in range(4)][-1]
    assert waiting.status == WAITLISTED

    assert fill_freed_seats(edition, now=NOW) == []
    promoted = fill_freed_seats(edition, now=until)

    assert [r.pk for r in promoted] == [waiting.pk]


def test_revoking_an_invitation_gives_its_held_seat_to_the_waiting_list(edition, public, guests):
    held = invite(edition, guests, email="vip@example.org", holds_seat_until=CLOSES)
    waiting = [register(edition, **person(n, public), now=NOW) for n in range(4)][-1]

    promoted = revoke_invitation(held, now=NOW)

    assert [r.pk for r in promoted] == [waiting.pk]
    assert revoke_invitation(held, now=NOW) == []
    with pytest.raises(RegistrationRefused) as refused:
        register(edition, **person(9), invitation_code=held.code, now=NOW)
    assert refused.value.code == "invalid_invitation_code"


def test_used_invitation_holds_nothing_more(edition, public, guests):
    held = invite(edition, guests, email="vip@example.org", holds_seat_until=CLOSES)
    register(edition, **person(9), invitation_code=held.code, now=NOW)

    statuses = [register(edition, **person(n, public), now=NOW).status for n in range(4)]

    assert statuses == [CONFIRMED] * 3 + [WAITLISTED]
