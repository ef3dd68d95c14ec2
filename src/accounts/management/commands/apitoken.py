"""``ptce apitoken USERNAME [--name N]``, ``--list`` and ``--revoke HINT_OR_ID``."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User


class Command(BaseCommand):
    help = _(
        "Make an API token for a user (printed once, as the last line), list a user's tokens "
        "or revoke one. The token acts with exactly the user's roles."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help=_("What the token is for."))
        actions = parser.add_mutually_exclusive_group()
        actions.add_argument(
            "--list", dest="list_tokens", action="store_true", help=_("List the user's tokens.")
        )
        actions.add_argument(
            "--revoke",
            metavar="HINT_OR_ID",
            help=_("Revoke the token with this number or these first characters."),
        )

    def handle(self, *args, username, name, list_tokens, revoke, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user is called “%(username)s”.") % {"username": username})
        if list_tokens:
            self._list(user)
        elif revoke:
            self._revoke(user, revoke)
        else:
            if not user.is_active:
                raise CommandError(
                    _("%(username)s is deactivated: a token would not work.")
                    % {"username": username}
                )
            token, raw = ApiToken.issue(user, name=name)
            self.stdout.write(
                _("Token %(id)s made for %(username)s. Copy it now, it will not be shown again:")
                % {"id": token.pk, "username": username}
            )
            self.stdout.write(raw)

    def _list(self, user):
        tokens = user.api_tokens.order_by("created_at", "pk")
        if not tokens:
            self.stdout.write(_("%(username)s has no token.") % {"username": user.username})
        for token in tokens:
            state = (
                _("revoked on %(date)s") % {"date": _when(token.revoked_at)}
                if token.revoked_at
                else _("active, last used %(date)s") % {"date": _when(token.last_used_at)}
            )
            self.stdout.write(
                f"{token.pk}\t{token.hint}…\t{token.name or '-'}\t"
                + _("made on %(date)s") % {"date": _when(token.created_at)}
                + f"\t{state}"
            )

    def _revoke(self, user, hint_or_id):
        if hint_or_id.isdigit():
            tokens = list(user.api_tokens.filter(pk=int(hint_or_id)))
        else:
            # Hints are listed with an ellipsis, which may come along when pasted.
            tokens = list(user.api_tokens.filter(hint__startswith=hint_or_id.rstrip("…")))
        if not tokens:
            raise CommandError(
                _("%(username)s has no token matching “%(hint)s” (see --list).")
                % {"username": user.username, "hint": hint_or_id}
            )
        if len(tokens) > 1:
            raise CommandError(
                _("Several tokens match “%(hint)s”: give its number (see --list).")
                % {"hint": hint_or_id}
            )
        token = tokens[0]
        if token.revoked_at:
            self.stdout.write(_("Token %(id)s was already revoked.") % {"id": token.pk})
            return
        token.revoke()
        self.stdout.write(_("Token %(id)s revoked.") % {"id": token.pk})


def _when(moment):
    if moment is None:
        return _("never")
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
