"""Organiser pages of registrations for an edition: the registrations and invitations, the
categories, messages to attendees, personal data, and the exports."""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts import permissions
from common.decorators import organiser_page, verified_login_required
from common.french import of
from common.links import absolute
from common.permissions import Action
from events import edit_pages
from events.edit_pages import edit_context, limit_raised, promoted_message
from events.models import Edition
from outbox.enums import MessageStatus
from outbox.models import Message
from outbox.services import resend as resend_message
from registrations import (
    announcements,
    attendees,
    capacity,
    emails,
    exports,
    figures,
    limits,
    privacy,
)
from registrations.announcement_forms import AnnouncementForm
from registrations.category_forms import CategoryForm
from registrations.enums import RegistrationStatus
from registrations.models import Category, Invitation, Registration
from registrations.organiser_forms import (
    REFUSAL_DEFAULT_FIELD,
    REFUSAL_FIELDS,
    AddPersonForm,
    ChangeCategoryForm,
    EditRegistrationForm,
    GroupCodeForm,
    InvitationForm,
    RegistrationFilterForm,
    directory_organisations,
    matching,
    search,
)

# Registrations and invitations -------------------------------------------------------------
#
# Organiser pages of an edition's registrations: the list, one registration and its actions,
# adding a person, invitations, and the emails that failed.
#
# Every page needs a login (anonymous visitors go to the login page) and a right on the
# edition, from :mod:`accounts.permissions`: reading registrations (the list, a registration,
# invitations, failed emails) needs ``view_personal_data``; changing anything (cancel,
# promote, resend, add, invite, revoke) needs ``manage``. Other users get the 403 page and no
# data. Actions are POST forms (CSRF); each ends with a message, and bad input changes nothing.


PAGE_SIZE = 50
#: Failed emails shown at once; beyond, the oldest wait for the newest to be dealt with.
FAILED_EMAILS_SHOWN = 200
INVITATION_KIND = "registrations.invitation"
#: What each email is, for people (the outbox knows them by kind).
KIND_LABELS = {
    "registrations.confirmed": gettext_lazy("Confirmation with the ticket"),
    "registrations.waitlisted": gettext_lazy("On the waiting list"),
    "registrations.promoted": gettext_lazy("A seat for a waiting person"),
    "registrations.cancelled": gettext_lazy("Cancellation"),
    "registrations.invitation": gettext_lazy("Invitation"),
    "registrations.manage_link": gettext_lazy("Private link sent again"),
    "registrations.reminder": gettext_lazy("Reminder before the day"),
    "registrations.reconfirmation": gettext_lazy("Are you still coming?"),
    "registrations.changed": gettext_lazy("Change of date, hours or venue"),
    "registrations.ticket_changed": gettext_lazy("New ticket after a change of names"),
}


def _labelled(mails):
    mails = list(mails)
    for mail in mails:
        mail.label = KIND_LABELS.get(mail.kind, mail.kind)
    return mails


def _registration(edition, pk):
    return get_object_or_404(
        Registration.objects.select_related("category", "organisation", "invitation", "booking"),
        edition=edition,
        pk=pk,
    )


def _detail(registration):
    return redirect("registrations:detail", slug=registration.edition.slug, pk=registration.pk)


def _invitation_link(invitation):
    """The absolute link of a personal invitation (the guest's registration page)."""
    return absolute(reverse("registrations:invitation", args=[invitation.code]))


# The list ----------------------------------------------------------------------------------


@verified_login_required
@never_cache
@require_GET
def registration_list(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    counts = figures.availability(edition)
    categories = [row.category for row in counts.categories]
    form = RegistrationFilterForm(request.GET, categories=categories)
    filters = form.filters()
    registrations = figures.with_waitlist_position(
        matching(edition, filters).select_related("category", "organisation")
    )
    page = Paginator(registrations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registrations/organiser/list.html",
        {
            "edition": edition,
            "figures": counts,
            "form": form,
            "page": page,
            "is_filtered": bool(filters),
            "query": form.query(),
            "can_manage": permissions.can(request.user, Action.MANAGE, edition),
        },
    )


# One registration --------------------------------------------------------------------------


@verified_login_required
@never_cache
@require_GET
def registration_detail(request, slug, pk):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    registration = _registration(edition, pk)
    return _detail_page(request, edition, registration)


def _detail_page(request, edition, registration, *, category_form=None, status=200):
    mails = emails.messages_about(registration).order_by("-created_at", "-pk")
    can_manage = permissions.can(request.user, Action.MANAGE, edition)
    if can_manage and category_form is None and registration.is_active:
        category_form = ChangeCategoryForm(registration=registration)
    booked_with = []
    if registration.booking_id:
        booked_with = figures.with_waitlist_position(
            registration.booking.registrations.select_related("category").order_by(
                "created_at", "pk"
            )
        )
    return render(
        request,
        "registrations/organiser/detail.html",
        {
            "edition": edition,
            "registration": registration,
            "waitlist_position": figures.waitlist_position(registration),
            "waiting_reason": limits.waiting_sentence(registration),
            "booked_with": booked_with,
            "mails": _labelled(mails),
            "can_manage": can_manage,
            "category_form": category_form,
            "names_locked": attendees.names_are_locked(edition),
        },
        status=status,
    )


@verified_login_required
@never_cache
@require_http_methods(["GET", "POST"])
def registration_edit(request, slug, pk):
    """Correct a registration's details; the names after their deadline with a reason."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    registration = _registration(edition, pk)
    locked = attendees.names_are_locked(edition)
    form = EditRegistrationForm(
        request.POST if request.method == "POST" else None,
        registration=registration,
        names_locked=locked,
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = attendees.update_details(
                registration,
                by=request.user,
                reason=form.cleaned_data.get("reason", ""),
                **form.details(),
            )
        except attendees.ChangeRefused as refused:
            form.add_error("email" if refused.code == "email_taken" else None, refused.message)
        else:
            if changed:
                messages.success(request, _("The changes are saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return _detail(registration)
    return render(
        request,
        "registrations/organiser/edit.html",
        {
            "edition": edition,
            "registration": registration,
            "form": form,
            "names_locked": locked,
            "names_locked_at": attendees.names_locked_at(edition),
            "is_changeable": registration.is_active and timezone.now() < edition.ends_at,
        },
        status=400 if form.errors else 200,
    )


@verified_login_required
@require_POST
def change_category(request, slug, pk):
    """Move a registration to another category: within every limit, or refused with it."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    registration = _registration(edition, pk)
    form = ChangeCategoryForm(request.POST, registration=registration)
    if not form.is_valid():
        return _detail_page(request, edition, registration, category_form=form, status=400)
    try:
        promoted = capacity.change_category(
            registration, form.cleaned_data["category"], by_organiser=True
        )
    except capacity.RegistrationRefused as refused:
        form.add_error("category", refused.message)
        return _detail_page(request, edition, registration, category_form=form, status=400)
    if registration.status == RegistrationStatus.CONFIRMED:
        text = _("%(name)s is now in the category “%(category)s”, with a seat.")
    else:
        text = _("%(name)s is now waiting in the category “%(category)s”: %(reason)s")
    messages.success(
        request,
        text
        % {
            "name": registration,
            "category": registration.category.name,
            "reason": limits.waiting_sentence(registration),
        },
    )
    if promoted:
        messages.info(request, _promoted_message(promoted))
    return _detail(registration)


@verified_login_required
@never_cache
@require_http_methods(["GET", "POST"])
def registration_cancel(request, slug, pk):
    """A confirmation page; its POST cancels and gives the seat to the waiting list."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    registration = _registration(edition, pk)
    if request.method == "POST":
        if not registration.is_active:
            messages.info(request, _("This registration was already cancelled."))
            return _detail(registration)
        promoted = capacity.cancel(registration)
        messages.success(
            request, _("The registration %(of_name)s is cancelled.") % {"of_name": of(registration)}
        )
        if promoted:
            messages.info(request, _promoted_message(promoted))
        return _detail(registration)
    return render(
        request,
        "registrations/organiser/cancel.html",
        {"edition": edition, "registration": registration},
    )


def _promoted_message(promoted):
    names = ", ".join(str(registration) for registration in promoted)
    return ngettext(
        "The seat went to the first person who fits it in the waiting list: %(names)s.",
        "The seats went to the first people who fit them in the waiting list: %(names)s.",
        len(promoted),
    ) % {"names": names}


@verified_login_required
@require_POST
def promote(request, slug, pk):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    registration = _registration(edition, pk)
    try:
        capacity.promote(registration)
    except capacity.RegistrationRefused as refused:
        messages.error(
            request,
            _("%(name)s was not given a seat: %(reason)s")
            % {"name": registration, "reason": refused.message},
        )
    else:
        messages.success(
            request,
            _("%(name)s has a seat; the confirmation is on its way.") % {"name": registration},
        )
    return _detail(registration)


@verified_login_required
@require_POST
def resend(request, slug, pk):
    """Send the confirmation (or the waiting-list email) again, as a new email."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    registration = _registration(edition, pk)
    if not registration.is_active:
        messages.error(request, _("A cancelled registration has no confirmation to send."))
        return _detail(registration)
    with transaction.atomic():
        emails.registered(registration)
    messages.success(request, _("The email is on its way again."))
    return _detail(registration)


# Selections of the list --------------------------------------------------------------------

#: Most registrations one action of the list takes at once (two pages of the list).
SELECTION_LIMIT = 2 * PAGE_SIZE


def _selected(edition, data):
    """The registrations of ``edition`` whose pks ``data`` lists as ``pk`` (others, and
    what is not a number, are ignored), in the list's order."""
    pks = {int(value) for value in data.getlist("pk")[:SELECTION_LIMIT] if value.isdigit()}
    return list(
        Registration.objects.filter(edition=edition, pk__in=pks)
        .select_related("category", "organisation")
        .order_by("created_at", "pk")
    )


def _list_query(edition, query):
    """The list's filters found in ``query`` (its address's query, posted back), written
    again: only valid filters come back, never anything else."""
    return RegistrationFilterForm(
        QueryDict(query or ""), categories=edition.categories.all()
    ).query()


def _back_to_list(edition, query):
    address = reverse("registrations:list", args=[edition.slug])
    query = _list_query(edition, query)
    return redirect(f"{address}?{query}" if query else address)


@verified_login_required
@require_POST
def selection(request, slug):
    """What the list's checkboxes do: cancel (after a confirmation page), send the
    confirmation again, or write to the people chosen (the message page)."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    chosen = _selected(edition, request.POST)
    action = request.POST.get("action")
    back = _list_query(edition, request.POST.get("back", ""))
    if not chosen or action not in {"cancel", "cancel_confirmed", "resend", "message"}:
        messages.error(request, _("Choose at least one registration, then an action."))
        return _back_to_list(edition, back)
    if action == "message":
        query = urlencode([("pk", registration.pk) for registration in chosen])
        return redirect(f"{reverse('registrations:message', args=[edition.slug])}?{query}")
    active = [registration for registration in chosen if registration.is_active]
    if action == "resend":
        with transaction.atomic():
            for registration in active:
                emails.registered(registration)
        messages.success(
            request,
            ngettext(
                "The email is on its way again to %(count)s person.",
                "The emails are on their way again to %(count)s people.",
                len(active),
            )
            % {"count": len(active)},
        )
    elif action == "cancel":
        return render(
            request,
            "registrations/organiser/cancel_selection.html",
            {"edition": edition, "chosen": active, "back": back},
        )
    else:
        promoted = []
        for registration in active:
            promoted += capacity.cancel(registration)
        messages.success(
            request,
            ngettext(
                "%(count)s registration is cancelled.",
                "%(count)s registrations are cancelled.",
                len(active),
            )
            % {"count": len(active)},
        )
        if promoted:
            messages.info(request, _promoted_message(promoted))
    if len(active) < len(chosen):
        messages.info(request, _("Cancelled registrations among those chosen were left aside."))
    return _back_to_list(edition, back)


# Adding a person ---------------------------------------------------------------------------


@verified_login_required
@never_cache
@require_http_methods(["GET", "POST"])
def add(request, slug):
    """Add one person, in any category, also after closing: never beyond a limit."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    form = AddPersonForm(request.POST if request.method == "POST" else None, edition=edition)
    if request.method == "POST" and form.is_valid():
        try:
            registration = capacity.register(edition, by_organiser=True, **form.attendee())
        except capacity.RegistrationRefused as refused:
            form.add_error(REFUSAL_FIELDS.get(refused.code, REFUSAL_DEFAULT_FIELD), refused.message)
        else:
            if registration.status == RegistrationStatus.CONFIRMED:
                text = _("%(name)s is registered, with a seat.")
            else:
                text = _("%(name)s is on the waiting list: every seat that fits is taken.")
            messages.success(request, text % {"name": registration})
            return _detail(registration)
    return render(
        request,
        "registrations/organiser/add.html",
        {
            "edition": edition,
            "form": form,
            "organisations": directory_organisations().values_list("name", flat=True),
            "is_closed": edition.registration_state() == "closed",
        },
    )


# Invitations -------------------------------------------------------------------------------


def _invitations_page(request, edition, *, invite_form=None, group_form=None, status=200):
    invitations = list(
        Invitation.objects.filter(edition=edition)
        .select_related("category")
        .annotate(uses=Count("registrations"))
        .order_by("-created_at", "-pk")
    )
    mail_status = dict(
        Message.objects.for_edition(edition)
        .filter(kind=INVITATION_KIND, object_id__in=[i.pk for i in invitations if i.is_personal])
        .order_by("object_id", "created_at", "pk")
        .values_list("object_id", "status")
    )
    for invitation in invitations:
        invitation.link = _invitation_link(invitation) if invitation.is_personal else None
        invitation.mail_status = mail_status.get(invitation.pk)
    return render(
        request,
        "registrations/organiser/invitations.html",
        {
            "edition": edition,
            "invitations": invitations,
            "invite_form": invite_form or InvitationForm(edition=edition, prefix="invite"),
            "group_form": group_form or GroupCodeForm(edition=edition, prefix="group"),
            "can_manage": permissions.can(request.user, Action.MANAGE, edition),
        },
        status=status,
    )


@verified_login_required
@never_cache
@require_GET
def invitations(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    return _invitations_page(request, edition)


@verified_login_required
@require_POST
def invite(request, slug):
    """Create a personal invitation and email its link to the guest."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    form = InvitationForm(request.POST, edition=edition, prefix="invite")
    if form.is_valid():
        counts = figures.availability(edition)
        try:
            with transaction.atomic():
                form.instance.created_by = request.user
                invitation = form.save()
                emails.invitation(invitation)
        except IntegrityError:
            # Another organiser invited the same address a moment ago.
            form.add_error("email", _("This email already has an invitation to this day."))
        else:
            messages.success(
                request,
                _("The invitation is on its way to %(email)s.") % {"email": invitation.email},
            )
            category = next(
                row for row in counts.categories if row.category.pk == invitation.category_id
            )
            if invitation.holds_seat_until and category.available == 0:
                messages.warning(
                    request,
                    _(
                        "No seat of this category was free: the guest will join the waiting "
                        "list when registering, unless a seat frees up by then."
                    ),
                )
            return redirect("registrations:invitations", slug=edition.slug)
    return _invitations_page(request, edition, invite_form=form)


@verified_login_required
@require_POST
def group_code(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    form = GroupCodeForm(request.POST, edition=edition, prefix="group")
    if form.is_valid():
        form.instance.created_by = request.user
        invitation = form.save()
        messages.success(
            request,
            _("The group code %(code)s is ready: give it to the people you invite.")
            % {"code": invitation.code},
        )
        return redirect("registrations:invitations", slug=edition.slug)
    return _invitations_page(request, edition, group_form=form)


@verified_login_required
@require_POST
def revoke(request, slug, pk):
    """Revoke an invitation: its link or code stops working and a held seat is freed."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    invitation = get_object_or_404(Invitation, edition=edition, pk=pk)
    if invitation.revoked_at is not None:
        messages.info(request, _("This invitation was already revoked."))
    else:
        promoted = capacity.revoke_invitation(invitation)
        messages.success(request, _("The invitation is revoked."))
        if promoted:
            messages.info(request, _promoted_message(promoted))
    return redirect("registrations:invitations", slug=edition.slug)


# Failed emails -----------------------------------------------------------------------------


@verified_login_required
@never_cache
@require_GET
def failed_emails(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    # An email sent again (or written again, e.g. a confirmation resent) is a newer message of
    # the same kind to the same person: the failed one is then dealt with.
    newer = Message.objects.filter(
        kind=OuterRef("kind"),
        object_id=OuterRef("object_id"),
        recipient=OuterRef("recipient"),
        pk__gt=OuterRef("pk"),
    )
    failed = (
        Message.objects.for_edition(edition)
        .failed()
        .exclude(Exists(newer))
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "registrations/organiser/failed_emails.html",
        {
            "edition": edition,
            "messages_failed": _labelled(failed[:FAILED_EMAILS_SHOWN]),
            "count": failed.count(),
            "can_manage": permissions.can(request.user, Action.MANAGE, edition),
        },
    )


@verified_login_required
@require_POST
def resend_email(request, slug, pk):
    """Send a failed email again, as a new email (the failed one stays in the record)."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    message = Message.objects.for_edition(edition).filter(pk=pk).first()
    if message is None:
        raise Http404
    if message.status != MessageStatus.FAILED:
        messages.info(request, _("This email has not failed: nothing was sent again."))
    else:
        with transaction.atomic():
            resend_message(message)
        messages.success(
            request,
            _("The email to %(recipient)s is on its way again.") % {"recipient": message.recipient},
        )
    return redirect("registrations:failed_emails", slug=edition.slug)


# Categories --------------------------------------------------------------------------------
#
# Organiser pages of an edition's registration categories and their quotas, under
# ``journees/<slug>/gestion/categories/``.
#
# Quotas and caps decide seats, like the edition's capacity: every page needs ``manage`` on
# the edition (its organisers); anonymous visitors go to the login page, other users get the
# 403 page. Raising a quota or a cap gives the seats it frees to the waiting list at once
# (:func:`registrations.capacity.fill_freed_seats`). Lowering one below the seats already
# confirmed is allowed, as :mod:`registrations.capacity` counts limits only when it gives a
# seat: the people confirmed keep their seats, nobody else gets one in the category until it
# has room again; the page says so. A category is deleted only while nobody registered or was
# invited in it.


#: Fields whose raise may free seats.
LIMIT_FIELDS = ("quota", "organisation_cap")


def _save_category(request, form, *, old_limits):
    """Save the category; give freed seats to the waiting list; warn of a quota overtaken."""
    with transaction.atomic():
        category = form.save()
        promoted = []
        if any(limit_raised(old_limits[name], getattr(category, name)) for name in LIMIT_FIELDS):
            promoted = capacity.fill_freed_seats(category.edition)
    messages.success(request, _("The category “%(name)s” is saved.") % {"name": category.name})
    promoted_message(request, promoted)
    if category.quota is not None:
        confirmed = category.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
        if confirmed > category.quota:
            messages.warning(
                request,
                _(
                    "%(confirmed)d people are confirmed in this category, more than its quota "
                    "of %(quota)d: they keep their seats, and nobody else gets one in it until "
                    "enough of them cancel."
                )
                % {"confirmed": confirmed, "quota": category.quota},
            )
    return redirect("registrations:categories", slug=category.edition.slug)


@organiser_page
@require_safe
def categories(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    return render(
        request,
        "registrations/categories/list.html",
        edit_context(
            request.user, edition, figures=figures.availability(edition), current="categories"
        ),
    )


class _CategoryPage:
    model = Category
    action = Action.MANAGE
    list_url = "registrations:categories"
    current = "categories"


class _CategoryForm(_CategoryPage):
    form_class = CategoryForm
    intro = gettext_lazy(
        "A quota or a cap raised gives the seats it frees to the waiting list at once; "
        "the people concerned are emailed."
    )

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # The limits as saved, read before validation writes the posted ones on the
        # instance; none for a new category.
        saved = form.instance.pk is not None
        self.old_limits = {
            name: getattr(form.instance, name) if saved else None for name in LIMIT_FIELDS
        }
        return form

    def save(self, form):
        return _save_category(self.request, form, old_limits=self.old_limits)


class CategoryAdd(_CategoryForm, edit_pages.AddView):
    title, submit = gettext_lazy("Add a category"), gettext_lazy("Add this category")


class CategoryChange(_CategoryForm, edit_pages.ChangeView):
    title, submit = gettext_lazy("Change a category"), gettext_lazy("Save the category")
    delete_url = "registrations:category_delete"


class CategoryDelete(_CategoryPage, edit_pages.DeleteView):
    explanation = gettext_lazy("Nobody registered or was invited in it.")
    deleted = gettext_lazy("The category is deleted.")

    def title(self, category):
        return _("Delete the category “%(name)s”?") % {"name": category.name}

    def refusal(self, category):
        if category.registrations.exists() or category.invitations.exists():
            return _(
                "The category “%(name)s” has registrations or invitations: it cannot be "
                "deleted. Make it invitation-only, or set its quota to 0, instead."
            ) % {"name": category.name}
        # A registration made meanwhile is protected by the database (PROTECT).
        return None


category_add = organiser_page(CategoryAdd.as_view())
category_edit = organiser_page(CategoryChange.as_view())
category_delete = organiser_page(CategoryDelete.as_view())


# Messages to attendees ---------------------------------------------------------------------
#
# The organisers' messages to attendees, from the dashboard of an edition (whose figures
# are the project's: :mod:`ptce.views.organiser`).
#
# A message to attendees needs ``manage`` (organisers). Anonymous visitors go to the login
# page, other users get the 403 page and no data.
#
# The preview shows each language's email in a frame whose address is the organiser-only
# ``message_preview``: the email's HTML has its own inline style, which the site's
# Content-Security-Policy forbids (and a ``srcdoc`` frame would inherit it). The frame's
# answer has a policy of its own, stricter but for that style; the message it renders is
# kept in the session, under the form's key, for the last few previews.

PREVIEWS_SESSION_KEY = "announcement_previews"
PREVIEWS_KEPT = 3
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox"
)


@organiser_page
@require_http_methods(["GET", "POST"])
def message(request, slug):
    """Write a message to a group of attendees (or to the people chosen on the registrations
    list: ``?pk=12&pk=15``), check it (the email in each language, a test sent to oneself),
    then send it."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    categories = list(edition.categories.all())
    if request.method == "GET":
        chosen = request.GET.getlist("pk") if "pk" in request.GET else None
        form = AnnouncementForm(edition=edition, categories=categories, selection=chosen)
        return _message_page(request, edition, form)
    form = AnnouncementForm(request.POST, edition=edition, categories=categories)
    if not form.is_valid():
        return _message_page(request, edition, form, status=400)
    audience = form.audience()
    content = {"subject": form.cleaned_data["subject"], "body": form.cleaned_data["body"]}
    if "send" not in request.POST:
        if "test" in request.POST:
            _send_test(request, edition, content, audience)
        preview = announcements.preview(edition, audience=audience, **content)
        key = _keep_preview(request, edition, form.cleaned_data["submission_key"], content, preview)
        return _message_page(request, edition, form, preview=preview, preview_key=key)
    announcement, created = announcements.send(
        edition,
        audience=audience,
        by=request.user,
        **content,
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
    return redirect("registrations:message", slug=edition.slug)


def _keep_preview(request, edition, key, content, preview):
    """Keeps what the preview's frames render (:func:`message_preview`) in the session, under
    the form's ``key``, with the last few previews; returns the key."""
    key = str(key)
    drafts = request.session.get(PREVIEWS_SESSION_KEY, {})
    drafts.pop(key, None)
    drafts[key] = {
        "edition": edition.pk,
        **content,
        "samples": {sample.language: sample.registration.pk for sample in preview.samples},
    }
    request.session[PREVIEWS_SESSION_KEY] = dict(list(drafts.items())[-PREVIEWS_KEPT:])
    return key


def _send_test(request, edition, content, audience):
    """The message sent to the organiser alone, in each language of the group; says so."""
    address = request.user.email
    if not address:
        messages.error(request, _("Your account has no email address: no test was sent."))
        return
    sent = announcements.send_test(edition, audience=audience, to=address, **content)
    if not sent:
        messages.error(request, _("Nobody is in this group: no test was sent."))
        return
    messages.success(
        request,
        ngettext(
            "A test was sent to %(address)s.",
            "%(count)s tests, one per language, were sent to %(address)s.",
            len(sent),
        )
        % {"count": len(sent), "address": address},
    )


def _message_page(request, edition, form, *, preview=None, preview_key=None, status=200):
    return render(
        request,
        "registrations/announcement.html",
        {
            "edition": edition,
            "form": form,
            "preview": preview,
            "preview_key": preview_key,
            "sent": edition.announcements.select_related("sent_by"),
        },
        status=status,
    )


@organiser_page
@xframe_options_sameorigin
@require_safe
def message_preview(request, slug, key, language):
    """The HTML of a previewed message in ``language``, for the preview's sandboxed frame
    on the message page (see above); a short note when it is no longer kept."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    draft = request.session.get(PREVIEWS_SESSION_KEY, {}).get(str(key))
    email = None
    if draft and draft["edition"] == edition.pk and language in draft["samples"]:
        email = announcements.sample_email(
            edition,
            subject=draft["subject"],
            body=draft["body"],
            registration=draft["samples"][language],
            language=language,
        )
    if email is None:
        response = render(request, "registrations/announcement_gone.html")
    else:
        response = HttpResponse(email.alternatives[0].content)
    response["Content-Security-Policy"] = PREVIEW_POLICY
    return response


# Personal data -----------------------------------------------------------------------------
#
# The organisers' page of an edition's personal data: its retention settings, and a person's
# copy or erasure on their request (by post, by phone…), found by email or name.
#
# Every page needs a login (anonymous visitors go to the login page) and ``manage`` on the
# edition; other users get the 403 page and no data. The rules are :mod:`registrations.privacy`'s;
# copies and erasures are recorded in the audit log there.


#: People shown for one search: enough to pick one among namesakes.
RESULTS_SHOWN = 20


class RetentionForm(forms.ModelForm):
    """The edition's two retention periods; one whose deletion was done can no longer change."""

    class Meta:
        model = Edition
        fields = ["venue_data_retention_days", "personal_data_retention_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, done in (
            ("venue_data_retention_days", self.instance.venue_data_deleted_at),
            ("personal_data_retention_days", self.instance.personal_data_anonymised_at),
        ):
            field = self.fields[name]
            # The model's bounds, checked by the field (a number beyond them must not reach
            # the edition, whose due dates the page draws), in the widget (min, max) and said
            # in the help.
            validators = Edition._meta.get_field(name).validators
            field.validators.extend(validators)
            bounds = {type(v).__name__: v.limit_value for v in validators}
            field.min_value = bounds.get("MinValueValidator")
            field.max_value = bounds.get("MaxValueValidator")
            field.widget.attrs.update({"min": field.min_value, "max": field.max_value})
            field.help_text = format_lazy(
                "{} {}",
                field.help_text,
                gettext_lazy("From %(min)s to %(max)s.")
                % {"min": field.min_value, "max": field.max_value},
            )
            if done:
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        venue = cleaned.get("venue_data_retention_days")
        personal = cleaned.get("personal_data_retention_days")
        if venue and personal and venue > personal:
            raise ValidationError(
                gettext_lazy(
                    "The venue details cannot be kept longer than the other personal data."
                )
            )
        return cleaned


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Email or name"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("The person who asked: their email address, or their names."),
    )


def _privacy_edition(request, slug):
    return permissions.require_edition(request.user, slug, Action.MANAGE)


def _privacy_person(edition, pk):
    return get_object_or_404(
        Registration.objects.select_related("category").filter(anonymised_at=None),
        edition=edition,
        pk=pk,
    )


@organiser_page
@require_http_methods(["GET", "HEAD", "POST"])
def privacy_page(request, slug):
    edition = _privacy_edition(request, slug)
    if request.method == "POST":
        form = RetentionForm(request.POST, instance=edition)
        if form.is_valid():
            form.save()
            messages.success(request, _("The retention settings are saved."))
            return redirect("registrations:privacy", slug=edition.slug)
    else:
        form = RetentionForm(instance=edition)
    search_form = PersonSearchForm(request.GET)
    query = search_form.cleaned_data["q"].strip() if search_form.is_valid() else ""
    people = None
    if query:
        people = list(
            search(Registration.objects.filter(edition=edition, anonymised_at=None), query)
            .select_related("category", "organisation")
            .order_by("last_name", "first_name", "pk")[:RESULTS_SHOWN]
        )
    return render(
        request,
        "registrations/privacy/page.html",
        {
            "edition": edition,
            "form": form,
            "search_form": search_form,
            "query": query,
            "people": people,
            "results_shown": RESULTS_SHOWN,
            "venue_due": privacy.venue_data_due_at(edition),
            "personal_due": privacy.personal_data_due_at(edition),
            "can_manage": True,
        },
        status=400 if form.errors else 200,
    )


@organiser_page
@require_safe
def privacy_copy(request, slug, pk):
    edition = _privacy_edition(request, slug)
    registration = _privacy_person(edition, pk)
    data = privacy.data_copy(registration, by=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"donnees-{edition.slug}-{registration.pk}.json"
    )
    return response


@organiser_page
@require_http_methods(["GET", "HEAD", "POST"])
def privacy_erase(request, slug, pk):
    edition = _privacy_edition(request, slug)
    registration = _privacy_person(edition, pk)
    if request.method == "POST":
        privacy.erase(registration, by=request.user)
        messages.success(request, _("The person's data was deleted."))
        return redirect("registrations:privacy", slug=edition.slug)
    return render(
        request,
        "registrations/privacy/erase.html",
        {
            "edition": edition,
            "registration": registration,
            "will_cancel": registration.is_active and timezone.now() < edition.ends_at,
            "can_manage": True,
        },
    )


# Exports -----------------------------------------------------------------------------------
#
# Organiser pages of the exports: the page listing them, and the files of people (the
# figures file, which spans registrations and admission, is in :mod:`ptce.views.organiser`).
#
# The page and the figures need ``view_figures`` (organisers, editors, viewers: counts only);
# the registrations and the participant list need ``view_personal_data``, and each download of
# them is a line of the audit log (:func:`registrations.exports.export`). Anonymous visitors go
# to the login page, other users get the 403 page and no data. Nothing is cached.
#
# A filter or a format not understood gets the page again, with the error next to its field
# (status 400): no file, no audit line.


def _format_field():
    return forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        choices=[(exports.CSV, "CSV"), (exports.XLSX, "XLSX")],
        error_messages={"invalid_choice": gettext_lazy("Choose CSV or XLSX.")},
    )


class FormatForm(forms.Form):
    """``?format=csv`` (the default) or ``?format=xlsx``."""

    format = _format_field()

    def clean_format(self):
        return self.cleaned_data["format"] or exports.CSV


class RegistrationExportForm(RegistrationFilterForm):
    """The registration list's search and filters, and the format."""

    format = _format_field()
    clean_format = FormatForm.clean_format

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, categories=edition.categories.all(), **kwargs)

    def filters(self):
        return {name: value for name, value in super().filters().items() if name != "format"}


def render_exports(request, edition, *, form=None, format_form=None, status=200):
    """The page listing the exports, with the errors of ``form`` or ``format_form``."""
    return render(
        request,
        "registrations/exports/page.html",
        {
            "edition": edition,
            "can_see_people": permissions.can(request.user, Action.VIEW_PERSONAL_DATA, edition),
            "form": form or RegistrationExportForm(edition=edition),
            "format_form": format_form,
            "formats": exports.FORMATS,
        },
        status=status,
    )


@organiser_page
@require_safe
def exports_page(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    return render_exports(request, edition)


@organiser_page
@require_safe
def export_registrations(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    form = RegistrationExportForm(request.GET, edition=edition)
    if not form.is_valid():
        return render_exports(request, edition, form=form, status=400)
    filters = form.filters()
    return exports.export(
        lambda: exports.registrations_table(edition, filters),
        form.cleaned_data["format"],
        by=request.user,
        edition=edition,
        detail={"filters": exports.described(filters)},
    )


@organiser_page
@require_safe
def export_participants(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    format_form = FormatForm(request.GET)
    if not format_form.is_valid():
        return render_exports(request, edition, format_form=format_form, status=400)
    return exports.export(
        lambda: exports.participants_table(edition),
        format_form.cleaned_data["format"],
        by=request.user,
        edition=edition,
    )
