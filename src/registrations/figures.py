"""Counts of seats for people: how many are taken, free and waiting, overall and per category.

Read without the edition's lock: the figures are a snapshot for display (the public
availability, the organiser's list), never a decision. Decisions are made by
:mod:`registrations.capacity`, under the lock, with the same rules: a seat held by a personal
invitation counts as taken until the guest registers or the hold ends.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.enums import RegistrationStatus, WaitingReason
from registrations.models import Category, Invitation, Registration


@dataclass(frozen=True)
class CategoryFigures:
    category: Category
    confirmed: int
    waiting: int
    cancelled: int
    held: int
    #: Seats still free in this category (its quota and the edition's capacity both count);
    #: None when neither limits it.
    available: int | None

    @property
    def slug(self):
        return self.category.slug

    @property
    def name(self):
        return self.category.name

    @property
    def quota(self):
        return self.category.quota

    @property
    def is_public(self):
        return self.category.is_public


@dataclass(frozen=True)
class Figures:
    capacity: int | None
    confirmed: int
    waiting: int
    cancelled: int
    #: Seats held by personal invitations not used yet.
    held: int
    #: Seats still free in the edition; None when the edition has no capacity.
    available: int | None
    categories: list

    @property
    def public_categories(self):
        return [figures for figures in self.categories if figures.is_public]


def _count(queryset):
    """``queryset``'s rows for the outer category, counted, as a subquery (0 when none)."""
    counted = (
        queryset.filter(category=OuterRef("pk"))
        .order_by()
        .values("category")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _by_status(status):
    """The outer category's registrations with ``status``, counted through the join."""
    return Count("registrations", filter=Q(registrations__status=status))


def _free(limit, taken):
    return None if limit is None else max(limit - taken, 0)


def availability(edition, *, now=None):
    """The edition's :class:`Figures`, every category included (in their order), in one query.

    ``available`` subtracts confirmed seats and seats held by invitations from the capacity;
    a category's ``available`` is the smaller of what its quota and the edition leave.
    """
    now = now or timezone.now()
    # The registrations are read once, joined and counted by status (one pass over the
    # edition's rows, instead of one correlated count per category and status); the held
    # seats stay a subquery, so that the join is not multiplied by the invitations.
    categories = list(
        Category.objects.filter(edition=edition)
        .annotate(
            n_confirmed=_by_status(RegistrationStatus.CONFIRMED),
            n_waiting=_by_status(RegistrationStatus.WAITLISTED),
            n_cancelled=_by_status(RegistrationStatus.CANCELLED),
            n_held=_count(Invitation.objects.filter(edition=edition).holding_seats(now)),
        )
        .order_by("position", "pk")
    )
    confirmed = sum(category.n_confirmed for category in categories)
    held = sum(category.n_held for category in categories)
    available = _free(edition.capacity, confirmed + held)
    rows = []
    for category in categories:
        in_category = _free(category.quota, category.n_confirmed + category.n_held)
        candidates = [value for value in (available, in_category) if value is not None]
        rows.append(
            CategoryFigures(
                category=category,
                confirmed=category.n_confirmed,
                waiting=category.n_waiting,
                cancelled=category.n_cancelled,
                held=category.n_held,
                available=min(candidates) if candidates else None,
            )
        )
    return Figures(
        capacity=edition.capacity,
        confirmed=confirmed,
        waiting=sum(category.n_waiting for category in categories),
        cancelled=sum(category.n_cancelled for category in categories),
        held=held,
        available=available,
        categories=rows,
    )


def waitlist_position(registration):
    """``registration``'s place in the waiting list (1 for the first), or None if not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = (
        Registration.objects.filter(edition_id=registration.edition_id)
        .waiting()
        .filter(created_at__lte=registration.created_at)
        .exclude(created_at=registration.created_at, pk__gt=registration.pk)
        .count()
    )
    return ahead


def with_waitlist_position(registrations):
    """``registrations`` annotated with ``waitlist_position`` (None unless waiting), for lists:
    one correlated count in the same query, whatever the number of rows."""
    ahead = (
        Registration.objects.filter(
            edition=OuterRef("edition"), status=RegistrationStatus.WAITLISTED
        )
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lte=OuterRef("pk"))
        )
        .order_by()
        .values("edition")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return registrations.annotate(
        waitlist_position=Case(
            When(
                status=RegistrationStatus.WAITLISTED,
                then=Subquery(ahead, output_field=IntegerField()),
            ),
            default=None,
            output_field=IntegerField(),
        )
    )


def waiting_reasons(edition):
    """[(reason's label, people)] of the waiting list, by the limit that sent them there,
    in the order of ``WaitingReason``; those registered before reasons were kept count as
    "not recorded". One query."""
    counts = dict(
        Registration.objects.filter(edition=edition, status=RegistrationStatus.WAITLISTED)
        .values("waiting_reason")
        .annotate(people=Count("pk"))
        .values_list("waiting_reason", "people")
        .order_by()
    )
    rows = [(label, counts[value]) for value, label in WaitingReason.choices if value in counts]
    if counts.get(""):
        rows.append((_("Reason not recorded"), counts[""]))
    return rows
