"""The emails of online signing: one function per email, each writing an outbox record.

Every function is called inside the transaction of the change it announces
(:mod:`charter.requests`), so a rolled-back change sends nothing (:mod:`outbox.services`).
Each message goes to the representative's address, in the request's language, and is
rendered when it is sent from the request as it then is: a message about a state that no
longer holds (a link for a request signed meanwhile) is skipped.

- ``confirm_link``: the link that confirms the signature (signed, expiring: the 72 hours run
  from when it is sent);
- ``awaiting_approval``: confirmed, an organiser now checks the proposed organisation;
- ``signed``: the signature is recorded: its verification code and the receipt's address;
- ``refused``: an organiser refused the proposed organisation, and why.

Charter emails belong to no national day: their outbox records have no edition.
"""

import contextlib

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from charter import links, signatures
from charter.enums import RequestStatus
from charter.models import SigningRequest
from common.mail import render_email
from outbox.models import Message
from outbox.services import builder, enqueue

KINDS = tuple(
    f"charter.{name}" for name in ("confirm_link", "awaiting_approval", "signed", "refused")
)


def confirm_link(signing_request):
    """After the form: the link that confirms the signature."""
    _write("confirm_link", signing_request)


def awaiting_approval(signing_request):
    """A proposed organisation's request confirmed by email: an organiser checks it now."""
    _write("awaiting_approval", signing_request)


def signed(signing_request):
    """The signature is recorded (confirmed, or approved by an organiser): the receipt."""
    _write("signed", signing_request)


def refused(signing_request):
    """An organiser refused the proposed organisation: the reason."""
    _write("refused", signing_request)


def messages_about(signing_request):
    """The outbox messages about ``signing_request``, newest first."""
    return Message.objects.about(KINDS, signing_request.pk)


def _write(name, signing_request):
    enqueue(
        f"charter.{name}",
        to=signing_request.representative_email,
        object_id=signing_request.pk,
        language=signing_request.language,
    )


# Builders: run by the worker when a message is sent -----------------------------------------


@builder("charter.confirm_link")
def build_confirm_link(message):
    signing_request = _request(message, RequestStatus.AWAITING_EMAIL)
    if signing_request is None:
        return None
    path = reverse("charter:sign_confirm", args=[links.confirm_token(signing_request)])
    context = _context(
        signing_request,
        message,
        confirm_url=_absolute(path),
        hours=int(links.LINK_MAX_AGE.total_seconds() // 3600),
    )
    return _email("confirm_link", context)


@builder("charter.awaiting_approval")
def build_awaiting_approval(message):
    signing_request = _request(message, RequestStatus.AWAITING_APPROVAL)
    if signing_request is None:
        return None
    return _email("awaiting_approval", _context(signing_request, message))


@builder("charter.signed")
def build_signed(message):
    signing_request = _request(message, RequestStatus.SIGNED)
    signature = signing_request.signature if signing_request else None
    if signature is None or signature.revoked_at is not None:
        return None  # Revoked before the message left: there is no receipt to announce.
    context = _context(
        signing_request,
        message,
        signature=signature,
        code=signatures.format_code(signature.receipt_code),
        receipt_url=_receipt_url(signature),
        verify_url=signatures.verify_url(signature),
    )
    return _email("signed", context)


@builder("charter.refused")
def build_refused(message):
    signing_request = _request(message, RequestStatus.REFUSED)
    if signing_request is None:
        return None
    return _email("refused", _context(signing_request, message))


def _request(message, status):
    signing_request = (
        SigningRequest.objects.select_related("version", "organisation", "signature")
        .filter(pk=message.object_id)
        .first()
    )
    if signing_request is None or signing_request.status != status:
        return None
    return signing_request


def _context(signing_request, message, **extra):
    return {
        "signing_request": signing_request,
        "version": signing_request.version,
        "organisation": signing_request.organisation_label,
        "is_proposed": signing_request.organisation_id is None,
        "contact_email": settings.PTCE_CONTACT_EMAIL,
        "site_url": settings.SITE_URL,
        "language": message.language,
        **extra,
    }


def _email(name, context):
    return render_email(f"charter/email/{name}", context, language=context["language"])


def _receipt_url(signature):
    """The receipt's private address, once the public pages (``charter:receipt``) exist."""
    with contextlib.suppress(NoReverseMatch):
        return _absolute(reverse("charter:receipt", args=[links.receipt_token(signature)]))
    return None


def _absolute(path):
    return settings.SITE_URL + path
