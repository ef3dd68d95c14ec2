from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self):
        # Registers the builder of the messages to attendees with the outbox.
        from events.signals import edition_copied
        from registrations import announcements  # noqa: F401
        from registrations.copying import copy_categories

        edition_copied.connect(copy_categories, dispatch_uid="registrations.copy_categories")
