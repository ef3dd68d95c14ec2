"""What the API says about the charter: its versions and their standing signatures.

Public: organisations, and a representative's name and role only with their consent (else
``null``); never an email address, never a receipt code. Texts typed by people (names,
roles) are given as typed; labels of codes (``*_label``) follow the request's language.
Moments are ISO 8601 in Paris time.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from ninja import Field, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from charter import listing
from charter.enums import Channel
from events.schemas import ParisDateTime, absolute
from network import territories
from network.enums import TerritoryLevel

# Filters ---------------------------------------------------------------------------------


class SignatureFilters(Schema):
    """The public list's filters. An empty value is no filter, as in the list's form."""

    region: str | None = Field(
        None, max_length=20, description="INSEE code of a region since 2016, e.g. 84."
    )
    kind: Literal["pole", "network"] | None = Field(None, description="Kind of organisation.")
    channel: Channel | None = None

    @field_validator("region", "kind", "channel", mode="before")
    @classmethod
    def _empty_is_no_filter(cls, value):
        return None if value == "" else value

    @field_validator("region")
    @classmethod
    def _known_region(cls, code):
        if code is None:
            return None
        code = territories.normalise_code(TerritoryLevel.REGION, code)
        try:
            territories.departments_in_region(code)
        except DjangoValidationError as error:
            raise PydanticCustomError("unknown_region", " ".join(error.messages)) from None
        return code


# Answers ---------------------------------------------------------------------------------


class VersionOut(Schema):
    slug: str
    title: str
    year: int
    adopted_on: dt.date | None
    is_open: bool
    text_is_placeholder: bool
    #: Standing signatures (revoked ones no longer count).
    signatures: int
    url: str

    @staticmethod
    def resolve_signatures(version):
        return version.standing_count

    @staticmethod
    def resolve_url(version):
        return absolute(reverse("charter:version", kwargs={"version": version.slug}))


class SignatoryOut(Schema):
    name: str
    slug: str
    kind: str
    kind_label: str
    is_fictional: bool
    #: The pole's page in the directory; null for an organisation that is not a pole there.
    url: str | None


class DepartmentOut(Schema):
    code: str
    name: str


class TerritoryOut(Schema):
    town: str
    departments: list[DepartmentOut]
    #: Names of the regions (since 2016) of ``departments``.
    regions: list[str]


class RepresentativeOut(Schema):
    name: str
    role: str


class SignatureOut(Schema):
    organisation: SignatoryOut
    territory: TerritoryOut
    version: str
    signed_at: ParisDateTime
    channel: Channel
    channel_label: str
    #: The national day's slug for a signature made at its ceremony, else null.
    edition: str | None
    #: Only when the representative agreed to be named publicly; else null.
    representative: RepresentativeOut | None

    @staticmethod
    def resolve_organisation(signature):
        organisation = signature.organisation
        pole = getattr(organisation, "pole", None)
        return {
            "name": organisation.name,
            "slug": organisation.slug,
            "kind": organisation.kind,
            "kind_label": str(organisation.get_kind_display()),
            "is_fictional": organisation.is_fictional,
            "url": absolute(pole.get_absolute_url()) if pole else None,
        }

    @staticmethod
    def resolve_territory(signature):
        return listing.territory(signature.organisation)

    @staticmethod
    def resolve_version(signature):
        return signature.version.slug

    @staticmethod
    def resolve_channel_label(signature):
        return str(signature.get_channel_display())

    @staticmethod
    def resolve_edition(signature):
        edition = listing.public_edition(signature)
        return edition.slug if edition else None

    @staticmethod
    def resolve_representative(signature):
        return listing.representative(signature)
