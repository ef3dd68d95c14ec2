"""The short ticket code: what an agent types when the QR code cannot be read.

Every ticket prints, under its QR code, ten characters of Crockford's base32 in groups of
four, four and two (``K7Q2-9XMA-3F``): nine characters (45 bits) of a keyed hash of the
registration's ``public_id``, then a check character (Luhn mod 32), which catches every
mistyped character and almost every swap of two neighbours before anything is looked up.
Read aloud, the alphabet is unambiguous: no I, L, O or U; typed, :func:`normalise` takes any
case, spaces and dashes, O for 0, I and L for 1.

The code is computed again whenever needed (never stored), with a key derived from the
edition's ticket key (:func:`admission.keys.derived_key`): it is stable as long as the
tickets are. Alone it admits no one: the agent still checks the ID against the names shown.

Guessing is bounded twice. Online, the API rate-limits the lookups and a random code has
one chance in 2**45 / (people registered) of naming someone. Offline, the door device holds
no code: for each attendee only a 20-bit tag of an HMAC of the code (:func:`tag`), under a
key it also holds. Each tag fits 2**25 codes, so the device's data cannot tell anyone's code,
while a typed code still finds its person (and, rarely, a stranger the ID check sends away).
"""

import hashlib
import hmac

from django.utils.translation import gettext_lazy as _

from admission import keys
from registrations.models import Registration

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
VALUES = {char: value for value, char in enumerate(ALPHABET)}
#: What people type for what they read: Crockford's substitutions.
SUBSTITUTES = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: Separators people put between the groups, or that come with a copy and paste.
SEPARATORS = str.maketrans("", "", " -_.\u00a0\u202f\t")
DATA_LENGTH = 9
LENGTH = DATA_LENGTH + 1
GROUPS = (4, 4, 2)
#: Bits of the offline tag: few enough that a tag fits millions of codes.
TAG_BITS = 20
CODE_INFO = b"ptce.admission.short-codes.v1"
TAG_INFO = b"ptce.admission.short-code-tags.v1"
EXAMPLE = "K7Q2-9XMA-3F"

#: Why a typed code is refused, by :class:`InvalidCode` code; the check-in app shows the same
#: words when it decides offline.
MESSAGES = {
    "length": _(
        "A ticket code has %(expected)s characters (for example %(example)s): this one has "
        "%(count)s."
    ),
    "character": _("A ticket code has no letter “%(character)s”: check the code on the ticket."),
    "symbol": _("“%(character)s” is not in a ticket code: it has only digits and letters."),
    "check": _(
        "This code is not a ticket's: a character was misread or mistyped. Check it against "
        "the ticket."
    ),
}


class InvalidCode(ValueError):
    """A typed code that cannot be a ticket's: ``message`` says why, in the active language.

    ``code`` is stable (API, tests): a key of :data:`MESSAGES`; ``values`` fill it.
    """

    def __init__(self, code, message, values=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.values = values or {}


def code_for(registration, *, key=None):
    """The registration's code, grouped for reading (``K7Q2-9XMA-3F``).

    ``key``: the edition's code key (:func:`code_key`), when computing many codes.
    """
    key = key or code_key(registration.edition)
    return display(_raw_code(key, registration.public_id))


def display(code):
    """A normalised code in its printed groups."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(code[start : start + size])
        start += size
    return "-".join(parts)


def normalise(text):
    """The ten characters of a typed code, or :class:`InvalidCode` saying what is wrong."""
    cleaned = str(text).upper().translate(SEPARATORS).translate(SUBSTITUTES)
    wrong = next((char for char in cleaned if char not in VALUES), None)
    if wrong is not None:
        _refuse("character" if wrong.isalnum() else "symbol", character=wrong)
    if len(cleaned) != LENGTH:
        _refuse("length", expected=LENGTH, example=EXAMPLE, count=len(cleaned))
    if _check_character(cleaned[:DATA_LENGTH]) != cleaned[DATA_LENGTH]:
        _refuse("check")
    return cleaned


def _refuse(code, **values):
    message = str(MESSAGES[code])
    raise InvalidCode(code, message % values if values else message, values)


def find(edition, text):
    """The registration of ``edition`` whose code is ``text`` (typed any way), or None.

    Raises :class:`InvalidCode` for a code no ticket can have. Any status: the caller says
    "cancelled" for a registration without a ticket.
    """
    pk = index(edition).get(normalise(text))
    if pk is None:
        return None
    return Registration.objects.select_related("category", "organisation").filter(pk=pk).first()


def index(edition):
    """``{code: registration pk}`` of every registration of ``edition``: one HMAC each, a few
    milliseconds for thousands of people."""
    key = code_key(edition)
    people = Registration.objects.filter(edition=edition).values_list("pk", "public_id")
    return {_raw_code(key, public_id): pk for pk, public_id in people.iterator()}


def code_key(edition):
    """The key the edition's codes are computed with (never leaves the server)."""
    return keys.derived_key(edition, CODE_INFO)


def tag_key(edition):
    """The key of the offline tags, handed to the door devices."""
    return keys.derived_key(edition, TAG_INFO)


def tag(key, code):
    """The offline tag of a normalised ``code``: the first :data:`TAG_BITS` bits of
    HMAC-SHA256(``key``, code), as an integer. The check-in app computes the same."""
    digest = hmac.new(key, code.encode("ascii"), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") >> (32 - TAG_BITS)


def tags(edition, registrations):
    """``(tag key, {registration pk: tag})`` for the door device's download."""
    key, lookup = code_key(edition), tag_key(edition)
    return lookup, {
        registration.pk: tag(lookup, _raw_code(key, registration.public_id))
        for registration in registrations
    }


def _raw_code(key, public_id):
    digest = hmac.new(key, public_id.bytes, hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big") >> (64 - 5 * DATA_LENGTH)
    data = "".join(
        ALPHABET[(number >> (5 * (DATA_LENGTH - 1 - index))) & 31] for index in range(DATA_LENGTH)
    )
    return data + _check_character(data)


def _check_character(data):
    """Luhn mod 32: the character that makes the weighted sum of the code a multiple of 32."""
    total, factor = 0, 2
    for char in reversed(data):
        addend = factor * VALUES[char]
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[-total % 32]
