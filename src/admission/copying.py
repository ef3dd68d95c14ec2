"""A copied edition gets the entrances of its source (``events.signals.edition_copied``);
never tickets, check-ins or security lists. Its ticket key is its own, made when the copy
was created (:mod:`admission.signals`)."""

from admission.models import Entrance

ENTRANCE_FIELDS = ("name", "slug", "position")


def copy_entrances(sender, *, source, copy, **kwargs):
    Entrance.objects.bulk_create(
        Entrance(edition=copy, **{field: getattr(entrance, field) for field in ENTRANCE_FIELDS})
        for entrance in Entrance.objects.filter(edition=source).order_by("position", "pk")
    )
