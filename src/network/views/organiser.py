"""Organiser pages of the directory: organisations, poles and sectors, and the CSV import and
export."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from common.decorators import organiser_page, verified_login_required
from common.text import fold
from network import composition, csv_io
from network.directory import can_manage_directory
from network.edit_forms import (
    LEGAL_FIELDS,
    POLE_FORMSETS,
    OrganisationForm,
    OrganisationSearchForm,
    PoleForm,
    SectorForm,
    refresh_pole,
    refresh_poles_of,
)
from network.enums import LegalForm, MemberCategory
from network.models import Organisation, Pole, Sector

# Editing the directory ---------------------------------------------------------------------
#
# Organiser pages of the directory: organisations, poles (members, territory,
# recognitions) and sectors, under ``annuaire/gestion/``.
#
# The directory is national: every page needs ``network.directory.can_manage_directory``
# (superusers and organisers of an organising organisation); anonymous visitors go to the
# login page, other users get the 403 page. Saving refreshes what derives from the poles
# concerned (:mod:`network.edit_forms`). Deleting organisations and poles stays with
# superusers, in the admin.


PAGE_SIZE = 50


def _require_directory_manager(user):
    if not can_manage_directory(user):
        raise PermissionDenied


def _posted(request):
    return request.POST if request.method == "POST" else None


@organiser_page
@require_safe
def manage(request):
    _require_directory_manager(request.user)
    form = OrganisationSearchForm(request.GET)
    organisations = Organisation.objects.select_related("pole").order_by("search_text", "pk")
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if query:
        organisations = organisations.filter(search_text__contains=fold(query))
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "network/edit/index.html", {"form": form, "page": page, "query": query})


def _organisation_page(request, form, *, title, submit, organisation=None):
    return render(
        request,
        "network/edit/organisation.html",
        {"form": form, "page_title": title, "submit_label": submit, "organisation": organisation},
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def organisation_add(request):
    _require_directory_manager(request.user)
    form = OrganisationForm(_posted(request))
    if form.is_valid():
        organisation = form.save()
        messages.success(request, _("The organisation is added."))
        return redirect("network:organisation", pk=organisation.pk)
    return _organisation_page(
        request, form, title=_("Add an organisation"), submit=_("Add this organisation")
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    _require_directory_manager(request.user)
    organisation = get_object_or_404(Organisation, pk=pk)
    form = OrganisationForm(_posted(request), instance=organisation)
    if form.is_valid():
        with transaction.atomic():
            organisation = form.save()
            if LEGAL_FIELDS & set(form.changed_data):
                refresh_poles_of(organisation)
        messages.success(request, _("The organisation is saved."))
        return redirect("network:organisation", pk=organisation.pk)
    return _organisation_page(
        request,
        form,
        title=_("Change an organisation"),
        submit=_("Save the organisation"),
        organisation=Organisation.objects.select_related("pole").get(pk=pk),
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def pole_edit(request, pk):
    """The pole of organisation ``pk``, made on the first save if it has none."""
    _require_directory_manager(request.user)
    organisation = get_object_or_404(Organisation, pk=pk)
    pole = Pole.objects.filter(organisation=organisation).first() or Pole(organisation=organisation)
    data = _posted(request)
    form = PoleForm(data, instance=pole)
    formsets = [
        (formset_class(data, instance=pole, prefix=prefix), heading, row_label)
        for prefix, formset_class, heading, row_label in POLE_FORMSETS
    ]
    if data is not None and form.is_valid() and all(f.is_valid() for f, _h, _r in formsets):
        with transaction.atomic():
            pole = form.save()
            for formset, _heading, _row in formsets:
                formset.instance = pole
                formset.save()
            refresh_pole(pole)
        messages.success(request, _("The pole is saved."))
        return redirect("network:pole_edit", pk=organisation.pk)
    missing = composition.check(pole).missing if pole.pk else []
    return render(
        request,
        "network/edit/pole.html",
        {
            "organisation": organisation,
            "pole": pole,
            "form": form,
            "formsets": formsets,
            "missing": missing,
            "has_errors": data is not None,
        },
    )


@organiser_page
@require_http_methods(["GET", "POST"])
def sectors(request):
    _require_directory_manager(request.user)
    form = SectorForm(_posted(request))
    if form.is_valid():
        form.save()
        messages.success(request, _("The sector is added."))
        return redirect(reverse("network:sectors"))
    return render(
        request,
        "network/edit/sectors.html",
        {"form": form, "sectors": Sector.objects.order_by("name")},
    )


# Import and export -------------------------------------------------------------------------
#
# Organiser pages of the directory: import and export of poles and members as CSV.
#
# Both need a login and ``network.directory.can_manage_directory``: anonymous visitors are
# sent to the login page, other users get the 403 page. The rules are in ``network.csv_io``.


#: Line errors shown on the page; beyond, the page says how many more there are.
SHOWN_ERRORS = 1000


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8 or Windows-1252, comma or semicolon between cells, 5 MB at most."
        ),
    )


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
