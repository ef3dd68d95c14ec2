"""Two-factor authentication (TOTP and recovery codes): the login's two steps, enrolment,
the 2FA settings, and the one rule every guarded page applies. Codes are real ones, computed
from the device's secret with django-otp's own TOTP."""

import re
import time
from io import StringIO
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.translation import gettext, override
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.enums import AuditAction, Role
from accounts.models import AuditEntry, User
from ptce import settings as production_settings
from tests.auth import log_in
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, UserFactory

LOGIN = "/connexion/"
CODE = "/connexion/code/"
TWO_FACTOR = "/compte/double-authentification/"
REAUTH = "/compte/confirmer/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def code_for(device):
    """The code the device's app shows now, or the next one when the current one was used
    (a code is accepted once: the next must be of a later time step)."""
    device.refresh_from_db()
    now_step = (int(time.time()) - device.t0) // device.step
    drift = max(device.drift, device.last_t + 1 - now_step)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def enrolled(user):
    """``user`` with a confirmed authenticator and recovery codes; returns (device, codes)."""
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=False)
    return second_factor.confirm_enrolment(user, device, code_for(device))


def password_step(client, username, *, next_url=None, ip="192.0.2.10"):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data, REMOTE_ADDR=ip)


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    # django-ratelimit counts per window on the wall clock: held still, so that a test's
    # attempts all fall in one window (as in tests/test_ratelimit.py).
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def no_device_throttle(settings):
    # django-otp also makes a device wait 1, 2, 4… seconds after each wrong code; these
    # tests type the right code right after a wrong one.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


# Who must use it ------------------------------------------------------------------------------


def test_organisers_and_superusers_must_use_two_factor_authentication(cast):
    assert second_factor.is_required(cast.organiser)
    assert second_factor.is_required(cast.other_organiser)
    assert second_factor.is_required(cast.superuser)
    for user in (cast.editor, cast.agent, cast.viewer, cast.outsider):
        assert not second_factor.is_required(user)


def test_an_organiser_role_narrowed_to_one_edition_is_enough_to_require_it(cast):
    MembershipFactory(
        user=cast.editor, organisation=cast.org, role=Role.ORGANISER, edition=cast.edition
    )
    assert second_factor.is_required(User.objects.get(pk=cast.editor.pk))


# The login's two steps -----------------------------------------------------------------------


def test_password_of_a_user_with_an_authenticator_logs_nobody_in_until_the_code(client, cast):
    device, _ = enrolled(cast.organiser)
    response = password_step(client, "organisatrice", next_url="/gestion/")
    assert response.status_code == 302
    assert response["Location"] == CODE
    assert SESSION_KEY not in client.session

    page = client.get(CODE, **EN)
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()

    response = client.post(CODE, {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == "/gestion/"
    assert int(client.session[SESSION_KEY]) == cast.organiser.pk
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(reverse("organiser_home")).status_code == 200


def test_a_wrong_code_says_so_and_changes_nothing(client, cast, no_device_throttle):
    device, _ = enrolled(cast.organiser)
    password_step(client, "organisatrice")
    right = code_for(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(CODE, {"code": wrong}, **EN)
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["code"]
    assert [error.code for error in errors] == ["invalid_code"]
    assert 'id="id_code_error"' in response.content.decode()
    assert SESSION_KEY not in client.session
    # Still waiting for the right code.
    assert client.post(CODE, {"code": right})["Location"] == reverse("organiser_home")
    assert int(client.session[SESSION_KEY]) == cast.organiser.pk


def test_a_code_is_accepted_once(client, cast):
    device = TOTPDevice.objects.create(user=cast.organiser, name="Phone", confirmed=False)
    used = code_for(device)
    assert second_factor.confirm_enrolment(cast.organiser, device, used) is not None
    password_step(client, "organisatrice")
    assert client.post(CODE, {"code": used}).status_code == 200
    assert SESSION_KEY not in client.session


def test_a_recovery_code_logs_in_once(client, cast, no_device_throttle):
    _, codes = enrolled(cast.organiser)
    password_step(client, "organisatrice")
    response = client.post(CODE, {"code": codes[0].upper()}, **EN)
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == cast.organiser.pk
    assert client.get(reverse("organiser_home")).status_code == 200
    assert second_factor.recovery_codes_left(cast.organiser) == 9
    # The audit log reads in the site's language, whatever the language of the request.
    entry = AuditEntry.objects.get(what="Code de secours utilisé")
    assert (entry.user, entry.action, entry.detail) == (
        cast.organiser,
        AuditAction.ACCOUNT,
        {"left": 9},
    )

    client.post(reverse("accounts:logout"))
    password_step(client, "organisatrice")
    assert client.post(CODE, {"code": codes[0]}).status_code == 200
    assert SESSION_KEY not in client.session
    assert client.post(CODE, {"code": codes[1]}).status_code == 302


def test_the_code_step_expires_after_five_minutes(client, cast):
    device, _ = enrolled(cast.organiser)
    password_step(client, "organisatrice")
    session = client.session
    pending = session["accounts_pending_login"]
    pending["at"] -= second_factor.PENDING_LOGIN_SECONDS + 1
    session["accounts_pending_login"] = pending
    session.save()
    response = client.post(CODE, {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert SESSION_KEY not in client.session
    assert "accounts_pending_login" not in client.session


def test_the_code_page_without_a_password_step_goes_to_the_login(client, cast):
    enrolled(cast.organiser)
    response = client.get(CODE)
    assert response.status_code == 302
    assert response["Location"] == LOGIN


def test_a_password_changed_meanwhile_voids_the_code_step(client, cast):
    device, _ = enrolled(cast.organiser)
    password_step(client, "organisatrice")
    cast.organiser.set_password("un tout autre mot de passe")
    cast.organiser.save()
    assert client.post(CODE, {"code": code_for(device)})["Location"] == LOGIN
    assert SESSION_KEY not in client.session


def test_code_attempts_are_rate_limited_per_user(client, cast, settings, no_device_throttle):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "otp": "3/m"}
    device, _ = enrolled(cast.organiser)
    password_step(client, "organisatrice")
    statuses = [
        client.post(CODE, {"code": "000000"}, REMOTE_ADDR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 200]
    # Not even the right code now, from another address either.
    response = client.post(CODE, {"code": code_for(device)}, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_code_attempts_are_rate_limited_per_address(cast, settings):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "otp": "2/m"}
    enrolled(cast.organiser)
    enrolled(cast.superuser)
    first, second = Client(), Client()
    password_step(first, "organisatrice", ip="192.0.2.50")
    password_step(second, "admin", ip="192.0.2.50")
    assert first.post(CODE, {"code": "000000"}, REMOTE_ADDR="192.0.2.50").status_code == 200
    assert first.post(CODE, {"code": "000000"}, REMOTE_ADDR="192.0.2.50").status_code == 200
    assert second.post(CODE, {"code": "000000"}, REMOTE_ADDR="192.0.2.50").status_code == 429


def test_organiser_without_an_authenticator_is_logged_in_and_sent_to_enrolment(client, cast):
    response = password_step(client, "organisatrice", next_url="/gestion/")
    assert response.status_code == 302
    assert response["Location"] == f"{TWO_FACTOR}?next=/gestion/"
    assert int(client.session[SESSION_KEY]) == cast.organiser.pk
    # The password was just given: enrolment needs no confirmation of it.
    page = client.get(response["Location"], **EN)
    assert page.status_code == 200
    assert page.templates[0].name == "accounts/two_factor_enrol.html"


def test_user_who_need_not_use_it_logs_in_with_the_password_alone(client, cast):
    response = password_step(client, "redacteur", next_url="/gestion/")
    assert response["Location"] == "/gestion/"


def test_an_editor_who_set_it_up_gives_the_code_too(client, cast):
    device, _ = enrolled(cast.editor)
    assert password_step(client, "redacteur")["Location"] == CODE
    assert client.post(CODE, {"code": code_for(device)}).status_code == 302
    assert int(client.session[SESSION_KEY]) == cast.editor.pk


# Enforcement: the one rule on every guarded page -----------------------------------------------


def organiser_pages(cast):
    slug = cast.edition.slug
    return [
        reverse("organiser_home"),  # events
        reverse("registrations:list", args=[slug]),
        reverse("admission:attendance", args=[slug]),  # admission
        reverse("charter:manage"),
        reverse("network:export"),
        reverse("accounts:team"),  # accounts
        "/admin/",
    ]


def test_organiser_without_an_authenticator_is_sent_to_enrolment_from_every_kind_of_page(
    client, cast
):
    log_in(client, cast.organiser, second_factor=False)
    for path in organiser_pages(cast):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{TWO_FACTOR}?next={path}", path


def test_a_session_that_only_gave_the_password_reaches_no_organiser_page(client, cast):
    enrolled(cast.organiser)
    log_in(client, cast.organiser, second_factor=False)
    for path in organiser_pages(cast):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{CODE}?next="), path
    # Nor the check-in data through the API with its session.
    api = client.get(f"/api/v1/editions/{cast.edition.slug}/checkin-data")
    assert api.status_code == 401
    # Nor the 2FA settings (the password alone must not switch it off).
    assert client.get(TWO_FACTOR)["Location"].startswith(f"{CODE}?next=")


def test_a_session_verified_later_on_the_code_page_goes_on(client, cast):
    device, _ = enrolled(cast.organiser)
    log_in(client, cast.organiser, second_factor=False)
    path = reverse("organiser_home")
    location = client.get(path)["Location"]
    response = client.post(location, {"code": code_for(device)})
    assert response["Location"] == path
    assert client.get(path).status_code == 200


def test_an_agent_who_set_it_up_and_skipped_it_does_not_reach_the_check_in_app(client, cast):
    enrolled(cast.agent)
    log_in(client, cast.agent, second_factor=False)
    response = client.get("/controle/")
    assert response["Location"] == f"{CODE}?next=/controle/"


def test_an_agent_without_an_authenticator_opens_the_check_in_app(client, cast):
    log_in(client, cast.agent, second_factor=False)
    assert client.get("/controle/").status_code == 200


def test_anonymous_visitors_still_go_to_the_login_page(client, cast):
    path = reverse("organiser_home")
    assert client.get(path)["Location"] == f"{LOGIN}?next={path}"


# Enrolment ----------------------------------------------------------------------------------


def test_enrolment_shows_the_secret_confirms_with_a_code_and_shows_recovery_codes_once(
    client, cast
):
    password_step(client, "organisatrice", next_url="/gestion/")
    page = client.get(f"{TWO_FACTOR}?next=/gestion/", **EN)
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=cast.organiser, confirmed=False)
    secret = re.search(r'<code class="otp-secret" id="otp-secret">([A-Z2-7 ]+)</code>', html)
    assert secret.group(1).replace(" ", "") == second_factor.secret_of(device).replace(" ", "")
    assert re.search(r'<img class="otp-qr" src="data:image/svg\+xml', html)
    # Reloading the page shows the same secret.
    assert client.get(TWO_FACTOR).context["secret"] == second_factor.secret_of(device)

    response = client.post(
        TWO_FACTOR, {"action": "confirm", "code": code_for(device), "next": "/gestion/"}
    )
    assert response["Location"] == reverse("accounts:recovery_codes")
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id

    codes_page = client.get(response["Location"], **EN)
    codes = codes_page.context["codes"]
    assert len(codes) == 10 == len(set(codes))
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=cast.organiser).values_list("token", flat=True)
    )
    assert 'href="/gestion/"' in codes_page.content.decode()
    # Shown once.
    assert client.get(reverse("accounts:recovery_codes"))["Location"] == TWO_FACTOR
    # The organiser pages open now.
    assert client.get("/gestion/").status_code == 200
    assert AuditEntry.objects.filter(
        user=cast.organiser, what="Double authentification activée"
    ).exists()


def test_enrolment_with_a_wrong_code_confirms_nothing(client, cast, no_device_throttle):
    password_step(client, "organisatrice")
    client.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=cast.organiser)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(TWO_FACTOR, {"action": "confirm", "code": wrong}, **EN)
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.exists()
    assert client.get("/gestion/")["Location"].startswith(TWO_FACTOR)


def test_changing_two_factor_settings_needs_the_password_given_recently(client, cast):
    log_in(client, cast.editor, second_factor=False)
    response = client.get(TWO_FACTOR)
    assert response["Location"] == f"{REAUTH}?next={TWO_FACTOR}"
    assert not TOTPDevice.objects.filter(user=cast.editor).exists()

    wrong = client.post(REAUTH, {"password": "pas le bon", "next": TWO_FACTOR}, **EN)
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["password"]
    right = client.post(REAUTH, {"password": PASSWORD, "next": TWO_FACTOR})
    assert right["Location"] == TWO_FACTOR
    assert client.get(TWO_FACTOR).templates[0].name == "accounts/two_factor_enrol.html"

    session = client.session
    session["accounts_authenticated_at"] -= second_factor.RECENT_AUTHENTICATION_SECONDS + 1
    session.save()
    assert client.post(TWO_FACTOR, {"action": "confirm", "code": "123456"})["Location"].startswith(
        REAUTH
    )


@pytest.mark.parametrize("target", ["abc", "accounts:login", "\ufffd", "//evil.example/x"])
def test_a_next_that_is_no_address_of_the_site_is_ignored_after_the_password(client, cast, target):
    log_in(client, cast.editor, second_factor=False)

    response = client.post(REAUTH, {"password": PASSWORD, "next": target})

    assert (response.status_code, response["Location"]) == (302, "/compte/double-authentification/")


def test_regenerating_recovery_codes_voids_the_old_ones(client, cast):
    _, old_codes = enrolled(cast.organiser)
    password_step(client, "organisatrice")  # the code step comes next
    device = TOTPDevice.objects.get(user=cast.organiser)
    client.post(CODE, {"code": code_for(device)})
    response = client.post(TWO_FACTOR, {"action": "regenerate"})
    new_codes = client.get(response["Location"]).context["codes"]
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    tokens = StaticToken.objects.filter(device__user=cast.organiser)
    assert sorted(tokens.values_list("token", flat=True)) == sorted(new_codes)
    # The session verified with the authenticator stays verified.
    assert client.get("/gestion/").status_code == 200


def test_an_organiser_replaces_the_authenticator_but_cannot_switch_it_off(client, cast):
    old, _ = enrolled(cast.organiser)
    password_step(client, "organisatrice")
    client.post(CODE, {"code": code_for(old)})
    page = client.get(TWO_FACTOR, **EN)
    assert not page.context["may_remove"]
    client.post(TWO_FACTOR, {"action": "remove"})
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()

    client.post(TWO_FACTOR, {"action": "replace"})
    new = TOTPDevice.objects.get(user=cast.organiser, confirmed=False)
    # Until the new one is confirmed, the old one still works.
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()
    client.post(TWO_FACTOR, {"action": "confirm", "code": code_for(new)})
    assert list(TOTPDevice.objects.filter(user=cast.organiser)) == [new]
    new.refresh_from_db()
    assert new.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == new.persistent_id


def test_a_user_who_need_not_use_it_may_switch_it_off(client, cast):
    device, _ = enrolled(cast.editor)
    password_step(client, "redacteur")
    client.post(CODE, {"code": code_for(device)})
    response = client.post(TWO_FACTOR, {"action": "remove"})
    assert response["Location"] == reverse("accounts:account")
    assert not TOTPDevice.objects.filter(user=cast.editor).exists()
    assert not StaticToken.objects.filter(device__user=cast.editor).exists()
    client.post(reverse("accounts:logout"))
    assert password_step(client, "redacteur")["Location"] == reverse("organiser_home")


# The account page -----------------------------------------------------------------------------


def test_account_page_lists_the_roles_and_links_to_password_and_two_factor(client, cast):
    log_in(client, cast.agent)
    response = client.get(reverse("accounts:account"), **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<dd>{cast.agent.email}</dd>" in html
    assert f"Reception agent for {cast.org.name}, {cast.edition.title} only" in html
    assert f'href="{reverse("accounts:password_change")}"' in html
    assert f'href="{TWO_FACTOR}"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_account_page_needs_a_login(client, db):
    assert client.get(reverse("accounts:account"))["Location"].startswith(LOGIN)


def test_password_change_keeps_the_session_and_the_second_factor(client, cast):
    log_in(client, cast.organiser)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "une nouvelle phrase secrète",
            "new_password2": "une nouvelle phrase secrète",
        },
    )
    assert response["Location"] == reverse("accounts:account")
    assert client.get("/gestion/").status_code == 200
    cast.organiser.refresh_from_db()
    assert cast.organiser.check_password("une nouvelle phrase secrète")


# The demo and argon2 ------------------------------------------------------------------------


def test_demo_tells_how_to_set_up_the_authenticator(db, tmp_path, settings, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.HTTPS = False
    monkeypatch.delenv("PTCE_PASSWORD", raising=False)
    out = StringIO()
    with override("fr"):
        call_command("demo", stdout=out)
        expected = gettext(
            "Two-factor authentication: on the first login as “%(username)s” you will be "
            "asked to set up an authenticator app (scan the QR code with it)."
        ) % {"username": "organisatrice"}
    assert expected in out.getvalue()
    assert not TOTPDevice.objects.exists()


def test_production_settings_hash_new_passwords_with_argon2(db):
    with override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS):
        assert make_password("un mot de passe").startswith("argon2$argon2id$")


def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_login(client, db):
    with override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS):
        user = UserFactory(username="ancienne")
        user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
        user.save()
        response = client.post(LOGIN, {"username": "ancienne", "password": PASSWORD})
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.password.startswith("argon2$argon2id$")
        assert user.check_password(PASSWORD)
