"""Organiser pages of an edition's entrances, under ``journees/<slug>/gestion/entrees/``
(namespace "entrances"): list, add, rename, reorder, delete.

An entrance is what an agent picks in the check-in app and what every scan records; its
code is what devices send. Every page needs ``manage`` on the edition (its organisers);
anonymous visitors go to the login page, other users get the 403 page. Once an entrance has
scans its code no longer changes (devices and the log know it by it) and it cannot be
deleted (the log keeps where each person came in).
"""

from django.db import transaction
from django.db.models import Count, Max
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts import permissions
from admission.models import Entrance
from common.decorators import organiser_page
from common.permissions import Action
from events import edit_pages
from events.edit_forms import SlugPerEditionForm
from events.edit_pages import edit_context


class EntranceForm(SlugPerEditionForm):
    slug_taken = gettext_lazy("Another entrance of this edition has this code.")

    class Meta:
        model = Entrance
        fields = ("name", "slug")
        help_texts = {
            "slug": gettext_lazy(
                "Letters, digits and hyphens, sent by the check-in devices; made from the name "
                "when empty. It cannot change once the entrance has scans."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.checkins.exists():
            # Disabled: whatever is posted, the saved code is kept.
            self.fields["slug"].disabled = True


@organiser_page
@require_safe
def entrance_list(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    entrances = (
        Entrance.objects.filter(edition=edition)
        .annotate(scans=Count("checkins"))
        .order_by("position", "pk")
    )
    return render(
        request,
        "admission/entrances/list.html",
        edit_context(request.user, edition, entrances=entrances, current="entrances"),
    )


@organiser_page
@require_POST
def move(request, slug, pk, direction):
    """Move an entrance one place up or down; positions become 0, 1, 2… in the new order."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    with transaction.atomic():
        entrances = list(Entrance.objects.select_for_update().filter(edition=edition))
        index = next((i for i, e in enumerate(entrances) if e.pk == pk), None)
        if index is None:
            return redirect("entrances:list", slug=edition.slug)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(entrances):
            entrances[index], entrances[other] = entrances[other], entrances[index]
        for position, entrance in enumerate(entrances):
            if entrance.position != position:
                entrance.position = position
                entrance.save(update_fields=["position"])
    return redirect("entrances:list", slug=edition.slug)


class _EntrancePage:
    model = Entrance
    action = Action.MANAGE
    list_url = "entrances:list"
    current = "entrances"


class EntranceAdd(_EntrancePage, edit_pages.AddView):
    form_class = EntranceForm
    title, submit = gettext_lazy("Add an entrance"), gettext_lazy("Add this entrance")
    saved = gettext_lazy("The entrance is added.")

    def save(self, form):
        # Last in the list.
        last = Entrance.objects.filter(edition=self.edition).aggregate(last=Max("position"))
        form.instance.position = 0 if last["last"] is None else last["last"] + 1
        return super().save(form)


class EntranceChange(_EntrancePage, edit_pages.ChangeView):
    form_class = EntranceForm
    title, submit = gettext_lazy("Rename an entrance"), gettext_lazy("Save the entrance")
    saved = gettext_lazy("The entrance is saved.")
    delete_url = "entrances:delete"


class EntranceDelete(_EntrancePage, edit_pages.DeleteView):
    explanation = gettext_lazy("No scan was made at it; the check-in app stops offering it.")
    deleted = gettext_lazy("The entrance is deleted.")

    def title(self, entrance):
        return _("Delete the entrance “%(name)s”?") % {"name": entrance.name}

    def refusal(self, entrance):
        if entrance.checkins.exists():
            return _("The entrance “%(name)s” has scans: it cannot be deleted.") % {
                "name": entrance.name
            }
        return None


add = organiser_page(EntranceAdd.as_view())
edit = organiser_page(EntranceChange.as_view())
delete = organiser_page(EntranceDelete.as_view())
