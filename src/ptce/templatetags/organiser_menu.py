from django import template

from accounts import permissions
from common.permissions import Action
from ptce import organiser_menu

register = template.Library()


@register.inclusion_tag("ptce/organiser/_menu.html", takes_context=True)
def edition_menu(context, edition, current=None):
    """The organisers' menu of ``edition`` for the request's user, ``current`` marked."""
    user = context["request"].user
    return {
        "edition": edition,
        "groups": organiser_menu.groups(user, edition, current),
        # A draft's page is a preview for those who prepare it, a 404 for anyone else.
        "can_preview": permissions.can(user, Action.EDIT_CONTENT, edition),
    }
