from django.db import models
from django.utils.translation import gettext_lazy as _


class EditionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


#: Editions anyone may see.
PUBLIC_STATUSES = {EditionStatus.PUBLISHED, EditionStatus.ARCHIVED}


class SessionKind(models.TextChoices):
    WELCOME = "welcome", _("Welcome")
    OPENING = "opening", _("Opening")
    TESTIMONIAL = "testimonial", _("Testimonials")
    DEBATE = "debate", _("Debate")
    ROUND_TABLE = "round_table", _("Round table")
    WORKSHOP = "workshop", _("Workshop")
    CEREMONY = "ceremony", _("Ceremony")
    BREAK = "break", _("Break")
    LUNCH = "lunch", _("Lunch")
    CLOSING = "closing", _("Closing")


class WorkshopPromotion(models.TextChoices):
    """What happens when a seat frees up in a workshop for someone who already holds a seat in
    another workshop at the same time."""

    SWAP = "swap", _("The person moves to the workshop they waited for")
    ASK = "ask", _("The person is asked which workshop to keep")


#: Kinds that are pauses in the day rather than content.
PAUSE_KINDS = {SessionKind.WELCOME, SessionKind.BREAK, SessionKind.LUNCH}


class SecurityField(models.TextChoices):
    """Personal details a venue's security may ask for, beyond the names as on the ID."""

    BIRTH_DATE = "birth_date", _("Date of birth")
    BIRTH_PLACE = "birth_place", _("Place of birth")
    NATIONALITY = "nationality", _("Nationality")
    EMPLOYER = "employer", _("Employer")


#: Why the venue's security list needs each detail, shown beside it on the edition page.
SECURITY_FIELD_REASONS = {
    SecurityField.BIRTH_DATE: _(
        "The venue's security asks for it to identify each visitor, together with the names "
        "as on the ID. It is deleted after the day."
    ),
    SecurityField.BIRTH_PLACE: _(
        "The venue's security asks for it, with the date of birth, to identify each visitor."
    ),
    SecurityField.NATIONALITY: _("The venue's security asks for it for its checks before the day."),
    SecurityField.EMPLOYER: _(
        "The venue's security lists each visitor with the organisation they come from."
    ),
}
