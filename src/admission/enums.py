from django.db import models
from django.utils.translation import gettext_lazy as _

from registrations.enums import ADMITTED_AT_THE_DOOR


class CheckInResult(models.TextChoices):
    """The verdict of one scan at the door; the API returns these codes as ``result``."""

    # The value the registrations app reads admissions by (it cannot import this app).
    ADMITTED = ADMITTED_AT_THE_DOOR, _("Admitted")
    ALREADY_ADMITTED = "already_admitted", _("Already admitted")
    REVOKED = "revoked", _("Cancelled or revoked ticket")
    UNKNOWN_TICKET = "unknown_ticket", _("Unknown ticket")
    INVALID_TICKET = "invalid_ticket", _("Invalid or forged ticket")
    WRONG_EDITION = "wrong_edition", _("Ticket for another day")
    NOT_OPEN = "not_open", _("Check-in is not open")
    ID_MISMATCH = "id_mismatch", _("Refused: the ID does not match")
    # At a workshop's door only: the person holds no seat in that workshop.
    NOT_REGISTERED_HERE = "not_registered_here", _("Not registered for this workshop")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    PDF = "pdf", "PDF"
