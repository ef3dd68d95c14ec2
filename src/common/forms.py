"""Form bases shared by the apps."""

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


def https_by_default(field, **kwargs):
    """Addresses typed without a scheme are https ones (Django 6's default, chosen now)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class EditForm(forms.ModelForm):
    """A model form whose model validation may speak of fields it does not show."""

    def add_error(self, field, error):
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            remapped = {}
            for name, errors in error.error_dict.items():
                if name != NON_FIELD_ERRORS and name not in self.fields:
                    label = capfirst(self._meta.model._meta.get_field(name).verbose_name)
                    errors = [
                        ValidationError(
                            _("%(field)s: %(message)s"),
                            params={"field": label, "message": message},
                        )
                        for message in ValidationError(errors).messages
                    ]
                    name = NON_FIELD_ERRORS
                remapped.setdefault(name, []).extend(errors)
            error = ValidationError(remapped)
        super().add_error(field, error)


class FilterForm(forms.Form):
    """Search and filters of a list, read from the address (GET).

    A value that is not valid is shown as an error and ignored: the other filters still apply.
    """

    def filters(self):
        """The valid filters given, by field name; empty ones left out."""
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}

    def query_values(self):
        """What the address's query holds: the valid filters (see :meth:`query`)."""
        return self.filters()

    def query(self, **changes):
        """The address's query for the valid filters, in the fields' order, with ``changes``
        (``page=2``): the links of the pagination."""
        values = self.query_values() | changes
        return urlencode(
            [(name, values[name]) for name in (*self.fields, "page") if name in values]
        )
