"""Each edition's Ed25519 ticket key, kept in the database encrypted with ``SECRET_KEY``.

The private key is encrypted with AES-GCM under a key derived from ``SECRET_KEY`` by
HKDF-SHA256 (salt and info naming this use, so the derived key serves nothing else), with the
edition's id as associated data: a key row copied onto another edition does not decrypt.
Because the key lives in the database, ``ptce backup`` carries it; restoring a backup needs
the same ``SECRET_KEY`` (or that key in ``SECRET_KEY_FALLBACKS``) to issue or check tickets.
"""

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from admission.models import EditionKey

HKDF_SALT = b"ptce.admission.edition-keys"
HKDF_INFO = b"AES-256-GCM key encrypting the editions' Ed25519 ticket keys, v1"
NONCE_SIZE = 12


class TicketKeyUnreadable(ImproperlyConfigured):
    """An edition's private key does not decrypt: ``SECRET_KEY`` changed since it was made."""


def key_for(edition):
    """The edition's key row, created (with a new key pair) if the edition has none yet."""
    try:
        return EditionKey.objects.get(edition_id=edition.pk)
    except EditionKey.DoesNotExist:
        pass
    private_key = Ed25519PrivateKey.generate()
    row = EditionKey(
        edition_id=edition.pk,
        public_key=_raw_public(private_key),
        encrypted_private_key=_encrypt(_raw_private(private_key), edition.pk),
    )
    try:
        # A savepoint: two requests creating the key at once, the second finds the first's.
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return EditionKey.objects.get(edition_id=edition.pk)
    return row


def private_key_for(edition):
    """The edition's signing key; raises :class:`TicketKeyUnreadable` if it won't decrypt."""
    row = key_for(edition)
    return Ed25519PrivateKey.from_private_bytes(
        _decrypt(bytes(row.encrypted_private_key), edition.pk)
    )


def public_key_for(edition):
    """The edition's public key: 32 raw bytes, all a scanner needs to verify its tickets."""
    return bytes(key_for(edition).public_key)


def public_key_b64(edition):
    """The public key in unpadded base64url, as handed to the check-in app."""
    return b64url(public_key_for(edition))


def b64url(data):
    """Bytes as unpadded base64url text: how keys and tickets travel to the check-in app."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def derived_key(edition, info):
    """A 32-byte key for one use (``info``), derived from the edition's private key by
    HKDF-SHA256: stable as long as the tickets are, and revealing nothing of the key."""
    private = _raw_private(private_key_for(edition))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=info).derive(private)


def _wrapping_key(secret):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO).derive(
        secret.encode("utf-8")
    )


def _associated_data(edition_id):
    return f"edition:{edition_id}".encode("ascii")


def _encrypt(private_bytes, edition_id):
    nonce = os.urandom(NONCE_SIZE)
    sealed = AESGCM(_wrapping_key(settings.SECRET_KEY)).encrypt(
        nonce, private_bytes, _associated_data(edition_id)
    )
    return nonce + sealed


def _decrypt(stored, edition_id):
    nonce, sealed = stored[:NONCE_SIZE], stored[NONCE_SIZE:]
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        try:
            return AESGCM(_wrapping_key(secret)).decrypt(
                nonce, sealed, _associated_data(edition_id)
            )
        except InvalidTag:
            continue
    raise TicketKeyUnreadable(
        f"The ticket key of edition {edition_id} cannot be decrypted with SECRET_KEY: "
        "SECRET_KEY has changed since the key was created. Set SECRET_KEY back to its former "
        "value (or add the former value to SECRET_KEY_FALLBACKS) to issue and check tickets."
    )


def _raw_private(private_key):
    return private_key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def _raw_public(private_key):
    return private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
