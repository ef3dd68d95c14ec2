"""The organisers' dashboard of an edition, its live figures, and messages to attendees.

The dashboard and its figures need ``view_figures`` (organisers, editors, viewers): only
counts are shown, never a name. A message to attendees needs ``manage`` (organisers).
Anonymous visitors go to the login page, other users get the 403 page and no data.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from accounts import permissions
from accounts.decorators import organiser_page
from accounts.enums import Action
from registrations import announcements
from registrations.announcement_forms import AnnouncementForm
from registrations.dashboard import recent_dashboard


def _figures_context(edition):
    board, updated_at = recent_dashboard(edition)
    return {"edition": edition, "board": board, "updated_at": updated_at}


@organiser_page
@require_safe
def edition(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    return render(
        request,
        "registrations/dashboard/page.html",
        _figures_context(edition),
    )


@organiser_page
@require_safe
def fragment(request, slug):
    """The figures alone, for the page's refresh every few seconds."""
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    response = render(request, "registrations/dashboard/_figures.html", _figures_context(edition))
    response["Cache-Control"] = "no-store"
    return response


@organiser_page
@require_http_methods(["GET", "POST"])
def message(request, slug):
    """Write, preview (how many people), then send a message to a group of attendees."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    categories = list(edition.categories.all())
    if request.method == "GET":
        form = AnnouncementForm(categories=categories)
        return _message_page(request, edition, form)
    form = AnnouncementForm(request.POST, categories=categories)
    if not form.is_valid():
        return _message_page(request, edition, form, status=400)
    audience = form.audience()
    if "send" not in request.POST:
        count = announcements.recipients(edition, audience).count()
        return _message_page(request, edition, form, preview=count)
    announcement, created = announcements.send(
        edition,
        subject=form.cleaned_data["subject"],
        body=form.cleaned_data["body"],
        audience=audience,
        by=request.user,
        submission_key=form.cleaned_data["submission_key"],
    )
    if created:
        messages.success(
            request,
            ngettext(
                "The message is on its way to %(count)s person.",
                "The message is on its way to %(count)s people.",
                announcement.recipients,
            )
            % {"count": announcement.recipients},
        )
    else:
        messages.info(request, _("This message was already sent; it was not sent again."))
    return redirect("dashboard:message", slug=edition.slug)


def _message_page(request, edition, form, *, preview=None, status=200):
    return render(
        request,
        "registrations/dashboard/message.html",
        {
            "edition": edition,
            "form": form,
            "preview": preview,
            "sent": edition.announcements.select_related("sent_by"),
        },
        status=status,
    )
