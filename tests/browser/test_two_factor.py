"""An organiser sets up two-factor authentication in Chromium, then logs in with a code: the
secret is read from the page as a person would type it into an app, and the codes computed
from it with django-otp's TOTP. Every page on the way is axe-clean."""

import base64

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def code_from(secret, *, ahead=0):
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, drift=ahead):06d}"


@pytest.mark.parametrize("tab", ["phone"], indirect=True)
def test_organiser_enrols_then_logs_in_with_a_code(tab, cast):
    page = tab.page
    tab.goto("/connexion/?next=/gestion/")
    page.fill("#id_username", "organisatrice")
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")

    # Organisers must use 2FA: straight to enrolment, before any organiser page.
    page.wait_for_url("**/compte/double-authentification/?next=/gestion/")
    qr = page.locator("img.otp-qr")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert page.evaluate("document.querySelector('img.otp-qr').naturalWidth") > 0
    tab.assert_clean()
    secret = page.inner_text("#otp-secret")
    page.fill("#id_code", code_from(secret))
    page.click("form.form button[type=submit]")

    page.wait_for_url("**/compte/double-authentification/codes/")
    assert page.locator("#recovery-codes li").count() == 10
    tab.assert_clean()
    page.click("a.button-primary")
    page.wait_for_url("**/gestion/")

    tab.goto("/compte/")
    tab.assert_clean()
    page.click("form[action='/deconnexion/'] button")
    page.wait_for_url(tab.base_url + "/")

    tab.goto("/connexion/")
    page.fill("#id_username", "organisatrice")
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/connexion/code/")
    tab.assert_clean()
    # The enrolment's code was used: the app's next one (a later time step).
    page.fill("#id_code", code_from(secret, ahead=1))
    page.click("form.form button[type=submit]")
    # With no "next", a login lands in the organisers' area.
    page.wait_for_url(tab.base_url + "/gestion/")
    assert TOTPDevice.objects.get(user=cast.organiser).confirmed
