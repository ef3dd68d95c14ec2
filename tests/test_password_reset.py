"""“Forgot your password?”: the email goes through the outbox to a real SMTP server, the link
works once and for an hour, the answer never says whether an account has the address, and
two-factor authentication stays on."""

import re
import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from outbox.models import Message
from ptce import settings as production_settings
from tests.conftest import PASSWORD
from tests.test_two_factor import code_for, enrolled

RESET = "/mot-de-passe-oublie/"
DONE = "/mot-de-passe-oublie/envoye/"
NEW_PASSWORD = "une toute nouvelle phrase secrète"


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


def ask(client, email, *, ip="192.0.2.20", **extra):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip, **extra)


def link_in(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://\S+/mot-de-passe-oublie/\S+/", text).group(0)


def test_the_reset_link_arrives_through_the_outbox_and_works_once(
    client, cast, smtp_server, send_outbox, settings
):
    settings.SITE_URL = "http://testserver"
    response = ask(client, "organisatrice@example.org")
    assert response.status_code == 302
    assert response["Location"] == DONE
    assert Message.objects.get().kind == "accounts.password_reset"

    assert send_outbox() == ["sent"]
    [message] = smtp_server.to("organisatrice@example.org")
    assert message["Content-Language"] == "fr"
    link = link_in(message).removeprefix("http://testserver")

    # Django moves the token out of the address into the session, then shows the form.
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    cast.organiser.refresh_from_db()
    assert cast.organiser.check_password(NEW_PASSWORD)
    assert SESSION_KEY not in client.session  # it logs nobody in

    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert 'id="invalid-link"' in again.content.decode()


def test_the_email_is_in_the_language_of_the_page(client, cast, smtp_server, send_outbox):
    ask(client, "redacteur@example.org", HTTP_ACCEPT_LANGUAGE="en")
    send_outbox()
    [message] = smtp_server.to("redacteur@example.org")
    assert message["Content-Language"] == "en"
    assert message["Subject"] == "A new password for your Journées PTCE account"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "redacteur" in text
    assert "within 1 hour" in text


def test_the_answer_is_the_same_whatever_the_address(client, cast):
    known = ask(client, "organisatrice@example.org")
    unknown = ask(client, "personne@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert Message.objects.filter(recipient="personne@example.org").count() == 0
    done = client.get(DONE)
    assert done.status_code == 200
    assert Message.objects.count() == 1


def test_inactive_accounts_get_no_email(client, cast):
    cast.viewer.is_active = False
    cast.viewer.save()
    assert ask(client, cast.viewer.email)["Location"] == DONE
    assert not Message.objects.exists()


def test_the_link_expires(client, cast, smtp_server, send_outbox, settings):
    assert production_settings.PASSWORD_RESET_TIMEOUT == 60 * 60
    settings.SITE_URL = "http://testserver"
    ask(client, "organisatrice@example.org")
    send_outbox()
    link = link_in(smtp_server.messages[0]).removeprefix("http://testserver")
    # Any age is beyond a timeout below zero.
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert not client.get(link, follow=True).context["validlink"]


def test_requests_are_rate_limited_per_email(client, cast, settings):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "password_reset": "2/h"}
    for n in range(2):
        assert ask(client, "organisatrice@example.org", ip=f"198.51.100.{n}").status_code == 302
    assert ask(client, " Organisatrice@example.org", ip="198.51.100.9").status_code == 429
    assert Message.objects.count() == 2
    assert ask(client, "redacteur@example.org", ip="198.51.100.10").status_code == 302


def test_requests_are_rate_limited_per_address(client, cast, settings):
    settings.PTCE_RATES = {**settings.PTCE_RATES, "password_reset": "2/h"}
    ask(client, "a@example.org", ip="192.0.2.99")
    ask(client, "b@example.org", ip="192.0.2.99")
    response = ask(client, "organisatrice@example.org", ip="192.0.2.99")
    assert response.status_code == 429
    assert not Message.objects.exists()


def test_a_new_password_leaves_two_factor_authentication_on(
    client, cast, smtp_server, send_outbox, settings
):
    settings.SITE_URL = "http://testserver"
    device, _ = enrolled(cast.organiser)
    ask(client, "organisatrice@example.org")
    send_outbox()
    link = link_in(smtp_server.messages[0]).removeprefix("http://testserver")
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    response = client.post("/connexion/", {"username": "organisatrice", "password": NEW_PASSWORD})
    assert response["Location"] == "/connexion/code/"
    assert SESSION_KEY not in client.session
    assert client.post("/connexion/code/", {"code": code_for(device)}).status_code == 302
    assert int(client.session[SESSION_KEY]) == cast.organiser.pk


def test_the_login_page_links_to_the_reset(client, db):
    assert f'href="{RESET}"' in client.get("/connexion/").content.decode()


def test_old_password_no_longer_works_after_the_reset(client, cast, smtp_server, send_outbox):
    ask(client, "redacteur@example.org")
    send_outbox()
    link = link_in(smtp_server.messages[0])
    path = "/" + link.split("/", 3)[3]
    form_page = client.get(path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    response = client.post("/connexion/", {"username": "redacteur", "password": PASSWORD})
    assert response.status_code == 200
