"""Messages from the organisers to a chosen group of an edition's attendees.

The group (``audience``) is a dict: ``statuses`` (confirmed and/or waiting), ``categories``
(slugs; empty for all) and ``admitted`` (:data:`ADMITTED`, :data:`NOT_ADMITTED` or None for
both). Each person of the group gets one email, at their own address or, registered without
one, at the address of the person who booked for them, in their language, with their private
manage link at the foot.

:func:`send` writes everything in one transaction: the :class:`Announcement` (the log of
what was sent to which group and how many people), one outbox message per person, and a
line of the audit log. Its emails are rendered when sent (:func:`build_announcement`).
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from accounts import audit
from accounts.enums import AuditAction
from common.mail import render_email
from events.models import Edition
from outbox.services import builder, enqueue
from registrations import links
from registrations.enums import RegistrationStatus
from registrations.models import Announcement, Registration

KIND = "registrations.announcement"
#: The statuses a message may go to: cancelled people are never written to.
STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
ADMITTED, NOT_ADMITTED = "admitted", "not_admitted"


def recipients(edition, audience):
    """The registrations of ``edition`` in the group ``audience`` that have an address to
    write to (their own or their booker's), in registration order."""
    statuses = [status for status in audience.get("statuses", ()) if status in STATUSES]
    people = Registration.objects.filter(edition=edition, status__in=statuses).filter(
        ~Q(email="") | Q(booking__isnull=False)
    )
    if audience.get("categories"):
        people = people.filter(category__slug__in=audience["categories"])
    admitted = audience.get("admitted")
    if admitted == ADMITTED:
        people = people.admitted()
    elif admitted == NOT_ADMITTED:
        people = people.not_admitted()
    return people.order_by("created_at", "pk")


def send(edition, *, subject, body, audience, by, submission_key=None):
    """Send ``subject`` and ``body`` (plain text) to the group ``audience`` of ``edition``.

    ``submission_key``: the form's one-time key; the same key again (a double click, the
    form sent twice) sends nothing more and answers the first announcement.

    Side effects, in one transaction: an :class:`Announcement`, one outbox message
    (``registrations.announcement``) per recipient, one audit line (``message``).
    Returns ``(announcement, created)``.
    """
    key = str(submission_key) if submission_key else None
    subject = " ".join(subject.split())  # One line: a header never carries a line break.
    with transaction.atomic():
        # The edition's row lock serialises two submissions of one form, so that the
        # second finds the first's announcement (a row lock on PostgreSQL; SQLite's
        # immediate transactions already write one at a time).
        Edition.objects.select_for_update().only("pk").get(pk=edition.pk)
        if key is not None:
            existing = Announcement.objects.filter(
                edition=edition, audience__submission_key=key
            ).first()
            if existing is not None:
                return existing, False
        people = list(recipients(edition, audience).select_related("booking"))
        announcement = Announcement.objects.create(
            edition=edition,
            subject=subject,
            body=body,
            audience={**audience, "submission_key": key},
            recipients=len(people),
            sent_by=by if getattr(by, "is_authenticated", False) else None,
        )
        for registration in people:
            address, language = _address(registration)
            enqueue(
                KIND,
                to=address,
                object_id=announcement.pk,
                edition=edition,
                language=language,
                context={"registration": registration.pk},
                dedupe_key=f"announcement:{announcement.pk}:{registration.pk}",
            )
        audit.record(
            by,
            AuditAction.MESSAGE,
            f"message {announcement.pk} to attendees",
            edition=edition,
            people=len(people),
            detail={"announcement": announcement.pk, "audience": audience},
        )
    return announcement, True


def _address(registration):
    """The attendee's address and language, else the booker's."""
    if registration.email:
        return registration.email, registration.language
    return registration.booking.email, registration.booking.language


@builder(KIND)
def build_announcement(message):
    """The email of one recipient, rendered when sent; nothing when the person was
    cancelled, anonymised or deleted meanwhile."""
    announcement = (
        Announcement.objects.select_related("edition").filter(pk=message.object_id).first()
    )
    registration = (
        Registration.objects.filter(
            pk=message.context.get("registration"), anonymised_at__isnull=True
        )
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if announcement is None or registration is None:
        return None
    edition = announcement.edition
    context = {
        "announcement": announcement,
        "edition": edition,
        "registration": registration,
        "full_name": f"{registration.first_name} {registration.last_name}",
        "to_booker": registration.email.strip().lower() != message.recipient.strip().lower(),
        "manage_url": settings.SITE_URL + links.manage_path(registration),
        "edition_url": settings.SITE_URL + edition.get_absolute_url(),
        "language": message.language,
    }
    return render_email("registrations/email/announcement", context, language=message.language)
