"""Registrations organisers can fix, and waiting with a reason (issue 16).

A registration's details edited by an organiser (names after their deadline only with a
reason, kept in the audit log), its category changed through the limits (a refusal names
the limit and its numbers), the people of its booking, the list's selections (cancel,
resend, write to them); the reason each waiting person waits, recorded when they join the
list and said to them (page and email) and to the organisers (list, page, dashboard)."""

import datetime as dt
import itertools

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.enums import AuditAction
from accounts.models import AuditEntry
from outbox.models import Message
from registrations import attendees, capacity, figures, limits, links
from registrations.enums import RegistrationStatus, WaitingReason
from registrations.models import Booking, Registration
from tests.auth import log_in
from tests.factories import CategoryFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED
_numbers = itertools.count()


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted as their English msgids, whatever the French catalogue says.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def edition(cast):
    edition = cast.edition
    edition.registration_opens_at = NOW - dt.timedelta(days=1)
    edition.registration_closes_at = NOW + dt.timedelta(days=10)
    edition.capacity = 300
    edition.save()
    return edition


@pytest.fixture
def participant(edition):
    return CategoryFactory(edition=edition, name="Participant", slug="participant", position=1)


@pytest.fixture
def representative(edition):
    return CategoryFactory(
        edition=edition,
        name="Pole representative",
        slug="representative",
        organisation_cap=2,
        position=0,
    )


@pytest.fixture
def pole():
    return OrganisationFactory(name="Pôle Exemple")


def sign_up(edition, category, **kwargs):
    number = next(_numbers)
    details = {
        "first_name": "Dominique",
        "last_name": f"Exemple {number}",
        "email": f"dominique{number}@example.org",
        **kwargs,
    }
    return capacity.register(edition, category=category, **details)


def page(name, edition, *args):
    return reverse(f"registrations:{name}", args=[edition.slug, *args])


def organiser(client, cast):
    log_in(client, cast.organiser)
    return client


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def emails_of(registration, kind):
    return Message.objects.filter(kind=kind, object_id=registration.pk)


# Waiting with a reason ---------------------------------------------------------------------


def test_a_third_representative_waits_because_of_the_cap_with_its_numbers(
    edition, representative, pole
):
    sign_up(edition, representative, organisation=pole)
    sign_up(edition, representative, organisation=pole)

    third = sign_up(edition, representative, organisation=pole)

    assert third.status == WAITLISTED
    assert (third.waiting_reason, third.waiting_limit) == (WaitingReason.ORGANISATION_CAP, 2)
    assert limits.waiting_sentence(third) == (
        "“Pôle Exemple” already has 2 people with a seat in the category "
        "“Pole representative”: the most one organisation may have."
    )


@pytest.mark.parametrize(
    ("setup", "reason", "limit"),
    [
        ("capacity", WaitingReason.EDITION_FULL, 1),
        ("quota", WaitingReason.CATEGORY_FULL, 1),
    ],
)
def test_a_full_day_or_category_is_recorded_as_the_reason(edition, setup, reason, limit):
    category = CategoryFactory(edition=edition, quota=1 if setup == "quota" else None)
    if setup == "capacity":
        edition.capacity = 1
        edition.save()
    sign_up(edition, category)

    waiting = sign_up(edition, category)

    assert (waiting.status, waiting.waiting_reason, waiting.waiting_limit) == (
        WAITLISTED,
        reason,
        limit,
    )


def test_a_confirmed_person_has_no_reason_to_wait(edition, participant):
    assert sign_up(edition, participant).waiting_reason == ""


def test_the_waiting_email_says_why_and_what_can_be_done(
    edition, representative, participant, pole, send_outbox, smtp_server
):
    sign_up(edition, representative, organisation=pole)
    sign_up(edition, representative, organisation=pole)
    third = sign_up(edition, representative, organisation=pole, email="troisieme@example.org")

    send_outbox()

    (mail,) = smtp_server.to("troisieme@example.org")
    text = " ".join(mail.get_body(("plain",)).get_content().split())
    assert third.language == "fr"
    assert (
        "« Pôle Exemple » a déjà 2 personnes avec une place dans la catégorie "
        "« Pole representative » : c'est le maximum pour une organisation."
    ) in text
    assert "Si une autre catégorie vous convient" in text


def test_the_manage_page_says_why_and_offers_another_category(
    client, edition, representative, participant, pole
):
    sign_up(edition, representative, organisation=pole)
    sign_up(edition, representative, organisation=pole)
    third = sign_up(edition, representative, organisation=pole)

    response = client.get(links.manage_path(third))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Pôle Exemple" in body
    assert "the most one organisation may have" in body
    assert 'action="' + reverse("registrations:move_category", args=[token(third)]) in body
    assert '<option value="participant">Participant</option>' in body


def token(registration):
    return links.manage_token(registration)


def test_a_waiting_attendee_moves_to_a_category_with_room_and_gets_a_seat(
    client, edition, representative, participant, pole
):
    sign_up(edition, representative, organisation=pole)
    sign_up(edition, representative, organisation=pole)
    third = sign_up(edition, representative, organisation=pole)

    response = client.post(
        reverse("registrations:move_category", args=[token(third)]),
        {"category": "participant"},
    )

    third.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"].endswith("?notice=moved")
    assert (third.status, third.category) == (CONFIRMED, participant)
    assert emails_of(third, "registrations.promoted").count() == 1


def test_an_attendee_cannot_move_to_an_invitation_only_category(
    client, edition, representative, pole
):
    press = CategoryFactory(edition=edition, slug="press", is_public=False)
    sign_up(edition, representative, organisation=pole)
    sign_up(edition, representative, organisation=pole)
    third = sign_up(edition, representative, organisation=pole)

    client.post(
        reverse("registrations:move_category", args=[token(third)]), {"category": press.slug}
    )

    third.refresh_from_db()
    assert (third.status, third.category) == (WAITLISTED, representative)


def test_the_organiser_sees_the_reason_in_the_list_the_page_and_the_dashboard(
    client, cast, edition, representative, pole
):
    sign_up(edition, representative, organisation=pole)
    sign_up(edition, representative, organisation=pole)
    third = sign_up(edition, representative, organisation=pole)
    organiser(client, cast)

    listing = client.get(page("list", edition)).content.decode()
    detail = client.get(page("detail", edition, third.pk)).content.decode()
    board = client.get(reverse("dashboard", args=[edition.slug])).content.decode()

    assert "The organisation&#x27;s seats are taken" in listing
    assert "already has 2 people with a seat" in detail
    assert "The organisation&#x27;s seats are taken (1)" in board
    assert figures.waiting_reasons(edition) == [("The organisation's seats are taken", 1)]


# Changing the category ---------------------------------------------------------------------


def test_a_change_of_category_refused_by_the_cap_names_it(
    client, cast, edition, representative, participant, pole
):
    sign_up(edition, representative, organisation=pole)
    sign_up(edition, representative, organisation=pole)
    moving = sign_up(edition, participant, organisation=pole)
    organiser(client, cast)

    response = client.post(
        page("change_category", edition, moving.pk), {"category": representative.pk}
    )

    moving.refresh_from_db()
    assert response.status_code == 400
    assert (moving.status, moving.category) == (CONFIRMED, participant)
    assert (
        "“Pôle Exemple” already has 2 people with a seat in the category "
        "“Pole representative”: the most one organisation may have."
    ) in response.content.decode().replace("&#x27;", "'")


def test_a_change_of_category_keeps_the_seat_and_gives_the_old_one_away(
    client, cast, edition, participant
):
    small = CategoryFactory(edition=edition, slug="small", quota=1)
    seated = sign_up(edition, small)
    waiting = sign_up(edition, small)
    organiser(client, cast)

    response = client.post(
        page("change_category", edition, seated.pk), {"category": participant.pk}
    )

    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert (seated.status, seated.category) == (CONFIRMED, participant)
    assert waiting.status == CONFIRMED
    assert said(response) == [
        f"{seated} is now in the category “Participant”, with a seat.",
        f"The seat went to the first person who fits it in the waiting list: {waiting}.",
    ]
    # The new confirmation carries the ticket of the new category.
    assert emails_of(seated, "registrations.confirmed").count() == 2


def test_a_waiting_person_moved_to_a_full_category_keeps_their_place(edition, participant):
    full = CategoryFactory(edition=edition, slug="full", quota=1)
    also_full = CategoryFactory(edition=edition, slug="also-full", quota=1)
    sign_up(edition, full)
    sign_up(edition, also_full)
    first = sign_up(edition, full)
    second = sign_up(edition, full)

    capacity.change_category(second, also_full, by_organiser=True)

    second.refresh_from_db()
    assert (second.status, second.category, second.waiting_reason) == (
        WAITLISTED,
        also_full,
        WaitingReason.CATEGORY_FULL,
    )
    positions = attendees.waiting_positions(edition)
    assert positions[first.pk] < positions[second.pk]


def test_a_cancelled_registration_keeps_its_category(edition, participant):
    other = CategoryFactory(edition=edition, slug="other")
    registration = sign_up(edition, participant)
    capacity.cancel(registration)

    with pytest.raises(capacity.RegistrationRefused) as refused:
        capacity.change_category(registration, other, by_organiser=True)

    assert refused.value.code == "registration_cancelled"


def test_a_category_of_another_edition_is_not_offered(client, cast, edition, participant):
    foreign = CategoryFactory(edition=cast.edition_two, slug="foreign")
    registration = sign_up(edition, participant)
    organiser(client, cast)

    response = client.post(
        page("change_category", edition, registration.pk), {"category": foreign.pk}
    )

    registration.refresh_from_db()
    assert response.status_code == 400
    assert registration.category == participant


def test_a_viewer_cannot_change_a_category(client, cast, edition, participant):
    other = CategoryFactory(edition=edition, slug="other")
    registration = sign_up(edition, participant)
    log_in(client, cast.viewer)

    response = client.post(
        page("change_category", edition, registration.pk), {"category": other.pk}
    )

    registration.refresh_from_db()
    assert response.status_code == 403
    assert registration.category == participant


# Editing the details -----------------------------------------------------------------------


def form_of(registration, **changes):
    return {
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "email": registration.email,
        "language": registration.language,
        "badge_name": registration.badge_name,
        "job_title": registration.job_title,
        "accessibility_needs": registration.accessibility_needs,
        "diet": registration.diet,
        "dietary_notes": registration.dietary_notes,
        **changes,
    }


def test_an_organiser_corrects_the_details_and_the_address(client, cast, edition, participant):
    registration = sign_up(edition, participant)
    organiser(client, cast)

    response = client.post(
        page("registration_edit", edition, registration.pk),
        form_of(registration, email="corrected@example.org", job_title="Chargée de mission"),
    )

    registration.refresh_from_db()
    assert response.status_code == 302
    assert (registration.email, registration.job_title) == (
        "corrected@example.org",
        "Chargée de mission",
    )
    assert said(response) == ["The changes are saved."]


def test_an_address_registered_by_someone_else_is_refused(client, cast, edition, participant):
    registration = sign_up(edition, participant)
    other = sign_up(edition, participant)
    organiser(client, cast)

    response = client.post(
        page("registration_edit", edition, registration.pk),
        form_of(registration, email=other.email.upper()),
    )

    registration.refresh_from_db()
    assert response.status_code == 400
    assert registration.email != other.email
    assert "already registered for this day" in response.content.decode()


def lock_names(edition):
    edition.security_list_final_deadline = NOW - dt.timedelta(minutes=1)
    edition.save()


def test_names_after_their_deadline_need_a_reason(client, cast, edition, participant):
    registration = sign_up(edition, participant)
    lock_names(edition)
    organiser(client, cast)

    response = client.post(
        page("registration_edit", edition, registration.pk),
        form_of(registration, last_name="Corrigé"),
    )

    registration.refresh_from_db()
    assert response.status_code == 400
    assert registration.last_name != "Corrigé"
    assert "Say why the names change" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.CHANGE).exists()


def test_names_after_their_deadline_with_a_reason_are_changed_and_logged(
    client, cast, edition, participant
):
    registration = sign_up(edition, participant)
    lock_names(edition)
    organiser(client, cast)

    response = client.post(
        page("registration_edit", edition, registration.pk),
        form_of(registration, last_name="Corrigé", reason="Typing error, venue told by phone"),
    )

    registration.refresh_from_db()
    assert response.status_code == 302
    assert registration.last_name == "Corrigé"
    (entry,) = AuditEntry.objects.filter(action=AuditAction.CHANGE)
    assert (entry.user, entry.edition, entry.people) == (cast.organiser, edition, 1)
    assert entry.detail == {
        "registration": registration.pk,
        "reason": "Typing error, venue told by phone",
    }
    # The log reads in the site's language, and names nobody.
    assert "Corrigé" not in entry.what


def test_an_attendee_still_cannot_change_locked_names(edition, participant):
    registration = sign_up(edition, participant)
    lock_names(edition)

    with pytest.raises(attendees.ChangeRefused):
        attendees.update_details(Registration.objects.get(pk=registration.pk), last_name="Autre")


def test_other_details_need_no_reason_after_the_deadline(client, cast, edition, participant):
    registration = sign_up(edition, participant)
    lock_names(edition)
    organiser(client, cast)

    response = client.post(
        page("registration_edit", edition, registration.pk),
        form_of(registration, diet="vegan"),
    )

    registration.refresh_from_db()
    assert response.status_code == 302
    assert registration.diet == "vegan"


def test_a_viewer_cannot_edit(client, cast, edition, participant):
    registration = sign_up(edition, participant)
    log_in(client, cast.viewer)

    response = client.post(
        page("registration_edit", edition, registration.pk),
        form_of(registration, last_name="Autre"),
    )

    registration.refresh_from_db()
    assert response.status_code == 403
    assert registration.last_name != "Autre"


# The booking's people ----------------------------------------------------------------------


def test_a_registration_page_lists_every_person_of_its_booking(client, cast, edition, participant):
    booking = Booking.objects.create(edition=edition, email="booker@example.org")
    booker, colleague = capacity.register_group(
        edition,
        [
            {
                "category": participant,
                "first_name": "Élodie",
                "last_name": "Booker",
                "email": "booker@example.org",
            },
            {"category": participant, "first_name": "Marc", "last_name": "Colleague", "email": ""},
        ],
        booking=booking,
    )
    organiser(client, cast)

    body = client.get(page("detail", edition, colleague.pk)).content.decode()

    assert "Booked together" in body
    assert page("detail", edition, booker.pk) in body
    assert "Colleague, Marc" in body


# Selections of the list --------------------------------------------------------------------


def test_the_list_offers_selections_to_those_who_manage(client, cast, edition, participant):
    registration = sign_up(edition, participant)
    organiser(client, cast)

    body = client.get(page("list", edition)).content.decode()

    assert f'name="pk" value="{registration.pk}"' in body
    assert 'value="cancel"' in body
    assert 'value="resend"' in body
    assert 'value="message"' in body


def test_a_viewer_sees_no_selection(client, cast, edition, participant):
    sign_up(edition, participant)
    log_in(client, cast.viewer)

    body = client.get(page("list", edition)).content.decode()

    assert 'name="pk"' not in body


def test_cancelling_a_selection_asks_first_then_cancels_and_promotes(client, cast, edition):
    small = CategoryFactory(edition=edition, slug="small", quota=2)
    first, second = sign_up(edition, small), sign_up(edition, small)
    waiting = sign_up(edition, small)
    organiser(client, cast)

    asked = client.post(
        page("selection", edition),
        {"pk": [first.pk, second.pk], "action": "cancel", "back": "status=confirmed"},
    )
    first.refresh_from_db()
    assert asked.status_code == 200
    assert first.status == CONFIRMED
    assert "Cancel 2 registrations?" in asked.content.decode()

    done = client.post(
        page("selection", edition),
        {"pk": [first.pk, second.pk], "action": "cancel_confirmed", "back": "status=confirmed"},
    )

    assert done.status_code == 302
    assert done["Location"] == page("list", edition) + "?status=confirmed"
    assert set(
        Registration.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {CANCELLED}
    waiting.refresh_from_db()
    assert waiting.status == CONFIRMED
    assert said(done)[0] == "2 registrations are cancelled."


def test_resending_a_selection_writes_one_email_each(client, cast, edition, participant):
    chosen = [sign_up(edition, participant) for _ in range(3)]
    organiser(client, cast)

    response = client.post(
        page("selection", edition), {"pk": [r.pk for r in chosen[:2]], "action": "resend"}
    )

    assert said(response) == ["The emails are on their way again to 2 people."]
    counts = [emails_of(r, "registrations.confirmed").count() for r in chosen]
    assert counts == [2, 2, 1]


def test_writing_to_a_selection_opens_the_message_page_with_them(
    client, cast, edition, participant
):
    chosen = [sign_up(edition, participant) for _ in range(2)]
    organiser(client, cast)

    response = client.post(
        page("selection", edition), {"pk": [r.pk for r in chosen], "action": "message"}
    )

    assert response.status_code == 302
    assert response["Location"] == (
        page("message", edition) + f"?pk={chosen[0].pk}&pk={chosen[1].pk}"
    )


@pytest.mark.parametrize(
    "data",
    [
        {"action": "cancel"},
        {"pk": ["x", "-1", "99999999"], "action": "resend"},
        {"pk": ["1"], "action": "delete-everything"},
    ],
)
def test_a_selection_without_people_or_action_changes_nothing(
    client, cast, edition, participant, data
):
    registration = sign_up(edition, participant)
    if data.get("pk") == ["1"]:
        data = {**data, "pk": [registration.pk]}
    organiser(client, cast)

    response = client.post(page("selection", edition), data)

    registration.refresh_from_db()
    assert response.status_code == 302
    assert registration.status == CONFIRMED
    assert said(response) == ["Choose at least one registration, then an action."]
    assert emails_of(registration, "registrations.confirmed").count() == 1


def test_a_selection_ignores_registrations_of_another_edition(client, cast, edition, participant):
    foreign = capacity.register(
        cast.edition_two,
        category=CategoryFactory(edition=cast.edition_two),
        first_name="Autre",
        last_name="Journée",
        email="autre@example.org",
        by_organiser=True,
    )
    organiser(client, cast)

    client.post(page("selection", edition), {"pk": [foreign.pk], "action": "cancel_confirmed"})

    foreign.refresh_from_db()
    assert foreign.status != CANCELLED


def test_the_back_address_keeps_only_the_lists_filters(client, cast, edition, participant):
    registration = sign_up(edition, participant)
    organiser(client, cast)

    response = client.post(
        page("selection", edition),
        {"pk": [registration.pk], "action": "resend", "back": "next=//evil.example&status=x"},
    )

    assert response["Location"] == page("list", edition)
