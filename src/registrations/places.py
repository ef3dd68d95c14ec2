"""The places left, as visitors are told them when the organisers choose to (the edition's
``show_places_left``): on the edition's page and beside each category of the form.

The numbers are :func:`registrations.figures.availability`'s, the same as the public API's:
a snapshot for display, never a decision (:mod:`registrations.capacity` decides, under the
edition's lock).
"""

from dataclasses import dataclass

from registrations import figures


@dataclass(frozen=True)
class CategoryPlaces:
    slug: str
    name: str
    #: What its quota and the edition's capacity both leave.
    available: int


@dataclass(frozen=True)
class PlacesLeft:
    #: The edition's places left; None when it has no capacity.
    available: int | None
    #: Whether someone who finds no place joins the waiting list (else is refused).
    has_waiting_list: bool
    #: The public categories that have a quota, in the edition's order.
    categories: tuple

    def in_category(self, slug):
        """The :class:`CategoryPlaces` of the category ``slug``; None when not shown."""
        return next((category for category in self.categories if category.slug == slug), None)


def places_left(edition, *, now=None):
    """What visitors are told of ``edition``'s places left, or None: not shown when the
    organisers chose not to, when registration is not open, or when nothing limits them.
    One query when shown, none otherwise."""
    if not edition.show_places_left or edition.registration_state(now) != "open":
        return None
    counts = figures.availability(edition, now=now)
    categories = tuple(
        CategoryPlaces(slug=row.slug, name=row.name, available=row.available)
        for row in counts.public_categories
        if row.quota is not None
    )
    if counts.available is None and not categories:
        return None
    return PlacesLeft(
        available=counts.available,
        has_waiting_list=edition.has_waiting_list,
        categories=categories,
    )
