"""The public list of the charter's signatories: its filters, counts and entries, for the
pages and the API alike.

Only standing signatures are listed (a revoked one no longer counts). The representative's
name and role appear only with their consent (``name_is_public``); their email never does.
An organisation's territory is what the directory knows of it: for a pole, the departments
its declared territory touches (else the department it is based in), for a network the
department it is based in; regions are those since 2016. Names come from
``network.territories`` (in memory), so a page costs the same number of queries whatever it
lists.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from charter import signatures as rules
from charter.enums import Channel
from charter.models import SIGNING_KINDS, CharterVersion, Signature
from common.forms import FilterForm
from common.text import fold
from events.enums import PUBLIC_STATUSES
from network import territories
from network.enums import TerritoryLevel
from network.models import PoleDepartment

#: Signatures a page of the list shows, as many as a page of the directory.
PAGE_SIZE = 20


#: The list's filters, in the order of the form and of its addresses.
def versions():
    """The versions, oldest first, each with ``standing_count``: its standing signatures."""
    return CharterVersion.objects.annotate(
        standing_count=Count("signatures", filter=Q(signatures__revoked_at__isnull=True))
    ).order_by("year", "pk")


def public_signatures():
    """Standing signatures, latest first, without what their entries need (see
    :func:`with_details`): filter and count this one."""
    return Signature.objects.standing().order_by("-signed_at", "-pk")


def with_details(signatures):
    """``signatures`` with everything :func:`entry` reads, in two queries whatever their
    number: the signatures joined to their version, organisation, pole and national day,
    then the poles' departments."""
    return signatures.select_related(
        "version", "organisation", "organisation__pole", "edition"
    ).prefetch_related("organisation__pole__departments")


def filter_signatures(signatures, *, version=None, region=None, kind=None, channel=None):
    """``signatures`` narrowed by the list's filters; every one is optional.

    ``version`` is a version's slug, ``region`` the code of a region since 2016 (known: the
    form and the API's schema check it), ``kind`` an organisation kind, ``channel`` a
    :class:`~charter.enums.Channel`. An organisation is in a region as its territory is shown:
    a pole whose territory touches one of the region's departments, or which declared no
    territory and is based in one; another organisation based in one.
    """
    if version:
        signatures = signatures.filter(version__slug=version)
    if kind:
        signatures = signatures.filter(organisation__kind=kind)
    if channel:
        signatures = signatures.filter(channel=channel)
    if region:
        departments = territories.departments_in_region(region)
        of_pole = PoleDepartment.objects.filter(pole__organisation=OuterRef("organisation"))
        signatures = signatures.filter(
            Exists(of_pole.filter(code__in=departments))
            | (~Exists(of_pole) & Q(organisation__department_code__in=departments))
        )
    return signatures


# Counts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    total: int
    #: ``(version, count)`` for every version, oldest first (zeros included).
    by_version: list
    #: ``(Channel, count)`` for every channel (zeros included).
    by_channel: list


def counts(signatures, all_versions):
    """How many of ``signatures`` there are, in all, by version and by channel: one query.

    ``all_versions``: the versions to report on, as the page already loaded them.
    """
    cells = (
        signatures.order_by()
        .values_list("version_id", "channel")
        .annotate(count=Count("pk"))
        .values_list("version_id", "channel", "count")
    )
    by_version, by_channel = {}, {}
    for version_id, channel, count in cells:
        by_version[version_id] = by_version.get(version_id, 0) + count
        by_channel[channel] = by_channel.get(channel, 0) + count
    return Counts(
        total=sum(by_version.values()),
        by_version=[(version, by_version.get(version.pk, 0)) for version in all_versions],
        by_channel=[(channel, by_channel.get(channel.value, 0)) for channel in Channel],
    )


# Entries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Department:
    code: str
    name: str


@dataclass(frozen=True)
class Territory:
    """Where an organisation acts, named for a reader."""

    town: str
    departments: list
    #: The regions (since 2016) of ``departments``, each named once, in their order.
    regions: list

    def __bool__(self):
        return bool(self.town or self.departments)


def territory(organisation):
    """The :class:`Territory` of an organisation loaded by :func:`with_details` (or of any
    organisation, at the cost of a query or two); unknown codes are left out."""
    pole = getattr(organisation, "pole", None)
    codes = [department.code for department in pole.departments.all()] if pole else []
    if not codes and organisation.department_code:
        codes = [organisation.department_code]
    departments, regions = [], []
    for code in codes:
        try:
            department = Department(code, territories.name(TerritoryLevel.DEPARTMENT, code))
            region = territories.region_of(code).name
        except ValidationError:
            continue
        departments.append(department)
        if region not in regions:
            regions.append(region)
    return Territory(organisation.town, departments, regions)


@dataclass(frozen=True)
class Representative:
    name: str
    role: str


def representative(signature):
    """Who signed, when they agreed to be named publicly; else None."""
    if not signature.name_is_public:
        return None
    return Representative(signature.representative_name, signature.representative_role)


def public_edition(signature):
    """The national day a signature was made at, when that day's page is public; else None."""
    edition = signature.edition
    return edition if edition is not None and edition.status in PUBLIC_STATUSES else None


@dataclass(frozen=True)
class Entry:
    """One signature as the public sees it."""

    signature: Signature
    territory: Territory
    representative: Representative | None
    #: The pole's page for a pole of the directory, else None.
    pole_url: str | None
    edition: object


def entry(signature):
    organisation = signature.organisation
    pole = getattr(organisation, "pole", None)
    return Entry(
        signature=signature,
        territory=territory(organisation),
        representative=representative(signature),
        pole_url=pole.get_absolute_url() if pole else None,
        edition=public_edition(signature),
    )


def entries(signatures):
    return [entry(signature) for signature in signatures]


# The list's filters -----------------------------------------------------------------------


def _ignored(message):
    return {"invalid_choice": message}


class SignatoryForm(FilterForm):
    """The list's filters, read from the address (GET). A value that is not valid is
    reported on the page and ignored; the other filters still apply."""

    version = forms.ChoiceField(
        label=_("Version of the charter"),
        required=False,
        error_messages=_ignored(
            _("“%(value)s” is not a version of the charter: that filter was ignored.")
        ),
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        error_messages=_ignored(
            _("“%(value)s” is not the code of a current region: that filter was ignored.")
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        required=False,
        choices=[("", _("Poles and networks")), *((k.value, k.label) for k in SIGNING_KINDS)],
        error_messages=_ignored(
            _("“%(value)s” is not a kind of organisation that signs: that filter was ignored.")
        ),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("Online and at a ceremony")), *Channel.choices],
        error_messages=_ignored(_("“%(value)s” is not a channel: that filter was ignored.")),
    )

    def __init__(self, data, *, all_versions):
        data = data.copy()
        if data.get("region"):
            # As a spreadsheet or a hand-typed address may spell it: 4 for 04.
            data["region"] = territories.normalise_code(TerritoryLevel.REGION, data["region"])
        super().__init__(data)
        self.fields["version"].choices = [
            ("", _("All versions")),
            *((version.slug, version.title) for version in all_versions),
        ]
        self.fields["region"].choices = [
            ("", _("All regions")),
            *(
                (region.code, region.name)
                for region in sorted(territories.regions(), key=lambda r: fold(r.name))
            ),
        ]


# A pole's page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PoleSignature:
    signature: Signature
    #: The public verification page of its receipt code.
    verify_path: str
    #: The national day it was made at, when that day's page is public.
    edition: object


def of_organisation(organisation):
    """The organisation's standing signatures, oldest version first, with the address that
    checks each one (one query)."""
    signatures = (
        Signature.objects.standing()
        .filter(organisation=organisation)
        .select_related("version", "edition")
        .order_by("version__year", "signed_at")
    )
    return [
        PoleSignature(signature, rules.verify_path(signature), public_edition(signature))
        for signature in signatures
    ]
