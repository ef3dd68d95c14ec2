"""The organisers' menu of an edition: every organiser page, grouped, shown by right.

One table for every page that shows it (the organisers' home and the menu at the top of each
organiser page of an edition), so a page added to the area is added here once. Rights come
from :func:`accounts.permissions.can`: no query once the user's roles are read.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from common.permissions import Action


@dataclass(frozen=True)
class Item:
    key: str
    url_name: str
    label: str
    action: Action


#: (group title, items). ``key`` is what a page passes as ``current``.
MENU = [
    (
        _("Registrations"),
        [
            Item("dashboard", "dashboard", _("Dashboard"), Action.VIEW_FIGURES),
            Item(
                "list",
                "registrations:list",
                _("Registrations"),
                Action.VIEW_PERSONAL_DATA,
            ),
            Item(
                "invitations",
                "registrations:invitations",
                _("Invitations"),
                Action.VIEW_PERSONAL_DATA,
            ),
            Item("workshops", "registrations:workshops", _("Workshops"), Action.VIEW_PERSONAL_DATA),
            Item(
                "failed_emails",
                "registrations:failed_emails",
                _("Failed emails"),
                Action.VIEW_PERSONAL_DATA,
            ),
            Item("message", "registrations:message", _("Message to attendees"), Action.MANAGE),
            Item("exports", "registrations:exports", _("Exports"), Action.VIEW_FIGURES),
        ],
    ),
    (
        _("The day"),
        [
            Item(
                "security", "admission:security_list", _("Security list"), Action.VIEW_PERSONAL_DATA
            ),
            Item("badges", "admission:badges", _("Badges"), Action.VIEW_PERSONAL_DATA),
            Item("checkin", "admission:checkin", _("Check-in at the door"), Action.CHECK_IN),
            Item("rehearsal", "admission:rehearsal", _("Check-in rehearsal"), Action.MANAGE),
            Item("attendance", "admission:attendance", _("Attendance"), Action.VIEW_FIGURES),
            Item("ceremony", "charter:ceremony", _("Charter ceremony"), Action.MANAGE),
        ],
    ),
    (
        _("After the day"),
        [
            Item("feedback", "feedback:questionnaire", _("Questionnaire"), Action.EDIT_CONTENT),
            Item("feedback_results", "feedback:results", _("Answers"), Action.VIEW_FIGURES),
            Item("report", "report", _("Report"), Action.VIEW_FIGURES),
        ],
    ),
    (
        _("Preparing"),
        [
            Item("settings", "events:settings", _("Settings"), Action.EDIT_CONTENT),
            Item("programme", "events:edit_programme", _("Programme"), Action.EDIT_CONTENT),
            Item(
                "categories", "registrations:categories", _("Categories and quotas"), Action.MANAGE
            ),
            Item("entrances", "admission:entrances", _("Entrances"), Action.MANAGE),
            Item("copy", "edition_copy", _("Copy this edition"), Action.MANAGE),
        ],
    ),
    (
        _("Personal data"),
        [
            Item("privacy", "registrations:privacy", _("Requests and retention"), Action.MANAGE),
            Item("audit", "accounts:edition_audit", _("Audit log"), Action.MANAGE),
        ],
    ),
]


def groups(user, edition, current=None):
    """The menu's groups for ``user`` on ``edition``: ``[(title, [link dict…])]``, without
    the items their role does not allow, nor empty groups."""
    allowed = {action: permissions.can(user, action, edition) for action in Action}
    shown = []
    for title, items in MENU:
        links = [
            {
                "key": item.key,
                "label": item.label,
                "url": reverse(item.url_name, kwargs={"slug": edition.slug}),
                "current": item.key == current,
            }
            for item in items
            if allowed[item.action]
        ]
        if links:
            shown.append((title, links))
    return shown
