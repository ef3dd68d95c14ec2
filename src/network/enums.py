from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    POLE = "pole", _("Pole (PTCE)")
    NETWORK = "network", _("Network")
    PUBLIC_BODY = "public_body", _("Public body")
    ESS_ENTERPRISE = "ess_enterprise", _("ESS enterprise")
    ENTERPRISE = "enterprise", _("Enterprise")
    RESEARCH_EDUCATION = "research_education", _("Research or education")
    TRAINING_BODY = "training_body", _("Training body")
    OTHER = "other", _("Other")
