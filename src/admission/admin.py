"""The venue's entrances in the admin, for the organisers of their edition.

An entrance is what an agent picks on the check-in app and what every scan records; its code
(slug) is what devices send. Only the edition's organisers (``manage``) see and change them.
An entrance with scans cannot be deleted (the log keeps where each person came in).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.admin import RoleScopedAdminMixin, RoleScopedForm
from accounts.enums import Action
from admission.models import Entrance


class EntranceForm(RoleScopedForm):
    class Meta:
        model = Entrance
        fields = "__all__"

    def clean(self):
        cleaned_data = super().clean()
        # The edition is read-only once the entrance exists, so Django's check of the
        # (edition, slug) constraint, which skips constraints on fields not in the form,
        # is made here.
        edition = cleaned_data.get("edition") or getattr(self.instance, "edition", None)
        slug = cleaned_data.get("slug")
        if edition is not None and slug:
            taken = Entrance.objects.filter(edition=edition, slug=slug).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("slug", _("Another entrance of this edition has this code."))
        return cleaned_data


@admin.register(Entrance)
class EntranceAdmin(RoleScopedAdminMixin, admin.ModelAdmin):
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

    def scope(self, queryset, user):
        return queryset.filter(edition__in=permissions.editions_for(user, Action.MANAGE))

    def acts_somewhere(self, user, action):
        return permissions.on_any_edition(user, action)

    def may_add(self, user):
        return permissions.on_any_edition(user, Action.MANAGE)

    def choice_querysets(self, user):
        return {"edition": permissions.editions_for(user, Action.MANAGE)}

    def get_readonly_fields(self, request, obj=None):
        # Scans point to the entrance: it never moves to another edition.
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "edition") if obj is not None else readonly
