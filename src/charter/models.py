"""The charter of the collective approach of the PTCE: its versions and their signatures.

A version (2014, 2021) is a text that organisations sign; it is open or closed for signing.
An organisation (a pole or a partner network, from the directory) signs a version at most
once: a partial unique constraint holds even under concurrent confirmations, and a revoked
signature no longer counts (the organisation may sign again). Online, a representative asks
to sign (:class:`SigningRequest`) and confirms through a signed link emailed to them; at a
national day's ceremony, an organiser records the signature. The rules live in
:mod:`charter.signatures`.

Personal data: the representative's name and role are public only with their consent
(``name_is_public``); their email address is kept on the request, never shown publicly.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from charter.enums import Channel, RequestStatus
from common import moments
from network.enums import OrganisationKind, RecognitionKind

#: The kinds of organisation that sign the charter.
SIGNING_KINDS = (OrganisationKind.POLE, OrganisationKind.NETWORK)


class CharterVersion(models.Model):
    slug = models.SlugField(
        _("slug"), max_length=20, unique=True, help_text=_("In addresses: “2014”, “2021”.")
    )
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    adopted_on = moments.DateField(_("adopted on"), null=True, blank=True)
    text = models.TextField(
        _("text"),
        blank=True,
        max_length=60_000,
        help_text=_("Plain text; paragraphs separated by a blank line."),
    )
    text_is_placeholder = models.BooleanField(
        _("placeholder text"),
        default=False,
        help_text=_("The text shown is not the charter's: pages say so clearly."),
    )
    is_open = models.BooleanField(_("open for signing"), default=False)
    recognition_kind = models.CharField(
        _("recognition given to a signing pole"),
        max_length=16,
        choices=[
            (RecognitionKind.CHARTER_2014, RecognitionKind.CHARTER_2014.label),
            (RecognitionKind.CHARTER_2021, RecognitionKind.CHARTER_2021.label),
        ],
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("charter version")
        verbose_name_plural = _("charter versions")
        ordering = ["year", "pk"]

    def __str__(self):
        return self.title


class SignatureQuerySet(models.QuerySet):
    def standing(self):
        """Signatures that count: not revoked."""
        return self.filter(revoked_at__isnull=True)


class Signature(models.Model):
    version = models.ForeignKey(
        CharterVersion,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="charter_signatures",
    )
    representative_name = models.CharField(_("representative's name"), max_length=200)
    representative_role = models.CharField(_("representative's role"), max_length=200)
    name_is_public = models.BooleanField(
        _("name shown publicly"),
        default=False,
        help_text=_("The representative agreed to their name and role in the public list."),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    signed_at = models.DateTimeField(_("signed"))
    edition = models.ForeignKey(
        "events.Edition",
        verbose_name=_("national day"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="charter_signatures",
        help_text=_("When the signature was made at a national day."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    receipt_code = models.CharField(_("verification code"), max_length=16, unique=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "organisation"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_signature_per_organisation_and_version",
            )
        ]
        indexes = [models.Index(fields=["version", "signed_at"], name="signature_by_version")]

    def __str__(self):
        return f"{self.organisation} — {self.version}"


class SigningRequest(models.Model):
    """An online signature on its way: the representative's answers, until they confirm by
    email (and, for an organisation not in the directory, until an organiser approves it)."""

    version = models.ForeignKey(
        CharterVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="signing_requests",
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="charter_requests",
        help_text=_("Empty when the representative proposed an organisation."),
    )
    proposed_name = models.CharField(_("proposed organisation"), max_length=200, blank=True)
    proposed_kind = models.CharField(
        _("kind of the proposed organisation"),
        max_length=32,
        choices=[(kind.value, kind.label) for kind in SIGNING_KINDS],
        blank=True,
    )
    proposed_town = models.CharField(_("town"), max_length=100, blank=True)
    proposed_website = models.URLField(_("website"), blank=True)
    representative_name = models.CharField(_("representative's name"), max_length=200)
    representative_role = models.CharField(_("representative's role"), max_length=200)
    representative_email = models.EmailField(_("representative's email"))
    name_is_public = models.BooleanField(_("name shown publicly"), default=False)
    has_mandate = models.BooleanField(_("mandate to sign confirmed"), default=False)
    language = models.CharField(_("language"), max_length=8, default="fr")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RequestStatus.choices,
        default=RequestStatus.AWAITING_EMAIL,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    refusal_reason = models.CharField(_("reason for refusal"), max_length=500, blank=True)
    signature = models.OneToOneField(
        Signature,
        verbose_name=_("signature"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="request",
    )

    class Meta:
        verbose_name = _("signing request")
        verbose_name_plural = _("signing requests")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | ~models.Q(proposed_name=""),
                name="signing_request_names_an_organisation",
            )
        ]

    def __str__(self):
        return f"{self.organisation_label} — {self.version}"

    @property
    def organisation_label(self):
        return self.organisation.name if self.organisation_id else self.proposed_name


class Ceremony(models.Model):
    """The signing ceremony of a national day, opened and closed by an organiser."""

    edition = models.OneToOneField(
        "events.Edition",
        verbose_name=_("national day"),
        on_delete=models.CASCADE,
        related_name="charter_ceremony",
    )
    version = models.ForeignKey(
        CharterVersion,
        verbose_name=_("version signed"),
        on_delete=models.PROTECT,
        related_name="ceremonies",
    )
    opened_at = models.DateTimeField(_("opened"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing ceremony")
        verbose_name_plural = _("signing ceremonies")

    def __str__(self):
        return f"{self.edition} — {self.version}"

    @property
    def is_open(self):
        return self.closed_at is None
