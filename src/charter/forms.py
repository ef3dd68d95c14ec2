"""The form of online signing: the organisation (found in the directory, or proposed), the
representative, their consent and their mandate.

It validates and shapes what people typed; :func:`charter.requests.submit` decides. The
representative's name follows the one rule of :mod:`common.names` (a whole name, at most
``FULL_NAME_MAX_LENGTH`` characters). Roles and towns are plain one-line text: no markup,
nothing a spreadsheet would read as a formula (the list of signatories is exported), limits
of the model's fields.
"""

from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter import requests
from charter.models import SIGNING_KINDS, SigningRequest
from common.addresses import require_dotted_domain
from common.names import FULL_NAME_MAX_LENGTH, NameField
from common.spreadsheets import FORMULA_STARTS
from network.models import Organisation
from registrations.forms import no_control_characters

IN_DIRECTORY, PROPOSED = "directory", "proposed"


def no_markup(value):
    if "<" in value or ">" in value:
        raise ValidationError(
            _("Remove the < and > signs: this field takes plain text."), code="markup"
        )


def no_formula(value):
    if value.startswith(FORMULA_STARTS):
        raise ValidationError(
            _("Start with a letter or a digit: a spreadsheet reads = + - @ first as a formula."),
            code="formula",
        )


def _max_length(name):
    return SigningRequest._meta.get_field(name).max_length


def _text(label, name, *, required=True, autocomplete="off", help_text=""):
    return forms.CharField(
        label=label,
        max_length=_max_length(name),
        required=required,
        help_text=help_text,
        validators=[no_control_characters, no_markup, no_formula],
        widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
    )


class SigningForm(forms.Form):
    """Fields in the order of the page. The directory's field and the proposed
    organisation's are both shown (no script needed); ``source`` says which one counts."""

    source = forms.ChoiceField(
        label=_("Is your organisation in the directory?"),
        choices=[
            (IN_DIRECTORY, _("Yes: I find it in the directory of poles and networks")),
            (PROPOSED, _("No: I propose it, and an organiser checks it before it signs")),
        ],
        initial=IN_DIRECTORY,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether your organisation is in the directory.")},
    )
    organisation = forms.CharField(
        label=_("Pole or network"),
        max_length=Organisation._meta.get_field("name").max_length,
        required=False,
        help_text=_("Type a few letters of its name, then choose it in the list."),
        validators=[no_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "signing-organisations"}),
    )
    proposed_name = _text(_("Name of the organisation"), "proposed_name", required=False)
    proposed_kind = forms.ChoiceField(
        label=_("It is"),
        choices=[(kind.value, kind.label) for kind in SIGNING_KINDS],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a pole or a network.")},
    )
    proposed_town = _text(_("Town"), "proposed_town", required=False)
    proposed_website = forms.URLField(
        label=_("Website (optional)"),
        max_length=_max_length("proposed_website"),
        required=False,
        assume_scheme="https",
        # A text input that asks phones for their address keyboard: the site's styles give
        # text inputs their full width.
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "url"}),
    )
    representative_name = NameField(
        label=_("Your name"),
        max_length=FULL_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    representative_role = _text(
        _("Your role in the organisation"),
        "representative_role",
        autocomplete="organization-title",
        help_text=_("For example: president, co-director, coordinator."),
    )
    representative_email = forms.EmailField(
        label=_("Your email"),
        max_length=_max_length("representative_email"),
        validators=[require_dotted_domain],
        help_text=_(
            "We send the link that confirms the signature there. It is never shown publicly."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    name_is_public = forms.BooleanField(
        label=_("Show my name and role in the public list of signatories"),
        required=False,
    )
    has_mandate = forms.BooleanField(
        label=_("I confirm I have the mandate to sign the charter on behalf of this organisation"),
        error_messages={"required": requests.RequestRefused.MESSAGES["no_mandate"]},
    )
    # The honeypot: hidden from people (CSS) and skipped by the keyboard; bots fill it in.
    website = forms.CharField(
        label=pgettext_lazy("honeypot field", "Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    PROPOSED_FIELDS = ("proposed_name", "proposed_kind", "proposed_town", "proposed_website")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: Names of the directory close to an organisation typed that matches none.
        self.suggestions = []

    @cached_property
    def choices(self):
        """The directory's poles and networks: ``(pk, label)``."""
        return requests.signing_organisations()

    def clean(self):
        data = super().clean()
        source = data.get("source")
        # The answer not chosen is ignored, errors included.
        if source == IN_DIRECTORY:
            for name in self.PROPOSED_FIELDS:
                self.errors.pop(name, None)
                data[name] = ""
            data["organisation"] = self._directory_organisation(data.get("organisation"))
        elif source == PROPOSED:
            self.errors.pop("organisation", None)
            data["organisation"] = None
            self._check_proposed(data)
        return data

    def _directory_organisation(self, typed):
        if typed is None:  # Refused by the field's own checks.
            return None
        if not typed:
            self.add_error("organisation", _("Choose your pole or network in the list."))
            return None
        pk = requests.match_organisation(typed, self.choices)
        if pk is None:
            self.suggestions = requests.close_names(typed, self.choices)
            self.add_error(
                "organisation",
                _(
                    "No pole or network of the directory has exactly this name. Choose it in "
                    "the list, or answer “No” above to propose your organisation."
                ),
            )
            return None
        return Organisation.objects.filter(pk=pk).first()

    def _check_proposed(self, data):
        required = {
            "proposed_name": _("Give the name of the organisation."),
            "proposed_kind": _("Choose a pole or a network."),
            "proposed_town": _("Give the town of the organisation."),
        }
        for name, message in required.items():
            if name not in self.errors and not data.get(name):
                self.add_error(name, message)
        name = data.get("proposed_name")
        if not name or "proposed_name" in self.errors:
            return
        if not slugify(name):
            self.add_error("proposed_name", _("A name needs letters or digits."))
        elif requests.find_in_directory(name) is not None:
            self.add_error("proposed_name", requests.RequestRefused.MESSAGES["in_directory"])

    @property
    def is_spam(self):
        return bool(self.cleaned_data.get("website"))

    def request_kwargs(self):
        """The cleaned answers, as :func:`charter.requests.submit` takes them."""
        names = (
            "organisation",
            *self.PROPOSED_FIELDS,
            "representative_name",
            "representative_role",
            "representative_email",
            "name_is_public",
            "has_mandate",
        )
        return {name: self.cleaned_data[name] for name in names}

    def error_summary(self):
        """(anchor, text) of every error, in the order of the page."""
        summary = [("signing-form", error) for error in self.non_field_errors()]
        for name, field in self.fields.items():
            for error in self.errors.get(name, []):
                anchor = self[name].auto_id
                if isinstance(field.widget, forms.RadioSelect):
                    anchor = f"{anchor}_0"
                text = _("%(field)s: %(message)s") % {"field": field.label, "message": error}
                summary.append((anchor, text))
        return summary
