from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def luhn_valid(digits):
    """The Luhn checksum that SIREN numbers carry."""
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siren(value):
    """A SIREN is nine digits whose Luhn checksum holds (spaces are tolerated when typed)."""
    digits = value.replace(" ", "")
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        raise ValidationError(_("A SIREN number has nine digits."), code="siren_length")
    if not luhn_valid(digits):
        raise ValidationError(
            _("This SIREN number is not valid: check for a typing mistake."), code="siren_checksum"
        )
