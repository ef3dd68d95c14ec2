"""A copied edition gets the entrances of its source (``events.signals.edition_copied``);
never tickets, check-ins or security lists. Its ticket key is its own, made when the copy
was created (:mod:`admission.signals`). A workshop's door stays the door of the same
workshop in the copy's programme."""

from admission.models import Entrance
from events.models import Session

ENTRANCE_FIELDS = ("name", "slug", "position")


def copy_entrances(sender, *, source, copy, **kwargs):
    sessions = _same_sessions(source, copy)
    Entrance.objects.bulk_create(
        Entrance(
            edition=copy,
            session_id=sessions.get(entrance.session_id),
            **{field: getattr(entrance, field) for field in ENTRANCE_FIELDS},
        )
        for entrance in Entrance.objects.filter(edition=source).order_by("position", "pk")
    )


def _same_sessions(source, copy):
    """``{source session pk: its copy's pk}``: the events app copies the programme, before
    this signal, session by session in the order of their ids."""
    originals = Session.objects.filter(edition=source).order_by("pk").values_list("pk", flat=True)
    copies = Session.objects.filter(edition=copy).order_by("pk").values_list("pk", flat=True)
    originals, copies = list(originals), list(copies)
    return dict(zip(originals, copies, strict=True)) if len(originals) == len(copies) else {}
