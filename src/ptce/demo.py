"""The demonstration data that ``ptce demo`` loads.

Two real past days, told only with the facts of the seed and ``docs/FACTS.md``, and one
upcoming demonstration edition where everything (organiser, partners, venue, people) is
invented and flagged ``is_fictional``, so that a newcomer can try registration, tickets and
check-in. Nothing invented is attached to a real person, organisation or place.

Loading is idempotent: objects are looked up by their natural key (slugs) and created only
when missing; existing rows are never updated, so an organiser's later edits survive a re-run
and the demonstration edition keeps the date it was given when first created.
"""

import datetime as dt
import os
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Membership, User
from admission.demo import add_demonstration_entrances, open_demonstration_rehearsal
from charter.demo import load_charter_demo
from events.enums import EditionStatus, SecurityField, SessionKind
from events.models import PARIS, Edition, Session, Speaker, Venue
from network.demo import load_network_demo
from network.enums import OrganisationKind
from network.models import Organisation
from registrations.demo import add_demonstration_categories

ORGANISER_USERNAME = "organisatrice"
ORGANISER_EMAIL = "organisatrice@example.org"
PASSWORD_ENV = "PTCE_PASSWORD"  # noqa: S105 (a variable's name)
LOGIN_FILE_NAME = "demo-login.txt"
#: The reception agent of the demonstration edition, who can rehearse check-in.
AGENT_USERNAME = "accueil"
AGENT_EMAIL = "accueil@example.org"
AGENT_LOGIN_FILE_NAME = "demo-agent-login.txt"

#: The demonstration day is set about two months after the demo is first loaded...
DEMONSTRATION_LEAD = dt.timedelta(days=60)
#: ...on the next Friday, the national days' usual weekday (19 September 2014 was one).
FRIDAY = 4
#: Deadlines of the demonstration edition, counted back from the start of the day.
REGISTRATION_CLOSES_BEFORE = dt.timedelta(days=10)
SECURITY_LIST_FIRST_DEADLINE_BEFORE = dt.timedelta(days=21)
SECURITY_LIST_FINAL_DEADLINE_BEFORE = dt.timedelta(days=7)

DAY_START, DAY_END = dt.time(9, 30), dt.time(16, 30)

CHARTER = "« Charte de la démarche collective PTCE »"

#: The demonstration day's afternoon workshops, all at the same time (one slot): title,
#: description, room, seats and the slug of the fictional speaker who leads it.
DEMONSTRATION_WORKSHOPS = (
    (
        "Financer son pôle : outils et partenaires",
        "Subventions, fonds européens, apports des membres : un atelier fictif pour comparer "
        "les sources de financement d'un pôle.",
        "Les Tilleuls",
        30,
        "lou-exemple",
    ),
    (
        "Coopérer avec les collectivités locales",
        "Conventions, commande publique, appels à projets : comment un pôle travaille avec sa "
        "commune, son intercommunalité et sa région (atelier fictif).",
        "Les Platanes",
        30,
        "sacha-exemple",
    ),
    (
        "Signer et faire vivre la charte des PTCE",
        f"Ce qu'engage la signature de la {CHARTER} et comment la faire vivre au sein d'un "
        "pôle (atelier fictif).",
        "Le Verger",
        40,
        "noa-exemple",
    ),
    (
        "Mutualiser emplois et compétences",
        "Groupements d'employeurs, postes partagés, formations communes : des exemples fictifs "
        "de mutualisation entre les membres d'un pôle.",
        "Grande salle",
        60,
        "maxime-exemple",
    ),
)


@dataclass(frozen=True)
class OrganisationData:
    slug: str
    name: str
    kind: str
    website: str = ""
    is_fictional: bool = False


# Real organisations: names as in the seed, nothing more than the sources say. Le Labo de
# l'ESS calls itself a think tank, which is not a network of organisations: kind "other".
LABO = OrganisationData(
    "labo-ess", "Le Labo de l'ESS", OrganisationKind.OTHER, website="https://www.lelabo-ess.org"
)
PARTNER_NETWORKS = (
    OrganisationData(
        "rtes",
        "Réseau des collectivités territoriales pour une économie solidaire (RTES)",
        OrganisationKind.NETWORK,
    ),
    OrganisationData(
        "cncres",
        "Conseil national des chambres régionales de l'ESS (CNCRES)",
        OrganisationKind.NETWORK,
    ),
    OrganisationData("coorace", "COORACE", OrganisationKind.NETWORK),
    OrganisationData("mes", "Mouvement pour l'économie solidaire (MES)", OrganisationKind.NETWORK),
    OrganisationData("ufisc", "Ufisc", OrganisationKind.NETWORK),
)
#: The poles that testified on 19 September 2014, and their regions (as named in 2014).
TESTIFYING_POLES = (
    (OrganisationData("domb-innov", "Domb'Innov", OrganisationKind.POLE), "Rhône-Alpes"),
    (
        OrganisationData("la-coursive-boutaric", "La Coursive Boutaric", OrganisationKind.POLE),
        "Bourgogne",
    ),
    (OrganisationData("pays-de-bray", "Pays de Bray", OrganisationKind.POLE), "Picardie"),
    (OrganisationData("sud-aquitain", "Sud Aquitain", OrganisationKind.POLE), "Aquitaine"),
)
REAL_ORGANISATIONS = (LABO, *PARTNER_NETWORKS, *(pole for pole, _region in TESTIFYING_POLES))


def _fictional(slug, name, kind):
    return OrganisationData(slug, name, kind, is_fictional=True)


# Invented organisations: every name says "Exemple" so that nobody mistakes them for real ones.
EXAMPLE_NETWORK = _fictional(
    "reseau-exemple-des-poles", "Réseau Exemple des pôles", OrganisationKind.NETWORK
)
EXAMPLE_PARTNERS = (
    _fictional("pole-exemple-des-deux-rives", "Pôle Exemple des Deux-Rives", OrganisationKind.POLE),
    _fictional("pole-exemple-du-haut-val", "Pôle Exemple du Haut-Val", OrganisationKind.POLE),
    _fictional(
        "collectif-exemple-des-collectivites",
        "Collectif Exemple des collectivités",
        OrganisationKind.NETWORK,
    ),
)
FICTIONAL_ORGANISATIONS = (EXAMPLE_NETWORK, *EXAMPLE_PARTNERS)


@dataclass
class OrganiserAccount:
    """A demonstration account (the organiser's, the agent's) and what can be said about its
    password."""

    user: User
    created: bool
    #: The password to show, when it is known to still be the account's password.
    password: str | None = None
    #: True when the password is the one given in ``PTCE_PASSWORD`` (not repeated on screen).
    password_from_environment: bool = False


@dataclass
class DemoResult:
    #: ``(edition, created)`` for each edition of the demo, oldest first.
    editions: list[tuple[Edition, bool]] = field(default_factory=list)
    #: Editions that were not created because their number already belongs to another one.
    conflicts: list[tuple[str, Edition]] = field(default_factory=list)
    account: OrganiserAccount | None = None
    agent: OrganiserAccount | None = None


def load_demo():
    """Load the demonstration data; return what was found or created.

    Side effects, all in one transaction: creates the missing organisations, venues,
    editions, speakers, programme sessions, the demonstration edition's registration
    categories and entrances, the ``organisatrice`` account and its organiser role, the
    charter's versions and fictional signatures (``charter.demo``). When
    that account is created without ``PTCE_PASSWORD``, a generated password is written to
    ``VAR_DIR/demo-login.txt`` (mode 0600). Existing rows are never changed.
    Raises ``ValidationError`` when ``PTCE_PASSWORD`` is too weak.
    """
    result = DemoResult()
    with transaction.atomic():
        load_network_demo()
        orgs = {data.slug: _organisation(data) for data in REAL_ORGANISATIONS}
        orgs |= {data.slug: _organisation(data) for data in FICTIONAL_ORGANISATIONS}
        _edition_once(result, "2012", 1, _first_national_day)
        _edition_once(result, "2014", 2, lambda: _second_national_day(orgs))
        _edition_once(result, "demonstration", None, lambda: _demonstration_edition(orgs))
        demonstration = Edition.objects.filter(slug="demonstration", is_demonstration=True)
        for edition in demonstration:
            add_demonstration_categories(edition)
            add_demonstration_entrances(edition)
        network = orgs[EXAMPLE_NETWORK.slug]
        result.account = _account(ORGANISER_USERNAME, ORGANISER_EMAIL, network, Role.ORGANISER)
        edition = demonstration.first()
        if edition is not None:
            result.agent = _account(
                AGENT_USERNAME,
                AGENT_EMAIL,
                network,
                Role.AGENT,
                edition=edition,
                file_name=AGENT_LOGIN_FILE_NAME,
            )
            open_demonstration_rehearsal(
                edition, [result.agent.user], by=result.account.user, now=timezone.now()
            )
        load_charter_demo(edition, by=result.account.user)
    return result


# Building blocks --------------------------------------------------------------------------


def _create(model, **fields):
    """Create one row after validating it, so that demo data obeys the admin's rules."""
    instance = model(**fields)
    instance.full_clean()
    instance.save()
    return instance


def _organisation(data):
    """The organisation with ``data.slug``, created from ``data`` when missing."""
    existing = Organisation.objects.filter(slug=data.slug).first()
    if existing:
        return existing
    return _create(
        Organisation,
        slug=data.slug,
        name=data.name,
        kind=data.kind,
        website=data.website,
        is_fictional=data.is_fictional,
    )


def _venue(**fields):
    """The venue at this name and address, created when missing (venues have no slug)."""
    address = {key: fields[key] for key in ("name", "street_address", "postal_code", "city")}
    return Venue.objects.filter(**address).order_by("pk").first() or _create(Venue, **fields)


def _edition_once(result, slug, number, build):
    """Add the edition ``slug`` to ``result``, building it with its programme if missing.

    An edition that exists is left exactly as it is, programme included. One whose number
    already belongs to another edition (made by hand, say) is not built: it is reported.
    """
    edition = Edition.objects.filter(slug=slug).first()
    if edition:
        result.editions.append((edition, False))
    elif number is not None and (holder := Edition.objects.filter(number=number).first()):
        result.conflicts.append((slug, holder))
    else:
        result.editions.append((build(), True))


def _slot(start, end, kind, title, description="", **links):
    """One programme session to create: times as "HH:MM", links as for ``_programme``."""
    return {
        "start_time": dt.time.fromisoformat(start),
        "end_time": dt.time.fromisoformat(end),
        "kind": kind,
        "title": title,
        "description": description,
        **links,
    }


def _programme(edition, slots):
    """Create ``edition``'s sessions from ``_slot``s, all marked illustrative.

    A slot may name a ``room``, its ``speakers`` and the ``organisations`` taking part.
    """
    for slot in slots:
        speakers = slot.pop("speakers", [])
        organisations = slot.pop("organisations", [])
        session = _create(Session, edition=edition, is_illustrative=True, **slot)
        session.speakers.set(speakers)
        session.organisations.set(organisations)


# The real past days ---------------------------------------------------------------------


def _first_national_day():
    """25 June 2012: only the date is known (no venue, hours, capacity or programme)."""
    # No organiser is recorded: the sources do not say who organised the 1st day.
    return _create(
        Edition,
        slug="2012",
        number=1,
        title="1re Journée nationale des Pôles territoriaux de coopération économique (PTCE)",
        summary="La 1re Journée nationale des PTCE s'est tenue le 25 juin 2012.",
        description=(
            "La 1re Journée nationale des pôles territoriaux de coopération économique s'est "
            "tenue le 25 juin 2012. Elle a confirmé l'intérêt des territoires pour ces formes "
            "de coopération et a permis d'initier l'investissement gouvernemental sur le sujet."
        ),
        date=dt.date(2012, 6, 25),
        start_time=None,
        end_time=None,
        venue=None,
        capacity=None,
        id_required=False,
        status=EditionStatus.ARCHIVED,
    )


SECOND_DAY_DESCRIPTION = f"""\
La 2e Journée nationale des pôles territoriaux de coopération économique (PTCE) s'est tenue \
le vendredi 19 septembre 2014, de 9 h 30 à 16 h 30, au Centre de conférences Pierre Mendès \
France du ministère de l'Économie et des Finances, à Paris. Elle était organisée par Le Labo \
de l'ESS, avec le RTES, le CNCRES, COORACE, le MES et l'Ufisc.

L'objectif : échanger sur la contribution des PTCE à la transformation de l'économie et sur \
leurs perspectives d'avenir, et permettre aux pôles territoriaux de se rencontrer et de \
partager leurs expériences. Près de 200 pôles se revendiquaient alors de cette démarche en \
France.

La journée a été rythmée par des témoignages de pôles et d'experts et par des débats avec des \
représentants institutionnels et politiques. Elle s'est conclue par la signature de la \
{CHARTER} par les pôles et les réseaux partenaires, en présence des ministres engagés sur le \
sujet : 39 pôles l'ont signée ce jour-là.

L'accès était libre, avec inscription obligatoire. Pour des raisons de sécurité, une pièce \
d'identité était exigée à l'accueil du ministère.

Plus de 300 personnes étaient attendues ; environ 500 sont venues. La journée a été ouverte \
par Sylvia Pinel et close par Carole Delga, secrétaire d'État chargée du Commerce, de \
l'Artisanat, de la Consommation et de l'Économie sociale et solidaire."""

CAROLE_DELGA_ROLE = (
    "Secrétaire d'État chargée du Commerce, de l'Artisanat, de la Consommation et de "
    "l'Économie sociale et solidaire"
)


def _second_national_day(orgs):
    """19 September 2014, with every fact of the seed; the programme's times are invented."""
    labo = orgs[LABO.slug]
    venue = _venue(
        name="Centre de conférences Pierre Mendès France — Ministère de l'Économie et des Finances",
        street_address="139 rue de Bercy",
        postal_code="75012",
        city="Paris",
        public_transport="\n".join(
            [
                "RER A ou D",
                "Métro 1 et 14 (Gare de Lyon)",
                "Métro 6 et 14 (Bercy)",
                "Bus 24 et 87",
            ]
        ),
        owner=labo,
    )
    edition = _create(
        Edition,
        slug="2014",
        number=2,
        title="2e Journée nationale des Pôles territoriaux de coopération économique (PTCE)",
        summary=(
            "Le 19 septembre 2014 à Paris, les pôles territoriaux de coopération économique "
            "et leurs réseaux partenaires ont échangé sur la contribution des PTCE à la "
            "transformation de l'économie, et signé la Charte de la démarche collective PTCE."
        ),
        description=SECOND_DAY_DESCRIPTION,
        date=dt.date(2014, 9, 19),
        start_time=DAY_START,
        end_time=DAY_END,
        venue=venue,
        capacity=300,  # "plus de 300 personnes attendues"
        id_required=True,
        security_fields=[],
        status=EditionStatus.ARCHIVED,
    )
    edition.organisers.set([labo])
    edition.partners.set([orgs[data.slug] for data in PARTNER_NETWORKS])

    pinel = _create(
        Speaker, edition=edition, slug="sylvia-pinel", name="Sylvia Pinel", role="Ministre"
    )
    delga = _create(
        Speaker, edition=edition, slug="carole-delga", name="Carole Delga", role=CAROLE_DELGA_ROLE
    )
    poles = [orgs[pole.slug] for pole, _region in TESTIFYING_POLES]
    named = [f"{pole.name} ({region})" for pole, region in TESTIFYING_POLES]
    pole_list = ", ".join(named[:-1]) + " et " + named[-1]
    # Only the order is known (opened by Sylvia Pinel, closed by Carole Delga, ending with
    # the charter): every time is invented, so every session is marked illustrative.
    _programme(
        edition,
        [
            _slot(
                "09:30",
                "10:00",
                SessionKind.WELCOME,
                "Accueil des participants",
                "Une pièce d'identité est exigée à l'accueil du ministère pour des raisons "
                "de sécurité.",
            ),
            _slot(
                "10:00",
                "10:30",
                SessionKind.OPENING,
                "Ouverture de la journée",
                "Ouverture de la journée par Sylvia Pinel.",
                speakers=[pinel],
            ),
            _slot(
                "10:30",
                "11:30",
                SessionKind.TESTIMONIAL,
                "Témoignages de pôles",
                f"Des pôles territoriaux de coopération économique témoignent : {pole_list}.",
                organisations=poles,
            ),
            _slot(
                "11:30",
                "12:30",
                SessionKind.DEBATE,
                "Débat avec des représentants institutionnels et politiques",
                "La contribution des PTCE à la transformation de l'économie.",
            ),
            _slot("12:30", "14:00", SessionKind.LUNCH, "Déjeuner"),
            _slot(
                "14:00",
                "15:15",
                SessionKind.ROUND_TABLE,
                "Témoignages d'experts : les perspectives d'avenir des PTCE",
                "Des experts témoignent sur les perspectives d'avenir des pôles.",
            ),
            _slot(
                "15:15",
                "15:45",
                SessionKind.CLOSING,
                "Clôture de la journée",
                f"Clôture de la journée par Carole Delga, {CAROLE_DELGA_ROLE[0].lower()}"
                f"{CAROLE_DELGA_ROLE[1:]}.",
                speakers=[delga],
            ),
            _slot(
                "15:45",
                "16:30",
                SessionKind.CEREMONY,
                "Signature de la Charte de la démarche collective PTCE",
                f"Signature de la {CHARTER} par les pôles et les réseaux partenaires, en "
                "présence des ministres engagés sur le sujet. 39 pôles l'ont signée ce jour-là.",
            ),
        ],
    )
    return edition


# The demonstration edition (everything invented) ------------------------------------------


def demonstration_date(today):
    """The day of a demonstration edition created on ``today``: a Friday about two months on."""
    day = today + DEMONSTRATION_LEAD
    return day + dt.timedelta(days=(FRIDAY - day.weekday()) % 7)


DEMONSTRATION_DESCRIPTION = """\
Cette édition est une démonstration : elle sert à essayer la plateforme avant une vraie \
journée (inscription, billets, liste pour la sécurité du lieu, contrôle à l'entrée). \
L'organisateur, les partenaires, le lieu et les intervenants sont inventés.

La journée suit les mêmes règles qu'une journée nationale : 300 places, une pièce d'identité \
exigée à l'accueil, et une liste des participants (avec leur date de naissance) transmise à \
l'avance à la sécurité du lieu. Le programme alterne témoignages de pôles, débat, ateliers au \
choix, table ronde et signature de la charte."""


def _demonstration_edition(orgs):
    """An upcoming edition, plainly made up, to try registration, tickets and check-in."""
    organiser = orgs[EXAMPLE_NETWORK.slug]
    partners = [orgs[data.slug] for data in EXAMPLE_PARTNERS]
    deux_rives, haut_val, collectif = partners
    venue = _venue(
        name="Maison Exemple de la coopération",
        street_address="1 rue de l'Exemple",
        postal_code="00000",
        city="Ville-Exemple",
        public_transport="Tramway Exemple : arrêt Coopération\nBus Exemple 1 et 2",
        accessibility="Lieu fictif : salle de plain-pied, boucle magnétique à l'accueil.",
        owner=organiser,
        is_fictional=True,
    )
    date = demonstration_date(timezone.localdate())
    starts_at = dt.datetime.combine(date, DAY_START, tzinfo=PARIS)
    edition = _create(
        Edition,
        slug="demonstration",
        number=None,
        title="Journée nationale des PTCE — édition de démonstration",
        summary=(
            "Une édition fictive pour essayer la plateforme : inscription, billets et "
            "contrôle à l'entrée. Organisateur, lieu et intervenants sont inventés."
        ),
        description=DEMONSTRATION_DESCRIPTION,
        date=date,
        start_time=DAY_START,
        end_time=DAY_END,
        venue=venue,
        capacity=300,
        show_places_left=True,
        id_required=True,
        security_fields=[SecurityField.BIRTH_DATE.value],
        registration_opens_at=timezone.now().replace(microsecond=0),
        # Wall-clock arithmetic in Paris: each deadline falls at 09:30, N days earlier.
        registration_closes_at=starts_at - REGISTRATION_CLOSES_BEFORE,
        security_list_first_deadline=starts_at - SECURITY_LIST_FIRST_DEADLINE_BEFORE,
        security_list_final_deadline=starts_at - SECURITY_LIST_FINAL_DEADLINE_BEFORE,
        status=EditionStatus.PUBLISHED,
        is_demonstration=True,
    )
    edition.organisers.set([organiser])
    edition.partners.set(partners)

    def speaker(slug, name, role, **fields):
        bio = "Personne fictive, inventée pour la démonstration."
        return _create(Speaker, edition=edition, slug=slug, name=name, role=role, bio=bio, **fields)

    camille = speaker("camille-exemple", "Camille Exemple", "Présidente", organisation=organiser)
    dominique = speaker(
        "dominique-exemple", "Dominique Exemple", "Coordinateur", organisation=deux_rives
    )
    alex = speaker("alex-exemple", "Alex Exemple", "Chercheuse", affiliation="Université Exemple")
    sacha = speaker("sacha-exemple", "Sacha Exemple", "Élu local", organisation=collectif)
    # The workshops' facilitators.
    lou = speaker("lou-exemple", "Lou Exemple", "Chargée de financement", organisation=haut_val)
    noa = speaker("noa-exemple", "Noa Exemple", "Animateur de réseau", organisation=organiser)
    maxime = speaker(
        "maxime-exemple", "Maxime Exemple", "Responsable emploi", organisation=deux_rives
    )
    facilitators = {speaker.slug: speaker for speaker in (lou, sacha, noa, maxime)}
    hall, main_room = "Hall", "Grande salle"
    _programme(
        edition,
        [
            _slot(
                "09:30",
                "10:00",
                SessionKind.WELCOME,
                "Accueil des participants",
                "Présentez une pièce d'identité au nom et aux prénoms donnés à l'inscription.",
                room=hall,
            ),
            _slot(
                "10:00",
                "10:30",
                SessionKind.OPENING,
                "Ouverture de la journée",
                "Mot d'accueil du Réseau Exemple des pôles.",
                room=main_room,
                speakers=[camille],
            ),
            _slot(
                "10:30",
                "11:30",
                SessionKind.TESTIMONIAL,
                "Témoignages de pôles",
                "Deux pôles fictifs racontent leur coopération.",
                room=main_room,
                speakers=[dominique],
                organisations=[deux_rives, haut_val],
            ),
            _slot(
                "11:30",
                "12:30",
                SessionKind.DEBATE,
                "Débat : les pôles et les collectivités",
                "Un débat fictif entre élus et chercheurs.",
                room=main_room,
                speakers=[sacha, alex],
            ),
            _slot("12:30", "14:00", SessionKind.LUNCH, "Déjeuner", room=hall),
            # Four workshops at the same time, one slot: each attendee chooses one.
            *(
                _slot(
                    "14:00",
                    "15:15",
                    SessionKind.WORKSHOP,
                    title,
                    description,
                    room=room,
                    speakers=[facilitators[slug]],
                    is_workshop=True,
                    capacity=seats,
                )
                for title, description, room, seats, slug in DEMONSTRATION_WORKSHOPS
            ),
            _slot(
                "15:15",
                "15:55",
                SessionKind.ROUND_TABLE,
                "Table ronde : les perspectives des pôles",
                "Une table ronde fictive sur l'avenir des pôles.",
                room=main_room,
                speakers=[alex, dominique],
            ),
            _slot(
                "15:55",
                "16:10",
                SessionKind.CLOSING,
                "Clôture de la journée",
                room=main_room,
                speakers=[camille],
            ),
            _slot(
                "16:10",
                "16:30",
                SessionKind.CEREMONY,
                "Signature de la charte",
                "Signature de la charte par les pôles présents (démonstration).",
                room=main_room,
                organisations=[deux_rives, haut_val],
            ),
        ],
    )
    return edition


# The organiser account --------------------------------------------------------------------


def login_file(name=LOGIN_FILE_NAME):
    return settings.VAR_DIR / name


def _account(username, email, organisation, role, *, edition=None, file_name=LOGIN_FILE_NAME):
    """The account ``username`` with ``role`` at ``organisation`` (for ``edition`` only, if
    given); created when missing.

    Side effects on creation: the password comes from ``PTCE_PASSWORD`` or is generated and
    written to the login file ``file_name`` (mode 0600, replacing any older one).
    """
    given = os.environ.get(PASSWORD_ENV, "")
    user = User.objects.filter(username=username).first()
    account = OrganiserAccount(user=user, created=user is None)
    if account.created:
        user = account.user = User(username=username, email=email)
        if given:
            password_validation.validate_password(given, user)
        password = given or secrets.token_urlsafe(12)
        user.set_password(password)
        user.full_clean()
        user.save()
        if not given:
            # Only the hash is stored: keep the generated password where a re-run finds it.
            _write_login_file(password, file_name)
    if not Membership.objects.filter(
        user=user, organisation=organisation, role=role, edition=edition
    ).exists():
        _create(Membership, user=user, organisation=organisation, role=role, edition=edition)
    if given and user.check_password(given):
        account.password_from_environment = True
    else:
        saved = _read_login_file(file_name)
        # A password changed since (``ptce changepassword``) makes the file stale: say nothing.
        if saved and user.check_password(saved):
            account.password = saved
    return account


def _write_login_file(password, name):
    path = login_file(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # The mode given to open() only applies to a new file: tighten an older one too.
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(password + "\n")


def _read_login_file(name):
    try:
        return login_file(name).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""
