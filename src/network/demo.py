"""The directory's demonstration data: the real poles of ``docs/FACTS.md`` and fictional ones.

Real poles carry only what the sources say, and their composition is *not declared*: nothing
is claimed about their members. Where a source places a pole, that place is recorded at the
finest level it states without doubt:

- Le Phares: the commune of L'Île-Saint-Denis (93039), laureate of the 2013 call; the source
  does not date the laureates' announcement, so the recognition has no date.
- Ecopôle alimentaire: "Audruicq area, 62": the department (62) only, since the extent of the
  "area" is not stated; laureate of the 2015 call, announced on 14 January 2016.
- Domb'Innov, La Coursive Boutaric, Pays de Bray, Sud Aquitain: only a region as named in
  2014 is known. It is said in their description but not recorded as a territory: a
  territory is where a pole acts, and a whole region would claim far more than is known (and
  Rhône-Alpes, for one, is now part of a larger region).

Fictional poles are all named "Pôle Exemple …", flagged ``is_fictional``, with fictional
members ("… Exemple …"), spread over departments of every metropolitan region and two
overseas ones so that the directory and the map have something to show. This module gives
them no recognition (calls are real-world facts); the charter's demo (``charter.demo``)
then gives a few the 2021 charter's, through fictional online signatures made on this
platform. Their compositions cover every status of the article 9 check. Everything is
derived from fixed lists: no randomness.

Loading is idempotent like ``ptce.demo``: rows are looked up by slug and created only when
missing; an existing pole is left exactly as it is, members and territory included.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils.text import slugify

from network import poles, territories
from network.enums import (
    CompositionStatus,
    LegalForm,
    MemberCategory,
    OrganisationKind,
    RecognitionKind,
    TerritoryLevel,
)
from network.models import (
    Organisation,
    Pole,
    PoleMember,
    Recognition,
    Sector,
    TerritoryArea,
)


@dataclass(frozen=True)
class MemberData:
    name: str
    kind: str
    legal_form: str
    category: str
    role: str = "membre"
    is_legal_person: bool | None = None


@dataclass(frozen=True)
class PoleData:
    slug: str
    name: str
    description: str = ""
    town: str = ""
    department_code: str = ""
    legal_form: str = ""
    is_legal_person: bool | None = None
    creation_year: int | None = None
    #: ``(TerritoryLevel, INSEE code)`` pairs.
    territory: tuple = ()
    sectors: tuple = ()
    #: ``(RecognitionKind, date or None)`` pairs.
    recognitions: tuple = ()
    composition_declared: bool = False
    members: tuple = ()
    is_fictional: bool = False


@dataclass
class NetworkDemoResult:
    #: ``(pole, created)`` for each pole of the demo, real ones first.
    poles: list = field(default_factory=list)


# Real poles -------------------------------------------------------------------------------

SECOND_DAY = "la 2e Journée nationale des PTCE, le 19 septembre 2014, à Paris"


def _testified(slug, name, region_2014):
    # Slugs and names as in ptce.demo, which creates these organisations too.
    return PoleData(
        slug=slug,
        name=name,
        description=(
            f"Pôle territorial de coopération économique de la région {region_2014} "
            f"(nom de la région en 2014). Il a témoigné lors de {SECOND_DAY}."
        ),
    )


REAL_POLES = (
    _testified("domb-innov", "Domb'Innov", "Rhône-Alpes"),
    _testified("la-coursive-boutaric", "La Coursive Boutaric", "Bourgogne"),
    _testified("pays-de-bray", "Pays de Bray", "Picardie"),
    _testified("sud-aquitain", "Sud Aquitain", "Aquitaine"),
    PoleData(
        slug="le-phares",
        name="Le Phares",
        description=(
            "Pôle territorial de coopération économique de L'Île-Saint-Denis "
            "(Seine-Saint-Denis), lauréat de l'appel à projets interministériel de 2013."
        ),
        town="L'Île-Saint-Denis",
        department_code="93",
        territory=((TerritoryLevel.COMMUNE, "93039"),),
        recognitions=((RecognitionKind.CALL_2013, None),),
    ),
    PoleData(
        slug="ecopole-alimentaire",
        name="Ecopôle alimentaire",
        description=(
            "Pôle territorial de coopération économique du secteur d'Audruicq "
            "(Pas-de-Calais), lauréat de l'appel à projets de 2015 (lauréats annoncés le "
            "14 janvier 2016)."
        ),
        department_code="62",
        territory=((TerritoryLevel.DEPARTMENT, "62"),),
        recognitions=((RecognitionKind.CALL_2015, dt.date(2016, 1, 14)),),
    ),
)


# Fictional poles --------------------------------------------------------------------------

#: Sectors of activity: ``(slug, name)``; names in French, as organisers type them.
SECTORS = (
    ("alimentation-agriculture", "Alimentation et agriculture"),
    ("economie-circulaire", "Économie circulaire et réemploi"),
    ("energie", "Énergies renouvelables"),
    ("mobilite", "Mobilité"),
    ("habitat", "Habitat et construction"),
    ("culture", "Culture et médias"),
    ("services-personne", "Services à la personne"),
    ("numerique", "Numérique"),
    ("tourisme", "Tourisme"),
    ("insertion", "Insertion par l'activité économique"),
    ("textile", "Textile et mode"),
    ("sante", "Santé et action sociale"),
)

#: Departments the fictional poles are in, by current region: every metropolitan region and
#: two overseas ones.
DEPARTMENTS_BY_REGION = (
    ("84", ("01", "38", "63", "69", "73")),
    ("27", ("21", "25", "71")),
    ("53", ("22", "29", "35", "56")),
    ("24", ("37", "45")),
    ("94", ("2A",)),
    ("44", ("51", "57", "67", "68")),
    ("32", ("59", "60", "62", "80")),
    ("11", ("75", "93", "94")),
    ("28", ("14", "76")),
    ("75", ("17", "33", "64", "87")),
    ("76", ("31", "34", "66")),
    ("52", ("44", "49", "85")),
    ("93", ("06", "13", "84")),
    ("04", ("974",)),
    ("01", ("971",)),
)
DEPARTMENTS = tuple(code for _region, codes in DEPARTMENTS_BY_REGION for code in codes)

#: "Pôle Exemple " + place + side: 12 places by 5 sides, 60 names.
PLACES = (
    "des Coteaux",
    "du Bocage",
    "des Marais",
    "du Plateau",
    "des Forges",
    "du Val",
    "des Landes",
    "de la Côte",
    "des Vergers",
    "du Causse",
    "des Étangs",
    "de la Plaine",
)
SIDES = ("", " du Nord", " du Sud", " de l'Est", " de l'Ouest")
TOWNS = ("Ville-Exemple", "Bourg-Exemple", "Val-Exemple", "Port-Exemple", "Mont-Exemple")

#: The statuses of the fictional poles, in turn: most are not declared.
STATUS_CYCLE = (
    CompositionStatus.MEETS_DECREE_2015,
    CompositionStatus.NOT_DECLARED,
    CompositionStatus.MEETS_ARTICLE_9,
    CompositionStatus.NOT_DECLARED,
    CompositionStatus.NOT_DECLARED,
    CompositionStatus.DOES_NOT_MEET,
    CompositionStatus.NOT_DECLARED,
    CompositionStatus.NOT_DECLARED,
    CompositionStatus.NOT_DECLARED,
    CompositionStatus.NOT_DECLARED,
)


def _members(suffix, status, index):
    """Fictional members for a pole whose name ends with ``suffix``, giving ``status``."""
    ess = MemberData(
        f"Coopérative Exemple {suffix}",
        OrganisationKind.ESS_ENTERPRISE,
        LegalForm.COOPERATIVE,
        MemberCategory.ESS_ENTERPRISE,
        role="fondatrice",
    )
    association = MemberData(
        f"Association Exemple {suffix}",
        OrganisationKind.ESS_ENTERPRISE,
        LegalForm.ASSOCIATION,
        MemberCategory.ESS_ENTERPRISE,
    )
    enterprise = MemberData(
        f"Entreprise Exemple {suffix}",
        OrganisationKind.ENTERPRISE,
        LegalForm.COMMERCIAL_COMPANY,
        MemberCategory.ENTERPRISE,
    )
    others = (
        MemberData(
            f"Communauté de communes Exemple {suffix}",
            OrganisationKind.PUBLIC_BODY,
            LegalForm.PUBLIC_BODY,
            MemberCategory.LOCAL_AUTHORITY,
            role="partenaire",
        ),
        MemberData(
            f"Laboratoire Exemple {suffix}",
            OrganisationKind.RESEARCH_EDUCATION,
            LegalForm.PUBLIC_BODY,
            MemberCategory.RESEARCH_CENTRE,
            role="partenaire",
        ),
        MemberData(
            f"Organisme de formation Exemple {suffix}",
            OrganisationKind.TRAINING_BODY,
            LegalForm.ASSOCIATION,
            MemberCategory.TRAINING_BODY,
        ),
        MemberData(
            f"Université Exemple {suffix}",
            OrganisationKind.RESEARCH_EDUCATION,
            LegalForm.PUBLIC_BODY,
            MemberCategory.HIGHER_EDUCATION,
            role="partenaire",
        ),
    )
    other = others[index % len(others)]
    # A collective with no legal form and not known to be a legal person: article 9 counts
    # it, the decree does not.
    informal = MemberData(
        f"Collectif Exemple {suffix}",
        OrganisationKind.OTHER,
        LegalForm.OTHER,
        MemberCategory.OTHER_PERSON,
        is_legal_person=False,
    )
    if status == CompositionStatus.MEETS_DECREE_2015:
        return (ess, enterprise, other, association)
    if status == CompositionStatus.MEETS_ARTICLE_9:
        # Only the informal collective is an "other person": the decree is not met.
        return (ess, enterprise, informal)
    if status == CompositionStatus.DOES_NOT_MEET:
        return (ess, association, other)  # no enterprise outside the ESS
    # Not declared: the members known so far, the list being incomplete.
    return ((ess, enterprise), (association,), (ess, other))[index % 3]


def _fictional_pole(index, name, department, *, extra_department=None):
    status = STATUS_CYCLE[index % len(STATUS_CYCLE)]
    suffix = name.removeprefix("Pôle Exemple ")
    sectors = (SECTORS[index % len(SECTORS)][0], SECTORS[(index * 5 + 3) % len(SECTORS)][0])
    territory = [(TerritoryLevel.DEPARTMENT, department)]
    if extra_department:
        territory.append((TerritoryLevel.DEPARTMENT, extra_department))
    # A cooperative (a SCIC, say) or an association: a legal person either way.
    legal_form = LegalForm.COOPERATIVE if index % 2 else LegalForm.ASSOCIATION
    return PoleData(
        slug=slugify(name),
        name=name,
        description=(
            "Pôle fictif, inventé pour la démonstration : ses membres, fictifs eux aussi, "
            "mettent des moyens en commun et mènent ensemble des projets sur leur territoire."
        ),
        town=TOWNS[index % len(TOWNS)],
        department_code=department,
        legal_form=legal_form,
        creation_year=2008 + index % 15,
        territory=tuple(territory),
        sectors=tuple(dict.fromkeys(sectors)),
        composition_declared=status != CompositionStatus.NOT_DECLARED,
        members=_members(suffix, status, index),
        is_fictional=True,
    )


def _neighbour(department):
    """The next department of ``department``'s region in the list above, if it has one."""
    for _region, codes in DEPARTMENTS_BY_REGION:
        if department in codes and len(codes) > 1:
            return codes[(codes.index(department) + 1) % len(codes)]
    return None


def _fictional_poles():
    """The fictional poles: the two of the demonstration edition, then 60 more."""
    names = [
        # Partners of ptce.demo's demonstration edition: same slugs and names.
        ("Pôle Exemple des Deux-Rives", "35"),
        ("Pôle Exemple du Haut-Val", "73"),
    ]
    names += [(f"Pôle Exemple {place}{side}", None) for side in SIDES for place in PLACES]
    result = []
    for index, (name, department) in enumerate(names):
        department = department or DEPARTMENTS[index % len(DEPARTMENTS)]
        # One pole in seven also acts in another department of its region.
        extra = _neighbour(department) if index % 7 == 3 else None
        result.append(_fictional_pole(index, name, department, extra_department=extra))
    return tuple(result)


FICTIONAL_POLES = _fictional_poles()


# Loading ----------------------------------------------------------------------------------


def load_network_demo():
    """Create the demonstration poles, their sectors and members when missing.

    Side effects, in one transaction: creates the missing sectors, organisations, poles,
    territory areas, members and recognitions, then refreshes each created pole's derived
    departments and composition status (``network.poles.refresh``). Existing rows, an
    existing pole's members and territory included, are never changed.
    """
    everything = (*REAL_POLES, *FICTIONAL_POLES)
    slugs = {data.slug for data in everything}
    slugs |= {slugify(member.name) for data in everything for member in data.members}
    result = NetworkDemoResult()
    with transaction.atomic():
        sectors = {slug: _sector(slug, name) for slug, name in SECTORS}
        # Looked up once: the demo is loaded by every test of the demo, so it should be quick.
        organisations = {org.slug: org for org in Organisation.objects.filter(slug__in=slugs)}
        existing = {
            pole.organisation.slug: pole
            for pole in Pole.objects.filter(organisation__slug__in=slugs).select_related(
                "organisation"
            )
        }
        for data in everything:
            if data.slug in existing:
                result.poles.append((existing[data.slug], False))
            else:
                result.poles.append((_new_pole(data, sectors, organisations), True))
    return result


def _valid(model, **fields):
    """An unsaved row, validated as the admin would, so that demo data obeys its rules.

    Uniqueness and related rows are not checked (a query each): the slugs were looked up
    first, the related rows were just read or created, and the database enforces both.
    """
    instance = model(**fields)
    related = [name for name, value in fields.items() if isinstance(value, models.Model)]
    instance.full_clean(exclude=related, validate_unique=False, validate_constraints=False)
    return instance


def _create(model, **fields):
    instance = _valid(model, **fields)
    instance.save()
    return instance


def _sector(slug, name):
    return Sector.objects.filter(slug=slug).first() or _create(Sector, slug=slug, name=name)


def _organisation(organisations, slug, **fields):
    """The organisation with ``slug``, created (and remembered) when missing."""
    if slug not in organisations:
        organisations[slug] = _create(Organisation, slug=slug, **fields)
    return organisations[slug]


def _new_pole(data, sectors, organisations):
    """The pole of ``data`` with its territory, sectors, recognitions and members."""
    organisation = _organisation(
        organisations,
        data.slug,
        name=data.name,
        kind=OrganisationKind.POLE,
        legal_form=data.legal_form,
        is_legal_person=data.is_legal_person,
        town=data.town,
        department_code=data.department_code,
        is_fictional=data.is_fictional,
    )
    pole = _create(
        Pole,
        organisation=organisation,
        description=data.description,
        creation_year=data.creation_year,
        geo_vintage=territories.VINTAGE if data.territory else None,
        composition_declared=data.composition_declared,
    )
    pole.sectors.set([sectors[slug] for slug in data.sectors])
    TerritoryArea.objects.bulk_create(
        [_valid(TerritoryArea, pole=pole, level=level, code=code) for level, code in data.territory]
    )
    Recognition.objects.bulk_create(
        [_valid(Recognition, pole=pole, kind=kind, date=date) for kind, date in data.recognitions]
    )
    members = []
    for member in data.members:
        member_organisation = _organisation(
            organisations,
            slugify(member.name),
            name=member.name,
            kind=member.kind,
            legal_form=member.legal_form,
            is_legal_person=member.is_legal_person,
            is_fictional=data.is_fictional,
        )
        members.append(
            _valid(
                PoleMember,
                pole=pole,
                organisation=member_organisation,
                category=member.category,
                role=member.role,
            )
        )
    PoleMember.objects.bulk_create(members)
    poles.refresh(pole)
    return pole
