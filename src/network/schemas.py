"""What the API says about poles and organisations, and the directory's filters it accepts.

Public and free of personal data: organisations only, never people. Texts typed by organisers
(names, descriptions) are given as typed; labels of codes (``*_label``) follow the request's
language. Links are absolute, on ``SITE_URL``.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from common.links import absolute
from common.text import fold
from network import directory, territories
from network.directory import MAX_SEARCH_LENGTH
from network.enums import CompositionStatus, RecognitionKind, TerritoryLevel

#: Shortest autocomplete search: one letter would match most of the directory.
MIN_AUTOCOMPLETE_LENGTH = 2


# Filters ---------------------------------------------------------------------------------


class PoleFilters(Schema):
    """The directory's filters. An empty value is no filter, as in the directory's form."""

    q: str | None = Field(
        None,
        max_length=MAX_SEARCH_LENGTH,
        description="Words of the name or town, accents and case ignored.",
    )
    # Declared before ``region``: the region's validator reads it.
    period: Literal["current", "2015"] = Field(
        "current",
        description="Which regions `region` names: since 2016 (current) or before (2015).",
    )
    region: str | None = Field(
        None, max_length=20, description="INSEE code of a region of `period`."
    )
    department: str | None = Field(
        None, max_length=20, description="INSEE code of a department, e.g. 69, 2A."
    )
    sector: str | None = Field(None, max_length=100, description="Slug of a sector of activity.")
    recognition: RecognitionKind | None = None
    composition: CompositionStatus | None = None

    @field_validator(
        "q", "region", "department", "sector", "recognition", "composition", mode="before"
    )
    @classmethod
    def _empty_is_no_filter(cls, value):
        return None if value == "" else value

    @field_validator("period", mode="before")
    @classmethod
    def _empty_is_current(cls, value):
        return "current" if value == "" else value

    @field_validator("region")
    @classmethod
    def _known_region(cls, code, info: ValidationInfo):
        if code is None:
            return None
        code = territories.normalise_code(TerritoryLevel.REGION, code)
        try:
            territories.departments_in_region(code, info.data.get("period", "current"))
        except DjangoValidationError as error:
            raise PydanticCustomError("unknown_region", " ".join(error.messages)) from None
        return code

    @field_validator("department")
    @classmethod
    def _known_department(cls, code):
        if code is None:
            return None
        code = territories.normalise_code(TerritoryLevel.DEPARTMENT, code)
        try:
            territories.validate_code(TerritoryLevel.DEPARTMENT, code)
        except DjangoValidationError as error:
            raise PydanticCustomError("unknown_department", " ".join(error.messages)) from None
        return code


class OrganisationSearch(Schema):
    search: str = Field(
        ...,
        max_length=MAX_SEARCH_LENGTH,
        description=f"At least {MIN_AUTOCOMPLETE_LENGTH} letters of the name or town.",
    )

    @field_validator("search")
    @classmethod
    def _long_enough(cls, text):
        # Counted once folded: spaces and accents alone do not narrow anything down.
        if len(fold(text)) < MIN_AUTOCOMPLETE_LENGTH:
            raise PydanticCustomError(
                "string_too_short",
                _("Type at least %(count)d characters.") % {"count": MIN_AUTOCOMPLETE_LENGTH},
            )
        return text


# Answers ---------------------------------------------------------------------------------


class SectorOut(Schema):
    slug: str
    name: str


class RecognitionOut(Schema):
    kind: RecognitionKind
    label: str
    date: dt.date | None

    @staticmethod
    def resolve_label(recognition):
        return str(recognition.get_kind_display())


class PoleSummaryOut(Schema):
    id: int
    slug: str
    name: str
    town: str
    department_codes: list[str]
    sectors: list[SectorOut]
    recognitions: list[RecognitionOut]
    composition_status: CompositionStatus
    composition_status_label: str
    is_fictional: bool
    url: str

    @staticmethod
    def resolve_slug(pole):
        return pole.organisation.slug

    @staticmethod
    def resolve_name(pole):
        return pole.organisation.name

    @staticmethod
    def resolve_town(pole):
        return pole.organisation.town

    @staticmethod
    def resolve_department_codes(pole):
        return [department.code for department in pole.departments.all()]

    @staticmethod
    def resolve_sectors(pole):
        return pole.sectors.all()

    @staticmethod
    def resolve_recognitions(pole):
        return pole.recognitions.all()

    @staticmethod
    def resolve_composition_status_label(pole):
        return str(pole.get_composition_status_display())

    @staticmethod
    def resolve_is_fictional(pole):
        return pole.organisation.is_fictional

    @staticmethod
    def resolve_url(pole):
        return absolute(pole.get_absolute_url())


class TerritoryAreaOut(Schema):
    level: str
    level_label: str
    code: str
    name: str

    @staticmethod
    def resolve_level_label(area):
        return str(area.get_level_display())

    @staticmethod
    def resolve_name(area):
        # A code stored under an older vintage may be unknown to the shipped one: "" then,
        # as on the pole's page, rather than an error.
        return directory.area_name(area)


class MemberOut(Schema):
    """A member organisation; people are never members here."""

    name: str
    slug: str
    category: str
    category_label: str
    role: str

    @staticmethod
    def resolve_name(member):
        return member.organisation.name

    @staticmethod
    def resolve_slug(member):
        return member.organisation.slug

    @staticmethod
    def resolve_category_label(member):
        return str(member.get_category_display())


class CompositionOut(Schema):
    status: CompositionStatus
    label: str
    #: What is missing, in plain words (see ``network.composition.CompositionCheck``).
    missing: list[str]


class PoleDetailOut(PoleSummaryOut):
    description: str
    creation_year: int | None
    legal_form: str
    legal_form_label: str
    is_legal_person: bool | None
    website: str | None
    territory: list[TerritoryAreaOut]
    geo_vintage: int | None
    members: list[MemberOut]
    composition: CompositionOut

    @staticmethod
    def resolve_legal_form(pole):
        return pole.organisation.legal_form

    @staticmethod
    def resolve_legal_form_label(pole):
        return (
            str(pole.organisation.get_legal_form_display()) if pole.organisation.legal_form else ""
        )

    @staticmethod
    def resolve_is_legal_person(pole):
        return pole.organisation.is_legal_person

    @staticmethod
    def resolve_website(pole):
        return pole.organisation.website or None

    @staticmethod
    def resolve_territory(pole):
        return pole.territory.all()

    @staticmethod
    def resolve_members(pole):
        return pole.members.all()

    @staticmethod
    def resolve_composition(pole):
        # Set by the endpoint from the members already fetched (see ``network.views.api``).
        check = pole.composition_check
        return {
            "status": check.status,
            "label": str(CompositionStatus(check.status).label),
            "missing": [str(message) for message in check.missing],
        }


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    town: str
    is_pole: bool
