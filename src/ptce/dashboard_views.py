"""The organisers' dashboard of an edition, its live figures, and the figures file.

The figures span registrations and admission (:mod:`ptce.dashboard`), so their pages live
here; the messages to attendees, on the same part of the site, are the registrations app's
(:mod:`registrations.announcement_views`), the other exports too
(:mod:`registrations.export_views`).

Every page here needs ``view_figures`` (organisers, editors, viewers): only counts are
shown, never a name. Anonymous visitors go to the login page, other users get the 403 page
and no data.
"""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts import permissions
from common.decorators import organiser_page
from common.permissions import Action
from ptce.dashboard import figures_table, recent_dashboard
from registrations import exports
from registrations.export_views import FormatForm, exports_page


def _figures_context(edition):
    board, updated_at = recent_dashboard(edition)
    return {"edition": edition, "board": board, "updated_at": updated_at}


@organiser_page
@require_safe
def edition(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    return render(
        request,
        "ptce/dashboard/page.html",
        _figures_context(edition),
    )


@organiser_page
@require_safe
def fragment(request, slug):
    """The figures alone, for the page's refresh every few seconds."""
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    response = render(request, "ptce/dashboard/_figures.html", _figures_context(edition))
    response["Cache-Control"] = "no-store"
    return response


@organiser_page
@require_safe
def figures(request, slug):
    """The figures file (CSV or XLSX): counts only, so not a line of the audit log."""
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    format_form = FormatForm(request.GET)
    if not format_form.is_valid():
        return exports_page(request, edition, format_form=format_form, status=400)
    return exports.response(figures_table(edition), format_form.cleaned_data["format"])
