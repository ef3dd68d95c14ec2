import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import moments
from registrations.enums import (
    ACTIVE,
    ADMITTED_AT_THE_DOOR,
    HOLDS_WORKSHOP_SEAT,
    Diet,
    InvitationKind,
    Language,
    RegistrationStatus,
    Source,
    WaitingReason,
    WorkshopChoiceStatus,
)

#: Letters of group invitation codes: no 0/O, 1/I/L, so that a code read aloud is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_invitation_code():
    """A random code of 10 characters from ``CODE_ALPHABET`` (about 49 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


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


class Booking(models.Model):
    """One submission of the registration form: the booker and the people they registered.

    The booker is the first attendee; their address receives every ticket of the booking.
    """

    edition = models.ForeignKey(
        "events.Edition", verbose_name=_("edition"), on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("booker's email"), max_length=254)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    # The form's one-time key: a second submission of the same form finds this booking
    # instead of registering the same people again.
    submission_key = models.UUIDField(_("submission key"), null=True, blank=True, unique=True)
    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")

    def __str__(self):
        return self.email


class InvitationQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)

    def holding_seats(self, now):
        """Personal invitations, not yet used, whose seat is held at ``now``."""
        return self.usable().filter(
            kind=InvitationKind.PERSONAL, holds_seat_until__gt=now, registrations=None
        )


class Invitation(models.Model):
    """An organiser's invitation to an invitation-only (or any) category.

    Personal: one guest, one email, a link carrying ``code``; used once, and it may hold a
    seat until ``holds_seat_until``. Group: a short ``code`` to type in the form, used by up
    to ``max_uses`` people (empty: no limit other than the category's).
    """

    edition = models.ForeignKey(
        "events.Edition",
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="invitations"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=InvitationKind.choices, default=InvitationKind.PERSONAL
    )
    email = models.EmailField(_("guest's email"), max_length=254, blank=True)
    guest_name = models.CharField(_("guest's name"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    code = models.CharField(_("code"), max_length=64, unique=True, default=new_invitation_code)
    max_uses = models.PositiveIntegerField(
        _("most uses"), null=True, blank=True, help_text=_("Group codes only; empty for no limit.")
    )
    holds_seat_until = moments.DateTimeField(
        _("holds a seat until"),
        null=True,
        blank=True,
        help_text=_("Personal invitations only: a seat is kept for the guest until then."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                models.F("edition"),
                Lower("email"),
                condition=models.Q(kind="personal", revoked_at__isnull=True),
                name="one_personal_invitation_per_email",
                violation_error_message=_("This email already has an invitation to this day."),
            )
        ]

    def __str__(self):
        return self.email or self.code

    @property
    def is_personal(self):
        return self.kind == InvitationKind.PERSONAL


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE)

    def confirmed(self):
        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waiting(self):
        """The waiting list, first come first: the order seats are offered in."""
        return self.filter(status=RegistrationStatus.WAITLISTED).order_by("created_at", "pk")

    def admitted(self):
        """Those admitted at the door: with their one ``admitted`` check-in (a join that
        repeats no row, as a registration has at most one)."""
        return self.filter(checkins__result=ADMITTED_AT_THE_DOOR)

    def not_admitted(self):
        """Those with no ``admitted`` check-in (never scanned, or only refused)."""
        return self.exclude(checkins__result=ADMITTED_AT_THE_DOOR)

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
    # Empty for a colleague registered without an address: the booker's receives the ticket.
    email = models.EmailField(_("email"), max_length=254, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    badge_name = models.CharField(
        _("name on the badge"),
        max_length=100,
        blank=True,
        help_text=_("If it differs from the names as on the ID."),
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    accessibility_needs = models.TextField(_("accessibility needs"), max_length=1000, blank=True)
    diet = models.CharField(_("lunch"), max_length=16, choices=Diet.choices, default=Diet.STANDARD)
    dietary_notes = models.CharField(_("dietary details"), max_length=200, blank=True)
    # Asked only when the edition's venue requires them (Edition.security_fields); deleted
    # after the day by the retention job.
    birth_date = moments.DateField(_("date of birth"), null=True, blank=True)
    birth_place = models.CharField(_("place of birth"), max_length=150, blank=True)
    nationality = models.CharField(_("nationality"), max_length=100, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    consent_public_list = models.BooleanField(
        _("appears in the public participant list"), default=False
    )
    consent_photos = models.BooleanField(_("agrees to be photographed"), default=False)
    consent_news = models.BooleanField(_("wants news from the organisers"), default=False)
    booking = models.ForeignKey(
        Booking,
        verbose_name=_("booking"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("invitation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.FORM
    )
    # In the manage link (signed) and the ticket page's address: never the sequential pk.
    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RegistrationStatus.choices, db_index=True
    )
    # Why the person waits (set when they join the waiting list, kept after): the limit
    # reached and its value then (the capacity, the quota or the seats per organisation).
    waiting_reason = models.CharField(
        _("reason for waiting"), max_length=32, choices=WaitingReason.choices, blank=True
    )
    waiting_limit = models.PositiveIntegerField(_("limit reached"), null=True, blank=True)
    # Set under the edition's lock, so its order is the order of commits: the waiting list's.
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # The attendee answered "still coming" to the reconfirmation email.
    reconfirmed_at = models.DateTimeField(_("reconfirmed"), null=True, blank=True)
    # Erased on request or by the retention job: the personal fields are emptied and the row
    # stays, with its edition, category, organisation and status, for the anonymous figures.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                models.F("edition"),
                Lower("email"),
                condition=models.Q(status__in=sorted(ACTIVE)) & ~models.Q(email=""),
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
    def diet_label(self):
        """The diet as figures and lists say it: :attr:`Diet.short_label`."""
        return Diet(self.diet).short_label if self.diet in Diet.values else self.diet

    @property
    def display_name(self):
        """The name on the badge: the badge name if given, else the names as on the ID."""
        return self.badge_name or f"{self.first_name} {self.last_name}"

    @property
    def organisation_label(self):
        return self.organisation.name if self.organisation else self.organisation_name


class WorkshopChoiceQuerySet(models.QuerySet):
    def holding_seats(self):
        return self.filter(status__in=sorted(HOLDS_WORKSHOP_SEAT))

    def in_programme_order(self):
        """With their workshops, in the programme's order."""
        return self.select_related("session").order_by(
            "session__start_time", "session__room", "session__pk"
        )

    def waiting(self):
        """The workshops' waiting lists, first come first."""
        return self.filter(status=WorkshopChoiceStatus.WAITING).order_by("requested_at", "pk")


class WorkshopChoice(models.Model):
    """A person's choice of a workshop (a session open to choice) and where they stand in it.

    Created and changed only by :mod:`registrations.workshops`, under the edition's lock.
    """

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="workshop_choices",
    )
    session = models.ForeignKey(
        "events.Session",
        verbose_name=_("workshop"),
        # A workshop people chose is not deleted under them (an organiser moves them first),
        # but goes with its edition: RESTRICT, not PROTECT, allows that cascade.
        on_delete=models.RESTRICT,
        related_name="choices",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=WorkshopChoiceStatus.choices, db_index=True
    )
    # The order of the workshop's waiting list; the time a seat was taken otherwise.
    requested_at = models.DateTimeField(_("requested"))
    offered_until = models.DateTimeField(_("offer ends"), null=True, blank=True)

    objects = WorkshopChoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("workshop choice")
        verbose_name_plural = _("workshop choices")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="one_choice_per_workshop"
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "requested_at"], name="workshop_queue"),
        ]

    def __str__(self):
        return f"{self.registration} → {self.session}"


class Announcement(models.Model):
    """A message an organiser sent to a chosen group of an edition's attendees.

    Each recipient's email goes through the outbox (kind ``registrations.announcement``, the
    announcement's pk as object), queued in the transaction that creates this row. The row
    is the log: who sent what to which group, and to how many people.
    """

    edition = models.ForeignKey(
        "events.Edition",
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        related_name="announcements",
    )
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    audience = models.JSONField(
        _("recipients"),
        default=dict,
        blank=True,
        help_text=_("The group chosen: statuses, categories, and other filters."),
    )
    recipients = models.PositiveIntegerField(_("number of recipients"), default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("message to attendees")
        verbose_name_plural = _("messages to attendees")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.subject
