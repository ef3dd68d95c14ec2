"""Every organiser page and every public page of the site at 320, 768, 1366 and 1920 px
wide (issue 16): no sideways scroll of the page, no text out of its box, no word broken in
the middle in a table header or a figure tile, and each figure tile shows the figure the
server computes.

The pages are every pattern of the URL configuration (``tests/routes.py``), so a new page is
visited without being listed here; its path parameters come from one scene, under the names
the other walks over every page use (the permission matrix, ``tests/test_hostile_input.py``).
The addresses that answer no HTML page (files, POST-only actions) are listed in ``SKIPPED``
with the reason; ``test_skipped_addresses_answer_no_html_page`` checks that each exists and
is indeed no page. A page that only a form leads to is reached through it
(``THROUGH_A_FORM``), and a page must not send the visitor elsewhere.

An organiser page (those of the permission matrix) is opened by a superuser who passed the
second factor, a public page by an anonymous visitor: two browser contexts for the module,
each page loaded once and checked at the four widths in turn (``set_viewport_size``), with
``Tab.layout_faults()`` and the stricter ``Tab.text_faults()`` (tests/browser/conftest.py).
Axe runs in the journeys' tests, not here.
"""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, pgettext

from accounts import invitations
from accounts.enums import Role
from accounts.invitation_links import link_token
from accounts.models import ApiToken, User
from admission import checkin, security_list
from charter import ceremony, listing, signatures
from charter import links as charter_links
from charter.enums import Channel
from charter.models import CharterVersion, SigningRequest
from events.enums import SessionKind
from events.models import Edition, Material
from feedback import links as feedback_links
from feedback import questionnaires
from feedback.models import FeedbackLink, Question
from network import poles
from network.enums import MemberCategory, OrganisationKind, RecognitionKind, TerritoryLevel
from outbox.models import Message
from ptce.dashboard import dashboard
from registrations import capacity, changes, figures, workshops
from registrations import links as registration_links
from registrations.enums import Diet
from registrations.models import Registration
from registrations.views.public import booking_token
from tests import routes
from tests import test_permission_matrix as matrix
from tests.auth import log_in, log_in_tab, verified_device
from tests.browser.conftest import Tab
from tests.conftest import PASSWORD
from tests.factories import (
    BookingFactory,
    CategoryFactory,
    CharterVersionFactory,
    EditionFactory,
    EntranceFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    PoleMemberFactory,
    RecognitionFactory,
    SectorFactory,
    SessionFactory,
    SpeakerFactory,
    TerritoryAreaFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.test_hostile_input import KWARGS_BY_NAME, KWARGS_BY_PAGE

# The tests only read: one scene, built once, serves the whole module (scene_server).
pytestmark = pytest.mark.django_db

WIDTHS = (320, 768, 1366, 1920)
HEIGHT = 900

# Values typed by people that no space breaks: they must wrap inside their box.
LONG_EMAIL = "camille.exemple-de-la-longue-adresse.sans.espace@example.org"
LONG_ORGANISATION = (
    "Pôle territorial de coopération économique Intercommunalitéduhautvaldesdeuxrivières"
)
LONG_TYPED_ORGANISATION = "Associationintercommunaledescoopérativesduvalderivières"

# Namespaces whose pages are not ours to lay out, or not HTML.
SKIPPED_NAMESPACES = {
    # Django's own pages, with Django's stylesheet, for superusers.
    "admin": "the Django admin: Django's pages and stylesheet",
    # The JSON API; its one HTML page, the docs, is Swagger UI's layout (test_api_docs.py).
    "api": "the JSON API (its docs are Swagger UI's page, tested in test_api_docs.py)",
}
# Addresses that answer no HTML page, and why.
SKIPPED = {
    "events:edition_ics": "calendar file",
    "events:session_ics": "calendar file",
    "events:material": "a material's file (PDF, image, slides)",
    "accounts:logout": "POST only: the header's button",
    "accounts:audit_csv": "CSV file",
    "accounts:edition_audit_csv": "CSV file",
    "network:export": "CSV file",
    "registrations:promote": "POST only",
    "registrations:change_category": "POST only: the form of the registration's page",
    "registrations:move_category": "POST only: the form of the manage page",
    "registrations:group_resend": "POST only: the forms of the booker's manage page",
    "registrations:workshop_choose": "POST only: the workshop forms of the manage page",
    "registrations:workshop_leave": "POST only: the workshop buttons of the manage page",
    "registrations:workshop_meanwhile": "POST only: the workshop buttons of the manage page",
    "registrations:workshop_offer": "POST only: the workshop buttons of the manage page",
    "admission:rehearsal_close": "POST only: the rehearsal page's button",
    "registrations:resend": "POST only",
    "registrations:invite": "POST only",
    "registrations:group_code": "POST only",
    "registrations:revoke": "POST only",
    "registrations:resend_email": "POST only",
    "registrations:workshop_move": "POST only: the forms of a workshop's page",
    "registrations:workshop_capacity": "POST only: the seats form of a workshop's page",
    "registrations:workshop_sheet": "PDF, CSV or XLSX file",
    "registrations:export_registrations": "CSV or XLSX file",
    "registrations:export_participants": "CSV or XLSX file",
    "registrations:my_data": "JSON file: a copy of the person's data",
    "registrations:privacy_copy": "JSON file: a copy of the person's data",
    "admission:ticket_pdf": "PDF file",
    "admission:ticket_ics": "calendar file",
    "admission:ticket_qr": "SVG image",
    "admission:certificate": "PDF file",
    "admission:checkin_service_worker": "service worker script",
    "admission:checkin_manifest": "web app manifest",
    "admission:security_generate": "POST only",
    "admission:security_download": "CSV or XLSX file",
    "admission:security_changes": "CSV or XLSX file",
    "admission:entrance_up": "POST only",
    "admission:entrance_down": "POST only",
    "admission:badges_pdf": "PDF file",
    "admission:badge_pdf": "PDF file",
    "admission:attendance_csv": "CSV file",
    "feedback:question_move": "POST only: the questionnaire page's buttons",
    "feedback:send_now": "POST only: the questionnaire page's button",
    "feedback:results_csv": "CSV file",
    "report_pdf": "PDF file",
    "charter:receipt_pdf": "PDF file",
    "charter:version_opening": "POST only",
    "charter:approve": "POST only",
    "charter:ceremony_open": "POST only",
    "charter:ceremony_close": "POST only",
    "charter:ceremony_reopen": "POST only",
    "charter:ceremony_record": "POST only",
    "dashboard_fragment": "the dashboard's figures alone, fetched by htmx into the dashboard",
    "figures_export": "CSV or XLSX file",
    "set_language": "POST only: the footer's language form",
    "healthz": "plain-text health check",
    "sitemap": "XML sitemap",
    "robots_txt": "plain text",
    "favicon": "icon",
}
# A 404 in the scene: a certificate exists once the day has begun.
NOT_FOUND_IN_SCENE = "admission:certificate"
# Organiser pages are those of the permission matrix; these are opened without an account.
VISITOR_PAGES = {"accounts:invitation_accept"}

ROUTES = {
    name: pieces for name, pieces in routes.walk() if name.split(":")[0] not in SKIPPED_NAMESPACES
}
VISITED = sorted(name for name in ROUTES if name not in SKIPPED)
ORGANISER_PAGES = {page.name for page in matrix.PAGES} | set(matrix.OPEN_PAGES)


@pytest.fixture
def server(scene_server):
    return scene_server


@pytest.fixture(scope="module")
def scene(scene_server):
    """An edition with content on every page: categories (one full, one by invitation, one
    empty), people in every status, some of them with long unbroken values, admissions at the
    door, a programme, entrances, two security lists, a charter ceremony, poles in the
    directory, signatures and a signing request, a team with a token, a failed email.

    The values of the path parameters, by the names the other walks over every page use
    (``test_permission_matrix.scene``, ``test_hostile_input.world``)."""
    now = timezone.now()
    network = OrganisationFactory(name="Réseau Exemple", kind=OrganisationKind.NETWORK)
    superuser = UserFactory(
        username="admin", first_name="Dominique", last_name="Exemple", is_superuser=True
    )
    superuser.is_staff = True
    superuser.save()
    verified_device(superuser)
    viewer = UserFactory(username="observatrice")
    viewer_membership = MembershipFactory(user=viewer, organisation=network, role=Role.VIEWER)
    viewer_token, _raw = ApiToken.issue(viewer, name="Tableau de bord", created_by=superuser)
    # A person asked to join the team, who has not set a password yet (the invitation page).
    invitations.invite(
        superuser, email="equipe.invitee@example.org", role=Role.EDITOR, organisation=network
    )
    invited = User.objects.get(email="equipe.invitee@example.org")
    # Logs in on the login page: the page that asks for the second factor comes next.
    UserFactory(username="agent-porte", first_name="Sacha", last_name="Porte")
    verified_device(User.objects.get(username="agent-porte"))

    edition = EditionFactory(
        title="Journée nationale des pôles territoriaux de coopération économique",
        slug="journee-nationale",
        organisers=[network],
        capacity=1200,
        registration_opens_at=now - dt.timedelta(days=10),
        security_fields=["birth_date", "birth_place", "nationality", "employer"],
        participant_list_is_public=True,
    )
    edition.venue.owner = network
    edition.venue.accessibility = "Entrée de plain-pied, boucle magnétique dans l'amphithéâtre."
    edition.venue.save()

    participants = CategoryFactory(edition=edition, name="Participants", position=1)
    partners = CategoryFactory(
        edition=edition,
        name="Partenaires institutionnels et collectivités territoriales",
        quota=2,
        organisation_cap=5,
        position=2,
    )
    guests = CategoryFactory(
        edition=edition, name="Invités d'honneur", is_public=False, quota=3, position=3
    )
    spare_category = CategoryFactory(edition=edition, name="Sans inscrits", position=4)
    invitation = InvitationFactory(
        edition=edition, category=guests, email="invitee.honneur@example.org", created_by=superuser
    )
    InvitationFactory(edition=edition, category=guests, kind="group", email="", max_uses=10)

    pole_organisations = _directory()
    long_pole = pole_organisations[0]

    def register(category, first_name, last_name, email, **details):
        return capacity.register(
            edition,
            category=category,
            first_name=first_name,
            last_name=last_name,
            email=email,
            by_organiser=True,
            **details,
        )

    registration = register(
        participants,
        "Marie-Claude",
        "Exemple-Delacroix",
        LONG_EMAIL,
        organisation=long_pole,
        job_title="Chargée de mission développement économique territorial",
        diet=Diet.VEGETARIAN,
        dietary_notes="Sans fruits à coque",
        accessibility_needs="Fauteuil roulant : une place en bout de rang, près de la sortie.",
        birth_date=dt.date(1980, 5, 17),
        birth_place="Saint-Étienne",
        nationality="Française",
        employer=LONG_ORGANISATION,
        consent_public_list=True,
    )
    register(
        participants,
        "Lou",
        "Durand",
        "lou.durand@example.org",
        organisation_name=LONG_TYPED_ORGANISATION,
        consent_public_list=True,
    )
    for index, organisation in enumerate([*pole_organisations[1:], network]):
        register(
            participants,
            "Camille",
            f"Exemple {index}",
            f"camille.{index}@example.org",
            organisation=organisation,
            diet=Diet.NO_LUNCH if index == 0 else Diet.STANDARD,
        )
    # The partners' quota is 2: the third waits.
    for index in range(3):
        register(partners, "Alix", f"Partenaire {index}", f"partenaire.{index}@example.org")
    cancelled = register(participants, "Noé", "Annulé", "noe.annule@example.org")
    capacity.cancel(cancelled)

    entrance = EntranceFactory(edition=edition, name="Entrée principale, côté parvis", position=1)
    side = EntranceFactory(edition=edition, name="Entrée des intervenants", position=2)
    # Without scans: it may still be renamed, moved and deleted (pages of their own).
    spare_entrance = EntranceFactory(edition=edition, name="Entrée de secours", position=3)
    # Admitted at the door on the day (an hour after it starts); not the person of the
    # private pages, whose page then offers its forms (to edit, to cancel).
    admitted = list(edition.registrations.filter(organisation__in=pole_organisations[1:3]))
    for index, person in enumerate(admitted):
        checkin.admit(
            edition,
            registration=person,
            entrance=entrance if index % 2 == 0 else side,
            agent=superuser,
            nonce=f"largeurs-{index:02d}-0123456789",
            id_checked=True,
            now=edition.starts_at + dt.timedelta(hours=1),
        )

    speaker = SpeakerFactory(
        edition=edition,
        name="Camille Intervenante",
        slug="camille-intervenante",
        role="Directrice de la coopération territoriale",
        affiliation=LONG_ORGANISATION,
        bio="Vingt ans de coopération entre entreprises de l'économie sociale et collectivités.",
    )
    SessionFactory(
        edition=edition,
        kind=SessionKind.WELCOME,
        title="Accueil des participants",
        start_time=dt.time(9, 30),
        end_time=dt.time(10, 0),
    )
    session = SessionFactory(
        edition=edition,
        title="Table ronde : coopérer sur un territoire, des pôles aux intercommunalités",
        room="Amphithéâtre Marie-Thérèse-Delacroix-Montgolfier",
        description="Des pôles racontent leurs coopérations.",
    )
    session.speakers.add(speaker)
    material = Material.objects.create(
        edition=edition,
        session=session,
        kind="link",
        title="Rediffusion de la table ronde sur la coopération territoriale",
        description="La vidéo complète, sous-titrée",
        url="https://video.example/table-ronde-cooperation-territoriale",
        publication="now",
    )
    # The questionnaire after the day, with a question about the round table whose choice
    # no space breaks.
    questionnaire = questionnaires.of_edition(edition)
    question = Question.objects.create(
        questionnaire=questionnaire,
        position=questionnaires.next_position(questionnaire),
        kind="single",
        text="Qu'avez-vous pensé de la table ronde sur la coopération territoriale ?",
        choices=[LONG_TYPED_ORGANISATION, "Pas assez de temps pour les questions"],
        session=session,
    )
    # One answer, so that the results page draws its bars and shows a free text.
    questionnaire.sent_count = 1
    questionnaire.save()
    free_text = questionnaire.questions.get(kind="long_text")
    questionnaires.answer(
        FeedbackLink.objects.create(questionnaire=questionnaire, registration=registration),
        {question.pk: 0, free_text.pk: LONG_TYPED_ORGANISATION},
    )
    # A file of the day, in the storage of the run (a temporary folder: tests/conftest.py).
    material_file = Material.objects.create(
        edition=edition,
        kind="file",
        title="Programme imprimable",
        description="Le programme de la journée, heure par heure",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="programme.pdf"),
        file_name="programme.pdf",
        content_type="application/pdf",
        size=15,
        publication="now",
    )
    # Two workshops at the same time: the person of the private pages holds a seat in one.
    workshop = WorkshopFactory(
        edition=edition,
        title="Atelier : financer la coopération entre entreprises et collectivités",
        room="Salle des commissions",
    )
    WorkshopFactory(edition=edition, title="Atelier : mutualiser les emplois")
    workshops.choose(registration, workshop)

    failed_email = Message.objects.create(
        kind="registrations.confirmation",
        object_id=registration.pk,
        edition=edition,
        recipient=LONG_EMAIL,
        message_id="<largeurs@example.org>",
        status="failed",
    )
    # The person of the private pages booked for a colleague with long names and no address:
    # their page lists the colleague (the booker's page, registrations.groups).
    group = BookingFactory(edition=edition, email=LONG_EMAIL)
    Registration.objects.filter(pk=registration.pk).update(booking=group)
    colleague = register(
        partners,
        "Marie-Christine-Alexandrine",
        "Delacroixmontgolfiersaintexupérydelatour",
        "",
        booking=group,
    )
    booking = BookingFactory(edition=edition, email="reservation@example.org")
    booked = register(participants, "Jo", "Réservé", "jo.reserve@example.org", booking=booking)
    # A questionnaire link not used yet: its page shows the questions.
    unanswered = FeedbackLink.objects.create(questionnaire=questionnaire, registration=booked)

    security_list.generate(edition, by=superuser)
    register(participants, "Élise", "Après-la-liste", "elise@example.org")
    second_list = security_list.generate(edition, by=superuser)

    charter_version = CharterVersionFactory()
    CharterVersionFactory(
        slug="2014",
        title="Charte des PTCE (2014)",
        year=2014,
        is_open=False,
        recognition_kind=RecognitionKind.CHARTER_2014,
    )
    the_ceremony = ceremony.open_ceremony(edition, charter_version, by=superuser)
    ceremony.record(
        the_ceremony,
        pole_organisations[3],
        representative_name="Sacha Signataire",
        representative_role="Présidente",
        name_is_public=True,
        by=superuser,
    )
    signature = signatures.record(
        charter_version,
        OrganisationFactory(
            name="Réseau signataire des coopérations", kind=OrganisationKind.NETWORK
        ),
        representative_name="Camille Exemple",
        representative_role="Déléguée générale",
        name_is_public=True,
        channel=Channel.ONLINE,
    )
    signing_request = SigningRequest.objects.create(
        version=charter_version,
        proposed_name="Organisation proposée pour la signature",
        proposed_kind="network",
        representative_name="Dominique Exemple",
        representative_role="Président",
        representative_email=LONG_EMAIL,
        has_mandate=True,
        status="awaiting_approval",
    )

    # The day moved: the page that offers to tell the attendees, as after saving the settings.
    before = {"when": {"date": "2026-01-02", "start": "09:00", "end": "17:00"}}
    notify_change = changes.offer(None, edition=edition, changes=before, by=superuser)

    return {
        "notify_change_query": urlsplit(notify_change).query,
        "edition": edition.slug,
        "registration": registration.pk,
        "invitation": invitation.pk,
        "failed_email": failed_email.pk,
        "one": 1,
        "two": second_list.number,
        "entrance": entrance.slug,
        "entrance_pk": spare_entrance.pk,
        "session": session.pk,
        "workshop": workshop.pk,
        "speaker": speaker.pk,
        "speaker_slug": speaker.slug,
        "material": material.pk,
        "question": question.pk,
        "material_file": material_file.pk,
        "material_file_name": material_file.file_name,
        "category": participants.pk,
        "spare_category": spare_category.pk,
        "viewer_membership": viewer_membership.pk,
        "viewer_token": viewer_token.pk,
        "charter_version": charter_version.slug,
        "pole_organisation": long_pole.pk,
        "pole_slug": long_pole.slug,
        "signature": signature.pk,
        "signing_request": signing_request.pk,
        "manage_token": registration_links.manage_token(registration),
        "feedback_token": feedback_links.token(unanswered),
        "colleague": colleague.pk,
        "booking_token": booking_token(booked.booking),
        "receipt_token": charter_links.receipt_token(signature),
        "confirm_token": charter_links.confirm_token(signing_request),
        "team_token": link_token(invited),
        "reset_uidb64": urlsafe_base64_encode(force_bytes(viewer.pk)),
        "reset_token": default_token_generator.make_token(viewer),
        "invitation_code": invitation.code,
        "superuser": superuser.pk,
    }


def _directory():
    """Poles of the directory, the first with a long name; their organisations."""
    food = SectorFactory(name="Alimentation durable et circuits courts", slug="alimentation")
    made = []
    for name, town, code in [
        (LONG_ORGANISATION, "Saint-Étienne", "42"),
        ("Pôle Écotone", "Lyon", "69"),
        ("Pôle Exemple des Deux-Rives", "Amiens", "80"),
        ("Pôle Exemple du Forez", "Montbrison", "42"),
    ]:
        pole = PoleFactory(
            organisation=OrganisationFactory(name=name, town=town, department_code=code),
            description="Un pôle d'exemple pour la démonstration.",
            creation_year=2014,
        )
        TerritoryAreaFactory(pole=pole, level=TerritoryLevel.DEPARTMENT, code=code)
        pole.sectors.add(food)
        PoleMemberFactory(pole=pole, category=MemberCategory.ESS_ENTERPRISE, role="fondatrice")
        PoleMemberFactory(pole=pole, category=MemberCategory.LOCAL_AUTHORITY)
        RecognitionFactory(pole=pole, kind=RecognitionKind.CALL_2023)
        poles.refresh(pole)
        made.append(pole.organisation)
    return made


MATRIX_KWARGS = {page.name: page.kwargs for page in matrix.PAGES}


def _parameters(pieces):
    names = []
    for piece in pieces:
        regex = getattr(piece, "regex", None)
        names += list(getattr(piece, "converters", {}) or (regex.groupindex if regex else {}))
    return names


def address(name, scene):
    """The page's address, its path parameters filled from the scene as the other walks
    over every page fill them (a value that names nothing in the scene is the value)."""
    known = {**KWARGS_BY_NAME, **MATRIX_KWARGS.get(name, {}), **KWARGS_BY_PAGE.get(name, {})}
    missing = [parameter for parameter in _parameters(ROUTES[name]) if parameter not in known]
    assert missing == [], (
        f"{name}: no value for {missing}: add the page to test_permission_matrix.PAGES or "
        "test_hostile_input.KWARGS_BY_PAGE, and the value to this module's scene"
    )
    kwargs = {
        parameter: str(scene.get(known[parameter], known[parameter]))
        for parameter in _parameters(ROUTES[name])
    }
    return reverse(name, kwargs=kwargs)


def _tab(browser, server):
    context = browser.new_context(locale="fr-FR", viewport={"width": WIDTHS[0], "height": HEIGHT})
    return Tab(context.new_page(), server.url)


@pytest.fixture(scope="module")
def organiser_tab(scene, browser, scene_server):
    """A superuser who passed the second factor: every organiser page is theirs."""
    tab = _tab(browser, scene_server)
    log_in_tab(tab, User.objects.get(pk=scene["superuser"]))
    yield tab
    tab.page.context.close()


@pytest.fixture(scope="module")
def visitor_tab(scene, browser, scene_server):
    tab = _tab(browser, scene_server)
    yield tab
    tab.page.context.close()


def test_skipped_addresses_answer_no_html_page(scene, client):
    """Each skipped address exists and answers something else than a page: a file, a
    redirection, 405 to a GET. No page is left out by mistake."""
    names = {name for name, _pieces in routes.walk()}
    assert sorted(set(SKIPPED) - names) == []
    log_in(client, User.objects.get(pk=scene["superuser"]))
    pages, not_found = {}, []
    for name in SKIPPED:
        response = client.get(address(name, scene))
        if response.status_code == 404 and name != NOT_FOUND_IN_SCENE:
            not_found.append(name)
        elif response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages[name] = _body_of(response)
    assert not_found == []
    # The dashboard's figures, without the page around them.
    assert list(pages) == ["dashboard_fragment"]
    assert "<html" not in pages["dashboard_fragment"]


def _body_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


# The figure tiles of each page that has some, computed here with the functions the pages
# use: [label, number] in the page's order. A page with tiles that is not in FIGURES fails
# (its tiles are compared with none).


def _or_no_limit(value):
    return gettext("no limit") if value is None else value


def _seats(seats):
    return [
        (gettext("Capacity"), _or_no_limit(seats.capacity)),
        (pgettext("people counted", "Confirmed"), seats.confirmed),
        *([(gettext("Held for invited guests"), seats.held)] if seats.held else []),
        (gettext("Free"), _or_no_limit(seats.available)),
        (gettext("Waiting"), seats.waiting),
        (pgettext("people counted", "Cancelled"), seats.cancelled),
    ]


def _dashboard_tiles(edition):
    board = dashboard(edition)
    seats = board.seats
    return [
        (gettext("Capacity"), _or_no_limit(seats.capacity)),
        (pgettext("people counted", "Confirmed"), seats.confirmed),
        (gettext("Waiting"), seats.waiting),
        (pgettext("people counted", "Cancelled"), seats.cancelled),
        (gettext("Admitted at the door"), board.admitted),
        (gettext("Held for invited guests"), seats.held),
        (gettext("Free"), _or_no_limit(seats.available)),
        (gettext("Lunches"), board.lunch.lunches),
        (gettext("Not staying for lunch"), board.lunch.no_lunch),
        (gettext("With dietary details"), board.lunch.dietary_details),
        (gettext("With accessibility needs"), board.lunch.accessibility_needs),
    ]


def _ceremony_tiles(edition):
    sheet = ceremony.run_sheet(edition.charter_ceremony)
    return [
        (gettext("Expected"), sheet.expected),
        (gettext("Present"), len(sheet.present)),
        (gettext("Signed here"), len(sheet.signed)),
    ]


def _signatory_tiles(_edition):
    counts = listing.counts(
        listing.public_signatures(), list(CharterVersion.objects.order_by("year", "pk"))
    )
    return [
        *(
            (gettext("%(year)s version") % {"year": version.slug}, n)
            for version, n in counts.by_version
        ),
        *((str(channel.label), n) for channel, n in counts.by_channel),
    ]


def _checkin_tiles(edition):
    counts = checkin.counts(edition)
    return [
        (gettext("Expected"), counts["expected"]),
        (pgettext("people counted", "Admitted"), counts["admitted"]),
        *((entrance["name"], entrance["admitted"]) for entrance in counts["entrances"]),
    ]


FIGURES = {
    "dashboard": _dashboard_tiles,
    "registrations:list": lambda edition: _seats(figures.availability(edition)),
    "charter:ceremony": _ceremony_tiles,
    "charter:signatories": _signatory_tiles,
    "admission:checkin": _checkin_tiles,
}


def _number(shown):
    """A number as the page writes it (thousands apart with spaces, as in French), or the
    words written instead of one."""
    digits = re.sub(r"[\s\u00a0\u202f]", "", shown)
    return int(digits) if digits.isdigit() else shown


def _after_password(tab, scene):
    """The login's second step: the page that asks for the code once the password is right."""
    tab.goto(reverse("accounts:login"))
    tab.page.locator("#id_username").fill("agent-porte")
    tab.page.locator("#id_password").fill(PASSWORD)
    tab.page.locator("main form button[type=submit]").click()


def _cancellation_to_confirm(tab, scene):
    """The people ticked in the list, to cancel: the page that asks to confirm (a POST)."""
    tab.goto(reverse("registrations:list", args=[scene["edition"]]))
    for box in tab.page.locator("input.pick").all():
        box.check()
    tab.page.locator("button[name=action][value=cancel]").click()


def _new_recovery_codes(tab, scene):
    """The recovery codes just made, shown once: the password again, then "new codes"."""
    tab.goto(reverse("accounts:reauthenticate"))
    tab.page.locator("main input[type=password]").fill(PASSWORD)
    tab.page.locator("main form button[type=submit]").click()
    tab.page.wait_for_url(f"**{reverse('accounts:two_factor')}")
    tab.page.locator("form:has(input[name=action][value=regenerate]) button").click()


#: Pages reached through a form, not by their address alone.
THROUGH_A_FORM = {
    "accounts:login_code": _after_password,
    "accounts:recovery_codes": _new_recovery_codes,
    "registrations:selection": _cancellation_to_confirm,
}
#: Query strings that the pages need, from the scene.
QUERIES = {"registrations:notify_change": "notify_change_query"}


def _open(tab, name, scene):
    """Load the page at the first width; the check-in app is checked on its main screen."""
    path = address(name, scene)
    tab.page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    if name in THROUGH_A_FORM:
        THROUGH_A_FORM[name](tab, scene)
        tab.page.wait_for_url(f"**{path}")
    else:
        query = f"?{scene[QUERIES[name]]}" if name in QUERIES else ""
        response = tab.goto(path + query)
        assert response.headers["content-type"].startswith("text/html")
        # The page itself, not one it sends the visitor to (Django's page that sets a new
        # password takes the token out of its address first).
        arrived = path.replace(scene["reset_token"], "set-password")
        assert urlsplit(tab.page.url).path == arrived
    # What a click shows is checked too: the frame's menu on a phone, a table of figures.
    tab.page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    if name == "admission:checkin":
        tab.page.locator("#entrance-start").click()
        tab.page.locator("#count-expected").filter(has_not_text="\u2013").wait_for()


@pytest.mark.parametrize("name", VISITED)
def test_page_fits_every_width(name, scene, organiser_tab, visitor_tab):
    organiser = name in ORGANISER_PAGES and name not in VISITOR_PAGES
    tab = organiser_tab if organiser else visitor_tab
    _open(tab, name, scene)

    faults, tiles = {}, {}
    for width in WIDTHS:
        tab.page.set_viewport_size({"width": width, "height": HEIGHT})
        found = tab.layout_faults() + tab.text_faults()
        if found:
            faults[width] = found
        tiles[width] = [(label, _number(number)) for label, number in tab.figure_tiles()]
    if name == "accounts:login_code":
        # Halfway logged in: the next public page is for someone with no account.
        tab.page.context.clear_cookies()

    assert faults == {}
    # The same tiles at every width...
    assert all(shown == tiles[WIDTHS[0]] for shown in tiles.values())
    # ...showing the figures computed on the server.
    with translation.override("fr"):
        expected = (
            FIGURES[name](Edition.objects.get(slug=scene["edition"])) if name in FIGURES else []
        )
    assert tiles[WIDTHS[0]] == expected
