"""Organiser pages of the badges: the page choosing the layout, the PDF of every confirmed
attendee, and one attendee's badge (printed at the desk right after admission).

Every page needs a login (anonymous visitors go to the login page) and ``view_personal_data``
on the edition; other users get the 403 page and no data. The one exception is the desk: an
agent of the edition (``check_in``) may print the badge of someone admitted at the door, the
person whose names the check-in screen has just shown. The answers carry personal data:
never cached (``Cache-Control: private, no-store``), never indexed, and every PDF is a line
of the audit log of personal data (:mod:`accounts.audit`).
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts import audit, permissions
from accounts.enums import AuditAction
from admission import badges
from admission.enums import CheckInResult
from admission.models import CheckIn
from common.decorators import organiser_page
from common.permissions import Action
from events.models import Edition
from registrations.models import Registration


class LayoutForm(forms.Form):
    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=[(key, layout.label) for key, layout in badges.LAYOUTS.items()],
        initial=badges.DEFAULT_LAYOUT,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Choose one of the layouts below."),
            "required": _("Choose one of the layouts below."),
        },
    )


def _page(request, edition, form, status=200):
    count = Registration.objects.filter(edition=edition).confirmed().count()
    return render(
        request,
        "admission/badges/page.html",
        {"edition": edition, "form": form, "count": count},
        status=status,
    )


def _pdf(content, filename, *, attachment):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    return response


@organiser_page
@require_safe
def page(request, slug):
    return _page(
        request,
        permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA),
        LayoutForm(),
    )


@organiser_page
@require_safe
def all_badges(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    form = LayoutForm(request.GET)
    if not form.is_valid():
        return _page(request, edition, form, status=400)
    layout = form.cleaned_data["layout"]
    filename = f"badges-{edition.slug}-{layout}.pdf"
    with transaction.atomic():
        people = badges.bulk(edition)
        content = badges.badges_pdf(people, layout=layout)
        audit.record(
            request.user,
            AuditAction.EXPORT,
            filename,
            edition=edition,
            people=len(people),
            detail={"format": "pdf", "layout": layout},
        )
    return _pdf(content, filename, attachment=True)


def _desk_edition(request, slug, pk):
    """The edition if the user may print the badge ``pk`` of it (404, or 403 with no data).

    Organisers may print anyone's; an agent only the badge of a person admitted at the door.
    """
    edition = get_object_or_404(Edition, slug=slug)
    if permissions.can(request.user, Action.VIEW_PERSONAL_DATA, edition):
        return edition
    permissions.require(request.user, Action.CHECK_IN, edition)
    admitted = CheckIn.objects.filter(
        edition=edition, registration_id=pk, result=CheckInResult.ADMITTED
    )
    if not admitted.exists():
        raise PermissionDenied
    return edition


@organiser_page
@require_safe
def one_badge(request, slug, pk):
    edition = _desk_edition(request, slug, pk)
    registration = get_object_or_404(
        Registration.objects.confirmed().select_related("category", "organisation", "edition"),
        edition=edition,
        pk=pk,
    )
    form = LayoutForm({"layout": request.GET.get("layout", badges.DEFAULT_LAYOUT)})
    if not form.is_valid():
        return _page(request, edition, form, status=400)
    layout = form.cleaned_data["layout"]
    filename = f"badge-{registration.pk}-{layout}.pdf"
    with transaction.atomic():
        content = badges.badges_pdf([registration], layout=layout)
        audit.record(
            request.user,
            AuditAction.EXPORT,
            filename,
            edition=edition,
            people=1,
            detail={"format": "pdf", "layout": layout},
        )
    # Inline: the desk's browser opens it ready to print.
    return _pdf(content, filename, attachment=False)
