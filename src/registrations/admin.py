"""Registration categories in the admin, for the organisers of their edition; invitations and
registrations read-only, for superusers (organisers work on them in the organiser pages,
where every change goes through :mod:`registrations.capacity`).

Categories hold the limits (quota, seats per organisation) that decide seats: like the
edition's capacity, only the edition's organisers (``manage``) see and change them. Saving a
higher limit gives the seats it frees to the waiting list at once.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import permissions
from accounts.admin import RoleScopedAdminMixin, RoleScopedForm, SuperuserOnlyMixin
from accounts.enums import Action
from registrations import capacity
from registrations.models import Category, Invitation, Registration

#: Fields whose change may free seats.
LIMIT_FIELDS = ("quota", "organisation_cap")


class CategoryForm(RoleScopedForm):
    class Meta:
        model = Category
        fields = "__all__"

    def clean(self):
        cleaned_data = super().clean()
        # The edition is read-only once the category exists, so Django's check of the
        # (edition, slug) constraint, which skips constraints on fields not in the form,
        # is made here.
        edition = cleaned_data.get("edition") or getattr(self.instance, "edition", None)
        slug = cleaned_data.get("slug")
        if edition is not None and slug:
            taken = Category.objects.filter(edition=edition, slug=slug).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("slug", _("Another category of this edition has this slug."))
        return cleaned_data


@admin.register(Category)
class CategoryAdmin(RoleScopedAdminMixin, admin.ModelAdmin):
    form = CategoryForm
    view_action = Action.MANAGE
    change_action = Action.MANAGE
    delete_action = Action.MANAGE
    list_display = ("name", "edition", "quota", "organisation_cap", "is_public", "position")
    list_filter = (("edition", admin.RelatedOnlyFieldListFilter), "is_public")
    list_select_related = ("edition",)
    search_fields = ("name", "slug", "edition__title")
    ordering = ("-edition__date", "position", "pk")
    prepopulated_fields = {"slug": ("name",)}
    fields = (
        "edition",
        "name",
        "slug",
        "description",
        "quota",
        "is_public",
        "organisation_cap",
        "position",
    )

    def scope(self, queryset, user):
        return queryset.filter(edition__in=permissions.editions_for(user, Action.MANAGE))

    def acts_somewhere(self, user, action):
        return permissions.on_any_edition(user, action)

    def may_add(self, user):
        return permissions.on_any_edition(user, Action.MANAGE)

    def choice_querysets(self, user):
        return {"edition": permissions.editions_for(user, Action.MANAGE)}

    def get_readonly_fields(self, request, obj=None):
        # A category's registrations belong to its edition: it never moves to another one.
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "edition") if obj is not None else readonly

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and any(name in form.changed_data for name in LIMIT_FIELDS):
            promoted = capacity.fill_freed_seats(obj.edition)
            if promoted:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d person of the waiting list got a seat and is emailed.",
                        "%(count)d people of the waiting list got a seat and are emailed.",
                        len(promoted),
                    )
                    % {"count": len(promoted)},
                    messages.SUCCESS,
                )


class ReadOnlyForSuperusersMixin(SuperuserOnlyMixin):
    """Seen by superusers; changed only through the organiser pages and capacity's rules."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyForSuperusersMixin, admin.ModelAdmin):
    list_display = ("__str__", "kind", "edition", "category", "holds_seat_until", "revoked_at")
    list_filter = ("kind", ("edition", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("edition", "category")
    search_fields = ("email", "guest_name", "code")
    ordering = ("-created_at", "-pk")


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyForSuperusersMixin, admin.ModelAdmin):
    list_display = ("__str__", "email", "edition", "category", "status", "created_at")
    list_filter = ("status", "source", ("edition", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("edition", "category")
    search_fields = ("first_name", "last_name", "email", "badge_name", "organisation_name")
    ordering = ("-created_at", "-pk")
