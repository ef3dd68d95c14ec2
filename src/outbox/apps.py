from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("Email outbox")

    def ready(self):
        # Each app's `emails` module registers the builders of its messages (outbox.builders);
        # the worker needs them before it sends anything.
        autodiscover_modules("emails")
