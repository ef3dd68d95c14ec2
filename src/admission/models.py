from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EditionKey(models.Model):
    """The Ed25519 key pair that signs an edition's tickets.

    The private key is stored encrypted (AES-GCM, with a key derived from ``SECRET_KEY``; see
    :mod:`admission.keys`), never in clear; the public key is what scanners verify with.
    Created with the edition, or on first use for editions older than tickets.
    """

    edition = models.OneToOneField(
        "events.Edition",
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        related_name="ticket_key",
    )
    public_key = models.BinaryField(_("public key"), max_length=32)
    encrypted_private_key = models.BinaryField(_("encrypted private key"), max_length=128)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket signing key")
        verbose_name_plural = _("ticket signing keys")

    def __str__(self):
        return str(self.edition)
