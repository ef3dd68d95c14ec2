"""Organiser pages of an edition's registration categories and their quotas, under
``journees/<slug>/gestion/categories/`` (namespace "categories").

Quotas and caps decide seats, like the edition's capacity: every page needs ``manage`` on
the edition (its organisers); anonymous visitors go to the login page, other users get the
403 page. Raising a quota or a cap gives the seats it frees to the waiting list at once
(:func:`registrations.capacity.fill_freed_seats`). Lowering one below the seats already
confirmed is allowed, as :mod:`registrations.capacity` counts limits only when it gives a
seat: the people confirmed keep their seats, nobody else gets one in the category until it
has room again; the page says so. A category is deleted only while nobody registered or was
invited in it.
"""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import permissions
from accounts.decorators import organiser_page
from accounts.enums import Action
from events.edit_views import confirm_delete, edit_context, form_page, promoted_message
from registrations import capacity, figures
from registrations.category_forms import CategoryForm
from registrations.enums import RegistrationStatus
from registrations.models import Category

#: Fields whose raise may free seats.
LIMIT_FIELDS = ("quota", "organisation_cap")


def _raised(old, new):
    return old is not None and (new is None or new > old)


def _save(request, form, *, old_limits):
    """Save the category; give freed seats to the waiting list; warn of a quota overtaken."""
    with transaction.atomic():
        category = form.save()
        promoted = []
        if any(_raised(old_limits[name], getattr(category, name)) for name in LIMIT_FIELDS):
            promoted = capacity.fill_freed_seats(category.edition)
    messages.success(request, _("The category “%(name)s” is saved.") % {"name": category.name})
    promoted_message(request, promoted)
    if category.quota is not None:
        confirmed = category.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
        if confirmed > category.quota:
            messages.warning(
                request,
                _(
                    "%(confirmed)d people are confirmed in this category, more than its quota "
                    "of %(quota)d: they keep their seats, and nobody else gets one in it until "
                    "enough of them cancel."
                )
                % {"confirmed": confirmed, "quota": category.quota},
            )
    return redirect("categories:list", slug=category.edition.slug)


@organiser_page
@require_safe
def category_list(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    return render(
        request,
        "registrations/categories/list.html",
        edit_context(
            request.user, edition, figures=figures.availability(edition), current="categories"
        ),
    )


def _page(request, form, edition, **page):
    return form_page(
        request,
        form,
        edition=edition,
        back=reverse("categories:list", args=[edition.slug]),
        current="categories",
        intro=_(
            "A quota or a cap raised gives the seats it frees to the waiting list at once; "
            "the people concerned are emailed."
        ),
        **page,
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def add(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    data = request.POST if request.method == "POST" else None
    form = CategoryForm(data, instance=Category(edition=edition))
    if form.is_valid():
        return _save(request, form, old_limits=dict.fromkeys(LIMIT_FIELDS))
    return _page(request, form, edition, title=_("Add a category"), submit=_("Add this category"))


@organiser_page
@require_http_methods(["GET", "POST"])
def edit(request, slug, pk):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    category = get_object_or_404(Category, edition=edition, pk=pk)
    old_limits = {name: getattr(category, name) for name in LIMIT_FIELDS}
    data = request.POST if request.method == "POST" else None
    form = CategoryForm(data, instance=category)
    if form.is_valid():
        return _save(request, form, old_limits=old_limits)
    return _page(
        request,
        form,
        edition,
        title=_("Change a category"),
        submit=_("Save the category"),
        delete_url=reverse("categories:delete", args=[edition.slug, category.pk]),
    )


def _in_use(category):
    return category.registrations.exists() or category.invitations.exists()


@organiser_page
@require_http_methods(["GET", "POST"])
def delete(request, slug, pk):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    category = get_object_or_404(Category, edition=edition, pk=pk)
    if _in_use(category):
        messages.error(
            request,
            _(
                "The category “%(name)s” has registrations or invitations: it cannot be "
                "deleted. Make it invitation-only, or set its quota to 0, instead."
            )
            % {"name": category.name},
        )
        return redirect("categories:list", slug=edition.slug)
    if request.method == "POST":
        with transaction.atomic():
            # A registration made meanwhile is protected by the database (PROTECT).
            category.delete()
        messages.success(request, _("The category is deleted."))
        return redirect("categories:list", slug=edition.slug)
    return confirm_delete(
        request,
        edition=edition,
        title=_("Delete the category “%(name)s”?") % {"name": category.name},
        explanation=_("Nobody registered or was invited in it."),
        back=reverse("categories:list", args=[edition.slug]),
        current="categories",
    )
