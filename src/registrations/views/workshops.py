"""Organiser pages of an edition's workshops, under ``journees/<slug>/gestion/ateliers/``:
every workshop by slot and how full it is, one workshop's people (moving a person to another
workshop of the slot, changing its seats), and the facilitator's list to print.

Reading needs ``view_personal_data`` on the edition, as the registrations list; changing
(a move, the seats) needs ``manage``. Anonymous visitors go to the login page, other users
get the 403 page and no data. Changes are POST forms (CSRF) that end with a message; one the
rules refuse (:class:`registrations.workshops.ChoiceRefused`) changes nothing and says why,
with the numbers. The rules are :mod:`registrations.workshops`'s; the reading and the list
:mod:`registrations.workshop_lists`'.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts import permissions
from common.decorators import organiser_page
from common.permissions import Action
from events.models import Session
from registrations import workshop_lists, workshops
from registrations.enums import WorkshopChoiceStatus
from registrations.models import Registration

#: The most seats a workshop may have here (a room, not a stadium; and the database's bound).
MOST_SEATS = 100_000


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label=gettext_lazy("Number of seats"),
        min_value=1,
        max_value=MOST_SEATS,
        help_text=gettext_lazy(
            "More seats go to the waiting list at once; the people concerned are emailed."
        ),
    )


class MoveForm(forms.Form):
    """A person who chose the workshop, and another workshop of its slot."""

    registration = forms.ModelChoiceField(queryset=Registration.objects.none())
    to = forms.TypedChoiceField(coerce=int, choices=())

    def __init__(self, *args, session, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration"].queryset = Registration.objects.filter(
            workshop_choices__session=session
        )
        self.fields["to"].choices = [(other.pk, other.title) for other in others]


def _workshop(edition, pk):
    session = get_object_or_404(Session, edition=edition, is_workshop=True, pk=pk)
    session.edition = edition
    return session


def _back(session):
    return redirect("registrations:workshop", slug=session.edition.slug, pk=session.pk)


@organiser_page
@require_safe
def workshop_list(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    return render(
        request,
        "registrations/organiser/workshops/list.html",
        {"edition": edition, "slots": workshop_lists.figures(edition)},
    )


@organiser_page
@require_safe
def workshop_detail(request, slug, pk):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    session = _workshop(edition, pk)
    return _page(request, session)


def _page(request, session, *, capacity_form=None, status=200):
    edition = session.edition
    return render(
        request,
        "registrations/organiser/workshops/detail.html",
        {
            "edition": edition,
            "session": session,
            "figures": workshop_lists.one_workshop(session),
            "people": workshop_lists.people(session),
            "others": workshop_lists.other_workshops(session),
            "when": workshop_lists.when(session),
            "can_manage": permissions.can(request.user, Action.MANAGE, edition),
            "capacity_form": capacity_form or CapacityForm(initial={"capacity": session.capacity}),
        },
        status=status,
    )


@organiser_page
@require_POST
def workshop_move(request, slug, pk):
    """Move a person who chose this workshop to another workshop of the slot."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    session = _workshop(edition, pk)
    form = MoveForm(request.POST, session=session, others=workshop_lists.other_workshops(session))
    if not form.is_valid():
        messages.error(request, _("Choose a person and another workshop of the same time."))
        return _back(session)
    registration = form.cleaned_data["registration"]
    try:
        choice = workshops.move(registration, form.cleaned_data["to"])
    except workshops.ChoiceRefused as refused:
        messages.error(
            request,
            _("%(name)s was not moved: %(reason)s")
            % {"name": registration, "reason": refused.message},
        )
        return _back(session)
    if choice.status == WorkshopChoiceStatus.CONFIRMED:
        text = _("%(name)s now has a seat in “%(title)s” and is told by email.")
    elif choice.status == WorkshopChoiceStatus.WAITING:
        text = _("%(name)s is now on the waiting list of “%(title)s”.")
    else:
        text = _(
            "%(name)s's registration waits for a seat at the day: “%(title)s” is their "
            "choice, applied when they get one."
        )
    messages.success(request, text % {"name": registration, "title": choice.session.title})
    return _back(session)


@organiser_page
@require_POST
def workshop_capacity(request, slug, pk):
    """Change a workshop's seats: never fewer than the people holding one; more fill from
    its waiting list at once."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    session = _workshop(edition, pk)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        return _page(request, session, capacity_form=form, status=400)
    try:
        promoted = workshops.set_capacity(session, form.cleaned_data["capacity"])
    except workshops.ChoiceRefused as refused:
        form.add_error("capacity", refused.message)
        return _page(request, session, capacity_form=form, status=400)
    messages.success(
        request,
        ngettext(
            "The workshop has %(seats)s seat now.",
            "The workshop has %(seats)s seats now.",
            form.cleaned_data["capacity"],
        )
        % {"seats": form.cleaned_data["capacity"]},
    )
    if promoted:
        messages.info(
            request,
            ngettext(
                "%(count)s person of the waiting list got a seat, or was offered one, and is "
                "emailed.",
                "%(count)s people of the waiting list got a seat, or were offered one, and "
                "are emailed.",
                len(promoted),
            )
            % {"count": len(promoted)},
        )
    return _back(session)


@organiser_page
@require_safe
def workshop_sheet(request, slug, pk, export_format):
    """The facilitator's list: ``liste.pdf``, ``liste.csv`` or ``liste.xlsx``."""
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    session = _workshop(edition, pk)
    if export_format not in workshop_lists.FORMATS:
        raise Http404
    content, content_type, name = workshop_lists.export(session, export_format, by=request.user)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        export_format != workshop_lists.PDF, name
    )
    return response
