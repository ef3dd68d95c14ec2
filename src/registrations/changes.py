"""Announced changes: telling an edition's attendees that its date, hours or venue changed.

The events app, below this one, says what changed when an organiser saves the day's settings
or its venue (:data:`events.signals.practical_details_changed`, received by :func:`offer`
from :class:`~registrations.apps.RegistrationsConfig`); it cannot import this app. When the
edition is published and has people to tell, :func:`offer` answers the address of the page
that offers to notify them, and the organiser lands there after the save.

The page's address carries the change, signed (``?changement=``): the values before the
save, and a random name for the save. Nothing is stored until the organiser sends: not
sending leaves no trace. What the notice says is worked out when the page is shown and when
it is sent (:func:`notice`), from the values before the save to the edition as it is then:
a later save that changes the day again is told too, and an aspect put back as it was is
not. The same notice sent twice (a double click, the page sent again) emails no one twice
(:func:`notify`).
"""

import hashlib
import json
import secrets
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts import audit, permissions
from accounts.enums import AuditAction
from common.permissions import Action
from events.enums import EditionStatus
from events.models import Edition
from events.signals import practical_details
from outbox.models import Message
from registrations import emails
from registrations.models import Registration

#: The query parameter of the page's address that carries the signed change.
PARAMETER = "changement"
SALT = "registrations.changes"
#: How long the page's address stays usable after the save.
MAX_AGE = 7 * 24 * 3600
#: The aspects of a day a notice tells, in the order it tells them.
ASPECTS = ("when", "where")


class NoticeRefused(Exception):
    """A notice that cannot be shown or sent; ``code`` is stable, ``message`` translated."""

    MESSAGES = {
        "bad_link": _(
            "This link to notify the attendees of a change is not valid, or too old: change "
            "the day's settings again to get a new one."
        ),
        "nothing_changed": _(
            "The day's date, hours and venue are back as they were: there is nothing to tell."
        ),
        "not_published": _("Only the attendees of a published day are notified of a change."),
    }

    def __init__(self, code):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(code)

    def __str__(self):
        return str(self.message)


@dataclass(frozen=True)
class Notice:
    """A change to tell: ``changes`` maps each aspect that changed (:data:`ASPECTS`) to its
    ``(before, now)`` values (:func:`events.signals.practical_details`); ``key`` names this
    notice (the same change told twice has the same key)."""

    edition: Edition
    changes: dict
    key: str

    @property
    def readable(self):
        """The changes as the page and the email show them."""
        return emails.readable_changes(self.changes)


def offer(sender, *, edition, changes, by, **kwargs):
    """Receiver of :data:`events.signals.practical_details_changed`: the address of the page
    that offers to notify the attendees, or None when there is no one to tell (the edition
    is not published, or has no active registration with an address) or when ``by`` may not
    write to them (``manage`` on the edition)."""
    if edition.status != EditionStatus.PUBLISHED:
        return None
    if not permissions.can(by, Action.MANAGE, edition):
        return None
    if not recipients(edition).exists():
        return None
    payload = {"edition": edition.pk, "before": changes, "save": secrets.token_hex(8)}
    return page_address(edition, signing.dumps(payload, salt=SALT))


def page_address(edition, token):
    return (
        reverse("registrations:notify_change", args=[edition.slug])
        + "?"
        + urlencode({PARAMETER: token})
    )


def recipients(edition):
    """The active registrations (confirmed or waiting) of ``edition`` that have an address
    to write to (their own or their booker's), in registration order."""
    return (
        Registration.objects.filter(edition=edition, anonymised_at__isnull=True)
        .active()
        .filter(~Q(email="") | Q(booking__isnull=False))
        .order_by("created_at", "pk")
    )


def notice(edition, token):
    """The notice that the signed ``token`` (from :func:`offer`) names, with the edition as it
    is now. Raises :class:`NoticeRefused`: ``bad_link`` (forged, too old, another edition's),
    ``not_published``, ``nothing_changed`` (every aspect back as it was)."""
    try:
        payload = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise NoticeRefused("bad_link") from None
    if not isinstance(payload, dict) or payload.get("edition") != edition.pk:
        raise NoticeRefused("bad_link")
    if edition.status != EditionStatus.PUBLISHED:
        raise NoticeRefused("not_published")
    before, now = payload.get("before") or {}, practical_details(edition)
    changes = {
        aspect: (before[aspect], now[aspect])
        for aspect in ASPECTS
        if aspect in before and before[aspect] != now[aspect]
    }
    if not changes:
        raise NoticeRefused("nothing_changed")
    named = json.dumps([payload.get("save"), changes], sort_keys=True)
    return Notice(edition, changes, hashlib.sha256(named.encode()).hexdigest()[:32])


def notify(edition, token, *, by):
    """Email the change that ``token`` names to every active registration of ``edition``:
    one message each, to the attendee's address or, without one, their booker's, in their
    language, with the new calendar file (and the new ticket for a confirmed person).

    Raises :class:`NoticeRefused` (see :func:`notice`). The same notice again sends nothing.

    Side effects, in one transaction: one outbox message (``registrations.changed``) per
    registration, and one audit line (``message``). Returns ``(notice, people)``: how many
    were told, None when this notice was sent already.
    """
    with transaction.atomic():
        # The edition's row lock serialises two submissions of one page, so that the second
        # finds the first's messages (a row lock on PostgreSQL; SQLite's immediate
        # transactions already write one at a time). Read again under it: the notice is told
        # from the edition as it is.
        edition = (
            Edition.objects.select_for_update(of=("self",))
            .select_related("venue")
            .get(pk=edition.pk)
        )
        change = notice(edition, token)
        sent = Message.objects.filter(
            edition=edition, dedupe_key__startswith=emails.change_key(change.key)
        )
        if sent.exists():
            return change, None
        people = list(recipients(edition).select_related("booking"))
        for registration in people:
            emails.changed(registration, changes=change.changes, key=change.key)
        audit.record(
            by,
            AuditAction.MESSAGE,
            _("Attendees notified of a change of date, hours or venue"),
            edition=edition,
            people=len(people),
            detail={"notice": change.key, "changed": sorted(change.changes)},
        )
    return change, len(people)
