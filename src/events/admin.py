"""Organiser editing of editions, venues, programme sessions and speakers (Django admin).

Who sees and changes what comes from ``accounts.permissions`` (see
``accounts.admin.RoleScopedAdminMixin``): organisers and editors of the organisations that
organise an edition; the settings of an edition (dates, capacity, registration, security
list, organisers, status) only by its organisers.
"""

from django import forms
from django.contrib import admin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.admin import RoleScopedAdminMixin, RoleScopedForm, RoleScopedInlineMixin
from accounts.enums import Action
from events.enums import SecurityField
from events.models import Edition, Session, Speaker, Venue


class EditionForm(RoleScopedForm):
    security_fields = forms.MultipleChoiceField(
        label=capfirst(Edition._meta.get_field("security_fields").verbose_name),
        choices=SecurityField.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Beyond the names as on the ID: only what the venue asks for."),
    )

    class Meta:
        model = Edition
        fields = "__all__"


class SessionForm(RoleScopedForm):
    class Meta:
        model = Session
        fields = "__all__"

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
        return cleaned_data


class SessionInline(RoleScopedInlineMixin, admin.TabularInline):
    """The programme, edited with the edition. Each session is checked against the edition
    as submitted in the same form (new hours, or an edition not saved yet)."""

    model = Session
    form = SessionForm
    fields = ("start_time", "end_time", "kind", "title", "room", "is_illustrative")
    ordering = ("start_time", "pk")
    extra = 1
    show_change_link = True


class EditionScopedAdmin(RoleScopedAdminMixin, admin.ModelAdmin):
    """For models that belong to an edition (sessions, speakers, registration categories,
    entrances): seen on the editions where the user has ``view_action``, created on and
    moved to those where they have ``change_action``."""

    def scope(self, queryset, user):
        return queryset.filter(edition__in=permissions.editions_for(user, self.view_action))

    def acts_somewhere(self, user, action):
        return permissions.on_any_edition(user, action)

    def may_add(self, user):
        return permissions.on_any_edition(user, self.change_action)

    def choice_querysets(self, user):
        return {"edition": permissions.editions_for(user, self.change_action)}


class SlugPerEditionForm(RoleScopedForm):
    """For a model whose ``slug`` is unique within its edition, edited in an
    :class:`EditionBoundAdmin`. ``slug_taken``: the error shown on a taken slug."""

    slug_taken = None

    def clean(self):
        cleaned_data = super().clean()
        # The edition is read-only once the object exists, so Django's check of the
        # (edition, slug) constraint, which skips constraints on fields not in the form,
        # is made here.
        edition = cleaned_data.get("edition") or getattr(self.instance, "edition", None)
        slug = cleaned_data.get("slug")
        if edition is not None and slug:
            taken = self._meta.model.objects.filter(edition=edition, slug=slug)
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error("slug", self.slug_taken)
        return cleaned_data


class EditionBoundAdmin(EditionScopedAdmin):
    """For objects that never move to another edition once created (what points to them,
    registrations or scans, belongs to that edition): the edition is read-only on change."""

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "edition") if obj is not None else readonly


@admin.register(Edition)
class EditionAdmin(RoleScopedAdminMixin, admin.ModelAdmin):
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
        (_("Organisers and partners"), {"fields": ("organisers", "partners")}),
    )
    #: What editors may not change: only the edition's organisers may.
    manage_fields = (
        "number",
        "slug",
        "status",
        "is_demonstration",
        "date",
        "capacity",
        "has_waiting_list",
        "participant_list_is_public",
        "reconfirmation_days",
        "registration_opens_at",
        "registration_closes_at",
        "id_required",
        "security_fields",
        "security_list_first_deadline",
        "security_list_final_deadline",
        "organisers",
    )
    delete_action = Action.MANAGE

    def scope(self, queryset, user):
        return queryset.filter(pk__in=permissions.editions_for(user, self.view_action))

    def acts_somewhere(self, user, action):
        return permissions.on_any_edition(user, action)

    def may_add(self, user):
        return permissions.on_any_organisation(user, Action.MANAGE)

    def choice_querysets(self, user):
        return {
            "organisers": permissions.organisations_for(user, Action.MANAGE),
            "venue": Venue.objects.filter(
                owner__in=permissions.organisations_for(user, Action.EDIT_CONTENT)
            ),
        }

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The organisers may have changed: the user's roles on this edition with them.
        permissions.forget(request.user)


@admin.register(Session)
class SessionAdmin(EditionScopedAdmin):
    form = SessionForm
    list_display = ("title", "edition", "start_time", "end_time", "kind", "room")
    list_display_links = ("title",)
    list_filter = ("kind", ("edition", admin.RelatedOnlyFieldListFilter), "is_illustrative")
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
        "is_illustrative",
        "speakers",
        "organisations",
    )

    def choice_querysets(self, user):
        editions = permissions.editions_for(user, Action.EDIT_CONTENT)
        return {"edition": editions, "speakers": Speaker.objects.filter(edition__in=editions)}


@admin.register(Speaker)
class SpeakerAdmin(EditionScopedAdmin):
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
class VenueAdmin(RoleScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "city", "owner", "is_fictional")
    list_filter = ("is_fictional", ("owner", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("owner",)
    search_fields = ("name", "city", "street_address")
    ordering = ("name", "pk")

    def scope(self, queryset, user):
        return queryset.filter(owner__in=permissions.organisations_for(user, self.view_action))

    def acts_somewhere(self, user, action):
        return permissions.on_any_organisation(user, action)

    def may_add(self, user):
        return permissions.on_any_organisation(user, Action.EDIT_CONTENT)

    def choice_querysets(self, user):
        return {"owner": permissions.organisations_for(user, Action.EDIT_CONTENT)}
