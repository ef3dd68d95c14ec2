from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common import moments
from common.text import fold  # also read as network.models.fold by migration 0003
from network import territories
from network.enums import (
    CompositionStatus,
    LegalForm,
    MemberCategory,
    OrganisationKind,
    RecognitionKind,
    TerritoryLevel,
)
from network.validators import validate_siren


def _checked_code(level, code, field):
    """``code`` normalised (``2a`` → ``2A``, ``1`` → ``01``) once checked against the shipped
    geographic code; a ValidationError on ``field`` otherwise."""
    try:
        code = territories.normalise_code(level, code)
        territories.validate_code(level, code)
    except ValidationError as error:
        raise ValidationError({field: error.error_list}) from None
    return code


#: Legal forms that are always legal persons.
LEGAL_PERSON_FORMS = frozenset(LegalForm) - {LegalForm.OTHER}


class Organisation(models.Model):
    """An organisation of the network: a pole, a partner network, a public body…

    Organising an edition, being its partner, being a pole's member and giving roles to users
    all go through it.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    legal_form = models.CharField(
        _("legal form"), max_length=32, choices=LegalForm.choices, blank=True
    )
    is_legal_person = models.BooleanField(
        _("legal person"),
        null=True,
        blank=True,
        help_text=_("Empty when not known. Associations, cooperatives, companies… are."),
    )
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, validators=[validate_siren], db_index=True
    )
    website = models.URLField(_("website"), blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    department_code = models.CharField(
        _("department"), max_length=3, blank=True, help_text=_("INSEE code, e.g. 69 or 2A.")
    )
    is_fictional = models.BooleanField(
        _("fictional"),
        default=False,
        help_text=_("Invented for the demonstration; shown as such on public pages."),
    )
    search_text = models.CharField(max_length=320, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.legal_form in LEGAL_PERSON_FORMS and self.is_legal_person is None:
            self.is_legal_person = True
        self.siren = self.siren.replace(" ", "")
        self.search_text = fold(f"{self.name} {self.town}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text", "is_legal_person"}
        super().save(*args, **kwargs)

    def clean(self):
        if self.department_code:
            self.department_code = _checked_code(
                TerritoryLevel.DEPARTMENT, self.department_code, "department_code"
            )


class Sector(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("sector of activity")
        verbose_name_plural = _("sectors of activity")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PoleQuerySet(models.QuerySet):
    def for_directory(self):
        return (
            self.select_related("organisation")
            .prefetch_related("sectors", "departments", "recognitions")
            .order_by("organisation__search_text", "pk")
        )


class Pole(models.Model):
    """A pole (PTCE): an organisation of kind "pole", with what the directory shows of it.

    Its legal form and whether it is a legal person are its organisation's. The
    ``composition_status`` is derived by ``network.composition.refresh`` whenever the pole or
    its members change; it is stored so that the directory can filter on it.
    """

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="pole"
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    creation_year = models.PositiveSmallIntegerField(
        _("year of creation"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors of activity"), related_name="poles", blank=True
    )
    geo_vintage = models.PositiveSmallIntegerField(
        _("vintage of the geographic code"),
        null=True,
        blank=True,
        help_text=_("Year of the official geographic code the territory's INSEE codes follow."),
    )
    composition_declared = models.BooleanField(
        _("composition declared"),
        default=False,
        help_text=_("The list of members is complete: the article 9 check may be made."),
    )
    composition_status = models.CharField(
        _("composition"),
        max_length=24,
        choices=CompositionStatus.choices,
        default=CompositionStatus.NOT_DECLARED,
        editable=False,
        db_index=True,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("pole")
        verbose_name_plural = _("poles")

    def __str__(self):
        return self.organisation.name

    def get_absolute_url(self):
        return reverse("network:pole", kwargs={"slug": self.organisation.slug})

    @property
    def name(self):
        return self.organisation.name


class TerritoryArea(models.Model):
    """One INSEE code of a pole's declared territory."""

    pole = models.ForeignKey(
        Pole, verbose_name=_("pole"), on_delete=models.CASCADE, related_name="territory"
    )
    level = models.CharField(_("level"), max_length=16, choices=TerritoryLevel.choices)
    code = models.CharField(_("INSEE code"), max_length=9)

    class Meta:
        verbose_name = _("territory area")
        verbose_name_plural = _("territory areas")
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["pole", "level", "code"], name="territory_area_unique")
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.code}"

    def clean(self):
        if self.level in TerritoryLevel.values:
            self.code = _checked_code(self.level, self.code, "code")


class PoleDepartment(models.Model):
    """A department a pole's territory touches, derived from its declared areas.

    Kept by ``network.poles.refresh_departments`` so that the directory and the map can
    filter and count by department (and so by region) with an index.
    """

    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="departments")
    code = models.CharField(max_length=3, db_index=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["pole", "code"], name="pole_department_unique")
        ]

    def __str__(self):
        return self.code


class PoleMember(models.Model):
    """An organisation's membership of a pole, typed by article 9's categories."""

    pole = models.ForeignKey(
        Pole, verbose_name=_("pole"), on_delete=models.CASCADE, related_name="members"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="pole_memberships",
    )
    category = models.CharField(
        _("article 9 category"), max_length=24, choices=MemberCategory.choices
    )
    role = models.CharField(
        _("role in the pole"), max_length=100, blank=True, help_text=_("e.g. founder, member.")
    )

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["category", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["pole", "organisation"], name="pole_member_unique")
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_category_display()})"


class Recognition(models.Model):
    """A dated fact about a pole: a call it won, a charter it signed. Never a label."""

    pole = models.ForeignKey(
        Pole, verbose_name=_("pole"), on_delete=models.CASCADE, related_name="recognitions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RecognitionKind.choices)
    date = moments.DateField(_("date"), null=True, blank=True)
    source = models.URLField(_("source"), blank=True)

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        ordering = ["date", "kind"]
        constraints = [models.UniqueConstraint(fields=["pole", "kind"], name="recognition_unique")]

    def __str__(self):
        return self.get_kind_display()
