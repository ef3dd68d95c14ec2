from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Nothing to send")


#: Messages that may still be sent without anyone's action.
UNFINISHED = {MessageStatus.PENDING, MessageStatus.SENDING}

#: Messages an organiser may send again (as a new message).
RESENDABLE = {MessageStatus.FAILED, MessageStatus.SENT}
