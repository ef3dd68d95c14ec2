"""A workshop's door (admission.workshop_door): an entrance bound to a workshop admits to it
the people holding a seat, apart from the day's admission; its figures after the day."""

import datetime as dt
import json
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import ApiToken
from admission import attendance, checkin, rehearsals, tickets, workshop_door
from admission.enums import CheckInResult
from admission.models import CheckIn, Entrance, WorkshopCheckIn
from events.copying import copy_edition
from registrations.capacity import cancel
from registrations.enums import WorkshopChoiceStatus
from registrations.models import WorkshopChoice
from tests.auth import log_in
from tests.factories import EntranceFactory, RegistrationFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

ADMITTED = CheckInResult.ADMITTED
ALREADY = CheckInResult.ALREADY_ADMITTED
NOT_HERE = CheckInResult.NOT_REGISTERED_HERE


@pytest.fixture
def edition(cast):
    """The cast's edition, taking place today: check-in is open."""
    edition = cast.edition
    edition.date = timezone.localdate()
    edition.save()
    return edition


@pytest.fixture
def workshop(edition):
    return WorkshopFactory(edition=edition, title="Coopérer sur un territoire")


@pytest.fixture
def main_door(edition):
    return EntranceFactory(edition=edition, name="Entrée A", slug="a", position=0)


@pytest.fixture
def door(edition, workshop):
    return EntranceFactory(
        edition=edition, name="Salle 2", slug="salle-2", position=1, session=workshop
    )


def seat(registration, workshop, status=WorkshopChoiceStatus.CONFIRMED):
    return WorkshopChoice.objects.create(
        registration=registration, session=workshop, status=status, requested_at=timezone.now()
    )


@pytest.fixture
def seated(edition, workshop):
    person = RegistrationFactory(edition=edition, first_name="Camille", last_name="Siège")
    seat(person, workshop)
    return person


@pytest.fixture
def unseated(edition):
    return RegistrationFactory(edition=edition, first_name="Dominique", last_name="Ailleurs")


counter = iter(range(10**6))


def admit(edition, door, person, agent=None, **kwargs):
    kwargs.setdefault("nonce", f"n{next(counter)}")
    return workshop_door.admit(
        edition,
        ticket=tickets.token_for(person),
        entrance=door,
        agent=agent,
        id_checked=False,
        **kwargs,
    )


# The rule -----------------------------------------------------------------------------------


def test_a_seat_admits_once_and_the_second_scan_says_when(edition, door, seated, cast):
    first = admit(edition, door, seated, cast.agent)
    again = admit(edition, door, seated)

    assert first.result == ADMITTED
    assert again.result == ALREADY
    assert again.first_admission.pk == first.checkin.pk
    assert again.first_admission.entrance == door
    assert "Salle 2" in again.message
    assert WorkshopCheckIn.objects.filter(result=ADMITTED).count() == 1
    # The workshop's door does not admit to the day, nor the day's entrance to the workshop.
    assert CheckIn.objects.count() == 0
    assert attendance.admission_of(seated) is None


def test_no_seat_is_not_registered_here(edition, door, workshop, unseated):
    other = WorkshopFactory(edition=edition, start_time=dt.time(16), end_time=dt.time(17))
    seat(unseated, other)
    waiting = RegistrationFactory(edition=edition)
    seat(waiting, workshop, WorkshopChoiceStatus.WAITING)
    offered = RegistrationFactory(edition=edition)
    seat(offered, workshop, WorkshopChoiceStatus.OFFERED)

    for person in (unseated, waiting, offered):
        verdict = admit(edition, door, person)
        assert verdict.result == NOT_HERE
        assert verdict.message == gettext("Refused: this person holds no seat in this workshop.")
    assert WorkshopCheckIn.objects.filter(result=NOT_HERE).count() == 3


def test_the_ticket_is_checked_as_at_the_main_door(edition, door, workshop, seated):
    ticket = tickets.token_for(seated)
    cancel(seated)
    revoked = workshop_door.admit(
        edition, ticket=ticket, entrance=door, agent=None, nonce="r", id_checked=False
    )
    assert revoked.result == CheckInResult.REVOKED
    forged = workshop_door.admit(
        edition, ticket="garbage", entrance=door, agent=None, nonce="x", id_checked=False
    )
    assert forged.result == CheckInResult.INVALID_TICKET


def test_before_the_day_the_door_is_not_open(edition, door, seated):
    edition.date = timezone.localdate() + dt.timedelta(days=3)
    edition.save()
    assert admit(edition, door, seated).result == CheckInResult.NOT_OPEN


def test_no_id_check_at_a_workshop_door(edition, door, seated):
    verdict = workshop_door.admit(
        edition, registration=seated.pk, entrance=door, agent=None, nonce="n", id_checked=False
    )
    assert verdict.result == ADMITTED
    assert verdict.checkin.id_checked is False


def test_a_person_admitted_to_the_day_and_to_two_workshops(edition, main_door, door, seated):
    other = WorkshopFactory(edition=edition, start_time=dt.time(16), end_time=dt.time(17))
    seat(seated, other)
    other_door = EntranceFactory(edition=edition, slug="salle-3", position=2, session=other)

    day = checkin.admit(
        edition,
        ticket=tickets.token_for(seated),
        entrance=main_door,
        agent=None,
        nonce="day",
        id_checked=True,
    )
    assert day.result == ADMITTED
    assert admit(edition, door, seated).result == ADMITTED
    assert admit(edition, other_door, seated).result == ADMITTED
    counts = checkin.counts(edition)
    assert counts["admitted"] == 1
    assert [(row["slug"], row["admitted"]) for row in counts["entrances"]] == [
        ("a", 1),
        ("salle-2", 1),
        ("salle-3", 1),
    ]


def test_the_same_nonce_answers_the_stored_verdict_and_records_nothing(edition, door, seated):
    first = admit(edition, door, seated, nonce="same")
    again = admit(edition, door, seated, nonce="same")
    assert (again.result, again.replayed, again.checkin.pk) == (ADMITTED, True, first.checkin.pk)
    assert WorkshopCheckIn.objects.count() == 1
    with pytest.raises(checkin.NonceReused):
        workshop_door.admit(
            edition, registration=seated.pk, entrance=door, agent=None, nonce="same"
        )


def test_an_entrance_to_the_day_is_no_workshop_door(edition, main_door, seated):
    with pytest.raises(ValueError, match="not a workshop's door"):
        admit(edition, main_door, seated)


# The API --------------------------------------------------------------------------------------


def api(client, method, path, user, body=None):
    headers = {
        "HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user)[1]}",
        "HTTP_ACCEPT_LANGUAGE": "en",
    }
    if method == "post":
        return client.post(path, data=json.dumps(body), content_type="application/json", **headers)
    return client.get(path, **headers)


def scan(client, edition, user, person, **body):
    body = {
        "ticket": tickets.token_for(person),
        "entrance": "salle-2",
        "nonce": f"api{next(counter)}",
        "id_checked": False,
        **body,
    }
    return api(client, "post", f"/api/v1/editions/{edition.slug}/checkins", user, body)


def test_the_api_admits_at_the_workshop_door(client, cast, edition, door, seated, unseated):
    admitted = scan(client, edition, cast.agent, seated)
    again = scan(client, edition, cast.agent, seated)
    refused = scan(client, edition, cast.agent, unseated)

    assert admitted.status_code == 200
    assert admitted.json()["result"] == "admitted"
    assert admitted.json()["attendee"]["last_name"] == "Siège"
    assert again.json()["result"] == "already_admitted"
    assert again.json()["first_admission"]["entrance"] == {"slug": "salle-2", "name": "Salle 2"}
    assert refused.json()["result"] == "not_registered_here"
    assert refused.json()["message"] == "Refused: this person holds no seat in this workshop."
    assert CheckIn.objects.count() == 0


def test_an_offline_scan_synced_twice_is_recorded_once(client, cast, edition, door, seated):
    body = {"nonce": "offline-1", "scanned_at": timezone.now().isoformat()}
    first = scan(client, edition, cast.agent, seated, **body)
    second = scan(client, edition, cast.agent, seated, **body)

    assert (first.json()["result"], first.json()["replayed"]) == ("admitted", False)
    assert (second.json()["result"], second.json()["replayed"]) == ("admitted", True)
    assert WorkshopCheckIn.objects.count() == 1


def test_the_same_nonce_at_another_door_is_refused(client, cast, edition, door, seated):
    other = WorkshopFactory(edition=edition, start_time=dt.time(16), end_time=dt.time(17))
    EntranceFactory(edition=edition, slug="salle-3", session=other)
    scan(client, edition, cast.agent, seated, nonce="n-door")
    response = scan(client, edition, cast.agent, seated, nonce="n-door", entrance="salle-3")
    assert response.status_code == 409
    assert response.json()["code"] == "nonce_reused"


def test_the_download_tells_who_holds_a_seat_at_each_workshop_door(
    client, cast, edition, main_door, door, workshop, seated, unseated
):
    waiting = RegistrationFactory(edition=edition)
    seat(waiting, workshop, WorkshopChoiceStatus.WAITING)
    other = WorkshopFactory(edition=edition, start_time=dt.time(16), end_time=dt.time(17))
    seat(unseated, other)
    scan(client, edition, cast.agent, seated)

    data = api(client, "get", f"/api/v1/editions/{edition.slug}/checkin-data", cast.agent).json()

    assert data["entrances"] == [
        {"slug": "a", "name": "Entrée A"},
        {"slug": "salle-2", "name": "Salle 2"},
    ]
    # Only the workshops with a door, and only public ids.
    assert data["workshops"] == [
        {
            "id": workshop.pk,
            "title": "Coopérer sur un territoire",
            "doors": ["salle-2"],
            "seats": [str(seated.public_id)],
            "admitted": [str(seated.public_id)],
        }
    ]
    # The people as the main door has them: nothing about their workshops.
    assert {key for person in data["attendees"] for key in person} == {
        "id",
        "public_id",
        "first_name",
        "last_name",
        "category",
        "organisation",
        "attention_note",
        "code_tag",
    }
    # The day's admissions are the main door's only; the workshop's are counted at its door.
    assert data["admitted"] == []
    assert data["counts"]["admitted"] == 0
    assert [row["admitted"] for row in data["counts"]["entrances"]] == [0, 1]
    # Seats come whole also with ``since``.
    since = api(
        client,
        "get",
        f"/api/v1/editions/{edition.slug}/checkin-data?since={quote(data['generated_at'])}",
        cast.agent,
    ).json()
    assert since["workshops"][0]["seats"] == [str(seated.public_id)]


def test_a_rehearsal_scan_at_a_workshop_door_counts_nowhere(client, cast, edition, door, seated):
    edition.date = timezone.localdate() + dt.timedelta(days=3)
    edition.save()
    rehearsals.open_rehearsal(edition, [cast.agent], by=cast.organiser)

    response = scan(client, edition, cast.agent, seated, rehearsal=True)

    assert response.json()["result"] == "admitted"
    assert WorkshopCheckIn.objects.get().rehearsal is not None
    assert checkin.counts(edition)["entrances"][0]["admitted"] == 0
    assert attendance.figures(edition).workshops[0].admitted == 0
    assert rehearsals.close(edition) == 1
    assert WorkshopCheckIn.objects.count() == 0


# After the day ----------------------------------------------------------------------------


def test_attendance_per_workshop(client, cast, edition, main_door, door, workshop, seated):
    no_show = RegistrationFactory(edition=edition)
    seat(no_show, workshop)
    seat(RegistrationFactory(edition=edition), workshop, WorkshopChoiceStatus.WAITING)
    WorkshopFactory(edition=edition, start_time=dt.time(16), end_time=dt.time(17))  # no door
    admit(edition, door, seated)

    figures = attendance.figures(edition)

    assert [
        (line.label, line.confirmed, line.admitted, line.rate) for line in figures.workshops
    ] == [("Coopérer sur un territoire", 2, 1, 50)]
    # Its door admits nobody to the day.
    assert [line.label for line in figures.entrances] == ["Entrée A"]
    rows = attendance.figures_csv(figures).decode("utf-8-sig").splitlines()
    assert rows[-1] == f"{gettext('By workshop')};Coopérer sur un territoire;2;1;50;1"
    page = log_in(client, cast.viewer).get(reverse("admission:attendance", args=[edition.slug]))
    assert page.status_code == 200
    assert 'id="workshops"' in page.content.decode()


# An edition without workshop doors --------------------------------------------------------------


def test_an_edition_without_workshop_doors_is_unchanged(
    client, cast, edition, main_door, workshop, seated, django_assert_num_queries
):
    data = api(client, "get", f"/api/v1/editions/{edition.slug}/checkin-data", cast.agent).json()
    assert data["entrances"] == [{"slug": "a", "name": "Entrée A"}]
    assert data["workshops"] == []
    response = api(
        client,
        "post",
        f"/api/v1/editions/{edition.slug}/checkins",
        cast.agent,
        {
            "ticket": tickets.token_for(seated),
            "entrance": "a",
            "nonce": "day",
            "id_checked": True,
        },
    )
    assert response.json()["result"] == "admitted"
    assert CheckIn.objects.filter(result=ADMITTED).count() == 1
    assert WorkshopCheckIn.objects.count() == 0
    with django_assert_num_queries(4):
        figures = attendance.figures(edition)
    assert figures.workshops == []
    assert "By workshop" not in attendance.figures_csv(figures).decode("utf-8-sig")
    page = log_in(client, cast.viewer).get(reverse("admission:attendance", args=[edition.slug]))
    assert 'id="workshops"' not in page.content.decode()


# The entrances' pages ---------------------------------------------------------------------------


def entrances_url(edition):
    return f"/journees/{edition.slug}/gestion/entrees/"


def test_the_entrance_form_offers_a_workshop_only_when_the_edition_has_some(client, cast):
    log_in(client, cast.organiser)
    form = client.get(f"{entrances_url(cast.edition)}ajouter/").context["form"]
    assert "session" not in form.fields

    workshop = WorkshopFactory(edition=cast.edition)
    WorkshopFactory(edition=cast.edition_two)
    form = client.get(f"{entrances_url(cast.edition)}ajouter/").context["form"]
    assert list(form.fields["session"].queryset) == [workshop]


def test_an_organiser_makes_an_entrance_a_workshop_door(client, cast):
    workshop = WorkshopFactory(edition=cast.edition, title="Atelier A")
    stranger = WorkshopFactory(edition=cast.edition_two)
    log_in(client, cast.organiser)
    url = f"{entrances_url(cast.edition)}ajouter/"

    refused = client.post(url, {"name": "Salle 9", "slug": "", "session": stranger.pk})
    assert refused.status_code == 200
    assert not Entrance.objects.exists()
    response = client.post(url, {"name": "Salle 2", "slug": "", "session": workshop.pk})
    assert response.status_code == 302
    assert Entrance.objects.get().session == workshop
    assert "Atelier A" in client.get(entrances_url(cast.edition)).content.decode()


def test_the_workshop_of_a_door_with_scans_cannot_change(
    client, cast, edition, door, seated, settings
):
    settings.LANGUAGE_CODE = "en"
    admit(edition, door, seated)
    other = WorkshopFactory(edition=edition, start_time=dt.time(16), end_time=dt.time(17))
    log_in(client, cast.organiser)
    url = f"{entrances_url(edition)}{door.pk}/"

    client.post(url, {"name": "Salle deux", "slug": "autre", "session": other.pk})
    door.refresh_from_db()
    assert (door.name, door.slug, door.session) == ("Salle deux", "salle-2", door.session)
    assert door.session.title == "Coopérer sur un territoire"
    response = client.post(f"{url}supprimer/", follow=True)
    assert [str(message) for message in response.context["messages"]] == [
        "The entrance is saved.",
        "The entrance “Salle deux” has scans: it cannot be deleted.",
    ]
    assert Entrance.objects.filter(pk=door.pk).exists()


def test_a_copied_edition_keeps_its_workshop_doors_on_the_copied_workshops(edition, door, workshop):
    copy = copy_edition(
        edition, title="Suite", slug="suite", date=edition.date + dt.timedelta(days=7)
    )

    copied = copy.entrances.get(slug=door.slug)
    assert copied.session.edition == copy
    assert copied.session.title == workshop.title
    assert copy.entrances.exclude(slug=door.slug).filter(session__isnull=False).count() == 0
