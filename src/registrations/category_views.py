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
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from accounts import permissions
from common.decorators import organiser_page
from common.permissions import Action
from events import edit_pages
from events.edit_pages import edit_context, limit_raised, promoted_message
from registrations import capacity, figures
from registrations.category_forms import CategoryForm
from registrations.enums import RegistrationStatus
from registrations.models import Category

#: Fields whose raise may free seats.
LIMIT_FIELDS = ("quota", "organisation_cap")


def _save(request, form, *, old_limits):
    """Save the category; give freed seats to the waiting list; warn of a quota overtaken."""
    with transaction.atomic():
        category = form.save()
        promoted = []
        if any(limit_raised(old_limits[name], getattr(category, name)) for name in LIMIT_FIELDS):
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


class _CategoryPage:
    model = Category
    action = Action.MANAGE
    list_url = "categories:list"
    current = "categories"


class _CategoryForm(_CategoryPage):
    form_class = CategoryForm
    intro = gettext_lazy(
        "A quota or a cap raised gives the seats it frees to the waiting list at once; "
        "the people concerned are emailed."
    )

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # The limits as saved, read before validation writes the posted ones on the
        # instance; none for a new category.
        saved = form.instance.pk is not None
        self.old_limits = {
            name: getattr(form.instance, name) if saved else None for name in LIMIT_FIELDS
        }
        return form

    def save(self, form):
        return _save(self.request, form, old_limits=self.old_limits)


class CategoryAdd(_CategoryForm, edit_pages.AddView):
    title, submit = gettext_lazy("Add a category"), gettext_lazy("Add this category")


class CategoryChange(_CategoryForm, edit_pages.ChangeView):
    title, submit = gettext_lazy("Change a category"), gettext_lazy("Save the category")
    delete_url = "categories:delete"


class CategoryDelete(_CategoryPage, edit_pages.DeleteView):
    explanation = gettext_lazy("Nobody registered or was invited in it.")
    deleted = gettext_lazy("The category is deleted.")

    def title(self, category):
        return _("Delete the category “%(name)s”?") % {"name": category.name}

    def refusal(self, category):
        if category.registrations.exists() or category.invitations.exists():
            return _(
                "The category “%(name)s” has registrations or invitations: it cannot be "
                "deleted. Make it invitation-only, or set its quota to 0, instead."
            ) % {"name": category.name}
        # A registration made meanwhile is protected by the database (PROTECT).
        return None


add = organiser_page(CategoryAdd.as_view())
edit = organiser_page(CategoryChange.as_view())
delete = organiser_page(CategoryDelete.as_view())
