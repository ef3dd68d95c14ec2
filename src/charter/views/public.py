"""Public pages of the charter: its versions, its signatories, checking a signature, receipts,
and signing it."""

import re

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from charter import forms, links, listing, receipts, requests, signatures
from charter import signatures as rules
from charter.enums import RequestStatus
from charter.models import CharterVersion
from charter.signatures import SigningRefused
from common.decorators import secret_address
from common.errors import rate_limited
from common.ratelimits import over_rate

# The charter and its signatories -----------------------------------------------------------
#
# The charter's public pages: what it is, each version's text, the list of signatories, a
# signature's receipt (page and PDF, under a private address) and the verification of a
# receipt code.
#
# Public pages show organisations, and a representative's name and role only with their
# consent; the receipt shows its holder's own data, never cached nor indexed, and sends no
# referrer. The verification page is rate limited per client address: codes carry 80 random
# bits, so only guessing them in bulk could find one, and that is what the limit stops.


#: The longest typed code shown back in the form: a code is 19 characters with its dashes.
SHOWN_CODE_LENGTH = 40

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")


def paragraphs(text):
    """The paragraphs of a plain text (separated by blank lines), each stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return [paragraph.strip() for paragraph in _BLANK_LINE.split(text) if paragraph.strip()]


@require_safe
def index(request):
    return render(request, "charter/index.html", {"versions": listing.versions()})


@require_safe
def version(request, version):
    version = get_object_or_404(listing.versions(), slug=version)
    return render(
        request,
        "charter/version.html",
        {"version": version, "paragraphs": paragraphs(version.text)},
    )


@require_safe
def signatories(request):
    versions = list(CharterVersion.objects.order_by("year", "pk"))
    form = listing.SignatoryForm(request.GET, all_versions=versions)
    filters = form.filters()
    signatures = listing.filter_signatures(listing.public_signatures(), **filters)
    counts = listing.counts(signatures, versions)
    # get_page() turns a page number that is not one, or out of range, into the first or the
    # last page rather than an error.
    page = Paginator(listing.with_details(signatures), listing.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    entries = listing.entries(page.object_list)
    return render(
        request,
        "charter/signatories.html",
        {
            "form": form,
            "page": page,
            "entries": entries,
            "counts": counts,
            "is_filtered": bool(filters),
            "query": form.query(),
            "has_fictional": any(e.signature.organisation.is_fictional for e in entries),
        },
    )


def _receipt_page(view):
    """The receipt's address is a secret: private, and never sent on as a referrer."""
    return require_safe(secret_address(view))


def _signature(token):
    signature = links.signature_for_receipt_token(token)
    if signature is None:
        raise Http404
    return signature


@_receipt_page
def receipt(request, token):
    signature = _signature(token)
    return render(
        request,
        "charter/receipt.html",
        {
            "signature": signature,
            "token": token,
            "code": rules.format_code(signature.receipt_code),
            "verify_url": rules.verify_url(signature),
            "verify_path": rules.verify_path(signature),
        },
    )


@_receipt_page
def receipt_pdf(request, token):
    signature = _signature(token)
    response = HttpResponse(
        receipts.receipt_pdf(signature, language=get_language()), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"recu-charte-{signature.version.slug}.pdf"
    )
    return response


@require_safe
def verify(request):
    typed = request.GET.get("code")
    context = {"typed": (typed or "")[:SHOWN_CODE_LENGTH]}
    if typed is not None and typed.strip():
        if limited := over_rate(request, "charter_verify"):
            return rate_limited(request, limited=limited)
        verification = rules.verify(typed)
        context |= {
            "verification": verification,
            "malformed": rules.normalise_code(typed) is None,
        }
        if verification.status == "valid":
            context["entry"] = listing.entry(verification.signature)
    return render(request, "charter/verify.html", context)


# Signing -----------------------------------------------------------------------------------
#
# Online signing of the charter: the form, "check your inbox", and the emailed link's page.
#
# The rules are :mod:`charter.requests`'; these views validate, call one of them and show the
# outcome. The link's page carries a secret in its address: neither cached, indexed nor sent as
# a referrer. Its GET only shows what will be signed; its button signs (mail scanners follow
# links, they press no buttons).


#: Where a refusal of :func:`requests.submit` is shown: its field, or the form's top.
REFUSAL_FIELDS = {
    "already_signed": "organisation",
    "not_a_signing_kind": "organisation",
    "in_directory": "proposed_name",
    "no_mandate": "has_mandate",
    "version_closed": None,
}


def sign(request, version):
    version = get_object_or_404(CharterVersion, slug=version)
    posted = request.method == "POST"
    if not version.is_open:
        # A form posted to a closed version changes nothing: the page says it is closed.
        return _sign_page(request, version, None, status=409 if posted else 200)
    if not posted:
        return _sign_page(request, version, forms.SigningForm())
    form = forms.SigningForm(request.POST)
    if limited := over_rate(request, "charter_signing"):
        form.add_error(None, limited.message)
        return limited.answer(_sign_page(request, version, form))
    if not form.is_valid():
        return _sign_page(request, version, form, status=400)
    if form.is_spam:
        form.add_error(None, translation.gettext("This form could not be sent. Please try again."))
        return _sign_page(request, version, form, status=400)
    try:
        requests.submit(version, **form.request_kwargs(), language=_language())
    except (SigningRefused, requests.RequestRefused) as refused:
        form.add_error(REFUSAL_FIELDS.get(refused.code), refused.message)
        return _sign_page(request, version, form, status=409)
    return redirect("charter:sign_sent", version=version.slug)


def _sign_page(request, version, form, *, status=200):
    return render(
        request,
        "charter/signing/sign.html",
        {
            "version": version,
            "form": form,
            "errors": form.error_summary() if form is not None and form.is_bound else [],
        },
        status=status,
    )


def sign_sent(request, version):
    """The page that says to check one's inbox: the same whoever asks, naming no address."""
    version = get_object_or_404(CharterVersion, slug=version)
    return render(
        request,
        "charter/signing/sent.html",
        {"version": version, "hours": _link_hours()},
    )


@secret_address(referrer="same-origin")
def sign_confirm(request, token):
    check = links.check_link(token)
    signing_request = check.signing_request
    if signing_request is None:
        return render(request, "charter/signing/link_invalid.html", status=404)
    if signing_request.status != RequestStatus.AWAITING_EMAIL:
        return _outcome(request, signing_request)
    if check.expired:
        return render(
            request,
            "charter/signing/link_expired.html",
            {"version": signing_request.version, "hours": _link_hours()},
            status=410,
        )
    refusal = requests.blocking_refusal(signing_request)
    if request.method == "POST" and refusal is None:
        try:
            requests.confirm(signing_request)
        except SigningRefused as refused:
            refusal = refused
        else:
            # Reloading the page then shows the outcome again, and signs nothing twice.
            return redirect("charter:sign_confirm", token=token)
    return render(
        request,
        "charter/signing/confirm.html",
        {
            "signing_request": signing_request,
            "version": signing_request.version,
            "refusal": refusal,
        },
        status=409 if refusal is not None and request.method == "POST" else 200,
    )


def _outcome(request, signing_request):
    """The page of a request that its link no longer confirms: signed, waiting for an
    organiser, or refused."""
    status = signing_request.status
    context = {"signing_request": signing_request, "version": signing_request.version}
    if status == RequestStatus.SIGNED:
        signature = signing_request.signature
        context |= {
            "signature": signature,
            "code": signatures.format_code(signature.receipt_code) if signature else "",
            "receipt_token": links.receipt_token(signature) if signature else "",
        }
        return render(request, "charter/signing/signed.html", context)
    if status == RequestStatus.AWAITING_APPROVAL:
        return render(request, "charter/signing/awaiting_approval.html", context)
    context["overtaken"] = requests.was_overtaken(signing_request)
    return render(request, "charter/signing/refused.html", context)


def _language():
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _link_hours():
    return int(links.LINK_MAX_AGE.total_seconds() // 3600)
