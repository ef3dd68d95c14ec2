"""The admin: who may open it, what each role sees and changes, and its validation."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from django.utils.translation import gettext, override

from accounts.models import ApiToken, User
from events.enums import EditionStatus, SessionKind
from events.models import Edition, Session
from network.models import Organisation
from tests.factories import (
    OrganisationFactory,
    SessionFactory,
    SpeakerFactory,
    VenueFactory,
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
    client.force_login(user)
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
        "id_required": "on",
        "security_fields": ["birth_date"],
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


# Who may open the admin ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["superuser", "organiser", "editor", "other_organiser"])
def test_organisers_editors_and_superusers_open_the_admin(client, cast, who):
    response = login(client, getattr(cast, who)).get("/admin/")
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["agent", "viewer", "outsider"])
def test_other_users_are_sent_to_the_login_page(client, cast, who):
    response = login(client, getattr(cast, who)).get("/admin/events/edition/")
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/admin/events/edition/"


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


def test_admin_login_page_sends_a_user_with_access_on(client, cast):
    response = login(client, cast.editor).get("/admin/login/", {"next": "/admin/events/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/events/"


def test_logging_in_through_the_site_opens_the_admin(client, cast):
    from tests.conftest import PASSWORD

    response = client.post(
        "/connexion/", {"username": "redacteur", "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_logout_logs_out_and_goes_home(client, cast):
    response = login(client, cast.editor).post("/admin/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/admin/").status_code == 302


def test_admin_speaks_french_by_default(client, cast):
    response = login(client, cast.organiser).get("/admin/")
    assert response.context["LANGUAGE_CODE"] == "fr"
    assert '<html lang="fr"' in response.content.decode()


CONTENT_MODELS = {"Edition", "Session", "Speaker", "Venue", "Organisation"}


def listed_models(response):
    return {model["object_name"] for app in response.context["app_list"] for model in app["models"]}


@pytest.mark.parametrize(
    ("who", "extra"), [("editor", set()), ("organiser", {"Pole", "Sector", "Category", "Entrance"})]
)
def test_admin_index_lists_the_content_models_to_organisers_and_editors(client, cast, who, extra):
    """Organisers also keep the directory (accounts.permissions.can_manage_directory)."""
    response = login(client, getattr(cast, who)).get("/admin/")
    assert listed_models(response) == CONTENT_MODELS | extra


def test_admin_index_lists_accounts_to_superusers(client, cast):
    response = login(client, cast.superuser).get("/admin/")
    assert listed_models(response) >= CONTENT_MODELS | {"User", "Membership", "ApiToken"}


@pytest.mark.parametrize(
    "path", ["/admin/accounts/user/", "/admin/accounts/membership/", "/admin/accounts/apitoken/"]
)
def test_accounts_admin_is_for_superusers_only(client, cast, path):
    assert login(client, cast.organiser).get(path).status_code == 403
    assert login(client, cast.superuser).get(path).status_code == 200


# What each role sees ---------------------------------------------------------------------


def test_editor_lists_only_their_organisations_editions(client, cast):
    login(client, cast.editor)
    assert changelist(client, Edition) == {cast.edition, cast.edition_two}


def test_other_organiser_lists_only_their_own_edition(client, cast):
    login(client, cast.other_organiser)
    assert changelist(client, Edition) == {cast.other_edition}


def test_superuser_lists_every_edition(client, cast):
    login(client, cast.superuser)
    assert changelist(client, Edition) == {cast.edition, cast.edition_two, cast.other_edition}


@pytest.mark.parametrize("action", ["change", "history", "delete"])
def test_editor_cannot_open_another_organisations_edition(client, cast, action):
    response = login(client, cast.editor).get(edition_url(cast.other_edition, action))
    assert response.status_code == 404


def test_editor_cannot_open_another_organisations_session_or_speaker(client, cast):
    session = SessionFactory(edition=cast.other_edition)
    speaker = SpeakerFactory(edition=cast.other_edition)
    login(client, cast.editor)
    assert client.get(f"/admin/events/session/{session.pk}/change/").status_code == 404
    assert client.get(f"/admin/events/speaker/{speaker.pk}/change/").status_code == 404


def test_editor_lists_sessions_speakers_and_venues_of_their_organisation(client, cast):
    ours = SessionFactory(edition=cast.edition_two)
    SessionFactory(edition=cast.other_edition)
    speaker = SpeakerFactory(edition=cast.edition)
    SpeakerFactory(edition=cast.other_edition)
    venue = VenueFactory(owner=cast.org)
    login(client, cast.editor)
    assert changelist(client, Session) == {ours}
    assert changelist(client, speaker.__class__) == {speaker}
    assert changelist(client, venue.__class__) == {venue}


def test_venue_autocomplete_offers_only_the_organisations_venues(client, cast):
    ours = VenueFactory(owner=cast.org, name="Salle Exemple à nous")
    VenueFactory(owner=cast.other_org, name="Salle Exemple des autres")
    response = login(client, cast.editor).get(
        "/admin/autocomplete/",
        {"app_label": "events", "model_name": "edition", "field_name": "venue", "term": "Salle"},
    )
    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(ours.pk)]


def test_session_list_filter_offers_only_visible_editions(client, cast):
    SessionFactory(edition=cast.edition)
    SessionFactory(edition=cast.other_edition)
    response = login(client, cast.editor).get("/admin/events/session/")
    html = response.content.decode()
    assert cast.edition.title in html
    assert cast.other_edition.title not in html


def test_editor_sees_the_edition_settings_read_only(client, cast):
    response = login(client, cast.editor).get(edition_url(cast.edition))
    fields = set(response.context["adminform"].form.fields)
    assert {"title", "summary", "description", "start_time", "end_time", "venue"} <= fields
    assert not fields & {"capacity", "organisers", "status", "date", "security_fields"}


def test_organiser_changes_the_edition_settings(client, cast):
    response = login(client, cast.organiser).get(edition_url(cast.edition))
    fields = set(response.context["adminform"].form.fields)
    assert {"capacity", "organisers", "status", "date", "security_fields"} <= fields


def test_editor_changes_the_content_but_not_the_capacity(client, cast):
    data = edition_data([cast.org], edition=cast.edition, title="Nouveau titre", capacity="5")
    response = login(client, cast.editor).post(edition_url(cast.edition), data)
    assert response.status_code == 302
    cast.edition.refresh_from_db()
    assert (cast.edition.title, cast.edition.capacity) == ("Nouveau titre", 300)


def test_editor_cannot_add_or_delete_editions(client, cast):
    login(client, cast.editor)
    assert client.get("/admin/events/edition/add/").status_code == 403
    assert client.get(edition_url(cast.edition, "delete")).status_code == 403
    assert client.post(edition_url(cast.edition, "delete"), {"post": "yes"}).status_code == 403
    assert Edition.objects.filter(pk=cast.edition.pk).exists()


def test_organiser_may_pick_only_their_organisations_as_organisers(client, cast):
    response = login(client, cast.organiser).get("/admin/events/edition/add/")
    organisers = response.context["adminform"].form.fields["organisers"].queryset
    assert set(organisers) == {cast.org}


def test_organiser_cannot_make_another_organisation_organise(client, cast):
    data = edition_data([cast.other_org])
    response = login(client, cast.organiser).post("/admin/events/edition/add/", data)
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"organisers"}
    assert not Edition.objects.filter(slug="journee-des-essais").exists()


def test_co_organiser_is_kept_when_an_organiser_saves_the_edition(client, cast):
    cast.edition.organisers.add(cast.other_org)
    data = edition_data([cast.org, cast.other_org], edition=cast.edition, slug=cast.edition.slug)
    response = login(client, cast.organiser).post(edition_url(cast.edition), data)
    assert response.status_code == 302
    assert set(cast.edition.organisers.all()) == {cast.org, cast.other_org}


def test_editor_may_put_sessions_only_in_their_organisations_editions(client, cast):
    response = login(client, cast.editor).get("/admin/events/session/add/")
    editions = response.context["adminform"].form.fields["edition"].queryset
    assert set(editions) == {cast.edition, cast.edition_two}

    data = {
        "edition": cast.other_edition.pk,
        "start_time": "10:00",
        "end_time": "11:00",
        "kind": SessionKind.DEBATE,
        "title": "Intrusion",
    }
    response = client.post("/admin/events/session/add/", data)
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"edition"}
    assert not Session.objects.filter(title="Intrusion").exists()


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
    response = login(client, cast.editor).post(f"/admin/events/session/{session.pk}/change/", data)
    assert response.status_code == 200
    assert in_french(response.context["adminform"].form.errors["speakers"]) == [
        fr("These speakers belong to another edition: %(names)s", names="Alex Ailleurs")
    ]
    assert list(session.speakers.all()) == []


def test_everyone_in_the_admin_looks_organisations_up_but_changes_only_theirs(client, cast):
    login(client, cast.editor)
    assert changelist(client, Organisation) == set(Organisation.objects.all())
    data = {"name": "Réseau Exemple renommé", "slug": cast.org.slug, "kind": cast.org.kind}
    response = client.post(f"/admin/network/organisation/{cast.org.pk}/change/", data)
    assert response.status_code == 302
    cast.org.refresh_from_db()
    assert cast.org.name == "Réseau Exemple renommé"

    other = {"name": "Piraté", "slug": cast.other_org.slug, "kind": cast.other_org.kind}
    response = client.post(f"/admin/network/organisation/{cast.other_org.pk}/change/", other)
    assert response.status_code == 403
    cast.other_org.refresh_from_db()
    assert cast.other_org.name == "Autre Réseau Exemple"


def test_editor_may_not_add_organisations_but_organisers_may(client, cast):
    assert login(client, cast.editor).get("/admin/network/organisation/add/").status_code == 403
    login(client, cast.organiser)
    data = {"name": "Partenaire Exemple", "slug": "partenaire-exemple", "kind": "network"}
    response = client.post("/admin/network/organisation/add/", data)
    assert response.status_code == 302
    assert Organisation.objects.filter(slug="partenaire-exemple").exists()


def test_partners_may_be_any_organisation(client, cast):
    partner = OrganisationFactory(name="Ministère Exemple")
    data = edition_data([cast.org], edition=cast.edition, slug=cast.edition.slug)
    data["partners"] = [partner.pk]
    response = login(client, cast.organiser).post(edition_url(cast.edition), data)
    assert response.status_code == 302
    assert list(cast.edition.partners.all()) == [partner]


# Validation --------------------------------------------------------------------------------


def test_adding_an_edition_with_its_sessions_saves_them_all(client, cast):
    sessions = [
        {"start_time": "09:30", "end_time": "10:00", "kind": SessionKind.WELCOME},
        {"start_time": "16:00", "end_time": "16:30", "kind": SessionKind.CLOSING},
    ]
    response = login(client, cast.organiser).post(
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
    response = login(client, cast.organiser).post(
        "/admin/events/edition/add/", edition_data([cast.org], sessions=sessions)
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.errors[0] == {}
    assert in_french(formset.errors[1]["__all__"]) == [
        fr(
            "A session must fall within the day, from %(start)s to %(end)s.",
            start="09:30",
            end="16:30",
        )
    ]
    assert not Edition.objects.filter(slug="journee-des-essais").exists()
    assert Session.objects.count() == 0


def test_session_ending_before_it_starts_is_refused_inline(client, cast):
    sessions = [{"start_time": "11:00", "end_time": "10:00"}]
    response = login(client, cast.organiser).post(
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
    response = login(client, cast.editor).post(edition_url(cast.edition), data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert in_french(formset.errors[0]["__all__"]) == [
        fr(
            "A session must fall within the day, from %(start)s to %(end)s.",
            start="10:00",
            end="16:30",
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
    response = login(client, cast.organiser).post(edition_url(cast.edition), data)
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
    response = login(client, cast.editor).post("/admin/events/session/add/", data)
    assert response.status_code == 200
    assert in_french(response.context["adminform"].form.non_field_errors()) == [
        fr(
            "A session must fall within the day, from %(start)s to %(end)s.",
            start="09:30",
            end="16:30",
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
    response = login(client, cast.editor).post("/admin/events/session/add/", data)
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
    response = login(client, cast.organiser).post("/admin/events/edition/add/", data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.errors) == {field}
    assert in_french(form.errors[field]) == [fr(message)]
    assert not Edition.objects.filter(slug="journee-des-essais").exists()


def test_error_on_a_read_only_setting_is_shown_to_the_editor(client, cast):
    # Registration closes an hour before the day; the editor moves the start two hours
    # earlier, which the edition's rules forbid through a field the editor cannot see.
    cast.edition.registration_closes_at = cast.edition.starts_at - dt.timedelta(hours=1)
    cast.edition.save()
    data = edition_data([cast.org], edition=cast.edition, slug=cast.edition.slug)
    data["start_time"] = "07:30"
    response = login(client, cast.editor).post(edition_url(cast.edition), data)
    assert response.status_code == 200
    errors = in_french(response.context["adminform"].form.non_field_errors())
    assert len(errors) == 1
    assert errors[0].endswith(fr("This must come before the day starts."))
    cast.edition.refresh_from_db()
    assert cast.edition.start_time == dt.time(9, 30)


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
