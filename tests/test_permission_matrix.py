"""Every organiser page and every API endpoint, tried with each role and with an outsider.

The expectations are written here from the roles of DESIGN.md, not read from the code:
organisers (and superusers) may do everything on their editions; editors edit content and see
figures; agents check people in on their one edition; viewers see figures; an organiser of
another network, an outsider with no role and anonymous visitors get nothing. A refused user
gets the 403 page (anonymous visitors the login page, API clients 401) and never the personal
data the page would show.

``test_every_organiser_page_is_in_the_table`` walks the URL configuration: a new organiser
page that is not added to ``PAGES`` fails it, so none can escape these checks.
"""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from admission import codes, security_list
from charter import ceremony, signatures
from charter.enums import Channel
from charter.models import SigningRequest
from events.models import Material
from feedback import questionnaires
from outbox.models import Message
from registrations import capacity, workshops
from tests import routes
from tests.auth import log_in
from tests.factories import (
    CategoryFactory,
    CharterVersionFactory,
    EntranceFactory,
    InvitationFactory,
    OrganisationFactory,
    PoleFactory,
    SessionFactory,
    SpeakerFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db

# Who may, by role (the users of the ``cast`` fixture).
ALL_USERS = (
    "organiser",
    "editor",
    "agent",
    "viewer",
    "other_organiser",
    "outsider",
    "superuser",
)
PERSONAL_DATA = {"organiser", "superuser"}
MANAGE = {"organiser", "superuser"}
FIGURES = {"organiser", "editor", "viewer", "superuser"}
CONTENT = {"organiser", "editor", "superuser"}
CHECK_IN = {"organiser", "agent", "superuser"}
# The directory and the charter are national: organisers of any organising organisation.
NATIONAL = {"organiser", "other_organiser", "superuser"}

# What the refused must never see: the registered person's names and address.
SECRET_NAME = "Zéphyrine"
SECRET_EMAIL = "zephyrine.marqueur@example.org"


@dataclass(frozen=True)
class Page:
    name: str
    allowed: frozenset
    method: str = "get"
    kwargs: dict = field(default_factory=dict)

    def __init__(self, name, allowed, method="get", **kwargs):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "allowed", frozenset(allowed))
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "kwargs", kwargs)

    def __str__(self):
        return f"{self.method.upper()} {self.name}"


# kwargs values are names of objects built by the ``scene`` fixture.
PAGES = [
    # Registrations.
    Page("registrations:list", PERSONAL_DATA, slug="edition"),
    Page("registrations:add", MANAGE, slug="edition"),
    Page("registrations:detail", PERSONAL_DATA, slug="edition", pk="registration"),
    Page("registrations:registration_cancel", MANAGE, "post", slug="edition", pk="registration"),
    Page("registrations:promote", MANAGE, "post", slug="edition", pk="registration"),
    Page("registrations:resend", MANAGE, "post", slug="edition", pk="registration"),
    Page("registrations:registration_edit", MANAGE, slug="edition", pk="registration"),
    Page("registrations:change_category", MANAGE, "post", slug="edition", pk="registration"),
    Page("registrations:selection", MANAGE, "post", slug="edition"),
    Page("registrations:invitations", PERSONAL_DATA, slug="edition"),
    Page("registrations:invite", MANAGE, "post", slug="edition"),
    Page("registrations:group_code", MANAGE, "post", slug="edition"),
    Page("registrations:revoke", MANAGE, "post", slug="edition", pk="invitation"),
    Page("registrations:failed_emails", PERSONAL_DATA, slug="edition"),
    # Workshops: their people are personal data; moves and seats are changes.
    Page("registrations:workshops", PERSONAL_DATA, slug="edition"),
    Page("registrations:workshop", PERSONAL_DATA, slug="edition", pk="workshop"),
    Page("registrations:workshop_move", MANAGE, "post", slug="edition", pk="workshop"),
    Page("registrations:workshop_capacity", MANAGE, "post", slug="edition", pk="workshop"),
    Page(
        "registrations:workshop_sheet",
        PERSONAL_DATA,
        slug="edition",
        pk="workshop",
        export_format="pdf",
    ),
    Page("registrations:resend_email", MANAGE, "post", slug="edition", pk="failed_email"),
    # The venue's security list.
    Page("admission:security_list", PERSONAL_DATA, slug="edition"),
    Page("admission:security_generate", MANAGE, "post", slug="edition"),
    Page(
        "admission:security_download",
        PERSONAL_DATA,
        slug="edition",
        number="one",
        export_format="csv",
    ),
    Page(
        "admission:security_changes",
        PERSONAL_DATA,
        slug="edition",
        number="two",
        export_format="csv",
    ),
    # Badges: the whole set is personal data; one badge also for an agent, once admitted.
    Page("admission:badges", PERSONAL_DATA, slug="edition"),
    Page("admission:badges_pdf", PERSONAL_DATA, slug="edition"),
    Page("admission:badge_pdf", PERSONAL_DATA, slug="edition", pk="registration"),
    # Check-in at the door.
    Page("admission:checkin", CHECK_IN, slug="edition"),
    # Attendance after the day: counts only.
    Page("admission:attendance", FIGURES, slug="edition"),
    Page("admission:attendance_csv", FIGURES, slug="edition"),
    # The report after the day: counts only; its texts are content.
    Page("report", FIGURES, slug="edition"),
    Page("report_pdf", FIGURES, slug="edition"),
    Page("report_texts", CONTENT, slug="edition"),
    # The charter: national management, and the edition's ceremony.
    Page("charter:manage", NATIONAL),
    Page("charter:version_add", NATIONAL),
    Page("charter:version_edit", NATIONAL, version="charter_version"),
    Page("charter:version_opening", NATIONAL, "post", version="charter_version"),
    Page("charter:approve", NATIONAL, "post", pk="signing_request"),
    Page("charter:refuse", NATIONAL, "post", pk="signing_request"),
    Page("charter:revoke", NATIONAL, "post", pk="signature"),
    Page("charter:ceremony", MANAGE, slug="edition"),
    Page("charter:ceremony_open", MANAGE, "post", slug="edition"),
    Page("charter:ceremony_close", MANAGE, "post", slug="edition"),
    Page("charter:ceremony_reopen", MANAGE, "post", slug="edition"),
    Page(
        "charter:ceremony_record",
        MANAGE,
        "post",
        slug="edition",
        organisation="pole_organisation",
    ),
]

# Who may hold API tokens of their own: anyone with a role.
WITH_A_ROLE = set(ALL_USERS) - {"outsider"}

PAGES += [
    # The organisers' area of an edition (issue 7).
    Page("dashboard", FIGURES, slug="edition"),
    Page("dashboard_fragment", FIGURES, slug="edition"),
    Page("registrations:message", MANAGE, slug="edition"),
    # Without a signed change in its address, the page says so and goes back to settings.
    Page("registrations:notify_change", MANAGE, slug="edition"),
    # A preview's frame; with no preview kept in the session, a short note.
    Page(
        "registrations:message_preview",
        MANAGE,
        slug="edition",
        key="00000000-0000-4000-8000-000000000000",
        language="fr",
    ),
    Page("edition_copy", MANAGE, slug="edition"),
    Page("registrations:exports", FIGURES, slug="edition"),
    Page("registrations:export_registrations", PERSONAL_DATA, slug="edition"),
    Page("registrations:export_participants", PERSONAL_DATA, slug="edition"),
    Page("figures_export", FIGURES, slug="edition"),
    Page("registrations:privacy", MANAGE, slug="edition"),
    Page("registrations:privacy_copy", MANAGE, slug="edition", pk="registration"),
    Page("registrations:privacy_erase", MANAGE, slug="edition", pk="registration"),
    Page("accounts:edition_audit", MANAGE, slug="edition"),
    Page("accounts:edition_audit_csv", MANAGE, slug="edition"),
    # Preparing the day: content for editors too, settings and seats for organisers.
    Page("events:settings", CONTENT, slug="edition"),
    Page("events:venue", MANAGE, slug="edition"),
    Page("events:new_venue", MANAGE, slug="edition"),
    Page("events:edit_programme", CONTENT, slug="edition"),
    Page("events:session_add", CONTENT, slug="edition"),
    Page("events:session_edit", CONTENT, slug="edition", pk="session"),
    Page("events:session_delete", CONTENT, slug="edition", pk="session"),
    Page("events:speaker_add", CONTENT, slug="edition"),
    Page("events:speaker_edit", CONTENT, slug="edition", pk="speaker"),
    Page("events:speaker_delete", CONTENT, slug="edition", pk="speaker"),
    Page("events:material_list", CONTENT, slug="edition"),
    Page("events:material_file_add", CONTENT, slug="edition"),
    Page("events:material_link_add", CONTENT, slug="edition"),
    Page("events:material_edit", CONTENT, slug="edition", pk="material"),
    Page("events:material_delete", CONTENT, slug="edition", pk="material"),
    Page("registrations:categories", MANAGE, slug="edition"),
    Page("registrations:category_add", MANAGE, slug="edition"),
    Page("registrations:category_edit", MANAGE, slug="edition", pk="category"),
    Page("registrations:category_delete", MANAGE, slug="edition", pk="spare_category"),
    Page("admission:entrances", MANAGE, slug="edition"),
    Page("admission:entrance_add", MANAGE, slug="edition"),
    Page("admission:entrance_edit", MANAGE, slug="edition", pk="entrance_pk"),
    Page("admission:entrance_up", MANAGE, "post", slug="edition", pk="entrance_pk"),
    Page("admission:entrance_down", MANAGE, "post", slug="edition", pk="entrance_pk"),
    Page("admission:entrance_delete", MANAGE, slug="edition", pk="entrance_pk"),
    Page("admission:rehearsal", MANAGE, slug="edition"),
    Page("admission:rehearsal_close", MANAGE, "post", slug="edition"),
    # After the day: the questionnaire is content; opening and sending it email attendees;
    # its figures for those who see figures, its free texts (the export) personal data.
    Page("feedback:questionnaire", CONTENT, slug="edition"),
    Page("feedback:question_add", CONTENT, slug="edition"),
    Page("feedback:question_edit", CONTENT, slug="edition", pk="question"),
    Page("feedback:question_delete", CONTENT, slug="edition", pk="question"),
    Page("feedback:question_move", CONTENT, "post", slug="edition", pk="question"),
    Page("feedback:send_now", MANAGE, "post", slug="edition"),
    Page("feedback:results", FIGURES, slug="edition"),
    Page("feedback:results_csv", PERSONAL_DATA, slug="edition"),
    # National: new editions, the team, the audit log, the directory.
    Page("events:new_edition", NATIONAL),
    Page("accounts:team", NATIONAL),
    Page("accounts:team_invite", NATIONAL),
    Page("accounts:team_tokens", NATIONAL),
    Page("accounts:audit", NATIONAL),
    Page("accounts:audit_csv", NATIONAL),
    # A role of cast.org's viewer: only cast.org's organisers may withdraw it.
    Page("accounts:team_withdraw", MANAGE, "post", pk="viewer_membership"),
    Page("accounts:tokens", WITH_A_ROLE),
    # The viewer's token: the viewer, and the organisers of the viewer's organisation.
    Page("accounts:token_revoke", {"viewer", "organiser", "superuser"}, "post", pk="viewer_token"),
    Page("network:manage", NATIONAL),
    Page("network:organisation_add", NATIONAL),
    Page("network:organisation", NATIONAL, pk="pole_organisation"),
    Page("network:pole_edit", NATIONAL, pk="pole_organisation"),
    Page("network:sectors", NATIONAL),
    Page("network:import", NATIONAL),
    Page("network:export", NATIONAL),
]

# Pages under the organisers' prefixes that anyone may open, and why.
OPEN_PAGES = {
    # The organisers' home lists the user's own days (none: a plain explanation).
    "organiser_home": "lists only the user's own days",
    # One's own account: password, two factors.
    "accounts:account": "the user's own account",
    "accounts:reauthenticate": "the user's own account",
    "accounts:password_change": "the user's own account",
    "accounts:two_factor": "the user's own account",
    "accounts:recovery_codes": "the user's own account",
    # Accepting an invitation: the signed link is the key (tests/test_team.py).
    "accounts:invitation_accept": "opened with a signed link",
    # The check-in app's list of days: any logged-in user sees the days they may check in
    # (none for most); tested in tests/test_checkin_pages.py.
    "admission:checkin_pick": "lists only the user's own days",
    # Static parts of the installable check-in app, with no data.
    "admission:checkin_service_worker": "static script",
    "admission:checkin_manifest": "static manifest",
}

ORGANISER_PREFIXES = ("gestion/", "controle/", "compte/")


def _is_organiser_route(route):
    return any(route.startswith(prefix) or f"/{prefix}" in route for prefix in ORGANISER_PREFIXES)


def test_every_organiser_page_is_in_the_table():
    known = {page.name for page in PAGES} | set(OPEN_PAGES)
    missing = []
    for name, pieces in routes.walk():
        route = routes.route(pieces)
        if _is_organiser_route(route) and not route.startswith("admin/") and name not in known:
            missing.append(f"{route} ({name})")
    assert sorted(missing) == [], "organiser pages with no permission check in PAGES"


@pytest.fixture
def scene(cast):
    """Objects of ``cast.edition`` for the pages that show one."""
    edition = cast.edition
    edition.registration_opens_at = timezone.now() - dt.timedelta(days=1)
    edition.save()
    category = CategoryFactory(edition=edition, name="Participant")
    registration = capacity.register(
        edition,
        category=category,
        first_name=SECRET_NAME,
        last_name="Marqueur",
        email=SECRET_EMAIL,
        by_organiser=True,
    )
    entrance = EntranceFactory(edition=edition)
    edition.venue.owner = cast.org
    edition.venue.save()
    session = SessionFactory(edition=edition)
    workshop = WorkshopFactory(edition=edition)
    workshops.choose(registration, workshop)
    speaker = SpeakerFactory(edition=edition)
    material = Material.objects.create(
        edition=edition, kind="link", title="Replay", url="https://video.example"
    )
    question = questionnaires.of_edition(edition).questions.first()
    spare_category = CategoryFactory(edition=edition, name="Sans inscrits")
    viewer_token, _ = ApiToken.issue(cast.viewer)
    invitation = InvitationFactory(edition=edition, email="invitee.secret@example.org")
    failed_email = Message.objects.create(
        kind="registrations.confirmation",
        object_id=registration.pk,
        edition=edition,
        recipient=SECRET_EMAIL,
        message_id="<matrix@example.org>",
        status="failed",
    )
    security_list.generate(edition, by=cast.organiser)
    version = security_list.generate(edition, by=cast.organiser)
    charter_version = CharterVersionFactory()
    ceremony.open_ceremony(edition, charter_version, by=cast.organiser)
    pole_organisation = PoleFactory(organisation__name="Pôle Exemple du Tableau").organisation
    signature = signatures.record(
        charter_version,
        OrganisationFactory(name="Réseau signataire"),
        representative_name="Camille Exemple",
        representative_role="Déléguée",
        name_is_public=False,
        channel=Channel.ONLINE,
    )
    signing_request = SigningRequest.objects.create(
        version=charter_version,
        proposed_name="Organisation proposée",
        proposed_kind="network",
        representative_name="Dominique Exemple",
        representative_role="Président",
        representative_email="dominique@example.org",
        has_mandate=True,
        status="awaiting_approval",
    )
    return {
        "edition": edition.slug,
        "registration": registration.pk,
        "invitation": invitation.pk,
        "failed_email": failed_email.pk,
        "one": 1,
        "two": version.number,
        "entrance": entrance.slug,
        "entrance_pk": entrance.pk,
        "ticket_code": codes.code_for(registration),
        "session": session.pk,
        "workshop": workshop.pk,
        "speaker": speaker.pk,
        "material": material.pk,
        "question": question.pk,
        "category": category.pk,
        "spare_category": spare_category.pk,
        "viewer_membership": cast.viewer.memberships.get().pk,
        "viewer_token": viewer_token.pk,
        "charter_version": charter_version.slug,
        "pole_organisation": pole_organisation.pk,
        "signature": signature.pk,
        "signing_request": signing_request.pk,
    }


def _url(page, scene):
    kwargs = {key: scene.get(value, value) for key, value in page.kwargs.items()}
    return reverse(page.name, kwargs=kwargs)


def _request(client, page, url):
    return client.post(url) if page.method == "post" else client.get(url)


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_each_role_gets_the_page_or_403_and_anonymous_visitors_the_login_page(page, cast, scene):
    url = _url(page, scene)
    response = _request(Client(), page, url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

    # The refused first: the allowed may change things (a POST that cancels, say), after
    # which the next allowed user may find the object gone (404), never refused.
    first_allowed = True
    for role in sorted(ALL_USERS, key=lambda role: role in page.allowed):
        client = log_in(Client(), getattr(cast, role))
        response = _request(client, page, url)
        if role in page.allowed:
            refused = (401, 403, 405) if not first_allowed else (401, 403, 404, 405)
            assert response.status_code not in refused, (role, response.status_code)
            assert not (
                response.status_code == 302
                and response["Location"].startswith(reverse("accounts:login"))
            ), role
            first_allowed = False
        else:
            assert response.status_code == 403, (role, response.status_code)
            body = _body_of(response)
            assert SECRET_NAME not in body
            assert SECRET_EMAIL not in body


def _body_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


# The API: (method, path, allowed, body) with the placeholders filled from ``scene``. A body
# is valid, so that a refusal can only come from the permission check (ninja validates the
# body before the view runs).
REGISTRATION = {
    "first_name": "Ana",
    "last_name": "Exemple",
    "email": "ana.{role}@example.org",
    "category": "participant",
}
SCAN = {
    "registration": "{registration}",
    "entrance": "{entrance}",
    "nonce": "matrix-{role}-0123456789",
    "id_checked": True,
}
API = [
    ("get", "/api/v1/editions/{edition}/registrations", PERSONAL_DATA, None),
    ("post", "/api/v1/editions/{edition}/registrations", MANAGE, REGISTRATION),
    ("post", "/api/v1/registrations/{registration}/cancel", MANAGE, None),
    # A person's workshops: read as their registration, changed as it is.
    ("get", "/api/v1/registrations/{registration}/workshops", PERSONAL_DATA, None),
    ("put", "/api/v1/registrations/{registration}/workshops", MANAGE, {"workshops": []}),
    # The log of who was admitted when is personal data; agents only send scans.
    ("get", "/api/v1/editions/{edition}/checkins", PERSONAL_DATA, None),
    ("post", "/api/v1/editions/{edition}/checkins", CHECK_IN, SCAN),
    ("get", "/api/v1/editions/{edition}/checkin-data", CHECK_IN, None),
    ("post", "/api/v1/editions/{edition}/ticket-code", CHECK_IN, {"code": "{ticket_code}"}),
]
# Endpoints open to everyone (public data), and the token-only "who am I".
OPEN_API = {
    "/api/v1/editions",
    "/api/v1/editions/{slug}",
    "/api/v1/editions/{slug}/availability",
    "/api/v1/editions/{slug}/workshops",
    "/api/v1/poles",
    "/api/v1/poles/{pole_id}",
    "/api/v1/organisations",
    "/api/v1/charter/versions",
    "/api/v1/charter/{version}/signatures",
    "/api/v1/me",
}


def test_every_api_endpoint_is_in_the_table(client):
    schema = client.get("/api/v1/openapi.json").json()
    tabled = {
        path.replace("{edition}", "{slug}").replace("{registration}", "{registration_id}")
        for _, path, _, _ in API
    }
    missing = sorted(path for path in schema["paths"] if path not in tabled | OPEN_API)
    assert missing == []


def _body(template, scene, role):
    if template is None:
        return {}
    body = {}
    for key, value in template.items():
        if isinstance(value, str):
            value = value.format(role=role, **scene)
            value = int(value) if value.isdigit() else value
        body[key] = value
    return body


@pytest.mark.parametrize(
    ("method", "path", "allowed", "body"), API, ids=[f"{m} {p}" for m, p, _, _ in API]
)
def test_each_role_gets_the_endpoint_or_403_and_no_token_401(
    method, path, allowed, body, cast, scene
):
    url = path.format(**scene)
    anonymous = getattr(Client(), method)(
        url, data=_body(body, scene, "anonymous"), content_type="application/json"
    )
    assert anonymous.status_code == 401
    for role in sorted(ALL_USERS, key=lambda role: role in allowed):
        _, raw = ApiToken.issue(getattr(cast, role))
        response = getattr(Client(), method)(
            url,
            data=_body(body, scene, role),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        if role in allowed:
            assert response.status_code in (200, 201), (role, response.status_code)
        else:
            assert response.status_code == 403, (role, response.status_code)
            assert SECRET_NAME not in response.content.decode()
