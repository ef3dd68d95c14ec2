"""The one rule for a person's names (common.names): the rule itself, then through each entry
point that takes names (the public form, the manage link, the API, the organiser's "add a
person", the charter's form), and ``ptce check_names`` on rows written before the rule."""

import datetime as dt
import html
import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from accounts.admin import UserChangeForm
from accounts.models import ApiToken
from charter.models import SigningRequest
from common.names import (
    FULL_NAME_MAX_LENGTH,
    MAX_LENGTH,
    FullName,
    NameField,
    PersonName,
    normalise,
    problem,
    validate_full_name,
    validate_name,
)
from outbox.models import Message
from registrations.links import manage_path
from registrations.models import Booking, Registration
from tests.auth import log_in
from tests.factories import (
    CategoryFactory,
    CharterVersionFactory,
    EditionFactory,
    PoleFactory,
    RegistrationFactory,
    SignatureFactory,
    UserFactory,
)

NOW = timezone.now()
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ONLY = "use letters, spaces, hyphens, apostrophes and periods only."


def refused(character):
    return f"The character “{character}” is not accepted in a name: {ONLY}"


def invisible(code_point):
    return f"The invisible character {code_point} is not accepted in a name: {ONLY}"


START = "A name must start with a letter."


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted as their English msgids, whatever the French catalogue says.
    with translation.override("en"):
        yield


# The rule ----------------------------------------------------------------------------------

ACCEPTED = [
    "Élodie",
    "Jean-Pierre",
    "O\u2019Brien",  # U+2019 right single quotation mark, the typographic apostrophe.
    "d'Artagnan",
    "Nguyễn",
    "محمد",
    "李",
    "J. R. R.",
    "شیرین\u200cدخت",  # Persian: a zero width non-joiner between two letters.
    "Ma\u02bcat",  # U+02BC modifier letter apostrophe.
    "Anne\u2010Sophie",  # U+2010 hyphen.
    "क्\u200cष",  # Devanagari: the non-joiner after a virama (a mark).
    "A" * MAX_LENGTH,
]


@pytest.mark.parametrize("name", ACCEPTED)
def test_names_of_any_script_with_their_signs_are_accepted(name):
    assert (problem(name), normalise(name)) == (None, name)


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("Jean7", "character_not_allowed", refused("7")),
        ("😀", "character_not_allowed", refused("😀")),
        ("<script>", "character_not_allowed", refused("<")),
        ('=HYPERLINK("x")', "character_not_allowed", refused("=")),
        ("+Jean", "character_not_allowed", refused("+")),
        ("@Jean", "character_not_allowed", refused("@")),
        ("Tom & Jerry", "character_not_allowed", refused("&")),
        ("12345", "character_not_allowed", refused("1")),
        ("-Jean", "name_start", START),
        ("'Jean", "name_start", START),
        (". Jean", "name_start", START),
        ("A" * 51, "max_length", "Ensure this value has at most 50 characters (it has 51)."),
        ("Jean\nPierre", "control_character", invisible("U+000A")),
        ("Jean\x00", "control_character", invisible("U+0000")),
        ("Jean\u200bPierre", "invisible_character", invisible("U+200B")),
        ("Jean\u200d", "invisible_character", invisible("U+200D")),
        # The non-joiner only between letters; a combining mark only after a letter.
        ("Jean\u200c", "invisible_character", invisible("U+200C")),
        ("Jean \u200cPierre", "invisible_character", invisible("U+200C")),
        ("Jean-\u0301Pierre", "invisible_character", invisible("U+0301")),
    ],
)
def test_other_characters_are_refused_with_a_message_naming_them(name, code, message):
    with pytest.raises(ValidationError) as raised:
        validate_name(name)

    assert (raised.value.code, raised.value.messages) == (code, [message])


def test_names_are_normalised_before_the_check():
    # NFD "É" (E + combining acute), a no-break space, runs of spaces, surrounding spaces.
    assert normalise("  E\u0301lodie \u00a0 Marie   Dupont ") == "Élodie Marie Dupont"
    assert problem("  " + "A" * MAX_LENGTH + "   ") is None


def test_a_full_name_may_have_one_hundred_characters():
    assert FULL_NAME_MAX_LENGTH == 100
    assert validate_full_name("A" * 100) is None
    with pytest.raises(ValidationError) as raised:
        validate_full_name("A" * 101)

    assert raised.value.messages == ["Ensure this value has at most 100 characters (it has 101)."]


def test_the_form_field_normalises_and_checks():
    field = NameField(label="Name")

    assert field.clean("  Jean   Pierre ") == "Jean Pierre"
    assert field.widget.attrs["maxlength"] == "50"
    with pytest.raises(ValidationError) as raised:
        field.clean("Jean7")
    assert raised.value.messages == [refused("7")]


def test_the_form_field_keeps_a_name_it_was_told_to_accept():
    field = NameField(label="Name")
    field.accept("Jean7")

    assert field.clean("Jean7") == "Jean7"
    with pytest.raises(ValidationError):
        field.clean("Jean8")


def test_the_api_type_normalises_and_refuses_with_a_code_and_a_message():
    names = TypeAdapter(PersonName)

    assert names.validate_python("  Nguyễn  Văn ") == "Nguyễn Văn"
    for value, code, message in (
        ("Jean{7}", "character_not_allowed", refused("{")),
        ("   ", "string_too_short", "This field is required."),
        ("A" * 51, "string_too_long", "Ensure this value has at most 50 characters (it has 51)."),
    ):
        with pytest.raises(PydanticValidationError) as raised:
            names.validate_python(value)
        assert [(e["type"], e["msg"]) for e in raised.value.errors()] == [(code, message)]
    assert TypeAdapter(FullName).validate_python("B" * 100) == "B" * 100


# The public registration form and the manage link -------------------------------------------

FORM = "/journees/journee/inscription/"


@pytest.fixture
def edition(db):
    return EditionFactory(
        slug="journee",
        registration_opens_at=NOW - dt.timedelta(days=1),
        registration_closes_at=NOW + dt.timedelta(days=10),
    )


@pytest.fixture
def category(edition):
    return CategoryFactory(edition=edition, name="Participant", slug="participant")


def field_error(response, field_id):
    match = re.search(
        rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', response.content.decode()
    )
    assert match, f"no error on {field_id}"
    return [html.unescape(text) for text in re.findall(r"<li>(.*?)</li>", match.group(1))]


def test_the_public_form_refuses_an_emoji_name_and_registers_nobody(client, edition, category):
    data = {
        "people": "1",
        "p0-first_name": "Camille 😀",
        "p0-last_name": "Exemple",
        "p0-email": "camille@example.org",
        "p0-organisation": "Pôle Exemple",
        "p0-category": "participant",
        "p0-diet": "standard",
    }

    response = client.post(FORM, data, REMOTE_ADDR="192.0.2.1", **EN)

    assert response.status_code == 400
    assert field_error(response, "id_p0-first_name") == [refused("😀")]
    assert (Registration.objects.count(), Booking.objects.count(), Message.objects.count()) == (
        0,
        0,
        0,
    )


def test_the_public_form_stores_the_normalised_names(client, edition, category):
    data = {
        "people": "1",
        "p0-first_name": "  Marie   Anne ",
        "p0-last_name": "d\u2019Arc-Dupont",
        "p0-email": "marie@example.org",
        "p0-organisation": "Pôle Exemple",
        "p0-category": "participant",
        "p0-diet": "standard",
    }

    response = client.post(FORM, data, REMOTE_ADDR="192.0.2.1", **EN)

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.first_name, registration.last_name) == ("Marie Anne", "d\u2019Arc-Dupont")


def manage_details(**fields):
    return {
        "first_name": "Jean7",
        "last_name": "Dupont",
        "badge_name": "",
        "job_title": "",
        "accessibility_needs": "",
        "diet": "standard",
        "dietary_notes": "",
        **fields,
    }


def test_the_manage_link_keeps_a_name_stored_before_the_rule_but_refuses_a_new_bad_one(
    client, edition, category
):
    registration = RegistrationFactory(
        edition=edition, category=category, first_name="Jean7", last_name="Dupont"
    )

    kept = client.post(manage_path(registration), manage_details(diet="vegetarian"), **EN)
    changed = client.post(manage_path(registration), manage_details(first_name="Jean8"), **EN)

    registration.refresh_from_db()
    assert kept.status_code == 302
    assert changed.status_code == 400
    assert field_error(changed, "id_first_name") == [refused("8")]
    assert (registration.first_name, registration.diet) == ("Jean7", "vegetarian")


# The registrations API -------------------------------------------------------------------


def test_the_api_answers_422_naming_the_field_and_the_character(client, cast):
    CategoryFactory(edition=cast.edition, slug="participant")
    cast.edition.registration_opens_at = NOW - dt.timedelta(days=1)
    cast.edition.registration_closes_at = NOW + dt.timedelta(days=10)
    cast.edition.save()
    token = ApiToken.issue(cast.organiser)[1]
    body = {
        "first_name": "Camille",
        "last_name": "<b>Exemple</b>",
        "email": "camille@example.org",
        "category": "participant",
    }

    response = client.post(
        f"/api/v1/editions/{cast.edition.slug}/registrations",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **EN,
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "message": "Some parameters are not valid: see the errors.",
        "errors": [
            {
                "loc": ["body", "payload", "last_name"],
                "msg": refused("<"),
                "type": "character_not_allowed",
            }
        ],
    }
    assert Registration.objects.count() == 0


# The organiser's "add a person" (and walk-ins) -------------------------------------------


@pytest.mark.parametrize("walk_in", [False, True])
def test_the_organisers_add_form_refuses_digits_in_a_name(client, cast, walk_in):
    participant = CategoryFactory(edition=cast.edition, slug="participant")
    data = {
        "category": str(participant.pk),
        "first_name": "Claude",
        "last_name": "Exemple 2",
        "email": "claude@example.org",
        "language": "fr",
    }
    if walk_in:
        data["walk_in"] = "on"

    response = log_in(client, cast.organiser).post(
        reverse("registrations:add", args=[cast.edition.slug]), data, **EN
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"last_name": [refused("2")]}
    assert Registration.objects.count() == 0


# The charter ------------------------------------------------------------------------------


def test_the_charter_form_refuses_markup_in_the_representatives_name(client, db):
    CharterVersionFactory()
    PoleFactory(organisation__name="Pôle Écotone")
    data = {
        "source": "directory",
        "organisation": "Pôle Écotone",
        "representative_name": "Camille <i>Exemple</i>",
        "representative_role": "Co-présidente",
        "representative_email": "camille@example.org",
        "has_mandate": "on",
    }

    response = client.post("/charte/2021/signer/", data, **EN)

    assert response.status_code == 400
    assert field_error(response, "id_representative_name") == [refused("<")]
    assert (SigningRequest.objects.count(), Message.objects.count()) == (0, 0)


# ptce check_names ----------------------------------------------------------------------------


def check_names():
    """(exit status, output) of ``ptce check_names``."""
    out = io.StringIO()
    try:
        call_command("check_names", stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def test_check_names_lists_rows_the_rule_refuses_without_the_names(edition, category):
    RegistrationFactory(edition=edition, category=category, first_name="Élodie", last_name="Martin")
    bad = RegistrationFactory(
        edition=edition, category=category, first_name="Jean7", last_name="Dupont\u200b"
    )
    long = RegistrationFactory(edition=edition, category=category, last_name="B" * 51)
    # Anonymised: empty names are no names.
    RegistrationFactory(edition=edition, category=category, first_name="", last_name="")
    signature = SignatureFactory(representative_name="-Camille Exemple")

    status, output = check_names()

    assert status == 1
    assert output.splitlines() == [
        f"registrations.Registration {bad.pk} first_name: character U+0037 not accepted",
        f"registrations.Registration {bad.pk} last_name: invisible character U+200B not accepted",
        f"registrations.Registration {long.pk} last_name: longer than 50 characters (51)",
        f"charter.Signature {signature.pk} representative_name: does not start with a letter",
        "4 name(s) refused by the rule.",
    ]
    assert "Jean" not in output
    assert "Camille" not in output
    assert Registration.objects.get(pk=bad.pk).first_name == "Jean7"


def test_check_names_exits_0_when_every_name_passes(edition, category):
    RegistrationFactory(edition=edition, category=category, first_name="李", last_name="Wang")

    assert check_names() == (0, "0 name(s) refused by the rule.\n")


# The admin's user form -----------------------------------------------------------------------


def test_the_admins_user_form_checks_names_but_keeps_stored_ones(db):
    user = UserFactory(first_name="Admin2", last_name="")
    fields = UserChangeForm(instance=user).fields

    assert fields["first_name"].clean("Admin2") == "Admin2"
    assert fields["last_name"].clean("") == ""
    with pytest.raises(ValidationError) as raised:
        fields["first_name"].clean("Admin3")
    assert raised.value.messages == [refused("3")]
