"""The organisers' page that offers to notify an edition's attendees of a change of its date,
hours or venue (:mod:`registrations.changes`), reached after saving the day's settings or its
venue.

It needs a login (anonymous visitors go to the login page) and ``manage`` on the edition;
other users get the 403 page and no data. Sending is a POST form (CSRF); a link that is not
valid any more, or a change undone since, sends nothing and says why.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts import permissions
from common.decorators import organiser_page
from common.permissions import Action
from events.edit_pages import edit_context
from registrations import changes


@organiser_page
@require_http_methods(["GET", "POST"])
def notify_change(request, slug):
    """What changed, how many people would be told; "notify them" or "do not"."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    token = request.POST.get(changes.PARAMETER) or request.GET.get(changes.PARAMETER)
    try:
        if request.method == "POST":
            notice, people = changes.notify(edition, token, by=request.user)
        else:
            notice = changes.notice(edition, token)
    except changes.NoticeRefused as refused:
        messages.error(request, refused.message)
        return redirect("events:settings", slug=edition.slug)
    if request.method == "POST":
        if people is not None:
            messages.success(
                request,
                ngettext(
                    "%(count)d person is notified of the change by email.",
                    "%(count)d people are notified of the change by email.",
                    people,
                )
                % {"count": people},
            )
        else:
            messages.info(request, _("This change was already notified; no one was emailed again."))
        return redirect("events:settings", slug=edition.slug)
    return render(
        request,
        "registrations/organiser/notify_change.html",
        edit_context(
            request.user,
            edition,
            notice=notice,
            token=token,
            parameter=changes.PARAMETER,
            people=changes.recipients(edition).count(),
        ),
    )
