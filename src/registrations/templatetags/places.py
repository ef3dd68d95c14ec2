"""The places left in one category, for the registration form's choices."""

from django import template

register = template.Library()


@register.filter
def places_in(places, category):
    """``places``' (a :class:`registrations.places.PlacesLeft`, or nothing) figures for
    ``category``; None when they are not shown."""
    return places.in_category(category.slug) if places else None
