"""Organiser pages of the exports: the page listing them, and the files of people (the
figures file, which spans registrations and admission, is in :mod:`ptce.dashboard_views`).

The page and the figures need ``view_figures`` (organisers, editors, viewers: counts only);
the registrations and the participant list need ``view_personal_data``, and each download of
them is a line of the audit log (:func:`registrations.exports.export`). Anonymous visitors go
to the login page, other users get the 403 page and no data. Nothing is cached.

A filter or a format not understood gets the page again, with the error next to its field
(status 400): no file, no audit line.
"""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts import permissions
from common.decorators import organiser_page
from common.permissions import Action
from registrations import exports
from registrations.organiser_forms import RegistrationFilterForm


def _format_field():
    return forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[(exports.CSV, "CSV"), (exports.XLSX, "XLSX")],
        error_messages={"invalid_choice": _("Choose CSV or XLSX.")},
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


def exports_page(request, edition, *, form=None, format_form=None, status=200):
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
def page(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    return exports_page(request, edition)


@organiser_page
@require_safe
def registrations(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    form = RegistrationExportForm(request.GET, edition=edition)
    if not form.is_valid():
        return exports_page(request, edition, form=form, status=400)
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
def participants(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    format_form = FormatForm(request.GET)
    if not format_form.is_valid():
        return exports_page(request, edition, format_form=format_form, status=400)
    return exports.export(
        lambda: exports.participants_table(edition),
        format_form.cleaned_data["format"],
        by=request.user,
        edition=edition,
    )
