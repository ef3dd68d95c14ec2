"""The charter's demonstration data: its two versions with placeholder texts, and a handful
of signatures by fictional organisations only.

Neither version's text is in the project's sources: the demo stores a text that says it is a
placeholder (``text_is_placeholder``, shown as such on every page), which organisers replace
with the real one. The 2014 version is closed (it was signed at the 2014 national day); the
2021 version is open, as online signing has been since its update.

No signature is ever invented for a real organisation: the signatories are the demo's
fictional poles and networks ("… Exemple …", ``is_fictional``), online on fixed past dates,
some with their representative's name public. Their representatives are fictional too. The
ceremony of the demonstration edition is opened with no signature yet: that day is weeks
ahead, and a signature "made on stage" before the day would be a false record; the run sheet
is there to try it. The 2014 version has no signature in the demo: it was only signed at the
real 2014 day.

Loading is idempotent like ``ptce.demo``: versions are looked up by slug, the ceremony by
its edition, and an organisation that has a signature of a version (even a revoked one) gets
none again; existing rows are never changed.
"""

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone

from charter import signatures
from charter.enums import Channel
from charter.models import Ceremony, CharterVersion, Signature
from events.models import PARIS
from network.enums import RecognitionKind
from network.models import Organisation

PLACEHOLDER = """\
Texte provisoire de démonstration — ce n'est pas le texte de la Charte de la démarche \
collective PTCE ({year}).

Le texte de cette version de la charte ne figure pas dans les documents du projet. Un \
organisateur peut saisir le texte officiel dans la gestion de la charte ; en attendant, ce \
paragraphe tient sa place et chaque page le signale."""

VERSIONS = (
    {
        "slug": "2014",
        "title": "Charte de la démarche collective PTCE (2014)",
        "year": 2014,
        "is_open": False,
        "recognition_kind": RecognitionKind.CHARTER_2014,
    },
    {
        "slug": "2021",
        "title": "Charte de la démarche collective PTCE (version 2021)",
        "year": 2021,
        "is_open": True,
        "recognition_kind": RecognitionKind.CHARTER_2021,
    },
)

SIGNED_VERSION = "2021"


@dataclass(frozen=True)
class DemoSignature:
    organisation_slug: str
    name: str
    role: str
    name_is_public: bool
    #: When it was signed online.
    signed_at: dt.datetime


def _at(year, month, day, hour, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


# Fictional organisations of ptce.demo and network.demo, by slug. Pôle Exemple des
# Deux-Rives is left unsigned so that its signature can be tried at the ceremony.
ONLINE = (
    DemoSignature(
        "reseau-exemple-des-poles", "Camille Exemple", "Présidente", True, _at(2021, 9, 14, 10)
    ),
    DemoSignature(
        "pole-exemple-des-coteaux", "Claude Exemple", "Coordinateur", True, _at(2022, 3, 8, 15)
    ),
    DemoSignature(
        "pole-exemple-du-bocage", "Morgane Exemple", "Directrice", False, _at(2023, 1, 19, 11)
    ),
    DemoSignature(
        "collectif-exemple-des-collectivites",
        "Sacha Exemple",
        "Élu référent",
        False,
        _at(2024, 6, 4, 9, 30),
    ),
    DemoSignature(
        "pole-exemple-du-haut-val", "Alex Exemple", "Co-présidente", True, _at(2025, 2, 11, 14)
    ),
    DemoSignature(
        "pole-exemple-des-marais", "Noé Exemple", "Chargé de mission", False, _at(2025, 10, 2, 16)
    ),
)


def load_charter_demo(demonstration=None, *, by=None):
    """Create the versions, the demonstration edition's ceremony (when ``demonstration`` is
    given) and the demo's signatures that are missing.

    Side effects, in one transaction: the missing versions; the ceremony, opened by ``by``,
    with no signature; each missing signature and, for a pole, its recognition (through
    ``charter.signatures.record``).
    A fictional organisation missing from the database is skipped. Returns the signatures
    created.
    """
    created = []
    with transaction.atomic():
        versions = {data["slug"]: _version(data) for data in VERSIONS}
        version = versions[SIGNED_VERSION]
        if not version.is_open:
            # An organiser closed it since: the demo signs nothing then.
            return created
        for data in ONLINE:
            online = partial(
                signatures.record, version, channel=Channel.ONLINE, signed_at=data.signed_at
            )
            created += _sign(version, data, online)
        if demonstration is not None:
            _ceremony(demonstration, version, by)
    return created


def _version(data):
    existing = CharterVersion.objects.filter(slug=data["slug"]).first()
    if existing:
        return existing
    version = CharterVersion(
        text=PLACEHOLDER.format(year=data["year"]), text_is_placeholder=True, **data
    )
    version.full_clean()
    version.save()
    return version


def _ceremony(edition, version, by):
    """The edition's ceremony: created open for ``version`` when missing; an existing one is
    used only if it is of this version."""
    existing = Ceremony.objects.filter(edition=edition).first()
    if existing is None:
        return Ceremony.objects.create(
            edition=edition, version=version, opened_at=timezone.now(), opened_by=by
        )
    return existing if existing.version_id == version.pk else None


def _sign(version, data, record):
    """``[signature]`` when ``record`` signed ``data``'s fictional organisation now, else
    ``[]`` (it has a signature of the version already, or is not in the database)."""
    organisation = Organisation.objects.filter(
        slug=data.organisation_slug, is_fictional=True
    ).first()
    if organisation is None:
        return []
    if Signature.objects.filter(version=version, organisation=organisation).exists():
        return []
    return [
        record(
            organisation,
            representative_name=data.name,
            representative_role=data.role,
            name_is_public=data.name_is_public,
        )
    ]
