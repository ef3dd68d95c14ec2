"""The organisers' home (the editions a user works on) and copying an edition.

The home needs a login and shows only the editions on which the user has a role, with the
links that role allows; a user with no role gets a plain explanation. Copying needs
``manage`` on the edition copied.
"""

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import permissions
from common.decorators import organiser_page
from common.permissions import Action
from events.copying import copy_edition
from events.models import Edition
from events.organiser_forms import CopyEditionForm
from network.directory import can_manage_directory
from ptce import organiser_menu


def editions_of(user):
    """The editions on which ``user`` may do anything, newest first."""
    editions = Edition.objects.none()
    for action in Action:
        editions = editions | permissions.editions_for(user, action)
    return editions.select_related("venue").order_by("-date", "-pk")


@organiser_page
@require_safe
def home(request):
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
def copy(request, slug):
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
    return redirect("dashboard:edition", slug=copy.slug)


def _copy_page(request, source, form, *, status=200):
    return render(
        request,
        "ptce/organiser/copy.html",
        {"edition": source, "form": form},
        status=status,
    )
