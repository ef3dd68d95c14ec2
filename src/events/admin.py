"""Editions, venues, programme sessions, speakers and materials in the admin, for superusers.

The admin site is for superusers only (``accounts.permissions.can_open_admin``); organisers
and editors edit editions, venues and the programme on the organiser pages
(:mod:`events.views.organiser`), which apply the roles.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from events.edit_forms import workshop_errors
from events.edit_pages import limit_raised, promoted_message
from events.enums import SecurityField
from events.material_forms import MaterialChangeForm
from events.models import Edition, Material, Session, Speaker, Venue
from events.signals import capacity_raised_for, workshop_seats_raised_for

# Addresses typed without a scheme are https ones (Django 6's default, chosen now).
URL_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


class EditionForm(forms.ModelForm):
    security_fields = forms.MultipleChoiceField(
        label=capfirst(Edition._meta.get_field("security_fields").verbose_name),
        choices=SecurityField.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Beyond the names as on the ID: only what the venue asks for."),
    )

    class Meta:
        model = Edition
        # The admin's own list of fields applies.
        fields = ("security_fields",)


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        # The admin's own list of fields applies.
        fields = ("edition", "speakers")

    def clean(self):
        cleaned_data = super().clean()
        edition = cleaned_data.get("edition")
        speakers = cleaned_data.get("speakers") or []
        others = [
            speaker.name for speaker in speakers if edition and speaker.edition_id != edition.pk
        ]
        if others:
            self.add_error(
                "speakers",
                _("These speakers belong to another edition: %(names)s")
                % {"names": ", ".join(others)},
            )
        for name, message in workshop_errors(self.instance, cleaned_data).items():
            self.add_error(name if name in self.fields else None, message)
        return cleaned_data


class SessionInline(admin.TabularInline):
    """The programme, edited with the edition. Each session is checked against the edition
    as submitted in the same form (new hours, or an edition not saved yet)."""

    model = Session
    form = SessionForm
    fields = ("start_time", "end_time", "kind", "title", "room", "is_illustrative")
    ordering = ("start_time", "pk")
    extra = 1
    show_change_link = True


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    form = EditionForm
    inlines = [SessionInline]
    list_display = ("title", "date", "status", "venue", "capacity", "is_demonstration")
    list_filter = ("status", "is_demonstration")
    list_select_related = ("venue",)
    search_fields = ("title", "slug", "summary")
    ordering = ("-date",)
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("organisers",)
    autocomplete_fields = ("venue", "partners")
    fieldsets = (
        (
            _("Content"),
            {
                "fields": (
                    "title",
                    "number",
                    "slug",
                    "summary",
                    "description",
                    "status",
                    "is_demonstration",
                )
            },
        ),
        (_("Date and place"), {"fields": ("date", "start_time", "end_time", "venue")}),
        (
            _("Registration and security list"),
            {
                "fields": (
                    "capacity",
                    "has_waiting_list",
                    "show_places_left",
                    "workshop_promotion",
                    "participant_list_is_public",
                    "reconfirmation_days",
                    "registration_opens_at",
                    "registration_closes_at",
                    "id_required",
                    "security_fields",
                    "security_list_first_deadline",
                    "security_list_final_deadline",
                )
            },
        ),
        (
            _("Personal data"),
            {"fields": ("venue_data_retention_days", "personal_data_retention_days")},
        ),
        (_("Organisers and partners"), {"fields": ("organisers", "partners")}),
    )

    def save_model(self, request, obj, form, change):
        old = form.initial.get("capacity") if change else None
        super().save_model(request, obj, form, change)
        if limit_raised(old, obj.capacity):
            promoted_message(request, capacity_raised_for(obj))


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    form = SessionForm
    list_display = ("title", "edition", "start_time", "end_time", "kind", "room")
    list_display_links = ("title",)
    list_filter = (
        "kind",
        ("edition", admin.RelatedOnlyFieldListFilter),
        "is_workshop",
        "is_illustrative",
    )
    list_select_related = ("edition",)
    search_fields = ("title", "description", "room", "edition__title")
    ordering = ("-edition__date", "start_time", "pk")
    autocomplete_fields = ("speakers", "organisations")
    fields = (
        "edition",
        ("start_time", "end_time"),
        "kind",
        "title",
        "description",
        "room",
        ("is_workshop", "capacity", "choices_close_at"),
        "is_illustrative",
        "speakers",
        "organisations",
    )

    def save_model(self, request, obj, form, change):
        # The seats as saved: the instance already holds the posted ones.
        old = form.initial.get("capacity") if change and form.initial.get("is_workshop") else None
        super().save_model(request, obj, form, change)
        if obj.is_workshop and limit_raised(old, obj.capacity):
            promoted_message(request, workshop_seats_raised_for(obj))


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ("name", "edition", "role", "organisation_name")
    list_filter = (("edition", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("edition", "organisation")
    search_fields = ("name", "role", "affiliation", "organisation__name")
    ordering = ("name", "pk")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("organisation",)

    @admin.display(description=_("organisation"))
    def organisation_name(self, speaker):
        return speaker.organisation_name


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "owner", "is_fictional")
    list_filter = ("is_fictional", ("owner", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("owner",)
    search_fields = ("name", "city", "street_address")
    ordering = ("name", "pk")
    autocomplete_fields = ("owner",)
    formfield_overrides = URL_OVERRIDES


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    """Read-mostly: a material's title, description, session, publication and position may
    change here; its file, what the checks found in it and its address never do."""

    # The organisers' form: the session among the edition's own, a file's description
    # required.
    form = MaterialChangeForm
    list_display = ("title", "edition", "session", "kind", "publication", "size")
    list_filter = ("kind", "publication")
    list_select_related = ("edition", "session")
    search_fields = ("title",)
    ordering = ("-edition__date", "position", "pk")
    fields = (
        "edition",
        "session",
        "kind",
        "title",
        "description",
        "download",
        "file_name",
        "content_type",
        "size",
        "url",
        "publication",
        "position",
        "created_at",
        "created_by",
    )
    readonly_fields = (
        # Its file is stored under the edition, and its session is one of the edition's.
        "edition",
        "kind",
        "download",
        "file_name",
        "content_type",
        "size",
        # An address is checked (http or https only) on the organisers' page.
        "url",
        "created_at",
        "created_by",
    )

    def has_add_permission(self, request):
        # Files come in only through events.materials' checks (type read from the content,
        # images re-encoded without their metadata), on the organisers' pages: an upload
        # field here would go around them.
        return False

    def has_delete_permission(self, request, obj=None):
        # The organisers' page deletes the stored file with the row; the admin would leave
        # the file behind.
        return False

    @admin.display(description=_("file"))
    def download(self, material):
        """The file through the site's own address, which checks who may read it (never the
        storage's)."""
        if not material.is_file:
            return "-"
        return format_html('<a href="{}">{}</a>', material.get_absolute_url(), material.file_name)
