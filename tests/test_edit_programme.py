"""Editing the programme outside the admin: sessions and speakers."""

import datetime as dt

import pytest

from events.enums import SessionKind
from events.models import Session, Speaker
from tests.auth import log_in
from tests.factories import SessionFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def base(edition):
    return f"/journees/{edition.slug}/gestion/programme/"


def session_data(**changes):
    return {
        "kind": SessionKind.DEBATE,
        "start_time": "10:00",
        "end_time": "11:00",
        "title": "Débat sur la coopération",
        "description": "",
        "room": "Salle 1",
        **changes,
    }


def speaker_data(**changes):
    return {
        "name": "Camille Martin",
        "slug": "",
        "role": "Directrice",
        "affiliation": "",
        **changes,
    }


@pytest.mark.parametrize("who", ["organiser", "editor", "superuser"])
def test_organisers_and_editors_open_the_programme(client, cast, who):
    SessionFactory(edition=cast.edition, title="Ouverture")
    SpeakerFactory(edition=cast.edition, name="Alex Exemple")
    response = log_in(client, getattr(cast, who)).get(base(cast.edition))
    assert response.status_code == 200
    assert [s.title for s in response.context["sessions"]] == ["Ouverture"]
    assert [s.name for s in response.context["speakers"]] == ["Alex Exemple"]


@pytest.mark.parametrize("who", ["agent", "viewer", "outsider", "other_organiser"])
def test_other_roles_get_403_and_change_nothing(client, cast, who):
    session = SessionFactory(edition=cast.edition)
    speaker = SpeakerFactory(edition=cast.edition)
    log_in(client, getattr(cast, who))
    url = base(cast.edition)
    assert client.get(url).status_code == 403
    assert client.post(f"{url}seances/nouvelle/", session_data()).status_code == 403
    assert client.post(f"{url}seances/{session.pk}/supprimer/").status_code == 403
    assert client.post(f"{url}intervenants/{speaker.pk}/supprimer/").status_code == 403
    assert (Session.objects.count(), Speaker.objects.count()) == (1, 1)


def test_anonymous_visitors_go_to_the_login_page(client, cast):
    url = base(cast.edition)
    assert client.get(url)["Location"] == f"/connexion/?next={url}"


def test_editor_adds_a_session_with_speakers_of_the_edition(client, cast):
    speaker = SpeakerFactory(edition=cast.edition)
    response = log_in(client, cast.editor).post(
        f"{base(cast.edition)}seances/nouvelle/", session_data(speakers=[speaker.pk])
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert (session.edition, session.start_time, session.room) == (
        cast.edition,
        dt.time(10),
        "Salle 1",
    )
    assert list(session.speakers.all()) == [speaker]


def test_a_speaker_of_another_edition_is_refused(client, cast):
    stranger = SpeakerFactory(edition=cast.edition_two)
    response = log_in(client, cast.editor).post(
        f"{base(cast.edition)}seances/nouvelle/", session_data(speakers=[stranger.pk])
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"speakers"}
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"end_time": "09:00"}, {"end_time": ["A session must end after it starts."]}),
        (
            {"start_time": "16:00", "end_time": "17:00"},
            {
                "__all__": [
                    "A session must fall within the hours of the day (9:30 a.m. to 4:30 p.m.)."
                ]
            },
        ),
        ({"title": ""}, {"title": ["This field is required."]}),
        (
            {"kind": "party"},
            {"kind": ["Select a valid choice. party is not one of the available choices."]},
        ),
    ],
)
def test_invalid_sessions_are_refused(client, cast, changes, errors):
    response = log_in(client, cast.editor).post(
        f"{base(cast.edition)}seances/nouvelle/", session_data(**changes)
    )
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert "Nothing was saved." in response.content.decode()
    assert not Session.objects.exists()


def test_editor_changes_and_deletes_a_session(client, cast):
    session = SessionFactory(edition=cast.edition)
    url = f"{base(cast.edition)}seances/{session.pk}/"
    log_in(client, cast.editor)
    assert client.post(url, session_data(title="Nouveau titre")).status_code == 302
    session.refresh_from_db()
    assert session.title == "Nouveau titre"

    confirm = client.get(f"{url}supprimer/")
    assert confirm.status_code == 200
    assert Session.objects.exists()
    assert client.post(f"{url}supprimer/").status_code == 302
    assert not Session.objects.exists()


def test_a_session_of_another_edition_is_404(client, cast):
    theirs = SessionFactory(edition=cast.edition_two)
    log_in(client, cast.editor)
    assert client.get(f"{base(cast.edition)}seances/{theirs.pk}/").status_code == 404
    assert client.post(f"{base(cast.edition)}seances/{theirs.pk}/supprimer/").status_code == 404
    assert Session.objects.filter(pk=theirs.pk).exists()


def test_editor_adds_changes_and_deletes_a_speaker(client, cast):
    url = base(cast.edition)
    log_in(client, cast.editor)
    assert client.post(f"{url}intervenants/nouveau/", speaker_data()).status_code == 302
    speaker = Speaker.objects.get()
    assert (speaker.slug, speaker.edition) == ("camille-martin", cast.edition)

    response = client.post(
        f"{url}intervenants/{speaker.pk}/", speaker_data(organisation=cast.org.pk, bio="Bio.")
    )
    assert response.status_code == 302
    speaker.refresh_from_db()
    assert (speaker.organisation, speaker.bio) == (cast.org, "Bio.")

    assert client.post(f"{url}intervenants/{speaker.pk}/supprimer/").status_code == 302
    assert not Speaker.objects.exists()


def test_a_speaker_code_is_unique_in_the_edition(client, cast):
    SpeakerFactory(edition=cast.edition, slug="camille-martin")
    response = log_in(client, cast.editor).post(
        f"{base(cast.edition)}intervenants/nouveau/", speaker_data()
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "slug": ["Another speaker of this edition has this code."]
    }
    assert Speaker.objects.count() == 1


def test_markup_is_inert_on_the_public_programme(client, cast):
    url = base(cast.edition)
    log_in(client, cast.editor)
    client.post(f"{url}intervenants/nouveau/", speaker_data(name="<b>Camille</b>", slug="camille"))
    speaker = Speaker.objects.get()
    client.post(
        f"{url}seances/nouvelle/",
        session_data(
            title="<script>alert(1)</script>",
            description="<img src=x onerror=alert(1)>",
            speakers=[speaker.pk],
        ),
    )
    html = client.get(f"/journees/{cast.edition.slug}/programme/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;Camille&lt;/b&gt;" in html
    assert "<script>alert(1)" not in html
    assert "<b>Camille" not in html
