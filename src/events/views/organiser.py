"""Organiser pages that edit an edition: its settings, a new edition, its venue and its
programme (sessions and speakers), under ``journees/<slug>/gestion/``.

Every page needs a login (anonymous visitors go to the login page) and a right from
the roles (asked through ``user.has_perm``, :mod:`common.permissions`); other users get
the 403 page and no data:

- the settings page needs ``edit_content``: the edition's organisers (``manage``) change
  every setting there; editors, on the same page, a smaller form with the text only (title,
  summary, description);
- the programme pages need ``edit_content``;
- a new edition needs ``manage`` on an organisation (it organises the new edition);
- the venue: changing it needs ``manage`` on its owning organisation; adding one (which
  becomes the edition's venue) ``manage`` on the edition and on the chosen organisation.

Changes are POST forms (CSRF); bad input is shown with its errors and changes nothing.
The pages share their layout and the views of what belongs to an edition with the other apps'
editing pages (:mod:`events.edit_pages`).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from common.decorators import organiser_page
from common.permissions import Action, get_allowed, require
from events import edit_pages
from events.edit_forms import (
    EditionContentForm,
    EditionSettingsForm,
    NewEditionForm,
    NewVenueForm,
    SessionForm,
    SpeakerForm,
    VenueForm,
    workshop_errors,
)
from events.edit_pages import edit_context, form_page, limit_raised, promoted_message
from events.models import Edition, Session, Speaker, Venue
from events.signals import (
    capacity_raised_for,
    practical_details,
    practical_details_changed_for,
    workshop_seats_raised_for,
)

# The edition's settings --------------------------------------------------------------------


@organiser_page
@require_http_methods(["GET", "POST"])
def settings(request, slug):
    edition = get_allowed(request.user, Action.EDIT_CONTENT, Edition, slug=slug)
    # The form works on its own copy, so the page's header keeps the saved title.
    instance = Edition.objects.select_related("venue").get(pk=edition.pk)
    data = request.POST if request.method == "POST" else None
    manages = request.user.has_perm(Action.MANAGE, edition)
    before = practical_details(edition)
    if manages:
        venues = Venue.objects.filter(
            Q(owner__in=request.user.organisations_for(Action.EDIT_CONTENT))
            | Q(pk=edition.venue_id)
        ).order_by("name", "pk")
        form = EditionSettingsForm(data, instance=instance, venues=venues)
    else:
        form = EditionContentForm(data, instance=instance)
    if form.is_valid():
        with transaction.atomic():
            saved = form.save()
            promoted = []
            if limit_raised(edition.capacity, saved.capacity):
                promoted = capacity_raised_for(saved)
        messages.success(request, _("The day's settings are saved."))
        promoted_message(request, promoted)
        return _after_save(request, saved, before)
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
            can_edit_venue=venue is not None and request.user.has_perm(Action.MANAGE, venue),
            can_add_venue=manages and request.user.has_perm(Action.MANAGE),
            current="settings",
        ),
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def new_edition(request):
    organisations = request.user.organisations_for(Action.MANAGE).order_by("name")
    if not organisations.exists():
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = NewEditionForm(data, organisations=organisations)
    if form.is_valid():
        with transaction.atomic():
            edition = form.save()
        # The user's roles now reach the new edition.
        request.user.forget_roles()
        messages.success(request, _("The day is created, as a draft: complete its settings."))
        return redirect("events:settings", slug=edition.slug)
    return render(request, "events/edit/new_edition.html", {"form": form})


# The venue ---------------------------------------------------------------------------------


@organiser_page
@require_http_methods(["GET", "POST"])
def venue(request, slug):
    edition = get_allowed(request.user, Action.EDIT_CONTENT, Edition, slug=slug)
    if edition.venue_id is None:
        raise PermissionDenied
    venue = Venue.objects.get(pk=edition.venue_id)
    require(request.user, Action.MANAGE, venue)
    # The edition holds the very venue the form changes, so that it reads the new address.
    edition.venue = venue
    before = practical_details(edition)
    form = VenueForm(request.POST if request.method == "POST" else None, instance=venue)
    if form.is_valid():
        form.save()
        messages.success(request, _("The venue is saved."))
        return _after_save(request, edition, before)
    return form_page(
        request,
        form,
        edition=edition,
        title=_("The venue"),
        submit=_("Save the venue"),
        back=reverse("events:settings", args=[edition.slug]),
        current="settings",
        intro=_("Every day held at this venue shows these details."),
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def new_venue(request, slug):
    edition = get_allowed(request.user, Action.MANAGE, Edition, slug=slug)
    organisations = request.user.organisations_for(Action.MANAGE).order_by("name")
    if not organisations.exists():
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = NewVenueForm(data, organisations=organisations)
    if form.is_valid():
        before = practical_details(edition)
        with transaction.atomic():
            venue = form.save()
            Edition.objects.filter(pk=edition.pk).update(venue=venue)
        edition.venue = venue
        messages.success(request, _("The venue is added; it is now this day's venue."))
        return _after_save(request, edition, before)
    return form_page(
        request,
        form,
        edition=edition,
        title=_("Add a venue"),
        submit=_("Add this venue"),
        back=reverse("events:settings", args=[edition.slug]),
        current="settings",
        intro=_("The new venue becomes this day's venue."),
    )


def _after_save(request, edition, before):
    """Back to the settings; or, when the day's date, hours or venue changed and an app
    offers to tell the people concerned (:data:`events.signals.practical_details_changed`),
    to that app's page."""
    offer = practical_details_changed_for(edition, before, by=request.user)
    return redirect(offer or reverse("events:settings", args=[edition.slug]))


# The programme -----------------------------------------------------------------------------


@organiser_page
@require_http_methods(["GET"])
def edit_programme(request, slug):
    edition = get_allowed(request.user, Action.EDIT_CONTENT, Edition, slug=slug)
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


# Sessions and speakers: the views every app uses for what belongs to an edition.


class _ProgrammeObject:
    list_url = "events:edit_programme"
    current = "programme"


class SessionAdd(_ProgrammeObject, edit_pages.AddView):
    model, form_class = Session, SessionForm
    title, submit = _lazy("Add a session"), _lazy("Add this session")
    saved = _lazy("The session is added to the programme.")


class SessionChange(_ProgrammeObject, edit_pages.ChangeView):
    """A workshop's seats raised go to its waiting list at once, in the saving transaction
    (:data:`events.signals.workshop_seats_raised`); the form refuses fewer seats than the
    people holding one."""

    model, form_class = Session, SessionForm
    title, submit = _lazy("Change a session"), _lazy("Save the session")
    saved = _lazy("The session is saved.")
    delete_url = "events:session_delete"

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # The seats as saved, read before validation writes the posted ones on the instance.
        self.old_capacity = form.instance.capacity if form.instance.is_workshop else None
        return form

    def save(self, form):
        with transaction.atomic():
            # The edition's row lock, under which its seats are given (registrations.locks),
            # taken before the session's row, in the order the seats' rules take them. The
            # workshop is checked again under it: a seat taken since the form's check could
            # otherwise leave more people holding a seat than the new number.
            Edition.objects.locked(self.edition.pk)
            errors = workshop_errors(Session.objects.get(pk=self.object.pk), form.cleaned_data)
            if errors:
                for name, message in errors.items():
                    form.add_error(name, message)
                return self.form_invalid(form)
            self.object = form.save()
            promoted = []
            if self.object.is_workshop and limit_raised(self.old_capacity, self.object.capacity):
                promoted = workshop_seats_raised_for(self.object)
        messages.success(self.request, self.saved)
        promoted_message(self.request, promoted)
        return redirect(self.get_success_url())


class SessionDelete(_ProgrammeObject, edit_pages.DeleteView):
    model = Session
    explanation = _lazy("It leaves the programme; its speakers stay in the list of speakers.")
    deleted = _lazy("The session is deleted.")

    def title(self, session):
        return _("Delete the session “%(title)s”?") % {"title": session.title}

    def kept_by(self, session, count):
        # What keeps a session is the people who chose it as a workshop (their choices).
        return ngettext(
            "%(count)s person chose the workshop “%(title)s”: it cannot be deleted until "
            "they are moved to another workshop (the Workshops page) or give it up.",
            "%(count)s people chose the workshop “%(title)s”: it cannot be deleted until "
            "they are moved to other workshops (the Workshops page) or give it up.",
            count,
        ) % {"count": count, "title": session.title}


class SpeakerAdd(_ProgrammeObject, edit_pages.AddView):
    model, form_class = Speaker, SpeakerForm
    title, submit = _lazy("Add a speaker"), _lazy("Add this speaker")
    saved = _lazy("The speaker is added.")


class SpeakerChange(_ProgrammeObject, edit_pages.ChangeView):
    model, form_class = Speaker, SpeakerForm
    title, submit = _lazy("Change a speaker"), _lazy("Save the speaker")
    saved = _lazy("The speaker is saved.")
    delete_url = "events:speaker_delete"


class SpeakerDelete(_ProgrammeObject, edit_pages.DeleteView):
    model = Speaker
    explanation = _lazy("The speaker leaves the sessions they were in, and their page goes.")
    deleted = _lazy("The speaker is deleted.")

    def title(self, speaker):
        return _("Delete the speaker %(name)s?") % {"name": speaker.name}


session_add = organiser_page(SessionAdd.as_view())
session_edit = organiser_page(SessionChange.as_view())
session_delete = organiser_page(SessionDelete.as_view())
speaker_add = organiser_page(SpeakerAdd.as_view())
speaker_edit = organiser_page(SpeakerChange.as_view())
speaker_delete = organiser_page(SpeakerDelete.as_view())
