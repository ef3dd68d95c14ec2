from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.enums import ACTIVE, Language, RegistrationStatus


class Category(models.Model):
    """A kind of seat in an edition (participant, pole representative, speaker, press…).

    Its limits are enforced by :mod:`registrations.capacity` only.
    """

    edition = models.ForeignKey(
        "events.Edition",
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        related_name="categories",
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    quota = models.PositiveIntegerField(
        _("quota"),
        null=True,
        blank=True,
        help_text=_("Most confirmed seats in this category; empty for no quota."),
    )
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Anyone may choose it; otherwise by invitation or by an organiser only."),
    )
    organisation_cap = models.PositiveIntegerField(
        _("seats per organisation"),
        null=True,
        blank=True,
        help_text=_(
            "Most confirmed seats in this category for one organisation of the directory "
            "(e.g. 3 per pole); empty for no cap."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("registration category")
        verbose_name_plural = _("registration categories")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="category_slug_per_edition")
        ]

    def __str__(self):
        return self.name


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE)

    def confirmed(self):
        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waiting(self):
        """The waiting list, first come first: the order seats are offered in."""
        return self.filter(status=RegistrationStatus.WAITLISTED).order_by("created_at", "pk")

    def with_email(self, email):
        """Registrations for ``email``, whatever its case (as the uniqueness constraint)."""
        return self.alias(email_key=Lower("email")).filter(
            email_key=Lower(models.Value(email, output_field=models.EmailField()))
        )


class Registration(models.Model):
    """One attendee's seat, or place in the waiting list, at an edition.

    Created and moved between statuses only by :mod:`registrations.capacity`.
    """

    edition = models.ForeignKey(
        "events.Edition",
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        help_text=_("The pole or network the attendee comes from; its seat cap applies."),
    )
    organisation_name = models.CharField(
        _("organisation name"),
        max_length=200,
        blank=True,
        help_text=_("As typed, when the organisation is not in the directory."),
    )
    first_name = models.CharField(
        _("first name(s)"), max_length=150, help_text=_("As printed on the ID.")
    )
    last_name = models.CharField(
        _("last name"), max_length=150, help_text=_("As printed on the ID.")
    )
    email = models.EmailField(_("email"), max_length=254)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RegistrationStatus.choices, db_index=True
    )
    # Set under the edition's lock, so its order is the order of commits: the waiting list's.
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                models.F("edition"),
                Lower("email"),
                condition=models.Q(status__in=sorted(ACTIVE)),
                name="one_active_registration_per_email",
                violation_error_message=_("This email is already registered for this edition."),
            )
        ]
        indexes = [
            models.Index(fields=["edition", "status", "created_at"], name="registration_queue"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def is_active(self):
        return self.status in ACTIVE

    @property
    def organisation_label(self):
        return self.organisation.name if self.organisation else self.organisation_name
