"""The public side of registration: the form, its result, the manage link, the lost-link
form, personal invitations and the participant list.

Seats are decided by :mod:`registrations.capacity`, attendee-side changes by
:mod:`registrations.attendees`; the views validate, call one of them and show the outcome.
Pages whose address carries a secret (manage link, result, invitation) are neither cached,
indexed nor sent as a referrer.
"""

import contextlib
import json

from django.conf import settings
from django.core import signing
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from common.decorators import secret_address
from common.errors import rate_limited
from common.ratelimits import longest, over_rate, validate_submission
from common.text import fold
from events.enums import PUBLIC_STATUSES
from events.models import Edition
from network.models import Organisation
from registrations import (
    attendees,
    capacity,
    forms,
    groups,
    limits,
    links,
    places,
    privacy,
    workshop_pages,
    workshops,
)
from registrations.enums import InvitationKind, Language, RegistrationStatus
from registrations.models import Booking, Invitation, Registration

BOOKING_SALT = "registrations.booking"

#: Where a refusal of ``capacity`` is shown: the field of the refused person, or the code's.
REFUSAL_FIELDS = {
    "category_not_public": "category",
    "category_full": "category",
    "organisation_cap_reached": "organisation",
    "edition_full": None,
}
CODE_REFUSALS = {"invalid_invitation_code", "invitation_used"}


def _public_edition(slug):
    return get_object_or_404(Edition.objects.public().select_related("venue"), slug=slug)


def _language():
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in Language.values else Language.FRENCH


def booking_token(booking):
    return signing.Signer(salt=BOOKING_SALT).sign(booking.public_id.hex)


def _booking_for_token(token):
    try:
        public_id = signing.Signer(salt=BOOKING_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Booking.objects.filter(public_id=public_id).first()


def _result(booking):
    return redirect(
        "registrations:registered", slug=booking.edition.slug, token=booking_token(booking)
    )


# The form ----------------------------------------------------------------------------------


def register(request, slug):
    edition = _public_edition(slug)
    state = edition.registration_state()
    if state != "open":
        return render(request, "registrations/register.html", {"edition": edition, "state": state})
    if request.method != "POST":
        form = forms.GroupForm(edition, booking_initial={"code": request.GET.get("code", "")})
        return _form_page(request, edition, form)
    if "add_person" in request.POST or "remove_person" in request.POST:
        return _form_page(request, edition, forms.draft(edition, request.POST))
    form = forms.GroupForm(edition, request.POST)
    valid, limited = validate_submission(
        request, "registration", form.is_valid, failures="registration_invalid"
    )
    if limited:
        form.booking.add_error(None, limited.message)
        return limited.answer(_form_page(request, edition, form))
    if not valid:
        return _form_page(request, edition, form, status=400)
    if form.is_spam:
        form.booking.add_error(None, _("This form could not be sent. Please try again."))
        return _form_page(request, edition, form, status=400)
    key = form.booking.cleaned_data["submission_key"]
    # An address registered already is not refused here (anyone could test addresses so):
    # attendees.book sends it its link again, and the answer is the same as for a new one.
    try:
        booking = attendees.book(
            edition,
            form.people_kwargs(),
            language=_language(),
            submission_key=key,
            invitation_code=form.code or None,
        )
    except capacity.RegistrationRefused as refused:
        _show_refusal(form, refused)
        return _form_page(request, edition, form, status=409)
    except workshops.ChoiceRefused as refused:
        # Not with the form's own choices, checked already; a form opened before a workshop
        # moved or closed can still meet it.
        _show_choice_refusal(form, refused)
        return _form_page(request, edition, form, status=409)
    except IntegrityError:
        # The same form sent twice at once (its key is unique): the first one's booking is the
        # answer.
        booking = Booking.objects.filter(submission_key=key).first() if key else None
        if booking is None:
            form.booking.add_error(None, _("This form could not be sent. Please try again."))
            return _form_page(request, edition, form, status=409)
    return _result(booking)


def _show_refusal(form, refused):
    if refused.code in CODE_REFUSALS:
        form.booking.add_error("code", refused.message)
        return
    if refused.index is None:
        form.booking.add_error(None, refused.message)
        return
    person = form.people[refused.index]
    field = REFUSAL_FIELDS.get(refused.code)
    if field == "category" and "category" not in person.fields:
        field = None
    person.add_error(field, refused.message)
    person.refusal = refused.code


def _show_choice_refusal(form, refused):
    if refused.index is None or not 0 <= refused.index < len(form.people):
        form.booking.add_error(None, refused.message)
        return
    person = form.people[refused.index]
    person.add_error(person.workshop_field_of(refused.session), refused.message)


def _form_page(request, edition, form, *, status=200):
    return render(
        request,
        "registrations/register.html",
        {
            "edition": edition,
            "state": "open",
            "form": form,
            "errors": form.error_summary() if form.is_bound else [],
            "max_people": forms.MAX_PEOPLE,
            "names_locked_at": attendees.names_locked_at(edition),
            "places_left": places.places_left(edition),
        },
        status=status,
    )


@secret_address
def registered(request, slug, token):
    """The answer to the form: the same whatever the addresses typed (each person's answer
    and link go by email), so that it never tells whether an address was registered already.
    On the demonstration edition, whose emails are not real, the links are shown too."""
    booking = _booking_for_token(token)
    if booking is None or booking.edition.slug != slug:
        raise Http404
    edition = booking.edition
    people = []
    if edition.is_demonstration:
        positions = attendees.waiting_positions(edition)
        people = [
            (person, positions.get(person.pk), links.manage_path(person))
            for person in booking.registrations.select_related("category", "organisation")
        ]
    return render(
        request,
        "registrations/registered.html",
        {"edition": edition, "booking": booking, "people": people},
    )


# The manage link ---------------------------------------------------------------------------


def _registration(token):
    registration = links.registration_for_token(token)
    if registration is None:
        raise Http404
    return registration


def _ticket_links(token):
    """The ticket's page, PDF and calendar file, those the admission app has."""
    found = {}
    for name in ("ticket", "ticket_pdf", "ticket_ics"):
        with contextlib.suppress(NoReverseMatch):
            found[name] = reverse(f"admission:{name}", args=[token])
    return found


def _certificate_link(registration, token):
    """The certificate of attendance's address, when the admission app has one for this
    attendee (admitted at the door of a day that has started); else None."""
    return links.offered("certificate", registration, token)


def _erased_page(request, registration):
    """What the manage link shows once the person's data was erased (or anonymised after
    the day): that it was, and nothing else."""
    return render(
        request,
        "registrations/erased.html",
        {
            "edition": registration.edition,
            "just_erased": request.GET.get("notice") == "erased",
        },
    )


@secret_address(referrer="same-origin")
def manage(request, token):
    registration = _registration(token)
    if registration.anonymised_at is not None:
        return _erased_page(request, registration)
    limited = over_rate(request, "manage") if request.method == "POST" else None
    edition = registration.edition
    now = timezone.now()
    locked = attendees.names_are_locked(edition, now)
    admitted = attendees.admission(registration)
    changeable = registration.is_active and now < edition.ends_at and admitted is None
    form = None
    if changeable:
        data = request.POST if request.method == "POST" else None
        form = forms.DetailsForm(data, registration=registration, names_locked=locked)
        if limited:
            form.add_error(None, limited.message)
        elif data is not None and form.is_valid():
            try:
                changed = attendees.update_details(registration, now=now, **form.details())
            except attendees.ChangeRefused as refused:
                form.add_error(None, refused.message)
            else:
                return _back_to_manage(registration, "saved" if changed else "unchanged")
    elif limited:
        return rate_limited(request, limited=limited)
    elif request.method == "POST":
        return _back_to_manage(registration, _refusal_code(registration, admitted))
    position = move_form = None
    waiting_reason = ""
    if registration.status == RegistrationStatus.WAITLISTED:
        position = attendees.waiting_positions(edition).get(registration.pk)
        waiting_reason = limits.waiting_sentence(registration)
        if (
            registration.waiting_reason in limits.ANOTHER_CATEGORY_HELPS
            and edition.registration_state(now) == "open"
        ):
            move_form = forms.MoveCategoryForm(registration=registration)
            if not move_form.fields["category"].queryset.exists():
                move_form = None
    response = render(
        request,
        "registrations/manage.html",
        {
            "edition": edition,
            "registration": registration,
            "token": token,
            "form": form,
            "position": position,
            "waiting_reason": waiting_reason,
            "admitted": admitted,
            "rehearsed": None if admitted else attendees.rehearsal_admission(registration),
            "move_form": move_form,
            "notice": _notice(request.GET.get("notice")),
            "names_locked": locked,
            "names_locked_at": attendees.names_locked_at(edition),
            "tickets": _ticket_links(token)
            if registration.status == RegistrationStatus.CONFIRMED
            else {},
            "certificate": _certificate_link(registration, token),
            "group": groups.colleagues(registration, now=now),
            "workshop_slots": workshop_pages.person_slots(registration, now=now),
        },
        status=400 if form is not None and form.errors else 200,
    )
    return limited.answer(response) if limited else response


#: What the manage page says after a change, by the ``notice`` of its address.
NOTICES = {
    "saved": gettext_lazy("Your changes are saved."),
    "unchanged": gettext_lazy("Nothing was changed."),
    "cancelled": gettext_lazy("Your registration is cancelled."),
    "reconfirmed": gettext_lazy("Thank you: your seat is kept."),
    "moved": gettext_lazy("You are in your new category, with a seat: your ticket is on its way."),
    "moved_waiting": gettext_lazy(
        "You are in your new category, still on the waiting list, in the same place."
    ),
    # The booker's page, of a colleague (registrations.groups).
    "group_resent": gettext_lazy("The email is on its way again."),
    "group_cancelled": gettext_lazy("This person's registration is cancelled."),
    # The workshops (registrations.workshop_pages).
    "workshop_seat": gettext_lazy("You have a seat in this workshop."),
    "workshop_waiting": gettext_lazy(
        "This workshop is full: you are on its waiting list, and keep the seat you hold at "
        "the same time, if any."
    ),
    "workshop_wish": gettext_lazy(
        "Your choice is noted: it will be applied if you get a seat for the day."
    ),
    "workshop_none": gettext_lazy("You have no workshop at this time any more."),
    "workshop_left": gettext_lazy("Done: you have given up this workshop."),
    "workshop_meanwhile": gettext_lazy(
        "You have a seat in this workshop meanwhile, and keep your place on the waiting list."
    ),
    "workshop_offer_taken": gettext_lazy(
        "The offered seat is yours; the one you held goes to the next person waiting."
    ),
    "workshop_offer_declined": gettext_lazy(
        "You keep your workshop; the offered seat goes to the next person waiting."
    ),
}


def _notice(key):
    return (
        NOTICES.get(key)
        or attendees.ChangeRefused.MESSAGES.get(key)
        or capacity.RegistrationRefused.MESSAGES.get(key)
        or groups.GroupRefused.MESSAGES.get(key)
        or workshops.ChoiceRefused.MESSAGES.get(key)
    )


def _back_to_manage(registration, notice):
    # A notice in the address rather than a flash message: the page stays the same for
    # whoever reloads it, and needs no session.
    return redirect(f"{links.manage_path(registration)}?notice={notice}")


def _refusal_code(registration, admitted=None):
    if not registration.is_active:
        return "registration_cancelled"
    return "admitted" if admitted else "day_over"


@secret_address(referrer="same-origin")
def reconfirm(request, token):
    """Answer "still coming" to the reconfirmation email: a page with one button, because a
    link that changed something on GET would be answered by mail scanners."""
    registration = _registration(token)
    if registration.anonymised_at is not None:
        return redirect(links.manage_path(registration))
    if request.method == "POST" and (limited := over_rate(request, "manage")):
        return rate_limited(request, limited=limited)
    if request.method == "POST":
        try:
            attendees.reconfirm(registration)
        except attendees.ChangeRefused as refused:
            return _back_to_manage(registration, refused.code)
        return _back_to_manage(registration, "reconfirmed")
    return render(
        request,
        "registrations/reconfirm.html",
        {"edition": registration.edition, "registration": registration, "token": token},
    )


@secret_address(referrer="same-origin")
def cancel(request, token):
    registration = _registration(token)
    if request.method == "POST" and (limited := over_rate(request, "manage")):
        return rate_limited(request, limited=limited)
    if request.method == "POST":
        try:
            attendees.cancel(registration)
        except attendees.ChangeRefused as refused:
            return _back_to_manage(registration, refused.code)
        return _back_to_manage(registration, "cancelled")
    if (
        not registration.is_active
        or timezone.now() >= registration.edition.ends_at
        or attendees.admission(registration)
    ):
        return redirect(links.manage_path(registration))
    return render(
        request,
        "registrations/cancel.html",
        {"edition": registration.edition, "registration": registration, "token": token},
    )


# The booker's page: the people of the booking (registrations.groups) ----------------------


def _booker_and_colleague(token, pk):
    """The manage link's registration and the person ``pk`` of its booking, if it is the
    booker's link and the person another of the booking (else 404)."""
    booker = _registration(token)
    colleague = groups.colleague(booker, pk)
    if colleague is None:
        raise Http404
    return booker, colleague


def _booking_key(booker):
    # A second count, per booking: from another connection, its emails go no faster.
    return lambda group, request: f"booking-{booker.booking_id}"


@secret_address
@require_http_methods(["POST"])
def group_resend(request, token, pk):
    """Send a colleague's ticket (or waiting-list email) again, to the address given for
    them (``to=attendee``) or to the booker's (``to=booker``)."""
    booker, colleague = _booker_and_colleague(token, pk)
    limited = longest(
        over_rate(request, "manage"), over_rate(request, "manage", key=_booking_key(booker))
    )
    if limited:
        return rate_limited(request, limited=limited)
    to = request.POST.get("to")
    if to not in groups.RECIPIENTS:
        return _back_to_manage(booker, "unchanged")
    try:
        groups.resend(booker, colleague, to=to)
    except groups.GroupRefused as refused:
        return _back_to_manage(booker, refused.code)
    return _back_to_manage(booker, "group_resent")


@secret_address(referrer="same-origin")
@require_http_methods(["GET", "HEAD", "POST"])
def group_cancel(request, token, pk):
    """Cancel a colleague's coming: a page that asks, with one button (POST)."""
    booker, colleague = _booker_and_colleague(token, pk)
    if request.method == "POST":
        if limited := over_rate(request, "manage"):
            return rate_limited(request, limited=limited)
        try:
            groups.cancel(booker, colleague)
        except groups.GroupRefused as refused:
            return _back_to_manage(booker, refused.code)
        return _back_to_manage(booker, "group_cancelled")
    person = next((p for p in groups.colleagues(booker) if p.pk == colleague.pk), None)
    if person is None or not person.may_cancel:
        return redirect(links.manage_path(booker))
    return render(
        request,
        "registrations/group_cancel.html",
        {"edition": booker.edition, "person": person, "token": token},
    )


@secret_address
@require_http_methods(["POST"])
def move_category(request, token):
    """A waiting attendee moves to another public category: a seat there if it has room."""
    registration = _registration(token)
    if limited := over_rate(request, "manage"):
        return rate_limited(request, limited=limited)
    form = forms.MoveCategoryForm(request.POST, registration=registration)
    if registration.status != RegistrationStatus.WAITLISTED or not form.is_valid():
        return _back_to_manage(registration, "unchanged")
    try:
        capacity.change_category(registration, form.cleaned_data["category"])
    except capacity.RegistrationRefused as refused:
        return _back_to_manage(registration, refused.code)
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    return _back_to_manage(registration, "moved" if confirmed else "moved_waiting")


# Workshops, from the manage link (registrations.workshop_pages) ---------------------------


def _workshop_action(request, token, action):
    """Run ``action(registration)`` for the manage link's person and go back to the page with
    its notice, or the refusal's."""
    registration = _registration(token)
    if limited := over_rate(request, "manage"):
        return rate_limited(request, limited=limited)
    try:
        notice = action(registration)
    except workshops.ChoiceRefused as refused:
        return _back_to_manage(registration, refused.code)
    return _back_to_manage(registration, notice)


@secret_address
@require_http_methods(["POST"])
def workshop_choose(request, token):
    """The form of a slot: a workshop (``workshop``) or none in the slot ``slot``."""
    return _workshop_action(
        request,
        token,
        lambda registration: workshop_pages.change(
            registration, slot=request.POST.get("slot"), workshop=request.POST.get("workshop")
        ),
    )


@secret_address
@require_http_methods(["POST"])
def workshop_leave(request, token, pk):
    """Give up a workshop: its seat, its waiting list or the wish."""
    return _workshop_action(
        request, token, lambda registration: workshop_pages.leave(registration, pk)
    )


@secret_address
@require_http_methods(["POST"])
def workshop_meanwhile(request, token, pk):
    """While waiting for a workshop, take a seat in another of its slot."""
    return _workshop_action(
        request, token, lambda registration: workshop_pages.take_meanwhile(registration, pk)
    )


@secret_address
@require_http_methods(["POST"])
def workshop_offer(request, token, pk):
    """Answer a seat offered: ``keep=offered`` takes it, ``keep=held`` keeps the one held."""
    return _workshop_action(
        request,
        token,
        lambda registration: workshop_pages.answer_offer(
            registration, pk, keep=request.POST.get("keep")
        ),
    )


# A person's data, from the manage link -----------------------------------------------------


@secret_address
@require_safe
def my_data(request, token):
    """A copy of everything stored about the person, as a JSON file (recorded in the audit
    log, as a copy the person asked for)."""
    registration = _registration(token)
    if registration.anonymised_at is not None:
        return redirect(links.manage_path(registration))
    if limited := over_rate(request, "privacy"):
        return rate_limited(request, limited=limited)
    copy = privacy.data_copy(registration)
    response = HttpResponse(
        json.dumps(copy, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"mes-donnees-{registration.edition.slug}.json"
    )
    return response


@secret_address(referrer="same-origin")
@require_http_methods(["GET", "HEAD", "POST"])
def erase(request, token):
    """Delete my data: a page that says what happens, with one button (POST)."""
    registration = _registration(token)
    if registration.anonymised_at is not None:
        return redirect(links.manage_path(registration))
    if request.method == "POST":
        if limited := over_rate(request, "privacy"):
            return rate_limited(request, limited=limited)
        privacy.erase(registration)
        return redirect(f"{links.manage_path(registration)}?notice=erased")
    return render(
        request,
        "registrations/erase.html",
        {
            "edition": registration.edition,
            "registration": registration,
            "token": token,
            "will_cancel": registration.is_active and timezone.now() < registration.edition.ends_at,
        },
    )


def lost_link(request, slug):
    edition = _public_edition(slug)
    sent = False
    status = 200
    limited = None
    if request.method == "POST":
        form = forms.LostLinkForm(request.POST)
        if limited := over_rate(request, "lost_link"):
            form.add_error(None, limited.message)
        elif form.is_valid():
            # Same answer whatever happens, so that the page never tells whether an address
            # is registered; a bot filling the honeypot is answered the same, and sent nothing.
            if not form.cleaned_data["website"]:
                attendees.send_manage_links(edition, form.cleaned_data["email"])
            sent = True
            form = forms.LostLinkForm()
        else:
            status = 400
    else:
        form = forms.LostLinkForm(initial={"email": request.GET.get("email", "")[:254]})
    response = render(
        request,
        "registrations/lost_link.html",
        {"edition": edition, "form": form, "sent": sent},
        status=status,
    )
    return limited.answer(response) if limited else response


# Personal invitations ----------------------------------------------------------------------


@secret_address(referrer="same-origin")
def invitation(request, code):
    invitation = (
        Invitation.objects.usable()
        .filter(code=code, kind=InvitationKind.PERSONAL, edition__status__in=PUBLIC_STATUSES)
        .select_related("edition", "edition__venue", "category")
        .first()
    )
    if invitation is None:
        return render(request, "registrations/invitation_invalid.html", status=404)
    edition = invitation.edition
    context = {"edition": edition, "invitation": invitation, "now": timezone.now()}
    if invitation.registrations.exists():
        return render(request, "registrations/invitation_used.html", context)
    state = edition.registration_state()
    if state in ("closed", "none"):
        return render(request, "registrations/invitation.html", context | {"state": state})
    context |= {
        "state": "open",
        "organisers": [organisation.name for organisation in edition.organisers.all()],
        "organisations_list": attendees.listed_organisations(),
    }
    data = request.POST if request.method == "POST" else None
    form = forms.PersonForm(
        data,
        initial={"email": invitation.email},
        prefix="p0",
        edition=edition,
        index=0,
        categories=[invitation.category],
        with_category=False,
        workshop_slots=workshop_pages.form_slots(edition),
    )
    context["form"] = form
    if data is None:
        return render(request, "registrations/invitation.html", context)
    valid, limited = validate_submission(
        request, "registration", form.is_valid, failures="registration_invalid"
    )
    if limited:
        form.add_error(None, limited.message)
        return limited.answer(render(request, "registrations/invitation.html", context))
    if not valid:
        return render(request, "registrations/invitation.html", context, status=400)
    try:
        booking = attendees.book(
            edition, [_invited_person(form)], language=_language(), invitation_code=code
        )
    except capacity.RegistrationRefused as refused:
        if refused.code == "invitation_used":
            return render(request, "registrations/invitation_used.html", context)
        form.add_error(REFUSAL_FIELDS.get(refused.code), refused.message)
        form.refusal = refused.code
        return render(request, "registrations/invitation.html", context, status=409)
    except workshops.ChoiceRefused as refused:
        form.add_error(form.workshop_field_of(refused.session), refused.message)
        return render(request, "registrations/invitation.html", context, status=409)
    return _result(booking)


def _invited_person(form):
    data = form.cleaned_data
    name = " ".join(data["organisation"].split())
    pk = attendees.match_organisation(name)
    organisation = None
    if pk:
        organisation = Organisation.objects.get(pk=pk)
    return dict(
        category=None,
        email=data["email"],
        organisation=organisation,
        organisation_name="" if organisation else name,
        workshops=form.chosen_workshops(),
        **form.details(),
    )


# The participant list ----------------------------------------------------------------------


def participants(request, slug):
    edition = _public_edition(slug)
    if not edition.participant_list_is_public:
        raise Http404
    people = (
        Registration.objects.filter(edition=edition, consent_public_list=True)
        .confirmed()
        .select_related("organisation")
        .only(
            "first_name",
            "last_name",
            "badge_name",
            "organisation_name",
            "organisation__name",
            "organisation__is_fictional",
        )
    )
    people = sorted(people, key=lambda r: (fold(r.last_name), fold(r.first_name), r.pk))
    return render(
        request, "registrations/participants.html", {"edition": edition, "people": people}
    )
