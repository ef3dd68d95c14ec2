"""The venue's entrances in the admin, for superusers (organisers work on them on their own
pages, :mod:`admission.views.organiser`).

An entrance is what an agent picks on the check-in app and what every scan records; its code
(slug) is what devices send. An entrance with scans cannot be deleted (the log keeps where
each person came in: the database protects it).
"""

from django.contrib import admin

from accounts.admin import SuperuserOnlyMixin
from admission.models import Entrance


@admin.register(Entrance)
class EntranceAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "edition", "position")
    list_filter = (("edition", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("edition",)
    search_fields = ("name", "slug", "edition__title")
    ordering = ("-edition__date", "position", "pk")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("edition", "name", "slug", "position")

    def get_readonly_fields(self, request, obj=None):
        # Scans point to the entrance: it never moves to another edition.
        return ("edition",) if obj is not None else ()
