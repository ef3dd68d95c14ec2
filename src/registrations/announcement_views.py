"""The organisers' messages to attendees, from the dashboard of an edition (whose figures
are the project's: :mod:`ptce.dashboard_views`).

A message to attendees needs ``manage`` (organisers). Anonymous visitors go to the login
page, other users get the 403 page and no data.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts import permissions
from common.decorators import organiser_page
from common.permissions import Action
from registrations import announcements
from registrations.announcement_forms import AnnouncementForm


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
        "registrations/announcement.html",
        {
            "edition": edition,
            "form": form,
            "preview": preview,
            "sent": edition.announcements.select_related("sent_by"),
        },
        status=status,
    )
