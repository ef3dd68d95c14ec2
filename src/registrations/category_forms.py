"""The form of a registration category, on the organiser pages of categories and quotas."""

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from events.edit_forms import SlugPerEditionForm
from registrations.models import Category


class CategoryForm(SlugPerEditionForm):
    """A category of the edition the instance carries (it never moves to another one)."""

    slug_taken = _("Another category of this edition has this slug.")

    class Meta:
        model = Category
        fields = (
            "name",
            "slug",
            "description",
            "quota",
            "organisation_cap",
            "is_public",
            "position",
        )
        labels = {"slug": capfirst(_("code"))}
        help_texts = {
            "slug": _(
                "Letters, digits and hyphens, used in addresses and exports; made from the "
                "name when empty."
            ),
            "position": _("Categories are listed by position, smallest first."),
        }
