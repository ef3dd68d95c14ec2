"""Organisations in the admin.

Every user of the admin may look organisations up (they are public directory entries, and
editions name them as partners); only an organisation's own organisers and editors change
it; organisers add new ones (e.g. a partner not yet in the directory); superusers delete.
"""

from django.contrib import admin

from accounts import permissions
from accounts.admin import RoleScopedAdminMixin
from accounts.enums import Action
from network.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(RoleScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "website", "is_fictional")
    list_filter = ("kind", "is_fictional")
    search_fields = ("name", "slug")
    ordering = ("name", "pk")
    prepopulated_fields = {"slug": ("name",)}
    delete_action = Action.MANAGE

    def scope(self, queryset, user):
        return queryset

    def acts_somewhere(self, user, action):
        return permissions.on_any_organisation(user, action)

    def may_add(self, user):
        return permissions.on_any_organisation(user, Action.MANAGE)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
