"""The one rule for a person's names, for every form and API that takes them.

A name is what an identity document prints, and it ends up on tickets, badges, the venue's
security list and spreadsheets: letters of any script, with their combining marks, and the
few signs names use between them. Everything else is refused with a message that names the
character, rather than stored and escaped wherever the name is shown.

- Allowed: letters (Unicode categories L*) and the combining marks (M*) that follow a
  letter; spaces; hyphens (``-``, U+2010 HYPHEN); apostrophes (``'``, U+2019 RIGHT SINGLE
  QUOTATION MARK, U+02BC MODIFIER LETTER APOSTROPHE); periods; U+200C ZERO WIDTH
  NON-JOINER between a letter (or its mark) and a letter, which Persian and Indic spellings
  need.
- A name starts with a letter: nothing a spreadsheet reads as a formula (``-``, ``=``,
  ``+``, ``@``), no leading apostrophe or period.
- :data:`MAX_LENGTH` characters for each part (first names, last name): it must fit an ID
  card; :data:`FULL_NAME_MAX_LENGTH` for a whole name in one field.
- Before the check, :func:`normalise`: NFC, any space separator (no-break space…) read as a
  plain space, runs of spaces collapsed, surrounding spaces stripped.

The models keep their longer fields: rows written before the rule stay as they are, and
``ptce check_names`` lists those the rule would refuse. Part of the shared kernel: imports
no domain app.
"""

import re
import unicodedata
from typing import Annotated

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

#: Most characters of one part of a name (first names, or last name).
MAX_LENGTH = 50
#: Most characters of a whole name typed in one field (a charter representative's).
FULL_NAME_MAX_LENGTH = 100

HYPHENS = "-\u2010"
APOSTROPHES = "'\u2019\u02bc"
#: The signs allowed between letters, besides spaces.
SIGNS = frozenset(HYPHENS + APOSTROPHES + ".")
ZERO_WIDTH_NON_JOINER = "\u200c"

_SPACES = re.compile(" {2,}")

MESSAGES = {
    "character_not_allowed": _(
        "The character “%(character)s” is not accepted in a name: use letters, spaces, "
        "hyphens, apostrophes and periods only."
    ),
    # Shown by code point: the character itself would show nothing, or garble the message.
    "invisible_character": _(
        "The invisible character %(code_point)s is not accepted in a name: use letters, "
        "spaces, hyphens, apostrophes and periods only."
    ),
    "name_start": _("A name must start with a letter."),
}


def normalise(value):
    """``value`` in NFC, spaces made plain, collapsed and stripped."""
    value = unicodedata.normalize("NFC", value)
    value = "".join(" " if unicodedata.category(c) == "Zs" else c for c in value)
    return _SPACES.sub(" ", value).strip()


def _is_letter(character):
    return unicodedata.category(character).startswith("L")


def _is_mark(character):
    return unicodedata.category(character).startswith("M")


def _allowed_at(name, index):
    character = name[index]
    if character == " " or character in SIGNS or _is_letter(character):
        return True
    before = name[index - 1] if index else ""
    after = name[index + 1 : index + 2]
    if _is_mark(character):
        # A mark belongs to the letter before it (several marks may stack).
        return bool(before) and (_is_letter(before) or _is_mark(before))
    if character == ZERO_WIDTH_NON_JOINER:
        return (
            bool(before and after)
            and (_is_letter(before) or _is_mark(before))
            and _is_letter(after)
        )
    return False


def _refused(character):
    category = unicodedata.category(character)
    code_point = f"U+{ord(character):04X}"
    if category == "Cc":
        # Line breaks, tabs, NUL: the code the API gave them before this rule.
        code = "control_character"
    elif category[0] in "CZM":
        code = "invisible_character"
    else:
        return ValidationError(
            MESSAGES["character_not_allowed"],
            code="character_not_allowed",
            params={"character": character, "code_point": code_point},
        )
    return ValidationError(
        MESSAGES["invisible_character"], code=code, params={"code_point": code_point}
    )


def problem(value, *, max_length=MAX_LENGTH):
    """The first thing the rule refuses in ``value`` (normalised first), as a
    :class:`~django.core.exceptions.ValidationError` whose ``params`` hold the refused
    character's ``code_point`` (and ``character`` when visible); None when the name is
    fine. An empty name is no problem here: whether one is required is the field's
    business.

    Codes: ``character_not_allowed``, ``invisible_character``, ``control_character``,
    ``name_start``, ``max_length``.
    """
    name = normalise(value)
    if not name:
        return None
    if name[0] in SIGNS:
        return ValidationError(MESSAGES["name_start"], code="name_start")
    # Past this loop the first character is a letter: a mark or a joiner needs one before.
    for index, character in enumerate(name):
        if not _allowed_at(name, index):
            return _refused(character)
    try:
        MaxLengthValidator(max_length)(name)
    except ValidationError as error:
        return error
    return None


@deconstructible
class NameValidator:
    """The rule as a Django validator: raises :class:`ValidationError` (see :func:`problem`
    for the codes)."""

    def __init__(self, max_length=MAX_LENGTH):
        self.max_length = max_length

    def __call__(self, value):
        error = problem(value, max_length=self.max_length)
        if error is not None:
            raise error

    def __eq__(self, other):
        return isinstance(other, NameValidator) and other.max_length == self.max_length


validate_name = NameValidator()
validate_full_name = NameValidator(FULL_NAME_MAX_LENGTH)


class NameField(forms.CharField):
    """A form field for a person's name(s): normalised (:func:`normalise`), then checked.

    :meth:`accept` a name stored before the rule: given again unchanged, it is kept (a person
    editing other details is not stopped by a name accepted earlier).
    """

    def __init__(self, *, max_length=MAX_LENGTH, **kwargs):
        self.name_max_length = max_length
        self.accepted = set()
        # The validator checks the length too (after normalising): no second length check.
        super().__init__(validators=[NameValidator(max_length)], **kwargs)
        self.max_length = max_length

    def accept(self, stored):
        """Let the stored name ``stored`` through as it is, whatever the rule says."""
        if stored:
            self.accepted.add(normalise(stored))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if not widget.is_hidden:
            attrs["maxlength"] = str(self.name_max_length)
        return attrs

    def to_python(self, value):
        return normalise(super().to_python(value))

    def run_validators(self, value):
        if value in self.accepted:
            return
        super().run_validators(value)


def _api_check(max_length):
    def check(value):
        name = normalise(value)
        if not name:
            raise PydanticCustomError(
                "string_too_short", str(forms.Field.default_error_messages["required"])
            )
        error = problem(name, max_length=max_length)
        if error is not None:
            code = "string_too_long" if error.code == "max_length" else error.code
            # Without a context, pydantic shows the message as it is (braces included).
            raise PydanticCustomError(code, error.messages[0])
        return name

    return check


def _api_type(max_length):
    return Annotated[
        str,
        AfterValidator(_api_check(max_length)),
        WithJsonSchema({"type": "string", "minLength": 1, "maxLength": max_length}),
    ]


#: A name part for django-ninja schemas: normalised, or refused with a 422 naming the field.
PersonName = _api_type(MAX_LENGTH)
#: A whole name in one field.
FullName = _api_type(FULL_NAME_MAX_LENGTH)
