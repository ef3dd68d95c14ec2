"""Logging in and out, API tokens and ``GET /api/v1/me``, and the account commands."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from accounts.enums import Role
from accounts.models import ApiToken, Membership, User
from tests.auth import log_in
from tests.conftest import PASSWORD
from tests.factories import EditionFactory, OrganisationFactory, UserFactory

LOGIN_URL = "/connexion/"


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


# Login and logout ------------------------------------------------------------------------


def test_login_page_uses_the_site_layout_and_labelled_fields(client, db):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["accounts/login.html", "base.html"]
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_login_url_setting_points_to_the_login_page(db):
    assert reverse("accounts:login") == LOGIN_URL
    assert reverse("accounts:logout") == "/deconnexion/"


def test_login_with_the_right_password_logs_in_and_follows_next(client, cast):
    # An editor: organisers go through two-factor authentication (tests/test_two_factor.py).
    response = client.post(
        LOGIN_URL, {"username": "redacteur", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert int(client.session["_auth_user_id"]) == cast.editor.pk


def test_login_ignores_a_next_on_another_site(client, cast):
    response = client.post(
        LOGIN_URL,
        {"username": "redacteur", "password": PASSWORD, "next": "https://example.com/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("organiser_home")


def test_login_with_a_wrong_password_shows_the_error_and_logs_nobody_in(client, cast):
    response = client.post(LOGIN_URL, {"username": "organisatrice", "password": "wrong"})
    assert response.status_code == 200
    form = response.context["form"]
    assert [error.code for error in form.non_field_errors().as_data()] == ["invalid_login"]
    assert 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_errors_are_tied_to_their_field(client, db):
    response = client.post(LOGIN_URL, {"username": "", "password": ""})
    html = response.content.decode()
    assert response.context["form"].errors.keys() == {"username", "password"}
    assert 'id="id_username_error"' in html
    assert re.search(r'<input[^>]*aria-describedby="id_username_error"', html)
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_username"', html)


def test_inactive_user_cannot_log_in(client, cast):
    cast.organiser.is_active = False
    cast.organiser.save()
    response = client.post(LOGIN_URL, {"username": "organisatrice", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logged_in_user_sent_to_a_forbidden_page_is_told_so(client, cast):
    log_in(client, cast.agent)
    response = client.get(LOGIN_URL, {"next": "/admin/"})
    assert response.status_code == 200
    assert response.context["next"] == "/admin/"
    assert re.search(r'<p class="notice">[^<]*\bagent\b', response.content.decode())


def test_logout_needs_a_post_and_then_goes_home(client, cast):
    log_in(client, cast.organiser)
    assert client.get("/deconnexion/").status_code == 405
    response = client.post("/deconnexion/")
    assert response.status_code == 302
    assert response["Location"] == reverse("events:home")
    assert "_auth_user_id" not in client.session


# API tokens ------------------------------------------------------------------------------


def test_me_returns_the_token_users_roles(client, cast):
    _, raw = ApiToken.issue(cast.agent, name="scanner")
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 200
    assert response.json() == {
        "username": "agent",
        "is_superuser": False,
        "roles": [
            {"organisation": cast.org.slug, "role": "agent", "edition": cast.edition.slug},
        ],
    }


def test_me_lists_every_role_with_a_null_edition_for_organisation_wide_ones(client, cast):
    Membership.objects.create(
        user=cast.organiser, organisation=cast.org, role=Role.AGENT, edition=cast.edition_two
    )
    _, raw = ApiToken.issue(cast.organiser)
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.json()["roles"] == [
        {"organisation": cast.org.slug, "role": "agent", "edition": cast.edition_two.slug},
        {"organisation": cast.org.slug, "role": "organiser", "edition": None},
    ]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer ",
        "Bearer ptce_not-a-real-token",
        "Bearer not-even-our-prefix",
        "Basic b3JnYW5pc2F0cmljZTpwYXNzd29yZA==",
    ],
)
def test_me_without_a_valid_token_answers_401(client, db, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401


def test_revoked_token_answers_401(client, cast):
    token, raw = ApiToken.issue(cast.organiser)
    token.revoke()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_token_of_a_deactivated_user_answers_401(client, cast):
    _, raw = ApiToken.issue(cast.organiser)
    cast.organiser.is_active = False
    cast.organiser.save()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_session_login_does_not_open_the_token_api(client, cast):
    log_in(client, cast.organiser)
    assert client.get("/api/v1/me").status_code == 401


def test_token_is_stored_only_as_a_digest(cast):
    token, raw = ApiToken.issue(cast.organiser)
    token.refresh_from_db()
    assert raw.startswith("ptce_")
    assert token.digest == ApiToken.digest_of(raw)
    assert raw not in {token.digest, token.hint, token.name}
    assert raw.startswith(token.hint)
    assert len(token.hint) == len("ptce_") + 6


def test_token_use_is_noted_at_most_once_a_minute(client, cast):
    token, raw = ApiToken.issue(cast.organiser)
    client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == first_use

    long_ago = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at > long_ago


# ptce adduser ------------------------------------------------------------------------------


def run(command, *args):
    """Run a command; return its output lines."""
    from io import StringIO

    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue().splitlines()


def test_adduser_creates_a_user_with_a_generated_password(cast, monkeypatch):
    monkeypatch.delenv("PTCE_PASSWORD", raising=False)
    lines = run(
        "adduser",
        "camille",
        "--email",
        "camille@example.org",
        "--role",
        "editor",
        "--organisation",
        cast.org.slug,
    )
    user = User.objects.get(username="camille")
    password = lines[-1].rsplit(" ", 1)[-1]
    assert user.check_password(password)
    assert user.email == "camille@example.org"
    assert list(user.memberships.values_list("organisation", "role", "edition")) == [
        (cast.org.pk, "editor", None)
    ]


def test_adduser_takes_the_password_from_the_environment_and_does_not_print_it(cast, monkeypatch):
    monkeypatch.setenv("PTCE_PASSWORD", "un mot de passe assez long")
    lines = run(
        "adduser",
        "camille",
        "--email",
        "camille@example.org",
        "--role",
        "viewer",
        "--edition",
        cast.edition.slug,
    )
    user = User.objects.get(username="camille")
    assert user.check_password("un mot de passe assez long")
    assert not any("un mot de passe assez long" in line for line in lines)
    assert lines[0] == gettext("User %(username)s created.") % {"username": "camille"}
    assert list(user.memberships.values_list("organisation", "role", "edition")) == [
        (cast.org.pk, "viewer", cast.edition.pk)
    ]


def test_adduser_refuses_a_weak_password_from_the_environment(cast, monkeypatch):
    monkeypatch.setenv("PTCE_PASSWORD", "123")
    with pytest.raises(CommandError, match="PTCE_PASSWORD"):
        run(
            "adduser",
            "camille",
            "--email",
            "c@example.org",
            "--role",
            "viewer",
            "--organisation",
            cast.org.slug,
        )
    assert not User.objects.filter(username="camille").exists()


def test_adduser_on_an_existing_user_adds_the_role_and_keeps_the_password(cast):
    old_hash = cast.viewer.password
    run("adduser", "observatrice", "--role", "agent", "--edition", cast.edition_two.slug)
    lines = run("adduser", "observatrice", "--role", "agent", "--edition", cast.edition_two.slug)
    cast.viewer.refresh_from_db()
    assert cast.viewer.password == old_hash
    assert set(cast.viewer.memberships.values_list("role", "edition")) == {
        ("viewer", None),
        ("agent", cast.edition_two.pk),
    }
    with override("fr"):
        assert lines[0] == gettext(
            "User %(username)s already exists; the password is unchanged."
        ) % {"username": "observatrice"}


def test_adduser_guesses_the_only_organising_organisation(db, monkeypatch):
    monkeypatch.delenv("PTCE_PASSWORD", raising=False)
    organisation = OrganisationFactory(name="Seul Réseau")
    EditionFactory(organisers=[organisation])
    OrganisationFactory(name="Pôle qui n'organise rien")
    run("adduser", "dominique", "--email", "d@example.org", "--role", "organiser")
    assert Membership.objects.get(user__username="dominique").organisation == organisation


def test_adduser_guesses_the_editions_only_organiser(cast, monkeypatch):
    monkeypatch.delenv("PTCE_PASSWORD", raising=False)
    run(
        "adduser",
        "dominique",
        "--email",
        "d@example.org",
        "--role",
        "agent",
        "--edition",
        cast.other_edition.slug,
    )
    membership = Membership.objects.get(user__username="dominique")
    assert (membership.organisation, membership.edition) == (cast.other_org, cast.other_edition)


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        (["--role", "boss"], None),
        (["--role", "editor", "--edition", "no-such-day"], "unknown_edition"),
        (["--role", "editor", "--organisation", "nobody"], "unknown_organisation"),
        (["--role", "editor"], "ambiguous_organisation"),
        (
            ["--role", "editor", "--edition", "{other_edition}", "--organisation", "{org}"],
            "not_organiser",
        ),
    ],
)
def test_adduser_refuses_unclear_requests_and_creates_nothing(cast, arguments, code):
    arguments = [
        a.format(other_edition=cast.other_edition.slug, org=cast.org.slug) for a in arguments
    ]
    with pytest.raises(CommandError) as raised:
        run("adduser", "camille", "--email", "camille@example.org", *arguments)
    assert not User.objects.filter(username="camille").exists()
    if code is None:
        assert "organiser, editor, agent, viewer" in str(raised.value)
    else:
        assert code in {
            "unknown_edition",
            "unknown_organisation",
            "ambiguous_organisation",
            "not_organiser",
        }
        assert str(raised.value) == _message_of(code, cast)


def _message_of(code, cast):
    """The message the rule raises for ``code``, in the command's language (French)."""
    from accounts import roles

    calls = {
        "unknown_edition": lambda: roles.find_edition("no-such-day"),
        "unknown_organisation": lambda: roles.choose_organisation("nobody"),
        "ambiguous_organisation": lambda: roles.choose_organisation(None),
        "not_organiser": lambda: roles.choose_organisation(cast.org.slug, cast.other_edition),
    }
    with override("fr"), pytest.raises(ValidationError) as raised:
        calls[code]()
    assert raised.value.code == code
    return " ".join(raised.value.messages)


def test_adduser_needs_an_email_to_create_a_user(cast):
    with pytest.raises(CommandError, match="--email"):
        run("adduser", "camille", "--role", "editor", "--organisation", cast.org.slug)


def test_adduser_refuses_an_email_already_used(cast):
    with pytest.raises(CommandError, match=r"organisatrice@example\.org"):
        run(
            "adduser",
            "camille",
            "--email",
            "organisatrice@example.org",
            "--role",
            "editor",
            "--organisation",
            cast.org.slug,
        )


# ptce apitoken -----------------------------------------------------------------------------


def test_apitoken_prints_a_working_token_as_its_last_line(client, cast):
    raw = run("apitoken", "redacteur", "--name", "import")[-1]
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 200
    assert response.json()["roles"] == [
        {"organisation": cast.org.slug, "role": "editor", "edition": None}
    ]
    assert ApiToken.objects.get().name == "import"


def test_apitoken_list_shows_hints_never_secrets(cast):
    raw = run("apitoken", "redacteur")[-1]
    lines = run("apitoken", "redacteur", "--list")
    token = ApiToken.objects.get()
    assert len(lines) == 1
    assert lines[0].startswith(f"{token.pk}\t{token.hint}…\t-\t")
    assert raw not in lines[0]


def test_apitoken_revoke_by_hint_then_by_id(client, cast):
    raw = run("apitoken", "redacteur")[-1]
    other_raw = run("apitoken", "redacteur")[-1]
    token, other = ApiToken.objects.get(hint=raw[:11]), ApiToken.objects.get(hint=other_raw[:11])
    run("apitoken", "redacteur", "--revoke", f"{token.hint}…")
    run("apitoken", "redacteur", "--revoke", str(other.pk))
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(other_raw)).status_code == 401


def test_apitoken_revoke_only_touches_the_named_users_tokens(cast):
    token, _ = ApiToken.issue(cast.organiser)
    with pytest.raises(CommandError):
        run("apitoken", "redacteur", "--revoke", str(token.pk))
    token.refresh_from_db()
    assert token.revoked_at is None


def test_apitoken_refuses_an_ambiguous_hint(cast):
    run("apitoken", "redacteur")
    run("apitoken", "redacteur")
    with pytest.raises(CommandError):
        run("apitoken", "redacteur", "--revoke", "ptce_")
    assert ApiToken.objects.active().count() == 2


def test_apitoken_for_an_unknown_user_fails(db):
    with pytest.raises(CommandError, match="personne"):
        run("apitoken", "personne")


def test_apitoken_for_a_deactivated_user_fails(db):
    UserFactory(username="partie", is_active=False)
    with pytest.raises(CommandError, match="partie"):
        run("apitoken", "partie")
    assert not ApiToken.objects.exists()


# Memberships -------------------------------------------------------------------------------


def test_a_role_is_given_once_per_organisation_and_edition(cast):
    with pytest.raises(ValidationError):
        Membership(user=cast.editor, organisation=cast.org, role=Role.EDITOR).validate_constraints()
    with pytest.raises(ValidationError):
        Membership(
            user=cast.agent, organisation=cast.org, role=Role.AGENT, edition=cast.edition
        ).validate_constraints()
    Membership(
        user=cast.agent, organisation=cast.org, role=Role.AGENT, edition=cast.edition_two
    ).validate_constraints()
    Membership(user=cast.agent, organisation=cast.org, role=Role.AGENT).validate_constraints()


def test_a_role_narrowed_to_an_edition_needs_an_edition_of_that_organisation(cast):
    membership = Membership(
        user=cast.editor, organisation=cast.org, role=Role.EDITOR, edition=cast.other_edition
    )
    with pytest.raises(ValidationError) as raised:
        membership.full_clean()
    assert set(raised.value.message_dict) == {"edition"}
