from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a signature was made."""

    ONLINE = "online", _("Online")
    CEREMONY = "ceremony", _("At the ceremony")


class RequestStatus(models.TextChoices):
    """Where an online signing request stands."""

    #: Waiting for the representative to follow the link emailed to them.
    AWAITING_EMAIL = "awaiting_email", _("Waiting for the email confirmation")
    #: Confirmed by email, for an organisation not in the directory: an organiser decides.
    AWAITING_APPROVAL = "awaiting_approval", _("Waiting for an organiser's approval")
    SIGNED = "signed", _("Signed")
    #: Refused by an organiser (proposed organisation), or overtaken by another signature of
    #: the same organisation.
    REFUSED = "refused", _("Refused")
