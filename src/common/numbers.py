"""Numbers as the pages and documents show them."""


def percent(part, whole):
    """``part`` as a whole percentage of ``whole``, half rounded up (in integers: no float
    rounds 2.5 to 2); None when ``whole`` is 0."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)
