"""The registrations API: register, list and cancel with an organiser's token; public
availability. Permissions with the cast, every refusal code, 422 shapes, N+1 guards."""

import datetime as dt
import itertools
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from events.enums import EditionStatus
from outbox.models import Message
from registrations import capacity, links
from registrations.enums import InvitationKind, RegistrationStatus, Source
from registrations.models import Invitation, Registration
from tests.factories import CategoryFactory, EditionFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

SITE = "https://journees.example.org"
NOW = timezone.now()
CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED
_numbers = itertools.count()


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


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


def token_for(user):
    return ApiToken.issue(user)[1]


def call(client, method, url, user=None, body=None, language="en"):
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token_for(user)}"
    if method == "post":
        return client.post(
            url, data=json.dumps(body or {}), content_type="application/json", **headers
        )
    return client.get(url, **headers)


def person(**overrides):
    number = next(_numbers)
    return {
        "first_name": "Camille",
        "last_name": "Exemple",
        "email": f"camille{number}@example.org",
        "category": "participant",
        **overrides,
    }


def sign_up(edition, category, **kwargs):
    number = next(_numbers)
    details = {
        "first_name": "Dominique",
        "last_name": f"Exemple {number}",
        "email": f"dominique{number}@example.org",
        **kwargs,
    }
    return capacity.register(edition, category=category, **details)


def url(edition, tail="registrations"):
    return f"/api/v1/editions/{edition.slug}/{tail}"


# Register ----------------------------------------------------------------------------------


def test_register_confirms_with_a_seat_and_answers_the_ticket_address(client, cast, participant):
    response = call(client, "post", url(participant.edition), cast.organiser, person())

    assert response.status_code == 201
    registration = Registration.objects.get()
    token = links.manage_token(registration)
    assert response.json() == {
        "id": registration.pk,
        "status": "confirmed",
        "waitlist_position": None,
        "ticket_url": f"{SITE}{reverse('admission:ticket', args=[token])}",
    }
    assert (registration.status, registration.source) == (CONFIRMED, Source.API)


def test_register_keeps_names_in_any_script_and_links_the_directory_organisation(
    client, cast, participant
):
    pole = OrganisationFactory(name="Pôle Exemple", slug="pole-exemple")
    body = person(
        first_name="  Ана   Мария ",
        last_name="שלום",
        organisation="pole-exemple",
        badge_name="Ana",
        language="fr",
    )

    response = call(client, "post", url(participant.edition), cast.organiser, body)

    assert response.status_code == 201
    registration = Registration.objects.get()
    assert (
        registration.first_name,
        registration.last_name,
        registration.organisation,
        registration.badge_name,
        registration.language,
    ) == ("Ана Мария", "שלום", pole, "Ana", "fr")


def test_register_writes_the_confirmation_email(client, cast, participant):
    call(client, "post", url(participant.edition), cast.organiser, person(email="a@example.org"))

    assert list(Message.objects.values_list("kind", "recipient", "language")) == [
        ("registrations.confirmed", "a@example.org", "en")
    ]


def test_register_puts_the_person_on_the_waiting_list_when_full(client, cast, edition):
    edition.capacity = 1
    edition.save()
    CategoryFactory(edition=edition, slug="participant")
    call(client, "post", url(edition), cast.organiser, person())

    first = call(client, "post", url(edition), cast.organiser, person()).json()
    second = call(client, "post", url(edition), cast.organiser, person()).json()

    assert (first["status"], first["waitlist_position"]) == ("waitlisted", 1)
    assert (second["status"], second["waitlist_position"]) == ("waitlisted", 2)


def refusal(client, cast, edition, body):
    before = Registration.objects.count()
    response = call(client, "post", url(edition), cast.organiser, body)
    assert response.status_code == 409
    assert Registration.objects.count() == before
    return response.json()


def test_full_edition_without_waiting_list_is_refused(client, cast, edition):
    edition.capacity = 1
    edition.has_waiting_list = False
    edition.save()
    category = CategoryFactory(edition=edition, slug="participant")
    sign_up(edition, category)

    assert refusal(client, cast, edition, person()) == {
        "code": "edition_full",
        "message": "There are no seats left for this day.",
    }


def test_full_category_without_waiting_list_is_refused(client, cast, edition):
    edition.has_waiting_list = False
    edition.save()
    category = CategoryFactory(edition=edition, slug="participant", quota=1)
    sign_up(edition, category)

    assert refusal(client, cast, edition, person())["code"] == "category_full"


def test_organisation_cap_without_waiting_list_is_refused(client, cast, edition):
    edition.has_waiting_list = False
    edition.save()
    category = CategoryFactory(edition=edition, slug="participant", organisation_cap=1)
    pole = OrganisationFactory(slug="pole-exemple")
    sign_up(edition, category, organisation=pole)

    body = person(organisation="pole-exemple")
    assert refusal(client, cast, edition, body)["code"] == "organisation_cap_reached"


def test_registration_after_closing_is_refused(client, cast, participant):
    edition = participant.edition
    edition.registration_opens_at = NOW - dt.timedelta(days=10)
    edition.registration_closes_at = NOW - dt.timedelta(days=1)
    edition.save()

    assert refusal(client, cast, edition, person()) == {
        "code": "registration_closed",
        "message": "Registration is closed.",
    }


def test_registration_before_opening_is_refused(client, cast, participant):
    edition = participant.edition
    edition.registration_opens_at = NOW + dt.timedelta(days=1)
    edition.save()

    assert refusal(client, cast, edition, person())["code"] == "registration_not_open"


def test_same_email_in_another_case_is_refused(client, cast, participant):
    sign_up(participant.edition, participant, email="camille@example.org")

    body = person(email="Camille@Example.org")
    assert refusal(client, cast, participant.edition, body) == {
        "code": "already_registered",
        "message": "This email address is already registered for this day.",
    }


def test_wrong_invitation_code_is_refused(client, cast, participant):
    body = person(invitation_code="NOPE234567")
    assert refusal(client, cast, participant.edition, body) == {
        "code": "invalid_invitation_code",
        "message": "This invitation code is not valid for this day.",
    }


def test_invitation_only_category_without_code_is_refused(client, cast, edition):
    CategoryFactory(edition=edition, slug="speaker", is_public=False)

    body = person(category="speaker")
    assert refusal(client, cast, edition, body) == {
        "code": "invalid_invitation_code",
        "message": "This category is by invitation only.",
    }


def test_used_personal_invitation_is_refused(client, cast, edition):
    speaker = CategoryFactory(edition=edition, slug="speaker", is_public=False)
    invitation = Invitation.objects.create(
        edition=edition, category=speaker, email="guest@example.org"
    )
    body = person(category="speaker", invitation_code=invitation.code)
    call(client, "post", url(edition), cast.organiser, body)

    again = person(category="speaker", invitation_code=invitation.code)
    assert refusal(client, cast, edition, again) == {
        "code": "invalid_invitation_code",
        "message": "This invitation has already been used.",
    }


def test_invitation_code_opens_an_invitation_only_category_before_opening(client, cast, edition):
    edition.registration_opens_at = NOW + dt.timedelta(days=1)
    edition.save()
    speaker = CategoryFactory(edition=edition, slug="speaker", is_public=False)
    group = Invitation.objects.create(
        edition=edition, category=speaker, kind=InvitationKind.GROUP, max_uses=5
    )

    body = person(category="speaker", invitation_code=group.code.lower())
    response = call(client, "post", url(edition), cast.organiser, body)

    assert response.status_code == 201
    registration = Registration.objects.get()
    assert (registration.category, registration.invitation, registration.source) == (
        speaker,
        group,
        Source.API,
    )


# 422 ---------------------------------------------------------------------------------------


def invalid(client, cast, edition, body):
    response = call(client, "post", url(edition), cast.organiser, body)
    assert response.status_code == 422
    assert Registration.objects.count() == 0
    body = response.json()
    assert (body["code"], body["message"]) == (
        "invalid",
        "Some parameters are not valid: see the errors.",
    )
    return {(tuple(error["loc"]), error["type"]) for error in body["errors"]}


def test_missing_and_blank_names_are_refused_per_field(client, cast, participant):
    body = person(first_name="   ")
    del body["last_name"]

    assert invalid(client, cast, participant.edition, body) == {
        (("body", "payload", "first_name"), "string_too_short"),
        (("body", "payload", "last_name"), "missing"),
    }


def test_names_longer_than_the_model_allows_are_refused(client, cast, participant):
    body = person(first_name="A" * 51, last_name="B" * 51, badge_name="C" * 101)

    assert invalid(client, cast, participant.edition, body) == {
        (("body", "payload", "first_name"), "string_too_long"),
        (("body", "payload", "last_name"), "string_too_long"),
        (("body", "payload", "badge_name"), "string_too_long"),
    }


def test_names_with_line_breaks_are_refused(client, cast, participant):
    body = person(first_name="Camille\nExemple", last_name="Ex\temple")

    assert invalid(client, cast, participant.edition, body) == {
        (("body", "payload", "first_name"), "control_character"),
        (("body", "payload", "last_name"), "control_character"),
    }


def test_characters_no_database_stores_are_refused_before_the_rules(client, cast, participant):
    # The API's parser refuses them in any field, before the schema: one error, its place in
    # the body.
    body = person(last_name="Ex\x00emple")

    assert invalid(client, cast, participant.edition, body) == {
        (("body", "last_name"), "unstorable_character")
    }


@pytest.mark.parametrize("email", ["pas-une-adresse", "a@b", "camille\n@example.org", ""])
def test_invalid_email_is_refused(client, cast, participant, email):
    errors = invalid(client, cast, participant.edition, person(email=email))

    assert {location for location, _type in errors} == {("body", "payload", "email")}


def test_unknown_category_and_organisation_are_refused_per_field(client, cast, participant):
    body = person(category="nope", organisation="nope")
    response = call(client, "post", url(participant.edition), cast.organiser, body)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "loc": ["body", "payload", "category"],
            "msg": "This edition has no such category.",
            "type": "unknown_category",
        },
        {
            "loc": ["body", "payload", "organisation"],
            "msg": "No organisation of the directory has this slug.",
            "type": "unknown_organisation",
        },
    ]
    assert Registration.objects.count() == 0


def test_category_of_another_edition_is_unknown(client, cast, edition):
    CategoryFactory(edition=cast.edition_two, slug="participant")

    assert invalid(client, cast, edition, person()) == {
        (("body", "payload", "category"), "unknown_category")
    }


def test_body_that_is_not_json_is_refused(client, cast, participant):
    response = client.post(
        url(participant.edition),
        data="{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(cast.organiser)}",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert Registration.objects.count() == 0


# Who may --------------------------------------------------------------------------------------


def test_register_without_token_is_401(client, participant):
    response = call(client, "post", url(participant.edition), None, person())

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert Registration.objects.count() == 0


@pytest.mark.parametrize("who", ["editor", "agent", "viewer", "outsider", "other_organiser"])
def test_register_with_a_token_without_the_right_is_403(client, cast, participant, who):
    response = call(client, "post", url(participant.edition), getattr(cast, who), person())

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Registration.objects.count() == 0


def test_superuser_may_register(client, cast, participant):
    assert (
        call(client, "post", url(participant.edition), cast.superuser, person()).status_code == 201
    )


def test_register_on_an_unknown_edition_is_404(client, cast):
    response = call(client, "post", "/api/v1/editions/nope/registrations", cast.organiser, person())

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No edition has this address."}


# List --------------------------------------------------------------------------------------


def test_list_gives_every_registration_in_order_with_its_details(client, cast, edition):
    edition.capacity = 1
    edition.save()
    category = CategoryFactory(edition=edition, slug="participant")
    pole = OrganisationFactory(name="Pôle Exemple", slug="pole-exemple")
    first = sign_up(edition, category, organisation=pole, email="a@example.org")
    second = sign_up(edition, category, organisation_name="Tapé à la main")

    response = call(client, "get", url(edition), cast.organiser)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first_item, second_item = body["items"]
    assert first_item == {
        "id": first.pk,
        "first_name": "Dominique",
        "last_name": first.last_name,
        "badge_name": "",
        "email": "a@example.org",
        "organisation": "pole-exemple",
        "organisation_name": "Pôle Exemple",
        "category": "participant",
        "status": "confirmed",
        "waitlist_position": None,
        "waiting_reason": None,
        "waiting_limit": None,
        "source": "form",
        "created_at": timezone.localtime(first.created_at).isoformat(timespec="milliseconds"),
        "confirmed_at": timezone.localtime(first.confirmed_at).isoformat(timespec="milliseconds"),
        "cancelled_at": None,
    }
    assert (
        second_item["id"],
        second_item["status"],
        second_item["waitlist_position"],
        second_item["waiting_reason"],
        second_item["waiting_limit"],
    ) == (second.pk, "waitlisted", 1, "edition_full", 1)
    assert (second_item["organisation"], second_item["organisation_name"]) == (
        None,
        "Tapé à la main",
    )


def test_list_filters_by_status_and_category(client, cast, edition):
    participant = CategoryFactory(edition=edition, slug="participant")
    press = CategoryFactory(edition=edition, slug="press")
    kept = sign_up(edition, press)
    sign_up(edition, participant)
    capacity.cancel(sign_up(edition, press))

    response = call(
        client, "get", url(edition) + "?status=confirmed&category=press", cast.organiser
    )

    assert [item["id"] for item in response.json()["items"]] == [kept.pk]


def test_list_waitlist_positions_follow_the_waiting_list(client, cast, edition):
    edition.capacity = 1
    edition.save()
    category = CategoryFactory(edition=edition, slug="participant")
    sign_up(edition, category)
    waiting = [sign_up(edition, category) for _ in range(3)]
    capacity.cancel(waiting[0])

    body = call(client, "get", url(edition) + "?status=waitlisted", cast.organiser).json()

    assert [(item["id"], item["waitlist_position"]) for item in body["items"]] == [
        (waiting[1].pk, 1),
        (waiting[2].pk, 2),
    ]


def test_list_is_paginated(client, cast, participant):
    registrations = [sign_up(participant.edition, participant) for _ in range(3)]

    body = call(
        client, "get", url(participant.edition) + "?limit=1&offset=1", cast.organiser
    ).json()

    assert ([item["id"] for item in body["items"]], body["count"]) == ([registrations[1].pk], 3)


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("?category=nope", ["query", "category"]),
        ("?status=nope", ["query", "status"]),
        ("?limit=0", ["query", "limit"]),
        ("?limit=501", ["query", "limit"]),
        ("?offset=-1", ["query", "offset"]),
    ],
)
def test_list_refuses_bad_filters(client, cast, participant, query, location):
    response = call(client, "get", url(participant.edition) + query, cast.organiser)

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["errors"]] == [location]


@pytest.mark.parametrize("who", ["editor", "agent", "viewer", "outsider", "other_organiser"])
def test_list_with_a_token_without_the_right_is_403(client, cast, participant, who):
    sign_up(participant.edition, participant)

    response = call(client, "get", url(participant.edition), getattr(cast, who))

    assert response.status_code == 403
    assert "items" not in response.json()


def test_list_without_token_is_401(client, participant):
    assert call(client, "get", url(participant.edition)).status_code == 401


def test_list_of_an_unknown_edition_is_404(client, cast):
    response = call(client, "get", "/api/v1/editions/nope/registrations", cast.organiser)
    assert response.status_code == 404


def queries_to_list(client, cast, edition):
    token = token_for(cast.organiser)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(edition), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_registrations(client, cast, edition):
    edition.capacity = 2
    edition.save()
    category = CategoryFactory(edition=edition, slug="participant")
    pole = OrganisationFactory()
    sign_up(edition, category, organisation=pole)
    with_one = queries_to_list(client, cast, edition)
    sign_up(edition, category, organisation=OrganisationFactory())
    sign_up(edition, category, organisation=pole)  # waiting

    assert queries_to_list(client, cast, edition) == with_one


# Cancel ------------------------------------------------------------------------------------


def cancel_url(registration):
    return f"/api/v1/registrations/{registration.pk}/cancel"


def test_cancel_frees_the_seat_for_the_first_waiting_person(client, cast, edition):
    edition.capacity = 1
    edition.save()
    category = CategoryFactory(edition=edition, slug="participant")
    seated = sign_up(edition, category)
    waiting = sign_up(edition, category)

    response = call(client, "post", cancel_url(seated), cast.organiser)

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["waitlist_position"]) == (seated.pk, "cancelled", None)
    assert body["cancelled_at"] is not None
    waiting.refresh_from_db()
    assert waiting.status == CONFIRMED


def test_cancelling_twice_answers_the_same_registration_unchanged(client, cast, participant):
    registration = sign_up(participant.edition, participant)
    first = call(client, "post", cancel_url(registration), cast.organiser).json()

    again = call(client, "post", cancel_url(registration), cast.organiser)

    assert again.status_code == 200
    assert again.json() == first
    assert Message.objects.filter(kind="registrations.cancelled").count() == 1


@pytest.mark.parametrize("who", ["editor", "agent", "viewer", "outsider", "other_organiser"])
def test_cancel_with_a_token_without_the_right_is_403(client, cast, participant, who):
    registration = sign_up(participant.edition, participant)

    response = call(client, "post", cancel_url(registration), getattr(cast, who))

    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.status == CONFIRMED


def test_cancel_without_token_is_401(client, participant):
    registration = sign_up(participant.edition, participant)
    assert call(client, "post", cancel_url(registration)).status_code == 401


@pytest.mark.parametrize("number", ["999999", "99999999999999999999", "0", "-1"])
def test_cancel_of_an_unknown_registration_is_404(client, cast, number):
    response = call(client, "post", f"/api/v1/registrations/{number}/cancel", cast.organiser)

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No registration has this number."}


# Availability ------------------------------------------------------------------------------


def test_availability_counts_seats_overall_and_per_public_category(client, edition):
    edition.capacity = 4
    edition.save()
    participant = CategoryFactory(edition=edition, name="Participant", slug="participant", quota=2)
    press = CategoryFactory(edition=edition, name="Presse", slug="press")
    speaker = CategoryFactory(edition=edition, name="Intervenant", slug="speaker", is_public=False)
    sign_up(edition, participant)
    sign_up(edition, participant)
    sign_up(edition, participant)  # waiting: the quota is reached
    capacity.cancel(sign_up(edition, press))
    Invitation.objects.create(
        edition=edition,
        category=speaker,
        email="guest@example.org",
        holds_seat_until=NOW + dt.timedelta(days=2),
    )

    response = call(client, "get", url(edition, "availability"))

    assert response.status_code == 200
    assert response.json() == {
        "capacity": 4,
        "confirmed": 2,
        "available": 1,
        "waiting": 1,
        "categories": [
            {
                "slug": "participant",
                "name": "Participant",
                "quota": 2,
                "confirmed": 2,
                "available": 0,
                "waiting": 1,
            },
            {
                "slug": "press",
                "name": "Presse",
                "quota": None,
                "confirmed": 0,
                "available": 1,
                "waiting": 0,
            },
        ],
    }


def test_availability_gives_no_limit_as_null(client):
    edition = EditionFactory(capacity=None)
    CategoryFactory(edition=edition, slug="participant")

    body = call(client, "get", url(edition, "availability")).json()

    assert (body["capacity"], body["available"], body["categories"][0]["available"]) == (
        None,
        None,
        None,
    )


def test_availability_never_names_anyone(client, participant):
    sign_up(participant.edition, participant, email="secret@example.org", first_name="Secret")

    content = call(client, "get", url(participant.edition, "availability")).content.decode()

    assert "secret" not in content.lower()


def test_availability_of_a_draft_or_unknown_edition_is_404(client):
    draft = EditionFactory(status=EditionStatus.DRAFT)

    for slug in (draft.slug, "nope"):
        response = call(client, "get", f"/api/v1/editions/{slug}/availability")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_availability_takes_two_queries_whatever_the_categories(
    client, edition, django_assert_num_queries
):
    CategoryFactory(edition=edition)
    with django_assert_num_queries(2):  # the edition, the categories with their counts
        call(client, "get", url(edition, "availability"))
    CategoryFactory(edition=edition)
    CategoryFactory(edition=edition)
    with django_assert_num_queries(2):
        call(client, "get", url(edition, "availability"))


# Schema ------------------------------------------------------------------------------------


def test_schema_describes_the_registration_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    operations = {
        ("/api/v1/editions/{slug}/registrations", "post"): (
            "create_registration",
            {"201", "400", "401", "403", "404", "409", "413", "414", "422", "429"},
        ),
        ("/api/v1/editions/{slug}/registrations", "get"): (
            "list_registrations",
            {"200", "401", "403", "404", "414", "422", "429"},
        ),
        ("/api/v1/registrations/{registration_id}/cancel", "post"): (
            "cancel_registration",
            {"200", "401", "403", "404", "414", "422", "429"},
        ),
        ("/api/v1/editions/{slug}/availability", "get"): (
            "get_availability",
            {"200", "404", "414", "429"},
        ),
    }
    for (path, method), (operation_id, responses) in operations.items():
        operation = paths[path][method]
        assert (operation["operationId"], set(operation["responses"])) == (
            operation_id,
            responses,
        )
    description = paths["/api/v1/editions/{slug}/registrations"]["post"]["description"]
    assert description.startswith("Register one person with the public rules")
