"""Email addresses that people give to receive mail: on the Internet, so with a dotted domain.

Django's own validator accepts ``jean@localhost`` (its allow-list), an address no mail from
this site can reach. Forms add :func:`require_dotted_domain` to their ``EmailField`` (which
checks the rest); the API, which has no such field, checks with :func:`validate_address`.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

MESSAGE = _("Enter a complete email address, whose domain has a dot (name@example.org).")


def require_dotted_domain(value):
    """Refuse an address that Django accepts but whose domain has no dot (``jean@localhost``);
    an address Django refuses is left to the field's own check (one message, not two)."""
    try:
        validate_email(value)
    except ValidationError:
        return
    if "." not in value.rpartition("@")[2].strip("."):
        raise ValidationError(MESSAGE, code="no_dotted_domain")


def validate_address(value):
    """Django's check of an email address, and :func:`require_dotted_domain`."""
    validate_email(value)
    require_dotted_domain(value)
