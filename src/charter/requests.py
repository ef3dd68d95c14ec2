"""The rules of an online signing request: submit it, confirm it through the emailed link,
and, for an organisation the directory does not have, approve or refuse it.

The journey. A representative fills in the form: :func:`submit` writes a request waiting for
its email confirmation and emails a signed link (:func:`charter.links.confirm_token`, valid
for ``LINK_MAX_AGE``). The link's page shows what will be signed; its button (a POST: mail
scanners follow links, they press no buttons) calls :func:`confirm`:

- an organisation of the directory signs there and then (:func:`charter.signatures.record`,
  online channel) and the receipt is emailed;
- an organisation the representative proposed waits for an organiser, who calls
  :func:`approve` (the organisation joins the directory and signs; the receipt is emailed) or
  :func:`refuse` (with a reason, emailed).

One standing signature per organisation and version: a request is refused at submit when the
organisation has signed already, and again when confirmed or approved, since another request
(or the ceremony) may have won meanwhile; the database's unique constraint decides races
(:mod:`charter.signatures`).
"""

from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from charter import emails, signatures
from charter.enums import Channel, RequestStatus
from charter.models import SIGNING_KINDS, SigningRequest
from charter.signatures import SigningRefused
from common.text import fold
from network import poles
from network.enums import OrganisationKind
from network.models import Organisation, Pole

REASON_MAX_LENGTH = SigningRequest._meta.get_field("refusal_reason").max_length
_SLUG_MAX_LENGTH = Organisation._meta.get_field("slug").max_length

#: Requests still on their way (neither signed nor refused).
OPEN = frozenset({RequestStatus.AWAITING_EMAIL, RequestStatus.AWAITING_APPROVAL})


class RequestRefused(Exception):
    """A request the rules forbid (beyond :class:`SigningRefused`'s). ``code`` is stable;
    ``message`` translated."""

    MESSAGES = {
        "no_mandate": _(
            "Confirm that you have the mandate to sign the charter on behalf of this organisation."
        ),
        "in_directory": _(
            "This organisation is in the directory: choose “In the directory” and pick it in "
            "the list."
        ),
        "not_awaiting_approval": _("This request is no longer waiting for an organiser."),
        "reason_required": _("Give the reason: it is sent to the representative."),
        "reason_too_long": _("Keep the reason to %(max)d characters at most."),
    }

    def __init__(self, code):
        self.code = code
        super().__init__(code)

    @property
    def message(self):
        # Formatted when read, so in the language active then.
        return self.MESSAGES[self.code] % {"max": REASON_MAX_LENGTH}

    def __str__(self):
        return str(self.message)


# The directory ------------------------------------------------------------------------------


def signing_organisations():
    """The directory's poles and networks as the form offers them: ``(pk, label)`` by name.

    The label is the name, followed by the town when another organisation has the same name
    (the list then tells them apart).
    """
    rows = sorted(
        Organisation.objects.filter(kind__in=SIGNING_KINDS).values_list("pk", "name", "town"),
        # By name as people read it, accents aside (a database collation may not).
        key=lambda row: (fold(row[1]), fold(row[2]), row[0]),
    )
    counts = Counter(fold(name) for _pk, name, _town in rows)
    return [
        (pk, f"{name} ({town})" if counts[fold(name)] > 1 and town else name)
        for pk, name, town in rows
    ]


def match_organisation(typed, choices):
    """The pk of the choice (of :func:`signing_organisations`) that ``typed`` names, case,
    accents and spacing aside; None when none or several do."""
    key = fold(typed)
    found = [pk for pk, label in choices if fold(label) == key]
    return found[0] if len(found) == 1 else None


def close_names(typed, choices, limit=5):
    """Up to ``limit`` labels of ``choices`` that contain every word typed (accents and case
    aside): what the form suggests when nothing matches exactly."""
    words = fold(typed).split()
    if not words:
        return []
    return [label for _pk, label in choices if all(word in fold(label) for word in words)][:limit]


def find_in_directory(name):
    """The pole or network of the directory called ``name`` (case and accents aside, or the
    same slug, which is how the directory's import recognises an organisation), or None."""
    slug = slugify(name)[:_SLUG_MAX_LENGTH]
    # search_text is the folded name and town: the prefix narrows the rows to compare.
    candidates = Organisation.objects.filter(
        kind__in=SIGNING_KINDS, search_text__startswith=fold(name)
    )
    for organisation in candidates.order_by("pk"):
        if fold(organisation.name) == fold(name):
            return organisation
    if slug:
        return Organisation.objects.filter(kind__in=SIGNING_KINDS, slug=slug).first()
    return None


def blocking_refusal(signing_request):
    """The :class:`SigningRefused` that confirming ``signing_request`` would meet now
    (version closed, organisation signed already), or None; reads only. The confirmation
    page says it before offering its button."""
    if not signing_request.version.is_open:
        return SigningRefused("version_closed")
    organisation = signing_request.organisation
    if organisation is not None and signatures.has_standing_signature(
        signing_request.version, organisation
    ):
        return SigningRefused("already_signed")
    return None


# The rules ---------------------------------------------------------------------------------


def submit(
    version,
    *,
    organisation=None,
    proposed_name="",
    proposed_kind="",
    proposed_town="",
    proposed_website="",
    representative_name,
    representative_role,
    representative_email,
    name_is_public=False,
    has_mandate,
    language=None,
):
    """A representative asks to sign ``version`` for ``organisation`` (of the directory) or
    for the organisation they propose (``proposed_*``, when ``organisation`` is None).

    The values come validated from :class:`charter.forms.SigningForm` (lengths, no markup).
    Raises :class:`SigningRefused` ``version_closed``, ``not_a_signing_kind``,
    ``already_signed`` (the organisation has a standing signature of the version), or
    :class:`RequestRefused` ``no_mandate``, ``in_directory`` (the proposed organisation is
    the directory's): nothing is written.

    Side effects, in one transaction: the request (awaiting its email confirmation) and the
    email with the link. Returns the request.
    """
    if not has_mandate:
        raise RequestRefused("no_mandate")
    if not version.is_open:
        raise SigningRefused("version_closed")
    if organisation is not None:
        if organisation.kind not in SIGNING_KINDS:
            raise SigningRefused("not_a_signing_kind")
        if signatures.has_standing_signature(version, organisation):
            raise SigningRefused("already_signed")
        proposed_name = proposed_kind = proposed_town = proposed_website = ""
    else:
        if not proposed_name.strip() or proposed_kind not in SIGNING_KINDS:
            raise ValueError("a proposed organisation needs a name and a signing kind")
        if find_in_directory(proposed_name) is not None:
            raise RequestRefused("in_directory")
    with transaction.atomic():
        signing_request = SigningRequest.objects.create(
            version=version,
            organisation=organisation,
            proposed_name=proposed_name,
            proposed_kind=proposed_kind,
            proposed_town=proposed_town,
            proposed_website=proposed_website,
            representative_name=representative_name,
            representative_role=representative_role,
            representative_email=representative_email,
            name_is_public=name_is_public,
            has_mandate=True,
            language=language or settings.LANGUAGE_CODE,
        )
        emails.confirm_link(signing_request)
    return signing_request


def confirm(signing_request, *, now=None):
    """The representative pressed the button of the emailed link's page.

    For an organisation of the directory: the signature (online, dated ``now``), the request
    signed, the receipt emailed. For a proposed organisation: the request waits for an
    organiser (``confirmed_at`` is when the representative signed), and an email says so.
    A request no longer waiting for its email (a link used twice, a double click) is returned
    as it is: the caller shows its status.

    Raises :class:`SigningRefused`: ``version_closed`` or ``not_a_signing_kind`` (nothing
    changes; the link works again if the version reopens), ``already_signed`` (another
    signature of the organisation won meanwhile: the request is refused, overtaken, with no
    reviewer). The link's age is the caller's to check (:func:`charter.links.check_link`).
    Returns the request as it now is.
    """
    now = now or timezone.now()
    overtaken = None
    with transaction.atomic():
        signing_request = _locked(signing_request)
        if signing_request.status != RequestStatus.AWAITING_EMAIL:
            return signing_request
        organisation = signing_request.organisation
        if organisation is None:
            if not signing_request.version.is_open:
                raise SigningRefused("version_closed")
            signing_request.status = RequestStatus.AWAITING_APPROVAL
            signing_request.confirmed_at = now
            signing_request.save(update_fields=["status", "confirmed_at"])
            emails.awaiting_approval(signing_request)
            return signing_request
        try:
            signature = _record(signing_request, organisation, signed_at=now)
        except SigningRefused as refused:
            if refused.code != "already_signed":
                raise
            overtaken = refused
            with translation.override(signing_request.language):
                signing_request.refusal_reason = str(refused.message)
            signing_request.status = RequestStatus.REFUSED
            signing_request.confirmed_at = now
            signing_request.save(update_fields=["status", "confirmed_at", "refusal_reason"])
        else:
            signing_request.status = RequestStatus.SIGNED
            signing_request.confirmed_at = now
            signing_request.signature = signature
            signing_request.save(update_fields=["status", "confirmed_at", "signature"])
            emails.signed(signing_request)
    if overtaken is not None:
        # Raised once the request's refusal is committed.
        raise overtaken
    return signing_request


def approve(signing_request, by, *, now=None):
    """An organiser (``by``) approves the organisation a representative proposed and
    confirmed by email; returns the :class:`~charter.models.Signature`.

    The organisation joins the directory (name, kind, town, website; not fictional; a pole
    also gets its pole record, so that the directory lists it with the charter's
    recognition), unless the directory has it already under that name (added meanwhile, or
    approved from another request): that one then signs. The signature is online, recorded by
    ``by``, and dated when the representative confirmed by email: that is when they signed,
    the approval only checks the organisation.

    Raises :class:`RequestRefused` ``not_awaiting_approval``; :class:`SigningRefused`
    ``version_closed``, ``already_signed`` (the directory's organisation has signed
    meanwhile: refuse the request then). Nothing is written when it raises.

    Side effects, in one transaction: the organisation (and pole), the signature and the
    pole's recognition, the request signed and reviewed, the receipt emailed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        signing_request = _locked(signing_request)
        if signing_request.status != RequestStatus.AWAITING_APPROVAL:
            raise RequestRefused("not_awaiting_approval")
        organisation = find_in_directory(signing_request.proposed_name)
        if organisation is None:
            organisation = _add_to_directory(signing_request)
        signature = _record(
            signing_request,
            organisation,
            signed_at=signing_request.confirmed_at or now,
            recorded_by=by,
        )
        signing_request.organisation = organisation
        signing_request.status = RequestStatus.SIGNED
        signing_request.signature = signature
        signing_request.reviewed_at = now
        signing_request.reviewed_by = by
        signing_request.save(
            update_fields=["organisation", "status", "signature", "reviewed_at", "reviewed_by"]
        )
        emails.signed(signing_request)
    return signature


def refuse(signing_request, by, reason, *, now=None):
    """An organiser (``by``) refuses a proposed organisation's request, saying why
    (``reason``, plain text of at most ``REASON_MAX_LENGTH`` characters, sent to the
    representative).

    Raises :class:`RequestRefused` ``not_awaiting_approval``, ``reason_required``,
    ``reason_too_long``: nothing is written. Side effects, in one transaction: the request
    refused and reviewed, the email with the reason. Returns the request.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RequestRefused("reason_required")
    if len(reason) > REASON_MAX_LENGTH:
        raise RequestRefused("reason_too_long")
    now = now or timezone.now()
    with transaction.atomic():
        signing_request = _locked(signing_request)
        if signing_request.status != RequestStatus.AWAITING_APPROVAL:
            raise RequestRefused("not_awaiting_approval")
        signing_request.status = RequestStatus.REFUSED
        signing_request.refusal_reason = reason
        signing_request.reviewed_at = now
        signing_request.reviewed_by = by
        signing_request.save(
            update_fields=["status", "refusal_reason", "reviewed_at", "reviewed_by"]
        )
        emails.refused(signing_request)
    return signing_request


def was_overtaken(signing_request):
    """A request refused because another signature of its organisation won (no organiser
    reviewed it)."""
    return signing_request.status == RequestStatus.REFUSED and signing_request.reviewed_at is None


def _locked(signing_request):
    # The request's row only: two clicks on the same link queue here, and the second one
    # finds the request signed.
    return (
        SigningRequest.objects.select_for_update(of=("self",))
        .select_related("version", "organisation")
        .get(pk=signing_request.pk)
    )


def _record(signing_request, organisation, **details):
    return signatures.record(
        signing_request.version,
        organisation,
        representative_name=signing_request.representative_name,
        representative_role=signing_request.representative_role,
        name_is_public=signing_request.name_is_public,
        channel=Channel.ONLINE,
        **details,
    )


def _add_to_directory(signing_request):
    name = signing_request.proposed_name
    base = slugify(name)[: _SLUG_MAX_LENGTH - 4] or "organisation"
    slug, number = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    organisation = Organisation.objects.create(
        name=name,
        slug=slug,
        kind=signing_request.proposed_kind,
        town=signing_request.proposed_town,
        website=signing_request.proposed_website,
        is_fictional=False,
    )
    if organisation.kind == OrganisationKind.POLE:
        poles.refresh(Pole.objects.create(organisation=organisation))
    return organisation
