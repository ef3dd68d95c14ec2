"""The attendee's ticket, under the private manage link's token: page, PDF, QR and .ics;
and, after the day, the certificate of attendance.

A tampered or unknown token is a 404. A registration on the waiting list has no ticket yet
and a cancelled one's is revoked: the page says so, and the PDF and QR code are 404s (the
calendar file too, once cancelled). The certificate is a 404 unless the attendee was admitted
at the door of a day that has started (:func:`admission.attendance.has_certificate`). Every
answer is private to the link's holder: never cached by a shared cache, never indexed.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from admission import attendance, codes, tickets, workshops
from common.decorators import private
from registrations.links import manage_path, registration_for_token


def _private(view):
    return require_safe(private(view))


def _registration(token, *, with_ticket=False, active=False):
    registration = registration_for_token(token)
    if (
        registration is None
        # Erased, or anonymised after the day: a ticket for nobody.
        or registration.anonymised_at is not None
        or (with_ticket and not tickets.has_ticket(registration))
        or (active and not registration.is_active)
    ):
        raise Http404
    return registration


@_private
def ticket(request, token):
    registration = _registration(token)
    has_ticket = tickets.has_ticket(registration)
    return render(
        request,
        "admission/ticket.html",
        {
            "registration": registration,
            "edition": registration.edition,
            "has_ticket": has_ticket,
            "ticket_code": codes.code_for(registration) if has_ticket else "",
            "workshops": workshops.seats(registration) if has_ticket else [],
            "token": token,
            "manage_url": manage_path(registration),
        },
    )


@_private
def ticket_pdf(request, token):
    registration = _registration(token, with_ticket=True)
    response = HttpResponse(
        tickets.ticket_pdf(registration, language=get_language()),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"billet-{registration.edition.slug}.pdf"
    )
    return response


@_private
def ticket_qr(request, token):
    registration = _registration(token, with_ticket=True)
    return HttpResponse(tickets.qr_svg(registration), content_type="image/svg+xml")


@_private
def ticket_ics(request, token):
    # A waiting person may put the day in their calendar; a cancelled one has no business.
    registration = _registration(token, active=True)
    response = HttpResponse(
        tickets.ticket_ics(registration, language=get_language()),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{registration.edition.slug}.ics"
    )
    return response


@_private
def certificate(request, token):
    registration = _registration(token)
    try:
        content = attendance.certificate_pdf(registration, language=get_language())
    except attendance.NoCertificate:
        raise Http404 from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"attestation-{registration.edition.slug}.pdf"
    )
    return response
