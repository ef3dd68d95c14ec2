"""``ptce adduser USERNAME --email E --role ROLE [--edition SLUG] [--organisation SLUG]``."""

import os
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import roles
from accounts.enums import Role
from accounts.models import User
from common import french


class Command(BaseCommand):
    help = _(
        "Create a user with a role in an organisation, or give an existing user one more role. "
        "The password comes from the PTCE_PASSWORD environment variable, or is generated "
        "and printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", help=_("Required to create a user."))
        parser.add_argument("--role", required=True, help=", ".join(Role.values))
        parser.add_argument("--edition", metavar="SLUG", help=_("Narrow the role to one edition."))
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            help=_("The organisation giving the role (guessed when there is only one)."),
        )

    def handle(self, *args, username, email, role, edition, organisation, **options):
        try:
            role = Role(role)
        except ValueError:
            raise CommandError(
                _("Unknown role “%(role)s”: choose one of %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values)}
            ) from None
        try:
            edition = roles.find_edition(edition) if edition else None
            organisation = roles.choose_organisation(organisation, edition)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            created, password = user is None, None
            if created:
                user, password = self._create(username, email)
            elif email and email != user.email:
                self.stdout.write(
                    _("The e-mail address %(of_username)s stays %(email)s.")
                    % {"of_username": french.of(username), "email": user.email}
                )
            membership, added = roles.give_role(
                user, role=role, organisation=organisation, edition=edition
            )

        if created:
            self.stdout.write(_("User %(username)s created.") % {"username": username})
        else:
            self.stdout.write(
                _("User %(username)s already exists; the password is unchanged.")
                % {"username": username}
            )
        message = _("Role given: %(role)s.") if added else _("Role already held: %(role)s.")
        self.stdout.write(message % {"role": membership})
        if password:
            self.stdout.write(_("Password (shown once): %(password)s") % {"password": password})

    def _create(self, username, email):
        """Create the user; return it and the generated password (``None`` if from the env)."""
        if not email:
            raise CommandError(_("--email is required to create a user."))
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(
                _("Another user already has the e-mail address %(email)s.") % {"email": email}
            )
        user = User(username=username, email=email)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        given = os.environ.get("PTCE_PASSWORD", "")
        password = given or secrets.token_urlsafe(12)
        if given:
            try:
                validate_password(given, user)
            except ValidationError as error:
                raise CommandError(
                    _("PTCE_PASSWORD is not accepted: %(reasons)s")
                    % {"reasons": " ".join(error.messages)}
                ) from None
        user.set_password(password)
        user.save()
        return user, None if given else password
