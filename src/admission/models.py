from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from admission.enums import CheckInResult, ExportFormat


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


class Entrance(models.Model):
    """A door of the venue where agents admit people (e.g. "Entrée A, rue de Bercy")."""

    edition = models.ForeignKey(
        "events.Edition",
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        related_name="entrances",
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("code"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # A workshop's door: scans there admit to that workshop the people holding a seat in it
    # (admission.workshop_door), apart from the day's admission. Deleting the workshop makes
    # it a plain entrance again; a workshop with scans at its door cannot be deleted
    # (WorkshopCheckIn.session).
    session = models.ForeignKey(
        "events.Session",
        verbose_name=_("workshop"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="doors",
        limit_choices_to={"is_workshop": True},
    )

    class Meta:
        verbose_name = _("entrance")
        verbose_name_plural = _("entrances")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="entrance_slug_per_edition")
        ]

    def __str__(self):
        return self.name


class Scan(models.Model):
    """What every scan at the door records, on the day (:class:`CheckIn`) or in a rehearsal
    (:class:`RehearsalCheckIn`), and at a workshop's door (:class:`WorkshopCheckIn`)."""

    edition = models.ForeignKey(
        "events.Edition", verbose_name=_("edition"), on_delete=models.CASCADE, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    nonce = models.CharField(_("device nonce"), max_length=64)
    # What the scan asked (admission.checkin.request_digest): the same nonce must ask the same.
    # Empty for scans recorded before it was kept.
    request_digest = models.CharField(_("request digest"), max_length=64, blank=True, default="")
    result = models.CharField(_("result"), max_length=20, choices=CheckInResult.choices)
    id_checked = models.BooleanField(_("ID checked, names match"), default=False)
    # The device's clock for offline scans; the server's when the scan came online.
    scanned_at = models.DateTimeField(_("scanned"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["received_at", "pk"]

    def __str__(self):
        return f"{self.get_result_display()} ({self.scanned_at:%H:%M})"


class CheckIn(Scan):
    """One scan received from a device at the door, with its verdict.

    Every scan is kept (admissions, duplicates, refusals) so that "already admitted at 09:42,
    entrance B, by whom" can be answered and mismatches are logged. A registration has at most
    one ``admitted`` check-in (a partial unique constraint: two simultaneous admissions give
    exactly one); a device's ``nonce`` is unique per edition, so a retried upload finds the
    first answer instead of creating a second scan.
    """

    registration = models.ForeignKey(
        "registrations.Registration",
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="checkins",
    )
    entrance = models.ForeignKey(
        Entrance, verbose_name=_("entrance"), on_delete=models.PROTECT, related_name="checkins"
    )

    class Meta(Scan.Meta):
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=models.Q(result="admitted"),
                name="one_admission_per_registration",
            ),
            models.UniqueConstraint(fields=["edition", "nonce"], name="one_scan_per_nonce"),
        ]
        indexes = [models.Index(fields=["edition", "result"], name="checkin_by_result")]


class Rehearsal(models.Model):
    """Check-in opened before the day, for practice, to the agents chosen.

    While it is open (the row exists and the day has not started), the chosen agents' app
    works as on the day, under a "Rehearsal" banner; their scans go to
    :class:`RehearsalCheckIn`, never to :class:`CheckIn`, so they count nowhere. Closing
    the rehearsal, or the day starting, deletes it with its scans
    (:mod:`admission.rehearsals`).
    """

    edition = models.OneToOneField(
        "events.Edition",
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        related_name="door_rehearsal",
    )
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("agents"), related_name="+", blank=True
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("check-in rehearsal")
        verbose_name_plural = _("check-in rehearsals")

    def __str__(self):
        return str(self.edition)


class RehearsalCheckIn(Scan):
    """A scan made during a :class:`Rehearsal`: kept apart, deleted with the rehearsal."""

    rehearsal = models.ForeignKey(
        Rehearsal, verbose_name=_("rehearsal"), on_delete=models.CASCADE, related_name="scans"
    )
    registration = models.ForeignKey(
        "registrations.Registration",
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rehearsal_checkins",
    )
    entrance = models.ForeignKey(
        Entrance, verbose_name=_("entrance"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta(Scan.Meta):
        verbose_name = _("rehearsal check-in")
        verbose_name_plural = _("rehearsal check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=models.Q(result="admitted"),
                name="one_rehearsal_admission_per_registration",
            ),
            models.UniqueConstraint(
                fields=["edition", "nonce"], name="one_rehearsal_scan_per_nonce"
            ),
        ]


class WorkshopCheckIn(Scan):
    """One scan at a workshop's door (an :class:`Entrance` bound to a workshop), with its
    verdict (:mod:`admission.workshop_door`).

    Kept apart from :class:`CheckIn`, which holds the one admission of the day per person: a
    person is admitted at most once per workshop (a partial unique constraint), and a device's
    ``nonce`` is unique per edition here as there. Scans of a :class:`Rehearsal` carry it,
    count nowhere and go with it.
    """

    registration = models.ForeignKey(
        "registrations.Registration",
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workshop_checkins",
    )
    # RESTRICT, not PROTECT: the scans go with their edition's cascade, never alone.
    session = models.ForeignKey(
        "events.Session",
        verbose_name=_("workshop"),
        on_delete=models.RESTRICT,
        related_name="door_checkins",
    )
    entrance = models.ForeignKey(
        Entrance,
        verbose_name=_("entrance"),
        on_delete=models.PROTECT,
        related_name="workshop_checkins",
    )
    rehearsal = models.ForeignKey(
        Rehearsal,
        verbose_name=_("rehearsal"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workshop_scans",
    )

    class Meta(Scan.Meta):
        verbose_name = _("workshop check-in")
        verbose_name_plural = _("workshop check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"],
                condition=models.Q(result="admitted", rehearsal__isnull=True),
                name="one_workshop_admission_per_registration",
            ),
            models.UniqueConstraint(
                fields=["registration", "session", "rehearsal"],
                condition=models.Q(result="admitted", rehearsal__isnull=False),
                name="one_rehearsal_workshop_admission",
            ),
            models.UniqueConstraint(
                fields=["edition", "nonce"], name="one_workshop_scan_per_nonce"
            ),
        ]
        indexes = [models.Index(fields=["session", "result"], name="workshop_checkin_by_result")]


class SecurityList(models.Model):
    """One numbered version of the list of expected people sent to the venue's security.

    ``rows`` is the snapshot of the people on the list at generation (names as on the ID and
    the fields the venue asks for), sorted by last name: the exports and the change list
    against the previous version are made from it, so a version never changes afterwards.
    Personal data: ``rows`` is emptied the day after the edition
    (:func:`admission.security_list.purge`); the version's number, date, author, head count
    and download log stay, as the record of what was sent.
    """

    edition = models.ForeignKey(
        "events.Edition",
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        related_name="security_lists",
    )
    number = models.PositiveIntegerField(_("version"))
    rows = models.JSONField(_("people"), default=list)
    people = models.PositiveIntegerField(_("number of people"), default=0)
    purged_at = models.DateTimeField(_("personal data deleted"), null=True, blank=True)
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("generated by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("security list")
        verbose_name_plural = _("security lists")
        ordering = ["edition", "number"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="security_list_number")
        ]

    def __str__(self):
        return f"{self.edition} — {self.number}"


class SecurityListDownload(models.Model):
    """Who downloaded which version of a security list, when, in which format."""

    security_list = models.ForeignKey(
        SecurityList,
        verbose_name=_("security list"),
        on_delete=models.CASCADE,
        related_name="downloads",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    changes_only = models.BooleanField(_("changes only"), default=False)
    downloaded_at = models.DateTimeField(_("downloaded"), default=timezone.now)

    class Meta:
        verbose_name = _("security list download")
        verbose_name_plural = _("security list downloads")
        ordering = ["-downloaded_at"]

    def __str__(self):
        return f"{self.security_list} ({self.format})"
