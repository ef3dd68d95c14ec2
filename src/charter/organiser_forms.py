"""Forms of the charter's organiser pages: a version, the search of signatures, the reasons
for revoking and refusing, and the ceremony's forms.

They check what is typed; the signing rules stay in :mod:`charter.signatures` and
:mod:`charter.ceremony`. A typed representative's name follows the one rule of
:mod:`common.names`; roles and titles are one line of plain text: markup, a spreadsheet
formula's first character and control characters are refused with a message saying so,
rather than stored to be escaped everywhere they are shown.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from charter.models import CharterVersion, Signature
from common.forms import FilterForm
from common.names import FULL_NAME_MAX_LENGTH, NameField
from registrations.organiser_forms import one_line

#: Longest search: more words than this are a mistake.
MAX_SEARCH_LENGTH = 100
#: The years a version of the charter may carry (the first one is of 2014).
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: An HTML tag, closing tag, comment or declaration: "<b", "</", "<!", "<?".
MARKUP = re.compile(r"<\s*[A-Za-z/!?]")
#: What a spreadsheet reads as the start of a formula (OWASP's "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@")

NAME_LENGTH = Signature._meta.get_field("representative_name").max_length
ROLE_LENGTH = Signature._meta.get_field("representative_role").max_length
REASON_LENGTH = Signature._meta.get_field("revocation_reason").max_length


def no_markup(value):
    if MARKUP.search(value):
        raise ValidationError(
            _("Markup is not allowed here (“<” followed by a letter): write plain text."),
            code="markup",
        )


def no_formula(value):
    if value.lstrip().startswith(FORMULA_STARTS):
        raise ValidationError(
            _("Do not start with = + - or @: spreadsheets would read it as a formula."),
            code="formula",
        )


#: A name, a role, a title.
PLAIN_LINE = [one_line, no_markup, no_formula]
#: A reason: a sentence may start with a dash.
PLAIN_SENTENCE = [one_line, no_markup]


def _line(label, max_length, *, required=True, help_text="", validators=PLAIN_LINE):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        validators=list(validators),
    )


# Versions ----------------------------------------------------------------------------------


class VersionForm(forms.ModelForm):
    """A version's title, dates and text, whether its text is a placeholder, and whether it
    is open for signing."""

    class Meta:
        model = CharterVersion
        fields = [
            "title",
            "year",
            "adopted_on",
            "text",
            "text_is_placeholder",
            "is_open",
            "recognition_kind",
        ]
        widgets = {
            "adopted_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "text": forms.Textarea(attrs={"rows": 16}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].validators.extend(PLAIN_LINE)
        self.fields["text"].validators.append(no_markup)
        self.fields["year"].validators.extend(
            [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
        )
        self.fields["year"].widget.attrs.update({"min": FIRST_YEAR, "max": LAST_YEAR})
        self.fields["recognition_kind"].help_text = _(
            "What a pole's signature of this version adds to its page in the directory."
        )


class NewVersionForm(VersionForm):
    """A new version: its address is its year (``/charte/2021/``), one version a year."""

    def clean_year(self):
        year = self.cleaned_data["year"]
        if CharterVersion.objects.filter(slug=str(year)).exists():
            raise ValidationError(
                _("There is already a version of %(year)s.") % {"year": year}, code="taken"
            )
        return year

    def save(self, commit=True):
        self.instance.slug = str(self.cleaned_data["year"])
        return super().save(commit=commit)


# The list of signatures --------------------------------------------------------------------


class SignatureFilterForm(FilterForm):
    """Search and filter of the signatures. A value not understood is shown as an error and
    ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        help_text=_("Organisation, representative or verification code."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    version = forms.ChoiceField(label=_("Version"), required=False)

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [("", _("Any version"))] + [
            (version.slug, version.title) for version in versions
        ]


# Reasons -----------------------------------------------------------------------------------


class RevokeForm(forms.Form):
    reason = _line(
        _("Reason for revocation"),
        REASON_LENGTH,
        help_text=_("Kept with the signature; its receipt then says it is revoked."),
        validators=PLAIN_SENTENCE,
    )


class RefuseForm(forms.Form):
    reason = _line(
        _("Reason for refusal"),
        REASON_LENGTH,
        help_text=_("Kept with the request."),
        validators=PLAIN_SENTENCE,
    )


# The ceremony ------------------------------------------------------------------------------


class OpenCeremonyForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("Version signed"), queryset=CharterVersion.objects.none(), empty_label=None
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions


class CeremonySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Pole or network"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        help_text=_("Its name or town, for a representative registered under another name."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def words(self):
        return self.cleaned_data["q"] if self.is_valid() else ""


CONSENT_LABEL = _("The representative agrees to their name and role being shown in the public list")


class AdmittedSignatureForm(forms.Form):
    """A signature by one of the organisation's representatives admitted at the door: their
    names as on the ID, and the job title they registered with unless another role is typed.
    ``representatives``: the admitted registrations (a select when there are several)."""

    representative = forms.ChoiceField(label=_("Representative"))
    representative_role = _line(
        _("Role"),
        ROLE_LENGTH,
        required=False,
        help_text=_("Leave empty for the job title given at registration."),
    )
    name_is_public = forms.BooleanField(label=CONSENT_LABEL, required=False)

    def __init__(self, *args, representatives, **kwargs):
        self.representatives = {str(person.pk): person for person in representatives}
        if len(representatives) == 1:
            kwargs.setdefault("initial", {"representative_role": representatives[0].job_title})
        super().__init__(*args, **kwargs)
        field = self.fields["representative"]
        field.choices = [(pk, str(person)) for pk, person in self.representatives.items()]
        if len(representatives) == 1:
            field.widget = forms.HiddenInput()
            field.initial = str(representatives[0].pk)

    @property
    def single(self):
        """The only admitted representative, shown as text; None when there is a select."""
        if len(self.representatives) == 1:
            return next(iter(self.representatives.values()))
        return None

    def clean(self):
        data = super().clean()
        person = self.representatives.get(data.get("representative"))
        if person is None:
            return data
        name = str(person)
        if len(name) > NAME_LENGTH:
            raise ValidationError(
                _("These names are too long for a signature (%(max)d characters at most).")
                % {"max": NAME_LENGTH},
                code="name_too_long",
            )
        if "representative_role" in data:
            data["representative_role"] = data["representative_role"] or person.job_title
            if not data["representative_role"]:
                self.add_error(
                    "representative_role",
                    ValidationError(
                        _("Give the representative's role: none was given at registration."),
                        code="required",
                    ),
                )
        data["representative_name"] = name
        return data

    def details(self):
        """The keyword arguments of :func:`charter.ceremony.record` typed in."""
        return {
            key: self.cleaned_data[key]
            for key in ("representative_name", "representative_role", "name_is_public")
        }


class NamedSignatureForm(forms.Form):
    """A signature by a representative whose name the organiser types (nobody of the
    organisation admitted, or someone registered under another organisation's name)."""

    representative_name = NameField(
        label=_("Representative's name"), max_length=FULL_NAME_MAX_LENGTH
    )
    representative_role = _line(_("Role"), ROLE_LENGTH)
    name_is_public = forms.BooleanField(label=CONSENT_LABEL, required=False)

    def details(self):
        return dict(self.cleaned_data)
