"""Organiser pages of the charter: its management (versions, requests waiting for approval,
signatures and their revocation) and a national day's signing ceremony.

The charter is national: its management needs ``network.directory.can_manage_directory``
(superusers and organisers of an organisation). A ceremony belongs to its edition: it needs
``manage`` on the edition. Every page needs a login (anonymous visitors go to the login
page); other users get the 403 page and no data. Pages show representatives' names and
emails: they are kept by no cache. Actions are POST forms (CSRF); each ends with a message,
and a refusal or bad input changes nothing.
"""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import permissions
from charter import ceremony as ceremonies
from charter import requests, signatures
from charter.enums import RequestStatus
from charter.models import SIGNING_KINDS, Ceremony, CharterVersion, Signature, SigningRequest
from charter.organiser_forms import (
    AdmittedSignatureForm,
    CeremonySearchForm,
    NamedSignatureForm,
    NewVersionForm,
    OpenCeremonyForm,
    RefuseForm,
    RevokeForm,
    SignatureFilterForm,
    VersionForm,
)
from common.decorators import private, verified_login_required
from common.permissions import Action
from network.directory import can_manage_directory
from network.models import Organisation

PAGE_SIZE = 50


def _page(view):
    """Login first, then a page kept by no cache (it shows names and emails)."""
    return verified_login_required(private(view))


def _require_charter_manager(user):
    if not can_manage_directory(user):
        raise PermissionDenied


def _dashboard():
    return redirect("charter:manage")


def _time(moment):
    return formats.time_format(timezone.localtime(moment))


# The charter's management ------------------------------------------------------------------


@_page
@require_safe
def manage(request):
    _require_charter_manager(request.user)
    versions = list(
        CharterVersion.objects.annotate(
            standing=Count("signatures", filter=Q(signatures__revoked_at__isnull=True))
        ).order_by("year", "pk")
    )
    form = SignatureFilterForm(request.GET, versions=versions)
    filters = form.filters()
    found = Signature.objects.standing().select_related("version", "organisation", "edition")
    if "version" in filters:
        found = found.filter(version__slug=filters["version"])
    if "q" in filters:
        found = _search_signatures(found, filters["q"])
    page = Paginator(found.order_by("-signed_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    for signature in page.object_list:
        signature.code = signatures.format_code(signature.receipt_code)
    awaiting = SigningRequest.objects.filter(status=RequestStatus.AWAITING_APPROVAL).select_related(
        "version"
    )
    return render(
        request,
        "charter/organiser/dashboard.html",
        {
            "versions": versions,
            "awaiting": awaiting.order_by("confirmed_at", "pk"),
            "form": form,
            "page": page,
            "is_filtered": bool(filters),
            "query": form.query(),
        },
    )


def _search_signatures(found, words):
    for word in words.split():
        code = signatures.normalise_code(word)
        found = found.filter(
            Q(organisation__name__icontains=word)
            | Q(representative_name__icontains=word)
            | (Q(receipt_code=code) if code else Q(pk__in=[]))
        )
    return found


@_page
@require_http_methods(["GET", "POST"])
def version_add(request):
    _require_charter_manager(request.user)
    form = NewVersionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        version = form.save()
        messages.success(request, _("The version “%(title)s” is added.") % {"title": version})
        return _dashboard()
    return render(request, "charter/organiser/version_form.html", {"form": form, "version": None})


@_page
@require_http_methods(["GET", "POST"])
def version_edit(request, version):
    _require_charter_manager(request.user)
    version = get_object_or_404(CharterVersion, slug=version)
    form = VersionForm(request.POST if request.method == "POST" else None, instance=version)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The version “%(title)s” is saved.") % {"title": version})
        return _dashboard()
    if request.method == "POST":
        # The page shows the version as stored, not as the refused form left it.
        version.refresh_from_db()
    return render(
        request, "charter/organiser/version_form.html", {"form": form, "version": version}
    )


@verified_login_required
@require_POST
def version_opening(request, version):
    """Open (``open=1``) or close (``open=0``) a version for signing, from the dashboard."""
    _require_charter_manager(request.user)
    version = get_object_or_404(CharterVersion, slug=version)
    wanted = request.POST.get("open")
    if wanted not in ("0", "1"):
        messages.error(request, _("Nothing was changed: choose to open or to close."))
        return _dashboard()
    version.is_open = wanted == "1"
    version.save(update_fields=["is_open", "updated_at"])
    if version.is_open:
        text = _("“%(title)s” is open for signing.")
    else:
        text = _("“%(title)s” is closed for signing: nobody can sign it any more.")
    messages.success(request, text % {"title": version})
    return _dashboard()


def _awaiting_request(pk):
    return get_object_or_404(SigningRequest.objects.select_related("version"), pk=pk)


@verified_login_required
@require_POST
def approve(request, pk):
    _require_charter_manager(request.user)
    signing_request = _awaiting_request(pk)
    try:
        signature = requests.approve(signing_request, by=request.user)
    except (requests.RequestRefused, signatures.SigningRefused) as refused:
        messages.error(
            request,
            _("“%(name)s” was not approved: %(reason)s")
            % {"name": signing_request.organisation_label, "reason": refused.message},
        )
    else:
        messages.success(
            request,
            _("“%(name)s” joins the directory and has signed; the receipt is on its way.")
            % {"name": signature.organisation},
        )
    return _dashboard()


@_page
@require_http_methods(["GET", "POST"])
def refuse(request, pk):
    """A page with the request and the reason's field; its POST refuses the request."""
    _require_charter_manager(request.user)
    signing_request = _awaiting_request(pk)
    form = RefuseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            requests.refuse(signing_request, by=request.user, reason=form.cleaned_data["reason"])
        except requests.RequestRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("The request for “%(name)s” is refused; the representative is told why.")
                % {"name": signing_request.organisation_label},
            )
        return _dashboard()
    return render(
        request,
        "charter/organiser/refuse.html",
        {"signing_request": signing_request, "form": form},
    )


@_page
@require_http_methods(["GET", "POST"])
def revoke(request, pk):
    """A confirmation page with the reason's field; its POST revokes the signature."""
    _require_charter_manager(request.user)
    signature = get_object_or_404(
        Signature.objects.select_related("version", "organisation", "edition"), pk=pk
    )
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and signature.revoked_at is not None:
        messages.info(request, _("This signature was already revoked."))
        return _dashboard()
    if request.method == "POST" and form.is_valid():
        signatures.revoke(signature, reason=form.cleaned_data["reason"])
        messages.success(
            request,
            _("The signature of “%(name)s” is revoked; its receipt says so.")
            % {"name": signature.organisation},
        )
        return _dashboard()
    return render(
        request,
        "charter/organiser/revoke.html",
        {
            "signature": signature,
            "code": signatures.format_code(signature.receipt_code),
            "form": form,
        },
    )


# The ceremony of a national day ------------------------------------------------------------


def _ceremony(edition):
    return Ceremony.objects.select_related("version").filter(edition=edition).first()


def _to_ceremony(edition, anchor=""):
    return redirect(reverse("charter:ceremony", args=[edition.slug]) + anchor)


class _Card:
    """An organisation on the ceremony page, with its form."""

    def __init__(self, entry, form):
        self.entry, self.form = entry, form


def _present_form(entry, data=None):
    return AdmittedSignatureForm(
        data, representatives=entry.representatives, prefix=f"present-{entry.organisation.pk}"
    )


def _named_form(organisation, data=None):
    return NamedSignatureForm(data, prefix=f"named-{organisation.pk}")


def _ceremony_page(request, edition, ceremony, *, bound=None):
    """The ceremony page; ``bound``: a refused form, shown in place of its organisation's."""
    bound = dict(bound or {})
    context = {"edition": edition, "ceremony": ceremony, "can_manage": True}
    if ceremony is None:
        # The newest first: the browser selects it.
        versions = CharterVersion.objects.filter(is_open=True).order_by("-year", "pk")
        context["open_form"] = OpenCeremonyForm(versions=versions)
        context["can_manage_charter"] = can_manage_directory(request.user)
        return render(request, "charter/organiser/ceremony.html", context)
    sheet = ceremonies.run_sheet(ceremony)
    search = CeremonySearchForm(request.GET)

    def card(entry, prefix, make):
        return _Card(entry, bound.pop(f"{prefix}-{entry.organisation.pk}", None) or make())

    context.update(
        sheet=sheet,
        present=[card(e, "present", partial(_present_form, e)) for e in sheet.present],
        absent=[card(e, "named", partial(_named_form, e.organisation)) for e in sheet.absent],
        search=search,
        searched=bool(search.words()),
        found=[
            card(e, "named", partial(_named_form, e.organisation))
            for e in ceremonies.find_organisations(ceremony, search.words())
        ],
        query=request.GET.urlencode(),
    )
    if bound:
        # The organisation moved on the run sheet since its form was shown (its
        # representative was admitted meanwhile, say): its refused form has no place left.
        messages.error(
            request,
            _("Nothing was recorded: the run sheet changed meanwhile. Fill in the form again."),
        )
    return render(request, "charter/organiser/ceremony.html", context)


@_page
@require_safe
def ceremony(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    return _ceremony_page(request, edition, _ceremony(edition))


@verified_login_required
@require_POST
def ceremony_open(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    form = OpenCeremonyForm(request.POST, versions=CharterVersion.objects.filter(is_open=True))
    if not form.is_valid():
        messages.error(
            request, _("The ceremony was not opened: choose a version open for signing.")
        )
        return _to_ceremony(edition)
    try:
        ceremonies.open_ceremony(edition, form.cleaned_data["version"], by=request.user)
    except ceremonies.CeremonyRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, _("The ceremony is open: record the signatures as they are made.")
        )
    return _to_ceremony(edition)


@verified_login_required
@require_POST
def ceremony_close(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    ceremony = get_object_or_404(Ceremony, edition=edition)
    if not ceremony.is_open:
        messages.info(request, _("The ceremony was already closed."))
    else:
        ceremonies.close(ceremony)
        messages.success(request, _("The ceremony is closed: no more signatures are recorded."))
    return _to_ceremony(edition)


@verified_login_required
@require_POST
def ceremony_reopen(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    ceremony = get_object_or_404(Ceremony.objects.select_related("version"), edition=edition)
    if ceremony.is_open:
        messages.info(request, _("The ceremony is already open."))
        return _to_ceremony(edition)
    try:
        ceremonies.reopen(ceremony)
    except ceremonies.CeremonyRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The ceremony is open again."))
    return _to_ceremony(edition)


@verified_login_required
@require_POST
def ceremony_record(request, slug, organisation):
    """Record the signature that ``organisation``'s representative just made on stage."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    ceremony = get_object_or_404(Ceremony.objects.select_related("version"), edition=edition)
    organisation = get_object_or_404(Organisation, pk=organisation, kind__in=SIGNING_KINDS)
    representatives = ceremonies.admitted_representatives(edition, organisation)
    present = f"present-{organisation.pk}"
    if representatives and f"{present}-representative" in request.POST:
        form = AdmittedSignatureForm(request.POST, representatives=representatives, prefix=present)
    else:
        form = _named_form(organisation, request.POST)
    if not form.is_valid():
        return _ceremony_page(request, edition, ceremony, bound={form.prefix: form})
    try:
        signature = ceremonies.record(ceremony, organisation, by=request.user, **form.details())
    except signatures.SigningRefused as refused:
        messages.error(
            request,
            _("The signature of “%(name)s” was not recorded: %(reason)s")
            % {"name": organisation, "reason": refused.message},
        )
        return _to_ceremony(edition)
    messages.success(
        request,
        _("At %(time)s, “%(name)s” signed.")
        % {"name": organisation, "time": _time(signature.signed_at)},
    )
    return _to_ceremony(edition, "#signed-title")
