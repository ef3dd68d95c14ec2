"""The project's organiser pages: the organisers' home, copying an edition, an edition's
dashboard with the figures that span registrations and admission, and its report after the
day."""

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import permissions
from common import spreadsheets
from common.decorators import organiser_page
from common.permissions import Action
from events import edit_pages
from events.copying import copy_edition
from events.edit_forms import ReportTextsForm
from events.models import Edition
from events.organiser_forms import CopyEditionForm
from network.directory import can_manage_directory
from ptce import organiser_menu, report_pdf
from ptce import report as reports
from ptce.dashboard import figures_table, recent_dashboard
from registrations import exports
from registrations.views.organiser import FormatForm, render_exports

# The organisers' home ----------------------------------------------------------------------
#
# The organisers' home (the editions a user works on) and copying an edition.
#
# The home needs a login and shows only the editions on which the user has a role, with the
# links that role allows; a user with no role gets a plain explanation. Copying needs
# ``manage`` on the edition copied.


def editions_of(user):
    """The editions on which ``user`` may do anything, newest first."""
    editions = Edition.objects.none()
    for action in Action:
        editions = editions | permissions.editions_for(user, action)
    return editions.select_related("venue").order_by("-date", "-pk")


@organiser_page
@require_safe
def organiser_home(request):
    user = request.user
    editions = list(editions_of(user))
    for edition in editions:
        edition.menu = organiser_menu.groups(user, edition)
    return render(
        request,
        "ptce/organiser/home.html",
        {
            "editions": editions,
            "can_create_edition": permissions.on_any_organisation(user, Action.MANAGE),
            "can_manage_team": permissions.on_any_organisation(user, Action.MANAGE),
            "can_manage_directory": can_manage_directory(user),
        },
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def edition_copy(request, slug):
    source = permissions.require_edition(request.user, slug, Action.MANAGE)
    if request.method == "GET":
        form = CopyEditionForm(
            source=source,
            initial={
                "title": source.title,
                "date": source.date,
                "start_time": source.start_time,
                "end_time": source.end_time,
            },
        )
        return _copy_page(request, source, form)
    form = CopyEditionForm(request.POST, source=source)
    if not form.is_valid():
        return _copy_page(request, source, form, status=400)
    try:
        copy = copy_edition(source, **form.cleaned_data)
    except IntegrityError:
        # Taken meanwhile, between the form's check and the insert.
        form.add_error("slug", _("Another edition already has this address name."))
        return _copy_page(request, source, form, status=400)
    messages.success(
        request,
        _("The copy is ready, as a draft: check its dates and settings before publishing it."),
    )
    return redirect("dashboard", slug=copy.slug)


def _copy_page(request, source, form, *, status=200):
    return render(
        request,
        "ptce/organiser/copy.html",
        {"edition": source, "form": form},
        status=status,
    )


# The dashboard -----------------------------------------------------------------------------
#
# The organisers' dashboard of an edition, its live figures, and the figures file.
#
# The figures span registrations and admission (:mod:`ptce.dashboard`), so their pages live
# here; the messages to attendees, on the same part of the site, are the registrations app's
# (:mod:`registrations.views.organiser`), the other exports too.
#
# Every page here needs ``view_figures`` (organisers, editors, viewers): only counts are
# shown, never a name. Anonymous visitors go to the login page, other users get the 403 page
# and no data.


def _figures_context(request, edition):
    board, updated_at = recent_dashboard(edition)
    return {
        "edition": edition,
        "board": board,
        "updated_at": updated_at,
        # The workshops' pages name people: linked for those who may see them.
        "can_see_people": permissions.can(request.user, Action.VIEW_PERSONAL_DATA, edition),
    }


@organiser_page
@require_safe
def dashboard(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    return render(
        request,
        "ptce/dashboard/page.html",
        {
            **_figures_context(request, edition),
            "can_manage": permissions.can(request.user, Action.MANAGE, edition),
        },
    )


@organiser_page
@require_safe
def dashboard_fragment(request, slug):
    """The figures alone, for the page's refresh every few seconds."""
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    response = render(request, "ptce/dashboard/_figures.html", _figures_context(request, edition))
    response["Cache-Control"] = "no-store"
    return response


@organiser_page
@require_safe
def figures_export(request, slug):
    """The figures file (CSV or XLSX): counts only, so not a line of the audit log."""
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    format_form = FormatForm(request.GET)
    if not format_form.is_valid():
        return render_exports(request, edition, format_form=format_form, status=400)
    return exports.response(figures_table(edition), format_form.cleaned_data["format"])


# The report after the day ------------------------------------------------------------------
#
# The report of the day for its funders (:mod:`ptce.report`), as a page and a PDF: counts
# only, with no group smaller than the threshold, so ``view_figures`` (organisers, editors,
# viewers). Its two texts are the organisers' own writing: ``edit_content``.


@organiser_page
@require_safe
def report(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    found = reports.report(edition)
    return render(
        request,
        "ptce/organiser/report.html",
        edit_pages.edit_context(
            request.user,
            edition,
            report=found,
            counted=reports.counted_sentence(found),
            threshold_note=reports.threshold_sentence(found),
            fewer_answers=reports.fewer_answers_sentence(found.threshold),
            responses=reports.responses_sentence(found.feedback) if found.feedback else "",
            can_edit_texts=permissions.can(request.user, Action.EDIT_CONTENT, edition),
        ),
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def report_texts(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.EDIT_CONTENT)
    form = ReportTextsForm(request.POST if request.method == "POST" else None, instance=edition)
    if form.is_valid():
        # Only the two texts: a concurrent change of the settings is kept.
        form.save(commit=False).save(update_fields=[*form.Meta.fields, "updated_at"])
        messages.success(request, _("The texts of the report are saved."))
        return redirect("report", slug=edition.slug)
    return edit_pages.form_page(
        request,
        form,
        edition=edition,
        title=_("Texts of the report"),
        submit=_("Save the texts"),
        back=reverse("report", kwargs={"slug": edition.slug}),
        current="report",
        intro=_(
            "Your own words around the figures: an introduction before them and your "
            "conclusions after them, on the page and in the PDF. Plain text; leave a blank "
            "line between paragraphs."
        ),
    )


@organiser_page
@require_safe
def report_download(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    content = report_pdf.render(reports.report(edition))
    return spreadsheets.file_response(content, "application/pdf", reports.filename(edition))
