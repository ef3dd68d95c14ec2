"""Online signing of the charter with the test client: the form, the emailed link (expiring,
used once, never signing on GET), a proposed organisation approved or refused, one signature
per organisation and version (at submit, at confirmation, and under concurrent confirmations
on PostgreSQL), bad input, and the emails."""

import html
import re
import threading
import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from charter import emails, links, requests, signatures
from charter.enums import Channel, RequestStatus
from charter.models import Signature, SigningRequest
from network.enums import OrganisationKind
from network.models import Organisation, Pole, Recognition
from outbox.builders import build
from outbox.models import Message
from tests.factories import (
    CharterVersionFactory,
    OrganisationFactory,
    PoleFactory,
    SignatureFactory,
)

pytestmark = [pytest.mark.django_db]

FORM = "/charte/2021/signer/"
SENT = "/charte/2021/signer/envoye/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
#: The path of the link in a confirmation email (a signed token has no "/" nor white space).
LINK = re.compile(r"https?://[^/\s]+(/charte/signature/[^/\s]+/)")

ALREADY_SIGNED = "This organisation has already signed this version of the charter."
CLOSED = "This version of the charter is not open for signing."


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    # Rate limits count per window of the wall clock: every request of a test in one window;
    # and the count starts afresh (the cache table outlives a test's transaction).
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))
    cache.clear()


@pytest.fixture
def version(db):
    return CharterVersionFactory(title="Charte de la démarche collective PTCE (2021)")


@pytest.fixture
def pole(db):
    return PoleFactory(organisation__name="Pôle Écotone", organisation__town="Lyon")


def answers(**fields):
    values = {
        "source": "directory",
        "organisation": "Pôle Écotone",
        "proposed_name": "",
        "proposed_kind": "",
        "proposed_town": "",
        "proposed_website": "",
        "representative_name": "Camille Exemple",
        "representative_role": "Co-présidente",
        "representative_email": "camille@example.org",
        "has_mandate": "on",
        "website": "",
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def proposal(**fields):
    return answers(
        **{
            "source": "proposed",
            "organisation": "",
            "proposed_name": "Pôle Nouveau",
            "proposed_kind": "pole",
            "proposed_town": "Tulle",
            "proposed_website": "https://pole-nouveau.example.org",
            **fields,
        }
    )


def page(response):
    return html.unescape(response.content.decode())


def field_error(response, field_id):
    """The texts of the error list tied to the field ``field_id``."""
    match = re.search(
        rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', response.content.decode()
    )
    assert match, f"no error on {field_id}"
    return [html.unescape(text) for text in re.findall(r"<li>(.*?)</li>", match.group(1))]


def kinds():
    return list(Message.objects.order_by("pk").values_list("kind", flat=True))


def built(kind):
    """The last outbox message of ``kind``, rendered as it is sent: (message, text, HTML)."""
    message = Message.objects.filter(kind=kind).latest("pk")
    email = build(message)
    assert email is not None
    return email, email.body, email.alternatives[0][0]


def link_of(signing_request):
    """The path of the link in the request's confirmation email."""
    message = Message.objects.get(kind="charter.confirm_link", object_id=signing_request.pk)
    (path,) = LINK.findall(build(message).body)
    return path


def submit(client, data, **headers):
    return client.post(FORM, data, **(EN | headers))


def nothing_written():
    return SigningRequest.objects.count() == 0 and Message.objects.count() == 0


def old_token(signing_request, monkeypatch, *, hours):
    """A link's token signed ``hours`` ago (time stands still in ``django.core.signing``)."""
    then = time.time() - hours * 3600
    with monkeypatch.context() as patched:
        patched.setattr(signing, "time", SimpleNamespace(time=lambda: then))
        return links.confirm_token(signing_request)


# A pole of the directory ------------------------------------------------------------------


def test_a_pole_of_the_directory_signs_through_the_emailed_link(client, version, pole):
    form = client.get(FORM, **EN)
    assert form.status_code == 200
    assert '<option value="Pôle Écotone"></option>' in form.content.decode()

    response = submit(client, answers(name_is_public="on"))

    assert response.status_code == 302
    assert response["Location"] == SENT
    signing_request = SigningRequest.objects.get()
    assert (
        signing_request.organisation,
        signing_request.status,
        signing_request.name_is_public,
        signing_request.has_mandate,
        signing_request.language,
    ) == (pole.organisation, RequestStatus.AWAITING_EMAIL, True, True, "en")
    assert kinds() == ["charter.confirm_link"]
    assert Message.objects.get().recipient == "camille@example.org"
    sent = client.get(SENT, **EN)
    assert "We have sent you an email with a link." in page(sent)
    assert "camille@example.org" not in page(sent)

    path = link_of(signing_request)
    shown = client.get(path, **EN)
    assert shown.status_code == 200
    assert "Pôle Écotone" in page(shown)
    assert "Camille Exemple, Co-présidente" in page(shown)
    assert shown["Cache-Control"] == "private, no-store"
    assert shown["Referrer-Policy"] == "same-origin"
    assert Signature.objects.count() == 0

    confirmed = client.post(path, **EN)

    assert confirmed.status_code == 302
    assert confirmed["Location"] == path
    signature = Signature.objects.get()
    assert (
        signature.organisation,
        signature.version,
        signature.channel,
        signature.representative_name,
        signature.representative_role,
        signature.name_is_public,
        signature.recorded_by,
    ) == (
        pole.organisation,
        version,
        Channel.ONLINE,
        "Camille Exemple",
        "Co-présidente",
        True,
        None,
    )
    signing_request.refresh_from_db()
    assert signing_request.status == RequestStatus.SIGNED
    assert signing_request.signature == signature
    assert signing_request.confirmed_at == signature.signed_at
    assert Recognition.objects.get(pole=pole).kind == "charter_2021"
    assert kinds() == ["charter.confirm_link", "charter.signed"]
    signed = client.get(path, **EN)
    assert signed.status_code == 200
    assert "Pôle Écotone has signed this version of the charter." in page(signed)
    assert signatures.format_code(signature.receipt_code) in page(signed)


def test_the_receipt_email_gives_the_code_the_verification_and_the_receipt(client, version, pole):
    submit(client, answers())
    client.post(link_of(SigningRequest.objects.get()))
    signature = Signature.objects.get()

    email, text, body = built("charter.signed")

    assert email.subject == "The charter is signed: Pôle Écotone"
    assert email.to == ["camille@example.org"]
    assert (
        email.extra_headers["Message-ID"] == Message.objects.get(kind="charter.signed").message_id
    )
    assert signatures.format_code(signature.receipt_code) in text
    assert signatures.verify_url(signature) in text
    assert links.receipt_token(signature) in text
    assert links.receipt_token(signature) in body
    assert "not your name, as you chose" in text


def test_a_get_of_the_link_never_signs(client, version, pole):
    submit(client, answers())
    path = link_of(SigningRequest.objects.get())

    for _ in range(3):
        assert client.get(path).status_code == 200
    assert client.head(path).status_code == 200

    assert Signature.objects.count() == 0
    assert SigningRequest.objects.get().status == RequestStatus.AWAITING_EMAIL


def test_a_link_used_twice_signs_once_and_then_shows_the_signature(client, version, pole):
    submit(client, answers())
    path = link_of(SigningRequest.objects.get())

    first = client.post(path, **EN)
    again = client.post(path, **EN)

    assert (first.status_code, again.status_code) == (302, 200)
    assert "Pôle Écotone has signed this version of the charter." in page(again)
    assert Signature.objects.count() == 1
    assert kinds() == ["charter.confirm_link", "charter.signed"]


def test_the_directory_list_has_poles_and_networks_only_and_tells_homonyms_apart(client, version):
    PoleFactory(
        organisation__name="Pôle Exemple", organisation__town="Lyon", organisation__slug="a"
    )
    PoleFactory(
        organisation__name="Pôle Exemple", organisation__town="Brest", organisation__slug="b"
    )
    OrganisationFactory(name="Réseau Exemple", kind=OrganisationKind.NETWORK)
    OrganisationFactory(name="Mairie Exemple", kind=OrganisationKind.PUBLIC_BODY)

    options = re.findall(r'<option value="([^"]*)">', client.get(FORM).content.decode())
    response = submit(client, answers(organisation="pôle exemple (brest)"))

    assert [html.unescape(option) for option in options] == [
        "Pôle Exemple (Brest)",
        "Pôle Exemple (Lyon)",
        "Réseau Exemple",
    ]
    assert response.status_code == 302
    assert SigningRequest.objects.get().organisation.town == "Brest"


# A proposed organisation ------------------------------------------------------------------


def test_a_proposed_pole_waits_for_an_organiser_who_approves_it(client, version, cast):
    response = submit(client, proposal())
    assert response.status_code == 302
    signing_request = SigningRequest.objects.get()
    assert (signing_request.organisation, signing_request.proposed_name) == (None, "Pôle Nouveau")
    _email, text, _body = built("charter.confirm_link")
    assert "an organiser checks it before the signature counts" in text

    path = link_of(signing_request)
    assert client.post(path, **EN).status_code == 302
    waiting = client.get(path, **EN)
    assert "Pôle Nouveau is not in the directory yet: an organiser checks it" in page(waiting)
    signing_request.refresh_from_db()
    assert signing_request.status == RequestStatus.AWAITING_APPROVAL
    assert Signature.objects.count() == 0
    assert not Organisation.objects.filter(name="Pôle Nouveau").exists()
    assert kinds() == ["charter.confirm_link", "charter.awaiting_approval"]

    signature = requests.approve(signing_request, by=cast.organiser)

    organisation = Organisation.objects.get(name="Pôle Nouveau")
    assert (
        organisation.kind,
        organisation.slug,
        organisation.town,
        organisation.website,
        organisation.is_fictional,
    ) == ("pole", "pole-nouveau", "Tulle", "https://pole-nouveau.example.org", False)
    pole = Pole.objects.get(organisation=organisation)
    assert Recognition.objects.get(pole=pole).source == signatures.verify_url(signature)
    assert (signature.organisation, signature.channel, signature.recorded_by) == (
        organisation,
        Channel.ONLINE,
        cast.organiser,
    )
    signing_request.refresh_from_db()
    # The representative signed when confirming; the organiser only checked.
    assert signature.signed_at == signing_request.confirmed_at
    assert (signing_request.status, signing_request.organisation) == (
        RequestStatus.SIGNED,
        organisation,
    )
    assert (signing_request.reviewed_by, signing_request.signature) == (cast.organiser, signature)
    assert kinds() == ["charter.confirm_link", "charter.awaiting_approval", "charter.signed"]
    assert "Pôle Nouveau has signed this version of the charter." in page(client.get(path, **EN))


def test_a_proposed_network_is_refused_with_a_reason_emailed(client, version, cast):
    submit(client, proposal(proposed_name="Réseau Nouveau", proposed_kind="network"))
    signing_request = SigningRequest.objects.get()
    path = link_of(signing_request)
    client.post(path)

    requests.refuse(signing_request, cast.organiser, "Inconnu <b>du</b> réseau & co.")

    signing_request.refresh_from_db()
    assert (signing_request.status, signing_request.refusal_reason) == (
        RequestStatus.REFUSED,
        "Inconnu <b>du</b> réseau & co.",
    )
    assert signing_request.reviewed_by == cast.organiser
    assert not Organisation.objects.filter(name="Réseau Nouveau").exists()
    assert Signature.objects.count() == 0
    email, text, body = built("charter.refused")
    assert email.subject == "Signature of the charter not approved: Réseau Nouveau"
    assert "Reason: Inconnu <b>du</b> réseau & co." in text
    assert "Inconnu &lt;b&gt;du&lt;/b&gt; réseau &amp; co." in body
    shown = client.get(path, **EN)
    assert "An organiser did not approve the signature of Réseau Nouveau." in page(shown)
    assert "Inconnu &lt;b&gt;du&lt;/b&gt; réseau &amp; co." in shown.content.decode()


@pytest.mark.parametrize(
    ("reason", "code"),
    [("", "reason_required"), ("  ", "reason_required"), ("x" * 501, "reason_too_long")],
)
def test_a_refusal_needs_a_reason_of_at_most_500_characters(client, version, cast, reason, code):
    submit(client, proposal())
    signing_request = SigningRequest.objects.get()
    client.post(link_of(signing_request))

    with pytest.raises(requests.RequestRefused) as refused:
        requests.refuse(signing_request, cast.organiser, reason)

    assert refused.value.code == code
    signing_request.refresh_from_db()
    assert signing_request.status == RequestStatus.AWAITING_APPROVAL
    assert kinds() == ["charter.confirm_link", "charter.awaiting_approval"]


def test_only_a_request_waiting_for_an_organiser_is_approved_or_refused(client, version, cast):
    submit(client, proposal())
    signing_request = SigningRequest.objects.get()

    for decide in (
        lambda: requests.approve(signing_request, cast.organiser),
        lambda: requests.refuse(signing_request, cast.organiser, "Non."),
    ):
        with pytest.raises(requests.RequestRefused) as refused:
            decide()
        assert refused.value.code == "not_awaiting_approval"
    assert SigningRequest.objects.get().status == RequestStatus.AWAITING_EMAIL
    assert Organisation.objects.filter(name="Pôle Nouveau").count() == 0


def test_approval_signs_with_the_directorys_organisation_when_it_has_joined_meanwhile(
    client, version, cast
):
    submit(client, proposal())
    signing_request = SigningRequest.objects.get()
    client.post(link_of(signing_request))
    joined = PoleFactory(organisation__name="Pôle  nouveau", organisation__is_fictional=False)

    signature = requests.approve(signing_request, cast.organiser)

    assert signature.organisation == joined.organisation
    assert Organisation.objects.filter(search_text__startswith="pole nouveau").count() == 1


def test_approval_after_the_organisation_signed_meanwhile_writes_nothing(client, version, cast):
    submit(client, proposal())
    signing_request = SigningRequest.objects.get()
    client.post(link_of(signing_request))
    joined = PoleFactory(organisation__name="Pôle Nouveau")
    SignatureFactory(version=version, organisation=joined.organisation)

    with pytest.raises(signatures.SigningRefused) as refused:
        requests.approve(signing_request, cast.organiser)

    assert refused.value.code == "already_signed"
    assert SigningRequest.objects.get().status == RequestStatus.AWAITING_APPROVAL
    assert Signature.objects.count() == 1


def test_an_approved_organisation_gets_a_free_slug(client, version, cast):
    OrganisationFactory(name="Pôle Nouveau", kind=OrganisationKind.ENTERPRISE)
    submit(client, proposal())
    signing_request = SigningRequest.objects.get()
    client.post(link_of(signing_request))

    signature = requests.approve(signing_request, cast.organiser)

    assert signature.organisation.slug == "pole-nouveau-2"
    assert signature.organisation.kind == OrganisationKind.POLE


# One signature per organisation and version ------------------------------------------------


def test_an_organisation_that_signed_already_is_refused_at_submit(client, version, pole):
    SignatureFactory(version=version, organisation=pole.organisation)

    response = submit(client, answers())

    assert response.status_code == 409
    assert field_error(response, "id_organisation") == [ALREADY_SIGNED]
    assert nothing_written()


def test_a_second_request_meets_the_first_signature_at_confirmation(client, version, pole):
    submit(client, answers())
    submit(client, answers(representative_name="Dominique Exemple"))
    first, second = SigningRequest.objects.order_by("pk")
    client.post(link_of(first))

    shown = client.get(link_of(second), **EN)
    posted = client.post(link_of(second), **EN)

    assert ALREADY_SIGNED in page(shown)
    assert 'type="submit">Sign the charter' not in page(shown)
    assert posted.status_code == 409
    assert ALREADY_SIGNED in page(posted)
    assert list(Signature.objects.values_list("representative_name", flat=True)) == [
        "Camille Exemple"
    ]
    assert SigningRequest.objects.get(pk=second.pk).status == RequestStatus.AWAITING_EMAIL


def test_a_confirmation_overtaken_by_another_signature_is_refused(client, version, pole):
    submit(client, answers())
    signing_request = SigningRequest.objects.get()
    SignatureFactory(version=version, organisation=pole.organisation)

    with pytest.raises(signatures.SigningRefused) as refused:
        requests.confirm(signing_request)

    assert refused.value.code == "already_signed"
    signing_request.refresh_from_db()
    assert signing_request.status == RequestStatus.REFUSED
    assert requests.was_overtaken(signing_request)
    shown = client.get(f"/charte/signature/{links.confirm_token(signing_request)}/", **EN)
    assert ALREADY_SIGNED in page(shown)
    assert Signature.objects.count() == 1


def test_a_revoked_signature_lets_the_organisation_sign_again(client, version, pole):
    signatures.revoke(
        SignatureFactory(version=version, organisation=pole.organisation), reason="Erreur"
    )

    assert submit(client, answers()).status_code == 302
    client.post(link_of(SigningRequest.objects.get()))

    assert Signature.objects.standing().get().representative_name == "Camille Exemple"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_of_one_organisation_give_one_signature(version, pole):
    for name in ("Camille Exemple", "Dominique Exemple"):
        submit(Client(), answers(representative_name=name))
    paths = [link_of(request) for request in SigningRequest.objects.order_by("pk")]
    barrier = threading.Barrier(len(paths))
    answers_by_path = {}

    def confirm(path):
        try:
            barrier.wait()
            answers_by_path[path] = Client().post(path, **EN)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(response.status_code for response in answers_by_path.values())
    assert statuses == [302, 409]
    (lost,) = [r for r in answers_by_path.values() if r.status_code == 409]
    assert ALREADY_SIGNED in page(lost)
    assert Signature.objects.standing().count() == 1
    assert Message.objects.filter(kind="charter.signed").count() == 1


# The link ---------------------------------------------------------------------------------


def test_an_expired_link_signs_nothing_and_says_how_to_ask_again(
    client, version, pole, monkeypatch
):
    submit(client, answers())
    signing_request = SigningRequest.objects.get()
    path = f"/charte/signature/{old_token(signing_request, monkeypatch, hours=73)}/"

    shown = client.get(path, **EN)
    posted = client.post(path, **EN)

    assert (shown.status_code, posted.status_code) == (410, 410)
    assert "A confirmation link works for 72 hours, and this one is older" in page(posted)
    assert f'href="{FORM}"' in posted.content.decode()
    assert Signature.objects.count() == 0
    assert SigningRequest.objects.get().status == RequestStatus.AWAITING_EMAIL


def test_a_link_of_71_hours_still_signs(client, version, pole, monkeypatch):
    submit(client, answers())
    signing_request = SigningRequest.objects.get()
    path = f"/charte/signature/{old_token(signing_request, monkeypatch, hours=71)}/"

    assert client.post(path).status_code == 302
    assert Signature.objects.count() == 1


def test_an_expired_link_of_a_signed_request_still_shows_the_signature(
    client, version, pole, monkeypatch
):
    submit(client, answers())
    signing_request = SigningRequest.objects.get()
    client.post(link_of(signing_request))

    path = f"/charte/signature/{old_token(signing_request, monkeypatch, hours=200)}/"
    shown = client.get(path, **EN)

    assert shown.status_code == 200
    assert "Pôle Écotone has signed this version of the charter." in page(shown)


@pytest.mark.parametrize(
    "token",
    ["nimporte", "1:abc:def", "<script>", "9" * 500, "1:" + "x" * 200],
)
def test_tampered_or_made_up_links_are_not_found(client, version, token):
    response = client.get(f"/charte/signature/{token}/", **EN)

    assert response.status_code == 404
    assert "This confirmation link is incomplete or was changed" in page(response)
    assert client.post(f"/charte/signature/{token}/").status_code == 404


def test_a_link_with_one_character_changed_or_another_links_token_is_not_found(
    client, version, pole
):
    submit(client, answers())
    signing_request = SigningRequest.objects.get()
    token = links.confirm_token(signing_request)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    other_salt = signing.TimestampSigner(salt="charter.receipt").sign(str(signing_request.pk))

    for made_up in (tampered, other_salt):
        assert client.post(f"/charte/signature/{made_up}/").status_code == 404
    assert Signature.objects.count() == 0


def test_a_link_of_a_deleted_request_is_not_found(client, version, pole):
    submit(client, answers())
    signing_request = SigningRequest.objects.get()
    path = link_of(signing_request)
    signing_request.delete()

    assert client.get(path).status_code == 404


# Closed versions --------------------------------------------------------------------------


def test_a_closed_version_shows_no_form_and_takes_no_request(client, pole):
    CharterVersionFactory(is_open=False)

    shown = client.get(FORM, **EN)
    posted = submit(client, answers())

    assert shown.status_code == 200
    assert CLOSED in page(shown)
    assert '<form class="form signing-form"' not in shown.content.decode()
    assert posted.status_code == 409
    assert CLOSED in page(posted)
    assert nothing_written()


def test_a_version_closed_after_the_request_signs_nothing(client, version, pole):
    submit(client, answers())
    path = link_of(SigningRequest.objects.get())
    version.is_open = False
    version.save()

    shown = client.get(path, **EN)
    posted = client.post(path, **EN)

    assert CLOSED in page(shown)
    assert 'type="submit">Sign the charter' not in page(shown)
    assert posted.status_code == 409
    assert Signature.objects.count() == 0
    assert SigningRequest.objects.get().status == RequestStatus.AWAITING_EMAIL


def test_an_unknown_version_is_not_found(client, version):
    assert client.get("/charte/1999/signer/").status_code == 404


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            answers(representative_name="x" * 101),
            "representative_name",
            "Ensure this value has at most 100 characters (it has 101).",
        ),
        (
            answers(representative_role="<script>alert(1)</script>"),
            "representative_role",
            "Remove the < and > signs: this field takes plain text.",
        ),
        (
            answers(representative_role='=HYPERLINK("http://x";"clic")'),
            "representative_role",
            "Start with a letter or a digit: a spreadsheet reads = + - @ first as a formula.",
        ),
        (
            answers(representative_name="Camille\tExemple"),
            "representative_name",
            "The invisible character U+0009 is not accepted in a name: use letters, spaces, "
            "hyphens, apostrophes and periods only.",
        ),
        (
            answers(representative_email="pas une adresse"),
            "representative_email",
            "Enter a valid email address.",
        ),
        (
            answers(organisation="Pôle Inconnu"),
            "organisation",
            "No pole or network of the directory has exactly this name. Choose it in the "
            "list, or answer “No” above to propose your organisation.",
        ),
        (
            answers(organisation="Mairie Exemple"),
            "organisation",
            "No pole or network of the directory has exactly this name. Choose it in the "
            "list, or answer “No” above to propose your organisation.",
        ),
        (answers(organisation=""), "organisation", "Choose your pole or network in the list."),
        (
            answers(organisation="x" * 201),
            "organisation",
            "Ensure this value has at most 200 characters (it has 201).",
        ),
        (
            answers(has_mandate=None),
            "has_mandate",
            "Confirm that you have the mandate to sign the charter on behalf of this organisation.",
        ),
        (
            answers(source="autre"),
            "source",
            "Select a valid choice. autre is not one of the available choices.",
        ),
        (
            proposal(proposed_name="<b>Pôle</b>"),
            "proposed_name",
            "Remove the < and > signs: this field takes plain text.",
        ),
        (
            proposal(proposed_name="@SUM(A1)"),
            "proposed_name",
            "Start with a letter or a digit: a spreadsheet reads = + - @ first as a formula.",
        ),
        (proposal(proposed_name="!!!"), "proposed_name", "A name needs letters or digits."),
        (proposal(proposed_name=""), "proposed_name", "Give the name of the organisation."),
        (proposal(proposed_kind=""), "proposed_kind", "Choose a pole or a network."),
        (proposal(proposed_kind="public_body"), "proposed_kind", "Choose a pole or a network."),
        (proposal(proposed_town=""), "proposed_town", "Give the town of the organisation."),
        (
            proposal(proposed_town="-1+1"),
            "proposed_town",
            "Start with a letter or a digit: a spreadsheet reads = + - @ first as a formula.",
        ),
        (
            proposal(proposed_website="javascript:alert(1)"),
            "proposed_website",
            "Enter a valid URL.",
        ),
        (
            proposal(proposed_website="https://x.example/" + "a" * 200),
            "proposed_website",
            "Ensure this value has at most 200 characters (it has 218).",
        ),
        (
            proposal(proposed_name="pole ECOTONE"),
            "proposed_name",
            "This organisation is in the directory: choose “In the directory” and pick it in "
            "the list.",
        ),
    ],
)
def test_bad_input_gets_a_clear_message_and_writes_nothing(
    client, version, pole, data, field, message
):
    OrganisationFactory(name="Mairie Exemple", kind=OrganisationKind.PUBLIC_BODY)

    response = submit(client, data)

    assert response.status_code == 400
    assert field_error(response, f"id_{field}") == [message]
    assert "The form has 1 error: nothing was sent." in page(response)
    assert nothing_written()


def test_the_unused_answer_is_ignored_errors_included(client, version, pole):
    response = submit(client, answers(proposed_website="pas une adresse", proposed_kind="x"))

    assert response.status_code == 302
    signing_request = SigningRequest.objects.get()
    assert (signing_request.proposed_website, signing_request.proposed_kind) == ("", "")


def test_an_unknown_name_gets_close_names_of_the_directory(client, version, pole):
    PoleFactory(organisation__name="Pôle Écotone du Sud")
    PoleFactory(organisation__name="Pôle Autre")

    response = submit(client, answers(organisation="ecotone"))

    suggestions = re.search(r'id="organisation-suggestions">(.*?)</div>', page(response), re.S)
    assert re.findall(r"<li>(.*?)</li>", suggestions.group(1)) == [
        "Pôle Écotone",
        "Pôle Écotone du Sud",
    ]


def test_markup_in_the_directorys_names_is_escaped_on_the_pages(client, version):
    PoleFactory(organisation__name="<script>alert(1)</script> Pôle", organisation__slug="s")

    text = client.get(FORM).content.decode()

    assert '<option value="&lt;script&gt;alert(1)&lt;/script&gt; Pôle"></option>' in text
    assert "<script>alert(1)" not in text


def test_the_honeypot_sends_nothing(client, version, pole):
    response = submit(client, answers(website="http://spam.example"))

    assert response.status_code == 400
    assert "This form could not be sent. Please try again." in page(response)
    assert nothing_written()


def test_the_form_is_rate_limited_per_address(client, version, pole, settings):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "charter_signing": "2/h"}

    statuses = [submit(client, answers()).status_code for _ in range(2)]
    refused = submit(client, answers(representative_name="Dominique Exemple"))
    other_address = submit(client, answers(), REMOTE_ADDR="192.0.2.9")

    assert statuses == [302, 302]
    # The form again, with what was typed and when to try again.
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert "Too many attempts from your connection. Try again in " in page(refused)
    assert 'name="representative_name" value="Dominique Exemple"' in page(refused)
    assert other_address.status_code == 302
    assert SigningRequest.objects.count() == 3


# The emails ---------------------------------------------------------------------------------


def test_the_confirmation_email_carries_an_expiring_link_and_says_who_signs(client, version, pole):
    submit(client, answers())
    signing_request = SigningRequest.objects.get()

    email, text, body = built("charter.confirm_link")

    assert email.subject == "Confirm the signature of the charter: Pôle Écotone"
    assert email.extra_headers["Content-Language"] == "en"
    assert "within 72 hours" in text
    assert "Organisation: Pôle Écotone" in text
    assert "If you did not ask for this, ignore this message" in text
    (path,) = LINK.findall(text)
    token = path.removeprefix("/charte/signature/").removesuffix("/")
    assert links.check_link(token) == links.LinkCheck(signing_request)
    assert f'href="{settings.SITE_URL}{path}"' in body


def test_emails_escape_markup_in_the_html_and_keep_the_text_as_typed(client, version):
    PoleFactory(organisation__name="<b>Pôle</b> & Cie", organisation__slug="pole-cie")

    submit(client, answers(organisation="<b>Pôle</b> & Cie"))
    _email, text, body = built("charter.confirm_link")

    assert "Organisation: <b>Pôle</b> & Cie" in text
    assert "&lt;b&gt;Pôle&lt;/b&gt; &amp; Cie" in body
    assert "<b>Pôle</b>" not in body


def test_emails_are_in_the_language_of_the_form(client, version, pole):
    submit(client, answers(), HTTP_ACCEPT_LANGUAGE="fr")

    message = Message.objects.get()
    assert (message.language, SigningRequest.objects.get().language) == ("fr", "fr")
    assert build(message).extra_headers["Content-Language"] == "fr"


def test_a_link_email_of_a_request_signed_meanwhile_is_skipped(client, version, pole):
    submit(client, answers())
    signing_request = SigningRequest.objects.get()
    requests.confirm(signing_request)

    message = Message.objects.get(kind="charter.confirm_link")

    assert build(message) is None


def test_a_receipt_email_of_a_signature_revoked_meanwhile_is_skipped(client, version, pole):
    submit(client, answers())
    signing_request = requests.confirm(SigningRequest.objects.get())
    signatures.revoke(signing_request.signature, reason="Erreur", now=timezone.now())

    assert build(Message.objects.get(kind="charter.signed")) is None
    assert list(emails.messages_about(signing_request).values_list("kind", flat=True)) == [
        "charter.signed",
        "charter.confirm_link",
    ]
