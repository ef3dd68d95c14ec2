"""The emails of accounts: one function per email, each writing an outbox record.

- ``password_reset``: the link to choose a new password. The link (Django's token, which
  dies when the password changes or after ``PASSWORD_RESET_TIMEOUT``) is made when the
  message is sent, so that the hour runs from the sending; a message for an account whose
  address changed meanwhile, or that was deactivated, is skipped.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

# The team's emails (invitations) live in their own module; importing it here registers
# their builders wherever the outbox runs (it imports every app's `emails` module).
from accounts import team_emails  # noqa: F401
from accounts.models import User
from common.mail import render_email
from outbox.services import builder, enqueue

PASSWORD_RESET = "accounts.password_reset"  # noqa: S105 (a kind of email)


def password_reset(user, *, language):
    """Someone asked for a new password for ``user``'s account (call inside the request's
    transaction)."""
    enqueue(PASSWORD_RESET, to=user.email, object_id=user.pk, language=language)


@builder(PASSWORD_RESET)
def build_password_reset(message):
    user = User.objects.filter(pk=message.object_id, is_active=True).first()
    if user is None or not user.has_usable_password() or user.email != message.recipient:
        return None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(
        "accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)]
    )
    context = {
        "username": user.get_username(),
        "reset_url": settings.SITE_URL + path,
        "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        "site_url": settings.SITE_URL,
        "language": message.language,
    }
    return _email("password_reset", context)


def _email(name, context):
    return render_email(f"accounts/email/{name}", context, language=context["language"])
