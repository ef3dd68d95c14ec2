"""The organisers' live dashboard of an edition: every figure of it, counts only, no names.

Each number has one owner, and the dashboard reads it there: seats, quotas and statuses from
:mod:`registrations.figures`, admissions at the door from :mod:`admission.checkin`, the
breakdowns by organisation kind and region from :mod:`admission.attendance` (so that both
pages put a person in the same row). What only the dashboard shows (poles, lunch, the
registrations over time) is counted here, in the database. It reads both apps, so it lives
in the project layer above them; so does the figures file made from it (:func:`figures_table`).

A snapshot for display, read without the edition's lock, in a fixed number of queries
whatever the number of registrations (:func:`dashboard`): a viewer may see all of it.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from admission import attendance, checkin
from common.numbers import percent
from common.text import fold
from events.models import PARIS
from network.enums import OrganisationKind
from network.models import Organisation
from registrations import figures, workshop_lists
from registrations.enums import Diet, RegistrationStatus
from registrations.exports import Table
from registrations.models import Registration

#: Poles listed one by one; the others are summed on one line.
TOP_POLES = 20


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: a label and the people counted under it."""

    label: str
    people: int


@dataclass(frozen=True)
class CategoryRow:
    """A category's seats (:class:`registrations.figures.CategoryFigures`) and its admitted."""

    seats: figures.CategoryFigures
    admitted: int

    @property
    def share(self):
        """Confirmed and held seats as a whole percentage of the quota, at most 100; None
        without a quota (a quota of 0 is full)."""
        return _share(self.seats.confirmed + self.seats.held, self.seats.quota)


@dataclass(frozen=True)
class Lunch:
    """Confirmed people by diet, and how many gave details (counts only)."""

    diets: list
    lunches: int
    no_lunch: int
    dietary_details: int
    accessibility_needs: int


@dataclass(frozen=True)
class Day:
    """Registrations confirmed on ``date`` (Paris time), and all of them up to that day."""

    date: dt.date
    confirmed: int
    cumulative: int


@dataclass(frozen=True)
class Dashboard:
    seats: figures.Figures
    admitted: int
    entrances: list
    categories: list
    kinds: list
    regions: list
    poles: list
    other_poles: Row | None
    lunch: Lunch
    days: list
    #: The waiting list by the limit that sent each person there: [Row].
    waiting_reasons: list
    #: The workshops by slot, with their seats (:func:`registrations.workshop_lists.figures`).
    workshops: list

    @property
    def capacity_share(self):
        """Taken seats (confirmed and held) as a percentage of the capacity, at most 100."""
        return _share(self.seats.confirmed + self.seats.held, self.seats.capacity)

    @property
    def chart(self):
        return Chart(self.days)


def _number(value):
    """A coordinate for SVG: one decimal at most, none when it is whole."""
    value = round(value, 1)
    return int(value) if value == int(value) else value


def _share(taken, limit):
    if limit is None:
        return None
    if limit == 0:
        return 100
    return min(100, percent(taken, limit))


def dashboard(edition):
    """The :class:`Dashboard` of ``edition``, in fourteen queries whatever its size (sixteen
    when it has workshop doors)."""
    seats = figures.availability(edition)  # 1 query
    door = checkin.counts(edition)  # 3 queries
    breakdowns = attendance.figures(edition)  # 4 queries, 6 with workshop doors
    confirmed = Registration.objects.filter(
        edition=edition, status=RegistrationStatus.CONFIRMED
    ).order_by()
    admitted_by_category = {
        row.category.pk: line.admitted
        for row, line in zip(seats.categories, breakdowns.categories, strict=True)
    }
    poles, other_poles = _poles(confirmed)  # 2 queries
    return Dashboard(
        seats=seats,
        admitted=door["admitted"],
        entrances=[Row(entrance["name"], entrance["admitted"]) for entrance in door["entrances"]],
        categories=[
            CategoryRow(seats=row, admitted=admitted_by_category[row.category.pk])
            for row in seats.categories
        ],
        kinds=breakdowns.kinds,
        regions=breakdowns.regions,
        poles=poles,
        other_poles=other_poles,
        lunch=_lunch(confirmed),  # 1 query
        days=_days(confirmed),  # 1 query
        waiting_reasons=[
            Row(str(label), people)
            for label, people in figures.waiting_reasons(edition)  # 1 query
        ],
        workshops=workshop_lists.figures(edition),  # 1 query
    )


def _poles(confirmed):
    """The poles with the most confirmed people (most first, then by name), the rest summed.

    Two queries rather than one join: people counted by organisation on the registrations
    alone, then the names of those that are poles. The join's plan depends on the planner's
    statistics, and before they exist (a table just filled) it was a nested loop, a hundred
    times slower at 10,000 registrations.
    """
    people = dict(
        confirmed.exclude(organisation=None)
        .values("organisation_id")
        .annotate(people=Count("pk"))
        .values_list("organisation_id", "people")
    )
    poles = Organisation.objects.filter(pk__in=people, kind=OrganisationKind.POLE).values_list(
        "pk", "name"
    )
    rows = sorted(
        ((people[pk], name, pk) for pk, name in poles),
        key=lambda row: (-row[0], fold(row[1]), row[2]),
    )
    top = [Row(name, count) for count, name, _pk in rows[:TOP_POLES]]
    rest = rows[TOP_POLES:]
    if not rest:
        return top, None
    label = _("%(count)s other poles") % {"count": len(rest)}
    return top, Row(label, sum(count for count, _name, _pk in rest))


def _lunch(confirmed):
    counts = confirmed.aggregate(
        **{f"diet_{diet}": Count("pk", filter=Q(diet=diet)) for diet in Diet.values},
        details=Count("pk", filter=~Q(dietary_notes="")),
        needs=Count("pk", filter=~Q(accessibility_needs="")),
    )
    diets = [
        Row(str(diet.short_label), counts[f"diet_{diet}"]) for diet in Diet if diet != Diet.NO_LUNCH
    ]
    return Lunch(
        diets=diets,
        lunches=sum(row.people for row in diets),
        no_lunch=counts[f"diet_{Diet.NO_LUNCH}"],
        dietary_details=counts["details"],
        accessibility_needs=counts["needs"],
    )


def _days(confirmed):
    """Confirmed people by the day (Paris time) they got their seat, with the running total.

    A person promoted from the waiting list counts on the day of the promotion; the last
    running total is the number of people confirmed now.
    """
    rows = (
        confirmed.annotate(day=TruncDate(Coalesce("confirmed_at", "created_at"), tzinfo=PARIS))
        .values("day")
        .annotate(people=Count("pk"))
        .order_by("day")
    )
    days, total = [], 0
    for row in rows:
        total += row["people"]
        days.append(Day(date=row["day"], confirmed=row["people"], cumulative=total))
    return days


# The chart: registrations over time, drawn on the server as SVG -----------------------------


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str
    #: SVG ``text-anchor``: where the label sits against its point.
    anchor: str = "end"


class Chart:
    """The geometry of the cumulative line of :class:`Day` rows, in SVG user units.

    The x axis runs from the first day to the last, one step per calendar day (days without
    a registration keep the level of the day before); the y axis from 0 to the largest total.
    """

    WIDTH, HEIGHT = 640, 240
    LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40

    def __init__(self, days):
        self.days = days

    @property
    def is_empty(self):
        return not self.days

    @property
    def view_box(self):
        return f"0 0 {self.WIDTH} {self.HEIGHT}"

    @property
    def _span(self):
        return max((self.days[-1].date - self.days[0].date).days, 1)

    @property
    def _top_value(self):
        return max(self.days[-1].cumulative, 1)

    def _x(self, date):
        inner = self.WIDTH - self.LEFT - self.RIGHT
        return _number(self.LEFT + inner * (date - self.days[0].date).days / self._span)

    def _y(self, value):
        inner = self.HEIGHT - self.TOP - self.BOTTOM
        return _number(self.HEIGHT - self.BOTTOM - inner * value / self._top_value)

    @property
    def baseline(self):
        return self.HEIGHT - self.BOTTOM

    @property
    def right_edge(self):
        return self.WIDTH - self.RIGHT

    @property
    def path(self):
        """A step line: flat until the next day with registrations, then up."""
        if self.is_empty:
            return ""
        first = self.days[0]
        commands = [f"M{self._x(first.date)},{self._y(0)}", f"V{self._y(first.cumulative)}"]
        for day in self.days[1:]:
            commands.append(f"H{self._x(day.date)}")
            commands.append(f"V{self._y(day.cumulative)}")
        if len(self.days) == 1:
            commands.append(f"H{self.right_edge}")
        return " ".join(commands)

    @property
    def y_ticks(self):
        if self.is_empty:
            return []
        top = self.days[-1].cumulative
        values = sorted({0, top // 2, top})
        return [Tick(x=self.LEFT - 6, y=self._y(value), label=str(value)) for value in values]

    @property
    def x_ticks(self):
        if self.is_empty:
            return []
        first, last = self.days[0].date, self.days[-1].date
        y = self.HEIGHT - self.BOTTOM + 20
        ticks = [Tick(x=self._x(first), y=y, label=date_format(first, "j N"), anchor="start")]
        if last != first:
            ticks.append(Tick(x=self._x(last), y=y, label=date_format(last, "j N"), anchor="end"))
        return ticks


def recent_dashboard(edition):
    """``(dashboard, computed at)``: the :func:`dashboard` of ``edition`` as computed at most
    ``PTCE_DASHBOARD_MAX_AGE`` seconds ago, in the shared cache.

    Each open dashboard asks for its figures every few seconds, and several organisers watch
    one edition during a registration rush: they share one computation (fourteen queries over
    the whole edition) instead of each making it. The page says when the figures were
    computed. Kept per language, as the labels are translated (v2: with the workshops).
    """
    key = f"ptce:dashboard:v2:{edition.pk}:{get_language()}"
    cached = cache.get(key)
    if cached is None:
        cached = (dashboard(edition), timezone.now())
        cache.set(key, cached, settings.PTCE_DASHBOARD_MAX_AGE)
    return cached


# The figures file (the other exports are made by registrations.exports) ----------------------


def figures_table(edition):
    """The edition's figures as one table: a line per row of each breakdown of the
    dashboard (overall, category, organisation kind, region, pole, lunch, day), counts only.
    """
    board = dashboard(edition)
    seats = board.seats
    header = [
        _("Breakdown"),
        _("Line"),
        pgettext("people counted", "Confirmed"),
        _("Waiting"),
        pgettext("people counted", "Cancelled"),
        pgettext("people counted", "Admitted"),
        _("Quota"),
        _("Free"),
    ]
    rows = [
        [
            _("Overall"),
            _("Seats"),
            seats.confirmed,
            seats.waiting,
            seats.cancelled,
            board.admitted,
            seats.capacity,
            seats.available,
        ]
    ]
    for row in board.categories:
        category = row.seats
        rows.append(
            [
                _("By category"),
                category.name,
                category.confirmed,
                category.waiting,
                category.cancelled,
                row.admitted,
                category.quota,
                category.available,
            ]
        )
    for breakdown, lines in (
        (_("By organisation kind"), board.kinds),
        (_("By region"), board.regions),
    ):
        rows += [
            [breakdown, line.label, line.confirmed, None, None, line.admitted] for line in lines
        ]
    rows += [[_("By pole"), line.label, line.people] for line in board.poles]
    if board.other_poles:
        rows.append([_("By pole"), board.other_poles.label, board.other_poles.people])
    lunch = board.lunch
    rows += [[_("Lunch"), line.label, line.people] for line in lunch.diets]
    rows += [
        [_("Lunch"), str(Diet.NO_LUNCH.label), lunch.no_lunch],
        [_("Lunch"), _("Dietary details given"), lunch.dietary_details],
        [_("Lunch"), _("Accessibility needs given"), lunch.accessibility_needs],
    ]
    rows += [[_("By day"), day.date.isoformat(), day.confirmed] for day in board.days]
    rows = [row + [None] * (len(header) - len(row)) for row in rows]
    return Table(name=f"chiffres-{edition.slug}", title=_("Figures"), header=header, rows=rows)
