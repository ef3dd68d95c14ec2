"""The team pages: who may open them, invitations by email (new and existing accounts), the
invitation link (once, for 7 days, refused when tampered), withdrawing a role, rate limits."""

import re
import time

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import invitations
from accounts.enums import AuditAction, Role
from accounts.invitation_links import link_token
from accounts.models import AuditEntry, Membership, User
from outbox.models import Message
from tests.auth import log_in
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, UserFactory

MEMBERS = reverse("accounts:team")
INVITE = reverse("accounts:team_invite")
NEW_PASSWORD = "un mot de passe bien long 2024"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def invite(client, cast, **fields):
    data = {"email": "marie.dupont@example.net", "organisation": cast.org.pk, "role": "editor"}
    return client.post(INVITE, {**data, **fields})


def link_in(message):
    text = message.get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/compte/invitation/\S+/", text).group(0)


# Who may open the pages --------------------------------------------------------------------


@pytest.mark.parametrize("path", [MEMBERS, INVITE, reverse("accounts:team_tokens")])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organiser", 200),
        ("superuser", 200),
        ("editor", 403),
        ("agent", 403),
        ("viewer", 403),
        ("outsider", 403),
    ],
)
def test_team_pages_need_manage_on_an_organisation(client, cast, path, who, status):
    log_in(client, getattr(cast, who))
    response = client.get(path)
    assert response.status_code == status
    if status == 403:
        assert b"organisatrice" not in response.content


@pytest.mark.parametrize("path", [MEMBERS, INVITE, reverse("accounts:team_tokens")])
def test_team_pages_send_anonymous_visitors_to_the_login_page(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_members_page_lists_the_managed_organisation_only(client, cast):
    log_in(client, cast.organiser)
    response = client.get(MEMBERS)
    content = response.content.decode()
    for username in ("organisatrice", "redacteur", "agent", "observatrice"):
        assert username in content
    assert "autre-organisatrice" not in content
    assert response["Cache-Control"] == "private, no-store"
    assert '<meta name="robots" content="noindex">' in content
    # One's own organiser role cannot be withdrawn from here; the others can.
    own = Membership.objects.get(user=cast.organiser)
    assert reverse("accounts:team_withdraw", args=[own.pk]) not in content
    editor = Membership.objects.get(user=cast.editor)
    assert reverse("accounts:team_withdraw", args=[editor.pk]) in content


# Invitations -----------------------------------------------------------------------------


def test_inviting_a_new_address_makes_an_inactive_account_and_emails_a_link(
    client, cast, send_outbox, smtp_server
):
    log_in(client, cast.organiser)
    response = invite(client, cast, role="organiser", edition=cast.edition.pk)
    assert response.status_code == 302
    assert response.url == MEMBERS

    user = User.objects.get(email="marie.dupont@example.net")
    assert user.username == "marie-dupont"
    assert not user.is_active
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role, membership.edition) == (
        cast.org,
        Role.ORGANISER,
        cast.edition,
    )
    entry = AuditEntry.objects.get(action=AuditAction.ROLE)
    assert (entry.user, entry.edition) == (cast.organiser, cast.edition)
    assert "marie-dupont" in entry.what
    assert "example.net" not in entry.what
    assert "example.net" not in str(entry.detail)

    assert send_outbox() == ["sent"]
    [message] = smtp_server.to("marie.dupont@example.net")
    assert "Réseau Exemple" in message["Subject"]
    link = link_in(message)
    assert link in message.get_body(("html",)).get_content()
    assert "marie-dupont" in message.get_body(("plain",)).get_content()

    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    client.logout()
    accepted = client.post(
        "/" + path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert accepted.status_code == 302
    assert accepted.url == reverse("organiser_home")
    user.refresh_from_db()
    assert user.is_active
    assert user.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT, user=user).count() == 1

    # The link served once: it is void now.
    client.logout()
    again = client.get("/" + path)
    assert again.status_code == 410
    assert b"already used" in again.content
    refused = client.post("/" + path, {"new_password1": "x" * 20, "new_password2": "x" * 20})
    assert refused.status_code == 410
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_inviting_an_existing_account_gives_the_role_and_tells_them(
    client, cast, send_outbox, smtp_server
):
    log_in(client, cast.organiser)
    response = invite(client, cast, email=cast.outsider.email.upper(), role="viewer")
    assert response.status_code == 302
    assert User.objects.filter(email__iexact=cast.outsider.email).count() == 1
    assert Membership.objects.filter(user=cast.outsider, role=Role.VIEWER).exists()
    assert send_outbox() == ["sent"]
    [message] = smtp_server.to(cast.outsider.email)
    text = message.get_body(("plain",)).get_content()
    assert "/compte/invitation/" not in text
    assert reverse("accounts:login") in text
    assert "Viewer" in text


def test_the_chosen_password_must_pass_the_validators(client, cast):
    user = invitations.invite(
        cast.organiser, email="new@example.net", role=Role.AGENT, organisation=cast.org
    ).membership.user
    path = reverse("accounts:invitation_accept", args=[link_token(user)])
    response = client.post(path, {"new_password1": "1234", "new_password2": "1234"})
    assert response.status_code == 200
    assert b"too short" in response.content
    user.refresh_from_db()
    assert not user.is_active
    assert not user.has_usable_password()


def test_a_second_invitation_before_acceptance_sends_a_new_link(cast):
    invitations.invite(cast.organiser, email="new@example.net", role="agent", organisation=cast.org)
    invitations.invite(
        cast.organiser, email="new@example.net", role="viewer", organisation=cast.org
    )
    kinds = list(Message.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["accounts.invitation", "accounts.invitation"]
    assert User.objects.filter(email="new@example.net").count() == 1


def test_usernames_made_from_addresses_are_unique(cast):
    UserFactory(username="marie-dupont")
    invited = invitations.invite(
        cast.organiser, email="Marie.Dupont@example.net", role="viewer", organisation=cast.org
    )
    assert invited.membership.user.username == "marie-dupont-2"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "pas une adresse"}, "email"),
        ({"role": "king"}, "role"),
        ({"organisation": "other"}, "organisation"),
        ({"edition": "other"}, "edition"),
    ],
)
def test_bad_invitations_change_nothing(client, cast, fields, field):
    fields = {
        key: (
            (cast.other_org.pk if key == "organisation" else cast.other_edition.pk)
            if value == "other"
            else value
        )
        for key, value in fields.items()
    }
    log_in(client, cast.organiser)
    users, memberships = User.objects.count(), Membership.objects.count()
    response = invite(client, cast, **fields)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert b"Nothing was saved" in response.content
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    assert not Message.objects.exists()
    assert not AuditEntry.objects.exists()


def test_giving_a_role_twice_is_refused(client, cast):
    log_in(client, cast.organiser)
    response = invite(client, cast, email=cast.editor.email, role="editor")
    assert response.status_code == 200
    assert b"already has this role" in response.content
    assert not Message.objects.exists()
    assert not AuditEntry.objects.exists()


def test_an_organiser_cannot_invite_into_another_organisation(cast):
    with pytest.raises(PermissionDenied):
        invitations.invite(
            cast.organiser, email="x@example.net", role="viewer", organisation=cast.other_org
        )
    assert not User.objects.filter(email="x@example.net").exists()


# The link --------------------------------------------------------------------------------


@pytest.fixture
def invited(cast):
    return invitations.invite(
        cast.organiser, email="new@example.net", role="viewer", organisation=cast.org
    ).membership.user


def test_a_tampered_link_is_refused_with_a_clear_page(client, invited):
    token = link_token(invited)
    for bad in (token[:-2] + "xx", "nimportequoi", token.replace(":", "", 1)):
        response = client.get(reverse("accounts:invitation_accept", args=[bad]))
        assert response.status_code == 404
        assert b"not valid" in response.content
    response = client.post(
        reverse("accounts:invitation_accept", args=[token[:-2] + "xx"]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 404
    invited.refresh_from_db()
    assert not invited.is_active


def test_a_link_for_another_salt_is_refused(client, invited):
    forged = signing.TimestampSigner(salt="charter.signing").sign_object(
        {"user": invited.pk, "state": "x"}
    )
    assert client.get(reverse("accounts:invitation_accept", args=[forged])).status_code == 404


def test_an_expired_link_is_refused(client, invited, monkeypatch):
    eight_days_ago = int(time.time()) - 8 * 24 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(
            signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(eight_days_ago)
        )
        token = link_token(invited)
    response = client.post(
        reverse("accounts:invitation_accept", args=[token]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 410
    assert b"expired" in response.content
    invited.refresh_from_db()
    assert not invited.is_active


def test_a_link_is_void_once_a_password_is_set_another_way(client, invited):
    token = link_token(invited)
    invited.set_password(PASSWORD)
    invited.is_active = True
    invited.save()
    assert client.get(reverse("accounts:invitation_accept", args=[token])).status_code == 410


# Withdrawing ----------------------------------------------------------------------------


def test_an_organiser_withdraws_a_role(client, cast):
    membership = Membership.objects.get(user=cast.editor)
    log_in(client, cast.organiser)
    path = reverse("accounts:team_withdraw", args=[membership.pk])
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    entry = AuditEntry.objects.get(action=AuditAction.ROLE)
    assert entry.detail["change"] == "withdrawn"
    assert entry.detail["username"] == "redacteur"
    assert "@" not in entry.what


def test_ones_own_organiser_role_cannot_be_withdrawn(client, cast):
    membership = Membership.objects.get(user=cast.organiser)
    log_in(client, cast.organiser)
    response = client.post(reverse("accounts:team_withdraw", args=[membership.pk]))
    assert response.status_code == 409
    assert b"your own organiser role" in response.content
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not AuditEntry.objects.exists()


def test_another_organiser_may_withdraw_it(client, cast):
    second = UserFactory(username="deuxieme")
    MembershipFactory(user=second, organisation=cast.org, role=Role.ORGANISER)
    membership = Membership.objects.get(user=cast.organiser)
    log_in(client, second)
    assert client.post(reverse("accounts:team_withdraw", args=[membership.pk])).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("who", ["other_organiser", "editor", "viewer", "agent", "outsider"])
def test_others_cannot_withdraw_a_role(client, cast, who):
    membership = Membership.objects.get(user=cast.editor)
    log_in(client, getattr(cast, who))
    assert client.get(reverse("accounts:team_withdraw", args=[membership.pk])).status_code == 403
    assert client.post(reverse("accounts:team_withdraw", args=[membership.pk])).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


# Rate limits ------------------------------------------------------------------------------


def test_sending_invitations_is_rate_limited(client, cast, settings):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "invitation_send": "2/h"}
    log_in(client, cast.organiser)
    for number in range(2):
        assert invite(client, cast, email=f"p{number}@example.net").status_code == 302
    response = invite(client, cast, email="p3@example.net")
    assert response.status_code == 429
    assert not User.objects.filter(email="p3@example.net").exists()


def test_the_invitation_page_is_rate_limited_per_address(client, invited, settings):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "invitation": "2/h"}
    path = reverse("accounts:invitation_accept", args=[link_token(invited)])
    assert [client.get(path).status_code for _ in range(2)] == [200, 200]
    response = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 429
    invited.refresh_from_db()
    assert not invited.is_active
