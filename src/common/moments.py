"""Dates and moments that clients send: parsed strictly, kept within a plausible window.

Every date or time a client sends goes through this module: the API's parameters and bodies
(:data:`MomentIn`), and the dates of forms and models (:class:`DateField` and
:class:`DateTimeField` for the models' fields people type, whose forms use
:class:`DateFormField` and :class:`DateTimeFormField`). Beyond the window the parts
disagree: PostgreSQL stores a moment before year 1 that psycopg cannot read back, and
Python's dates end with year 9999 (a moment of 31 December 9999 west of Greenwich is in year
10000 once in UTC), so one such value stored would break every page that reads it. Within
the window, what a rule narrows further (a scan's time: its edition's day) is that rule's
business.
"""

import datetime as dt
import re
from typing import Annotated

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import PlainValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

#: The plausible window for any date a client sends (birth dates included).
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)

#: ISO 8601 as the API documents it: a four-digit year, a time to the minute at least, an
#: optional fraction and offset (``Z`` or ``±hh:mm``). No week dates, ordinals or bare years.
ISO_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?",
    re.ASCII,
)


def earliest_moment():
    return dt.datetime.combine(EARLIEST, dt.time(0), tzinfo=timezone.get_default_timezone())


def latest_moment():
    return dt.datetime.combine(LATEST, dt.time(23, 59, 59), tzinfo=timezone.get_default_timezone())


def iso(moment):
    """A moment as the API writes it: ISO 8601 to the second, in the site's time zone."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


class MomentOutOfRange(ValueError):
    """A moment outside the window a rule accepts (the rule says which, in its words)."""


def _aware(moment):
    """``moment``, read in the site's time zone when it has none."""
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=timezone.get_default_timezone())
    return moment


def parse_moment(text):
    """The aware moment that ``text`` (ISO 8601, see :data:`ISO_MOMENT`) names, read in the
    site's time zone when it gives no offset. Raises ``ValueError`` for anything else."""
    if not isinstance(text, str) or not ISO_MOMENT.fullmatch(text):
        raise ValueError(text)
    return _aware(dt.datetime.fromisoformat(text))


def check_moment(moment, earliest=None, latest=None):
    """``moment`` (aware) in the site's time zone if it lies within ``earliest`` to ``latest``
    (by default the plausible window), else :class:`MomentOutOfRange`."""
    earliest = earliest or earliest_moment()
    latest = latest or latest_moment()
    # The date as written first: converting a moment of year 1 or 9999 to compare it may
    # itself overflow, and such a moment is outside any window anyway.
    if not EARLIEST <= moment.date() <= LATEST or not earliest <= moment <= latest:
        raise MomentOutOfRange(moment)
    return timezone.localtime(moment)


# The API -----------------------------------------------------------------------------------


def _api_moment(value, info: ValidationInfo):
    field = info.field_name or "value"
    if isinstance(value, dt.datetime):
        moment = _aware(value)
    else:
        try:
            moment = parse_moment(value)
        except ValueError:
            raise PydanticCustomError(
                "datetime_format",
                _("“%(field)s” must be a date and time in ISO 8601, e.g. %(example)s.")
                % {"field": field, "example": "2014-09-19T09:30:00+02:00"},
            ) from None
    try:
        return check_moment(moment)
    except MomentOutOfRange:
        raise PydanticCustomError(
            "datetime_out_of_range",
            _("“%(field)s” must be between %(earliest)s and %(latest)s.")
            % {"field": field, "earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        ) from None


#: A moment in an API parameter or body: a string in ISO 8601 (a number of seconds is not
#: one), within the plausible window; without an offset, in Paris time. Answered with a 422
#: that names the field and the window otherwise.
MomentIn = Annotated[
    dt.datetime,
    PlainValidator(_api_moment),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


# Forms and models ------------------------------------------------------------------------


def validate_date(value):
    """A validator: a date (or a moment's date) within the plausible window."""
    # The date where the moment was typed, not converted: near year 1 or 9999 a conversion
    # may itself overflow, and a day's difference does not matter at the window's ends.
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(
            gettext_lazy("Give a date between %(earliest)s and %(latest)s."),
            code="out_of_range",
            params={
                "earliest": formats.date_format(EARLIEST, "SHORT_DATE_FORMAT"),
                "latest": formats.date_format(LATEST, "SHORT_DATE_FORMAT"),
            },
        )


class DateFormField(forms.DateField):
    """A form's date, refused outside the plausible window before any other rule reads it."""

    default_validators = [validate_date]


class DateTimeFormField(forms.DateTimeField):
    """A form's moment, refused outside the plausible window before any other rule reads it
    (comparing a moment of year 1 with another may itself overflow)."""

    default_validators = [validate_date]


class DateField(models.DateField):
    """A model's date that people type: the window checked by the model and by its forms
    (the admin's included)."""

    default_validators = [validate_date]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": DateFormField, **kwargs})


class DateTimeField(models.DateTimeField):
    """A model's moment that people type: as :class:`DateField`."""

    default_validators = [validate_date]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": DateTimeFormField, **kwargs})
