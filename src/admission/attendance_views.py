"""Organiser pages of attendance after the day: the figures, and the same figures as CSV.

Every page needs a login (anonymous visitors go to the login page) and ``view_figures`` on
the edition: organisers, editors and viewers; other users get the 403 page. Only counts are
shown, never a name, so a viewer sees exactly what an organiser sees.
"""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts import permissions
from admission import attendance
from common import spreadsheets
from common.decorators import organiser_page
from common.permissions import Action


@organiser_page
@require_safe
def page(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    return render(
        request,
        "admission/attendance/page.html",
        {
            "edition": edition,
            "figures": attendance.figures(edition),
            "started": timezone.now() >= edition.starts_at,
            # The registration pages' menu, for those who may open them.
            "can_see_people": permissions.can(request.user, Action.VIEW_PERSONAL_DATA, edition),
            "can_manage": permissions.can(request.user, Action.MANAGE, edition),
        },
    )


@organiser_page
@require_safe
def figures_csv(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    return spreadsheets.file_response(
        attendance.figures_csv(attendance.figures(edition)),
        spreadsheets.CSV_CONTENT_TYPE,
        f"presence-{edition.slug}.csv",
    )
