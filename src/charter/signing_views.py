"""Online signing of the charter: the form, "check your inbox", and the emailed link's page.

The rules are :mod:`charter.requests`'; these views validate, call one of them and show the
outcome. The link's page carries a secret in its address: neither cached, indexed nor sent as
a referrer. Its GET only shows what will be signed; its button signs (mail scanners follow
links, they press no buttons).
"""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation

from charter import forms, links, requests, signatures
from charter.enums import RequestStatus
from charter.models import CharterVersion
from charter.signatures import SigningRefused
from common.decorators import secret_address
from common.ratelimits import over_rate

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
    return redirect("charter_signing:sent", version=version.slug)


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


def sent(request, version):
    """The page that says to check one's inbox: the same whoever asks, naming no address."""
    version = get_object_or_404(CharterVersion, slug=version)
    return render(
        request,
        "charter/signing/sent.html",
        {"version": version, "hours": _link_hours()},
    )


@secret_address(referrer="same-origin")
def confirm(request, token):
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
            return redirect("charter_signing:confirm", token=token)
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
