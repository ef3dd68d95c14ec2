"""Organiser pages of an edition's entrances, under ``journees/<slug>/gestion/entrees/``
(namespace "entrances"): list, add, rename, reorder, delete.

An entrance is what an agent picks in the check-in app and what every scan records; its
code is what devices send. Every page needs ``manage`` on the edition (its organisers);
anonymous visitors go to the login page, other users get the 403 page. Once an entrance has
scans its code no longer changes (devices and the log know it by it) and it cannot be
deleted (the log keeps where each person came in).
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import permissions
from accounts.decorators import organiser_page
from accounts.enums import Action
from admission.models import Entrance
from events.edit_forms import SlugPerEditionForm
from events.edit_views import confirm_delete, edit_context, form_page


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


def _entrance(edition, pk):
    return get_object_or_404(Entrance, edition=edition, pk=pk)


def _back(edition):
    return reverse("entrances:list", args=[edition.slug])


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
@require_http_methods(["GET", "POST"])
def add(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    data = request.POST if request.method == "POST" else None
    form = EntranceForm(data, instance=Entrance(edition=edition))
    if form.is_valid():
        last = Entrance.objects.filter(edition=edition).aggregate(last=Max("position"))["last"]
        form.instance.position = 0 if last is None else last + 1
        form.save()
        messages.success(request, _("The entrance is added."))
        return redirect("entrances:list", slug=edition.slug)
    return form_page(
        request,
        form,
        edition=edition,
        title=_("Add an entrance"),
        submit=_("Add this entrance"),
        back=_back(edition),
        current="entrances",
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def edit(request, slug, pk):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    entrance = _entrance(edition, pk)
    data = request.POST if request.method == "POST" else None
    form = EntranceForm(data, instance=entrance)
    if form.is_valid():
        form.save()
        messages.success(request, _("The entrance is saved."))
        return redirect("entrances:list", slug=edition.slug)
    return form_page(
        request,
        form,
        edition=edition,
        title=_("Rename an entrance"),
        submit=_("Save the entrance"),
        back=_back(edition),
        current="entrances",
        delete_url=reverse("entrances:delete", args=[edition.slug, entrance.pk]),
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


@organiser_page
@require_http_methods(["GET", "POST"])
def delete(request, slug, pk):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    entrance = _entrance(edition, pk)
    if entrance.checkins.exists():
        messages.error(
            request,
            _("The entrance “%(name)s” has scans: it cannot be deleted.") % {"name": entrance.name},
        )
        return redirect("entrances:list", slug=edition.slug)
    if request.method == "POST":
        entrance.delete()
        messages.success(request, _("The entrance is deleted."))
        return redirect("entrances:list", slug=edition.slug)
    return confirm_delete(
        request,
        edition=edition,
        title=_("Delete the entrance “%(name)s”?") % {"name": entrance.name},
        explanation=_("No scan was made at it; the check-in app stops offering it."),
        back=_back(edition),
        current="entrances",
    )
