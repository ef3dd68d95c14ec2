"""Organisations, poles and sectors in the admin, for superusers (organisers keep the
directory on their own pages, :mod:`network.views.organiser`, with the same forms and rules from
:mod:`network.edit_forms`).

After a pole or an organisation is saved, the derived data of the poles concerned (departments,
composition status) is refreshed.
"""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from network import composition
from network.edit_forms import (
    LEGAL_FIELDS,
    OrganisationForm,
    PoleMemberForm,
    SectorForm,
    TerritoryAreaForm,
    refresh_pole,
    refresh_poles_of,
)
from network.models import Organisation, Pole, PoleMember, Recognition, Sector, TerritoryArea

# Addresses typed without a scheme are https ones, as in the other admins.
_URL_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    list_display = ("name", "kind", "legal_form", "town", "department_code", "is_fictional")
    list_filter = ("kind", "legal_form", "is_legal_person", "is_fictional")
    search_fields = ("name", "slug", "siren", "town")
    ordering = ("name", "pk")
    prepopulated_fields = {"slug": ("name",)}
    formfield_overrides = _URL_OVERRIDES
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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and LEGAL_FIELDS & set(form.changed_data):
            refresh_poles_of(obj)


class PoleMemberInline(admin.TabularInline):
    model = PoleMember
    form = PoleMemberForm
    fields = ("organisation", "category", "role")
    autocomplete_fields = ("organisation",)
    extra = 1


class TerritoryAreaInline(admin.TabularInline):
    model = TerritoryArea
    form = TerritoryAreaForm
    fields = ("level", "code")
    extra = 1


class RecognitionInline(admin.TabularInline):
    model = Recognition
    fields = ("kind", "date", "source")
    formfield_overrides = _URL_OVERRIDES
    extra = 0


@admin.register(Pole)
class PoleAdmin(admin.ModelAdmin):
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
        refresh_pole(form.instance)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    form = SectorForm
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
