"""The PDF ticket, drawn with the kernel's PDF text (:mod:`common.pdf`)."""

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from common.pdf import MARGIN, MUTED, PAGE_WIDTH, WIDTH, Document, Writer, draw_qr, width
from registrations.links import manage_path


def render_ticket(registration, qr, code, *, workshops=()):
    """The ticket of a confirmed registration as PDF bytes, in the active language;
    ``workshops``: a sentence for each workshop where the person holds a seat."""
    edition = registration.edition
    document = Document(
        _("Ticket: %(title)s") % {"title": edition.title},
        subject=f"{registration.first_name} {registration.last_name}",
    )
    canvas = document.canvas
    page = Writer(canvas)

    page.paragraph(_("Ticket"), 11, color=MUTED)
    page.paragraph(edition.title, 18, bold=True)
    if edition.is_demonstration:
        page.paragraph(_("Demonstration: a made-up day to try the platform."), 10, color=MUTED)
    page.paragraph(_when(edition), 12)
    page.rule()

    page.paragraph(_("Names as on the ID"), 9, color=MUTED)
    page.fitted(f"{registration.first_name} {registration.last_name}", 26, 14)
    page.space(2 * mm)

    # Left column: who; right column: the QR code.
    qr_size = 58 * mm
    column = WIDTH - qr_size - 6 * mm
    top = page.y
    if registration.badge_name:
        page.labelled(_("Name on the badge"), registration.badge_name, available=column)
    page.labelled(_("Category"), registration.category.name, available=column)
    if registration.organisation_label:
        page.labelled(_("Organisation"), registration.organisation_label, available=column)
    page.paragraph(
        _("Show this code at the entrance, printed or on your phone."),
        10,
        available=column,
        color=MUTED,
    )
    qr_x = PAGE_WIDTH - MARGIN - qr_size
    draw_qr(canvas, qr, qr_x, top - qr_size, qr_size)
    # Under the QR code, centred, the short code an agent types when it cannot be read.
    left_end, page.y = page.y, top - qr_size
    label = _("Code to type if it cannot be read")
    page.line(label, 8, x=qr_x + (qr_size - width(label, 8)) / 2, color=MUTED)
    page.line(code, 16, x=qr_x + (qr_size - width(code, 16, bold=True)) / 2, bold=True)
    page.y = min(left_end, page.y) - 4 * mm

    if workshops:
        page.rule()
        page.paragraph(_("Your workshops"), 9, color=MUTED)
        for workshop in workshops:
            page.paragraph(workshop, 11)
    if edition.id_required:
        page.rule()
        page.paragraph(_("Bring an identity document"), 12, bold=True)
        page.paragraph(
            _(
                "The venue's security checks an identity document at the entrance: it must "
                "bear the names printed above. Without it, you may be refused entry."
            ),
            10,
        )
    page.rule()
    venue = edition.venue
    if venue:
        page.paragraph(_("Venue"), 9, color=MUTED)
        for line in venue.address_lines:
            page.paragraph(line, 11)
        if venue.transport_lines:
            page.space(1 * mm)
            page.paragraph(_("Getting there"), 9, color=MUTED)
            for line in venue.transport_lines:
                page.paragraph(line, 10)
    else:
        page.paragraph(_("The venue will be announced by email."), 11)
    page.rule()
    page.paragraph(_("To change or cancel your registration, use your private link:"), 9)
    page.paragraph(settings.SITE_URL + manage_path(registration), 8, color=MUTED)

    canvas.showPage()
    return document.bytes()


def _when(edition):
    day = formats.date_format(edition.date, "l j F Y")
    if not edition.has_hours:
        return _("%(day)s, hours not announced") % {"day": day}
    return _("%(day)s, from %(start)s to %(end)s") % {
        "day": day,
        "start": formats.time_format(edition.start_time),
        "end": formats.time_format(edition.end_time),
    }
