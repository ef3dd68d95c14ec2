"""The limits of :mod:`registrations.capacity` said in plain words, for the people they stop.

One sentence per limit, with its value: shown to a person on the waiting list (page and
email), to an organiser in the registrations list and a registration's page, and in a
refusal that an organiser asked for (a change of category, a seat given now).
"""

from django.utils.translation import gettext, ngettext

from registrations.enums import WaitingReason

#: The reasons for waiting that another category may cure: the day itself has seats.
ANOTHER_CATEGORY_HELPS = frozenset({WaitingReason.CATEGORY_FULL, WaitingReason.ORGANISATION_CAP})


def sentence(code, *, limit, category, organisation):
    """Why a seat cannot be given: ``code`` is a limit's (``WaitingReason``'s value),
    ``limit`` its value when reached, ``category`` the category's name and ``organisation``
    the organisation's (empty when it has none). Translated in the active language."""
    if code == WaitingReason.EDITION_FULL:
        if limit is None:
            return gettext("Every seat of the day is taken.")
        return ngettext(
            "Every seat of the day is taken (%(limit)s seat).",
            "Every seat of the day is taken (%(limit)s seats).",
            limit,
        ) % {"limit": limit}
    if code == WaitingReason.CATEGORY_FULL:
        if limit is None:
            return gettext("Every seat of the category “%(category)s” is taken.") % {
                "category": category
            }
        return ngettext(
            "Every seat of the category “%(category)s” is taken (%(limit)s seat).",
            "Every seat of the category “%(category)s” is taken (%(limit)s seats).",
            limit,
        ) % {"category": category, "limit": limit}
    if code == WaitingReason.ORGANISATION_CAP:
        if limit is None:
            return gettext(
                "“%(organisation)s” has all the seats one organisation may have in the "
                "category “%(category)s”."
            ) % {"organisation": organisation, "category": category}
        return ngettext(
            "“%(organisation)s” already has %(limit)s person with a seat in the category "
            "“%(category)s”: the most one organisation may have.",
            "“%(organisation)s” already has %(limit)s people with a seat in the category "
            "“%(category)s”: the most one organisation may have.",
            limit,
        ) % {"organisation": organisation, "category": category, "limit": limit}
    return ""


def waiting_sentence(registration):
    """Why ``registration`` waits, or "" when the reason was not recorded (registered
    before reasons were kept)."""
    if not registration.waiting_reason:
        return ""
    return sentence(
        registration.waiting_reason,
        limit=registration.waiting_limit,
        category=registration.category.name,
        organisation=registration.organisation_label,
    )
