"""The venue's entrances in the admin, for the organisers of their edition.

An entrance is what an agent picks on the check-in app and what every scan records; its code
(slug) is what devices send. Only the edition's organisers (``manage``) see and change them.
An entrance with scans cannot be deleted (the log keeps where each person came in).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.enums import Action
from admission.models import Entrance
from events.admin import EditionBoundAdmin, SlugPerEditionForm


class EntranceForm(SlugPerEditionForm):
    slug_taken = _("Another entrance of this edition has this code.")

    class Meta:
        model = Entrance
        fields = "__all__"


@admin.register(Entrance)
class EntranceAdmin(EditionBoundAdmin):
    # Scans point to the entrance: it never moves to another edition.
    form = EntranceForm
    view_action = Action.MANAGE
    change_action = Action.MANAGE
    delete_action = Action.MANAGE
    list_display = ("name", "slug", "edition", "position")
    list_filter = (("edition", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("edition",)
    search_fields = ("name", "slug", "edition__title")
    ordering = ("-edition__date", "position", "pk")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("edition", "name", "slug", "position")
