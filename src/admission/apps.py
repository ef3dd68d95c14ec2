from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class AdmissionConfig(AppConfig):
    name = "admission"
    verbose_name = _("Admission")

    def ready(self):
        # Imported here, as Django asks: these modules read models, loaded only by now.
        from admission.attendance import certificate_link
        from admission.codes import code_for
        from admission.copying import copy_entrances
        from admission.security_list import PRIVACY
        from admission.signals import create_edition_key
        from admission.tickets import email_files
        from events.signals import edition_copied
        from registrations import emails, links, privacy

        post_save.connect(
            create_edition_key, sender="events.Edition", dispatch_uid="admission.edition_key"
        )
        edition_copied.connect(copy_entrances, dispatch_uid="admission.copy_entrances")
        # What the registrations app leaves to this one, which builds on it (it cannot
        # import this app): the ticket's files and code in its emails, the certificate on the manage
        # page, the security lists in its rules on personal data.
        emails.attach_to_ticket_emails(email_files)
        emails.print_ticket_code(code_for)
        links.offer("certificate", certificate_link)
        privacy.register_holding(PRIVACY)
