import base64
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import icalendar
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.db import connection

from admission import keys
from admission.keys import TicketKeyUnreadable, key_for, public_key_b64, public_key_for
from admission.models import EditionKey
from admission.tickets import (
    TOKEN_LENGTH,
    InvalidTicket,
    NoTicket,
    TicketClaim,
    check_ticket,
    qr_svg,
    ticket_ics,
    token_for,
    verify_token,
)
from events.models import Edition
from registrations.capacity import cancel, register
from registrations.enums import RegistrationStatus
from registrations.links import manage_path
from tests.factories import CategoryFactory, EditionFactory

PTCE = str(Path(sys.executable).with_name("ptce"))
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.fixture
def edition(db):
    return EditionFactory(capacity=1)


def _participant(edition):
    return edition.categories.first() or CategoryFactory(edition=edition, name="Participant")


def attendee(edition, email="camille@example.org", **details):
    category = _participant(edition)
    return register(
        edition,
        category=category,
        first_name=details.pop("first_name", "Camille"),
        last_name=details.pop("last_name", "Exemple"),
        email=email,
        by_organiser=True,
        **details,
    )


def test_token_round_trip_gives_the_edition_and_the_registration(edition):
    registration = attendee(edition)

    token = token_for(registration)

    assert token.startswith("P1")
    assert len(token) == TOKEN_LENGTH == 116
    assert set(token[2:]) <= set(ALPHABET)
    assert verify_token(token, public_key_for(edition)) == TicketClaim(
        edition_id=edition.pk, public_id=registration.public_id
    )


def test_token_is_deterministic_so_it_need_not_be_stored(edition):
    registration = attendee(edition)

    assert token_for(registration) == token_for(registration)


def test_token_verifies_with_the_public_key_alone_outside_django(edition):
    registration = attendee(edition)
    token = token_for(registration)
    payload = base64.urlsafe_b64decode(token[2:] + "=" * (-len(token[2:]) % 4))
    public_key = base64.urlsafe_b64decode(public_key_b64(edition) + "=")

    # What a scanner does: split the bytes, verify the signature over the first 21.
    Ed25519PublicKey.from_public_bytes(public_key).verify(payload[21:], payload[:21])
    assert payload[0] == 1
    assert int.from_bytes(payload[1:5], "big") == edition.pk
    assert uuid.UUID(bytes=payload[5:21]) == registration.public_id


def test_every_single_character_change_of_a_token_is_refused(edition):
    token = token_for(attendee(edition))
    public_key = public_key_for(edition)
    tampered = 0
    for position in range(len(token)):
        for replacement in ALPHABET + "=+/ .":
            if replacement == token[position]:
                continue
            forged = token[:position] + replacement + token[position + 1 :]
            with pytest.raises(InvalidTicket):
                verify_token(forged, public_key)
            tampered += 1
    assert tampered == len(token) * (len(ALPHABET) + 5 - 1)


def test_every_single_bit_flip_of_the_signed_bytes_is_refused(edition):
    token = token_for(attendee(edition))
    payload = bytearray(base64.urlsafe_b64decode(token[2:] + "=" * (-len(token[2:]) % 4)))
    public_key = public_key_for(edition)
    for index in range(len(payload)):
        for bit in range(8):
            forged = bytearray(payload)
            forged[index] ^= 1 << bit
            encoded = base64.urlsafe_b64encode(bytes(forged)).rstrip(b"=").decode()
            with pytest.raises(InvalidTicket):
                verify_token("P1" + encoded, public_key)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "P1",
        "hello",
        "P2" + "A" * 114,
        "P1" + "A" * 113,
        "P1" + "A" * 115,
        "P1" + "A" * 114,
        "P1" + "é" * 114,
        None,
        12345,
        b"P1" + b"A" * 114,
    ],
)
def test_malformed_tokens_are_invalid_tickets(edition, garbage):
    with pytest.raises(InvalidTicket):
        verify_token(garbage, public_key_for(edition))
    assert check_ticket(garbage, edition).code == "invalid"


def test_token_of_another_edition_is_refused_by_this_editions_key(edition):
    other = EditionFactory()
    token = token_for(attendee(other))

    with pytest.raises(InvalidTicket):
        verify_token(token, public_key_for(edition))
    assert check_ticket(token, edition).code == "wrong_edition"


def test_token_signed_with_a_key_not_the_editions_is_invalid(edition):
    registration = attendee(edition)
    message = b"\x01" + edition.pk.to_bytes(4, "big") + registration.public_id.bytes
    forged_signature = Ed25519PrivateKey.generate().sign(message)
    forged = "P1" + base64.urlsafe_b64encode(message + forged_signature).rstrip(b"=").decode()

    assert check_ticket(forged, edition).code == "invalid"
    assert check_ticket(forged, edition).registration is None


def test_token_naming_an_edition_that_does_not_exist_is_invalid(edition):
    registration = attendee(edition)
    token = token_for(registration)
    payload = bytearray(base64.urlsafe_b64decode(token[2:] + "=="))
    payload[1:5] = (2**32 - 1).to_bytes(4, "big")
    forged = "P1" + base64.urlsafe_b64encode(bytes(payload)).rstrip(b"=").decode()

    assert check_ticket(forged, edition).code == "invalid"


def test_check_of_a_confirmed_registrations_ticket_is_valid(edition):
    registration = attendee(edition)

    result = check_ticket(token_for(registration), edition)

    assert (result.code, result.registration) == ("valid", registration)
    assert result.is_valid


def test_ticket_is_revoked_when_the_registration_is_cancelled(edition):
    registration = attendee(edition)
    token = token_for(registration)

    cancel(registration)

    result = check_ticket(token, edition)
    assert (result.code, result.registration) == ("revoked", registration)
    assert str(result.message) == "Ce billet a été révoqué\u00a0: l'inscription a été annulée."
    # Offline, the signature still holds: revocation is the server's and the list's business.
    assert verify_token(token, public_key_for(edition)).public_id == registration.public_id
    with pytest.raises(NoTicket):
        token_for(registration)


def test_waitlisted_registration_has_no_ticket(edition):
    attendee(edition)
    waiting = attendee(edition, email="dominique@example.org")

    assert waiting.status == RegistrationStatus.WAITLISTED
    with pytest.raises(NoTicket):
        token_for(waiting)
    with pytest.raises(NoTicket):
        qr_svg(waiting)


def test_ticket_of_a_deleted_registration_is_unknown(edition):
    registration = attendee(edition)
    token = token_for(registration)

    registration.delete()

    assert check_ticket(token, edition).code == "unknown"


def test_key_is_created_with_the_edition(db):
    edition = EditionFactory.create()

    row = EditionKey.objects.get(edition=edition)
    assert len(bytes(row.public_key)) == 32
    assert public_key_for(edition) == bytes(row.public_key)


def test_key_for_creates_the_key_of_an_older_edition_once(edition):
    EditionKey.objects.filter(edition=edition).delete()

    created = key_for(edition)

    assert key_for(edition).pk == created.pk
    assert EditionKey.objects.filter(edition=edition).count() == 1


def test_each_edition_has_its_own_key(edition):
    assert public_key_for(edition) != public_key_for(EditionFactory())


def test_private_key_is_encrypted_at_rest(edition):
    private = keys.private_key_for(edition)
    raw_private = keys._raw_private(private)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT public_key, encrypted_private_key FROM admission_editionkey "
            "WHERE edition_id = %s",
            [edition.pk],
        )
        public_column, private_column = (bytes(value) for value in cursor.fetchone())

    assert public_column == keys._raw_public(private)
    assert raw_private not in private_column
    assert base64.b64encode(raw_private) not in private_column
    assert raw_private.hex().encode() not in private_column
    # A nonce, the 32 bytes of the key encrypted, the 16 bytes of the GCM tag.
    assert len(private_column) == 12 + 32 + 16


def test_changed_secret_key_gives_a_clear_error(edition, settings):
    registration = attendee(edition)
    settings.SECRET_KEY = "another secret key, at least thirty-two characters long"

    with pytest.raises(TicketKeyUnreadable) as caught:
        token_for(registration)

    assert "SECRET_KEY has changed since the key was created" in str(caught.value)


def test_former_secret_key_in_fallbacks_still_decrypts(edition, settings):
    registration = attendee(edition)
    token = token_for(registration)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another secret key, at least thirty-two characters long"

    assert token_for(registration) == token


def test_encrypted_key_copied_to_another_edition_does_not_decrypt(edition):
    other = EditionFactory()
    EditionKey.objects.filter(edition=other).update(
        encrypted_private_key=bytes(key_for(edition).encrypted_private_key)
    )

    with pytest.raises(TicketKeyUnreadable):
        keys.private_key_for(Edition.objects.get(pk=other.pk))


def test_qr_svg_is_a_standalone_scalable_svg(edition):
    svg = qr_svg(attendee(edition)).decode()

    assert svg.startswith('<?xml version="1.0" encoding="utf-8"?>\n<svg ')
    assert "viewBox" in svg
    assert "style=" not in svg


def test_ticket_calendar_has_a_uid_per_registration_and_the_manage_link(edition, settings):
    settings.SITE_URL = "https://journees.example.org"
    registration = attendee(edition, first_name="Zoé", last_name="Lefèvre")

    calendar = icalendar.Calendar.from_ical(ticket_ics(registration, language="en"))

    (event,) = calendar.walk("VEVENT")
    assert (
        str(event["UID"]) == f"ptce-registration-{registration.public_id.hex}@journees.example.org"
    )
    assert str(event["SUMMARY"]) == f"{edition.title} (demonstration)"
    description = str(event["DESCRIPTION"])
    assert "Registered: Zoé Lefèvre (Participant)" in description
    assert f"https://journees.example.org{manage_path(registration)}" in description
    assert event.decoded("DTSTART") == edition.starts_at
    assert ticket_ics(registration) == ticket_ics(registration)


def test_backup_contains_the_encrypted_edition_key(tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SITE_URL", "DEBUG"}
    }
    env["PTCE_VAR_DIR"] = str(var_dir)

    def ptce(*args):
        return subprocess.run(
            [PTCE, *args], env=env, capture_output=True, text=True, timeout=120, check=True
        )

    ptce("migrate", "--noinput", "--verbosity=0")
    created = ptce(
        "shell",
        "--command="
        "import datetime; "
        "from events.models import Edition; "
        "from admission.keys import public_key_for; "
        "edition = Edition.objects.create(title='Journée sauvegardée', slug='sauvegardee', "
        "summary='Une journée.', date=datetime.date(2030, 6, 1)); "
        "print(public_key_for(edition).hex())",
    )
    public_key = bytes.fromhex(created.stdout.split()[-1])
    target = tmp_path / "backup.sqlite3"

    ptce("backup", str(target))

    copy = sqlite3.connect(target)
    try:
        rows = copy.execute(
            "SELECT e.title, k.public_key, length(k.encrypted_private_key) "
            "FROM admission_editionkey k JOIN events_edition e ON e.id = k.edition_id"
        ).fetchall()
    finally:
        copy.close()
    assert rows == [("Journée sauvegardée", public_key, 60)]
