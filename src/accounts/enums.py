from django.db import models
from django.utils.translation import gettext_lazy as _

from common.permissions import Action


class Role(models.TextChoices):
    ORGANISER = "organiser", _("Organiser")
    EDITOR = "editor", _("Editor")
    AGENT = "agent", _("Reception agent")
    VIEWER = "viewer", _("Viewer")


#: The single table of what each role allows. Everything else is refused.
ROLE_ACTIONS = {
    Role.ORGANISER: frozenset(Action),
    Role.EDITOR: frozenset({Action.EDIT_CONTENT, Action.VIEW_FIGURES}),
    Role.AGENT: frozenset({Action.CHECK_IN}),
    Role.VIEWER: frozenset({Action.VIEW_FIGURES}),
}


class AuditAction(models.TextChoices):
    """What an audit log entry records."""

    EXPORT = "export", _("Export of personal data")
    MESSAGE = "message", _("Message to attendees")
    ERASURE = "erasure", _("Erasure of a person's data")
    DATA_REQUEST = "data_request", _("Copy of a person's data")
    RETENTION = "retention", _("Scheduled deletion of personal data")
    TOKEN = "token", _("API token created or revoked")
    ROLE = "role", _("Role given or withdrawn")
    ACCOUNT = "account", _("Account security")
    REPAIR = "repair", _("Stored data repaired")
    CHANGE = "change", _("Registration changed by an organiser")
