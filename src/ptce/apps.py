from django.apps import AppConfig


class PtceConfig(AppConfig):
    """The project itself: site-wide templates, static files, health and ops commands."""

    name = "ptce"
    verbose_name = "Journées PTCE"
