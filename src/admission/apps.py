from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class AdmissionConfig(AppConfig):
    name = "admission"
    verbose_name = _("Admission")

    def ready(self):
        from admission.copying import copy_entrances
        from admission.signals import create_edition_key
        from events.signals import edition_copied

        post_save.connect(
            create_edition_key, sender="events.Edition", dispatch_uid="admission.edition_key"
        )
        edition_copied.connect(copy_entrances, dispatch_uid="admission.copy_entrances")
