"""Registration categories in the admin; invitations and registrations read-only. The admin
is for superusers; organisers work on categories on their own pages
(:mod:`registrations.views.organiser`) and on registrations on the organiser pages, where
every change goes through :mod:`registrations.capacity`.

Saving a higher limit (quota, seats per organisation) gives the seats it frees to the
waiting list at once.
"""

from django.contrib import admin, messages
from django.utils.translation import ngettext

from accounts.admin import SuperuserOnlyMixin
from registrations import capacity
from registrations.models import Category, Invitation, Registration

#: Fields whose change may free seats.
LIMIT_FIELDS = ("quota", "organisation_cap")


@admin.register(Category)
class CategoryAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        # A category's registrations belong to its edition: it never moves to another one.
        return ("edition",) if obj is not None else ()

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
