"""Organiser pages of registrations: who may open them, the list (search, filters, counts,
pagination, queries), a registration and its actions, adding a person, invitations and
failed emails. Every action says what it did; bad input changes nothing."""

import datetime as dt
import itertools

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from outbox.enums import MessageStatus
from outbox.models import Message
from registrations import capacity
from registrations.enums import InvitationKind, RegistrationStatus, Source
from registrations.models import Invitation, Registration
from registrations.views import organiser as organiser_views
from tests.auth import log_in
from tests.factories import CategoryFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED
_numbers = itertools.count()
_message_ids = itertools.count()


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted as their English msgids, whatever the French catalogue says.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def edition(cast):
    """The cast's edition, open for registration, 300 seats, with a waiting list."""
    edition = cast.edition
    edition.registration_opens_at = NOW - dt.timedelta(days=1)
    edition.registration_closes_at = NOW + dt.timedelta(days=10)
    edition.save()
    return edition


@pytest.fixture
def participant(edition):
    return CategoryFactory(edition=edition, name="Participant", slug="participant")


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


def as_user(client, user):
    log_in(client, user)
    return client


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def failed_message(edition, registration, **overrides):
    fields = {
        "kind": "registrations.confirmed",
        "object_id": registration.pk,
        "edition": edition,
        "recipient": registration.email,
        "message_id": f"<{next(_message_ids)}@example.org>",
        "status": MessageStatus.FAILED,
        "last_error": "550 Mailbox unavailable",
        **overrides,
    }
    return Message.objects.create(**fields)


# Who may open what ---------------------------------------------------------------------------

STAFF_WITHOUT_RIGHTS = ["editor", "agent", "viewer", "outsider", "other_organiser"]


@pytest.fixture
def scene(edition, participant):
    """One registration, one invitation and one failed email: something to see on each page."""
    registration = sign_up(edition, participant, email="secret.person@example.org")
    invitation = Invitation.objects.create(
        edition=edition, category=participant, email="secret.guest@example.org"
    )
    failed_message(edition, registration)
    return registration, invitation


def pages_to_read(edition, registration):
    return [
        page("list", edition),
        page("detail", edition, registration.pk),
        page("invitations", edition),
        page("failed_emails", edition),
        page("add", edition),
        page("registration_cancel", edition, registration.pk),
    ]


def actions(edition, registration, invitation):
    message = Message.objects.get(status=MessageStatus.FAILED)
    return [
        (page("registration_cancel", edition, registration.pk), {}),
        (page("promote", edition, registration.pk), {}),
        (page("resend", edition, registration.pk), {}),
        (page("add", edition), {"first_name": "A", "last_name": "B", "email": "x@example.org"}),
        (page("invite", edition), {"invite-email": "new@example.org"}),
        (page("group_code", edition), {"group-max_uses": "3"}),
        (page("revoke", edition, invitation.pk), {}),
        (page("resend_email", edition, message.pk), {}),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, edition, scene):
    registration, invitation = scene
    login = reverse("accounts:login")
    urls = pages_to_read(edition, registration) + [
        url for url, _data in actions(edition, registration, invitation)
    ]

    for url in urls:
        method = client.get if url in pages_to_read(edition, registration) else client.post
        response = method(url)
        assert (response.status_code, response["Location"]) == (302, f"{login}?next={url}")
    assert Registration.objects.get().status == CONFIRMED


@pytest.mark.parametrize("who", STAFF_WITHOUT_RIGHTS)
def test_other_roles_get_403_and_no_personal_data(client, cast, edition, scene, who):
    registration, _invitation = scene
    as_user(client, getattr(cast, who))

    for url in pages_to_read(edition, registration):
        response = client.get(url)
        assert response.status_code == 403
        assert b"secret" not in response.content


@pytest.mark.parametrize("who", STAFF_WITHOUT_RIGHTS)
def test_other_roles_cannot_act(client, cast, edition, scene, who):
    registration, invitation = scene
    as_user(client, getattr(cast, who))

    for url, data in actions(edition, registration, invitation):
        assert client.post(url, data).status_code == 403
    assert (Registration.objects.count(), Registration.objects.get().status) == (1, CONFIRMED)
    assert (Invitation.objects.count(), Invitation.objects.get().revoked_at) == (1, None)
    assert Message.objects.count() == 2  # the confirmation and the failed one, no more


@pytest.mark.parametrize("who", ["organiser", "superuser"])
def test_organisers_and_superusers_open_every_page(client, cast, edition, scene, who):
    registration, _invitation = scene
    as_user(client, getattr(cast, who))

    for url in pages_to_read(edition, registration):
        assert client.get(url).status_code == 200


def test_unknown_edition_and_registration_of_another_edition_are_404(client, cast, edition):
    other = CategoryFactory(edition=cast.edition_two)
    elsewhere = sign_up(cast.edition_two, other, by_organiser=True)
    as_user(client, cast.organiser)

    assert client.get("/journees/nope/gestion/inscriptions/").status_code == 404
    assert client.get(page("detail", edition, elsewhere.pk)).status_code == 404
    assert client.post(page("registration_cancel", edition, elsewhere.pk)).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == CONFIRMED


def test_pages_are_not_cached_nor_indexed(client, cast, edition, scene):
    registration, _invitation = scene
    response = as_user(client, cast.organiser).get(page("detail", edition, registration.pk))

    assert "no-cache" in response["Cache-Control"]
    assert b'<meta name="robots" content="noindex">' in response.content


# The list ----------------------------------------------------------------------------------


def test_list_counts_seats_overall_and_per_category(client, cast, edition):
    edition.capacity = 3
    edition.save()
    participant = CategoryFactory(edition=edition, name="Participant", quota=2)
    speaker = CategoryFactory(edition=edition, name="Intervenant", is_public=False)
    sign_up(edition, participant)
    sign_up(edition, participant)
    sign_up(edition, participant)  # waits: quota reached
    capacity.cancel(sign_up(edition, speaker, email="gone@example.org", by_organiser=True))

    response = as_user(client, cast.organiser).get(page("list", edition))

    figures = response.context["figures"]
    assert (figures.capacity, figures.confirmed, figures.available) == (3, 2, 1)
    assert (figures.waiting, figures.cancelled) == (1, 1)
    assert [
        (row.name, row.quota, row.confirmed, row.available, row.waiting, row.cancelled)
        for row in figures.categories
    ] == [("Participant", 2, 2, 0, 1, 0), ("Intervenant", None, 0, 1, 0, 1)]
    assert 'Intervenant <span class="note">(by invitation)</span>' in response.content.decode()


@pytest.mark.parametrize("where", ["list", "dashboard"])
def test_the_list_and_the_dashboard_offer_to_add_a_person(client, cast, edition, where):
    address = (
        page("list", edition) if where == "list" else reverse("dashboard", args=[edition.slug])
    )

    response = as_user(client, cast.organiser).get(address)

    assert f'href="{page("add", edition)}"' in response.content.decode()


def test_a_viewer_of_the_dashboard_is_not_offered_to_add_a_person(client, cast, edition):
    response = as_user(client, cast.viewer).get(reverse("dashboard", args=[edition.slug]))

    assert response.status_code == 200
    assert page("add", edition) not in response.content.decode()


def listed(response):
    return [registration.pk for registration in response.context["page"].object_list]


def test_list_searches_names_email_and_organisation(client, cast, edition, participant):
    pole = OrganisationFactory(name="Pôle des Deux-Rives")
    by_name = sign_up(edition, participant, first_name="Mathilde")
    by_email = sign_up(edition, participant, email="contact@rives.example.org")
    by_pole = sign_up(edition, participant, organisation=pole)
    by_typed = sign_up(edition, participant, organisation_name="Association Deux Mondes")
    as_user(client, cast.organiser)

    def search(words):
        return listed(client.get(page("list", edition), {"q": words}))

    assert search("mathilde") == [by_name.pk]
    assert search("RIVES") == [by_email.pk, by_pole.pk]
    assert search("deux mondes") == [by_typed.pk]
    assert search("nobody") == []


def test_list_filters_by_status_and_category(client, cast, edition):
    edition.capacity = 1
    edition.save()
    participant = CategoryFactory(edition=edition, slug="participant")
    press = CategoryFactory(edition=edition, slug="press")
    seated = sign_up(edition, participant)
    waiting_press = sign_up(edition, press)
    sign_up(edition, participant)
    as_user(client, cast.organiser)

    assert listed(client.get(page("list", edition), {"status": "confirmed"})) == [seated.pk]
    filtered = client.get(page("list", edition), {"status": "waitlisted", "category": "press"})
    assert listed(filtered) == [waiting_press.pk]


def test_list_ignores_and_names_filters_it_does_not_understand(client, cast, participant):
    edition = participant.edition
    registration = sign_up(edition, participant)

    response = as_user(client, cast.organiser).get(
        page("list", edition), {"status": "nope", "category": "nope", "q": "x" * 101}
    )

    assert response.status_code == 200
    assert listed(response) == [registration.pk]
    assert set(response.context["form"].errors) == {"status", "category", "q"}


def test_list_is_paginated(client, cast, participant, monkeypatch):
    monkeypatch.setattr(organiser_views, "PAGE_SIZE", 2)
    edition = participant.edition
    registrations = [sign_up(edition, participant) for _ in range(3)]
    as_user(client, cast.organiser)

    second = client.get(page("list", edition), {"page": "2", "category": "participant"})

    assert listed(second) == [registrations[2].pk]
    assert 'href="?category=participant&amp;page=1" rel="prev"' in second.content.decode()
    assert listed(client.get(page("list", edition), {"page": "nope"})) == [
        registrations[0].pk,
        registrations[1].pk,
    ]


def test_list_escapes_names_and_shows_the_waiting_position(client, cast, edition, participant):
    edition.capacity = 1
    edition.save()
    sign_up(edition, participant)
    sign_up(edition, participant, first_name="<script>alert(1)</script>", last_name="=1+1")

    content = as_user(client, cast.organiser).get(page("list", edition)).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "=1+1, &lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "On the waiting list · no. 1" in content


def test_list_queries_do_not_grow_with_registrations(
    client, cast, edition, django_assert_num_queries
):
    edition.capacity = 2
    edition.save()
    participant = CategoryFactory(edition=edition)
    press = CategoryFactory(edition=edition)
    sign_up(edition, participant, organisation=OrganisationFactory())
    as_user(client, cast.organiser)
    client.get(page("list", edition))  # the session and the user are read once the same way
    # session, user, its second-factor device, roles, edition, figures, count, page
    with django_assert_num_queries(8):
        client.get(page("list", edition))
    sign_up(edition, press, organisation=OrganisationFactory())
    sign_up(edition, participant, organisation_name="Tapée")  # waiting
    with django_assert_num_queries(8):
        client.get(page("list", edition))


# One registration and its actions ------------------------------------------------------------


def test_detail_shows_every_field_and_the_emails(client, cast, edition, participant):
    edition.security_fields = ["birth_date"]
    edition.save()
    registration = sign_up(
        edition,
        participant,
        first_name="Ана",
        last_name="<b>Exemple</b>",
        badge_name="Ana",
        job_title="Coordinatrice",
        accessibility_needs="Fauteuil",
        birth_date=dt.date(1980, 5, 17),
        consent_photos=True,
    )
    failed_message(edition, registration, kind="registrations.reminder")

    response = as_user(client, cast.organiser).get(page("detail", edition, registration.pk))

    content = response.content.decode()
    for text in ("Ана &lt;b&gt;Exemple&lt;/b&gt;", "Ana", "Coordinatrice", "Fauteuil", "1980"):
        assert text in content
    assert [(mail.label, mail.status) for mail in response.context["mails"]] == [
        ("Reminder before the day", MessageStatus.FAILED),
        ("Confirmation with the ticket", MessageStatus.PENDING),
    ]


def test_detail_does_not_mix_in_invitation_emails_with_the_same_number(
    client, cast, edition, participant
):
    registration = sign_up(edition, participant)
    failed_message(edition, registration, kind="registrations.invitation")

    response = as_user(client, cast.organiser).get(page("detail", edition, registration.pk))

    assert [mail.kind for mail in response.context["mails"]] == ["registrations.confirmed"]


def test_cancel_asks_first_then_gives_the_seat_to_the_waiting_list(client, cast, edition):
    edition.capacity = 1
    edition.save()
    participant = CategoryFactory(edition=edition)
    seated = sign_up(edition, participant, first_name="Assise")
    waiting = sign_up(edition, participant, first_name="Attente", last_name="Exemple")
    as_user(client, cast.organiser)

    confirm = client.get(page("registration_cancel", edition, seated.pk))
    assert b"Cancel the registration</button>" in confirm.content
    seated.refresh_from_db()
    assert seated.status == CONFIRMED

    response = client.post(page("registration_cancel", edition, seated.pk))

    assert response["Location"] == page("detail", edition, seated.pk)
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert (seated.status, waiting.status) == (CANCELLED, CONFIRMED)
    assert said(response) == [
        f"The registration of {seated} is cancelled.",
        "The seat went to the first person who fits it in the waiting list: Attente Exemple.",
    ]


def test_cancelling_a_cancelled_registration_changes_nothing(client, cast, participant):
    registration = sign_up(participant.edition, participant)
    capacity.cancel(registration)
    as_user(client, cast.organiser)

    response = client.post(page("registration_cancel", participant.edition, registration.pk))

    assert said(response) == ["This registration was already cancelled."]
    assert Message.objects.filter(kind="registrations.cancelled").count() == 1


def test_promote_is_refused_when_a_limit_is_reached(client, cast, edition):
    quota = CategoryFactory(edition=edition, quota=1)
    sign_up(edition, quota)
    waiting = sign_up(edition, quota)

    response = as_user(client, cast.organiser).post(page("promote", edition, waiting.pk))

    waiting.refresh_from_db()
    assert waiting.status == WAITLISTED
    assert said(response) == [
        f"{waiting} was not given a seat: Every seat of the category “{quota.name}” is taken "
        "(1 seat)."
    ]


def test_promote_after_closing_gives_a_freed_seat(client, cast, edition, participant):
    """After the deadline nobody is promoted automatically; the organiser still may."""
    edition.capacity = 1
    edition.save()
    seated = sign_up(edition, participant)
    waiting = sign_up(edition, participant)
    edition.registration_closes_at = NOW - dt.timedelta(minutes=1)
    edition.registration_opens_at = NOW - dt.timedelta(days=2)
    edition.save()
    capacity.cancel(seated)
    waiting.refresh_from_db()
    assert waiting.status == WAITLISTED

    response = as_user(client, cast.organiser).post(page("promote", edition, waiting.pk))

    waiting.refresh_from_db()
    assert waiting.status == CONFIRMED
    assert said(response) == [f"{waiting} has a seat; the confirmation is on its way."]
    assert Message.objects.filter(kind="registrations.promoted").count() == 1


def test_promote_refuses_a_person_who_is_not_waiting(client, cast, participant):
    registration = sign_up(participant.edition, participant)

    response = as_user(client, cast.organiser).post(
        page("promote", participant.edition, registration.pk)
    )

    assert said(response) == [
        f"{registration} was not given a seat: Only a person on the waiting list can be promoted."
    ]


def test_promote_answers_get_with_405(client, cast, participant):
    registration = sign_up(participant.edition, participant, first_name="Attente")
    response = as_user(client, cast.organiser).get(
        page("promote", participant.edition, registration.pk)
    )
    assert response.status_code == 405


def test_resend_writes_the_confirmation_again(client, cast, participant):
    registration = sign_up(participant.edition, participant)

    response = as_user(client, cast.organiser).post(
        page("resend", participant.edition, registration.pk)
    )

    assert said(response) == ["The email is on its way again."]
    assert (
        list(Message.objects.filter(object_id=registration.pk).values_list("kind", "recipient"))
        == [("registrations.confirmed", registration.email)] * 2
    )


def test_resend_refuses_a_cancelled_registration(client, cast, participant):
    registration = sign_up(participant.edition, participant)
    capacity.cancel(registration)
    before = Message.objects.count()

    response = as_user(client, cast.organiser).post(
        page("resend", participant.edition, registration.pk)
    )

    assert said(response) == ["A cancelled registration has no confirmation to send."]
    assert Message.objects.count() == before


# Adding a person ---------------------------------------------------------------------------


def person(chosen, **overrides):
    return {
        "category": str(chosen.pk),
        "first_name": "Claude",
        "last_name": "Exemple",
        "email": "claude@example.org",
        "language": "fr",
        **overrides,
    }


def test_organiser_adds_a_person_to_an_invitation_only_category(client, cast, edition):
    speaker = CategoryFactory(edition=edition, name="Intervenant", is_public=False)

    response = as_user(client, cast.organiser).post(page("add", edition), person(speaker))

    registration = Registration.objects.get()
    assert response["Location"] == page("detail", edition, registration.pk)
    assert (registration.category, registration.status, registration.source) == (
        speaker,
        CONFIRMED,
        Source.ORGANISER,
    )
    assert said(response) == ["Claude Exemple is registered, with a seat."]


def test_added_person_from_the_directory_gets_its_organisation(client, cast, participant):
    pole = OrganisationFactory(name="Pôle des Deux-Rives")
    data = person(participant, organisation="pôle des deux-rives", badge_name="Claude E.")

    as_user(client, cast.organiser).post(page("add", participant.edition), data)

    registration = Registration.objects.get()
    assert (registration.organisation, registration.organisation_name) == (pole, "")
    assert registration.badge_name == "Claude E."


def test_added_person_with_a_typed_organisation_keeps_the_name(client, cast, participant):
    data = person(participant, organisation="Association Exemple")

    as_user(client, cast.organiser).post(page("add", participant.edition), data)

    registration = Registration.objects.get()
    assert (registration.organisation, registration.organisation_name) == (
        None,
        "Association Exemple",
    )


def test_organiser_adds_after_closing_within_capacity(client, cast, edition, participant):
    edition.registration_opens_at = NOW - dt.timedelta(days=10)
    edition.registration_closes_at = NOW - dt.timedelta(days=1)
    edition.save()

    response = as_user(client, cast.organiser).get(page("add", edition))
    assert b"Registration is closed: the person is added only if a seat is free" in (
        response.content
    )
    client.post(page("add", edition), person(participant))

    assert Registration.objects.get().status == CONFIRMED


def test_organiser_add_after_closing_beyond_capacity_is_refused_next_to_the_field(
    client, cast, edition, participant
):
    edition.capacity = 1
    edition.save()
    sign_up(edition, participant)
    edition.registration_opens_at = NOW - dt.timedelta(days=10)
    edition.registration_closes_at = NOW - dt.timedelta(days=1)
    edition.save()

    response = as_user(client, cast.organiser).post(page("add", edition), person(participant))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "category": ["There are no seats left for this day."]
    }
    assert 'aria-describedby="id_category_error"' in response.content.decode()
    assert Registration.objects.count() == 1


def test_organiser_add_puts_the_person_on_the_waiting_list_before_closing(
    client, cast, edition, participant
):
    edition.capacity = 1
    edition.save()
    sign_up(edition, participant)

    response = as_user(client, cast.organiser).post(page("add", edition), person(participant))

    assert Registration.objects.get(email="claude@example.org").status == WAITLISTED
    assert said(response) == [
        "Claude Exemple is on the waiting list: every seat that fits is taken."
    ]


def test_organiser_add_beyond_an_organisation_cap_is_refused_on_the_organisation(
    client, cast, edition
):
    edition.has_waiting_list = False
    edition.save()
    capped = CategoryFactory(edition=edition, organisation_cap=1)
    pole = OrganisationFactory(name="Pôle Exemple")
    sign_up(edition, capped, organisation=pole)

    response = as_user(client, cast.organiser).post(
        page("add", edition), person(capped, organisation="Pôle Exemple")
    )

    assert response.context["form"].errors == {
        "organisation": [
            "This organisation already has all the seats it may have in this category."
        ]
    }
    assert Registration.objects.count() == 1


def test_organiser_add_of_a_registered_email_is_refused_on_the_email(client, cast, participant):
    sign_up(participant.edition, participant, email="claude@example.org")

    response = as_user(client, cast.organiser).post(
        page("add", participant.edition), person(participant, email="CLAUDE@example.org")
    )

    assert response.context["form"].errors == {
        "email": ["This email address is already registered for this day."]
    }
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_name": "  "}, "first_name"),
        ({"last_name": "x" * 151}, "last_name"),
        ({"first_name": "Claude\nExemple"}, "first_name"),
        ({"email": "pas-une-adresse"}, "email"),
        ({"email": ""}, "email"),
        ({"category": "999999"}, "category"),
        ({"category": "nope"}, "category"),
        ({"language": "de"}, "language"),
    ],
)
def test_organiser_add_with_bad_input_changes_nothing(client, cast, participant, changes, field):
    response = as_user(client, cast.organiser).post(
        page("add", participant.edition), person(participant, **changes)
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert Registration.objects.count() == 0
    assert b"Nothing was saved. Correct the fields below:" in response.content


def test_category_of_another_edition_cannot_be_chosen(client, cast, edition, participant):
    elsewhere = CategoryFactory(edition=cast.edition_two)

    response = as_user(client, cast.organiser).post(page("add", edition), person(elsewhere))

    assert list(response.context["form"].errors) == ["category"]
    assert Registration.objects.count() == 0


def test_venue_fields_are_asked_when_the_edition_needs_them(client, cast, edition, participant):
    edition.security_fields = ["birth_date", "nationality"]
    edition.save()
    as_user(client, cast.organiser)

    missing = client.post(page("add", edition), person(participant))
    future = client.post(
        page("add", edition),
        person(participant, birth_date="2999-01-01", nationality="Française"),
    )
    client.post(
        page("add", edition),
        person(participant, birth_date="1980-05-17", nationality="Française"),
    )

    assert set(missing.context["form"].errors) == {"birth_date", "nationality"}
    assert future.context["form"].errors == {
        "birth_date": ["Enter a date of birth in the past, after 1900."]
    }
    registration = Registration.objects.get()
    assert (registration.birth_date, registration.nationality) == (
        dt.date(1980, 5, 17),
        "Française",
    )
    assert "employer" not in missing.context["form"].fields


# Invitations -------------------------------------------------------------------------------


def invitation_data(category, **overrides):
    return {
        "invite-email": "guest@example.org",
        "invite-guest_name": "Camille Invitée",
        "invite-category": str(category.pk),
        "invite-language": "en",
        "invite-holds_seat_until": "",
        "invite-note": "",
        **overrides,
    }


def test_personal_invitation_is_created_and_emailed(client, cast, edition):
    speaker = CategoryFactory(edition=edition, is_public=False)

    response = as_user(client, cast.organiser).post(
        page("invite", edition), invitation_data(speaker)
    )

    invitation = Invitation.objects.get()
    assert response["Location"] == page("invitations", edition)
    assert (invitation.kind, invitation.email, invitation.category, invitation.created_by) == (
        InvitationKind.PERSONAL,
        "guest@example.org",
        speaker,
        cast.organiser,
    )
    assert list(Message.objects.values_list("kind", "object_id", "recipient", "language")) == [
        ("registrations.invitation", invitation.pk, "guest@example.org", "en")
    ]
    assert said(response) == ["The invitation is on its way to guest@example.org."]


def test_invitation_page_lists_invitations_with_their_link(client, cast, edition, participant):
    invitation = Invitation.objects.create(
        edition=edition, category=participant, email="guest@example.org"
    )
    Invitation.objects.create(
        edition=edition, category=participant, kind=InvitationKind.GROUP, max_uses=5
    )

    content = as_user(client, cast.organiser).get(page("invitations", edition)).content.decode()

    assert reverse("registrations:invitation", args=[invitation.code]) in content
    assert "0 of 5" in content


def test_second_invitation_to_the_same_email_is_refused(client, cast, edition, participant):
    Invitation.objects.create(edition=edition, category=participant, email="guest@example.org")

    response = as_user(client, cast.organiser).post(
        page("invite", edition),
        invitation_data(participant, **{"invite-email": "Guest@Example.org"}),
    )

    assert response.status_code == 200
    assert response.context["invite_form"].errors == {
        "email": ["This email already has an invitation to this day."]
    }
    assert Invitation.objects.count() == 1
    assert Message.objects.count() == 0


def test_revoked_invitation_leaves_the_email_free_for_a_new_one(client, cast, edition, participant):
    old = Invitation.objects.create(
        edition=edition, category=participant, email="guest@example.org"
    )
    capacity.revoke_invitation(old)

    as_user(client, cast.organiser).post(page("invite", edition), invitation_data(participant))

    assert Invitation.objects.usable().get().email == "guest@example.org"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"invite-email": "pas-une-adresse"}, "email"),
        ({"invite-email": ""}, "email"),
        ({"invite-category": "999999"}, "category"),
        ({"invite-holds_seat_until": "2000-01-01T10:00"}, "holds_seat_until"),
        ({"invite-holds_seat_until": "2999-01-01T10:00"}, "holds_seat_until"),
        ({"invite-holds_seat_until": "demain"}, "holds_seat_until"),
        ({"invite-guest_name": "Camille\r\nInvitée"}, "guest_name"),
    ],
)
def test_invitation_with_bad_input_changes_nothing(client, cast, participant, changes, field):
    response = as_user(client, cast.organiser).post(
        page("invite", participant.edition), invitation_data(participant, **changes)
    )

    assert response.status_code == 200
    assert list(response.context["invite_form"].errors) == [field]
    assert (Invitation.objects.count(), Message.objects.count()) == (0, 0)


def test_invitation_holding_a_seat_when_none_is_free_warns(client, cast, edition, participant):
    edition.capacity = 1
    edition.save()
    sign_up(edition, participant)
    until = timezone.localtime(NOW + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")

    response = as_user(client, cast.organiser).post(
        page("invite", edition),
        invitation_data(participant, **{"invite-holds_seat_until": until}),
    )

    assert said(response) == [
        "The invitation is on its way to guest@example.org.",
        "No seat of this category was free: the guest will join the waiting list when "
        "registering, unless a seat frees up by then.",
    ]
    assert Invitation.objects.get().holds_seat_until is not None


def test_group_code_is_created(client, cast, participant):
    response = as_user(client, cast.organiser).post(
        page("group_code", participant.edition),
        {"group-category": str(participant.pk), "group-max_uses": "12", "group-note": "Réseau"},
    )

    invitation = Invitation.objects.get()
    assert (invitation.kind, invitation.max_uses, invitation.note, invitation.email) == (
        InvitationKind.GROUP,
        12,
        "Réseau",
        "",
    )
    assert said(response) == [
        f"The group code {invitation.code} is ready: give it to the people you invite."
    ]
    assert Message.objects.count() == 0


@pytest.mark.parametrize("max_uses", ["0", "-3", "beaucoup"])
def test_group_code_with_a_bad_number_of_uses_is_refused(client, cast, participant, max_uses):
    response = as_user(client, cast.organiser).post(
        page("group_code", participant.edition),
        {"group-category": str(participant.pk), "group-max_uses": max_uses},
    )

    assert list(response.context["group_form"].errors) == ["max_uses"]
    assert Invitation.objects.count() == 0


def test_revoking_an_invitation_frees_its_held_seat_for_the_waiting_list(
    client, cast, edition, participant
):
    edition.capacity = 1
    edition.save()
    invitation = Invitation.objects.create(
        edition=edition,
        category=participant,
        email="guest@example.org",
        holds_seat_until=NOW + dt.timedelta(days=3),
    )
    waiting = sign_up(edition, participant, first_name="Attente", last_name="Exemple")
    assert waiting.status == WAITLISTED

    response = as_user(client, cast.organiser).post(page("revoke", edition, invitation.pk))

    invitation.refresh_from_db()
    waiting.refresh_from_db()
    assert invitation.revoked_at is not None
    assert waiting.status == CONFIRMED
    assert said(response) == [
        "The invitation is revoked.",
        "The seat went to the first person who fits it in the waiting list: Attente Exemple.",
    ]


def test_revoking_twice_changes_nothing(client, cast, edition, participant):
    invitation = Invitation.objects.create(edition=edition, category=participant, email="g@x.org")
    capacity.revoke_invitation(invitation)
    invitation.refresh_from_db()
    revoked_at = invitation.revoked_at

    response = as_user(client, cast.organiser).post(page("revoke", edition, invitation.pk))

    invitation.refresh_from_db()
    assert invitation.revoked_at == revoked_at
    assert said(response) == ["This invitation was already revoked."]


def test_invitation_of_another_edition_cannot_be_revoked(client, cast, edition):
    elsewhere = Invitation.objects.create(
        edition=cast.edition_two,
        category=CategoryFactory(edition=cast.edition_two),
        email="g@x.org",
    )

    response = as_user(client, cast.organiser).post(page("revoke", edition, elsewhere.pk))

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.revoked_at is None


# Failed emails -------------------------------------------------------------------------------


def test_failed_emails_lists_only_this_editions_failures(client, cast, edition, participant):
    registration = sign_up(edition, participant)
    failed = failed_message(edition, registration)
    failed_message(edition, registration, status=MessageStatus.SENT, kind="registrations.reminder")
    other_category = CategoryFactory(edition=cast.edition_two)
    failed_message(cast.edition_two, sign_up(cast.edition_two, other_category, by_organiser=True))

    response = as_user(client, cast.organiser).get(page("failed_emails", edition))

    assert [mail.pk for mail in response.context["messages_failed"]] == [failed.pk]
    assert "550 Mailbox unavailable" in response.content.decode()


def test_resending_a_failed_email_writes_a_new_one_and_clears_the_list(
    client, cast, edition, participant
):
    registration = sign_up(edition, participant)
    failed = failed_message(edition, registration, kind="registrations.reminder")
    as_user(client, cast.organiser)

    response = client.post(page("resend_email", edition, failed.pk))

    assert response["Location"] == page("failed_emails", edition)
    assert said(response) == [f"The email to {registration.email} is on its way again."]
    again = Message.objects.filter(kind="registrations.reminder").exclude(pk=failed.pk).get()
    assert (again.status, again.recipient, again.object_id) == (
        MessageStatus.PENDING,
        registration.email,
        registration.pk,
    )
    assert again.message_id != failed.message_id
    listed_after = client.get(page("failed_emails", edition)).context["messages_failed"]
    assert listed_after == []


def test_resending_an_email_that_did_not_fail_sends_nothing(client, cast, edition, participant):
    registration = sign_up(edition, participant)
    sent = failed_message(edition, registration, status=MessageStatus.SENT)
    before = Message.objects.count()

    response = as_user(client, cast.organiser).post(page("resend_email", edition, sent.pk))

    assert said(response) == ["This email has not failed: nothing was sent again."]
    assert Message.objects.count() == before


def test_email_of_another_edition_cannot_be_resent(client, cast, edition):
    other_category = CategoryFactory(edition=cast.edition_two)
    elsewhere = failed_message(
        cast.edition_two, sign_up(cast.edition_two, other_category, by_organiser=True)
    )
    before = Message.objects.count()

    response = as_user(client, cast.organiser).post(page("resend_email", edition, elsewhere.pk))

    assert response.status_code == 404
    assert Message.objects.count() == before


def test_organiser_add_with_an_empty_post_shows_every_required_field(client, cast, participant):
    response = as_user(client, cast.organiser).post(page("add", participant.edition))

    assert set(response.context["form"].errors) == {
        "category",
        "first_name",
        "last_name",
        "email",
        "language",
    }
    assert Registration.objects.count() == 0


def test_edition_page_links_organisers_and_only_them_to_the_registrations(client, cast):
    edition = cast.edition
    link = f'href="/journees/{edition.slug}/gestion/inscriptions/"'

    assert link not in client.get(edition.get_absolute_url()).content.decode()
    log_in(client, cast.agent)
    assert link not in client.get(edition.get_absolute_url()).content.decode()
    log_in(client, cast.organiser)
    assert link in client.get(edition.get_absolute_url()).content.decode()
