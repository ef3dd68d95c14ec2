"""Organiser pages of an edition's registrations: the list, one registration and its actions,
adding a person, invitations, and the emails that failed.

Every page needs a login (anonymous visitors go to the login page) and a right on the
edition, from :mod:`accounts.permissions`: reading registrations (the list, a registration,
invitations, failed emails) needs ``view_personal_data``; changing anything (cancel,
promote, resend, add, invite, revoke) needs ``manage``. Other users get the 403 page and no
data. Actions are POST forms (CSRF); each ends with a message, and bad input changes nothing.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from common.decorators import verified_login_required
from common.links import absolute
from common.permissions import Action
from outbox.enums import MessageStatus
from outbox.models import Message
from outbox.services import resend as resend_message
from registrations import capacity, emails, figures
from registrations.enums import RegistrationStatus
from registrations.models import Invitation, Registration
from registrations.organiser_forms import (
    REFUSAL_DEFAULT_FIELD,
    REFUSAL_FIELDS,
    AddPersonForm,
    GroupCodeForm,
    InvitationForm,
    RegistrationFilterForm,
    directory_organisations,
    matching,
)

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
    return redirect(
        "registrations_organiser:detail", slug=registration.edition.slug, pk=registration.pk
    )


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
    mails = emails.messages_about(registration).order_by("-created_at", "-pk")
    return render(
        request,
        "registrations/organiser/detail.html",
        {
            "edition": edition,
            "registration": registration,
            "waitlist_position": figures.waitlist_position(registration),
            "mails": _labelled(mails),
            "can_manage": permissions.can(request.user, Action.MANAGE, edition),
        },
    )


@verified_login_required
@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request, slug, pk):
    """A confirmation page; its POST cancels and gives the seat to the waiting list."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    registration = _registration(edition, pk)
    if request.method == "POST":
        if not registration.is_active:
            messages.info(request, _("This registration was already cancelled."))
            return _detail(registration)
        promoted = capacity.cancel(registration)
        messages.success(
            request, _("The registration of %(name)s is cancelled.") % {"name": registration}
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
            return redirect("registrations_organiser:invitations", slug=edition.slug)
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
        return redirect("registrations_organiser:invitations", slug=edition.slug)
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
    return redirect("registrations_organiser:invitations", slug=edition.slug)


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
    return redirect("registrations_organiser:failed_emails", slug=edition.slug)
