from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = _("Charter")

    def ready(self):
        # Imported here: both modules read models, which are not loaded when this one is.
        from charter import listing
        from network import pole_sections

        pole_sections.register("charter", "charter/_pole_section.html", listing.of_organisation)
