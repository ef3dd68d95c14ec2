"""Keeping a pole's derived data in step with what was declared about it."""

from network import composition, territories


def refresh(pole):
    """Recompute what is derived from ``pole``'s territory and members.

    Call after the pole, its organisation, its members or its territory changed (admin, CSV
    import, demo). Side effects: rewrites the pole's department rows (for the directory and
    the map) and stores its composition status. Returns the composition check.
    """
    territories.refresh_departments(pole)
    return composition.refresh(pole)
