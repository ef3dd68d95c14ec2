from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outbox.enums import MessageStatus


class MessageQuerySet(models.QuerySet):
    def failed(self):
        return self.filter(status=MessageStatus.FAILED)

    def for_edition(self, edition):
        return self.filter(edition=edition)

    def about(self, kinds, object_id):
        """The messages of these kinds built from one object, newest first."""
        return self.filter(kind__in=kinds, object_id=object_id)


class Message(models.Model):
    """One email to one recipient, written in the transaction of the change it announces.

    It holds what the message is about (``kind`` and ``object_id``), not its text: the
    message is rendered when it is sent (:mod:`outbox.services`).
    """

    kind = models.CharField(_("kind"), max_length=100)
    object_id = models.BigIntegerField(_("object"), null=True, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    edition = models.ForeignKey(
        "events.Edition",
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient = models.EmailField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=8, default="fr")
    # Fixed when the record is written: a message sent twice (a crash between the SMTP
    # hand-off and the "sent" update) carries the same Message-ID both times.
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    dedupe_key = models.CharField(
        _("deduplication key"), max_length=200, null=True, blank=True, unique=True
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MessageStatus.choices,
        default=MessageStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "object_id"], name="outbox_message_about"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"
