"""Organiser pages that edit an edition: its settings, a new edition, its venue and its
programme (sessions and speakers), under ``journees/<slug>/gestion/`` (namespace "edit").

Every page needs a login (anonymous visitors go to the login page) and a right from
:mod:`accounts.permissions`; other users get the 403 page and no data:

- the settings page needs ``edit_content``: the edition's organisers (``manage``) change
  every setting there; editors, on the same page, a smaller form with the text only (title,
  summary, description);
- the programme pages need ``edit_content``;
- a new edition needs ``manage`` on an organisation (it organises the new edition);
- the venue: changing it needs ``manage`` on its owning organisation; adding one (which
  becomes the edition's venue) ``manage`` on the edition and on the chosen organisation.

Changes are POST forms (CSRF); bad input is shown with its errors and changes nothing.
:func:`form_page` and :func:`confirm_delete` are the shape of every editing page of the
organisers' area (categories and entrances use them too).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.decorators import organiser_page
from accounts.enums import Action
from events.edit_forms import (
    EditionContentForm,
    EditionSettingsForm,
    NewEditionForm,
    NewVenueForm,
    SessionForm,
    SpeakerForm,
    VenueForm,
)
from events.models import Edition, Session, Speaker, Venue


def edit_context(user, edition, **extra):
    """What every editing page of an edition shows: the edition and the editing menu."""
    return {
        "edition": edition,
        "can_manage": permissions.can(user, Action.MANAGE, edition),
        **extra,
    }


def form_page(request, form, *, edition, title, submit, back, current, intro="", **extra):
    """Render the shared editing form page (``events/edit/form.html``)."""
    return render(
        request,
        "events/edit/form.html",
        edit_context(
            request.user,
            edition,
            form=form,
            page_title=title,
            submit_label=submit,
            back_url=back,
            current=current,
            intro=intro,
            **extra,
        ),
    )


def confirm_delete(request, *, edition, title, explanation, back, current):
    """Render the shared confirmation page of a deletion (the form posts to this address)."""
    return render(
        request,
        "events/edit/delete.html",
        edit_context(
            request.user,
            edition,
            page_title=title,
            explanation=explanation,
            back_url=back,
            current=current,
        ),
    )


def promoted_message(request, promoted):
    """Tell the organiser how many waiting people a raised limit gave a seat to."""
    if promoted:
        messages.success(
            request,
            ngettext(
                "%(count)d person of the waiting list got a seat and is emailed.",
                "%(count)d people of the waiting list got a seat and are emailed.",
                len(promoted),
            )
            % {"count": len(promoted)},
        )


def _limit_raised(old, new):
    """Whether a limit (empty: none) went up, which may free seats."""
    return old is not None and (new is None or new > old)


# The edition's settings --------------------------------------------------------------------


@organiser_page
@require_http_methods(["GET", "POST"])
def settings(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.EDIT_CONTENT)
    # The form works on its own copy, so the page's header keeps the saved title.
    instance = Edition.objects.select_related("venue").get(pk=edition.pk)
    data = request.POST if request.method == "POST" else None
    manages = permissions.can(request.user, Action.MANAGE, edition)
    if manages:
        venues = Venue.objects.filter(
            Q(owner__in=permissions.organisations_for(request.user, Action.EDIT_CONTENT))
            | Q(pk=edition.venue_id)
        ).order_by("name", "pk")
        form = EditionSettingsForm(data, instance=instance, venues=venues)
    else:
        form = EditionContentForm(data, instance=instance)
    if form.is_valid():
        with transaction.atomic():
            saved = form.save()
            promoted = []
            if _limit_raised(edition.capacity, saved.capacity):
                # Imported here: registrations builds on events, not the other way round.
                from registrations.capacity import fill_freed_seats

                promoted = fill_freed_seats(saved)
        messages.success(request, _("The day's settings are saved."))
        promoted_message(request, promoted)
        return redirect("edit:settings", slug=edition.slug)
    venue = edition.venue
    return render(
        request,
        "events/edit/settings.html",
        edit_context(
            request.user,
            edition,
            form=form,
            manages=manages,
            venue=venue,
            can_edit_venue=venue is not None
            and permissions.can(request.user, Action.MANAGE, venue),
            can_add_venue=manages and permissions.on_any_organisation(request.user, Action.MANAGE),
            current="settings",
        ),
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def new_edition(request):
    organisations = permissions.organisations_for(request.user, Action.MANAGE).order_by("name")
    if not organisations.exists():
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = NewEditionForm(data, organisations=organisations)
    if form.is_valid():
        with transaction.atomic():
            edition = form.save()
        # The user's roles now reach the new edition.
        permissions.forget(request.user)
        messages.success(request, _("The day is created, as a draft: complete its settings."))
        return redirect("edit:settings", slug=edition.slug)
    return render(request, "events/edit/new_edition.html", {"form": form})


# The venue ---------------------------------------------------------------------------------


@organiser_page
@require_http_methods(["GET", "POST"])
def venue(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.EDIT_CONTENT)
    if edition.venue_id is None:
        raise PermissionDenied
    venue = Venue.objects.get(pk=edition.venue_id)
    permissions.require(request.user, Action.MANAGE, venue)
    form = VenueForm(request.POST if request.method == "POST" else None, instance=venue)
    if form.is_valid():
        form.save()
        messages.success(request, _("The venue is saved."))
        return redirect("edit:settings", slug=edition.slug)
    return form_page(
        request,
        form,
        edition=edition,
        title=_("The venue"),
        submit=_("Save the venue"),
        back=reverse("edit:settings", args=[edition.slug]),
        current="settings",
        intro=_("Every day held at this venue shows these details."),
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def new_venue(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    organisations = permissions.organisations_for(request.user, Action.MANAGE).order_by("name")
    if not organisations.exists():
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = NewVenueForm(data, organisations=organisations)
    if form.is_valid():
        with transaction.atomic():
            venue = form.save()
            Edition.objects.filter(pk=edition.pk).update(venue=venue)
        messages.success(request, _("The venue is added; it is now this day's venue."))
        return redirect("edit:settings", slug=edition.slug)
    return form_page(
        request,
        form,
        edition=edition,
        title=_("Add a venue"),
        submit=_("Add this venue"),
        back=reverse("edit:settings", args=[edition.slug]),
        current="settings",
        intro=_("The new venue becomes this day's venue."),
    )


# The programme -----------------------------------------------------------------------------


@organiser_page
@require_http_methods(["GET"])
def programme(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.EDIT_CONTENT)
    return render(
        request,
        "events/edit/programme.html",
        edit_context(
            request.user,
            edition,
            sessions=edition.sessions.for_programme(),
            speakers=edition.speakers.select_related("organisation").order_by("name", "pk"),
            current="programme",
        ),
    )


def _save_or_show(request, form, *, edition, saved, **page):
    if form.is_valid():
        form.save()
        messages.success(request, saved)
        return redirect("edit:programme", slug=edition.slug)
    return form_page(
        request,
        form,
        edition=edition,
        back=reverse("edit:programme", args=[edition.slug]),
        current="programme",
        **page,
    )


def _posted(request):
    return request.POST if request.method == "POST" else None


@organiser_page
@require_http_methods(["GET", "POST"])
def session_add(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.EDIT_CONTENT)
    form = SessionForm(_posted(request), instance=Session(edition=edition))
    return _save_or_show(
        request,
        form,
        edition=edition,
        saved=_("The session is added to the programme."),
        title=_("Add a session"),
        submit=_("Add this session"),
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def session_edit(request, slug, pk):
    edition = permissions.require_edition(request.user, slug, Action.EDIT_CONTENT)
    session = get_object_or_404(Session, edition=edition, pk=pk)
    form = SessionForm(_posted(request), instance=session)
    return _save_or_show(
        request,
        form,
        edition=edition,
        saved=_("The session is saved."),
        title=_("Change a session"),
        submit=_("Save the session"),
        delete_url=reverse("edit:session_delete", args=[edition.slug, session.pk]),
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def session_delete(request, slug, pk):
    edition = permissions.require_edition(request.user, slug, Action.EDIT_CONTENT)
    session = get_object_or_404(Session, edition=edition, pk=pk)
    if request.method == "POST":
        session.delete()
        messages.success(request, _("The session is deleted."))
        return redirect("edit:programme", slug=edition.slug)
    return confirm_delete(
        request,
        edition=edition,
        title=_("Delete the session “%(title)s”?") % {"title": session.title},
        explanation=_("It leaves the programme; its speakers stay in the list of speakers."),
        back=reverse("edit:programme", args=[edition.slug]),
        current="programme",
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def speaker_add(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.EDIT_CONTENT)
    form = SpeakerForm(_posted(request), instance=Speaker(edition=edition))
    return _save_or_show(
        request,
        form,
        edition=edition,
        saved=_("The speaker is added."),
        title=_("Add a speaker"),
        submit=_("Add this speaker"),
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def speaker_edit(request, slug, pk):
    edition = permissions.require_edition(request.user, slug, Action.EDIT_CONTENT)
    speaker = get_object_or_404(Speaker, edition=edition, pk=pk)
    form = SpeakerForm(_posted(request), instance=speaker)
    return _save_or_show(
        request,
        form,
        edition=edition,
        saved=_("The speaker is saved."),
        title=_("Change a speaker"),
        submit=_("Save the speaker"),
        delete_url=reverse("edit:speaker_delete", args=[edition.slug, speaker.pk]),
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def speaker_delete(request, slug, pk):
    edition = permissions.require_edition(request.user, slug, Action.EDIT_CONTENT)
    speaker = get_object_or_404(Speaker, edition=edition, pk=pk)
    if request.method == "POST":
        speaker.delete()
        messages.success(request, _("The speaker is deleted."))
        return redirect("edit:programme", slug=edition.slug)
    return confirm_delete(
        request,
        edition=edition,
        title=_("Delete the speaker %(name)s?") % {"name": speaker.name},
        explanation=_("The speaker leaves the sessions they were in, and their page goes."),
        back=reverse("edit:programme", args=[edition.slug]),
        current="programme",
    )
