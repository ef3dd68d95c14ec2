"""Organiser pages of the directory: import and export of poles and members as CSV.

Both need a login and ``network.directory.can_manage_directory``: anonymous visitors are
sent to the login page, other users get the 403 page. The rules are in ``network.csv_io``.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from common.decorators import verified_login_required
from network import csv_io
from network.directory import can_manage_directory
from network.enums import LegalForm, MemberCategory

#: Line errors shown on the page; beyond, the page says how many more there are.
SHOWN_ERRORS = 1000


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 or Windows-1252, comma or semicolon between cells, 5 MB at most."),
    )


def _require_directory_manager(user):
    if not can_manage_directory(user):
        raise PermissionDenied


@verified_login_required
@never_cache
def import_poles(request):
    _require_directory_manager(request.user)
    posted = request.method == "POST"
    form = ImportForm(request.POST, request.FILES) if posted else ImportForm()
    result = None
    if posted and form.is_valid():
        result = csv_io.import_poles(form.cleaned_data["file"], by=request.user)
        for error in result.file_errors:
            form.add_error("file", error.message)
    line_errors = result.line_errors if result else []
    return render(
        request,
        "network/manage/import.html",
        {
            "form": form,
            "result": result,
            "line_errors": line_errors[:SHOWN_ERRORS],
            "hidden_errors": max(len(line_errors) - SHOWN_ERRORS, 0),
            "columns": csv_io.COLUMNS,
            "categories": MemberCategory.choices,
            "legal_forms": LegalForm.choices,
            "limits": {
                "megabytes": csv_io.MAX_BYTES // (1024 * 1024),
                "lines": number_format(csv_io.MAX_LINES, force_grouping=True),
                "characters": number_format(csv_io.MAX_LINE_CHARS, force_grouping=True),
            },
        },
    )


@verified_login_required
@never_cache
def export_poles(request):
    """The whole directory in the import's format, streamed as it is read."""
    _require_directory_manager(request.user)
    return csv_io.export_response(f"annuaire-ptce-{timezone.localdate().isoformat()}.csv")
