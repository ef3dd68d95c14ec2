"""What a user may want to do, and how any app asks whether they may.

The actions are the vocabulary; the rule (who may do which action to what, from their roles,
narrowed by an API token) is the accounts app's (:mod:`accounts.permissions`). Apps below it
(events, network) ask through Django's own permission API on the user object, which the
accounts app's user model answers with that rule:

- ``user.has_perm(action, obj)``: may ``user`` do ``action`` to ``obj`` (an edition, what
  belongs to one, a venue, an organisation)?
- ``user.has_perm(action)``: may ``user`` do it to at least one organisation as a whole?
- ``user.organisations_for(action)``: those organisations, as a queryset;
- ``user.forget_roles()``: read the roles again at the next question (after a change that
  gives the user new ones in this request).

Anonymous visitors may do nothing (Django's ``AnonymousUser.has_perm`` says no).
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """What a user may want to do to an object; the roles say who may
    (``accounts.enums.ROLE_ACTIONS``)."""

    VIEW_FIGURES = "view_figures", _("See figures")
    EDIT_CONTENT = "edit_content", _("Edit content and programme")
    VIEW_PERSONAL_DATA = "view_personal_data", _("See personal data")
    CHECK_IN = "check_in", _("Check attendees in")
    MANAGE = "manage", _("Manage settings, capacity and roles")


def require(user, action, obj):
    """Raise ``PermissionDenied`` unless ``user`` may do ``action`` to ``obj``."""
    if not user.has_perm(action, obj):
        raise PermissionDenied


def get_allowed(user, action, queryset, **lookup):
    """The object of ``queryset`` (or model) found by ``lookup`` if ``user`` may do
    ``action`` to it: an organiser page's first step. ``Http404`` if there is none,
    ``PermissionDenied`` if they may not."""
    obj = get_object_or_404(queryset, **lookup)
    require(user, action, obj)
    return obj
