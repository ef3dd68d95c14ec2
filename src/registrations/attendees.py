"""What an attendee may do with their own registration, without an account.

Plain functions called by the public views (the form, the manage link, the lost-link form),
and by tests: correcting details, cancelling, finding one's registrations again. Seats are
never decided here: :mod:`registrations.capacity` does that.
"""

from django.db import IntegrityError, transaction
from django.db.models import EmailField, Q, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import audit
from accounts.enums import AuditAction
from common.text import fold
from network.enums import OrganisationKind
from network.models import Organisation
from registrations import capacity, emails, workshops
from registrations.enums import ADMITTED_AT_THE_DOOR, RegistrationStatus
from registrations.models import Booking, Registration

#: The fields :func:`update_details` changes; names as on the ID are locked after a deadline.
NAME_FIELDS = frozenset({"first_name", "last_name"})
EDITABLE_FIELDS = NAME_FIELDS | capacity.ATTENDEE_DETAILS
#: The fields printed on the ticket: a confirmed person whose one of them changes is emailed
#: the new ticket (:func:`update_details`).
TICKET_FIELDS = NAME_FIELDS | {"badge_name"}
#: What only an organiser may change besides (see :func:`update_details`).
ORGANISER_FIELDS = frozenset({"email", "language"})

#: Kinds of organisation offered in the form's list (the directory's poles and networks).
LISTED_KINDS = (OrganisationKind.POLE, OrganisationKind.NETWORK)


class ChangeRefused(Exception):
    """A change the rules forbid; ``code`` is stable, ``message`` translated."""

    MESSAGES = {
        "names_locked": _(
            "The names as on the ID can no longer be changed: the list of expected people has "
            "been sent to the venue's security."
        ),
        "registration_cancelled": _("This registration is cancelled."),
        "day_over": _("The day has taken place: this registration can no longer be changed."),
        "admitted": _("You were admitted at the door: this registration can no longer be changed."),
        "not_confirmed": _("Only a confirmed registration can be reconfirmed."),
        "email_taken": _("This email address is already registered for this day."),
    }

    def __init__(self, code):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(code)

    def __str__(self):
        return str(self.message)


def names_locked_at(edition):
    """When the names as on the ID stop being editable: the security list's final deadline,
    or the registration deadline when there is none."""
    return edition.security_list_final_deadline or edition.registration_deadline


def names_are_locked(edition, now=None):
    return (now or timezone.now()) >= names_locked_at(edition)


def admission(registration):
    """When and at which entrance the person was admitted at the door, as ``(moment,
    entrance's name)``, or None. Read through the reverse relation ``checkins`` of the
    admission app, by name (as ``RegistrationQuerySet.admitted``): this app imports nothing
    of the app above it."""
    return _admitted_in(registration.checkins)


def rehearsal_admission(registration):
    """The person's ticket admitted in a rehearsal of check-in, before the day, as
    ``(moment, entrance's name)``, or None: it counts for nothing, and is shown so that the
    person who tried their ticket sees it worked. Read through the reverse relation
    ``rehearsal_checkins`` of the admission app, by name, as :func:`admission`."""
    return _admitted_in(registration.rehearsal_checkins)


def _admitted_in(scans):
    return (
        scans.filter(result=ADMITTED_AT_THE_DOOR)
        .values_list("scanned_at", "entrance__name")
        .first()
    )


def _check_changeable(registration, now, *, by=None):
    if not registration.is_active:
        raise ChangeRefused("registration_cancelled")
    if now >= registration.edition.ends_at:
        raise ChangeRefused("day_over")
    # Once in, the person's registration is what happened: an organiser may still correct it.
    if by is None and admission(registration) is not None:
        raise ChangeRefused("admitted")


def update_details(registration, *, now=None, by=None, reason="", **fields):
    """Change an attendee's details (``EDITABLE_FIELDS``), already validated by a form.

    ``by``: the organiser who changes them, who may also change ``ORGANISER_FIELDS`` (the
    address and the language of the emails), and the names as on the ID after they are
    locked when giving a ``reason``: the change is then written in the audit log with it.

    Raises :class:`ChangeRefused`: ``names_locked`` when a name as on the ID would change at
    or after :func:`names_locked_at` (giving the same name again is not a change) without an
    organiser's reason, ``email_taken`` when the new address has another active registration
    for the day, ``registration_cancelled`` or ``day_over``. Nothing is saved when it raises.

    Side effects, in one transaction: saves the changed fields (and ``updated_at``); the
    audit line of an organiser's override. Returns the names of the fields that changed.
    """
    allowed = EDITABLE_FIELDS | (ORGANISER_FIELDS if by is not None else frozenset())
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    now = now or timezone.now()
    _check_changeable(registration, now, by=by)
    changed = [name for name, value in fields.items() if getattr(registration, name) != value]
    override = False
    if NAME_FIELDS.intersection(changed) and names_are_locked(registration.edition, now):
        if by is None or not reason.strip():
            raise ChangeRefused("names_locked")
        override = True
    if not changed:
        return changed
    if "email" in changed and (
        fields["email"]
        and Registration.objects.filter(edition=registration.edition)
        .active()
        .with_email(fields["email"])
        .exclude(pk=registration.pk)
        .exists()
    ):
        raise ChangeRefused("email_taken")
    with transaction.atomic():
        for name in changed:
            setattr(registration, name, fields[name])
        try:
            with transaction.atomic():
                registration.save(update_fields=[*changed, "updated_at"])
        except IntegrityError:
            # Another request registered the address meanwhile (the uniqueness constraint).
            registration.refresh_from_db()
            raise ChangeRefused("email_taken") from None
        # The ticket shows the names: the new one is emailed, with the change.
        if registration.status == RegistrationStatus.CONFIRMED and TICKET_FIELDS & set(changed):
            emails.ticket_changed(registration)
        if override:
            audit.record(
                by,
                AuditAction.CHANGE,
                _("Names as on the ID changed after the security list's deadline"),
                edition=registration.edition,
                people=1,
                detail={"registration": registration.pk, "reason": reason.strip()[:500]},
            )
    return changed


def reconfirm(registration, *, now=None):
    """The attendee answers "still coming" to the reconfirmation email.

    Raises :class:`ChangeRefused` (``registration_cancelled``, ``not_confirmed`` for a
    waiting person, ``day_over``). Answering again keeps the first answer's time.

    Side effects: sets ``reconfirmed_at``. Returns True if it was not set before.
    """
    now = now or timezone.now()
    _check_changeable(registration, now)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ChangeRefused("not_confirmed")
    updated = Registration.objects.filter(pk=registration.pk, reconfirmed_at=None).update(
        reconfirmed_at=now, updated_at=now
    )
    registration.refresh_from_db(fields=["reconfirmed_at", "updated_at"])
    return bool(updated)


def cancel(registration, *, now=None):
    """The attendee cancels: the seat goes to the waiting list (see ``capacity.cancel``).

    Raises :class:`ChangeRefused` (``registration_cancelled``, ``day_over``). Returns the
    people promoted to the freed seat.
    """
    now = now or timezone.now()
    _check_changeable(registration, now)
    return capacity.cancel(registration, now=now)


def waiting_positions(edition):
    """{registration pk: position in the waiting list (1 for the first)}, in one query."""
    waiting = Registration.objects.filter(edition=edition).waiting().values_list("pk", flat=True)
    return {pk: position for position, pk in enumerate(waiting, start=1)}


def book(edition, people, *, language, submission_key=None, invitation_code=None):
    """The public form's booking: the booker's address and ``people`` (dicts of
    :func:`capacity.register_group`, the booker first), all registered or none.

    A person whose address is already registered for the day (one active registration per
    address) is not registered again, and the form does not say so, which would tell anyone
    who types an address whether it is registered: that address gets its manage link again
    by email (:func:`emails.registered_again`), and the others are registered as if that
    person had not been typed. Any other refusal raises
    :class:`~registrations.capacity.RegistrationRefused`, with nothing written or sent.

    Side effects, in one transaction: the booking, the registrations and their emails, the
    emails to the addresses registered already. Returns the booking; an ``IntegrityError``
    when ``submission_key`` was used already (the same form sent twice).
    """
    known, conflicts = set(), 0
    while True:
        kept = [index for index in range(len(people)) if index not in known]
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    edition=edition,
                    email=people[0]["email"],
                    language=language,
                    submission_key=submission_key,
                )
                if kept:
                    capacity.register_group(
                        edition,
                        [people[index] for index in kept],
                        language=language,
                        booking=booking,
                        invitation_code=invitation_code,
                    )
                for index in sorted(known):
                    emails.registered_again(_active_registration(edition, people[index]["email"]))
                return booking
        except (capacity.RegistrationRefused, workshops.ChoiceRefused) as refused:
            if refused.index is not None:
                refused.index = kept[refused.index]  # In ``people``, not in those kept.
            if refused.code != "already_registered" or refused.index is None:
                raise
            # Rolled back: the same people again, without this one.
            known.add(refused.index)
        except IntegrityError:
            # Another request committed first: this same form (its booking is the answer), or
            # one of these addresses, which the next round finds registered.
            conflicts += 1
            sent_twice = (
                submission_key and Booking.objects.filter(submission_key=submission_key).exists()
            )
            if conflicts > 1 or sent_twice:
                raise


def _active_registration(edition, email):
    """The active registration of ``email`` at ``edition`` (the rule allows one)."""
    return Registration.objects.filter(edition=edition).active().with_email(email).get()


def send_manage_links(edition, email):
    """Send the manage link again for each active registration of ``email`` at ``edition``:
    the attendee's own, and those booked by that address.

    Side effects, in one transaction: one "manage link" email each to the outbox. Returns
    how many; the caller never tells the visitor (an address must not be revealed).
    """
    # Lower() on both sides, as the uniqueness constraint on emails does.
    key = Lower(Value(email, output_field=EmailField()))
    registrations = (
        Registration.objects.filter(edition=edition)
        .active()
        .alias(email_key=Lower("email"), booking_key=Lower("booking__email"))
        .filter(Q(email_key=key) | Q(booking_key=key))
        .select_related("booking", "edition", "category")
        .order_by("created_at", "pk")
    )
    with transaction.atomic():
        registrations = list(registrations)
        for registration in registrations:
            emails.manage_link(registration)
    return len(registrations)


def listed_organisations():
    """The directory's poles and networks offered in the form: (pk, name), by name."""
    return list(
        Organisation.objects.filter(kind__in=LISTED_KINDS)
        .order_by("name")
        .values_list("pk", "name")
    )


def match_organisation(typed, organisations=None):
    """The pole or network ``typed`` names (case, accents and spacing aside), or None.

    ``organisations``: the (pk, name) pairs of :func:`listed_organisations`, if already read.
    An exact match, case aside, wins over one that also ignores accents.
    """
    typed = " ".join((typed or "").split())
    if not typed:
        return None
    if organisations is None:
        organisations = listed_organisations()
    for pk, name in organisations:
        if " ".join(name.split()).casefold() == typed.casefold():
            return pk
    key = fold(typed)
    for pk, name in organisations:
        if fold(name) == key:
            return pk
    return None
