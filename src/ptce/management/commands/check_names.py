"""``ptce check_names``: the stored names that the rule of :mod:`common.names` would refuse.

The rule came after some rows were written; those rows are not rewritten. This lists them so
that an organiser can ask the people concerned, and changes nothing. Each line names the
model, the primary key, the field and the reason, with the refused character as a code
point: never the name itself, which would put personal data into terminals and logs.
Anonymised (empty) names are skipped. Exit status 0 when every name passes, 1 otherwise.
"""

import sys

from django.core.management.base import BaseCommand

from charter.models import Signature, SigningRequest
from common.names import FULL_NAME_MAX_LENGTH, MAX_LENGTH, problem
from registrations.models import Registration

#: (model, fields, most characters of each field) checked.
CHECKED = (
    (Registration, ("first_name", "last_name"), MAX_LENGTH),
    (SigningRequest, ("representative_name",), FULL_NAME_MAX_LENGTH),
    (Signature, ("representative_name",), FULL_NAME_MAX_LENGTH),
)

#: What each refusal's code says, in the command's words (no character of the name).
REASONS = {
    "character_not_allowed": "character {code_point} not accepted",
    "invisible_character": "invisible character {code_point} not accepted",
    "control_character": "control character {code_point} not accepted",
    "name_start": "does not start with a letter",
    "max_length": "longer than {limit_value} characters ({show_value})",
}


def reason(error):
    return REASONS[error.code].format(**(error.params or {}))


def failures():
    """``(model label, pk, field, reason)`` of every stored name the rule refuses."""
    for model, fields, max_length in CHECKED:
        rows = model.objects.order_by("pk").values_list("pk", *fields)
        for pk, *values in rows.iterator():
            for field, value in zip(fields, values, strict=True):
                error = problem(value, max_length=max_length)
                if error is not None:
                    yield model._meta.label, pk, field, reason(error)


class Command(BaseCommand):
    help = (
        "List the stored names (registrations, charter signatures and requests) that the "
        "rule for a person's names refuses, without changing them. Exits 1 when any does."
    )

    def handle(self, **options):
        count = 0
        for label, pk, field, why in failures():
            count += 1
            self.stdout.write(f"{label} {pk} {field}: {why}")
        self.stdout.write(f"{count} name(s) refused by the rule.")
        if count:
            sys.exit(1)
