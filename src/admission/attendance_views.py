"""Organiser pages of attendance after the day: the figures, and the same figures as CSV.

Every page needs a login (anonymous visitors go to the login page) and ``view_figures`` on
the edition: organisers, editors and viewers; other users get the 403 page. Only counts are
shown, never a name, so a viewer sees exactly what an organiser sees.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from accounts import permissions
from accounts.enums import Action
from admission import attendance
from ptce.decorators import organiser_page


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
    response = HttpResponse(
        attendance.figures_csv(attendance.figures(edition)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"presence-{edition.slug}.csv"
    )
    return response
