"""What the public directory shows: its filters, and a pole's page put into words.

The filters are a Django form so that a hand-edited or stale address (an unknown region, a
sector since renamed) is reported on the page and ignored, never a server error. Territory
names come from ``network.territories`` (in memory): nothing here adds a query per pole.
"""

from dataclasses import dataclass
from itertools import groupby
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext_lazy as _

from common.forms import FilterForm
from common.permissions import Action
from common.text import fold
from network import composition, territories
from network.enums import CompositionStatus, MemberCategory, RecognitionKind, TerritoryLevel
from network.models import Pole, PoleDepartment, PoleMember

#: Poles a page of the directory lists.
PAGE_SIZE = 20
#: Longest search accepted: far beyond a pole's name and town.
MAX_SEARCH_LENGTH = 200
#: The filters, in the order of the form and of the directory's addresses.
#: The largest areas first on a pole's page.
LEVEL_ORDER = [
    TerritoryLevel.REGION,
    TerritoryLevel.DEPARTMENT,
    TerritoryLevel.EPCI,
    TerritoryLevel.COMMUNE,
]


def can_manage_directory(user):
    """Whether ``user`` may edit, import and export the directory of poles as a whole.

    The directory is national: it is kept by the platform's operators, that is superusers
    and the organisers of an organising organisation (``manage`` on an organisation as a
    whole, not narrowed to an edition: ``user.has_perm`` without an object).
    """
    return user.has_perm(Action.MANAGE)


def _ignored(message):
    return {"invalid_choice": message}


class DirectoryForm(FilterForm):
    """The directory's filters, read from the address (GET).

    A field whose value is not valid is left out of ``cleaned_data``: the others still apply,
    and the page says which one was ignored.
    """

    q = forms.CharField(
        label=_("Name or town"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        widget=forms.SearchInput,
        error_messages={
            "max_length": _("The search is longer than %(limit_value)d characters: it was ignored.")
        },
    )
    period = forms.ChoiceField(
        label=_("Map of the regions"),
        required=False,
        choices=list(territories.PERIODS.items()),
        error_messages=_ignored(
            _("“%(value)s” is not a period of the regions: the current regions are shown.")
        ),
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        error_messages=_ignored(
            _("“%(value)s” is not the code of a region of this period: that filter was ignored.")
        ),
    )
    department = forms.ChoiceField(
        label=_("Department"),
        required=False,
        error_messages=_ignored(
            _("“%(value)s” is not the code of a department: that filter was ignored.")
        ),
    )
    sector = forms.ChoiceField(
        label=_("Sector of activity"),
        required=False,
        error_messages=_ignored(
            _("No sector of activity is called “%(value)s”: that filter was ignored.")
        ),
    )
    recognition = forms.ChoiceField(
        label=_("Recognition"),
        required=False,
        choices=[("", _("Any or none")), *RecognitionKind.choices],
        error_messages=_ignored(
            _("“%(value)s” is not a kind of recognition: that filter was ignored.")
        ),
    )
    composition = forms.ChoiceField(
        label=_("Composition (article 9)"),
        required=False,
        choices=[("", _("Any")), *CompositionStatus.choices],
        error_messages=_ignored(
            _("“%(value)s” is not a status of the composition check: that filter was ignored.")
        ),
    )

    def __init__(self, data, *, sectors):
        """``sectors``: the (slug, name) pairs the sector filter offers."""
        data = data.copy()
        # Codes as a spreadsheet or a hand-typed address may spell them: 2a, 1 for 01.
        for field, level in (
            ("region", TerritoryLevel.REGION),
            ("department", TerritoryLevel.DEPARTMENT),
        ):
            if data.get(field):
                data[field] = territories.normalise_code(level, data[field])
        super().__init__(data)
        period = data.get("period")
        self.period = period if period in territories.PERIODS else territories.CURRENT
        self.fields["region"].choices = [
            ("", _("All regions")),
            *(
                (region.code, region.name)
                for region in sorted(territories.regions(self.period), key=lambda r: fold(r.name))
            ),
        ]
        self.fields["department"].choices = [
            ("", _("All departments")),
            *(
                (department.code, f"{department.name} ({department.code})")
                for department in territories.departments()
            ),
        ]
        self.fields["sector"].choices = [("", _("All sectors")), *sectors]

    def filters(self):
        """The valid filters, as keyword arguments of :func:`filter_poles`."""
        return super().filters() | {"period": self.period}

    def query_values(self):
        values = self.filters()
        if values["period"] == territories.CURRENT:
            del values["period"]
        return values


def filter_poles(poles, *, q="", period=territories.CURRENT, **filters):
    """``poles`` narrowed by the directory's filters; every filter is optional.

    Every word of ``q`` must appear in the pole's folded name and town. Region and department
    go through the departments the pole's territory touches; given both, a pole must touch
    the department and the region. ``sector`` is a slug, ``recognition`` a RecognitionKind,
    ``composition`` a CompositionStatus. Codes must be known (the form checks them).
    """
    for word in fold(q).split():
        poles = poles.filter(organisation__search_text__contains=word)
    departments = None
    if filters.get("region"):
        departments = set(territories.departments_in_region(filters["region"], period))
    if filters.get("department"):
        wanted = {filters["department"]}
        departments = wanted if departments is None else departments & wanted
    if departments is not None:
        # A subquery rather than a join: a pole touching several departments is listed once.
        poles = poles.filter(
            Exists(PoleDepartment.objects.filter(pole=OuterRef("pk"), code__in=departments))
        )
    # A pole has a sector, and a kind of recognition, at most once: these joins add no rows.
    if filters.get("sector"):
        poles = poles.filter(sectors__slug=filters["sector"])
    if filters.get("recognition"):
        poles = poles.filter(recognitions__kind=filters["recognition"])
    if filters.get("composition"):
        poles = poles.filter(composition_status=filters["composition"])
    return poles


@dataclass(frozen=True)
class Place:
    """A department named for a reader, with its region in the period the reader chose."""

    code: str
    name: str
    region: str


def place(department_code, period=territories.CURRENT):
    """The :class:`Place` of a department code, or None if the code is not (any longer) known."""
    try:
        return Place(
            department_code,
            territories.name(TerritoryLevel.DEPARTMENT, department_code),
            territories.region_of(department_code, period).name,
        )
    except ValidationError:
        return None


@dataclass(frozen=True)
class Entry:
    """One pole of a page of the directory."""

    pole: Pole
    #: Where its organisation is based (else the first department of its territory).
    place: Place | None
    #: The departments its territory touches, named; empty when that is just ``place``.
    territory: list


def entries(poles, period=territories.CURRENT):
    """The :class:`Entry` of each pole, from what ``Pole.objects.for_directory()`` loaded."""
    result = []
    for pole in poles:
        codes = [department.code for department in pole.departments.all()]
        seat = pole.organisation.department_code or (codes[0] if codes else "")
        territory = [place(code, period) for code in codes] if codes != [seat] else []
        result.append(Entry(pole, place(seat, period), [p for p in territory if p]))
    return result


# A pole's page ---------------------------------------------------------------------------


def poles_for_page():
    """Poles with everything their page shows, in a fixed number of queries (six)."""
    return Pole.objects.select_related("organisation").prefetch_related(
        "sectors",
        "departments",
        "recognitions",
        "territory",
        Prefetch("members", queryset=PoleMember.objects.select_related("organisation")),
    )


def web_address(url):
    """``url`` if it is an http(s) address, else "": a stored "javascript:" is never a link."""
    return url if urlsplit(url or "").scheme.lower() in {"http", "https"} else ""


@dataclass(frozen=True)
class Area:
    """One declared area of a pole's territory."""

    level: str
    code: str
    #: Its official name, or "" when the code is not in the shipped geographic code.
    name: str


@dataclass(frozen=True)
class DepartmentOfPole:
    code: str
    name: str
    region: str
    #: The region's name before 2016, when it differs from ``region``.
    region_2015: str


@dataclass(frozen=True)
class PolePage:
    """What a pole's page shows beyond its own fields, all from prefetched rows."""

    pole: Pole
    website: str
    #: The Place of the organisation's department, in a list of at most one.
    seat: list
    areas: list
    departments: list
    #: (category label, members) for each article 9 category that has members.
    members: list
    check: composition.CompositionCheck


def pole_page(pole):
    """The :class:`PolePage` of a pole loaded by :func:`poles_for_page`; no query."""
    members = list(pole.members.all())
    areas = sorted(pole.territory.all(), key=lambda a: (LEVEL_ORDER.index(a.level), a.code))
    return PolePage(
        pole=pole,
        website=web_address(pole.organisation.website),
        seat=[p for p in [place(pole.organisation.department_code)] if p],
        areas=[Area(area.get_level_display(), area.code, area_name(area)) for area in areas],
        departments=[_department_of_pole(d.code) for d in pole.departments.all()],
        members=_by_category(members),
        check=composition.check(pole, members=members, has_territory=bool(areas)),
    )


def area_name(area):
    """The area's name, or "" when the shipped geographic code no longer knows its code."""
    try:
        return territories.name(area.level, area.code)
    except ValidationError:
        return ""


def _department_of_pole(code):
    current, before = place(code), place(code, territories.BEFORE_2016)
    if current is None:
        return DepartmentOfPole(code, "", "", "")
    region_2015 = before.region if before and before.region != current.region else ""
    return DepartmentOfPole(code, current.name, current.region, region_2015)


def _by_category(members):
    order = list(MemberCategory)
    members = sorted(
        members, key=lambda m: (order.index(m.category), m.organisation.name.casefold())
    )
    return [
        (MemberCategory(category).label, list(group))
        for category, group in groupby(members, key=lambda m: m.category)
    ]
