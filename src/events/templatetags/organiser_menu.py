from django import template

from events import organiser_menu

register = template.Library()


@register.inclusion_tag("events/organiser/_menu.html", takes_context=True)
def edition_menu(context, edition, current=None):
    """The organisers' menu of ``edition`` for the request's user, ``current`` marked."""
    return {
        "edition": edition,
        "groups": organiser_menu.groups(context["request"].user, edition, current),
    }
