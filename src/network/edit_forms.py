"""Forms of the directory's organiser pages (organisations, poles, sectors), and what saving
them refreshes. The admin (superusers) uses the same rules.

After an organisation's legal form or legal-person status changes, the poles it is or is a
member of are refreshed; after a pole or its members or territory change, the pole is
(``network.poles.refresh``: departments, composition status).
"""

from django import forms
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from common.forms import EditForm, https_by_default
from network import csv_io, poles, territories
from network.enums import TerritoryLevel
from network.models import Organisation, Pole, PoleMember, Recognition, Sector, TerritoryArea

#: Organisation fields whose change may change the composition of the poles concerned.
LEGAL_FIELDS = {"legal_form", "is_legal_person"}


def refresh_poles_of(organisation):
    """Refresh the poles ``organisation`` is, or is a member of (its legal person may count)."""
    related = Pole.objects.filter(
        Q(organisation=organisation) | Q(members__organisation=organisation)
    ).distinct()
    for pole in related.select_related("organisation"):
        poles.refresh(pole)


def refresh_pole(pole):
    """After a pole and its members, territory and recognitions are saved: the vintage of
    its codes (checked against the shipped geographic code), departments, status."""
    if pole.geo_vintage != territories.VINTAGE and pole.territory.exists():
        pole.geo_vintage = territories.VINTAGE
        pole.save(update_fields=["geo_vintage", "updated_at"])
    poles.refresh(pole)


class OrganisationForm(EditForm):
    class Meta:
        model = Organisation
        formfield_callback = https_by_default
        fields = (
            "name",
            "slug",
            "kind",
            "legal_form",
            "is_legal_person",
            "siren",
            "website",
            "town",
            "department_code",
        )
        help_texts = {
            "slug": _(
                "The end of the pole's address in the directory; made from the name when empty."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("slug") and cleaned_data.get("name"):
            cleaned_data["slug"] = slugify(cleaned_data["name"])[:200]
            if not cleaned_data["slug"]:
                self.add_error("slug", _("Give a code made of letters, digits and hyphens."))
        return cleaned_data

    def clean_department_code(self):
        code = self.cleaned_data["department_code"]
        if code:
            # Validated by the model's clean(); stored as the INSEE code is written (1 → 01).
            code = territories.normalise_code(TerritoryLevel.DEPARTMENT, code)
        return code


class PoleForm(EditForm):
    class Meta:
        model = Pole
        fields = ("description", "creation_year", "sectors", "composition_declared")
        widgets = {"sectors": forms.CheckboxSelectMultiple}


class PoleMemberForm(forms.ModelForm):
    class Meta:
        model = PoleMember
        fields = ("organisation", "category", "role")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name", "pk")

    def clean(self):
        cleaned_data = super().clean()
        pole = getattr(self.instance, "pole", None)
        organisation = cleaned_data.get("organisation")
        if pole is not None and organisation and organisation.pk == pole.organisation_id:
            self.add_error("organisation", _("A pole cannot be a member of itself."))
        return cleaned_data


class TerritoryAreaForm(forms.ModelForm):
    class Meta:
        model = TerritoryArea
        fields = ("level", "code")

    def clean(self):
        cleaned_data = super().clean()
        level, code = cleaned_data.get("level"), cleaned_data.get("code")
        if level and code:
            # The model's clean() validates; the code is stored as INSEE writes it.
            cleaned_data["code"] = self.instance.code = territories.normalise_code(level, code)
        return cleaned_data


class RecognitionForm(forms.ModelForm):
    class Meta:
        model = Recognition
        formfield_callback = https_by_default
        fields = ("kind", "date", "source")
        widgets = {"date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}


def _formset(model, form):
    return forms.inlineformset_factory(Pole, model, form=form, extra=1, can_delete=True)


MemberFormSet = _formset(PoleMember, PoleMemberForm)
TerritoryFormSet = _formset(TerritoryArea, TerritoryAreaForm)
RecognitionFormSet = _formset(Recognition, RecognitionForm)

#: The pole page's lists: prefix, formset class, heading of the list, label of one row.
POLE_FORMSETS = (
    ("members", MemberFormSet, _("Members"), _("Member")),
    ("territory", TerritoryFormSet, _("Territory"), _("Area")),
    ("recognitions", RecognitionFormSet, _("Recognitions"), _("Recognition")),
)


class SectorForm(forms.ModelForm):
    class Meta:
        model = Sector
        fields = ("name", "slug")
        help_texts = {"slug": _("Made from the name when empty.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("slug") and cleaned_data.get("name"):
            cleaned_data["slug"] = slugify(cleaned_data["name"])[:100]
        return cleaned_data

    def clean_name(self):
        name = self.cleaned_data["name"]
        if csv_io.LIST_SEPARATOR in name:
            # The CSV format separates a pole's sectors with it.
            raise forms.ValidationError(
                _("A sector's name cannot contain “%(character)s”."),
                params={"character": csv_io.LIST_SEPARATOR},
                code="list_separator",
            )
        return name


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or town"), required=False, max_length=100)
