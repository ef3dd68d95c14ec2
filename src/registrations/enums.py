from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


#: Registrations that hold a seat or a place in the waiting list; one per email and edition.
ACTIVE = {RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED}

#: The verdict of the check-in that lets a person in at the door: the admission app's
#: ``CheckInResult.ADMITTED`` is defined as this value. This app reads admissions through the
#: reverse relation ``Registration.checkins`` (by name: it imports nothing of the app above
#: it), and the database keeps at most one such check-in per registration.
ADMITTED_AT_THE_DOOR = "admitted"


class WaitingReason(models.TextChoices):
    """Why a person is on the waiting list: the limit their seat would have exceeded (the
    codes of ``capacity.RegistrationRefused``)."""

    EDITION_FULL = "edition_full", _("The day is full")
    CATEGORY_FULL = "category_full", _("The category is full")
    ORGANISATION_CAP = "organisation_cap_reached", _("The organisation's seats are taken")


class WorkshopChoiceStatus(models.TextChoices):
    """Where a person stands in a workshop they chose (:mod:`registrations.workshops`)."""

    CONFIRMED = "confirmed", _("Seat taken")
    WAITING = "waiting", _("On the workshop's waiting list")
    # A seat freed up for a person who holds one in another workshop of the slot, and the
    # edition asks them which to keep: the seat is theirs until they answer or the offer ends.
    OFFERED = "offered", _("Seat offered, awaiting an answer")
    # The choice of a person whose registration waits: applied when they get a seat.
    WISH = "wish", _("Wish, for when the registration is confirmed")


#: Choices that take one of the workshop's seats.
HOLDS_WORKSHOP_SEAT = {WorkshopChoiceStatus.CONFIRMED, WorkshopChoiceStatus.OFFERED}


class Language(models.TextChoices):
    """Languages the attendee's emails are written in."""

    FRENCH = "fr", "Français"
    ENGLISH = "en", "English"


class Diet(models.TextChoices):
    """What the attendee eats at lunch; the caterer's count is made from it."""

    STANDARD = "standard", _("No particular diet")
    VEGETARIAN = "vegetarian", _("Vegetarian")
    VEGAN = "vegan", _("Vegan")
    NO_PORK = "no_pork", _("No pork")
    GLUTEN_FREE = "gluten_free", _("Gluten-free")
    NO_LUNCH = "no_lunch", _("Not staying for lunch")
    OTHER = "other", _("Other (say which below)")

    @property
    def short_label(self):
        """The label outside the form, where no field follows it to say which: "Other"."""
        return pgettext_lazy("diet", "Other") if self is Diet.OTHER else self.label


class Source(models.TextChoices):
    """How a registration reached us."""

    FORM = "form", _("Public form")
    INVITATION = "invitation", _("Invitation")
    ORGANISER = "organiser", _("Added by an organiser")
    # Registered at the desk on the day: the venue's security did not have the name on its
    # list, so the security list flags the person.
    WALK_IN = "walk_in", _("At the desk, on the day")
    API = "api", _("API")


class InvitationKind(models.TextChoices):
    PERSONAL = "personal", _("Personal link")
    GROUP = "group", _("Group code")
