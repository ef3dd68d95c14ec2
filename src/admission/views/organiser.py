"""Organiser pages of admission for an edition: the venue's security list, the entrances, the
badges and the attendance figures."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts import audit, permissions
from accounts.enums import AuditAction
from accounts.roles import users_for
from admission import attendance, badges, checkin, rehearsals, security_list
from admission.enums import CheckInResult, ExportFormat
from admission.models import CheckIn, Entrance, SecurityList, SecurityListDownload
from common import spreadsheets
from common.decorators import organiser_page
from common.permissions import Action
from events import edit_pages
from events.edit_forms import SlugPerEditionForm
from events.edit_pages import edit_context
from events.models import Edition, Session
from registrations.models import Registration

# The security list -------------------------------------------------------------------------
#
# Organiser pages of the venue's security list: the versions, generating a new one, and the
# downloads (full list or changes, in CSV, XLSX or PDF) with their log.
#
# Every page needs a login (anonymous visitors go to the login page). Seeing the versions and
# downloading them needs ``view_personal_data`` on the edition; generating needs ``manage``.
# Other users get the 403 page and no data. Every answer carries personal data: never cached
# (``Cache-Control: private, no-store``), never indexed; every download is recorded, in the
# download log of the list and in the audit log of personal data (see
# :func:`admission.security_list.export`).


#: Downloads shown in the log, newest first.
DOWNLOADS_SHOWN = 100


@organiser_page
@require_safe
def security_list_page(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    lists = list(
        SecurityList.objects.filter(edition=edition)
        .select_related("generated_by")
        .order_by("-number")
    )
    # Each version is compared with the one below it (the list is newest first); a purged
    # version has no rows left to compare.
    for index, version in enumerate(lists):
        older = lists[index + 1] if index + 1 < len(lists) else None
        version.edition = edition
        version.changes = (
            security_list.changes(version, previous_version=older)
            if older and not version.purged_at and not older.purged_at
            else None
        )
    downloads = (
        SecurityListDownload.objects.filter(security_list__edition=edition)
        .select_related("security_list", "user")
        .order_by("-downloaded_at", "-pk")[:DOWNLOADS_SHOWN]
    )
    return render(
        request,
        "admission/security/versions.html",
        {
            "edition": edition,
            "versions": lists,
            "downloads": downloads,
            "formats": ExportFormat.choices,
            "asked_fields": [
                security_list.COLUMN_LABELS[field] for field in security_list.asked_fields(edition)
            ],
            "can_manage": permissions.can(request.user, Action.MANAGE, edition),
            "can_generate": security_list.can_generate(edition),
            "purge_from": security_list.purge_from(edition),
        },
    )


@organiser_page
@require_POST
def security_generate(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    if not security_list.can_generate(edition):
        messages.error(
            request,
            _("The day is over: no new version can be made, and the stored ones are deleted."),
        )
        return redirect("admission:security_list", slug=edition.slug)
    version = security_list.generate(edition, by=request.user)
    messages.success(
        request,
        ngettext(
            "Version %(number)s of the security list was generated: %(count)s person.",
            "Version %(number)s of the security list was generated: %(count)s people.",
            len(version.rows),
        )
        % {"number": version.number, "count": len(version.rows)},
    )
    return redirect("admission:security_list", slug=edition.slug)


@organiser_page
@require_safe
def security_download(request, slug, number, export_format, changes_only=False):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    if export_format not in ExportFormat.values:
        raise Http404
    version = get_object_or_404(SecurityList, edition=edition, number=number)
    if version.purged_at:
        messages.error(
            request,
            _("Version %(number)s was deleted on %(date)s, the day after the event.")
            % {
                "number": version.number,
                "date": formats.date_format(timezone.localtime(version.purged_at)),
            },
        )
        return redirect("admission:security_list", slug=edition.slug)
    try:
        content, content_type, filename = security_list.export(
            version, export_format, by=request.user, changes_only=changes_only
        )
    except security_list.NoPreviousVersion:
        raise Http404 from None
    return spreadsheets.file_response(content, content_type, filename)


# Entrances ---------------------------------------------------------------------------------
#
# Organiser pages of an edition's entrances, under ``journees/<slug>/gestion/entrees/``:
# list, add, rename, reorder, delete.
#
# An entrance is what an agent picks in the check-in app and what every scan records; its
# code is what devices send. Every page needs ``manage`` on the edition (its organisers);
# anonymous visitors go to the login page, other users get the 403 page. Once an entrance has
# scans its code no longer changes (devices and the log know it by it) and it cannot be
# deleted (the log keeps where each person came in).


class EntranceForm(SlugPerEditionForm):
    slug_taken = gettext_lazy("Another entrance of this edition has this code.")

    class Meta:
        model = Entrance
        fields = ("name", "slug", "session")
        labels = {"session": gettext_lazy("Workshop's door")}
        help_texts = {
            "slug": gettext_lazy(
                "Letters, digits and hyphens, sent by the check-in devices; made from the name "
                "when empty. It cannot change once the entrance has scans."
            ),
            "session": gettext_lazy(
                "At a workshop's door, the check-in app admits to the workshop the people "
                "holding a seat in it, without checking IDs again. It cannot change once the "
                "entrance has scans."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only an edition with workshops offers workshop doors.
        workshops = Session.objects.filter(edition=self.instance.edition, is_workshop=True)
        if self.instance.session_id is None and not workshops.exists():
            del self.fields["session"]
        else:
            # The bound session stays offered if it stopped being a workshop.
            self.fields["session"].queryset = (
                workshops | Session.objects.filter(pk=self.instance.session_id)
            ).order_by("start_time", "room", "pk")
            self.fields["session"].empty_label = _("None: an entrance to the day")
        if self.instance.pk and (
            self.instance.checkins.exists() or self.instance.workshop_checkins.exists()
        ):
            # Disabled: whatever is posted, the saved code and workshop are kept.
            for name in ("slug", "session"):
                if name in self.fields:
                    self.fields[name].disabled = True


@organiser_page
@require_safe
def entrances(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    entrances = (
        Entrance.objects.filter(edition=edition)
        .select_related("session")
        .annotate(
            scans=Count("checkins", distinct=True) + Count("workshop_checkins", distinct=True)
        )
        .order_by("position", "pk")
    )
    return render(
        request,
        "admission/entrances/list.html",
        edit_context(request.user, edition, entrances=entrances, current="entrances"),
    )


@organiser_page
@require_POST
def entrance_move(request, slug, pk, direction):
    """Move an entrance one place up or down; positions become 0, 1, 2… in the new order."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    with transaction.atomic():
        entrances = list(Entrance.objects.select_for_update().filter(edition=edition))
        index = next((i for i, e in enumerate(entrances) if e.pk == pk), None)
        if index is None:
            return redirect("admission:entrances", slug=edition.slug)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(entrances):
            entrances[index], entrances[other] = entrances[other], entrances[index]
        for position, entrance in enumerate(entrances):
            if entrance.position != position:
                entrance.position = position
                entrance.save(update_fields=["position"])
    return redirect("admission:entrances", slug=edition.slug)


class _EntrancePage:
    model = Entrance
    action = Action.MANAGE
    list_url = "admission:entrances"
    current = "entrances"


class EntranceAdd(_EntrancePage, edit_pages.AddView):
    form_class = EntranceForm
    title, submit = gettext_lazy("Add an entrance"), gettext_lazy("Add this entrance")
    saved = gettext_lazy("The entrance is added.")

    def save(self, form):
        # Last in the list.
        last = Entrance.objects.filter(edition=self.edition).aggregate(last=Max("position"))
        form.instance.position = 0 if last["last"] is None else last["last"] + 1
        return super().save(form)


class EntranceChange(_EntrancePage, edit_pages.ChangeView):
    form_class = EntranceForm
    title, submit = gettext_lazy("Rename an entrance"), gettext_lazy("Save the entrance")
    saved = gettext_lazy("The entrance is saved.")
    delete_url = "admission:entrance_delete"


class EntranceDelete(_EntrancePage, edit_pages.DeleteView):
    explanation = gettext_lazy("No scan was made at it; the check-in app stops offering it.")
    deleted = gettext_lazy("The entrance is deleted.")

    def title(self, entrance):
        return _("Delete the entrance “%(name)s”?") % {"name": entrance.name}

    def refusal(self, entrance):
        if entrance.checkins.exists() or entrance.workshop_checkins.exists():
            return _("The entrance “%(name)s” has scans: it cannot be deleted.") % {
                "name": entrance.name
            }
        return None


entrance_add = organiser_page(EntranceAdd.as_view())
entrance_edit = organiser_page(EntranceChange.as_view())
entrance_delete = organiser_page(EntranceDelete.as_view())


# Badges ------------------------------------------------------------------------------------
#
# Organiser pages of the badges: the page choosing the layout, the PDF of every confirmed
# attendee, and one attendee's badge (printed at the desk right after admission).
#
# Every page needs a login (anonymous visitors go to the login page) and ``view_personal_data``
# on the edition; other users get the 403 page and no data. The one exception is the desk: an
# agent of the edition (``check_in``) may print the badge of someone admitted at the door, the
# person whose names the check-in screen has just shown. The answers carry personal data:
# never cached (``Cache-Control: private, no-store``), never indexed, and every PDF is a line
# of the audit log of personal data (:mod:`accounts.audit`).


class LayoutForm(forms.Form):
    layout = forms.ChoiceField(
        label=gettext_lazy("Layout"),
        choices=[(key, layout.label) for key, layout in badges.LAYOUTS.items()],
        initial=badges.DEFAULT_LAYOUT,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": gettext_lazy("Choose one of the layouts below."),
            "required": gettext_lazy("Choose one of the layouts below."),
        },
    )


def _badges_page(request, edition, form, status=200):
    count = Registration.objects.filter(edition=edition).confirmed().count()
    return render(
        request,
        "admission/badges/page.html",
        {"edition": edition, "form": form, "count": count},
        status=status,
    )


def _badges_pdf(content, filename, *, attachment):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    return response


@organiser_page
@require_safe
def badges_page(request, slug):
    return _badges_page(
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
        return _badges_page(request, edition, form, status=400)
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
    return _badges_pdf(content, filename, attachment=True)


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
        return _badges_page(request, edition, form, status=400)
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
    return _badges_pdf(content, filename, attachment=False)


# Attendance --------------------------------------------------------------------------------
#
# Organiser pages of attendance after the day: the figures, and the same figures as CSV.
#
# Every page needs a login (anonymous visitors go to the login page) and ``view_figures`` on
# the edition: organisers, editors and viewers; other users get the 403 page. Only counts are
# shown, never a name, so a viewer sees exactly what an organiser sees.


@organiser_page
@require_safe
def attendance_page(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    return render(
        request,
        "admission/attendance/page.html",
        {
            "edition": edition,
            "figures": attendance.figures(edition),
            "started": timezone.now() >= edition.starts_at,
            # The registration pages' menu, for those who may open them.
            "can_see_people": permissions.can(request.user, Action.VIEW_PERSONAL_DATA, edition),
            "can_manage": permissions.can(request.user, Action.MANAGE, edition),
        },
    )


@organiser_page
@require_safe
def attendance_csv(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    return spreadsheets.file_response(
        attendance.figures_csv(attendance.figures(edition)),
        spreadsheets.CSV_CONTENT_TYPE,
        f"presence-{edition.slug}.csv",
    )


# Rehearsal at the door ------------------------------------------------------------------------


class RehearsalForm(forms.Form):
    agents = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Agents"),
        help_text=gettext_lazy(
            "Their check-in app works as on the day, under a “Rehearsal” banner. The people of "
            "this list have the reception agent or organiser role for this day."
        ),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one agent.")},
    )

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["agents"]
        field.queryset = users_for(edition, Action.CHECK_IN).order_by("username")
        field.label_from_instance = checkin.agent_name


@organiser_page
def rehearsal(request, slug):
    """Open check-in before the day for practice, choose who takes part, close it."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    current = rehearsals.current(edition)
    initial = {"agents": list(current.agents.all())} if current else {}
    form = RehearsalForm(request.POST or None, edition=edition, initial=initial)
    if request.method == "POST" and rehearsals.may_open(edition) and form.is_valid():
        rehearsals.open_rehearsal(edition, form.cleaned_data["agents"], by=request.user)
        messages.success(
            request,
            _("The rehearsal is open for the agents chosen.")
            if current is None
            else _("The agents of the rehearsal were saved."),
        )
        return redirect("admission:rehearsal", slug=edition.slug)
    scans = current.scans.count() if current else 0
    return render(
        request,
        "admission/rehearsal.html",
        edit_context(
            request.user,
            edition,
            form=form,
            rehearsal=current,
            scans=scans,
            may_open=rehearsals.may_open(edition),
            opens_at=checkin.opens_at(edition),
            current="rehearsal",
        ),
    )


@organiser_page
@require_POST
def rehearsal_close(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    deleted = rehearsals.close(edition)
    messages.success(
        request,
        ngettext(
            "The rehearsal is closed: its %(count)s scan was deleted.",
            "The rehearsal is closed: its %(count)s scans were deleted.",
            deleted,
        )
        % {"count": deleted},
    )
    return redirect("admission:rehearsal", slug=edition.slug)
