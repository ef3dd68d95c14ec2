"""What the API says about editions, venues and programmes.

Moments are ISO 8601 with their offset, in Paris time (``2014-09-19T09:30:00+02:00``), whatever
zone the database returns them in. Texts typed by organisers are given as typed (in French);
labels of codes (``kind_label``) follow the request's language.
"""

import datetime as dt
from typing import Annotated

from django.urls import reverse
from ninja import Schema
from pydantic import AfterValidator

from common.links import absolute
from events.models import PARIS

ParisDateTime = Annotated[dt.datetime, AfterValidator(lambda moment: moment.astimezone(PARIS))]


class VenueSummaryOut(Schema):
    name: str
    city: str
    is_fictional: bool


class VenueOut(VenueSummaryOut):
    street_address: str
    postal_code: str
    public_transport: list[str]
    accessibility: str
    map_url: str | None

    @staticmethod
    def resolve_public_transport(venue):
        return venue.transport_lines

    @staticmethod
    def resolve_map_url(venue):
        return venue.map_url or None


class OrganisationOut(Schema):
    name: str
    slug: str
    kind: str
    kind_label: str
    website: str | None
    is_fictional: bool

    @staticmethod
    def resolve_kind_label(organisation):
        return str(organisation.get_kind_display())

    @staticmethod
    def resolve_website(organisation):
        return organisation.website or None


class SpeakerOut(Schema):
    slug: str
    name: str
    role: str
    organisation_name: str
    url: str

    @staticmethod
    def resolve_url(speaker):
        return absolute(speaker.get_absolute_url())


class SessionOut(Schema):
    starts_at: ParisDateTime
    ends_at: ParisDateTime
    kind: str
    kind_label: str
    title: str
    description: str
    room: str
    is_illustrative: bool
    speakers: list[SpeakerOut]
    organisations: list[OrganisationOut]

    @staticmethod
    def resolve_kind_label(session):
        return str(session.get_kind_display())

    @staticmethod
    def resolve_speakers(session):
        return session.speakers.all()

    @staticmethod
    def resolve_organisations(session):
        return session.organisations.all()


class EditionSummaryOut(Schema):
    slug: str
    number: int | None
    title: str
    summary: str
    date: dt.date
    starts_at: ParisDateTime | None
    ends_at: ParisDateTime | None
    status: str
    is_demonstration: bool
    capacity: int | None
    id_required: bool
    registration_opens_at: ParisDateTime | None
    registration_deadline: ParisDateTime
    url: str
    venue: VenueSummaryOut | None

    @staticmethod
    def resolve_starts_at(edition):
        # Midnight is the model's stand-in for unknown hours; the API says "unknown" plainly.
        return edition.starts_at if edition.has_hours else None

    @staticmethod
    def resolve_ends_at(edition):
        return edition.ends_at if edition.has_hours else None

    @staticmethod
    def resolve_url(edition):
        return absolute(edition.get_absolute_url())


class EditionDetailOut(EditionSummaryOut):
    description: str
    venue: VenueOut | None
    organisers: list[OrganisationOut]
    partners: list[OrganisationOut]
    security_fields: list[str]
    security_list_first_deadline: ParisDateTime | None
    security_list_final_deadline: ParisDateTime | None
    programme_url: str
    sessions: list[SessionOut]

    @staticmethod
    def resolve_organisers(edition):
        return edition.organisers.all()

    @staticmethod
    def resolve_partners(edition):
        return edition.partners.all()

    @staticmethod
    def resolve_security_fields(edition):
        return list(edition.security_fields or [])

    @staticmethod
    def resolve_programme_url(edition):
        return absolute(reverse("events:programme", kwargs={"slug": edition.slug}))

    @staticmethod
    def resolve_sessions(edition):
        return edition.sessions.all()
