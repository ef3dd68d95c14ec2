from django.db import models
from django.utils.translation import gettext_lazy as _

from network.enums import OrganisationKind


class Organisation(models.Model):
    """An organisation of the network: a pole, a partner network, a public body…

    Organising an edition, being its partner and giving roles to users all go through it.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    website = models.URLField(_("website"), blank=True)
    is_fictional = models.BooleanField(
        _("fictional"),
        default=False,
        help_text=_("Invented for the demonstration; shown as such on public pages."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name
