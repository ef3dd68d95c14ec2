"""The public registration form: one person or a group, its errors, its abuse guards."""

import datetime as dt
import html
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from events.enums import EditionStatus
from network.enums import OrganisationKind
from outbox.models import Message
from registrations.enums import InvitationKind, RegistrationStatus, Source
from registrations.links import manage_path
from registrations.models import Booking, Registration
from registrations.views.public import booking_token
from tests.factories import (
    CategoryFactory,
    EditionFactory,
    InvitationFactory,
    OrganisationFactory,
    RegistrationFactory,
)

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
NOW = timezone.now()
URL = "/journees/journee/inscription/"


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    # Rate limits count per window of the wall clock: every request of a test in one window.
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def edition(db):
    return EditionFactory(
        slug="journee",
        capacity=300,
        registration_opens_at=NOW - dt.timedelta(days=1),
        registration_closes_at=NOW + dt.timedelta(days=10),
    )


@pytest.fixture
def category(edition):
    return CategoryFactory(
        edition=edition,
        name="Participant",
        slug="participant",
        description="Toute personne intéressée.",
        position=1,
    )


@pytest.fixture
def pole(db):
    return OrganisationFactory(name="Pôle Écotone", kind=OrganisationKind.POLE)


def person(n=0, **fields):
    values = {
        "first_name": "Camille",
        # A letter per person: digits are not accepted in a name.
        "last_name": f"Exemple {'ABCDEFGHIJK'[n]}",
        "email": f"camille{n}@example.org",
        "organisation": "Pôle Écotone",
        "category": "participant",
        "diet": "standard",
    }
    values.update(fields)
    return {f"p{n}-{name}": value for name, value in values.items() if value is not None}


def form(*people, **extra):
    data = {"people": str(len(people)), "submission_key": str(uuid.uuid4())}
    for fields in people:
        data.update(fields)
    data.update(extra)
    return data


def post(client, data, url=URL, **headers):
    return client.post(url, data, REMOTE_ADDR="192.0.2.1", **headers)


def page(response):
    return response.content.decode()


def field_error(response, field_id):
    """The texts of the error list tied to the field ``field_id``."""
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', page(response))
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


# The page ------------------------------------------------------------------------------


def test_form_asks_each_detail_with_public_categories_and_directory_organisations(
    client, edition, category, pole
):
    CategoryFactory(edition=edition, name="Intervenant", slug="intervenant", is_public=False)
    OrganisationFactory(name="Réseau Exemple", kind=OrganisationKind.NETWORK)
    OrganisationFactory(name="Entreprise Exemple", kind=OrganisationKind.ENTERPRISE)

    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    text = page(response)
    assert response.status_code == 200
    assert "<legend>Person 1" in text
    assert '<label for="id_p0-first_name">First name(s), as on the ID</label>' in text
    assert "the venue&#x27;s security checks it against the list of expected people" in text
    assert 'value="participant"' in text
    assert "Toute personne intéressée." in text
    assert "intervenant" not in text
    assert '<option value="Pôle Écotone"></option>' in text
    assert '<option value="Réseau Exemple"></option>' in text
    assert "Entreprise Exemple" not in text
    for consent in ("consent_public_list", "consent_photos", "consent_news"):
        assert f'<input type="checkbox" name="p0-{consent}" id="id_p0-{consent}">' in text
    assert 'name="p0-birth_date"' not in text
    assert 'name="submission_key"' in text
    assert 'name="website"' in text


def test_form_asks_only_the_venue_fields_switched_on(client, edition, category):
    edition.security_fields = ["birth_date", "nationality"]
    edition.save()

    text = page(client.get(URL))

    assert 'type="date" name="p0-birth_date"' in text
    assert 'name="p0-nationality"' in text
    assert 'name="p0-birth_place"' not in text
    assert 'name="p0-employer"' not in text


def test_form_prefills_the_code_from_the_address(client, edition, category):
    text = page(client.get(URL + "?code=ABCD2345"))

    assert 'name="code" value="ABCD2345"' in text


def test_edition_page_links_to_the_form_while_registration_is_open(client, edition):
    text = page(client.get("/journees/journee/", HTTP_ACCEPT_LANGUAGE="en"))

    assert f'href="{URL}">Go to the registration form</a>' in text


@pytest.mark.parametrize(
    ("opens", "closes", "says"),
    [
        (1, 10, "Registration opens at"),
        (-10, -1, "Registration is closed."),
    ],
)
def test_form_is_not_shown_outside_the_registration_window(client, db, opens, closes, says):
    EditionFactory(
        slug="journee",
        registration_opens_at=NOW + dt.timedelta(days=opens),
        registration_closes_at=NOW + dt.timedelta(days=closes),
    )

    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert says in page(response)
    assert '<form class="form registration-form"' not in page(response)


def test_closed_edition_refuses_a_posted_form(client, db, category):
    category.edition.registration_closes_at = NOW - dt.timedelta(hours=1)
    category.edition.save()

    response = post(client, form(person()), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Registration is closed." in page(response)
    assert Registration.objects.count() == 0


@pytest.mark.parametrize("slug", ["inconnue", "brouillon"])
def test_unknown_or_draft_edition_is_not_found(client, db, slug):
    EditionFactory(slug="brouillon", status=EditionStatus.DRAFT)

    assert client.get(f"/journees/{slug}/inscription/").status_code == 404
    assert post(client, form(person()), url=f"/journees/{slug}/inscription/").status_code == 404


# Registering ---------------------------------------------------------------------------


def test_registering_one_person_confirms_and_shows_the_result(client, edition, category, pole):
    data = form(
        person(
            first_name="Marie-Claire Anne",
            last_name="Dupont",
            email="Marie@Example.org",
            organisation="pôle écotone",
            badge_name="Marie",
            job_title="Coordinatrice",
            accessibility_needs="Fauteuil roulant",
            diet="vegetarian",
            **{"consent_public_list": "on", "consent_news": "on"},
        )
    )

    response = post(client, data, HTTP_ACCEPT_LANGUAGE="en")

    registration = Registration.objects.get()
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response.url == f"/journees/journee/inscription/confirmation/{booking_token(booking)}/"
    assert registration.status == CONFIRMED
    assert registration.source == Source.FORM
    assert (registration.first_name, registration.last_name) == ("Marie-Claire Anne", "Dupont")
    assert registration.email == "Marie@Example.org"
    assert registration.organisation == pole
    assert registration.organisation_name == ""
    assert registration.category == category
    assert registration.badge_name == "Marie"
    assert registration.job_title == "Coordinatrice"
    assert registration.accessibility_needs == "Fauteuil roulant"
    assert registration.diet == "vegetarian"
    assert (
        registration.consent_public_list,
        registration.consent_photos,
        registration.consent_news,
    ) == (True, False, True)
    assert registration.language == "en"
    assert registration.booking == booking
    assert (booking.email, booking.language, booking.edition) == (
        "Marie@Example.org",
        "en",
        edition,
    )
    assert str(booking.submission_key) == data["submission_key"]


def test_registration_language_is_the_page_language(client, edition, category):
    post(client, form(person()))

    assert Registration.objects.get().language == "fr"


def test_organisation_outside_the_directory_is_kept_as_typed(client, edition, category, pole):
    post(client, form(person(organisation="  Association  des Amis ")))

    registration = Registration.objects.get()
    assert registration.organisation is None
    assert registration.organisation_name == "Association des Amis"


def test_organisation_matches_the_directory_without_accents_or_case(client, edition, category):
    pole = OrganisationFactory(name="Pôle Écotone", kind=OrganisationKind.POLE)
    OrganisationFactory(name="Pole Ecotone SARL", kind=OrganisationKind.ENTERPRISE)

    post(client, form(person(organisation="POLE ECOTONE")))

    assert Registration.objects.get().organisation == pole


def test_result_page_sends_to_the_mailbox_and_shows_no_status_nor_link(client, edition, category):
    edition.capacity = 1
    edition.is_demonstration = False
    edition.save()
    response = post(client, form(person(0), person(1), person(2)))

    result = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")

    text = page(result)
    registrations = Registration.objects.order_by("pk")
    assert result.status_code == 200
    assert [r.status for r in registrations] == [CONFIRMED, WAITLISTED, WAITLISTED]
    assert "<h1>Check your mailbox" in text
    assert "An email is on its way to camille0@example.org, and one to each colleague" in text
    assert 'href="/journees/journee/inscription/lien/">Get the links again by email</a>' in text
    # The answers go by email only: the page would otherwise differ for an address
    # registered already (see test_an_address_already_registered_...).
    for registration in registrations:
        assert manage_path(registration) not in text
        assert registration.last_name not in text
    assert "On the waiting list" not in text
    assert result["Cache-Control"] == "private, no-store"
    assert result["X-Robots-Tag"] == "noindex"
    assert result["Referrer-Policy"] == "no-referrer"


def test_result_page_of_the_demonstration_shows_each_status_and_manage_link(
    client, edition, category
):
    edition.capacity = 1
    edition.is_demonstration = True
    edition.save()
    response = post(client, form(person(0), person(1), person(2)))

    text = page(client.get(response.url, HTTP_ACCEPT_LANGUAGE="en"))

    assert "Demonstration: the links the emails hold" in text
    assert "Confirmed:</strong> a seat is booked (Participant)." in text
    assert "On the waiting list</strong> (position 1)" in text
    assert "On the waiting list</strong> (position 2)" in text
    for registration in Registration.objects.all():
        assert f'href="{manage_path(registration)}"' in text


def test_result_page_with_a_tampered_token_is_not_found(client, edition, category):
    response = post(client, form(person()))
    token = response.url.split("/")[-2]

    assert client.get(response.url.replace(token, token[:-1] + "x")).status_code == 404
    assert client.get(response.url.replace(token, "nimporte")).status_code == 404
    other = EditionFactory(slug="autre")
    elsewhere = response.url.replace("/journees/journee/", f"/journees/{other.slug}/")
    assert client.get(elsewhere).status_code == 404


# A group -------------------------------------------------------------------------------


def test_group_colleagues_default_to_the_booker_organisation_and_category(
    client, edition, category, pole
):
    press = CategoryFactory(edition=edition, name="Presse", slug="presse")
    data = form(
        person(0),
        person(1, organisation="", category=None, email=""),
        person(2, organisation="Autre Structure", category="presse"),
    )

    post(client, data)

    first, second, third = Registration.objects.order_by("pk")
    booking = Booking.objects.get()
    assert [r.booking for r in (first, second, third)] == [booking] * 3
    assert (second.organisation, second.category, second.email) == (pole, category, "")
    assert (third.organisation, third.organisation_name, third.category) == (
        None,
        "Autre Structure",
        press,
    )


def test_add_person_shows_one_more_person_keeping_what_was_typed(client, edition, category):
    data = form(person(0, first_name="Léa", organisation="Réseau Exemple"), add_person="1")

    response = post(client, data)

    text = page(response)
    assert response.status_code == 200
    assert Registration.objects.count() == 0
    assert 'name="people" value="2"' in text
    assert 'name="p0-first_name" value="Léa"' in text
    assert "<legend>Personne 2" in text
    # The new colleague starts with the booker's organisation and category, changeable.
    assert 'name="p1-organisation" value="Réseau Exemple"' in text
    assert 'name="p1-category" id="id_p1-category_0" value="participant" checked' in text
    assert 'name="p1-first_name"' in text
    assert f'value="{data["submission_key"]}"' in text
    assert "errorlist" not in text


def test_remove_person_takes_out_that_colleague_only(client, edition, category):
    data = form(
        person(0, first_name="Ana"),
        person(1, first_name="Bea"),
        person(2, first_name="Cleo"),
        remove_person="1",
    )

    text = page(post(client, data))

    assert 'name="people" value="2"' in text
    assert 'name="p0-first_name" value="Ana"' in text
    assert 'name="p1-first_name" value="Cleo"' in text
    assert "Bea" not in text
    assert Registration.objects.count() == 0


def test_removing_the_booker_or_nobody_changes_nothing(client, edition, category):
    for remove in ("0", "7", "x"):
        data = form(person(0, first_name="Ana"), person(1, first_name="Bea"), remove_person=remove)
        text = page(post(client, data))
        assert 'name="people" value="2"' in text


def test_a_group_is_capped_at_ten_people(client, edition, category):
    people = [person(n) for n in range(10)]

    text = page(post(client, form(*people, add_person="1")))
    assert 'name="people" value="10"' in text
    assert 'name="add_person"' not in text

    post(client, form(*people, person(10), people="11"))
    assert Registration.objects.count() == 10


def test_group_of_three_with_a_cap_of_two_per_pole_puts_the_third_on_the_waiting_list(
    client, edition, pole
):
    CategoryFactory(edition=edition, slug="participant", organisation_cap=2)

    post(client, form(person(0), person(1), person(2)))

    assert list(Registration.objects.order_by("pk").values_list("status", flat=True)) == [
        CONFIRMED,
        CONFIRMED,
        WAITLISTED,
    ]
    assert {r.organisation for r in Registration.objects.all()} == {pole}


def test_the_same_address_twice_in_a_group_is_refused(client, edition, category):
    response = post(
        client,
        form(person(0, email="a@example.org"), person(1, email="A@example.org")),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert field_error(response, "id_p1-email") == [
        "Person 1 already has this address: each person needs their own, or none."
    ]
    assert Registration.objects.count() == 0


# Codes ---------------------------------------------------------------------------------


def test_group_code_opens_an_invitation_only_category(client, edition, category):
    speakers = CategoryFactory(edition=edition, slug="intervenant", is_public=False)
    InvitationFactory(
        edition=edition, category=speakers, kind=InvitationKind.GROUP, code="ABCD2345", email=""
    )

    response = post(client, form(person(0, category=None), person(1), code="abcd 2345"))

    assert response.status_code == 302
    assert [r.category for r in Registration.objects.all()] == [speakers, speakers]
    assert {r.source for r in Registration.objects.all()} == {Source.INVITATION}


def test_wrong_code_is_shown_on_the_code_field(client, edition, category):
    response = post(client, form(person(), code="FAUX"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    assert field_error(response, "id_code") == ["This invitation code is not valid for this day."]
    assert Registration.objects.count() == 0
    assert Booking.objects.count() == 0


def test_an_invitation_only_category_cannot_be_chosen_without_a_code(client, edition, category):
    CategoryFactory(edition=edition, slug="intervenant", is_public=False)

    response = post(client, form(person(category="intervenant")), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert field_error(response, "id_p0-category") == ["Choose one of the categories shown."]
    assert Registration.objects.count() == 0


# Bad input -----------------------------------------------------------------------------


def test_empty_form_shows_each_error_next_to_its_field_and_in_a_summary(client, edition, category):
    response = post(client, form({}), HTTP_ACCEPT_LANGUAGE="en")

    text = page(response)
    assert response.status_code == 400
    described = {
        "first_name": "id_p0-first_name_helptext id_p0-first_name_error",
        "last_name": "id_p0-last_name_error",
        "email": "id_p0-email_helptext id_p0-email_error",
        "organisation": "id_p0-organisation_helptext id_p0-organisation_error",
    }
    for field, describedby in described.items():
        assert field_error(response, f"id_p0-{field}") == ["This field is required."]
        assert f'aria-invalid="true" aria-describedby="{describedby}" id="id_p0-{field}"' in text
    assert field_error(response, "id_p0-category") == ["Choose a category."]
    assert field_error(response, "id_p0-diet") == ["This field is required."]
    assert "The form has 6 errors: nothing was registered." in text
    assert '<a href="#id_p0-first_name">Person 1, First name(s), as on the ID: ' in text
    assert '<a href="#id_p0-category_0">Person 1, Category: Choose a category.</a>' in text
    assert Registration.objects.count() == 0


def test_over_long_fields_and_invalid_emails_are_refused(client, edition, category):
    data = form(
        person(
            first_name="A" * 51,
            last_name="B" * 51,
            badge_name="C" * 101,
            email="pas-une-adresse",
            accessibility_needs="D" * 1001,
        )
    )

    response = post(client, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    for field in ("first_name", "last_name"):
        assert field_error(response, f"id_p0-{field}") == [
            "Ensure this value has at most 50 characters (it has 51)."
        ]
    assert field_error(response, "id_p0-badge_name") == [
        "Ensure this value has at most 100 characters (it has 101)."
    ]
    assert field_error(response, "id_p0-email") == ["Enter a valid email address."]
    assert field_error(response, "id_p0-accessibility_needs") == [
        "Ensure this value has at most 1000 characters (it has 1001)."
    ]
    assert Registration.objects.count() == 0


def test_names_with_line_breaks_or_control_characters_are_refused(client, edition, category):
    response = post(
        client,
        form(person(first_name="Jean\nPierre", last_name="Dupont\x07")),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    for field, code_point in (("first_name", "U+000A"), ("last_name", "U+0007")):
        assert field_error(response, f"id_p0-{field}") == [
            f"The invisible character {code_point} is not accepted in a name: use letters, "
            "spaces, hyphens, apostrophes and periods only."
        ]


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [
        ("d'Artagnan", "O\u2019Brien"),
        ("Zoë", "Ĳsselmeer-Ørsted"),
        ("محمد", "כהן"),
        ("شیرین\u200cدخت", "Nguyễn"),
    ],
)
def test_names_are_kept_exactly_and_escaped(client, edition, category, first_name, last_name):
    response = post(client, form(person(first_name=first_name, last_name=last_name)))

    registration = Registration.objects.get()
    assert (registration.first_name, registration.last_name) == (first_name, last_name)
    text = page(client.get(response.url))
    assert f"{html.escape(first_name)} {html.escape(last_name)}" in text


def test_birth_date_must_be_in_the_past_and_after_1900(client, edition, category):
    edition.security_fields = ["birth_date"]
    edition.save()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    for value, error in (
        (tomorrow.isoformat(), "A date of birth must be in the past."),
        (timezone.localdate().isoformat(), "A date of birth must be in the past."),
        ("1899-12-31", "Give a date of birth after 1900."),
        ("31/02/1990", "Enter a valid date."),
        ("", "This field is required."),
    ):
        response = post(client, form(person(birth_date=value)), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert field_error(response, "id_p0-birth_date") == [error]
    assert Registration.objects.count() == 0

    post(client, form(person(birth_date="1980-05-17")))
    assert Registration.objects.get().birth_date == dt.date(1980, 5, 17)


def test_venue_fields_not_asked_for_are_ignored(client, edition, category):
    post(client, form(person(birth_date="1980-05-17", nationality="Française")))

    registration = Registration.objects.get()
    assert (registration.birth_date, registration.nationality) == (None, "")


def test_other_diet_needs_its_details(client, edition, category):
    response = post(client, form(person(diet="other")), HTTP_ACCEPT_LANGUAGE="en")

    assert field_error(response, "id_p0-dietary_notes") == ["Say which diet you follow."]


def answer_page(client, response):
    """The page a visitor sees after sending the form, without what differs by nature from
    one submission to the next (the address typed, the CSRF token of the language menu)."""
    assert response.status_code == 302
    text = page(client.get(response.url, HTTP_ACCEPT_LANGUAGE="en"))
    text = re.sub(r"[\w.+-]+@example\.org", "ADDRESS", text, flags=re.IGNORECASE)
    text = text.replace(response.url, "RESULT-ADDRESS")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_an_address_already_registered_gets_the_same_answer_as_a_new_one_and_its_link(
    client, edition, category, smtp_server, send_outbox
):
    edition.is_demonstration = False
    edition.save()
    known = RegistrationFactory(
        edition=edition, category=category, email="camille@example.org", language="en"
    )

    again = post(client, form(person(email="CAMILLE@Example.ORG")), HTTP_ACCEPT_LANGUAGE="en")
    new = post(client, form(person(email="dominique@example.org")), HTTP_ACCEPT_LANGUAGE="en")

    assert answer_page(client, again) == answer_page(client, new)
    assert list(Registration.objects.values_list("email", flat=True).order_by("pk")) == [
        "camille@example.org",
        "dominique@example.org",
    ]
    assert send_outbox() == ["sent", "sent"]
    [message] = smtp_server.to("camille@example.org")
    text = message.get_body(("plain",)).get_content()
    assert "it is already registered: no second registration was made" in text
    assert manage_path(known) in text
    assert smtp_server.to("dominique@example.org")[0]["Subject"].startswith(
        "Your seat is confirmed"
    )


def test_a_group_registers_the_new_colleagues_and_sends_the_known_one_its_link(
    client, edition, category
):
    edition.capacity = 2
    edition.save()
    known = RegistrationFactory(edition=edition, category=category, email="deja@example.org")

    response = post(
        client,
        form(person(0), person(1, email="DEJA@example.org"), person(2)),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    booking = Booking.objects.get()
    # The known colleague takes no seat: the one left goes to the third person.
    assert list(booking.registrations.values_list("email", "status").order_by("pk")) == [
        ("camille0@example.org", CONFIRMED),
        ("camille2@example.org", WAITLISTED),
    ]
    reminders = Message.objects.filter(kind="registrations.manage_link")
    assert list(reminders.values_list("recipient", "object_id", "context")) == [
        ("deja@example.org", known.pk, {"to": "attendee", "why": "registered_again"})
    ]


def test_a_group_refused_for_another_reason_sends_the_known_address_nothing(
    client, edition, category
):
    edition.capacity = 1
    edition.has_waiting_list = False
    edition.save()
    RegistrationFactory(edition=edition, category=category, email="deja@example.org")

    response = post(
        client,
        form(person(0), person(1, email="deja@example.org"), person(2)),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 409
    assert "There are no seats left for this day." in page(response)
    assert 'id="person-0" aria-describedby="person-0-errors"' in page(response)
    assert (Registration.objects.count(), Booking.objects.count(), Message.objects.count()) == (
        1,
        0,
        0,
    )


def test_full_edition_without_waiting_list_refuses_next_to_the_person(client, edition, category):
    edition.capacity = 1
    edition.has_waiting_list = False
    edition.save()

    response = post(client, form(person(0), person(1)), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    assert "There are no seats left for this day." in page(response)
    assert 'id="person-1" aria-describedby="person-1-errors"' in page(response)
    assert Registration.objects.count() == 0


# Abuse ---------------------------------------------------------------------------------


def test_double_submission_creates_one_booking_and_shows_its_result(client, edition, category):
    data = form(person(0), person(1))

    first = post(client, data)
    second = post(client, data)

    assert Booking.objects.count() == 1
    assert Registration.objects.count() == 2
    assert second.status_code == 302
    assert second.url == first.url


def test_honeypot_filled_in_registers_nobody(client, edition, category):
    response = post(client, form(person(), website="http://spam.example"))

    assert response.status_code == 400
    assert Registration.objects.count() == 0
    assert Booking.objects.count() == 0


def test_too_many_submissions_from_one_address_are_refused_keeping_the_form(
    client, edition, category, settings
):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "registration": "2/h"}

    statuses = [post(client, form(person(email=f"p{n}@example.org"))).status_code for n in (1, 2)]
    # Adding a person is not a submission and is not counted.
    adding = post(client, form(person(), add_person="1")).status_code
    limited = post(client, form(person(email="p3@example.org")))

    assert statuses == [302, 302]
    assert adding == 200
    assert limited.status_code == 429
    assert limited.templates[0].name == "registrations/register.html"
    assert 'name="p0-email" value="p3@example.org"' in page(limited)
    assert Registration.objects.count() == 2
    other_address = client.post(URL, form(person(email="p4@example.org")), REMOTE_ADDR="192.0.2.2")
    assert other_address.status_code == 302


def test_rate_limit_can_be_switched_off_for_a_load_test(client, edition, category, settings):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "registration": "1/h"}
    settings.PTCE_PUBLIC_FORM_RATELIMITS = False

    statuses = [post(client, form(person(email=f"p{n}@example.org"))).status_code for n in range(3)]

    assert statuses == [302, 302, 302]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twice_at_once_creates_one_booking(edition, category):
    data = form(person(0), person(1))
    barrier = Barrier(2)

    def send(_):
        try:
            client = Client()
            barrier.wait()
            response = post(client, data)
            return response.status_code, response.url
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(send, range(2)))

    assert Booking.objects.count() == 1
    assert Registration.objects.count() == 2
    assert results[0] == results[1]
    assert results[0][0] == 302
