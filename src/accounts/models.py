import datetime as dt
import hashlib
import hmac
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.enums import AuditAction, Role
from common.permissions import Action

#: How often a token's "last used" time is written, at most.
USE_NOTED_EVERY = dt.timedelta(minutes=1)


class User(AbstractUser):
    """A person who works on the platform (organisers, editors, agents, viewers).

    Attendees have no account: they manage their registration from a signed private link.
    """

    email = models.EmailField(_("email address"), unique=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    # How apps below this one ask (common.permissions): Django's permission API, answered for
    # the roles' actions by the one rule, accounts.permissions.

    def has_perm(self, perm, obj=None):
        """For an :class:`~common.permissions.Action`, :func:`accounts.permissions.can` (on
        ``obj``), or :func:`~accounts.permissions.on_any_organisation` (without): superusers
        included, whom an API token narrows too (Django's own check lets them do anything).
        Django's model permissions otherwise (the admin site)."""
        if perm in Action.values:
            if obj is None:
                return permissions.on_any_organisation(self, perm)
            return permissions.can(self, perm, obj)
        return super().has_perm(perm, obj)

    def organisations_for(self, action):
        """:func:`accounts.permissions.organisations_for`."""
        return permissions.organisations_for(self, action)

    def forget_roles(self):
        """:func:`accounts.permissions.forget`."""
        permissions.forget(self)


class Membership(models.Model):
    """A role given to a user by an organising organisation, optionally for one edition only."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    edition = models.ForeignKey(
        "events.Edition",
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_("Leave empty for every edition the organisation organises."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        # Two partial constraints rather than one with nulls_distinct=False, which SQLite
        # does not support.
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=models.Q(edition__isnull=True),
                name="membership_unique_for_all_editions",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation", "role", "edition"],
                condition=models.Q(edition__isnull=False),
                name="membership_unique_for_one_edition",
            ),
        ]

    def __str__(self):
        scope = self.edition or self.organisation
        return f"{self.user} — {self.get_role_display()} ({scope})"

    def clean(self):
        if (
            self.edition_id
            and self.organisation_id
            and not self.edition.organisers.filter(pk=self.organisation_id).exists()
        ):
            raise ValidationError(
                {"edition": _("This edition is not organised by this organisation.")}
            )


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)

    def resolve(self, raw):
        """The active token whose secret is ``raw``, or ``None``; notes when it was used.

        The lookup is by SHA-256 digest, so timing reveals nothing about stored secrets;
        the digests are compared once more in constant time. ``last_used_at`` is written
        at most once a minute, to spare a write on every API call.
        """
        if not raw or not raw.startswith(ApiToken.PREFIX) or len(raw) > 100:
            return None
        digest = ApiToken.digest_of(raw)
        token = self.active().select_related("user").filter(digest=digest).first()
        if token is None or not hmac.compare_digest(token.digest, digest):
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= USE_NOTED_EVERY:
            token.last_used_at = now
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token


class ApiToken(models.Model):
    """A bearer token acting for its user, never beyond that user's roles, and narrowed by its
    ``scopes`` (the actions it may do; empty: none) and optionally to one ``edition``.

    Only a SHA-256 digest is stored: the token itself is shown once, when it is made.
    """

    PREFIX = "ptce_"

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    scopes = models.JSONField(
        _("allowed actions"),
        default=list,
        blank=True,
        help_text=_("What the token may do, within its user's roles."),
    )
    edition = models.ForeignKey(
        "events.Edition",
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        help_text=_("Leave empty for every edition its user may work on."),
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    hint = models.CharField(
        _("first characters"), max_length=16, editable=False, help_text=_("To tell tokens apart.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.hint}… ({self.user})"

    @staticmethod
    def digest_of(raw):
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, user, *, name="", scopes=None, edition=None, created_by=None):
        """Create a token for ``user``; return ``(token, raw)``. ``raw`` is never stored.

        ``scopes`` defaults to every action (the token then does what its user may do)."""
        if scopes is None:
            scopes = list(Action.values)
        token = cls(
            user=user,
            name=name,
            scopes=sorted({Action(scope).value for scope in scopes}),
            edition=edition,
            created_by=created_by,
        )
        raw = token.set_new_secret()
        token.save()
        return token, raw

    def set_new_secret(self):
        """Give this unsaved token a new secret and return it; only its digest is kept."""
        raw = self.PREFIX + secrets.token_urlsafe(32)
        self.digest = self.digest_of(raw)
        self.hint = raw[: len(self.PREFIX) + 6]
        return raw

    @property
    def is_active(self):
        return self.revoked_at is None

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class AuditEntry(models.Model):
    """One line of the audit log: who did what to personal data, when, and to how many people.

    Written by :func:`accounts.audit.record` (exports, messages, erasures, the retention job,
    tokens, roles). The user's name is copied into ``actor`` so that the line still says who
    it was once the account is deleted. Entries hold no personal data of attendees: counts
    and what was exported, never names or addresses.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    actor = models.CharField(
        _("who"), max_length=150, help_text=_("The username, or the system job that acted.")
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    edition = models.ForeignKey(
        "events.Edition",
        verbose_name=_("edition"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    what = models.CharField(_("what"), max_length=200)
    people = models.PositiveIntegerField(_("number of people"), default=0)
    detail = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["edition", "-at"], name="audit_edition_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.what}"
