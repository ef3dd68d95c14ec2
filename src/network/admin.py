"""Organisations, poles and sectors in the admin.

Organisations: every user of the admin may look them up (they are public directory entries,
and editions name them as partners); an organisation's own organisers and editors change it,
and so do the directory's managers (``permissions.can_manage_directory``), who may change any
organisation through the CSV import anyway; organisers add new ones (e.g. a partner not yet
in the directory); superusers delete.

Poles (with their members, territory and recognitions) and sectors: the directory's
managers, that is superusers and organisers of an organising organisation, may do everything,
deleting included (deleting a pole keeps its organisation). Other users do not see them.

After a pole or an organisation is saved, the derived data of the poles concerned (departments,
composition status) is refreshed with ``network.poles.refresh``.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.admin import RoleScopedAdminMixin, RoleScopedForm
from accounts.enums import Action
from network import composition, csv_io, poles, territories
from network.enums import TerritoryLevel
from network.models import Organisation, Pole, PoleMember, Recognition, Sector, TerritoryArea

# Addresses typed without a scheme are https ones, as in the other admins.
_URL_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


def _refresh_poles_of(organisation):
    """Refresh the poles ``organisation`` is, or is a member of (its legal person may count)."""
    related = Pole.objects.filter(
        Q(organisation=organisation) | Q(members__organisation=organisation)
    ).distinct()
    for pole in related.select_related("organisation"):
        poles.refresh(pole)


class OrganisationForm(RoleScopedForm):
    class Meta:
        model = Organisation
        # The admin's own list of fields applies; this one is only for the class to exist.
        fields = ("department_code",)

    def clean_department_code(self):
        code = self.cleaned_data["department_code"]
        if code:
            # Validated by the model's clean(); stored as the INSEE code is written (1 → 01).
            code = territories.normalise_code(TerritoryLevel.DEPARTMENT, code)
        return code


@admin.register(Organisation)
class OrganisationAdmin(RoleScopedAdminMixin, admin.ModelAdmin):
    form = OrganisationForm
    list_display = ("name", "kind", "legal_form", "town", "department_code", "is_fictional")
    list_filter = ("kind", "legal_form", "is_legal_person", "is_fictional")
    search_fields = ("name", "slug", "siren", "town")
    ordering = ("name", "pk")
    prepopulated_fields = {"slug": ("name",)}
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
        "is_fictional",
    )
    delete_action = Action.MANAGE

    def scope(self, queryset, user):
        return queryset

    def acts_somewhere(self, user, action):
        return permissions.on_any_organisation(user, action)

    def may_add(self, user):
        return permissions.on_any_organisation(user, Action.MANAGE)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or permissions.can_manage_directory(
            request.user
        )

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"legal_form", "is_legal_person"} & set(form.changed_data):
            _refresh_poles_of(obj)


class DirectoryAdminMixin:
    """Open to the directory's managers only (superusers included), for every operation."""

    def _may(self, request):
        return permissions.can_manage_directory(request.user)

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request)

    def has_add_permission(self, request, obj=None):
        return self._may(request)

    def has_delete_permission(self, request, obj=None):
        return self._may(request)


class PoleMemberForm(forms.ModelForm):
    class Meta:
        model = PoleMember
        fields = ("organisation", "category", "role")

    def clean(self):
        cleaned_data = super().clean()
        # The inline formset gives each form's instance its pole, saved or not yet.
        pole = getattr(self.instance, "pole", None)
        organisation = cleaned_data.get("organisation")
        if pole is not None and organisation and organisation.pk == pole.organisation_id:
            self.add_error("organisation", _("A pole cannot be a member of itself."))
        return cleaned_data


class PoleMemberInline(DirectoryAdminMixin, admin.TabularInline):
    model = PoleMember
    form = PoleMemberForm
    fields = ("organisation", "category", "role")
    autocomplete_fields = ("organisation",)
    extra = 1


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


class TerritoryAreaInline(DirectoryAdminMixin, admin.TabularInline):
    model = TerritoryArea
    form = TerritoryAreaForm
    fields = ("level", "code")
    extra = 1


class RecognitionInline(DirectoryAdminMixin, admin.TabularInline):
    model = Recognition
    fields = ("kind", "date", "source")
    formfield_overrides = _URL_OVERRIDES
    extra = 0


@admin.register(Pole)
class PoleAdmin(DirectoryAdminMixin, admin.ModelAdmin):
    list_display = ("name", "composition_status", "creation_year", "updated_at")
    list_select_related = ("organisation",)
    list_filter = ("composition_status", "composition_declared", "sectors", "recognitions__kind")
    search_fields = ("organisation__name", "organisation__town", "organisation__siren")
    ordering = ("organisation__name", "pk")
    autocomplete_fields = ("organisation", "sectors")
    fields = (
        "organisation",
        "description",
        "creation_year",
        "sectors",
        "composition_declared",
        "composition_status",
        "composition_missing",
        "geo_vintage",
        "updated_at",
    )
    readonly_fields = ("composition_status", "composition_missing", "geo_vintage", "updated_at")
    inlines = [PoleMemberInline, TerritoryAreaInline, RecognitionInline]

    @admin.display(description=_("name"), ordering="organisation__name")
    def name(self, obj):
        return obj.organisation.name

    @admin.display(description=_("what is missing"))
    def composition_missing(self, obj):
        if obj.pk is None:
            return "—"
        return " ".join(str(message) for message in composition.check(obj).missing) or "—"

    def save_related(self, request, form, formsets, change):
        """Save the inlines, then what derives from them: vintage, departments, status."""
        super().save_related(request, form, formsets, change)
        pole = form.instance
        # The codes were checked against the shipped geographic code.
        if pole.geo_vintage != territories.VINTAGE and pole.territory.exists():
            pole.geo_vintage = territories.VINTAGE
            pole.save(update_fields=["geo_vintage", "updated_at"])
        poles.refresh(pole)


class SectorForm(forms.ModelForm):
    class Meta:
        model = Sector
        fields = ("name", "slug")

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


@admin.register(Sector)
class SectorAdmin(DirectoryAdminMixin, admin.ModelAdmin):
    form = SectorForm
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
