from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self):
        # Imported here: both read models, which are not loaded when this module is. The
        # emails register their builders with the outbox; the links are a personal-data
        # holding of the registrations app (deleted with the day's personal data).
        from feedback import emails, links  # noqa: F401
        from registrations import privacy

        privacy.register_holding(links.HOLDING)
