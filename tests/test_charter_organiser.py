"""Organiser pages of the charter: who may open them; the ceremony (opening and closing it,
the run sheet after real admissions at the door, recording signatures from admitted
representatives or typed names, refusals); the charter's management (versions and their bad
input, approving and refusing proposed organisations, revoking signatures). Every action
says what it did; refusals and bad input change nothing."""

import itertools
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse

from admission.checkin import admit
from charter import ceremony as ceremonies
from charter import signatures
from charter.enums import Channel, RequestStatus
from charter.models import Ceremony, CharterVersion, Signature, SigningRequest
from network.enums import OrganisationKind
from network.models import Organisation, Recognition
from outbox.models import Message
from registrations.enums import RegistrationStatus
from tests.auth import log_in
from tests.factories import (
    CategoryFactory,
    CharterVersionFactory,
    EntranceFactory,
    OrganisationFactory,
    PoleFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db

_nonces = itertools.count()

POLE, NETWORK = OrganisationKind.POLE, OrganisationKind.NETWORK
STAFF_WITHOUT_RIGHTS = ["editor", "agent", "viewer", "outsider"]


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted as their English msgids, whatever the French catalogue says.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def version(db):
    return CharterVersionFactory()


@pytest.fixture
def edition(cast):
    return cast.edition


@pytest.fixture
def category(edition):
    return CategoryFactory(edition=edition)


@pytest.fixture
def door(edition):
    return EntranceFactory(edition=edition, name="Entrée A")


@pytest.fixture
def ceremony(cast, edition, version):
    return ceremonies.open_ceremony(edition, version, by=cast.organiser)


def organisation(name, kind=POLE, **fields):
    return OrganisationFactory(name=name, kind=kind, **fields)


def registered(edition, category, organisation, first_name, last_name, **fields):
    return RegistrationFactory(
        edition=edition,
        category=category,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        **fields,
    )


def admitted(edition, door, agent, registration):
    verdict = admit(
        edition,
        registration=registration,
        entrance=door,
        agent=agent,
        nonce=f"nonce-{next(_nonces)}",
        id_checked=True,
        now=edition.starts_at,
    )
    assert verdict.is_admitted
    return registration


def sign_online(version, organisation):
    return signatures.record(
        version,
        organisation,
        representative_name="Camille Exemple",
        representative_role="Présidente",
        name_is_public=True,
        channel=Channel.ONLINE,
    )


def as_user(client, user):
    log_in(client, user)
    return client


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def ceremony_page(edition, name="ceremony", *args):
    return reverse(f"charter:{name}", args=[edition.slug, *args])


def charter_page(name, *args):
    return reverse(f"charter:{name}", args=args)


def record_url(edition, organisation):
    return ceremony_page(edition, "ceremony_record", organisation.pk)


# Who may open what ---------------------------------------------------------------------------


@pytest.fixture
def scene(cast, edition, category, door, version, ceremony):
    """A present pole, a standing signature and a request waiting for approval: something
    personal on each page."""
    pole = organisation("Pôle Exemple des Deux-Rives")
    admitted(
        edition,
        door,
        cast.agent,
        registered(edition, category, pole, "Secret", "Person", job_title="Coordinatrice"),
    )
    signature = sign_online(version, organisation("Réseau Exemple signataire", NETWORK))
    signing_request = SigningRequest.objects.create(
        version=version,
        proposed_name="Pôle Exemple proposé",
        proposed_kind=POLE,
        representative_name="Secret Requester",
        representative_role="Présidente",
        representative_email="secret.requester@example.org",
        has_mandate=True,
        status=RequestStatus.AWAITING_APPROVAL,
    )
    return pole, signature, signing_request


def charter_pages(scene, version):
    _pole, signature, signing_request = scene
    return [
        charter_page("manage"),
        charter_page("version_add"),
        charter_page("version_edit", version.slug),
        charter_page("refuse", signing_request.pk),
        charter_page("revoke", signature.pk),
    ]


def charter_actions(scene, version):
    _pole, signature, signing_request = scene
    return [
        (charter_page("version_add"), {"title": "Nouvelle", "year": "2030"}),
        (charter_page("version_edit", version.slug), {"title": "Changée", "year": "2021"}),
        (charter_page("version_opening", version.slug), {"open": "0"}),
        (charter_page("approve", signing_request.pk), {}),
        (charter_page("refuse", signing_request.pk), {"reason": "Inconnue"}),
        (charter_page("revoke", signature.pk), {"reason": "Erreur"}),
    ]


def ceremony_actions(edition, scene):
    pole, _signature, _request = scene
    return [
        (ceremony_page(edition, "ceremony_open"), {}),
        (ceremony_page(edition, "ceremony_close"), {}),
        (ceremony_page(edition, "ceremony_reopen"), {}),
        (record_url(edition, pole), {f"named-{pole.pk}-representative_name": "X Y"}),
    ]


def nothing_changed(version, scene):
    _pole, signature, signing_request = scene
    version.refresh_from_db()
    signature.refresh_from_db()
    signing_request.refresh_from_db()
    assert (version.title, version.is_open) == (
        "Charte de la démarche collective PTCE (2021)",
        True,
    )
    assert CharterVersion.objects.count() == 1
    assert signature.revoked_at is None
    assert signing_request.status == RequestStatus.AWAITING_APPROVAL
    assert Ceremony.objects.get().is_open
    assert Signature.objects.count() == 1


def test_anonymous_visitors_are_sent_to_the_login_page(client, edition, version, scene):
    login = reverse("accounts:login")
    pages = [*charter_pages(scene, version), ceremony_page(edition)]
    actions = charter_actions(scene, version) + ceremony_actions(edition, scene)

    for url in pages:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, f"{login}?next={url}")
    for url, data in actions:
        response = client.post(url, data)
        assert (response.status_code, response["Location"]) == (302, f"{login}?next={url}")
    nothing_changed(version, scene)


@pytest.mark.parametrize("who", STAFF_WITHOUT_RIGHTS)
def test_users_who_do_not_manage_the_directory_get_403_on_the_charter_pages(
    client, cast, version, scene, who
):
    as_user(client, getattr(cast, who))

    for url in charter_pages(scene, version):
        response = client.get(url)
        assert response.status_code == 403
        assert b"Secret" not in response.content
        assert b"secret" not in response.content
    for url, data in charter_actions(scene, version):
        assert client.post(url, data).status_code == 403
    nothing_changed(version, scene)


@pytest.mark.parametrize("who", [*STAFF_WITHOUT_RIGHTS, "other_organiser"])
def test_users_who_do_not_manage_the_edition_get_403_on_its_ceremony(
    client, cast, edition, version, scene, who
):
    as_user(client, getattr(cast, who))

    response = client.get(ceremony_page(edition))
    assert response.status_code == 403
    assert b"Secret" not in response.content
    for url, data in ceremony_actions(edition, scene):
        assert client.post(url, data).status_code == 403
    nothing_changed(version, scene)


@pytest.mark.parametrize("who", ["organiser", "other_organiser", "superuser"])
def test_directory_managers_open_every_charter_page(client, cast, version, scene, who):
    # The charter is national: any organiser of an organisation keeps it, as the directory.
    as_user(client, getattr(cast, who))

    for url in charter_pages(scene, version):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert b'<meta name="robots" content="noindex">' in response.content


@pytest.mark.parametrize("who", ["organiser", "superuser"])
def test_organisers_of_the_edition_open_its_ceremony(client, cast, edition, scene, who):
    response = as_user(client, getattr(cast, who)).get(ceremony_page(edition))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "Secret Person" in response.content.decode()


def test_unknown_edition_version_request_and_signature_are_404(client, cast):
    as_user(client, cast.organiser)

    assert client.get("/journees/nope/gestion/ceremonie/").status_code == 404
    assert client.get(charter_page("version_edit", "1999")).status_code == 404
    assert client.get(charter_page("refuse", 2**40)).status_code == 404
    assert client.post(charter_page("approve", 2**40)).status_code == 404
    assert client.get(charter_page("revoke", 2**40)).status_code == 404
    # An edition without a ceremony has nothing to close, reopen or record at.
    assert client.post(ceremony_page(cast.edition, "ceremony_close")).status_code == 404
    pole = organisation("Pôle Exemple")
    assert client.post(record_url(cast.edition, pole)).status_code == 404


def test_the_registration_pages_menu_leads_to_the_ceremony_for_managers(client, cast, edition):
    response = as_user(client, cast.organiser).get(
        reverse("registrations:list", args=[edition.slug])
    )
    assert ceremony_page(edition) in response.content.decode()
    response = as_user(client, cast.viewer).get(
        reverse("admission:attendance", args=[edition.slug])
    )
    assert ceremony_page(edition) not in response.content.decode()


# Opening and closing the ceremony ----------------------------------------------------------------


def test_organiser_opens_the_ceremony_for_an_open_version(client, cast, edition, version):
    CharterVersionFactory(slug="2014", title="Charte 2014", year=2014, is_open=False)
    as_user(client, cast.organiser)

    page = client.get(ceremony_page(edition)).content.decode()
    assert f'<option value="{version.pk}">' in page
    assert "Charte 2014" not in page

    response = client.post(ceremony_page(edition, "ceremony_open"), {"version": version.pk})

    assert response["Location"] == ceremony_page(edition)
    assert said(response) == ["The ceremony is open: record the signatures as they are made."]
    ceremony = Ceremony.objects.get()
    assert (ceremony.edition, ceremony.version, ceremony.opened_by) == (
        edition,
        version,
        cast.organiser,
    )
    assert ceremony.is_open


def test_a_closed_version_or_a_second_opening_is_refused(client, cast, edition, version):
    closed = CharterVersionFactory(slug="2014", title="Charte 2014", year=2014, is_open=False)
    as_user(client, cast.organiser)

    response = client.post(ceremony_page(edition, "ceremony_open"), {"version": closed.pk})
    assert said(response) == ["The ceremony was not opened: choose a version open for signing."]
    assert not Ceremony.objects.exists()

    client.post(ceremony_page(edition, "ceremony_open"), {"version": version.pk}, follow=True)
    response = client.post(ceremony_page(edition, "ceremony_open"), {"version": version.pk})
    assert said(response) == [
        "The ceremony of this day was already opened: reopen it rather than open another."
    ]
    assert Ceremony.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_organisers_opening_the_ceremony_at_once_open_one(cast, edition, version):
    barrier = threading.Barrier(4)
    outcomes = []

    def open_it():
        try:
            barrier.wait()
            ceremonies.open_ceremony(edition, version, by=cast.organiser)
            outcomes.append("opened")
        except ceremonies.CeremonyRefused as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already_opened"] * 3 + ["opened"]
    assert Ceremony.objects.count() == 1


def test_without_an_open_version_the_page_says_so(client, cast, edition):
    CharterVersionFactory(is_open=False)
    page = as_user(client, cast.organiser).get(ceremony_page(edition)).content.decode()

    assert "No version of the charter is open for signing" in page
    assert reverse("charter:manage") in page
    assert 'name="version"' not in page


def test_organiser_closes_and_reopens_the_ceremony(client, cast, edition, ceremony):
    as_user(client, cast.organiser)

    response = client.post(ceremony_page(edition, "ceremony_close"))
    assert said(response) == ["The ceremony is closed: no more signatures are recorded."]
    client.get(ceremony_page(edition))  # shows the message
    ceremony.refresh_from_db()
    assert not ceremony.is_open
    assert "Open the ceremony again" in client.get(ceremony_page(edition)).content.decode()
    response = client.post(ceremony_page(edition, "ceremony_close"), follow=True)
    assert "The ceremony was already closed." in response.content.decode()

    response = client.post(ceremony_page(edition, "ceremony_reopen"))
    assert said(response) == ["The ceremony is open again."]
    ceremony.refresh_from_db()
    assert ceremony.is_open


def test_a_ceremony_whose_version_was_closed_is_not_reopened(client, cast, edition, ceremony):
    ceremonies.close(ceremony)
    CharterVersion.objects.update(is_open=False)

    response = as_user(client, cast.organiser).post(ceremony_page(edition, "ceremony_reopen"))

    assert said(response) == ["This version of the charter is not open for signing."]
    ceremony.refresh_from_db()
    assert not ceremony.is_open


# The run sheet -----------------------------------------------------------------------------


@pytest.fixture
def day(cast, edition, category, door, version, ceremony):
    """The poles and networks of a ceremony, after real admissions at the door."""
    agent = cast.agent
    deux_rives = organisation("Pôle Exemple des Deux-Rives", department_code="35", town="Rennes")
    haut_val = organisation("Pôle Exemple du Haut-Val")
    collectif = organisation("Collectif Exemple", NETWORK)
    online = organisation("Pôle Exemple déjà signataire")
    body = organisation("Mairie Exemple", OrganisationKind.PUBLIC_BODY)
    gone = organisation("Pôle Exemple désisté")
    on_stage = organisation("Pôle Exemple signé sur scène")

    admitted(edition, door, agent, registered(edition, category, deux_rives, "Anne", "Exemple"))
    registered(edition, category, deux_rives, "Bruno", "Exemple")  # not (yet) at the door
    registered(edition, category, haut_val, "Chloé", "Exemple")
    registered(edition, category, haut_val, "Denis", "Exemple")
    admitted(edition, door, agent, registered(edition, category, collectif, "Eva", "Exemple"))
    admitted(edition, door, agent, registered(edition, category, collectif, "Farid", "Exemple"))
    admitted(edition, door, agent, registered(edition, category, online, "Gaëlle", "Exemple"))
    admitted(edition, door, agent, registered(edition, category, body, "Hugo", "Exemple"))
    registered(edition, category, gone, "Inès", "Exemple", status=RegistrationStatus.CANCELLED)
    admitted(edition, door, agent, registered(edition, category, on_stage, "Jean", "Exemple"))
    sign_online(version, online)
    ceremonies.record(
        ceremony,
        on_stage,
        representative_name="Jean Exemple",
        representative_role="Président",
        name_is_public=False,
        by=cast.organiser,
    )
    return deux_rives, haut_val, collectif


def names(entries):
    return [entry.organisation.name for entry in entries]


def test_run_sheet_lists_present_then_absent_and_signed_apart(ceremony, day):
    sheet = ceremonies.run_sheet(ceremony)

    assert names(sheet.present) == ["Collectif Exemple", "Pôle Exemple des Deux-Rives"]
    assert [[str(person) for person in entry.representatives] for entry in sheet.present] == [
        ["Eva Exemple", "Farid Exemple"],
        ["Anne Exemple"],
    ]
    assert [entry.registered for entry in sheet.present] == [2, 2]
    assert sheet.present[1].place.name == "Ille-et-Vilaine"
    assert names(sheet.absent) == ["Pôle Exemple du Haut-Val"]
    assert (sheet.absent[0].registered, sheet.absent[0].representatives) == (2, [])
    assert names(sheet.signed) == ["Pôle Exemple signé sur scène"]
    assert sheet.signed[0].signature.representative_name == "Jean Exemple"
    assert sheet.expected == 3


def test_run_sheet_page_shows_who_is_present_and_who_signed(client, cast, edition, day):
    page = as_user(client, cast.organiser).get(ceremony_page(edition)).content.decode()

    present = page.index('id="present-title"')
    absent = page.index('id="absent-title"')
    signed = page.index('id="signed-title"')
    assert "Present: 2 organisations expected to sign" in page
    assert "Not present: 1 organisation expected to sign" in page
    assert "Signed at this ceremony: 1" in page
    assert present < page.index("Eva Exemple, Farid Exemple") < absent
    assert present < page.index("Rennes, Ille-et-Vilaine (35) · Bretagne") < absent
    assert absent < page.index("2 people registered, none admitted at the door yet.") < signed
    assert signed < page.index("Jean Exemple, Président")
    for elsewhere in ("Pôle Exemple déjà signataire", "Mairie Exemple", "Pôle Exemple désisté"):
        assert elsewhere not in page


def test_run_sheet_queries_do_not_grow_with_organisations(
    client, cast, edition, category, door, ceremony, django_assert_num_queries
):
    def arrives(name, kind=POLE):
        person = registered(edition, category, organisation(name, kind), "Léa", name)
        admitted(edition, door, cast.agent, person)

    arrives("Pôle Exemple un")
    registered(edition, category, organisation("Pôle Exemple absent"), "Max", "Exemple")
    as_user(client, cast.organiser)
    client.get(ceremony_page(edition))  # the session and the user are read once the same way
    # session, user, its second-factor device, roles, edition, ceremony, the run sheet's
    # registrations, its signatures
    with django_assert_num_queries(8):
        client.get(ceremony_page(edition))
    arrives("Pôle Exemple deux")
    arrives("Réseau Exemple trois", NETWORK)
    with django_assert_num_queries(8):
        response = client.get(ceremony_page(edition))
    assert "Present: 3 organisations expected to sign" in response.content.decode()


# Recording a signature made on stage ---------------------------------------------------------


def present_form(pole, **fields):
    return {f"present-{pole.pk}-{name}": value for name, value in fields.items()}


def named_form(organisation, **fields):
    return {f"named-{organisation.pk}-{name}": value for name, value in fields.items()}


def test_present_pole_signs_from_its_admitted_representative_in_one_click(
    client, cast, edition, version, ceremony, day
):
    deux_rives, _haut_val, _collectif = day
    anne = deux_rives.registrations.get(first_name="Anne")
    anne.job_title = "Coordinatrice"
    anne.save()
    as_user(client, cast.organiser)
    page = client.get(ceremony_page(edition)).content.decode()
    # One admitted representative: named on the form, their job title as the role.
    assert (
        f'<input type="hidden" name="present-{deux_rives.pk}-representative" '
        f'value="{anne.pk}"' in page
    )
    assert f'name="present-{deux_rives.pk}-representative_role" value="Coordinatrice"' in page

    response = client.post(
        record_url(edition, deux_rives),
        present_form(deux_rives, representative=anne.pk, representative_role=""),
    )

    assert response["Location"] == ceremony_page(edition) + "#signed-title"
    [message] = said(response)
    assert message.startswith("At ")
    assert message.endswith(", “Pôle Exemple des Deux-Rives” signed.")
    signature = Signature.objects.get(organisation=deux_rives)
    assert (
        signature.version,
        signature.representative_name,
        signature.representative_role,
        signature.name_is_public,
        signature.channel,
        signature.edition,
        signature.recorded_by,
    ) == (
        version,
        "Anne Exemple",
        "Coordinatrice",
        False,
        Channel.CEREMONY,
        edition,
        cast.organiser,
    )
    sheet = ceremonies.run_sheet(ceremony)
    assert names(sheet.present) == ["Collectif Exemple"]
    assert names(sheet.signed) == ["Pôle Exemple signé sur scène", "Pôle Exemple des Deux-Rives"]
    assert Recognition.objects.filter(pole__organisation=deux_rives).count() == 0  # no pole row


def test_a_pole_with_a_directory_record_gets_the_versions_recognition(
    client, cast, edition, category, door, ceremony
):
    pole = PoleFactory(organisation=organisation("Pôle Exemple reconnu")).organisation
    person = admitted(edition, door, cast.agent, registered(edition, category, pole, "Zoé", "X"))

    as_user(client, cast.organiser).post(
        record_url(edition, pole),
        present_form(pole, representative=person.pk, representative_role="Directrice"),
    )

    assert list(Recognition.objects.values_list("pole__organisation", "kind")) == [
        (pole.pk, "charter_2021")
    ]


def test_several_admitted_representatives_give_a_select_and_the_chosen_one_signs(
    client, cast, edition, day
):
    _deux_rives, _haut_val, collectif = day
    farid = collectif.registrations.get(first_name="Farid")
    as_user(client, cast.organiser)
    page = client.get(ceremony_page(edition)).content.decode()
    assert f'<select name="present-{collectif.pk}-representative"' in page
    assert f'<option value="{farid.pk}">Farid Exemple</option>' in page

    client.post(
        record_url(edition, collectif),
        present_form(
            collectif,
            representative=farid.pk,
            representative_role="Délégué général",
            name_is_public="on",
        ),
    )

    signature = Signature.objects.get(organisation=collectif)
    assert (
        signature.representative_name,
        signature.representative_role,
        signature.name_is_public,
    ) == ("Farid Exemple", "Délégué général", True)


def test_a_representative_without_a_job_title_needs_a_role(client, cast, edition, day):
    deux_rives, _haut_val, _collectif = day
    anne = deux_rives.registrations.get(first_name="Anne")

    response = as_user(client, cast.organiser).post(
        record_url(edition, deux_rives),
        present_form(deux_rives, representative=anne.pk, representative_role=""),
    )

    assert response.status_code == 200
    assert "Give the representative&#x27;s role: none was given at registration." in (
        response.content.decode()
    )
    assert not Signature.objects.filter(organisation=deux_rives).exists()


def test_someone_not_admitted_for_the_organisation_cannot_be_chosen(client, cast, edition, day):
    deux_rives, haut_val, _collectif = day
    bruno = deux_rives.registrations.get(first_name="Bruno")  # registered, not admitted
    stranger = haut_val.registrations.first()

    for person in (bruno, stranger):
        response = as_user(client, cast.organiser).post(
            record_url(edition, deux_rives),
            present_form(deux_rives, representative=person.pk, representative_role="Trésorier"),
        )
        assert response.status_code == 200
        assert "Select a valid choice." in response.content.decode()
    assert not Signature.objects.filter(organisation=deux_rives).exists()


def test_an_absent_organisation_signs_with_a_typed_name(client, cast, edition, day):
    _deux_rives, haut_val, _collectif = day

    response = as_user(client, cast.organiser).post(
        record_url(edition, haut_val),
        named_form(haut_val, representative_name="Yanis Exemple", representative_role="Trésorier"),
    )

    assert response.status_code == 302
    signature = Signature.objects.get(organisation=haut_val)
    assert (signature.representative_name, signature.channel, signature.edition) == (
        "Yanis Exemple",
        Channel.CEREMONY,
        edition,
    )


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (
            {"representative_name": "<script>alert(1)</script>", "representative_role": "R"},
            "The character “&lt;” is not accepted in a name",
        ),
        (
            {"representative_name": "Yanis", "representative_role": '=HYPERLINK("x")'},
            "Do not start with = + - or @",
        ),
        (
            {"representative_name": "Y" * 101, "representative_role": "R"},
            "Ensure this value has at most 100 characters (it has 101).",
        ),
        (
            {"representative_name": "Yanis\nExemple", "representative_role": "R"},
            "The invisible character U+000A is not accepted in a name",
        ),
        ({"representative_name": "", "representative_role": "R"}, "This field is required."),
    ],
)
def test_bad_names_and_roles_are_refused_with_a_message(client, cast, edition, day, fields, error):
    _deux_rives, haut_val, _collectif = day

    response = as_user(client, cast.organiser).post(
        record_url(edition, haut_val), named_form(haut_val, **fields)
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Nothing was saved. Correct the fields below:" in content
    assert error.replace('"', "&quot;") in content.replace("&#x27;", "'")
    assert "<script>alert(1)</script>" not in content
    assert not Signature.objects.filter(organisation=haut_val).exists()


def test_a_refused_form_whose_organisation_moved_on_the_sheet_says_so(
    client, cast, edition, door, day
):
    _deux_rives, haut_val, _collectif = day
    # Shown absent, then its representative arrives before the form is sent.
    admitted(edition, door, cast.agent, haut_val.registrations.first())

    response = as_user(client, cast.organiser).post(
        record_url(edition, haut_val),
        named_form(haut_val, representative_name="", representative_role="Trésorier"),
    )

    assert response.status_code == 200
    assert "Nothing was recorded: the run sheet changed meanwhile. Fill in the form again." in (
        response.content.decode()
    )
    assert not Signature.objects.filter(organisation=haut_val).exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("close_ceremony", "The signing ceremony of this day is not open."),
        ("close_version", "This version of the charter is not open for signing."),
        ("sign_online", "This organisation has already signed this version of the charter."),
    ],
)
def test_refused_signatures_say_why_and_write_nothing(
    client, cast, edition, version, ceremony, day, change, reason
):
    deux_rives, _haut_val, _collectif = day
    anne = deux_rives.registrations.get(first_name="Anne")
    if change == "close_ceremony":
        ceremonies.close(ceremony)
    elif change == "close_version":
        CharterVersion.objects.update(is_open=False)
    else:
        sign_online(version, deux_rives)
    before = Signature.objects.count()

    response = as_user(client, cast.organiser).post(
        record_url(edition, deux_rives),
        present_form(deux_rives, representative=anne.pk, representative_role="Coordinatrice"),
    )

    assert response["Location"] == ceremony_page(edition)
    assert said(response) == [
        f"The signature of “Pôle Exemple des Deux-Rives” was not recorded: {reason}"
    ]
    assert Signature.objects.count() == before
    assert not Signature.objects.filter(organisation=deux_rives, channel=Channel.CEREMONY)


def test_only_poles_and_networks_are_recorded(client, cast, edition, ceremony):
    body = organisation("Mairie Exemple", OrganisationKind.PUBLIC_BODY)

    response = as_user(client, cast.organiser).post(
        record_url(edition, body),
        named_form(body, representative_name="Maire Exemple", representative_role="Maire"),
    )

    assert response.status_code == 404
    assert not Signature.objects.exists()


def test_a_closed_ceremony_shows_the_sheet_without_forms(client, cast, edition, ceremony, day):
    ceremonies.close(ceremony)

    page = as_user(client, cast.organiser).get(ceremony_page(edition)).content.decode()

    assert "Present: 2 organisations expected to sign" in page
    assert "<form" not in page.split('id="present-title"')[1].split('id="signed-title"')[0]
    assert 'id="other-title"' not in page


# Another organisation, found by the search ---------------------------------------------------


def test_search_finds_poles_and_networks_off_the_run_sheet(
    client, cast, edition, version, ceremony, day
):
    organisation("Pôle Exemple des Forges", town="Ville-Exemple")
    signed = organisation("Pôle Exemple des Forges du Nord")
    sign_online(version, signed)
    organisation("Forges Exemple SA", OrganisationKind.ENTERPRISE)
    organisation("Pôle Exemple des Landes")
    as_user(client, cast.organiser)

    page = client.get(ceremony_page(edition), {"q": "forges"}).content.decode()
    other = page.split('id="other-title"')[1]

    assert "Pôle Exemple des Forges</h3>" in other
    assert "Pôle Exemple des Forges du Nord</h3>" in other
    assert "Already signed this version, on " in other
    assert "Forges Exemple SA" not in other
    assert "Landes" not in other
    # On the run sheet (present, absent or signed here): not found again.
    page = client.get(ceremony_page(edition), {"q": "exemple"}).content.decode()
    other = page.split('id="other-title"')[1]
    assert "Pôle Exemple du Haut-Val</h3>" not in other
    assert "Pôle Exemple signé sur scène</h3>" not in other
    assert "Pôle Exemple déjà signataire</h3>" in other


def test_an_organisation_found_by_the_search_signs_with_a_typed_name(
    client, cast, edition, ceremony
):
    forges = organisation("Pôle Exemple des Forges")
    as_user(client, cast.organiser)

    response = client.post(
        record_url(edition, forges) + "?q=forges",
        named_form(forges, representative_name="Noé Exemple", representative_role="Chargé"),
    )

    assert response.status_code == 302
    assert Signature.objects.get().organisation == forges
    assert "Pôle Exemple des Forges" in ceremonies.run_sheet(ceremony).signed[0].organisation.name


def test_a_refused_search_form_stays_in_the_search_results(client, cast, edition, ceremony):
    forges = organisation("Pôle Exemple des Forges")

    response = as_user(client, cast.organiser).post(
        record_url(edition, forges) + "?q=forges",
        named_form(forges, representative_name="", representative_role="Chargé"),
    )

    content = response.content.decode()
    other = content.split('id="other-title"')[1]
    assert "<details open>" in other
    assert 'value="Chargé"' in other


def test_an_over_long_search_is_reported_and_ignored(client, cast, edition, ceremony):
    page = (
        as_user(client, cast.organiser)
        .get(ceremony_page(edition), {"q": "x" * 101})
        .content.decode()
    )

    assert "This search was not understood and was ignored:" in page


# Versions ------------------------------------------------------------------------------------


def version_data(**changes):
    return {
        "title": "Charte de la démarche collective PTCE (version 2021)",
        "year": "2021",
        "adopted_on": "2021-06-15",
        "text": "Le texte de la charte.\n\nSecond paragraphe.",
        "text_is_placeholder": "",
        "is_open": "on",
        "recognition_kind": "charter_2021",
        **changes,
    }


def test_dashboard_lists_versions_with_their_counts(client, cast, version):
    CharterVersionFactory(slug="2014", title="Charte 2014", year=2014, is_open=False)
    sign_online(version, organisation("Pôle Exemple un"))
    revoked = sign_online(version, organisation("Pôle Exemple deux"))
    signatures.revoke(revoked, reason="Erreur")

    page = as_user(client, cast.organiser).get(charter_page("manage")).content.decode()

    assert page.index("Charte 2014") < page.index("Charte de la démarche collective PTCE (2021)")
    assert '<td class="number">1</td>' in page
    assert "Open for signing" in page
    assert "Close for signing" in page
    assert "Placeholder text" in page


def test_organiser_edits_a_versions_text_and_dates(client, cast, version):
    response = as_user(client, cast.organiser).post(
        charter_page("version_edit", version.slug), version_data()
    )

    assert response["Location"] == charter_page("manage")
    version.refresh_from_db()
    assert (version.title, version.adopted_on.isoformat(), version.text_is_placeholder) == (
        "Charte de la démarche collective PTCE (version 2021)",
        "2021-06-15",
        False,
    )
    assert version.text == "Le texte de la charte.\n\nSecond paragraphe."
    assert said(response) == [
        "The version “Charte de la démarche collective PTCE (version 2021)” is saved."
    ]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"title": "<b>Charte</b>"}, "Markup is not allowed here"),
        ({"title": "=1+1"}, "Do not start with = + - or @"),
        ({"title": "T" * 201}, "Ensure this value has at most 200 characters (it has 201)."),
        ({"text": "x" * 60_001}, "Ensure this value has at most 60000 characters"),
        ({"text": "Bonjour <script>alert(1)</script>"}, "Markup is not allowed here"),
        ({"year": "1800"}, "Ensure this value is greater than or equal to 2000."),
        ({"year": "deux mille"}, "Enter a whole number."),
        ({"adopted_on": "2021-02-30"}, "Enter a valid date."),
        ({"recognition_kind": "call_2013"}, "Select a valid choice."),
    ],
)
def test_bad_version_input_is_refused_and_changes_nothing(client, cast, version, changes, error):
    response = as_user(client, cast.organiser).post(
        charter_page("version_edit", version.slug), version_data(**changes)
    )

    assert response.status_code == 200
    content = response.content.decode().replace("&#x27;", "'")
    assert "Nothing was saved. Correct the fields below:" in content
    assert error in content
    assert "<script>alert(1)</script>" not in content
    stored = CharterVersion.objects.get()
    assert (stored.title, stored.text, stored.year) == (
        "Charte de la démarche collective PTCE (2021)",
        "Texte provisoire de démonstration.",
        2021,
    )


def test_organiser_adds_a_version_whose_address_is_its_year(client, cast, version):
    as_user(client, cast.organiser)

    response = client.post(
        charter_page("version_add"), version_data(title="Charte 2030", year="2030", is_open="")
    )

    assert response["Location"] == charter_page("manage")
    added = CharterVersion.objects.get(year=2030)
    assert (added.slug, added.title, added.is_open) == ("2030", "Charte 2030", False)
    response = client.post(charter_page("version_add"), version_data(year="2021"))
    assert "There is already a version of 2021." in response.content.decode()
    assert CharterVersion.objects.count() == 2


def test_organiser_opens_and_closes_a_version_from_the_dashboard(client, cast, version):
    as_user(client, cast.organiser)

    response = client.post(charter_page("version_opening", version.slug), {"open": "0"})
    client.get(charter_page("manage"))  # shows the message
    assert said(response) == [
        "“Charte de la démarche collective PTCE (2021)” is closed for signing: nobody can "
        "sign it any more."
    ]
    version.refresh_from_db()
    assert not version.is_open

    client.post(charter_page("version_opening", version.slug), {"open": "1"}, follow=True)
    version.refresh_from_db()
    assert version.is_open
    response = client.post(charter_page("version_opening", version.slug), {"open": "maybe"})
    assert said(response) == ["Nothing was changed: choose to open or to close."]
    version.refresh_from_db()
    assert version.is_open


# Requests waiting for approval -------------------------------------------------------------


@pytest.fixture
def proposed(version):
    return SigningRequest.objects.create(
        version=version,
        proposed_name="Pôle Exemple <i>proposé</i>",
        proposed_kind=POLE,
        proposed_town="Ville-Exemple",
        representative_name="Camille Exemple",
        representative_role="Présidente",
        representative_email="camille@example.org",
        has_mandate=True,
        status=RequestStatus.AWAITING_APPROVAL,
    )


def test_dashboard_shows_requests_waiting_for_approval_escaped(client, cast, proposed):
    page = as_user(client, cast.organiser).get(charter_page("manage")).content.decode()

    assert "1 proposed organisation waits for approval" in page
    assert "Pôle Exemple &lt;i&gt;proposé&lt;/i&gt;" in page
    assert "camille@example.org" in page
    assert charter_page("approve", proposed.pk) in page


def test_organiser_approves_a_proposed_organisation(client, cast, version, proposed):
    response = as_user(client, cast.organiser).post(charter_page("approve", proposed.pk))
    client.get(charter_page("manage"))  # shows the message

    assert said(response) == [
        "“Pôle Exemple <i>proposé</i>” joins the directory and has signed; the receipt is on "
        "its way."
    ]
    proposed.refresh_from_db()
    assert (proposed.status, proposed.reviewed_by) == (RequestStatus.SIGNED, cast.organiser)
    new = Organisation.objects.get(name="Pôle Exemple <i>proposé</i>")
    assert proposed.signature.organisation == new
    assert Message.objects.filter(kind="charter.signed").count() == 1
    # Approving again is refused, and changes nothing.
    response = client.post(charter_page("approve", proposed.pk))
    assert said(response) == [
        "“Pôle Exemple <i>proposé</i>” was not approved: This request is no longer waiting "
        "for an organiser."
    ]
    assert Signature.objects.count() == 1


def test_organiser_refuses_a_proposed_organisation_with_a_reason(client, cast, proposed):
    as_user(client, cast.organiser)
    page = client.get(charter_page("refuse", proposed.pk)).content.decode()
    assert "Refuse the request for Pôle Exemple &lt;i&gt;proposé&lt;/i&gt;?" in page

    response = client.post(charter_page("refuse", proposed.pk), {"reason": "Ce n'est pas un pôle."})

    assert response["Location"] == charter_page("manage")
    proposed.refresh_from_db()
    assert (proposed.status, proposed.refusal_reason) == (
        RequestStatus.REFUSED,
        "Ce n'est pas un pôle.",
    )
    assert Message.objects.filter(kind="charter.refused").count() == 1
    assert not Organisation.objects.filter(name__contains="proposé").exists()


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("", "This field is required."),
        ("<a href=x>ici</a>", "Markup is not allowed here"),
        ("r" * 501, "Ensure this value has at most 500 characters (it has 501)."),
    ],
)
def test_a_refusal_needs_a_plain_reason(client, cast, proposed, reason, error):
    response = as_user(client, cast.organiser).post(
        charter_page("refuse", proposed.pk), {"reason": reason}
    )

    assert response.status_code == 200
    assert error in response.content.decode().replace("&#x27;", "'")
    proposed.refresh_from_db()
    assert proposed.status == RequestStatus.AWAITING_APPROVAL
    assert not Message.objects.exists()


# Signatures and their revocation -----------------------------------------------------------


def test_signatures_are_searched_by_organisation_representative_or_code(client, cast, version):
    first = sign_online(version, organisation("Pôle Exemple des Coteaux"))
    sign_online(version, organisation("Réseau Exemple <b>gras</b>", NETWORK))
    as_user(client, cast.organiser)

    def rows(**query):
        page = client.get(charter_page("manage"), query).content.decode()
        return page.count(">Revoke…<")

    assert rows() == 2
    assert rows(q="coteaux") == 1
    code = signatures.format_code(first.receipt_code).lower()
    assert rows(q=code) == 1
    assert rows(q="personne") == 0
    assert rows(version="2021") == 2
    page = client.get(charter_page("manage"), {"q": "x" * 101, "page": "nope"})
    content = page.content.decode()
    assert "Some filters of this address were not understood and were ignored:" in content
    assert content.count(">Revoke…<") == 2
    assert "Réseau Exemple &lt;b&gt;gras&lt;/b&gt;" in content


def test_organiser_revokes_a_signature_with_a_reason(client, cast, version):
    signature = sign_online(version, organisation("Pôle Exemple des Coteaux"))
    as_user(client, cast.organiser)
    page = client.get(charter_page("revoke", signature.pk)).content.decode()
    assert signatures.format_code(signature.receipt_code) in page

    response = client.post(charter_page("revoke", signature.pk), {"reason": ""})
    assert "This field is required." in response.content.decode()
    signature.refresh_from_db()
    assert signature.revoked_at is None

    response = client.post(charter_page("revoke", signature.pk), {"reason": "Signée sans mandat"})
    client.get(charter_page("manage"))  # shows the message
    assert said(response) == [
        "The signature of “Pôle Exemple des Coteaux” is revoked; its receipt says so."
    ]
    signature.refresh_from_db()
    assert (signature.revocation_reason, signatures.verify(signature.receipt_code).status) == (
        "Signée sans mandat",
        "revoked",
    )
    response = client.post(charter_page("revoke", signature.pk), {"reason": "Encore"})
    assert said(response) == ["This signature was already revoked."]
    signature.refresh_from_db()
    assert signature.revocation_reason == "Signée sans mandat"
