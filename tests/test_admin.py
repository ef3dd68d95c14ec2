"""The admin: superusers only; its validation, tokens and users."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from django.utils.translation import gettext, override

from accounts.models import ApiToken, User
from events.enums import EditionStatus, SessionKind
from events.models import Edition, Session
from tests.auth import log_in
from tests.factories import (
    OrganisationFactory,
    SessionFactory,
    SpeakerFactory,
)

DAY = dt.timedelta(days=1)


def fr(msgid, **params):
    """A message as the admin shows it: in French (when translated), with its values."""
    with override("fr"):
        text = gettext(msgid)
    return text % params if params else text


def in_french(errors):
    with override("fr"):
        return [str(error) for error in errors]


def login(client, user):
    log_in(client, user)
    return client


def changelist(client, model):
    response = client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def split(moment):
    """A datetime as the admin's two inputs (date, time) in Paris time."""
    moment = timezone.localtime(moment)
    return moment.date().isoformat(), moment.strftime("%H:%M")


def edition_data(organisers, *, edition=None, sessions=(), **overrides):
    """POST data for the edition form, with its sessions inline.

    ``sessions`` are dicts of the inline's fields; those with an ``id`` are existing ones.
    """
    day = timezone.localdate() + 60 * DAY
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    data = {
        "title": "Journée des essais",
        "number": "",
        "slug": "journee-des-essais",
        "summary": "Une journée pour essayer.",
        "description": "",
        "status": EditionStatus.DRAFT,
        "date": day.isoformat(),
        "start_time": "09:30",
        "end_time": "16:30",
        "venue": "",
        "capacity": "300",
        "workshop_promotion": "swap",
        "id_required": "on",
        "security_fields": ["birth_date"],
        "venue_data_retention_days": "1",
        "personal_data_retention_days": "180",
        "organisers": [organisation.pk for organisation in organisers],
        "partners": [],
        "_save": "Enregistrer",
    }
    for name, moment in {
        "registration_opens_at": noon - 30 * DAY,
        "registration_closes_at": noon - 5 * DAY,
        "security_list_first_deadline": noon - 10 * DAY,
        "security_list_final_deadline": noon - 4 * DAY,
    }.items():
        data[f"{name}_0"], data[f"{name}_1"] = split(moment)
    initial = [session for session in sessions if session.get("id")]
    data.update(
        {
            "sessions-TOTAL_FORMS": str(len(sessions)),
            "sessions-INITIAL_FORMS": str(len(initial)),
            "sessions-MIN_NUM_FORMS": "0",
            "sessions-MAX_NUM_FORMS": "1000",
        }
    )
    for index, session in enumerate(sessions):
        fields = {
            "id": "",
            "edition": edition.pk if edition else "",
            "kind": SessionKind.DEBATE,
            "title": f"Débat {index}",
            "room": "",
            **session,
        }
        data.update({f"sessions-{index}-{key}": value for key, value in fields.items()})
    data.update(overrides)
    return data


def existing(session, **changes):
    return {
        "id": session.pk,
        "start_time": session.start_time.strftime("%H:%M"),
        "end_time": session.end_time.strftime("%H:%M"),
        "kind": session.kind,
        "title": session.title,
        **changes,
    }


def edition_url(edition, action="change"):
    return f"/admin/events/edition/{edition.pk}/{action}/"


# Who may open the admin: superusers only ---------------------------------------------------


def test_superusers_open_the_admin(client, cast):
    assert login(client, cast.superuser).get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "who", ["organiser", "editor", "other_organiser", "agent", "viewer", "outsider"]
)
@pytest.mark.parametrize("path", ["/admin/", "/admin/events/edition/", "/admin/network/pole/"])
def test_every_other_user_is_sent_to_the_login_page(client, cast, who, path):
    """Organisers and editors work on the organiser pages (tests/test_edit_*.py)."""
    response = login(client, getattr(cast, who)).get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/connexion/?next={path}"


def test_an_organiser_cannot_change_an_edition_through_the_admin(client, cast):
    data = edition_data([cast.org], edition=cast.edition, slug=cast.edition.slug, title="Piraté")
    response = login(client, cast.organiser).post(edition_url(cast.edition), data)
    assert response.status_code == 302
    cast.edition.refresh_from_db()
    assert cast.edition.title == "Journée Exemple"


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/admin/"


def test_admin_login_page_is_the_sites_login_page(client, db):
    response = client.get("/admin/login/", {"next": "/admin/events/"})
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/admin/events/"
    response = client.get("/admin/login/", {"next": "https://example.com/"})
    assert response["Location"] == "/connexion/?next=/admin/"


def test_admin_login_page_sends_a_superuser_on(client, cast):
    response = login(client, cast.superuser).get("/admin/login/", {"next": "/admin/events/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/events/"


def test_admin_logout_logs_out_and_goes_home(client, cast):
    response = login(client, cast.superuser).post("/admin/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/admin/").status_code == 302


def test_admin_speaks_french_by_default(client, cast):
    response = login(client, cast.superuser).get("/admin/")
    assert response.context["LANGUAGE_CODE"] == "fr"
    assert '<html lang="fr"' in response.content.decode()


CONTENT_MODELS = {"Edition", "Session", "Speaker", "Venue", "Organisation"}


def listed_models(response):
    return {model["object_name"] for app in response.context["app_list"] for model in app["models"]}


def test_admin_index_lists_everything_to_superusers(client, cast):
    response = login(client, cast.superuser).get("/admin/")
    expected = {"Pole", "Sector", "Category", "Entrance", "User", "Membership", "ApiToken"}
    assert listed_models(response) >= CONTENT_MODELS | expected


def test_superuser_lists_every_edition(client, cast):
    login(client, cast.superuser)
    assert changelist(client, Edition) == {cast.edition, cast.edition_two, cast.other_edition}


def test_session_speakers_must_belong_to_its_edition(client, cast):
    session = SessionFactory(edition=cast.edition)
    stranger = SpeakerFactory(edition=cast.edition_two, name="Alex Ailleurs")
    data = {
        "edition": cast.edition.pk,
        "start_time": "10:00",
        "end_time": "11:00",
        "kind": SessionKind.DEBATE,
        "title": session.title,
        "speakers": [stranger.pk],
    }
    response = login(client, cast.superuser).post(
        f"/admin/events/session/{session.pk}/change/", data
    )
    assert response.status_code == 200
    assert in_french(response.context["adminform"].form.errors["speakers"]) == [
        fr("These speakers belong to another edition: %(names)s", names="Alex Ailleurs")
    ]
    assert list(session.speakers.all()) == []


def test_partners_may_be_any_organisation(client, cast):
    partner = OrganisationFactory(name="Ministère Exemple")
    data = edition_data([cast.org], edition=cast.edition, slug=cast.edition.slug)
    data["partners"] = [partner.pk]
    response = login(client, cast.superuser).post(edition_url(cast.edition), data)
    assert response.status_code == 302
    assert list(cast.edition.partners.all()) == [partner]


# Validation --------------------------------------------------------------------------------


def test_adding_an_edition_with_its_sessions_saves_them_all(client, cast):
    sessions = [
        {"start_time": "09:30", "end_time": "10:00", "kind": SessionKind.WELCOME},
        {"start_time": "16:00", "end_time": "16:30", "kind": SessionKind.CLOSING},
    ]
    response = login(client, cast.superuser).post(
        "/admin/events/edition/add/", edition_data([cast.org], sessions=sessions)
    )
    assert response.status_code == 302
    # The new edition is the organiser's at once: back to the list, not to the index.
    assert response["Location"] == "/admin/events/edition/"
    edition = Edition.objects.get(slug="journee-des-essais")
    assert list(edition.organisers.all()) == [cast.org]
    assert edition.security_fields == ["birth_date"]
    assert [(s.start_time, s.end_time) for s in edition.sessions.all()] == [
        (dt.time(9, 30), dt.time(10)),
        (dt.time(16), dt.time(16, 30)),
    ]


def test_new_edition_with_a_session_outside_its_hours_is_refused(client, cast):
    sessions = [
        {"start_time": "09:30", "end_time": "10:00"},
        {"start_time": "08:00", "end_time": "09:00"},
    ]
    response = login(client, cast.superuser).post(
        "/admin/events/edition/add/", edition_data([cast.org], sessions=sessions)
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.errors[0] == {}
    assert in_french(formset.errors[1]["__all__"]) == [
        fr(
            "A session must fall within the hours of the day (%(start)s to %(end)s).",
            start="9\u00a0h\u00a030",
            end="16\u00a0h\u00a030",
        )
    ]
    assert not Edition.objects.filter(slug="journee-des-essais").exists()
    assert Session.objects.count() == 0


def test_session_ending_before_it_starts_is_refused_inline(client, cast):
    sessions = [{"start_time": "11:00", "end_time": "10:00"}]
    response = login(client, cast.superuser).post(
        "/admin/events/edition/add/", edition_data([cast.org], sessions=sessions)
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert in_french(formset.errors[0]["end_time"]) == [fr("A session must end after it starts.")]
    assert not Edition.objects.filter(slug="journee-des-essais").exists()


def test_shortening_the_day_under_an_existing_session_is_refused(client, cast):
    early = SessionFactory(edition=cast.edition, start_time=dt.time(9, 30), end_time=dt.time(10))
    data = edition_data(
        [cast.org],
        edition=cast.edition,
        sessions=[existing(early)],
        slug=cast.edition.slug,
        start_time="10:00",
    )
    response = login(client, cast.superuser).post(edition_url(cast.edition), data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert in_french(formset.errors[0]["__all__"]) == [
        fr(
            "A session must fall within the hours of the day (%(start)s to %(end)s).",
            start="10\u00a0h\u00a000",
            end="16\u00a0h\u00a030",
        )
    ]
    cast.edition.refresh_from_db()
    assert cast.edition.start_time == dt.time(9, 30)


def test_moving_the_day_and_its_sessions_together_is_accepted(client, cast):
    early = SessionFactory(edition=cast.edition, start_time=dt.time(9, 30), end_time=dt.time(10))
    data = edition_data(
        [cast.org],
        edition=cast.edition,
        sessions=[existing(early, start_time="10:00", end_time="10:30")],
        slug=cast.edition.slug,
        start_time="10:00",
    )
    response = login(client, cast.superuser).post(edition_url(cast.edition), data)
    assert response.status_code == 302
    early.refresh_from_db()
    assert (early.start_time, early.end_time) == (dt.time(10), dt.time(10, 30))


def test_session_form_refuses_a_session_outside_the_day(client, cast):
    data = {
        "edition": cast.edition.pk,
        "start_time": "16:00",
        "end_time": "17:00",
        "kind": SessionKind.DEBATE,
        "title": "Trop tard",
    }
    response = login(client, cast.superuser).post("/admin/events/session/add/", data)
    assert response.status_code == 200
    assert in_french(response.context["adminform"].form.non_field_errors()) == [
        fr(
            "A session must fall within the hours of the day (%(start)s to %(end)s).",
            start="9\u00a0h\u00a030",
            end="16\u00a0h\u00a030",
        )
    ]
    assert not Session.objects.exists()


def test_session_form_refuses_a_session_ending_before_it_starts(client, cast):
    data = {
        "edition": cast.edition.pk,
        "start_time": "11:00",
        "end_time": "10:00",
        "kind": SessionKind.DEBATE,
        "title": "À l'envers",
    }
    response = login(client, cast.superuser).post("/admin/events/session/add/", data)
    assert response.status_code == 200
    assert in_french(response.context["adminform"].form.errors["end_time"]) == [
        fr("A session must end after it starts.")
    ]
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"security_list_final_deadline_0": "swap"},
            "security_list_final_deadline",
            "The final deadline cannot come before the first deadline.",
        ),
        (
            {"registration_closes_at_0": "before_opening"},
            "registration_closes_at",
            "Registration must close after it opens.",
        ),
        (
            {"security_list_final_deadline_0": "after_the_day"},
            "security_list_final_deadline",
            "This must come before the day starts.",
        ),
        ({"end_time": "09:00"}, "end_time", "The day must end after it starts."),
    ],
)
def test_edition_dates_out_of_order_are_refused(client, cast, changes, field, message):
    data = edition_data([cast.org])
    day = timezone.localdate() + 60 * DAY
    moves = {
        "swap": (day - 20 * DAY).isoformat(),  # final deadline before the first one
        "before_opening": (day - 40 * DAY).isoformat(),
        "after_the_day": (day + DAY).isoformat(),
    }
    data.update({key: moves.get(value, value) for key, value in changes.items()})
    response = login(client, cast.superuser).post("/admin/events/edition/add/", data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.errors) == {field}
    assert in_french(form.errors[field]) == [fr(message)]
    assert not Edition.objects.filter(slug="journee-des-essais").exists()


# API tokens in the admin -----------------------------------------------------------------


def test_token_made_in_the_admin_is_shown_once_and_works(client, cast):
    login(client, cast.superuser)
    response = client.post(
        "/admin/accounts/apitoken/add/", {"user": cast.editor.pk, "name": "tableur"}, follow=True
    )
    assert response.redirect_chain == [("/admin/accounts/apitoken/", 302)]
    token = ApiToken.objects.get()
    shown = [str(message) for message in response.context["messages"]]
    raw = next(match.group(0) for text in shown if (match := re.search(r"ptce_[\w-]{43}", text)))
    assert ApiToken.digest_of(raw) == token.digest
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200

    # Never again, and never its digest.
    for path in ("/admin/accounts/apitoken/", f"/admin/accounts/apitoken/{token.pk}/change/"):
        html = client.get(path).content.decode()
        assert token.hint in html
        assert raw not in html
        assert token.digest not in html


def test_tokens_are_revoked_from_the_admin_list(client, cast):
    token, raw = ApiToken.issue(cast.editor)
    login(client, cast.superuser)
    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_superuser_creates_a_user_with_an_email_and_a_role(client, cast):
    login(client, cast.superuser)
    data = {
        "username": "nouvelle",
        "email": "nouvelle@example.org",
        "usable_password": "true",
        "password1": "un mot de passe assez long",
        "password2": "un mot de passe assez long",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-organisation": cast.org.pk,
        "memberships-0-role": "editor",
        "memberships-0-edition": "",
    }
    response = client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 302
    user = User.objects.get(username="nouvelle")
    assert user.email == "nouvelle@example.org"
    assert list(user.memberships.values_list("organisation", "role", "edition")) == [
        (cast.org.pk, "editor", None)
    ]
