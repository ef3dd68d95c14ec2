"""Every HTML email the site sends fits a phone (issue 17).

Each email is written by the code that writes it in production (the registration rules, the
outbox's helpers of each app) and rendered as the worker sends it (``outbox.builders.build``);
its HTML part is loaded in Chromium 375 px wide. It must not scroll sideways, no element may
stick out of the window, and no link may show an address: the main action is a button, the
others a few words (the text part keeps the full addresses, as text mail should). Each email
is tried with ordinary names and with names, organisations and roles of 60 characters without
a space, as a person may type them.
"""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import emails as account_emails
from accounts import invitations
from accounts.enums import Role
from charter import requests
from events.signals import practical_details
from outbox.builders import build
from outbox.models import Message
from registrations import announcements, changes, emails
from registrations.capacity import cancel, register
from registrations.links import manage_path
from registrations.models import Booking
from tests.factories import (
    CategoryFactory,
    CharterVersionFactory,
    EditionFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

WIDTH = 375
#: The longest link text a phone shows on one line or two without looking like an address.
LONGEST_LINK_TEXT = 40
LONG = "Abcdefghij" * 6  # 60 characters, no space: no line break of its own.

#: Run in the page: what does not fit a window of its width, and the links that show
#: an address or a long text.
MEASURE = """(longest) => {
  const root = document.documentElement;
  const window = root.clientWidth;
  const describe = (element) =>
    `<${element.tagName.toLowerCase()}> "${element.textContent.trim().slice(0, 40)}"`;
  const wide = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width && (box.left < -1 || box.right > window + 1)) {
      wide.push(`${describe(element)} spans ${Math.round(box.left)}-${Math.round(box.right)} px`);
    }
  }
  const links = [...document.querySelectorAll("a")]
    .filter((link) => link.getClientRects().length > 0)
    .map((link) => link.innerText.replace(/\\s+/g, " ").trim())
    .filter((text) => text.length > longest || /^(https?:|www\\.)|:\\/\\//i.test(text));
  return {window, scrollWidth: root.scrollWidth, wide, links};
}"""


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 800}, locale="fr-FR")
    yield context.new_page()
    context.close()


@pytest.fixture(params=["ordinary", "long"])
def people(request):
    """Who the emails are about: ordinary names, or everything typed as one long word."""
    if request.param == "ordinary":
        return {
            "first_name": "Camille",
            "last_name": "Exemple",
            "organisation": "Pôle Exemple des Deux-Rives",
            "role": "Coordinatrice",
        }
    return {
        "first_name": LONG,
        "last_name": LONG,
        "organisation": f"Pôle{LONG}",
        "role": LONG,
    }


@pytest.fixture
def scene(people):
    now = timezone.now()
    organiser_org = OrganisationFactory(name=f"Réseau {people['organisation']}")
    venue = VenueFactory(
        name="Salle Exemple",
        street_address="1 rue de l'Exemple",
        postal_code="75012",
        city="Paris",
        public_transport="Métro : ligne Exemple\nBus : ligne 0",
        accessibility="Entrée de plain-pied.",
    )
    edition = EditionFactory(
        title="Journée Exemple des pôles",
        venue=venue,
        capacity=1,
        id_required=True,
        organisers=[organiser_org],
        date=(now + dt.timedelta(days=20)).date(),
        registration_opens_at=now - dt.timedelta(days=5),
        registration_closes_at=now + dt.timedelta(days=10),
        security_list_final_deadline=now + dt.timedelta(days=12),
    )
    organiser = UserFactory(username="organisatrice")
    MembershipFactory(user=organiser, organisation=organiser_org, role=Role.ORGANISER)
    return {
        "people": people,
        "edition": edition,
        "category": CategoryFactory(edition=edition, name="Participant"),
        "organiser": organiser,
        "organiser_org": organiser_org,
    }


def _register(scene, email="camille@example.org", **fields):
    people = scene["people"]
    return register(
        scene["edition"],
        category=scene["category"],
        first_name=people["first_name"],
        last_name=people["last_name"],
        email=email,
        organisation_name=people["organisation"],
        language="fr",
        **fields,
    )


def _last(kind):
    return Message.objects.filter(kind=kind).latest("pk")


# The emails: each writes one the way the site does, and returns the outbox message ----------


def confirmed(scene):
    _register(scene)
    return _last("registrations.confirmed")


def confirmed_to_the_booker(scene):
    booking = Booking.objects.create(
        edition=scene["edition"], email="resa@example.org", language="fr"
    )
    _register(scene, email="", booking=booking)
    return _last("registrations.confirmed")


def waitlisted(scene):
    _register(scene, email="premiere@example.org")
    _register(scene)
    return _last("registrations.waitlisted")


def promoted(scene):
    first = _register(scene, email="premiere@example.org")
    _register(scene)
    cancel(first)
    return _last("registrations.promoted")


def cancelled(scene):
    cancel(_register(scene))
    return _last("registrations.cancelled")


def manage_link(scene):
    registration = _register(scene)
    with transaction.atomic():
        emails.manage_link(registration)
    return _last("registrations.manage_link")


def reminder(scene):
    with transaction.atomic():
        return emails.reminder(_register(scene))


def reconfirmation(scene):
    with transaction.atomic():
        return emails.reconfirmation(_register(scene))


def changed(scene):
    edition = scene["edition"]
    _register(scene)
    before = practical_details(edition)
    edition.date += dt.timedelta(days=1)
    edition.venue = VenueFactory(
        name=f"Salle {scene['people']['organisation']}",
        street_address="2 avenue de l'Exemple",
        postal_code="69001",
        city="Lyon",
    )
    edition.save()
    address = changes.offer(None, edition=edition, changes=before, by=scene["organiser"])
    (token,) = parse_qs(urlsplit(address).query)[changes.PARAMETER]
    changes.notify(edition, token, by=scene["organiser"])
    return _last("registrations.changed")


def ticket_changed(scene):
    with transaction.atomic():
        emails.ticket_changed(_register(scene))
    return _last("registrations.ticket_changed")


def invitation(scene):
    edition = scene["edition"]
    invited = InvitationFactory(
        edition=edition,
        email="invitee@example.org",
        language="fr",
        holds_seat_until=timezone.now() + dt.timedelta(days=3),
    )
    with transaction.atomic():
        emails.invitation(invited)
    return _last("registrations.invitation")


def announcement(scene):
    _register(scene)
    announcements.send(
        scene["edition"],
        subject=f"Changement de salle {LONG}",
        body=f"La plénière a lieu salle B.\nVoir https://example.org/{LONG}/{LONG}\n{LONG}",
        audience={"statuses": ["confirmed"]},
        by=scene["organiser"],
    )
    return _last(announcements.KIND)


def password_reset(scene):
    user = UserFactory(username=scene["people"]["last_name"].lower())
    with transaction.atomic():
        account_emails.password_reset(user, language="fr")
    return _last(account_emails.PASSWORD_RESET)


def team_invitation(scene):
    invitations.invite(
        scene["organiser"],
        email=f"{scene['people']['last_name'].lower()}@example.org",
        role=Role.EDITOR,
        organisation=scene["organiser_org"],
        edition=scene["edition"],
        language="fr",
    )
    return _last("accounts.invitation")


def role_given(scene):
    colleague = UserFactory(username=scene["people"]["last_name"].lower())
    invitations.invite(
        scene["organiser"],
        email=colleague.email,
        role=Role.VIEWER,
        organisation=scene["organiser_org"],
        language="fr",
    )
    return _last("accounts.role_given")


def _signing_request(scene, *, proposed=False):
    people = scene["people"]
    version = CharterVersionFactory()
    representative = {
        "representative_name": f"{people['first_name']} {people['last_name']}",
        "representative_role": people["role"],
        "representative_email": "camille@example.org",
        "has_mandate": True,
        "language": "fr",
    }
    if proposed:
        return requests.submit(
            version,
            proposed_name=f"Nouveau {people['organisation']}",
            proposed_kind="pole",
            proposed_town="Tulle",
            **representative,
        )
    pole = PoleFactory(organisation__name=people["organisation"], organisation__town="Lyon")
    return requests.submit(version, organisation=pole.organisation, **representative)


def charter_confirm_link(scene):
    _signing_request(scene)
    return _last("charter.confirm_link")


def charter_awaiting_approval(scene):
    requests.confirm(_signing_request(scene, proposed=True))
    return _last("charter.awaiting_approval")


def charter_signed(scene):
    requests.confirm(_signing_request(scene))
    return _last("charter.signed")


def charter_refused(scene):
    signing_request = requests.confirm(_signing_request(scene, proposed=True))
    requests.refuse(signing_request, scene["organiser"], f"Inconnu du réseau : {LONG}")
    return _last("charter.refused")


EMAILS = [
    confirmed,
    confirmed_to_the_booker,
    waitlisted,
    promoted,
    cancelled,
    manage_link,
    reminder,
    reconfirmation,
    changed,
    ticket_changed,
    invitation,
    announcement,
    password_reset,
    team_invitation,
    role_given,
    charter_confirm_link,
    charter_awaiting_approval,
    charter_signed,
    charter_refused,
]


def html_of(message):
    """The HTML part of ``message`` as the worker sends it."""
    email = build(message)
    assert email is not None, f"{message.kind} was skipped"
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    return html


@pytest.mark.parametrize("write", EMAILS, ids=lambda write: write.__name__)
def test_every_html_email_fits_a_phone_and_shows_no_address(phone, scene, write):
    html = html_of(write(scene))

    phone.set_content(html)

    measured = phone.evaluate(MEASURE, LONGEST_LINK_TEXT)
    assert measured["window"] == WIDTH
    assert (measured["scrollWidth"], measured["wide"]) == (WIDTH, [])
    assert measured["links"] == []


@pytest.mark.parametrize("people", ["ordinary"], indirect=True)
def test_the_main_action_is_a_button_and_user_text_stays_escaped(phone, scene):
    scene["people"]["first_name"] = "<b>Zoé</b>"
    registration = _register(scene)

    html = html_of(_last("registrations.confirmed"))

    assert "&lt;b&gt;Zoé&lt;/b&gt;" in html
    assert "<b>Zoé" not in html
    phone.set_content(html)
    buttons = phone.locator("a.button")
    assert buttons.all_inner_texts() == ["Voir le billet", "Gérer l'inscription"]
    manage_url = settings.SITE_URL + manage_path(registration)
    assert buttons.evaluate_all("links => links.map((link) => link.href)") == [
        f"{manage_url}billet/",
        manage_url,
    ]
