from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self):
        # Imported here, as Django asks: these modules read models, loaded only by now.
        # announcements registers the builder of the messages to attendees with the outbox.
        from events import registration_notes, workshops
        from events.signals import (
            capacity_raised,
            edition_copied,
            practical_details_changed,
            workshop_seats_raised,
        )
        from registrations import announcements  # noqa: F401
        from registrations.capacity import fill_seats_raised
        from registrations.changes import offer
        from registrations.copying import copy_categories
        from registrations.places import places_left
        from registrations.workshop_lists import fill_raised_workshop
        from registrations.workshops import count_seats

        edition_copied.connect(copy_categories, dispatch_uid="registrations.copy_categories")
        capacity_raised.connect(fill_seats_raised, dispatch_uid="registrations.fill_seats_raised")
        # A change of the day's date, hours or venue: the page that offers to tell attendees.
        practical_details_changed.connect(offer, dispatch_uid="registrations.offer_notice")
        # The places left on the day's page, when its organisers chose to show them.
        registration_notes.register("places_left", "registrations/_places_left.html", places_left)
        # The seats taken in each workshop, for the programme's seats left.
        workshops.count_seats_with(count_seats)
        # A workshop's seats raised on the programme's page: its waiting list fills.
        workshop_seats_raised.connect(
            fill_raised_workshop, dispatch_uid="registrations.fill_raised_workshop"
        )
