"""Rehearsal at the door (admission.rehearsals): check-in before the day for the agents
chosen, with scans kept apart that count nowhere and vanish when it closes or the day starts."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from admission import attendance, checkin, rehearsals, tickets
from admission.models import CheckIn, Rehearsal, RehearsalCheckIn
from tests.auth import log_in
from tests.factories import EntranceFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(cast):
    """The cast's edition, ten days from now: check-in is not open yet."""
    edition = cast.edition
    edition.date = timezone.localdate() + dt.timedelta(days=10)
    edition.save()
    EntranceFactory(edition=edition, slug="a", name="Entrée A")
    return edition


@pytest.fixture
def person(edition):
    return RegistrationFactory(edition=edition, first_name="Camille", last_name="Exemple")


@pytest.fixture
def rehearsal(cast, edition):
    return rehearsals.open_rehearsal(edition, [cast.agent], by=cast.organiser)


def api(client, method, path, user, body=None):
    headers = {
        "HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user)[1]}",
        "HTTP_ACCEPT_LANGUAGE": "fr",
    }
    if method == "post":
        return client.post(path, data=json.dumps(body), content_type="application/json", **headers)
    return client.get(path, **headers)


def scan(client, edition, user, person, nonce, **body):
    body = {
        "ticket": tickets.token_for(person),
        "entrance": "a",
        "nonce": nonce,
        "id_checked": True,
        **body,
    }
    return api(client, "post", f"/api/v1/editions/{edition.slug}/checkins", user, body)


def test_before_the_day_a_scan_is_not_open_without_a_rehearsal(client, cast, edition, person):
    assert scan(client, edition, cast.agent, person, "n1").json()["result"] == "not_open"


def test_a_chosen_agent_admits_in_rehearsal_and_nothing_counts(
    client, cast, edition, person, rehearsal
):
    response = scan(client, edition, cast.agent, person, "n1", rehearsal=True)

    assert response.status_code == 200
    assert response.json()["result"] == "admitted"
    assert RehearsalCheckIn.objects.filter(rehearsal=rehearsal, result="admitted").count() == 1
    assert CheckIn.objects.count() == 0
    assert checkin.counts(edition)["admitted"] == 0
    assert attendance.figures(edition).overall.admitted == 0
    assert attendance.admission_of(person) is None
    # The second scan of the rehearsal meets the first, as on the day.
    again = scan(client, edition, cast.agent, person, "n2", rehearsal=True).json()
    assert again["result"] == "already_admitted"
    assert checkin.counts(edition, rehearsal)["admitted"] == 1


def test_an_agent_not_chosen_cannot_rehearse(client, cast, edition, person, rehearsal):
    response = scan(client, edition, cast.organiser, person, "n1", rehearsal=True)

    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "rehearsal_closed"
    assert RehearsalCheckIn.objects.count() == 0


def test_the_download_of_a_rehearsal_is_its_own(client, cast, edition, person, rehearsal):
    scan(client, edition, cast.agent, person, "n1", rehearsal=True)

    data = api(client, "get", f"/api/v1/editions/{edition.slug}/checkin-data", cast.agent).json()

    assert data["rehearsal"] is True
    assert data["session"] == f"rehearsal-{rehearsal.pk}"
    assert data["closes_at"] == checkin.opens_at(edition).isoformat()
    assert data["counts"]["admitted"] == 1
    assert data["admitted"] == [str(person.public_id)]
    other = api(client, "get", f"/api/v1/editions/{edition.slug}/checkin-data", cast.organiser)
    assert other.json()["session"] == "day"
    assert other.json()["admitted"] == []


def test_closing_the_rehearsal_deletes_its_scans(client, cast, edition, person, rehearsal):
    scan(client, edition, cast.agent, person, "n1", rehearsal=True)

    assert rehearsals.close(edition) == 1

    assert not Rehearsal.objects.exists()
    assert RehearsalCheckIn.objects.count() == 0
    late = scan(client, edition, cast.agent, person, "n2", rehearsal=True)
    assert late.status_code == 422


def test_the_day_starting_ends_the_rehearsal(cast, edition, person, rehearsal):
    door = edition.entrances.get()
    checkin.admit(
        edition,
        ticket=tickets.token_for(person),
        entrance=door,
        agent=cast.agent,
        nonce="n1",
        id_checked=True,
        rehearsal=rehearsal,
    )
    day = checkin.opens_at(edition) + dt.timedelta(minutes=1)

    assert rehearsals.current(edition, day) is None
    assert rehearsals.for_agent(edition, cast.agent, day) is None
    assert rehearsals.end_started(day) == 1
    assert RehearsalCheckIn.objects.count() == 0
    with pytest.raises(ValueError, match="The day has started"):
        rehearsals.open_rehearsal(edition, [cast.agent], by=cast.organiser, now=day)


def test_a_rehearsal_scan_sent_after_it_closed_never_becomes_an_admission(
    client, cast, edition, person, rehearsal
):
    rehearsals.close(edition)
    # The day comes; a device still holds a queued scan of the rehearsal.
    edition.date = timezone.localdate()
    edition.save()

    response = scan(client, edition, cast.agent, person, "n1", rehearsal=True)

    assert response.status_code == 422
    assert CheckIn.objects.count() == 0


def test_organiser_opens_chooses_agents_and_closes(client, cast, edition, person):
    other_agent = UserFactory(username="agent-b", first_name="Sacha", last_name="Accueil")
    cast.org.memberships.create(user=other_agent, role="agent", edition=edition)
    log_in(client, cast.organiser)
    page = f"/journees/{edition.slug}/gestion/controle/repetition/"

    shown = client.get(page).content.decode()
    assert "Sacha Accueil" in shown
    assert "observatrice" not in shown  # a viewer cannot check in

    refused = client.post(page, {})
    assert refused.status_code == 200
    assert not Rehearsal.objects.exists()

    assert client.post(page, {"agents": [other_agent.pk]}).status_code == 302
    assert list(Rehearsal.objects.get().agents.all()) == [other_agent]

    rehearsal = Rehearsal.objects.get()
    checkin.admit(
        edition,
        ticket=tickets.token_for(person),
        entrance=edition.entrances.get(),
        agent=other_agent,
        nonce="n1",
        id_checked=True,
        rehearsal=rehearsal,
    )
    closed = client.post(page + "clore/", follow=True)
    assert not Rehearsal.objects.exists()
    assert RehearsalCheckIn.objects.count() == 0
    assert "1 contrôle a été effacé" in closed.content.decode()


def test_only_organisers_manage_the_rehearsal(client, cast, edition):
    page = f"/journees/{edition.slug}/gestion/controle/repetition/"
    for user in (cast.agent, cast.viewer, cast.editor):
        log_in(client, user)
        assert client.get(page).status_code == 403
        assert client.post(page + "clore/").status_code == 403
