"""The charter in the admin, for superusers only, to look things up.

Organisers work on the charter in its organiser pages (:mod:`charter.views.organiser`), where every
signature goes through :mod:`charter.signatures` (one per organisation and version, the
pole's recognition, the receipt): here signatures, requests and ceremonies are read-only, and
a version's title, dates, text and opening may be corrected, nothing more.
"""

from django.contrib import admin

from charter.models import Ceremony, CharterVersion, Signature, SigningRequest
from registrations.admin import ReadOnlyForSuperusersMixin


@admin.register(CharterVersion)
class CharterVersionAdmin(ReadOnlyForSuperusersMixin, admin.ModelAdmin):
    list_display = ("title", "slug", "year", "is_open", "text_is_placeholder")
    fields = (
        "slug",
        "title",
        "year",
        "adopted_on",
        "text",
        "text_is_placeholder",
        "is_open",
        "recognition_kind",
    )
    readonly_fields = ("slug", "recognition_kind")

    def has_change_permission(self, request, obj=None):
        return self._is_superuser(request)


@admin.register(Signature)
class SignatureAdmin(ReadOnlyForSuperusersMixin, admin.ModelAdmin):
    list_display = ("organisation", "version", "channel", "signed_at", "edition", "revoked_at")
    list_filter = ("version", "channel", ("edition", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("organisation", "version", "edition")
    search_fields = ("organisation__name", "representative_name", "receipt_code")
    ordering = ("-signed_at", "-pk")


@admin.register(SigningRequest)
class SigningRequestAdmin(ReadOnlyForSuperusersMixin, admin.ModelAdmin):
    list_display = ("__str__", "status", "created_at", "confirmed_at", "reviewed_at")
    list_filter = ("status", "version")
    list_select_related = ("organisation", "version")
    search_fields = (
        "organisation__name",
        "proposed_name",
        "representative_name",
        "representative_email",
    )
    ordering = ("-created_at", "-pk")


@admin.register(Ceremony)
class CeremonyAdmin(ReadOnlyForSuperusersMixin, admin.ModelAdmin):
    list_display = ("edition", "version", "opened_at", "closed_at")
    list_select_related = ("edition", "version")
    ordering = ("-opened_at",)
