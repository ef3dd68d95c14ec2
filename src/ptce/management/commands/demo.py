from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ptce.demo import PASSWORD_ENV, load_demo


class Command(BaseCommand):
    @property
    def help(self):
        # Translated when the parser is built, in the active language (argparse needs str).
        return _(
            "Load the demonstration data (the 2012 and 2014 national days and an upcoming "
            "demonstration edition) and an organiser account. Re-running changes nothing."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Load the demonstration data even on a production site (https SITE_URL)."),
        )

    def handle(self, *args, force=False, **options):
        if settings.HTTPS and not force:
            raise CommandError(
                _(
                    "This looks like a production site (SITE_URL is https): the demonstration "
                    "data and its organiser account were not loaded. Use --force to load them."
                )
            )
        try:
            result = load_demo()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

        for edition, created in result.editions:
            template = (
                _("Created: %(title)s (%(date)s)")
                if created
                else _("Already there, left unchanged: %(title)s (%(date)s)")
            )
            self.stdout.write(
                template % {"title": edition.title, "date": date_format(edition.date)}
            )
        for slug, holder in result.conflicts:
            self.stderr.write(
                _("Not created: %(slug)s, its number belongs to “%(title)s”.")
                % {"slug": slug, "title": holder.title}
            )

        self.stdout.write(_("Demonstration data loaded."))
        site = settings.SITE_URL
        account = result.account
        self.stdout.write(_("Site: %(url)s/") % {"url": site})
        self.stdout.write(
            _("Log in at %(url)s as “%(username)s”.")
            % {"url": site + reverse("accounts:login"), "username": account.user.username}
        )
        self._tell_password(account)
        # Organisers must use two-factor authentication; the demo sets up no authenticator,
        # so that the first login shows the enrolment as a real organiser meets it.
        self.stdout.write(
            _(
                "Two-factor authentication: on the first login as “%(username)s” you will be "
                "asked to set up an authenticator app (scan the QR code with it)."
            )
            % {"username": account.user.username}
        )
        agent = result.agent
        if agent is not None:
            self.stdout.write(
                _(
                    "Reception agent, to try check-in before the day (a rehearsal is open on "
                    "the demonstration edition): log in as “%(username)s” on another device "
                    "or browser, then open %(url)s."
                )
                % {"username": agent.user.username, "url": site + reverse("admission:checkin_pick")}
            )
            self._tell_password(agent)

    def _tell_password(self, account):
        if account.password_from_environment:
            self.stdout.write(_("Password: the one given in %(env)s.") % {"env": PASSWORD_ENV})
        elif account.password:
            self.stdout.write(_("Password: %(password)s") % {"password": account.password})
        else:
            self.stdout.write(
                _("The password is not known here; set one with: ptce changepassword %(username)s")
                % {"username": account.user.username}
            )
