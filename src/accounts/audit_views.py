"""The audit log pages: an edition's lines, and the organisers' whole log; each as a
paginated page (newest first, filterable by action) and as CSV.

- ``journees/<slug>/gestion/journal/``: the lines about one edition; ``manage`` on it.
- ``gestion/journal/``: the lines about no edition (tokens, roles, accounts) and those of
  every edition the user manages; for those who keep the national directory
  (``network.directory.can_manage_directory``: superusers and organisers of an organisation).

Anonymous visitors go to the login page, others get the 403 page. Each page makes the same
few queries whatever the size of the log.
"""

import csv
import io

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts import permissions
from accounts.enums import AuditAction
from accounts.models import AuditEntry
from accounts.team_forms import AuditFilterForm
from common import spreadsheets
from common.decorators import organiser_page
from common.permissions import Action
from network.directory import can_manage_directory

PAGE_SIZE = 50


def _filtered(request, entries):
    form = AuditFilterForm(request.GET or None)
    action = form.cleaned_data["action"] if form.is_valid() else ""
    if action:
        entries = entries.filter(action=action)
    return form, entries, {"action": action} if action else {}


def _page(request, entries, template, context):
    form, entries, query = _filtered(request, entries)
    page = Paginator(entries.select_related("edition"), PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.action_label = AuditAction(entry.action).label
    return render(
        request,
        template,
        {**context, "form": form, "page": page, "query": urlencode(query)},
    )


def _csv(request, entries, filename):
    _form, entries, _query = _filtered(request, entries)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("When"), _("Who"), _("Action"), _("Edition"), _("What"), _("Number of people")]
    )
    for entry in entries.select_related("edition").iterator(chunk_size=2000):
        writer.writerow(
            [
                timezone.localtime(entry.at).isoformat(timespec="seconds"),
                spreadsheets.neutralise(entry.actor),
                entry.action,
                spreadsheets.neutralise(entry.edition.slug if entry.edition_id else ""),
                spreadsheets.neutralise(entry.what),
                entry.people,
            ]
        )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _edition_entries(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    return edition, AuditEntry.objects.filter(edition=edition)


def _all_entries(user):
    if not can_manage_directory(user):
        raise PermissionDenied
    entries = AuditEntry.objects.all()
    if not user.is_superuser:
        managed = permissions.editions_for(user, Action.MANAGE)
        entries = entries.filter(Q(edition__isnull=True) | Q(edition__in=managed))
    return entries


@organiser_page
@require_safe
def edition_log(request, slug):
    edition, entries = _edition_entries(request, slug)
    return _page(request, entries, "accounts/audit/edition.html", {"edition": edition})


@organiser_page
@require_safe
def edition_log_csv(request, slug):
    edition, entries = _edition_entries(request, slug)
    return _csv(request, entries, f"journal-{edition.slug}.csv")


@organiser_page
@require_safe
def log(request):
    return _page(request, _all_entries(request.user), "accounts/audit/log.html", {})


@organiser_page
@require_safe
def log_csv(request):
    return _csv(request, _all_entries(request.user), "journal.csv")
