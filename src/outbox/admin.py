"""The outbox in the admin: a read-only list for superusers (organisers see the failed
emails of their edition on the registrations' organiser pages)."""

from django.contrib import admin

from outbox.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "edition",
    ]
    list_filter = ["status", "kind", "language"]
    search_fields = ["recipient", "message_id", "dedupe_key"]
    list_select_related = ["edition"]
    date_hierarchy = "created_at"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
