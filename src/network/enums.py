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


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    COOPERATIVE = "cooperative", _("Cooperative")
    MUTUAL = "mutual", _("Mutual society")
    FOUNDATION = "foundation", _("Foundation")
    COMMERCIAL_COMPANY = "commercial_company", _("Commercial company")
    PUBLIC_BODY = "public_body", _("Public body")
    OTHER = "other", _("Other")


class MemberCategory(models.TextChoices):
    """The persons article 9 of the 2014 ESS law names as members of a PTCE."""

    ESS_ENTERPRISE = "ess_enterprise", _("ESS enterprise")
    ENTERPRISE = "enterprise", _("Enterprise outside the ESS")
    LOCAL_AUTHORITY = "local_authority", _("Local authority or grouping")
    RESEARCH_CENTRE = "research_centre", _("Research centre")
    HIGHER_EDUCATION = "higher_education", _("Higher-education and research establishment")
    TRAINING_BODY = "training_body", _("Training body")
    OTHER_PERSON = "other_person", _("Other natural or legal person")


#: Article 9's "other persons", beside the ESS enterprises and the other enterprises.
OTHER_ARTICLE_9_CATEGORIES = frozenset(MemberCategory) - {
    MemberCategory.ESS_ENTERPRISE,
    MemberCategory.ENTERPRISE,
}


class RecognitionKind(models.TextChoices):
    """Dated facts about a pole; "PTCE" is self-declared, never a label."""

    CALL_2013 = "call_2013", _("Laureate of the 2013 interministerial call")
    CALL_2015 = "call_2015", _("Laureate of the 2015 call")
    AMI_PHASE_1 = "ami_phase_1", _("Laureate of the AMI “emerging PTCE”, phase 1")
    AMI_PHASE_2 = "ami_phase_2", _("Laureate of the AMI “emerging PTCE”, phase 2")
    CALL_2023 = "call_2023", _("Laureate of the 2023 call")
    CHARTER_2014 = "charter_2014", _("Signed the charter, 2014 version")
    CHARTER_2021 = "charter_2021", _("Signed the charter, 2021 version")


class CompositionStatus(models.TextChoices):
    NOT_DECLARED = "not_declared", _("Composition not declared")
    DOES_NOT_MEET = "does_not_meet", _("Does not meet article 9")
    MEETS_ARTICLE_9 = "meets_article_9", _("Meets article 9")
    MEETS_DECREE_2015 = "meets_decree_2015", _("Meets article 9 and the 2015 decree's rule")


class TerritoryLevel(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("Intercommunality (EPCI)")
    DEPARTMENT = "department", _("Department")
    REGION = "region", _("Region")
