from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


#: Registrations that hold a seat or a place in the waiting list; one per email and edition.
ACTIVE = {RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED}


class Language(models.TextChoices):
    """Languages the attendee's emails are written in."""

    FRENCH = "fr", "Français"
    ENGLISH = "en", "English"
