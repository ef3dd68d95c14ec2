"""Keeping a pole's derived data in step with what was declared about it."""

from django.core.exceptions import ValidationError
from django.db import transaction

from network import composition, territories
from network.models import PoleDepartment, TerritoryArea


def refresh(pole):
    """Recompute what is derived from ``pole``'s territory and members.

    Call after the pole, its organisation, its members or its territory changed (admin, CSV
    import, demo). Side effects: rewrites the pole's department rows (for the directory and
    the map) and stores its composition status. Returns the composition check.
    """
    refresh_departments(pole)
    return composition.refresh(pole)


def refresh_departments(pole):
    """Rewrite ``pole``'s PoleDepartment rows from its TerritoryArea rows; return the codes.

    Side effects, in one transaction and only where something changed: deletes the rows of
    departments the territory no longer touches, inserts the new ones. An area whose code is
    not in the shipped vintage (declared under an older one) contributes no department rather
    than failing: validation is the job of the forms and the import.
    """
    with transaction.atomic():
        wanted = set()
        for level, code in TerritoryArea.objects.filter(pole=pole).values_list("level", "code"):
            try:
                wanted |= territories.departments_of_area(level, code)
            except ValidationError:
                continue
        rows = PoleDepartment.objects.filter(pole=pole)
        existing = set(rows.values_list("code", flat=True))
        if existing - wanted:
            rows.filter(code__in=existing - wanted).delete()
        if wanted - existing:
            # A concurrent refresh of the same pole may insert the same rows first.
            PoleDepartment.objects.bulk_create(
                [PoleDepartment(pole=pole, code=code) for code in sorted(wanted - existing)],
                ignore_conflicts=True,
            )
    # A list prefetched before the refresh would now be stale.
    getattr(pole, "_prefetched_objects_cache", {}).pop("departments", None)
    return wanted
