"""A signature's receipt as an A4 PDF: what was signed, by whom, when, and the code that
anyone can check on the public verification page (also as a QR code of that page's address).

Drawn with the ticket's fonts and text handling (:mod:`common.pdf`): every script the
shipped fonts cover is shaped and ordered, and names are drawn as text, never interpreted.
The receipt is its holder's: it names the representative whatever their consent to the
public list.
"""

import segno
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm

from charter import signatures as rules
from common.pdf import MARGIN, MUTED, PAGE_WIDTH, WIDTH, Document, Writer, draw_qr
from events.models import PARIS

QR_SIZE = 48 * mm
REVOKED = colors.HexColor("#8a1c00")


def receipt_pdf(signature, *, language=None):
    """The receipt of ``signature`` (revoked ones say so) as PDF bytes, in ``language``
    (by default the active one). Nothing is saved."""
    with translation.override(language or translation.get_language()):
        return _render(signature)


def moment(value):
    """A signature's moment in Paris time, e.g. "19 September 2014, 4:05 p.m."."""
    local = timezone.localtime(value, PARIS)
    return _("%(day)s, %(time)s") % {
        "day": formats.date_format(local, "j F Y"),
        "time": formats.time_format(local),
    }


def _render(signature):
    version, organisation = signature.version, signature.organisation
    url = rules.verify_url(signature)
    document = Document(
        _("Receipt of signature: %(version)s") % {"version": version.title},
        subject=organisation.name,
    )
    canvas = document.canvas
    page = Writer(canvas)

    page.paragraph(_("Receipt of signature"), 11, color=MUTED)
    page.paragraph(version.title, 18, bold=True)
    if signature.revoked_at:
        page.paragraph(
            _("Revoked on %(day)s: this signature no longer counts.")
            % {
                "day": formats.date_format(timezone.localtime(signature.revoked_at, PARIS), "j F Y")
            },
            12,
            bold=True,
            color=REVOKED,
        )
    page.rule()

    page.paragraph(_("Organisation"), 9, color=MUTED)
    page.fitted(organisation.name, 22, 13)
    page.paragraph(str(organisation.get_kind_display()), 11)
    if organisation.is_fictional:
        page.paragraph(_("Fictional: made up for the demonstration."), 10, color=MUTED)
    page.y -= 2 * mm

    # Left column: the signature; right column: the QR code of the verification page.
    column = WIDTH - QR_SIZE - 6 * mm
    top = page.y
    page.labelled(_("Representative"), signature.representative_name, available=column)
    page.labelled(_("Role"), signature.representative_role, available=column)
    page.labelled(_("Signed"), moment(signature.signed_at), available=column)
    page.labelled(_("Channel"), str(signature.get_channel_display()), available=column)
    if signature.edition_id:
        page.labelled(_("National day"), signature.edition.title, available=column)
    draw_qr(
        canvas,
        segno.make(url, error="m", micro=False),
        PAGE_WIDTH - MARGIN - QR_SIZE,
        top - QR_SIZE,
        QR_SIZE,
    )
    page.y = min(page.y, top - QR_SIZE) - 4 * mm

    page.rule()
    page.paragraph(_("Verification code"), 9, color=MUTED)
    page.paragraph(rules.format_code(signature.receipt_code), 20, bold=True)
    page.paragraph(_("Anyone can check this receipt with its code at:"), 10)
    page.paragraph(url, 10, color=MUTED)

    canvas.showPage()
    return document.bytes()
