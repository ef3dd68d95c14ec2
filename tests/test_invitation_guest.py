"""A personal invitation seen by its guest: who invites to what, and one person's form."""

import datetime as dt

import pytest
from django.utils import timezone

from outbox.models import Message
from registrations import capacity
from registrations.enums import RegistrationStatus, Source
from registrations.models import Registration
from tests.factories import (
    CategoryFactory,
    EditionFactory,
    InvitationFactory,
    OrganisationFactory,
    RegistrationFactory,
    WorkshopFactory,
)

NOW = timezone.now()


@pytest.fixture
def edition(db):
    return EditionFactory(
        slug="journee",
        title="Journée nationale",
        capacity=300,
        organisers=[OrganisationFactory(name="Labo Exemple")],
        registration_opens_at=NOW - dt.timedelta(days=1),
        registration_closes_at=NOW + dt.timedelta(days=10),
    )


@pytest.fixture
def invitation(edition):
    speakers = CategoryFactory(edition=edition, name="Intervenant", is_public=False)
    return InvitationFactory(
        edition=edition, category=speakers, email="invitee@example.org", guest_name="Dr <Lee>"
    )


def url(invitation):
    return f"/invitation/{invitation.code}/"


def guest(**fields):
    values = {
        "p0-first_name": "Ada",
        "p0-last_name": "Lovelace",
        "p0-email": "invitee@example.org",
        "p0-organisation": "Société Analytique",
        "p0-diet": "standard",
    }
    values.update(fields)
    return values


def page(response):
    return response.content.decode()


def test_invitation_page_says_who_invites_to_what_with_the_email_prefilled(client, invitation):
    response = client.get(url(invitation), HTTP_ACCEPT_LANGUAGE="en")

    text = page(response)
    assert response.status_code == 200
    assert "Dear Dr &lt;Lee&gt;," in text
    assert "Labo Exemple invite you to Journée nationale, as Intervenant." in text
    assert 'name="p0-email" value="invitee@example.org"' in text
    assert 'name="p0-category"' not in text
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"


def test_guest_registers_in_the_invitation_category(client, invitation):
    response = client.post(url(invitation), guest(), HTTP_ACCEPT_LANGUAGE="en")

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response.url.startswith("/journees/journee/inscription/confirmation/")
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.category == invitation.category
    assert registration.invitation == invitation
    assert registration.source == Source.INVITATION
    assert registration.language == "en"
    assert registration.booking.email == "invitee@example.org"


def test_guest_chooses_a_workshop_in_the_invitation_form(client, invitation, edition):
    workshop = WorkshopFactory(edition=edition, title="Financer son pôle", capacity=2)
    field = f"p0-workshop_{workshop.pk}"

    assert f'name="{field}"' in page(client.get(url(invitation)))
    response = client.post(url(invitation), guest(**{field: str(workshop.pk)}))

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert list(registration.workshop_choices.values_list("session", "status")) == [
        (workshop.pk, "confirmed")
    ]


def test_guest_may_register_before_registration_opens(client, invitation, edition):
    edition.registration_opens_at = NOW + dt.timedelta(days=2)
    edition.save()

    assert client.post(url(invitation), guest()).status_code == 302
    assert Registration.objects.count() == 1


def test_guest_gets_the_seat_the_invitation_holds(client, invitation, edition):
    edition.capacity = 1
    edition.save()
    invitation.holds_seat_until = NOW + dt.timedelta(days=3)
    invitation.save()
    public = CategoryFactory(edition=edition, slug="participant")
    waiting = capacity.register(
        edition, category=public, first_name="A", last_name="B", email="autre@example.org"
    )

    client.post(url(invitation), guest())

    assert waiting.status == RegistrationStatus.WAITLISTED
    assert Registration.objects.get(invitation=invitation).status == RegistrationStatus.CONFIRMED


def test_used_invitation_says_so_with_the_lost_link_offer(client, invitation, edition):
    client.post(url(invitation), guest())

    response = client.get(url(invitation), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "This invitation has already been used" in page(response)
    assert 'href="/journees/journee/inscription/lien/"' in page(response)
    assert client.post(url(invitation), guest(**{"p0-email": "x@example.org"})).status_code == 200
    assert Registration.objects.count() == 1


@pytest.mark.parametrize("code", ["INCONNU", "<script>", "a" * 300])
def test_unknown_code_is_a_clear_404(client, invitation, code):
    response = client.get(f"/invitation/{code}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert "This invitation link is not valid" in page(response)


def test_revoked_invitation_is_a_404(client, invitation):
    capacity.revoke_invitation(invitation)

    assert client.get(url(invitation)).status_code == 404
    assert client.post(url(invitation), guest()).status_code == 404
    assert Registration.objects.count() == 0


def test_group_code_is_not_a_personal_link(client, invitation):
    invitation.kind = "group"
    invitation.save()

    assert client.get(url(invitation)).status_code == 404


def test_invitation_to_a_draft_edition_is_a_404(client, invitation, edition):
    edition.status = "draft"
    edition.save()

    assert client.get(url(invitation)).status_code == 404


def test_closed_registration_shows_no_form(client, invitation, edition):
    edition.registration_closes_at = NOW - dt.timedelta(hours=1)
    edition.save()

    response = client.get(url(invitation), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Registration is closed." in page(response)
    assert 'name="p0-first_name"' not in page(response)


def test_guest_form_errors_are_shown_and_nothing_is_registered(client, invitation):
    response = client.post(
        url(invitation),
        guest(**{"p0-first_name": "", "p0-email": "pas-une-adresse"}),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    text = page(response)
    assert response.status_code == 400
    assert '<ul class="errorlist" id="id_p0-first_name_error"><li>This field is required.' in text
    assert '<ul class="errorlist" id="id_p0-email_error"><li>Enter a valid email address.' in text
    assert Registration.objects.count() == 0


def test_guest_already_registered_gets_the_usual_answer_and_the_link_by_email(client, invitation):
    known = RegistrationFactory(edition=invitation.edition, email="INVITEE@example.org")

    response = client.post(url(invitation), guest(), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert response.url.startswith("/journees/journee/inscription/confirmation/")
    assert Registration.objects.filter(invitation=invitation).count() == 0
    assert list(
        Message.objects.filter(kind="registrations.manage_link").values_list(
            "recipient", "object_id"
        )
    ) == [("INVITEE@example.org", known.pk)]
    # Not taken: the guest may still use it with another address.
    assert 'name="p0-email"' in page(client.get(url(invitation)))
