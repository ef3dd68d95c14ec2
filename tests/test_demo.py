import datetime as dt
import io
import itertools
import stat

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from accounts.enums import Role
from accounts.models import Membership, User
from admission import rehearsals
from events.enums import EditionStatus, SecurityField, SessionKind
from events.models import PARIS, Edition, Session, Speaker, Venue
from events.workshops import edition_slots
from network.enums import OrganisationKind
from network.models import Organisation
from ptce.demo import AGENT_LOGIN_FILE_NAME, demonstration_date, login_file
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db

REAL_SLUGS = {
    "labo-ess": ("Le Labo de l'ESS", OrganisationKind.OTHER),
    "rtes": (
        "Réseau des collectivités territoriales pour une économie solidaire (RTES)",
        OrganisationKind.NETWORK,
    ),
    "cncres": (
        "Conseil national des chambres régionales de l'ESS (CNCRES)",
        OrganisationKind.NETWORK,
    ),
    "coorace": ("COORACE", OrganisationKind.NETWORK),
    "mes": ("Mouvement pour l'économie solidaire (MES)", OrganisationKind.NETWORK),
    "ufisc": ("Ufisc", OrganisationKind.NETWORK),
    "domb-innov": ("Domb'Innov", OrganisationKind.POLE),
    "la-coursive-boutaric": ("La Coursive Boutaric", OrganisationKind.POLE),
    "pays-de-bray": ("Pays de Bray", OrganisationKind.POLE),
    "sud-aquitain": ("Sud Aquitain", OrganisationKind.POLE),
    # The directory's real poles (network.demo).
    "le-phares": ("Le Phares", OrganisationKind.POLE),
    "ecopole-alimentaire": ("Ecopôle alimentaire", OrganisationKind.POLE),
}
TESTIFYING_POLES = {"domb-innov", "la-coursive-boutaric", "pays-de-bray", "sud-aquitain"}


@pytest.fixture(autouse=True)
def _demo_settings(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.HTTPS = False
    # The login check hashes passwords on every run: a fast hasher keeps the tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.delenv("PTCE_PASSWORD", raising=False)


def run_demo(*args):
    out, err = io.StringIO(), io.StringIO()
    # As `ptce demo` in a fresh process: in French, the site's language, whatever an earlier
    # test's request left active in this thread.
    with translation.override("fr"):
        call_command("demo", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def dump():
    out = io.StringIO()
    call_command("dumpdata", "network", "events", "accounts", indent=1, stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded():
    return run_demo()


def test_demo_loads_the_2014_day_with_the_seed_facts(loaded):
    edition = Edition.objects.get(slug="2014")
    assert edition.title == (
        "2e Journée nationale des Pôles territoriaux de coopération économique (PTCE)"
    )
    assert edition.number == 2
    assert edition.date == dt.date(2014, 9, 19)
    assert edition.date.weekday() == 4  # a Friday, as the seed says
    assert (edition.start_time, edition.end_time) == (dt.time(9, 30), dt.time(16, 30))
    assert edition.status == EditionStatus.ARCHIVED
    assert edition.capacity == 300
    assert edition.id_required is True
    assert edition.security_fields == []
    assert edition.registration_opens_at is None
    assert edition.registration_closes_at is None
    assert edition.is_demonstration is False
    assert "environ 500" in edition.description
    assert "Sylvia Pinel" in edition.description
    assert "Carole Delga" in edition.description
    assert "Charte de la démarche collective PTCE" in edition.description
    assert "pièce d'identité" in edition.description


def test_2014_venue_gives_the_address_and_transport_lines_of_the_seed(loaded):
    venue = Edition.objects.get(slug="2014").venue
    assert venue.address_lines == [
        "Centre de conférences Pierre Mendès France — Ministère de l'Économie et des Finances",
        "139 rue de Bercy",
        "75012 Paris",
    ]
    assert venue.transport_lines == [
        "RER A ou D",
        "Métro 1 et 14 (Gare de Lyon)",
        "Métro 6 et 14 (Bercy)",
        "Bus 24 et 87",
    ]
    assert venue.owner.slug == "labo-ess"
    assert venue.is_fictional is False
    assert (venue.accessibility, venue.map_url) == ("", "")


def test_2014_is_organised_by_the_labo_with_the_five_partner_networks(loaded):
    edition = Edition.objects.get(slug="2014")
    assert [org.slug for org in edition.organisers.all()] == ["labo-ess"]
    assert sorted(org.slug for org in edition.partners.all()) == [
        "cncres",
        "coorace",
        "mes",
        "rtes",
        "ufisc",
    ]


def test_real_organisations_carry_their_names_and_only_the_seed_website(loaded):
    real = Organisation.objects.filter(is_fictional=False)
    assert {org.slug: (org.name, org.kind) for org in real} == REAL_SLUGS
    assert {org.slug: org.website for org in real if org.website} == {
        "labo-ess": "https://www.lelabo-ess.org"
    }


def test_2014_programme_fits_the_day_and_ends_with_the_charter_signing(loaded):
    edition = Edition.objects.get(slug="2014")
    sessions = list(edition.sessions.order_by("start_time"))
    assert [session.kind for session in sessions] == [
        SessionKind.WELCOME,
        SessionKind.OPENING,
        SessionKind.TESTIMONIAL,
        SessionKind.DEBATE,
        SessionKind.LUNCH,
        SessionKind.ROUND_TABLE,
        SessionKind.CLOSING,
        SessionKind.CEREMONY,
    ]
    assert sessions[0].start_time == dt.time(9, 30)
    assert sessions[-1].end_time == dt.time(16, 30)
    assert sessions[-1].title == "Signature de la Charte de la démarche collective PTCE"
    assert "39 pôles" in sessions[-1].description
    for session in sessions:
        assert dt.time(9, 30) <= session.start_time < session.end_time <= dt.time(16, 30)
        session.full_clean()
    for before, after in itertools.pairwise(sessions):
        assert before.end_time <= after.start_time
    # The times are invented: nothing pretends to the contrary.
    assert all(session.is_illustrative for session in sessions)


def test_2014_programme_names_only_the_known_speakers_and_testifying_poles(loaded):
    edition = Edition.objects.get(slug="2014")
    opening = edition.sessions.get(kind=SessionKind.OPENING)
    closing = edition.sessions.get(kind=SessionKind.CLOSING)
    testimonials = edition.sessions.get(kind=SessionKind.TESTIMONIAL)
    assert [(s.name, s.role) for s in opening.speakers.all()] == [("Sylvia Pinel", "Ministre")]
    assert [(s.name, s.role) for s in closing.speakers.all()] == [
        (
            "Carole Delga",
            "Secrétaire d'État chargée du Commerce, de l'Artisanat, de la Consommation et de "
            "l'Économie sociale et solidaire",
        )
    ]
    assert {org.slug for org in testimonials.organisations.all()} == TESTIFYING_POLES
    assert "Domb'Innov (Rhône-Alpes)" in testimonials.description
    assert sorted(edition.speakers.values_list("name", flat=True)) == [
        "Carole Delga",
        "Sylvia Pinel",
    ]
    assert set(edition.speakers.values_list("bio", flat=True)) == {""}
    linked = Organisation.objects.filter(sessions__edition=edition).distinct()
    assert {org.slug for org in linked} == TESTIFYING_POLES


def test_2012_day_is_archived_with_its_date_and_nothing_unknown(loaded):
    edition = Edition.objects.get(slug="2012")
    assert edition.number == 1
    assert edition.date == dt.date(2012, 6, 25)
    assert edition.status == EditionStatus.ARCHIVED
    assert edition.venue is None
    assert (edition.start_time, edition.end_time, edition.capacity) == (None, None, None)
    assert edition.sessions.count() == 0
    assert edition.speakers.count() == 0
    assert edition.organisers.count() == 0


def test_demonstration_edition_is_a_published_friday_about_two_months_ahead(loaded):
    edition = Edition.objects.get(slug="demonstration")
    assert edition.is_demonstration is True
    assert edition.status == EditionStatus.PUBLISHED
    assert edition.number is None
    assert "démonstration" in edition.title
    assert 60 <= (edition.date - timezone.localdate()).days <= 66
    assert edition.date.weekday() == 4
    assert (edition.start_time, edition.end_time) == (dt.time(9, 30), dt.time(16, 30))
    assert edition.capacity == 300
    assert edition.id_required is True
    assert edition.security_fields == [SecurityField.BIRTH_DATE]


def test_demonstration_edition_is_open_with_security_list_deadlines_in_order(loaded):
    edition = Edition.objects.get(slug="demonstration")

    def days_before(days):
        return dt.datetime.combine(edition.date - dt.timedelta(days=days), dt.time(9, 30), PARIS)

    assert edition.registration_opens_at <= timezone.now()
    assert edition.registration_closes_at == days_before(10)
    assert edition.security_list_first_deadline == days_before(21)
    assert edition.security_list_final_deadline == days_before(7)
    assert edition.registration_deadline == edition.registration_closes_at
    assert edition.registration_deadline > timezone.now()


def test_demonstration_edition_involves_only_fictional_organisations_places_and_people(loaded):
    edition = Edition.objects.get(slug="demonstration")
    assert edition.venue.is_fictional is True
    assert edition.venue.address_lines == [
        "Maison Exemple de la coopération",
        "1 rue de l'Exemple",
        "00000 Ville-Exemple",
    ]
    assert [org.name for org in edition.organisers.all()] == ["Réseau Exemple des pôles"]
    assert edition.partners.count() == 3
    involved = Organisation.objects.filter(
        pk__in=[
            edition.venue.owner_id,
            *edition.organisers.values_list("pk", flat=True),
            *edition.partners.values_list("pk", flat=True),
            *Speaker.objects.filter(edition=edition).values_list("organisation", flat=True),
            *Session.objects.filter(edition=edition).values_list("organisations", flat=True),
        ]
    )
    assert all(org.is_fictional and "Exemple" in org.name for org in involved)
    assert all("Exemple" in speaker.name for speaker in edition.speakers.all())
    # Camille, Dominique, Alex and Sacha, and the workshops' Lou, Noa and Maxime.
    assert edition.speakers.count() == 7
    sessions = list(edition.sessions.order_by("start_time"))
    assert sessions[-1].kind == SessionKind.CEREMONY
    assert all(session.is_illustrative for session in sessions)


def test_no_invented_organisation_is_real_and_no_real_one_is_invented(loaded):
    fictional = Organisation.objects.filter(is_fictional=True)
    # The directory's fictional poles and members (network.demo) are "… Exemple …" too.
    assert {
        "Collectif Exemple des collectivités",
        "Pôle Exemple des Deux-Rives",
        "Pôle Exemple du Haut-Val",
        "Réseau Exemple des pôles",
    } <= {org.name for org in fictional}
    assert all("Exemple" in org.name for org in fictional)
    assert not fictional.filter(slug__in=REAL_SLUGS).exists()
    assert not Organisation.objects.filter(is_fictional=False, name__icontains="exemple").exists()
    real_editions = Edition.objects.filter(slug__in=["2012", "2014"])
    assert not fictional.filter(organised_editions__in=real_editions).exists()
    assert not fictional.filter(partnered_editions__in=real_editions).exists()
    assert not fictional.filter(sessions__edition__in=real_editions).exists()
    assert not Venue.objects.filter(is_fictional=True, editions__in=real_editions).exists()


def test_every_object_the_demo_creates_passes_full_clean(loaded):
    for model in (Organisation, Venue, Edition, Speaker, Session, User, Membership):
        objects = list(model.objects.all())
        assert objects, model
        for instance in objects:
            instance.full_clean()


def test_running_the_demo_twice_changes_nothing(loaded):
    before = dump()
    output = run_demo()
    assert dump() == before
    assert output.count("Déjà présente, laissée inchangée") == 3


def test_an_edition_changed_by_an_organiser_is_left_as_it_is(loaded):
    Edition.objects.filter(slug="2014").update(capacity=250, title="Titre revu")
    Session.objects.filter(edition__slug="2014", kind=SessionKind.LUNCH).delete()
    run_demo()
    edition = Edition.objects.get(slug="2014")
    assert (edition.capacity, edition.title) == (250, "Titre revu")
    assert not edition.sessions.filter(kind=SessionKind.LUNCH).exists()


def test_an_edition_whose_number_is_taken_is_reported_not_created():
    EditionFactory(title="Deuxième journée saisie à la main", slug="deuxieme", number=2)
    output = run_demo()
    assert not Edition.objects.filter(slug="2014").exists()
    assert "Non créée : 2014" in output
    assert Edition.objects.filter(slug__in=["2012", "demonstration"]).count() == 2


def test_organiser_account_can_log_in_with_the_printed_password(loaded):
    user = User.objects.get(username="organisatrice")
    assert user.email == "organisatrice@example.org"
    assert [(m.organisation.name, m.role, m.edition) for m in user.memberships.all()] == [
        ("Réseau Exemple des pôles", Role.ORGANISER, None)
    ]
    password = login_file().read_text().strip()
    assert f"Mot de passe : {password}" in loaded
    assert "http://127.0.0.1:8000/connexion/" in loaded
    assert authenticate(username="organisatrice", password=password) == user


def test_login_file_is_readable_by_its_owner_only(loaded):
    assert stat.S_IMODE(login_file().stat().st_mode) == 0o600


def test_rerun_prints_the_same_login(loaded):
    output = run_demo()
    password = login_file().read_text().strip()
    assert f"Mot de passe : {password}" in output
    assert (
        "Connectez-vous sur http://127.0.0.1:8000/connexion/ avec l'identifiant "
        "«\u00a0organisatrice\u00a0»." in output
    )


def test_rerun_without_the_login_file_tells_how_to_set_a_password(loaded):
    login_file().unlink()
    output = run_demo()
    assert "ptce changepassword organisatrice" in output
    agent_password = login_file(AGENT_LOGIN_FILE_NAME).read_text().strip()
    # Only the agent's password, whose file is still there, is printed.
    assert output.count("Mot de passe :") == 1
    assert f"Mot de passe : {agent_password}" in output


def test_demo_creates_a_reception_agent_who_rehearses_check_in(loaded):
    agent = User.objects.get(username="accueil")
    edition = Edition.objects.get(slug="demonstration")
    assert [(m.role, m.edition) for m in agent.memberships.all()] == [(Role.AGENT, edition)]
    password = login_file(AGENT_LOGIN_FILE_NAME).read_text().strip()
    assert authenticate(username="accueil", password=password) == agent
    assert "«\u00a0accueil\u00a0»" in loaded
    assert f"Mot de passe : {password}" in loaded
    assert "http://127.0.0.1:8000/controle/" in loaded
    assert rehearsals.for_agent(edition, agent) is not None
    assert stat.S_IMODE(login_file(AGENT_LOGIN_FILE_NAME).stat().st_mode) == 0o600
    # Not an organiser: no access to the organisers' pages, no second factor needed.
    assert not agent.has_perm("manage", edition)


def test_password_from_the_environment_is_used_and_not_printed(monkeypatch):
    monkeypatch.setenv("PTCE_PASSWORD", "une phrase de passe assez longue")
    output = run_demo()
    assert authenticate(username="organisatrice", password="une phrase de passe assez longue")
    assert "une phrase de passe assez longue" not in output
    assert "Mot de passe : celui indiqué dans PTCE_PASSWORD." in output
    assert not login_file().exists()


def test_weak_password_from_the_environment_is_refused_and_nothing_is_loaded(monkeypatch):
    monkeypatch.setenv("PTCE_PASSWORD", "1234")
    with pytest.raises(CommandError):
        run_demo()
    assert Organisation.objects.count() == 0
    assert User.objects.count() == 0


def test_demo_refuses_to_run_on_a_production_site(settings):
    settings.SITE_URL = "https://journees-ptce.example.org"
    settings.HTTPS = True
    with pytest.raises(CommandError, match="--force"):
        run_demo()
    assert Edition.objects.count() == 0
    assert not login_file().exists()


def test_demo_runs_on_a_production_site_when_forced(settings):
    settings.SITE_URL = "https://journees-ptce.example.org"
    settings.HTTPS = True
    output = run_demo("--force")
    assert Edition.objects.count() == 3
    assert "https://journees-ptce.example.org/connexion/" in output


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 1, 2), dt.date(2026, 3, 6)),  # +60 days is a Tuesday: that Friday
        (dt.date(2026, 1, 6), dt.date(2026, 3, 13)),  # +60 days is a Saturday: the next one
        (dt.date(2026, 1, 5), dt.date(2026, 3, 6)),  # +60 days is a Friday: that very day
    ],
)
def test_demonstration_date_is_the_first_friday_sixty_days_on(today, expected):
    assert demonstration_date(today) == expected


def test_demonstration_edition_has_its_registration_categories(loaded):
    edition = Edition.objects.get(slug="demonstration")
    categories = {
        c.slug: (c.is_public, c.quota, c.organisation_cap) for c in edition.categories.all()
    }
    assert categories == {
        "participant": (True, None, None),
        "representant-pole": (True, None, 3),
        "intervenant": (False, None, None),
        "invite-institutionnel": (False, None, None),
        "presse": (True, 20, None),
    }
    assert Edition.objects.get(slug="2014").categories.count() == 0


def test_demonstration_edition_has_two_entrances(loaded):
    edition = Edition.objects.get(slug="demonstration")
    assert list(edition.entrances.values_list("slug", flat=True)) == ["principale", "accessible"]


def test_demonstration_edition_has_four_workshops_of_one_afternoon_slot(loaded):
    edition = Edition.objects.get(slug="demonstration")

    slots = edition_slots(edition)

    assert len(slots) == 1
    workshops = slots[0].sessions
    assert sorted(session.capacity for session in workshops) == [30, 30, 40, 60]
    assert {session.kind for session in workshops} == {SessionKind.WORKSHOP}
    assert len({session.room for session in workshops if session.room}) == 4
    assert all(session.speakers.get().bio.startswith("Personne fictive") for session in workshops)
    assert (slots[0].start_time, slots[0].end_time) == (dt.time(14), dt.time(15, 15))
    # Nothing else of the programme overlaps the workshops.
    others = edition.sessions.filter(is_workshop=False)
    assert not others.filter(start_time__lt=dt.time(15, 15), end_time__gt=dt.time(14)).exists()
