"""API tokens made from the site: the pages (who may open them, the secret shown once, only
its digest kept, revoking), the rules (never beyond the user's roles, nor their editions),
and the scopes enforced by the real API with ``Authorization: Bearer``."""

import pytest
from django.urls import reverse

from accounts import tokens
from accounts.enums import AuditAction, Role
from accounts.models import ApiToken, AuditEntry, Membership
from accounts.tokens import TokenRefused
from common.permissions import Action
from tests.auth import log_in
from tests.factories import MembershipFactory

TOKENS = reverse("accounts:tokens")
TEAM_TOKENS = reverse("accounts:team_tokens")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


def registrations(slug):
    return f"/api/v1/editions/{slug}/registrations"


def checkin_data(slug):
    return f"/api/v1/editions/{slug}/checkin-data"


def make(client, user, *, scopes, edition=None, name="script"):
    """Make a token through the page; returns (response, raw)."""
    log_in(client, user)
    data = {"name": name, "scopes": [Action(scope).value for scope in scopes]}
    if edition is not None:
        data["edition"] = edition.pk
    response = client.post(TOKENS, data)
    raw = response.context.get("raw") if response.context else None
    return response, raw


# The pages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organiser", 200),
        ("editor", 200),
        ("agent", 200),
        ("viewer", 200),
        ("superuser", 200),
        ("outsider", 403),
    ],
)
def test_tokens_page_needs_a_role(client, cast, who, status):
    log_in(client, getattr(cast, who))
    assert client.get(TOKENS).status_code == status


def test_token_pages_send_anonymous_visitors_to_the_login_page(client, cast):
    token, _ = ApiToken.issue(cast.organiser)
    for path in (TOKENS, TEAM_TOKENS, reverse("accounts:token_revoke", args=[token.pk])):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
        assert client.post(path).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_scopes_offered_are_those_of_the_users_roles(client, cast):
    log_in(client, cast.viewer)
    choices = [value for value, _ in client.get(TOKENS).context["form"].fields["scopes"].choices]
    assert choices == [Action.VIEW_FIGURES]
    log_in(client, cast.agent)
    form = client.get(TOKENS).context["form"]
    assert [value for value, _ in form.fields["scopes"].choices] == [Action.CHECK_IN]
    assert list(form.fields["edition"].queryset) == [cast.edition]


def test_the_secret_is_shown_once_and_only_its_digest_is_kept(client, cast):
    response, raw = make(client, cast.organiser, scopes=[Action.CHECK_IN], edition=cast.edition)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert raw.startswith(ApiToken.PREFIX)
    assert response.content.decode().count(raw) == 1
    token = ApiToken.objects.get()
    assert token.digest == ApiToken.digest_of(raw)
    assert raw not in (token.digest, token.hint, token.name)
    assert raw.startswith(token.hint)
    assert (token.user, token.created_by, token.edition) == (
        cast.organiser,
        cast.organiser,
        cast.edition,
    )
    assert token.scopes == [Action.CHECK_IN]
    listing = client.get(TOKENS)
    assert raw not in listing.content.decode()
    assert token.hint in listing.content.decode()

    entry = AuditEntry.objects.get(action=AuditAction.TOKEN)
    assert (entry.user, entry.edition) == (cast.organiser, cast.edition)
    assert entry.detail["change"] == "created"
    assert raw not in entry.what
    assert raw not in str(entry.detail)


def test_a_viewer_cannot_make_a_check_in_token(client, cast):
    response, raw = make(client, cast.viewer, scopes=[Action.CHECK_IN])
    assert response.status_code == 400
    assert response.context["form"].errors["scopes"]
    assert raw is None
    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.exists()
    with pytest.raises(TokenRefused) as refused:
        tokens.create(cast.viewer, name="x", scopes=[Action.CHECK_IN])
    assert refused.value.code == "beyond_roles"
    assert not ApiToken.objects.exists()


def test_no_token_without_a_scope(client, cast):
    response, _ = make(client, cast.organiser, scopes=[])
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    with pytest.raises(TokenRefused) as refused:
        tokens.create(cast.organiser, name="x", scopes=[])
    assert refused.value.code == "no_scope"


def test_a_token_is_narrowed_only_to_an_edition_of_the_user(client, cast):
    response, _ = make(client, cast.agent, scopes=[Action.CHECK_IN], edition=cast.edition_two)
    assert response.status_code == 400
    assert response.context["form"].errors["edition"]
    with pytest.raises(TokenRefused) as refused:
        tokens.create(cast.agent, name="x", scopes=[Action.CHECK_IN], edition=cast.other_edition)
    assert refused.value.code == "edition_not_yours"
    assert not ApiToken.objects.exists()


def test_on_an_edition_only_the_actions_allowed_there(cast):
    # The agent checks in on `edition`, and sees figures of another organisation's day.
    MembershipFactory(user=cast.agent, organisation=cast.other_org, role=Role.VIEWER)
    with pytest.raises(TokenRefused) as refused:
        tokens.create(cast.agent, name="x", scopes=[Action.VIEW_FIGURES], edition=cast.edition)
    assert refused.value.code == "beyond_roles_on_edition"
    token, _ = tokens.create(
        cast.agent, name="x", scopes=[Action.VIEW_FIGURES], edition=cast.other_edition
    )
    assert token.edition == cast.other_edition


# Scopes through the real API -----------------------------------------------------------------


def test_a_figures_only_token_cannot_read_personal_data_nor_check_in(client, cast):
    _, raw = make(client, cast.organiser, scopes=[Action.VIEW_FIGURES])
    client.logout()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    assert client.get(registrations(cast.edition.slug), headers=bearer(raw)).status_code == 403
    assert client.get(checkin_data(cast.edition.slug), headers=bearer(raw)).status_code == 403


def test_the_same_user_with_a_personal_data_token_reads_them(client, cast):
    _, raw = make(client, cast.organiser, scopes=[Action.VIEW_PERSONAL_DATA])
    client.logout()
    assert client.get(registrations(cast.edition.slug), headers=bearer(raw)).status_code == 200
    assert client.get(checkin_data(cast.edition.slug), headers=bearer(raw)).status_code == 403


def test_a_token_narrowed_to_an_edition_is_refused_on_another(client, cast):
    _, raw = make(client, cast.organiser, scopes=[Action.VIEW_PERSONAL_DATA], edition=cast.edition)
    client.logout()
    assert client.get(registrations(cast.edition.slug), headers=bearer(raw)).status_code == 200
    assert client.get(registrations(cast.edition_two.slug), headers=bearer(raw)).status_code == 403


def test_a_check_in_token_of_an_agent_works_on_its_edition_only(client, cast):
    _, raw = make(client, cast.agent, scopes=[Action.CHECK_IN], edition=cast.edition)
    client.logout()
    assert client.get(checkin_data(cast.edition.slug), headers=bearer(raw)).status_code == 200
    assert client.get(checkin_data(cast.edition_two.slug), headers=bearer(raw)).status_code == 403
    assert client.get(registrations(cast.edition.slug), headers=bearer(raw)).status_code == 403


def test_a_token_never_exceeds_its_users_roles_even_when_they_shrink(client, cast):
    _, raw = make(client, cast.agent, scopes=[Action.CHECK_IN])
    client.logout()
    assert client.get(checkin_data(cast.edition.slug), headers=bearer(raw)).status_code == 200
    Membership.objects.filter(user=cast.agent).delete()
    assert client.get(checkin_data(cast.edition.slug), headers=bearer(raw)).status_code == 403


def test_a_revoked_token_gets_401(client, cast):
    _, raw = make(client, cast.organiser, scopes=[Action.VIEW_PERSONAL_DATA])
    token = ApiToken.objects.get()
    path = reverse("accounts:token_revoke", args=[token.pk])
    confirm = client.get(path)
    assert confirm.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is None  # GET only asks.
    response = client.post(path)
    assert response.status_code == 302
    assert response.url == TOKENS
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert client.get(registrations(cast.edition.slug), headers=bearer(raw)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    entries = AuditEntry.objects.filter(action=AuditAction.TOKEN).order_by("pk")
    assert [entry.detail["change"] for entry in entries] == ["created", "revoked"]


# The team's tokens --------------------------------------------------------------------------


def test_an_organiser_sees_and_revokes_the_tokens_of_the_team(client, cast):
    editors, _ = ApiToken.issue(cast.editor, name="éditeur", scopes=[Action.EDIT_CONTENT])
    strangers, _ = ApiToken.issue(cast.other_organiser, name="ailleurs")
    log_in(client, cast.organiser)
    page = client.get(TEAM_TOKENS)
    assert page.status_code == 200
    assert editors.hint in page.content.decode()
    assert strangers.hint not in page.content.decode()

    response = client.post(reverse("accounts:token_revoke", args=[editors.pk]))
    assert response.status_code == 302
    assert response.url == TEAM_TOKENS
    editors.refresh_from_db()
    assert editors.revoked_at is not None
    entry = AuditEntry.objects.get(action=AuditAction.TOKEN)
    assert (entry.user, entry.detail["username"]) == (cast.organiser, "redacteur")

    assert client.post(reverse("accounts:token_revoke", args=[strangers.pk])).status_code == 403
    strangers.refresh_from_db()
    assert strangers.revoked_at is None


@pytest.mark.parametrize("who", ["editor", "agent", "viewer", "outsider", "other_organiser"])
def test_others_cannot_revoke_someone_elses_token(client, cast, who):
    token, _ = ApiToken.issue(cast.organiser)
    log_in(client, getattr(cast, who))
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 403
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_unknown_token_is_404(client, cast):
    log_in(client, cast.organiser)
    assert client.get(reverse("accounts:token_revoke", args=[999999])).status_code == 404
