"""The charter's public pages: what it is, each version's text, the list of signatories, a
signature's receipt (page and PDF, under a private address) and the verification of a
receipt code.

Public pages show organisations, and a representative's name and role only with their
consent; the receipt shows its holder's own data, never cached nor indexed, and sends no
referrer. The verification page is rate limited per client address: codes carry 80 random
bits, so only guessing them in bulk could find one, and that is what the limit stops.
"""

import re

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from charter import links, listing, receipts
from charter import signatures as rules
from charter.models import CharterVersion
from common.decorators import secret_address
from common.errors import rate_limited
from common.ratelimits import over_rate

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
