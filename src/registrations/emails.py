"""The emails of registration: one function per email, each writing an outbox record.

Every function is called inside the transaction of the change it announces (see
:mod:`registrations.capacity`), so a rolled-back change sends nothing and a committed one is
always sent (:mod:`outbox`). The message itself (subject, text, HTML, attachments) is
rendered when it is sent, in the attendee's language.
"""


def registered(registration):
    """After a registration: "confirmed" (ticket attached) or "on the waiting list"."""


def promoted(registration):
    """A waiting person got a seat: "you have a seat" (ticket attached)."""


def cancelled(registration):
    """A registration was cancelled (by the attendee or an organiser)."""


def invitation(invitation):
    """A personal invitation: the link to register, the category, the seat held if any."""


def manage_link(registration):
    """The private manage link again, asked for through the lost-link form."""
