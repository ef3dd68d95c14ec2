"""Messages from the organisers to a chosen group of an edition's attendees.

The group (``audience``) is a dict: ``statuses`` (confirmed and/or waiting), ``categories``
(slugs; empty for all) and ``admitted`` (:data:`ADMITTED`, :data:`NOT_ADMITTED` or None for
both); or ``registrations``, the pks of people chosen one by one on the registrations list
(those still confirmed or waiting, of this edition). Each person of the group gets one email,
at their own address or, registered without one, at the address of the person who booked for
them, in their language, with their private manage link at the foot.

:func:`send` writes everything in one transaction: the :class:`Announcement` (the log of
what was sent to which group and how many people), one outbox message per person, and a
line of the audit log. Its emails are rendered when sent (:func:`build_announcement`).

Before sending, the organiser checks the message: :func:`preview` renders it as the first
recipient of each language will receive it, and :func:`send_test` sends that to the
organiser alone. All three render with :func:`render`, the one place of the email's shape.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import audit
from accounts.enums import AuditAction
from common.mail import render_email
from events.models import Edition
from outbox.services import builder, enqueue
from registrations import links
from registrations.enums import RegistrationStatus
from registrations.models import Announcement, Registration

KIND = "registrations.announcement"
#: A test of a message, sent to the organiser who writes it: no announcement, no audit line.
TEST_KIND = "registrations.announcement_test"
#: The statuses a message may go to: cancelled people are never written to.
STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
ADMITTED, NOT_ADMITTED = "admitted", "not_admitted"
#: People chosen one by one at most: the registrations list sends them in an address, which
#: holds about 500 (PTCE_MAX_URL_LENGTH); beyond, a group is the way.
MAX_SELECTION = 1000
#: The largest primary key (a 64-bit integer): a bigger number names nobody, and would make
#: PostgreSQL refuse the query.
_MAX_PK = 2**63 - 1
#: The private link in a test email: a token that names nobody, so that a test passed on to a
#: colleague for proofreading carries no attendee's link (the preview on the page shows it).
TEST_LINK_KEY = "essai"


def parse_selection(values):
    """The registration pks written in ``values`` (strings from an address or a form), in
    order, once each; anything that is not a whole number from 1 up is left out."""
    pks = []
    for value in values:
        value = str(value).strip()
        # Nineteen digits at most: a longer number names nobody (and Python refuses to read
        # one of thousands of digits).
        pk = int(value) if value.isascii() and value.isdigit() and len(value) <= 19 else 0
        if 0 < pk <= _MAX_PK and pk not in pks:
            pks.append(pk)
    return pks


def recipients(edition, audience):
    """The registrations of ``edition`` in the group ``audience`` that have an address to
    write to (their own or their booker's), in registration order."""
    people = Registration.objects.filter(edition=edition, anonymised_at__isnull=True).filter(
        ~Q(email="") | Q(booking__email__gt="")
    )
    if "registrations" in audience:
        chosen = parse_selection(audience["registrations"])[:MAX_SELECTION]
        return people.filter(pk__in=chosen, status__in=STATUSES).order_by("created_at", "pk")
    statuses = [status for status in audience.get("statuses", ()) if status in STATUSES]
    people = people.filter(status__in=statuses)
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
    subject = _one_line(subject)
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
            format_lazy(gettext_lazy("Message {number} to attendees"), number=announcement.pk),
            edition=edition,
            people=len(people),
            detail={"announcement": announcement.pk, "audience": audience},
        )
    return announcement, True


def _one_line(subject):
    """A subject is one line: a header never carries a line break."""
    return " ".join(subject.split())


def _address(registration):
    """The attendee's address and language, else the booker's."""
    if registration.email:
        return registration.email, registration.language
    return registration.booking.email, registration.booking.language


def render(announcement, registration, *, recipient, language, manage_url=None):
    """The email of ``announcement`` to ``registration``, sent to ``recipient`` (their address,
    or their booker's), in ``language``: what the outbox sends, the preview shows and a test
    sends. ``manage_url``: the private link at its foot, the registration's by default."""
    edition = announcement.edition
    if manage_url is None:
        manage_url = settings.SITE_URL + links.manage_path(registration)
    context = {
        "announcement": announcement,
        "edition": edition,
        "registration": registration,
        "full_name": f"{registration.first_name} {registration.last_name}",
        "to_booker": registration.email.strip().lower() != recipient.strip().lower(),
        "manage_url": manage_url,
        "edition_url": settings.SITE_URL + edition.get_absolute_url(),
        "language": language,
    }
    with translation.override(language):
        return render_email("registrations/email/announcement", context, language=language)


def _active(edition, pk):
    """The registration ``pk`` of ``edition`` if it may still be written to (neither
    cancelled nor anonymised), else None."""
    return (
        Registration.objects.select_related("booking", "edition")
        .filter(edition=edition, pk=pk, anonymised_at__isnull=True)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )


def _draft(edition, subject, body):
    """A message being written, as an unsaved :class:`Announcement` for :func:`render`."""
    return Announcement(edition=edition, subject=_one_line(subject), body=body)


@builder(KIND)
def build_announcement(message):
    """The email of one recipient, rendered when sent; nothing when the person was
    cancelled, anonymised or deleted meanwhile."""
    announcement = (
        Announcement.objects.select_related("edition").filter(pk=message.object_id).first()
    )
    registration = announcement and _active(
        announcement.edition, message.context.get("registration")
    )
    if registration is None:
        return None
    return render(
        announcement, registration, recipient=message.recipient, language=message.language
    )


# Checking a message before sending it --------------------------------------------------------


@dataclass
class Sample:
    """The email one language's recipients will receive, as rendered for the first of them
    (``registration``, at ``address``)."""

    language: str
    registration: Registration
    address: str
    email: object  # An EmailMultiAlternatives.

    @property
    def name(self):
        return f"{self.registration.first_name} {self.registration.last_name}"

    @property
    def language_name(self):
        return dict(settings.LANGUAGES).get(self.language, self.language)

    @property
    def subject(self):
        return self.email.subject

    @property
    def text(self):
        return self.email.body


@dataclass
class Preview:
    """A message checked before sending: how many people it goes to, and each language's
    email (:class:`Sample`, in the order of ``settings.LANGUAGES``)."""

    count: int
    samples: list


def _first_readers(edition, audience):
    """``(language, registration)`` of the first recipient who reads each of the site's
    languages (in their own, or their booker's, as :func:`_address` decides)."""
    people = recipients(edition, audience).select_related("booking", "edition")
    found = []
    for language, _name in settings.LANGUAGES:
        reads = Q(~Q(email=""), language=language) | Q(email="", booking__language=language)
        registration = people.filter(reads).first()
        if registration is not None:
            found.append((language, registration))
    return found


def preview(edition, *, subject, body, audience):
    """The message as its recipients will receive it: a :class:`Preview`, whose samples
    are rendered for the first recipient of each language present in the group. Writes
    nothing."""
    draft = _draft(edition, subject, body)
    samples = []
    for language, registration in _first_readers(edition, audience):
        address, _language = _address(registration)
        email = render(draft, registration, recipient=address, language=language)
        samples.append(Sample(language, registration, address, email))
    return Preview(count=recipients(edition, audience).count(), samples=samples)


def sample_email(edition, *, subject, body, registration, language):
    """The email of a :func:`preview` sample again: the message as the registration ``pk``
    of ``edition`` receives it in ``language``; None when it may no longer be written to."""
    registration = _active(edition, registration)
    if registration is None or language not in dict(settings.LANGUAGES):
        return None
    address, _language = _address(registration)
    return render(
        _draft(edition, subject, body), registration, recipient=address, language=language
    )


def send_test(edition, *, subject, body, audience, to):
    """Send the message to ``to`` (the organiser's own address) alone, once in each language
    of the group, as its first recipient in that language will receive it, with a subject
    marked "[Test]" and a private link that opens nothing (:data:`TEST_LINK_KEY`).

    Nobody of the group gets anything; no :class:`Announcement` and no audit line are
    written: a test is not a message to attendees. Side effects, in one transaction: one
    outbox message (``registrations.announcement_test``) per language. Returns the
    languages sent, none when nobody is in the group.
    """
    with transaction.atomic():
        languages = []
        for language, registration in _first_readers(edition, audience):
            enqueue(
                TEST_KIND,
                to=to,
                edition=edition,
                language=language,
                context={
                    "registration": registration.pk,
                    "subject": _one_line(subject),
                    "body": body,
                },
            )
            languages.append(language)
    return languages


@builder(TEST_KIND)
def build_test(message):
    """A test of a message, rendered when sent as for the person it was rendered for in the
    preview; nothing when that person was cancelled, anonymised or deleted meanwhile."""
    registration = _active(message.edition_id, message.context.get("registration"))
    if registration is None:
        return None
    address, _language = _address(registration)
    email = render(
        _draft(registration.edition, message.context["subject"], message.context["body"]),
        registration,
        recipient=address,
        language=message.language,
        manage_url=settings.SITE_URL + reverse("registrations:manage", args=[TEST_LINK_KEY]),
    )
    email.subject = _("[Test] %(subject)s") % {"subject": email.subject}
    return email
