"""French as it is written, in templates: ``{% load french %}``.

``{{ name|of }}`` is "of Élodie" in English and "d'Élodie" in French, for a person;
``{{ organisation.name|of_the }}`` also gives a name that may begin with a common noun its
article ("du Pôle Exemple"); ``{{ venue.name|at_the }}`` is "at …" or "au …". Pass the phrase
to the sentence: ``{% blocktranslate with of_name=name|of %}… {{ of_name }}…``. The rules are
:mod:`common.french`'s; the output is plain text, escaped where the template escapes.

``<div{% written_in_french %}>{{ edition.description|linebreaks }}</div>``: what organisers
write (descriptions, the charter's text, a message to attendees) exists in French only, so on
a page in another language its element says ``lang="fr"`` and a screen reader reads it as
French. Not for names: a name is read as it is in any language.

``{{ deadline|day_date_time }}``: the day of the week, the date and the time, in the active
language's formats (``ptce/formats``): "dimanche 1 septembre 2030 à 20 h 00", "Sunday 1
September 2030, 8 p.m.".
"""

from django import template
from django.utils import formats, timezone
from django.utils.safestring import mark_safe

from common import french

register = template.Library()


@register.filter
def of(name):
    return french.of(name)


@register.filter
def of_the(name):
    return french.of(name, article=True)


@register.filter
def at_the(name):
    return french.at(name, article=True)


@register.simple_tag
def written_in_french():
    """`` lang="fr"`` on a page in another language than French, nothing on a French page."""
    return "" if french.is_active() else mark_safe(' lang="fr"')


@register.filter
def day_date_time(moment):
    if not moment:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "l " + formats.get_format("DATETIME_FORMAT"))
