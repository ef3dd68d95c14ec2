import datetime as dt
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from common import moments
from events import materials
from events.enums import (
    PUBLIC_STATUSES,
    EditionStatus,
    SecurityField,
    SessionKind,
    WorkshopPromotion,
)

PARIS = ZoneInfo("Europe/Paris")


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=200)
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    public_transport = models.TextField(
        _("access by public transport"), blank=True, help_text=_("One line per means of access.")
    )
    accessibility = models.TextField(_("accessibility information"), blank=True)
    map_url = models.URLField(_("map link"), blank=True)
    owner = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("owning organisation"),
        on_delete=models.PROTECT,
        related_name="venues",
        help_text=_("The organisation whose organisers and editors may change this venue."),
    )
    is_fictional = models.BooleanField(_("fictional"), default=False)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.city}"

    @property
    def address_lines(self):
        return [self.name, self.street_address, f"{self.postal_code} {self.city}"]

    @property
    def transport_lines(self):
        return [line.strip() for line in self.public_transport.splitlines() if line.strip()]


class EditionQuerySet(models.QuerySet):
    def locked(self, pk):
        """The edition ``pk``, read again under its row lock, until the end of the
        transaction: the lock every change of its seats waits for (``registrations.locks``)."""
        return self.select_for_update().get(pk=pk)

    def public(self):
        return self.filter(status__in=PUBLIC_STATUSES)

    def upcoming(self):
        return self.public().filter(date__gte=timezone.localdate()).order_by("date")

    def past(self):
        return self.public().filter(date__lt=timezone.localdate()).order_by("-date")


class Edition(models.Model):
    """One national day: when, where, how many seats, and what the venue's security needs."""

    title = models.CharField(_("title"), max_length=200)
    number = models.PositiveSmallIntegerField(
        _("number"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("Rank of the national day (2 for the 2nd); empty for other days."),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    summary = models.CharField(
        _("summary"), max_length=300, help_text=_("One or two sentences, shown in search results.")
    )
    description = models.TextField(_("description"), blank=True)
    date = moments.DateField(_("date"))
    start_time = models.TimeField(
        _("start time"), null=True, blank=True, help_text=_("Paris time; empty if not known.")
    )
    end_time = models.TimeField(
        _("end time"), null=True, blank=True, help_text=_("Paris time; empty if not known.")
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="editions",
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Seats for attendees; empty only for past days whose figure is not known."),
    )
    has_waiting_list = models.BooleanField(
        _("waiting list"),
        default=True,
        help_text=_(
            "When a limit is reached, people join a waiting list instead of being refused."
        ),
    )
    show_places_left = models.BooleanField(
        _("show places left"),
        default=False,
        help_text=_(
            "While registration is open, the day's page and the form say how many places are "
            "left, in all and in each category that has a quota."
        ),
    )
    workshop_promotion = models.CharField(
        _("when a workshop seat frees up"),
        max_length=8,
        choices=WorkshopPromotion.choices,
        default=WorkshopPromotion.SWAP,
        help_text=_(
            "For a person on a workshop's waiting list who holds a seat in another workshop "
            "at the same time."
        ),
    )
    registration_opens_at = moments.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = moments.DateTimeField(_("registration closes"), null=True, blank=True)
    id_required = models.BooleanField(
        _("ID required at the venue"),
        default=True,
        help_text=_("Attendees must show an identity document bearing the registered names."),
    )
    security_fields = models.JSONField(
        _("details the security list needs"),
        default=list,
        blank=True,
        help_text=_("Beyond the names as on the ID: only what the venue asks for."),
    )
    security_list_first_deadline = moments.DateTimeField(
        _("security list: first deadline"), null=True, blank=True
    )
    security_list_final_deadline = moments.DateTimeField(
        _("security list: final deadline"),
        null=True,
        blank=True,
        help_text=_("Registration closes at the latest at this time."),
    )
    reconfirmation_days = models.PositiveSmallIntegerField(
        _("ask attendees to reconfirm"),
        null=True,
        blank=True,
        help_text=_(
            "Days before the security list's final deadline when attendees are asked by email "
            "whether they are still coming, so that freed seats reach the waiting list in "
            "time; empty: not asked."
        ),
    )
    participant_list_is_public = models.BooleanField(
        _("public participant list"),
        default=True,
        help_text=_(
            "Show the names and organisations of the attendees who agreed to appear in it."
        ),
    )
    venue_data_retention_days = models.PositiveSmallIntegerField(
        _("venue details kept for (days)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "Days after the day when the date of birth and the other details only the venue "
            "asked for are deleted, with the stored security lists (1: the day after)."
        ),
    )
    personal_data_retention_days = models.PositiveSmallIntegerField(
        _("personal data kept for (days)"),
        default=180,
        validators=[MinValueValidator(1), MaxValueValidator(1095)],
        help_text=_(
            "Days after the day when the attendees' names, addresses and other personal data "
            "are anonymised; the anonymous figures are kept."
        ),
    )
    venue_data_deleted_at = models.DateTimeField(
        _("venue details deleted"), null=True, blank=True, editable=False
    )
    personal_data_anonymised_at = models.DateTimeField(
        _("personal data anonymised"), null=True, blank=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=EditionStatus.choices, default=EditionStatus.DRAFT
    )
    is_demonstration = models.BooleanField(
        _("demonstration"),
        default=False,
        help_text=_("A made-up edition to try the platform; labelled as such everywhere."),
    )
    # The organisers' own sections of the report after the day (ptce.report); never copied
    # to the next edition (events.copying copies a list of fields).
    report_introduction = models.TextField(
        _("introduction of the report"),
        max_length=10000,
        blank=True,
        help_text=_("Opens the report of the day, before the figures."),
    )
    report_conclusions = models.TextField(
        _("conclusions of the report"),
        max_length=10000,
        blank=True,
        help_text=_("Closes the report of the day, after the figures."),
    )
    organisers = models.ManyToManyField(
        "network.Organisation", verbose_name=_("organisers"), related_name="organised_editions"
    )
    partners = models.ManyToManyField(
        "network.Organisation",
        verbose_name=_("partners"),
        related_name="partnered_editions",
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="edition_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:edition", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if (self.start_time is None) != (self.end_time is None):
            errors["end_time"] = _("Give both the start and end times, or neither.")
        elif self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The day must end after it starts.")
        invalid = set(self.security_fields or []) - set(SecurityField.values)
        if invalid:
            errors["security_fields"] = _("Unknown details: %(fields)s") % {
                "fields": ", ".join(sorted(invalid))
            }
        starts_at = self.starts_at if self.date else None
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens and closes and closes <= opens:
            errors["registration_closes_at"] = _("Registration must close after it opens.")
        first, final = self.security_list_first_deadline, self.security_list_final_deadline
        if first and final and final < first:
            errors["security_list_final_deadline"] = _(
                "The final deadline cannot come before the first deadline."
            )
        if final and self.registration_opens_at and final <= self.registration_opens_at:
            errors.setdefault(
                "security_list_final_deadline",
                _("The final deadline must come after registration opens."),
            )
        if starts_at:
            for field in (
                "registration_opens_at",
                "registration_closes_at",
                "security_list_first_deadline",
                "security_list_final_deadline",
            ):
                value = getattr(self, field)
                if value and value >= starts_at and field not in errors:
                    errors[field] = _("This must come before the day starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def starts_at(self):
        """When the day starts, in Paris; midnight when the hours are not known."""
        return dt.datetime.combine(self.date, self.start_time or dt.time(0), tzinfo=PARIS)

    @property
    def ends_at(self):
        """When the day ends, in Paris; the next midnight when the hours are not known."""
        if self.end_time is None:
            return dt.datetime.combine(self.date + dt.timedelta(days=1), dt.time(0), tzinfo=PARIS)
        return dt.datetime.combine(self.date, self.end_time, tzinfo=PARIS)

    @property
    def has_hours(self):
        return self.start_time is not None and self.end_time is not None

    @property
    def registration_deadline(self):
        """When registration closes: the earlier of its closing time and the final deadline."""
        candidates = [
            moment
            for moment in (self.registration_closes_at, self.security_list_final_deadline)
            if moment
        ]
        return min(candidates) if candidates else self.starts_at

    @property
    def is_past(self):
        return self.date < timezone.localdate()

    @property
    def is_public(self):
        return self.status in PUBLIC_STATUSES

    def asks_for(self, field):
        return field in (self.security_fields or [])

    def registration_state(self, now=None):
        """Where registration stands at ``now``: "none", "not_open", "open" or "closed".

        "none" when no registration is configured (neither an opening nor a closing time, as
        for the days held before this platform). It closes at ``registration_deadline``.
        Seats left are not considered here: that is the registrations app's business.
        """
        if self.registration_opens_at is None and self.registration_closes_at is None:
            return "none"
        now = now or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_open"
        if now >= self.registration_deadline:
            return "closed"
        return "open"


class Speaker(models.Model):
    """A person who speaks at an edition; one speaker may appear in several sessions."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="speakers"
    )
    slug = models.SlugField(_("slug"), max_length=120)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speakers",
    )
    affiliation = models.CharField(
        _("affiliation"),
        max_length=200,
        blank=True,
        help_text=_("Shown when the organisation is not in the directory."),
    )
    bio = models.TextField(_("short biography"), blank=True, max_length=1500)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="speaker_slug_per_edition")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("events:speaker", kwargs={"slug": self.edition.slug, "speaker": self.slug})

    @property
    def organisation_name(self):
        return self.organisation.name if self.organisation else self.affiliation


class SessionQuerySet(models.QuerySet):
    def for_programme(self):
        return self.order_by("start_time", "room", "pk").prefetch_related(
            Prefetch(
                "speakers", queryset=Speaker.objects.select_related("organisation", "edition")
            ),
            "organisations",
        )


class Session(models.Model):
    """A slot in an edition's programme."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="sessions"
    )
    start_time = models.TimeField(_("start"), help_text=_("Paris time."))
    end_time = models.TimeField(_("end"), help_text=_("Paris time."))
    kind = models.CharField(_("kind"), max_length=16, choices=SessionKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    is_workshop = models.BooleanField(
        _("workshop open to choice"),
        default=False,
        help_text=_(
            "Attendees choose it when they register or later; workshops at the same time form "
            "a slot, and a person holds one workshop per slot."
        ),
    )
    capacity = models.PositiveIntegerField(
        _("seats"),
        null=True,
        blank=True,
        help_text=_("For a workshop: the seats of its room."),
    )
    choices_close_at = moments.DateTimeField(
        _("choices close"),
        null=True,
        blank=True,
        help_text=_("For a workshop; empty: attendees may choose until the day starts."),
    )
    is_illustrative = models.BooleanField(
        _("illustrative details"),
        default=False,
        help_text=_("Times or contents are not known and are given for illustration only."),
    )
    speakers = models.ManyToManyField(
        Speaker, verbose_name=_("speakers"), related_name="sessions", blank=True
    )
    organisations = models.ManyToManyField(
        "network.Organisation",
        verbose_name=_("organisations taking part"),
        related_name="sessions",
        blank=True,
        help_text=_("Poles or networks that present or testify in this session."),
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme session")
        verbose_name_plural = _("programme sessions")
        ordering = ["start_time", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(is_workshop=False) | models.Q(capacity__gte=1),
                name="workshop_has_seats",
            ),
        ]

    def __str__(self):
        return f"{self.start_time:%H:%M} {self.title}"

    def get_absolute_url(self):
        return reverse("events:programme", kwargs={"slug": self.edition.slug}) + f"#s{self.pk}"

    @property
    def choice_deadline(self):
        """When attendees stop choosing this workshop: ``choices_close_at``, or the start of
        the day."""
        return self.choices_close_at or self.edition.starts_at

    def is_open_to_choice(self, now):
        """Whether attendees may still choose this workshop at ``now``."""
        return now < self.choice_deadline

    def clean(self):
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("A session must end after it starts.")})
        if self.is_workshop and not self.capacity:
            raise ValidationError({"capacity": _("A workshop needs its number of seats.")})
        # The edition may be unsaved, or carry new hours not saved yet (both edited in
        # one admin form): check against the object itself, not the database.
        try:
            edition = self.edition
        except Edition.DoesNotExist:
            edition = None
        if not (edition and edition.has_hours and self.start_time and self.end_time):
            return
        if self.start_time < edition.start_time or self.end_time > edition.end_time:
            raise ValidationError(
                _("A session must fall within the hours of the day (%(start)s to %(end)s).")
                % {
                    "start": formats.time_format(edition.start_time),
                    "end": formats.time_format(edition.end_time),
                }
            )

    @property
    def starts_at(self):
        return dt.datetime.combine(self.edition.date, self.start_time, tzinfo=PARIS)

    @property
    def ends_at(self):
        return dt.datetime.combine(self.edition.date, self.end_time, tzinfo=PARIS)


class MaterialKind(models.TextChoices):
    FILE = "file", _("file")
    LINK = "link", _("link")


class MaterialPublication(models.TextChoices):
    DRAFT = "draft", _("not published")
    NOW = "now", _("published")
    AFTER_DAY = "after_day", _("published after the day")


def material_path(material, filename):
    """Where a material's file is stored: under its edition, by a random name with the
    extension of its detected type (never the name it was uploaded with, kept apart in
    ``file_name`` for the download's name only)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"materials/{material.edition.slug}/{secrets.token_urlsafe(16)}.{extension}"


class Material(models.Model):
    """A file (PDF, image, presentation) or a link (video, replay, external page) attached to
    a session or, without a session, to the edition itself (:mod:`events.materials`)."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="materials"
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="materials",
        help_text=_("Empty: a material of the whole day, shown on its page."),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.CharField(
        _("description"),
        max_length=500,
        blank=True,
        help_text=_(
            "What it shows or contains, for people who cannot see it (the alternative text of "
            "an image)."
        ),
    )
    file = models.FileField(_("file"), upload_to=material_path, max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    url = models.URLField(_("address"), max_length=2000, blank=True)
    publication = models.CharField(
        _("publication"),
        max_length=10,
        choices=MaterialPublication.choices,
        default=MaterialPublication.DRAFT,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="file") & ~models.Q(file=""))
                | (models.Q(kind="link") & ~models.Q(url="")),
                name="material_has_file_or_link",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if not self.is_file:
            return self.url
        return reverse(
            "events:material",
            kwargs={"slug": self.edition.slug, "pk": self.pk, "name": self.file_name},
        )

    @property
    def is_file(self):
        return self.kind == MaterialKind.FILE

    @property
    def is_image(self):
        return self.content_type.startswith("image/")

    @property
    def type_label(self):
        """The file's type in a word: "PDF", "PowerPoint"."""
        kind = materials.kind_of(self.content_type)
        return kind.label if kind else self.content_type

    def is_visible(self, now=None):
        """Whether visitors see it at ``now``: published, or published after the day and the
        day has ended."""
        if self.publication == MaterialPublication.NOW:
            return True
        if self.publication == MaterialPublication.AFTER_DAY:
            return (now or timezone.now()) >= self.edition.ends_at
        return False
