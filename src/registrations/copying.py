"""A copied edition gets the registration categories of its source, with their quotas, caps
and public flags (``events.signals.edition_copied``); never registrations, bookings or
invitations."""

from registrations.models import Category

CATEGORY_FIELDS = (
    "name",
    "slug",
    "description",
    "quota",
    "is_public",
    "organisation_cap",
    "position",
)


def copy_categories(sender, *, source, copy, **kwargs):
    Category.objects.bulk_create(
        Category(edition=copy, **{field: getattr(category, field) for field in CATEGORY_FIELDS})
        for category in Category.objects.filter(edition=source).order_by("position", "pk")
    )
