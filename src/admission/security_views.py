"""Organiser pages of the venue's security list: the versions, generating a new one, and the
downloads (full list or changes, in CSV, XLSX or PDF) with their log.

Every page needs a login (anonymous visitors go to the login page). Seeing the versions and
downloading them needs ``view_personal_data`` on the edition; generating needs ``manage``.
Other users get the 403 page and no data. Every answer carries personal data: never cached
(``Cache-Control: private, no-store``), never indexed; every download is recorded, in the
download log of the list and in the audit log of personal data (see
:func:`admission.security_list.export`).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts import permissions
from admission import security_list
from admission.enums import ExportFormat
from admission.models import SecurityList, SecurityListDownload
from common import spreadsheets
from common.decorators import organiser_page
from common.permissions import Action

#: Downloads shown in the log, newest first.
DOWNLOADS_SHOWN = 100


@organiser_page
@require_safe
def versions(request, slug):
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
def generate(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    if not security_list.can_generate(edition):
        messages.error(
            request,
            _("The day is over: no new version can be made, and the stored ones are deleted."),
        )
        return redirect("security:list", slug=edition.slug)
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
    return redirect("security:list", slug=edition.slug)


@organiser_page
@require_safe
def download(request, slug, number, export_format, changes_only=False):
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
        return redirect("security:list", slug=edition.slug)
    try:
        content, content_type, filename = security_list.export(
            version, export_format, by=request.user, changes_only=changes_only
        )
    except security_list.NoPreviousVersion:
        raise Http404 from None
    return spreadsheets.file_response(content, content_type, filename)
