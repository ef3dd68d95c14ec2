"""Short ticket codes (admission.codes): printed, typed any way, found online through the
API (rate-limited), never held in clear by the door devices."""

import base64
import json
import random
import re

import pytest
from django.utils import timezone, translation

from accounts.models import ApiToken
from admission import codes
from admission.models import CheckIn
from registrations.capacity import cancel
from tests.factories import EntranceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

CODE_PATTERN = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}")


@pytest.fixture
def edition(cast):
    edition = cast.edition
    edition.date = timezone.localdate()
    edition.save()
    EntranceFactory(edition=edition, slug="a", name="Entrée A")
    return edition


@pytest.fixture
def person(edition):
    return RegistrationFactory(edition=edition, first_name="Camille", last_name="Exemple")


def lookup(client, edition, user, code, *, token=None):
    return client.post(
        f"/api/v1/editions/{edition.slug}/ticket-code",
        data=json.dumps({"code": code}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token or ApiToken.issue(user)[1]}",
        HTTP_ACCEPT_LANGUAGE="fr",
    )


def variants(code):
    """Ways people type ``K7Q2-9XMA-3F``: lower case, no dashes, spaces, 0 as O, 1 as I/L."""
    bare = code.replace("-", "")
    return [
        code,
        bare,
        bare.lower(),
        " ".join([bare[:4], bare[4:8], bare[8:]]),
        f"  {code.lower()}  ",
        bare.replace("0", "O"),
        bare.replace("0", "o").replace("1", "l"),
        bare.replace("1", "I"),
        code.replace("-", "\u00a0"),
        code.replace("-", "."),
    ]


def test_a_code_is_ten_crockford_characters_in_three_groups_and_stable(person):
    code = codes.code_for(person)

    assert CODE_PATTERN.fullmatch(code)
    assert codes.code_for(person) == code
    other = RegistrationFactory(edition=person.edition)
    assert codes.code_for(other) != code


def test_every_typing_variant_finds_the_person(edition, person):
    # Codes with 0 and 1 exercise the substitutions: search a person whose code has both.
    people = [person, *RegistrationFactory.create_batch(30, edition=edition)]
    code = next(
        (codes.code_for(p) for p in people if {"0", "1"} <= set(codes.code_for(p))),
        codes.code_for(person),
    )
    wanted = next(p for p in people if codes.code_for(p) == code)

    for typed in variants(code):
        assert codes.find(edition, typed) == wanted, typed


def test_a_wrong_check_character_is_refused_with_a_clear_message(edition, person):
    code = codes.code_for(person).replace("-", "")
    wrong = code[:-1] + next(c for c in codes.ALPHABET if c != code[-1])

    with translation.override("fr"), pytest.raises(codes.InvalidCode) as refused:
        codes.find(edition, wrong)

    assert refused.value.code == "check"
    assert refused.value.message == (
        "Ce code n'est pas celui d'un billet : un caractère a été mal lu ou mal tapé. "
        "Vérifiez-le sur le billet."
    )


def test_any_single_mistyped_character_is_caught_by_the_check(person):
    code = codes.code_for(person).replace("-", "")
    for position in range(codes.LENGTH):
        for char in codes.ALPHABET:
            if char != code[position]:
                typo = code[:position] + char + code[position + 1 :]
                with pytest.raises(codes.InvalidCode):
                    codes.normalise(typo)


@pytest.mark.parametrize(
    ("typed", "kind", "message"),
    [
        (
            "K7Q2-9XMA",
            "length",
            "Un code de billet a 10 caractères (par exemple K7Q2-9XMA-3F) : celui-ci en a 8.",
        ),
        (
            "K7Q2-9XMU-3F",
            "character",
            "Un code de billet n'a pas de lettre «\u00a0U\u00a0» : vérifiez le code sur le billet.",
        ),
        (
            "K7Q2/9XMA/3F",
            "symbol",
            "«\u00a0/\u00a0» ne fait pas partie d'un code de billet : il n'a que des chiffres "
            "et des lettres.",
        ),
    ],
)
def test_impossible_codes_say_what_is_wrong(typed, kind, message):
    with translation.override("fr"), pytest.raises(codes.InvalidCode) as refused:
        codes.normalise(typed)

    assert (refused.value.code, refused.value.message) == (kind, message)


def test_ten_thousand_random_codes_find_nobody(edition):
    RegistrationFactory.create_batch(50, edition=edition)
    known = codes.index(edition)
    assert len(known) == 50
    rng = random.Random(20270205)
    guesses = []
    for _ in range(10_000):
        data = "".join(rng.choice(codes.ALPHABET) for _ in range(codes.DATA_LENGTH))
        guesses.append(data + codes._check_character(data))

    assert not set(guesses) & set(known)
    # The same lookup as the API's, for a sample of them.
    assert [codes.find(edition, guess) for guess in guesses[:100]] == [None] * 100


def test_the_api_finds_the_person_typed_any_way_and_records_nothing(client, cast, edition, person):
    code = codes.code_for(person)

    response = lookup(client, edition, cast.agent, code.replace("-", "").lower())

    assert response.status_code == 200
    body = response.json()
    assert body["result"] == "valid"
    assert body["attendee"]["id"] == person.pk
    assert body["attendee"]["last_name"] == "Exemple"
    assert CheckIn.objects.count() == 0


def test_the_api_says_why_a_code_is_refused(client, cast, edition, person):
    code = codes.code_for(person).replace("-", "")
    wrong = code[:-1] + next(c for c in codes.ALPHABET if c != code[-1])

    refused = lookup(client, edition, cast.agent, wrong)
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["type"] == "invalid_code"
    assert error["msg"].startswith("Ce code n'est pas celui d'un billet")

    data = "ZZZZZZZZZ"
    unknown = lookup(client, edition, cast.agent, data + codes._check_character(data))
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "unknown_code"


def test_a_cancelled_registrations_code_is_revoked_and_shows_nobody(client, cast, edition, person):
    cancel(person)

    body = lookup(client, edition, cast.agent, codes.code_for(person)).json()

    assert body["result"] == "revoked"
    assert body["attendee"] is None


def test_only_those_who_check_in_may_look_a_code_up(client, cast, edition, person):
    code = codes.code_for(person)
    assert lookup(client, edition, cast.viewer, code).status_code == 403
    assert lookup(client, edition, cast.outsider, code).status_code == 403
    assert lookup(client, cast.edition_two, cast.agent, code).status_code == 403


def test_guessing_codes_online_is_rate_limited(client, cast, edition, person, settings):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "api_ticket_code": "5/m"}
    data = "ABCDEFGHJ"
    guess = data + codes._check_character(data)
    token = ApiToken.issue(cast.agent)[1]
    statuses = [lookup(client, edition, None, guess, token=token).status_code for _ in range(7)]

    assert statuses[:5] == [404] * 5
    assert statuses[5:] == [429, 429]


def test_the_offline_download_holds_tags_and_no_code_in_clear(client, cast, edition, person):
    others = RegistrationFactory.create_batch(5, edition=edition)
    response = client.get(
        f"/api/v1/editions/{edition.slug}/checkin-data",
        HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(cast.agent)[1]}",
    )
    text = response.content.decode()
    data = response.json()

    key = base64.urlsafe_b64decode(data["code_key"] + "=" * (-len(data["code_key"]) % 4))
    for registration in [person, *others]:
        code = codes.code_for(registration)
        assert code not in text
        assert code.replace("-", "") not in text
        attendee = next(a for a in data["attendees"] if a["id"] == registration.pk)
        assert attendee["code_tag"] == codes.tag(key, code.replace("-", ""))
        assert 0 <= attendee["code_tag"] < 2**codes.TAG_BITS
