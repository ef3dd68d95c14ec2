"""The signing ceremony of a national day: opening and closing it, its run sheet, and the
signatures made on stage.

An edition has at most one ceremony (:class:`~charter.models.Ceremony`), for one version of
the charter, opened by an organiser during the day and closed at its end (it may be reopened).
While it is open, an organiser records each signature made on stage through :func:`record`,
which goes through :func:`charter.signatures.record` like every signature: channel
"ceremony", the edition, the organiser who recorded it, time-stamped by the server's clock.

The run sheet (:func:`run_sheet`) says who is expected to sign: the poles and networks with at
least one confirmed registration for the day and no standing signature of the ceremony's
version. Those with a representative admitted at the door (a check-in "admitted") are
*present* and come first; the others are *absent*. Those that signed at this ceremony move to
their own list, with the time. The run sheet is read in two queries, whatever its length.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from admission.enums import CheckInResult
from admission.models import CheckIn
from charter import signatures
from charter.enums import Channel
from charter.models import SIGNING_KINDS, Ceremony, Signature
from common.text import fold
from network.directory import place
from network.models import Organisation
from registrations.enums import RegistrationStatus
from registrations.models import Registration

#: Organisations found at most by the search of the ceremony page.
SEARCH_LIMIT = 20


class CeremonyRefused(Exception):
    """Opening a ceremony the rules forbid; ``code`` is stable, ``message`` translated."""

    MESSAGES = {
        "already_opened": _(
            "The ceremony of this day was already opened: reopen it rather than open another."
        ),
        "version_closed": _("This version of the charter is not open for signing."),
    }

    def __init__(self, code):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(code)


# Opening and closing -------------------------------------------------------------------------


def open_ceremony(edition, version, *, by, now=None):
    """Open ``edition``'s ceremony for ``version``; returns the :class:`Ceremony`.

    Raises :class:`CeremonyRefused`: ``version_closed`` (the version is not open for signing),
    ``already_opened`` (the edition has a ceremony, open or closed: one per edition, also when
    two organisers open it at the same moment). Side effect: the ceremony row.
    """
    if not version.is_open:
        raise CeremonyRefused("version_closed")
    if Ceremony.objects.filter(edition=edition).exists():
        raise CeremonyRefused("already_opened")
    try:
        with transaction.atomic():
            return Ceremony.objects.create(
                edition=edition, version=version, opened_at=now or timezone.now(), opened_by=by
            )
    except IntegrityError:
        # The one-to-one on the edition: another organiser's opening committed first.
        raise CeremonyRefused("already_opened") from None


def close(ceremony, *, now=None):
    """Close the ceremony: no signature is recorded at it any more. Closing twice changes
    nothing. Waits for a signature being recorded (its lock on the ceremony) to commit."""
    Ceremony.objects.filter(pk=ceremony.pk, closed_at__isnull=True).update(
        closed_at=now or timezone.now()
    )
    ceremony.refresh_from_db(fields=["closed_at"])
    return ceremony


def reopen(ceremony):
    """Open a closed ceremony again, for the same version (its signatures stay hers).

    Raises :class:`CeremonyRefused` ``version_closed`` when the version was closed since.
    """
    if not ceremony.version.is_open:
        raise CeremonyRefused("version_closed")
    Ceremony.objects.filter(pk=ceremony.pk).update(closed_at=None)
    ceremony.closed_at = None
    return ceremony


# Recording a signature made on stage ---------------------------------------------------------


def record(ceremony, organisation, *, representative_name, representative_role, name_is_public, by):
    """Record ``organisation``'s signature of the ceremony's version, made now on stage.

    Raises :class:`~charter.signatures.SigningRefused`: ``ceremony_closed`` (closed, also by a
    close that committed a moment before), ``version_closed``, ``not_a_signing_kind``,
    ``already_signed``; nothing is written then. Side effects, as
    :func:`charter.signatures.record`: the signature (channel "ceremony", the edition,
    ``recorded_by`` the organiser ``by``, the server's time) and a pole's recognition.
    """
    with transaction.atomic():
        # The ceremony's row lock orders this against close(): a signature is never recorded
        # after a close that committed first.
        current = (
            Ceremony.objects.select_for_update()
            .select_related("version", "edition")
            .get(pk=ceremony.pk)
        )
        if not current.is_open:
            raise signatures.SigningRefused("ceremony_closed")
        return signatures.record(
            current.version,
            organisation,
            representative_name=representative_name,
            representative_role=representative_role,
            name_is_public=name_is_public,
            channel=Channel.CEREMONY,
            edition=current.edition,
            recorded_by=by,
        )


# The run sheet -------------------------------------------------------------------------------


@dataclass
class Entry:
    """One organisation of the run sheet."""

    organisation: Organisation
    #: Where it is based (a department and its region), or None when not known.
    place: object = None
    #: Its confirmed registrations for the day admitted at the door (names as on the ID).
    representatives: list = field(default_factory=list)
    #: How many confirmed registrations it has for the day.
    registered: int = 0
    #: Its signature at this ceremony, once signed.
    signature: Signature | None = None
    #: When it signed the ceremony's version elsewhere (found by the search only).
    signed_on: object = None

    @property
    def is_present(self):
        return bool(self.representatives)


@dataclass(frozen=True)
class RunSheet:
    #: Expected and with a representative admitted at the door, by name.
    present: list
    #: Expected, but nobody of theirs admitted yet, by name.
    absent: list
    #: Signed at this ceremony, in the order of signing.
    signed: list

    @property
    def expected(self):
        return len(self.present) + len(self.absent)


def _admitted():
    return CheckIn.objects.filter(registration=OuterRef("pk"), result=CheckInResult.ADMITTED)


def _standing_signature(version_id, organisation_ref="pk"):
    return Signature.objects.standing().filter(
        version=version_id, organisation=OuterRef(organisation_ref)
    )


def run_sheet(ceremony):
    """The :class:`RunSheet` of ``ceremony`` (two queries)."""
    registrations = (
        Registration.objects.filter(
            edition=ceremony.edition_id,
            status=RegistrationStatus.CONFIRMED,
            organisation__kind__in=SIGNING_KINDS,
        )
        .exclude(Exists(_standing_signature(ceremony.version_id, "organisation_id")))
        .annotate(is_admitted=Exists(_admitted()))
        .select_related("organisation")
        .order_by("organisation__search_text", "organisation_id", "last_name", "first_name", "pk")
    )
    entries = {}
    for registration in registrations:
        organisation = registration.organisation
        entry = entries.get(organisation.pk)
        if entry is None:
            entry = entries[organisation.pk] = Entry(
                organisation, place(organisation.department_code)
            )
        entry.registered += 1
        if registration.is_admitted:
            entry.representatives.append(registration)
    signed = [
        Entry(
            signature.organisation, place(signature.organisation.department_code), [], 0, signature
        )
        for signature in signed_at_ceremony(ceremony)
    ]
    expected = list(entries.values())
    return RunSheet(
        present=[entry for entry in expected if entry.is_present],
        absent=[entry for entry in expected if not entry.is_present],
        signed=signed,
    )


def signed_at_ceremony(ceremony):
    """The standing signatures recorded at ``ceremony``, in the order they were made."""
    return (
        Signature.objects.standing()
        .filter(version=ceremony.version_id, edition=ceremony.edition_id, channel=Channel.CEREMONY)
        .select_related("organisation")
        .order_by("signed_at", "pk")
    )


def admitted_representatives(edition, organisation):
    """``organisation``'s confirmed registrations for ``edition`` admitted at the door."""
    return list(
        Registration.objects.filter(
            edition=edition, organisation=organisation, status=RegistrationStatus.CONFIRMED
        )
        .filter(Exists(_admitted()))
        .order_by("last_name", "first_name", "pk")
    )


def find_organisations(ceremony, words):
    """The :class:`Entry` of each pole and network whose name or town holds every word of
    ``words`` and that is not on the run sheet (for a representative registered under another
    organisation's name), with ``signed_on`` when it signed the ceremony's version elsewhere.
    At most :data:`SEARCH_LIMIT`, by name; one query.
    """
    folded = fold(words).split()
    if not folded:
        return []
    on_the_sheet = Registration.objects.filter(
        edition=ceremony.edition_id,
        status=RegistrationStatus.CONFIRMED,
        organisation=OuterRef("pk"),
    )
    organisations = (
        Organisation.objects.filter(kind__in=SIGNING_KINDS)
        .exclude(
            (Exists(on_the_sheet) & ~Exists(_standing_signature(ceremony.version_id)))
            | Exists(_standing_signature(ceremony.version_id).filter(edition=ceremony.edition_id))
        )
        .annotate(
            signed_on=Subquery(_standing_signature(ceremony.version_id).values("signed_at")[:1])
        )
    )
    for word in folded:
        organisations = organisations.filter(search_text__contains=word)
    return [
        Entry(organisation, place(organisation.department_code), signed_on=organisation.signed_on)
        for organisation in organisations.order_by("search_text", "pk")[:SEARCH_LIMIT]
    ]
