import datetime as dt
import itertools

import pytest
from django.db import IntegrityError
from django.utils import timezone, translation

from registrations.capacity import (
    RegistrationRefused,
    cancel,
    fill_freed_seats,
    promote,
    register,
)
from registrations.enums import RegistrationStatus
from registrations.models import Registration
from tests.factories import CategoryFactory, EditionFactory, OrganisationFactory

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED

NOW = timezone.now().replace(microsecond=0)
OPENS = NOW - dt.timedelta(days=1)
CLOSES = NOW + dt.timedelta(days=10)
_emails = itertools.count()


@pytest.fixture
def edition(db):
    return EditionFactory(capacity=3, registration_opens_at=OPENS, registration_closes_at=CLOSES)


@pytest.fixture
def category(edition):
    return CategoryFactory(edition=edition, name="Participant")


def sign_up(edition, category, email=None, *, now=NOW, **kwargs):
    return register(
        edition,
        category=category,
        first_name="Camille",
        last_name="Exemple",
        email=email or f"personne{next(_emails)}@example.org",
        now=now,
        **kwargs,
    )


def refusal(edition, category, **kwargs):
    with pytest.raises(RegistrationRefused) as caught:
        sign_up(edition, category, **kwargs)
    return caught.value.code


def statuses(edition):
    return list(
        Registration.objects.filter(edition=edition).order_by("pk").values_list("status", flat=True)
    )


# Window and category -------------------------------------------------------------------


def test_register_confirms_while_every_limit_has_room(edition, category):
    registration = sign_up(edition, category, "camille@example.org", language="en")

    registration.refresh_from_db()
    assert registration.status == CONFIRMED
    assert registration.confirmed_at == NOW
    assert registration.created_at == NOW
    assert registration.email == "camille@example.org"
    assert registration.language == "en"


def test_register_refuses_before_opening(edition, category):
    assert refusal(edition, category, now=OPENS - dt.timedelta(seconds=1)) == (
        "registration_not_open"
    )
    assert sign_up(edition, category, now=OPENS).status == CONFIRMED


def test_register_refuses_at_and_after_the_closing_time(edition, category):
    assert refusal(edition, category, now=CLOSES) == "registration_closed"
    assert sign_up(edition, category, now=CLOSES - dt.timedelta(seconds=1)).status == CONFIRMED


def test_register_closes_at_the_security_lists_final_deadline_when_earlier(edition, category):
    edition.security_list_final_deadline = CLOSES - dt.timedelta(days=2)
    edition.save()

    assert refusal(edition, category, now=CLOSES - dt.timedelta(days=2)) == "registration_closed"


def test_register_refuses_when_the_edition_has_no_registration(db):
    edition = EditionFactory(registration_opens_at=None, registration_closes_at=None)
    category = CategoryFactory(edition=edition)

    assert refusal(edition, category) == "registration_not_open"


def test_register_refuses_an_invitation_only_category(edition):
    guests = CategoryFactory(edition=edition, name="Invité", is_public=False)

    assert refusal(edition, guests) == "category_not_public"
    assert Registration.objects.count() == 0


def test_organiser_may_register_in_an_invitation_only_category_before_opening(edition):
    guests = CategoryFactory(edition=edition, name="Invité", is_public=False)

    registration = sign_up(edition, guests, now=OPENS - dt.timedelta(days=3), by_organiser=True)

    assert registration.status == CONFIRMED


def test_register_rejects_a_category_of_another_edition(edition):
    other = CategoryFactory()

    with pytest.raises(ValueError, match="does not belong"):
        sign_up(edition, other)


# One active registration per email -----------------------------------------------------


def test_register_refuses_the_same_email_whatever_its_case(edition, category):
    sign_up(edition, category, "Camille.Exemple@Example.org")

    assert refusal(edition, category, email="camille.exemple@example.ORG") == "already_registered"
    assert Registration.objects.count() == 1


def test_register_refuses_an_email_already_on_the_waiting_list(edition, category):
    edition.capacity = 0
    edition.save()
    sign_up(edition, category, "camille@example.org")

    assert refusal(edition, category, email="CAMILLE@example.org") == "already_registered"


def test_register_accepts_an_email_again_after_its_cancellation(edition, category):
    first = sign_up(edition, category, "camille@example.org")
    cancel(first, now=NOW)

    assert sign_up(edition, category, "Camille@example.org").status == CONFIRMED


def test_register_accepts_the_same_email_at_another_edition(edition, category):
    sign_up(edition, category, "camille@example.org")
    other = EditionFactory(registration_opens_at=OPENS, registration_closes_at=CLOSES)

    assert sign_up(other, CategoryFactory(edition=other), "camille@example.org").status == (
        CONFIRMED
    )


def test_database_refuses_two_active_registrations_for_one_email(edition, category):
    registration = sign_up(edition, category, "camille@example.org")
    registration.pk = None
    registration.email = "CAMILLE@EXAMPLE.ORG"
    registration.status = WAITLISTED

    with pytest.raises(IntegrityError):
        registration.save()


# Limits: waiting list or refusal -------------------------------------------------------


def test_register_waitlists_when_the_edition_is_full(edition, category):
    for _ in range(3):
        sign_up(edition, category)

    registration = sign_up(edition, category)

    assert registration.status == WAITLISTED
    assert registration.confirmed_at is None
    assert statuses(edition) == [CONFIRMED, CONFIRMED, CONFIRMED, WAITLISTED]


def test_register_waitlists_when_the_category_quota_is_reached(edition, category):
    press = CategoryFactory(edition=edition, name="Presse", quota=1)
    sign_up(edition, press)

    assert sign_up(edition, press).status == WAITLISTED
    assert sign_up(edition, category).status == CONFIRMED


def test_register_waitlists_when_the_organisation_cap_is_reached(edition):
    poles = CategoryFactory(edition=edition, name="Représentant de pôle", organisation_cap=1)
    pole, other_pole = OrganisationFactory(), OrganisationFactory()
    sign_up(edition, poles, organisation=pole)

    assert sign_up(edition, poles, organisation=pole).status == WAITLISTED
    assert sign_up(edition, poles, organisation=other_pole).status == CONFIRMED


def test_organisation_cap_counts_within_its_category_only(edition, category):
    poles = CategoryFactory(edition=edition, name="Représentant de pôle", organisation_cap=1)
    pole = OrganisationFactory()
    sign_up(edition, category, organisation=pole)

    assert sign_up(edition, poles, organisation=pole).status == CONFIRMED


def test_organisation_cap_does_not_apply_to_a_typed_organisation(edition):
    poles = CategoryFactory(edition=edition, name="Représentant de pôle", organisation_cap=1)

    first = sign_up(edition, poles, organisation_name="Pôle hors annuaire")
    second = sign_up(edition, poles, organisation_name="Pôle hors annuaire")

    assert [first.status, second.status] == [CONFIRMED, CONFIRMED]


@pytest.mark.parametrize(
    ("quota", "cap", "capacity", "code"),
    [
        (None, None, 1, "edition_full"),
        (1, None, 5, "category_full"),
        (None, 1, 5, "organisation_cap_reached"),
        (1, 1, 1, "edition_full"),
        (1, 1, 5, "category_full"),
    ],
)
def test_register_refuses_with_the_first_limit_reached_without_waiting_list(
    edition, quota, cap, capacity, code
):
    edition.has_waiting_list = False
    edition.capacity = capacity
    edition.save()
    limited = CategoryFactory(edition=edition, quota=quota, organisation_cap=cap)
    pole = OrganisationFactory()
    sign_up(edition, limited, organisation=pole)

    assert refusal(edition, limited, organisation=pole) == code
    assert Registration.objects.count() == 1


def test_refusal_carries_a_translated_message(edition, category):
    with translation.override("en"):
        assert str(RegistrationRefused("edition_full")) == "There are no seats left for this day."
        assert RegistrationRefused("category_full").message == (
            "There are no seats left in this category."
        )


def test_edition_without_capacity_has_no_edition_limit(edition, category):
    edition.capacity = None
    edition.save()

    assert [sign_up(edition, category).status for _ in range(5)] == [CONFIRMED] * 5


# Organisers after closing --------------------------------------------------------------


def test_organiser_adds_a_person_after_closing_when_a_seat_is_free(edition, category):
    registration = sign_up(edition, category, now=CLOSES + dt.timedelta(days=1), by_organiser=True)

    assert registration.status == CONFIRMED


def test_organiser_cannot_add_beyond_capacity_after_closing(edition, category):
    for _ in range(3):
        sign_up(edition, category)

    code = refusal(edition, category, now=CLOSES, by_organiser=True)

    assert code == "edition_full"
    assert Registration.objects.count() == 3


def test_organiser_adding_during_registration_uses_the_waiting_list(edition, category):
    for _ in range(3):
        sign_up(edition, category)

    assert sign_up(edition, category, by_organiser=True).status == WAITLISTED


# Cancellation and the waiting list -----------------------------------------------------


def test_cancel_gives_the_seat_to_the_first_waiting_person(edition, category):
    seated = [sign_up(edition, category) for _ in range(3)]
    first, second = sign_up(edition, category), sign_up(edition, category)

    promoted = cancel(seated[1], now=NOW + dt.timedelta(hours=1))

    assert promoted == [first]
    assert promoted[0].status == CONFIRMED
    seated[1].refresh_from_db()
    assert seated[1].status == CANCELLED
    assert seated[1].cancelled_at == NOW + dt.timedelta(hours=1)
    first.refresh_from_db()
    assert first.confirmed_at == NOW + dt.timedelta(hours=1)
    assert statuses(edition) == [CONFIRMED, CANCELLED, CONFIRMED, CONFIRMED, WAITLISTED]
    assert list(Registration.objects.waiting()) == [second]


def test_freed_seat_skips_a_waiting_person_whose_pole_is_capped(edition):
    poles = CategoryFactory(edition=edition, name="Représentant de pôle", organisation_cap=1)
    capped, other = OrganisationFactory(), OrganisationFactory()
    capped_seat = sign_up(edition, poles, organisation=capped)
    leaving = sign_up(edition, poles, organisation=other)
    sign_up(edition, poles, organisation=OrganisationFactory())
    capped_waiting = sign_up(edition, poles, organisation=capped)
    other_waiting = sign_up(edition, poles, organisation=other)

    promoted = cancel(leaving, now=NOW)

    assert promoted == [other_waiting]
    capped_waiting.refresh_from_db()
    assert capped_waiting.status == WAITLISTED
    # The capped pole's own seat, once freed, goes to its waiting representative.
    assert cancel(capped_seat, now=NOW) == [capped_waiting]


def test_freed_category_seat_goes_to_the_first_waiting_person_of_that_category(edition):
    edition.capacity = 10
    edition.save()
    press = CategoryFactory(edition=edition, name="Presse", quota=1)
    speakers = CategoryFactory(edition=edition, name="Intervenant", quota=1)
    journalist = sign_up(edition, press)
    sign_up(edition, speakers)
    speaker_waiting = sign_up(edition, speakers)
    press_waiting = sign_up(edition, press)

    assert cancel(journalist, now=NOW) == [press_waiting]
    speaker_waiting.refresh_from_db()
    assert speaker_waiting.status == WAITLISTED


def test_freed_seat_goes_to_the_first_waiting_person_of_any_category_it_fits(edition, category):
    press = CategoryFactory(edition=edition, name="Presse", quota=1)
    journalist = sign_up(edition, press)
    sign_up(edition, category)
    sign_up(edition, category)
    participant_waiting = sign_up(edition, category)
    sign_up(edition, press)

    # An edition seat is freed as well as the press seat: the earlier participant fits it.
    assert cancel(journalist, now=NOW) == [participant_waiting]


def test_cancelling_a_waiting_person_promotes_nobody(edition, category):
    for _ in range(3):
        sign_up(edition, category)
    waiting = sign_up(edition, category)
    after = sign_up(edition, category)

    assert cancel(waiting, now=NOW) == []
    after.refresh_from_db()
    assert after.status == WAITLISTED


def test_cancelling_twice_changes_nothing(edition, category):
    registration = sign_up(edition, category)
    cancel(registration, now=NOW)

    assert cancel(registration, now=NOW + dt.timedelta(hours=1)) == []
    registration.refresh_from_db()
    assert registration.cancelled_at == NOW


def test_no_automatic_promotion_at_or_after_the_deadline(edition, category):
    seated = [sign_up(edition, category) for _ in range(3)]
    waiting = sign_up(edition, category)

    assert cancel(seated[0], now=CLOSES) == []
    assert fill_freed_seats(edition, now=CLOSES + dt.timedelta(days=1)) == []
    waiting.refresh_from_db()
    assert waiting.status == WAITLISTED


def test_fill_after_raising_the_capacity_promotes_in_order(edition, category):
    for _ in range(3):
        sign_up(edition, category)
    waiting = [sign_up(edition, category) for _ in range(3)]
    edition.capacity = 5
    edition.save()

    assert fill_freed_seats(edition, now=NOW) == waiting[:2]
    assert statuses(edition) == [CONFIRMED] * 5 + [WAITLISTED]


def test_fill_after_raising_a_quota(edition, category):
    press = CategoryFactory(edition=edition, name="Presse", quota=1)
    sign_up(edition, press)
    waiting = sign_up(edition, press)
    assert fill_freed_seats(edition, now=NOW) == []

    press.quota = 2
    press.save()

    assert fill_freed_seats(edition, now=NOW) == [waiting]


def test_fill_after_raising_a_cap(edition):
    poles = CategoryFactory(edition=edition, name="Représentant de pôle", organisation_cap=1)
    pole = OrganisationFactory()
    sign_up(edition, poles, organisation=pole)
    waiting = [sign_up(edition, poles, organisation=pole) for _ in range(2)]
    poles.organisation_cap = 2
    poles.save()

    assert fill_freed_seats(edition, now=NOW) == [waiting[0]]
    waiting[1].refresh_from_db()
    assert waiting[1].status == WAITLISTED


def test_fill_reads_the_waiting_list_in_a_few_queries(edition, category, django_assert_num_queries):
    edition.capacity = 0
    edition.save()
    for _ in range(3):
        sign_up(edition, category)
    edition.capacity = 3
    edition.save()

    # Savepoint, lock, counts, seats held by invitations, categories, waiting list, update,
    # an outbox record and its delivery task per promoted person (3), their workshop wishes,
    # release.
    with django_assert_num_queries(15):
        assert len(fill_freed_seats(edition, now=NOW)) == 3


def test_register_decides_in_a_few_queries(edition, category, django_assert_num_queries):
    # Savepoint, lock, category, duplicate email, counts, seats held by invitations, insert,
    # the email's outbox record and its delivery task, release.
    with django_assert_num_queries(10):
        sign_up(edition, category)


# Organisers promote explicitly ---------------------------------------------------------


def test_organiser_promotes_a_waiting_person_after_closing_within_capacity(edition, category):
    seated = [sign_up(edition, category) for _ in range(3)]
    first, second = sign_up(edition, category), sign_up(edition, category)
    cancel(seated[0], now=CLOSES)

    promoted = promote(second, now=CLOSES + dt.timedelta(hours=2))

    assert promoted.status == CONFIRMED
    assert promoted.confirmed_at == CLOSES + dt.timedelta(hours=2)
    first.refresh_from_db()
    assert first.status == WAITLISTED


@pytest.mark.parametrize("limit", ["edition_full", "category_full", "organisation_cap_reached"])
def test_organiser_cannot_promote_beyond_a_limit(edition, limit):
    limited = CategoryFactory(
        edition=edition,
        quota=1 if limit == "category_full" else None,
        organisation_cap=1 if limit == "organisation_cap_reached" else None,
    )
    pole = OrganisationFactory()
    for _ in range(1 if limit != "edition_full" else 3):
        sign_up(edition, limited, organisation=pole)
    waiting = sign_up(edition, limited, organisation=pole)

    with pytest.raises(RegistrationRefused) as caught:
        promote(waiting, now=CLOSES)

    assert caught.value.code == limit
    waiting.refresh_from_db()
    assert waiting.status == WAITLISTED


def test_organiser_cannot_promote_a_cancelled_registration(edition, category):
    registration = sign_up(edition, category)
    cancel(registration, now=NOW)

    with pytest.raises(RegistrationRefused) as caught:
        promote(registration, now=NOW)

    assert caught.value.code == "not_waitlisted"


def test_promoting_a_confirmed_registration_is_refused_and_changes_nothing(edition, category):
    registration = sign_up(edition, category)

    with pytest.raises(RegistrationRefused) as caught:
        promote(registration, now=NOW + dt.timedelta(hours=1))

    assert caught.value.code == "not_waitlisted"
    registration.refresh_from_db()
    assert registration.confirmed_at == NOW


# Query helpers -------------------------------------------------------------------------


def test_waiting_list_is_in_order_of_registration(edition, category):
    edition.capacity = 0
    edition.save()
    later = sign_up(edition, category, now=NOW + dt.timedelta(minutes=1))
    earlier = sign_up(edition, category, now=NOW)
    same_time = sign_up(edition, category, now=NOW)

    assert list(Registration.objects.waiting()) == [earlier, same_time, later]
    assert list(Registration.objects.confirmed()) == []
