"""The organisers' home and an edition's live dashboard: figures exact against a known set of
registrations (waiting, cancelled, admitted, walk-ins, held seats), the chart's numbers, a
fixed number of queries whatever the size, permissions per role, and the live fragment."""

import datetime as dt
import itertools

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import PARIS
from network.enums import OrganisationKind
from ptce import dashboard
from registrations.capacity import cancel, register
from registrations.enums import Diet, RegistrationStatus, Source
from registrations.models import Registration
from tests.auth import log_in
from tests.factories import (
    CategoryFactory,
    EntranceFactory,
    InvitationFactory,
    OrganisationFactory,
    RegistrationFactory,
    admit_at_the_door,
)

pytestmark = [pytest.mark.django_db]

_numbers = itertools.count()
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def person(edition, category, **details):
    return register(
        edition,
        category=category,
        first_name="Camille",
        last_name=f"Exemple {next(_numbers)}",
        email=f"tableau{next(_numbers)}@example.org",
        by_organiser=True,
        **details,
    )


def admit(registration, entrance):
    verdict = admit_at_the_door(registration, entrance)
    assert verdict.result == "admitted"


def paris(day, hour):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)


@pytest.fixture
def day(cast):
    """Seven confirmed (two admitted, one a walk-in), two waiting, one cancelled after
    admission, one seat held by an invitation; plus people at another edition."""
    edition = cast.edition
    edition.capacity = 20
    edition.save()
    participant = CategoryFactory(edition=edition, name="Participant", quota=8, position=0)
    speaker = CategoryFactory(
        edition=edition, name="Intervenant·e", quota=None, is_public=False, position=1
    )
    door = EntranceFactory(edition=edition, name="Entrée A")
    lyon = OrganisationFactory(name="Pôle Exemple de Lyon", kind=OrganisationKind.POLE)
    nantes = OrganisationFactory(name="Pôle Exemple de Nantes", kind=OrganisationKind.POLE)
    network = OrganisationFactory(name="Réseau Exemple du Rhône", kind=OrganisationKind.NETWORK)

    anne = person(edition, participant, organisation=lyon, diet=Diet.VEGETARIAN)
    bruno = person(edition, participant, organisation=lyon, dietary_notes="Sans lactose")
    chloe = person(edition, participant, organisation=nantes, diet=Diet.NO_LUNCH)
    person(edition, participant, organisation=network, accessibility_needs="Fauteuil")
    person(edition, speaker, organisation_name="Association du quartier", diet=Diet.VEGAN)
    person(edition, speaker, organisation=lyon)
    walk_in = person(edition, participant, source=Source.WALK_IN)
    admit(anne, door)
    admit(walk_in, door)
    ines = person(edition, participant, organisation=nantes)
    admit(ines, door)
    cancel(ines)
    RegistrationFactory(edition=edition, category=participant, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(edition=edition, category=speaker, status=RegistrationStatus.WAITLISTED)
    InvitationFactory(
        edition=edition, category=speaker, holds_seat_until=timezone.now() + dt.timedelta(days=3)
    )
    # When each got a seat, in Paris: two on 1 March, the rest on 3 March; 23:30 UTC on
    # 2 March is already 3 March in Paris.
    Registration.objects.filter(pk__in=[anne.pk, bruno.pk]).update(
        confirmed_at=paris(dt.date(2025, 3, 1), 10)
    )
    Registration.objects.filter(edition=edition, status=RegistrationStatus.CONFIRMED).exclude(
        pk__in=[anne.pk, bruno.pk, chloe.pk]
    ).update(confirmed_at=paris(dt.date(2025, 3, 3), 9))
    Registration.objects.filter(pk=chloe.pk).update(
        confirmed_at=dt.datetime(2025, 3, 2, 23, 30, tzinfo=dt.UTC)
    )
    # Elsewhere: counted nowhere here.
    other = CategoryFactory(edition=cast.edition_two, name="Participant")
    person(cast.edition_two, other, organisation=lyon)
    return edition


def test_dashboard_figures_are_exact(day):
    board = dashboard.dashboard(day)

    seats = board.seats
    assert (seats.capacity, seats.confirmed, seats.waiting, seats.cancelled, seats.held) == (
        20,
        7,
        2,
        1,
        1,
    )
    assert seats.available == 12
    assert board.admitted == 3  # Inès was admitted, then cancelled: the door counted her.
    assert board.entrances == [dashboard.Row("Entrée A", 3)]
    assert board.capacity_share == 40  # 8 of 20 seats taken (7 confirmed, 1 held).
    assert [
        (row.seats.name, row.seats.quota, row.seats.confirmed, row.seats.waiting, row.admitted)
        for row in board.categories
    ] == [("Participant", 8, 5, 1, 2), ("Intervenant·e", None, 2, 1, 0)]
    assert [row.share for row in board.categories] == [63, None]


def test_dashboard_breakdowns_count_confirmed_people(day, settings):
    settings.LANGUAGE_CODE = "en"
    board = dashboard.dashboard(day)

    assert [(line.label, line.confirmed, line.admitted) for line in board.kinds] == [
        ("Pole (PTCE)", 4, 1),
        ("Network", 1, 0),
        ("Not in the directory", 2, 1),
    ]
    assert sum(line.confirmed for line in board.regions) == 7
    assert board.poles == [
        dashboard.Row("Pôle Exemple de Lyon", 3),
        dashboard.Row("Pôle Exemple de Nantes", 1),
    ]
    assert board.other_poles is None


def test_lunch_counts_confirmed_people_by_diet(day, settings):
    settings.LANGUAGE_CODE = "en"
    lunch = dashboard.dashboard(day).lunch

    assert {row.label: row.people for row in lunch.diets} == {
        "No particular diet": 4,
        "Vegetarian": 1,
        "Vegan": 1,
        "No pork": 0,
        "Gluten-free": 0,
        "Other": 0,
    }
    assert (lunch.lunches, lunch.no_lunch) == (6, 1)
    assert (lunch.dietary_details, lunch.accessibility_needs) == (1, 1)


def test_registrations_over_time_are_cumulative_per_paris_day(day):
    board = dashboard.dashboard(day)

    assert board.days == [
        dashboard.Day(dt.date(2025, 3, 1), confirmed=2, cumulative=2),
        dashboard.Day(dt.date(2025, 3, 3), confirmed=5, cumulative=7),
    ]
    chart = board.chart
    # Starts at 0 on the left edge, ends at the top right: the total of the last day.
    assert chart.path.startswith(f"M{chart.LEFT},{chart.baseline} ")
    assert chart.path.endswith(f"H{chart.right_edge} V{chart.TOP}")
    assert [tick.label for tick in chart.y_ticks] == ["0", "3", "7"]


def test_more_than_twenty_poles_sum_the_others_on_one_line(cast):
    edition = cast.edition
    category = CategoryFactory(edition=edition)
    poles = [
        OrganisationFactory(name=f"Pôle {letter}", kind=OrganisationKind.POLE)
        for letter in "ABCDEFGHIJKLMNOPQRSTUVWXY"
    ]
    for index, pole in enumerate(poles):
        for _ in range(2 if index < 3 else 1):
            RegistrationFactory(edition=edition, category=category, organisation=pole)

    board = dashboard.dashboard(edition)

    assert [row.label for row in board.poles[:4]] == ["Pôle A", "Pôle B", "Pôle C", "Pôle D"]
    assert len(board.poles) == 20
    assert board.other_poles.people == 5
    assert "5" in board.other_poles.label


def _people(edition, count):
    categories = [CategoryFactory(edition=edition), CategoryFactory(edition=edition)]
    organisations = [OrganisationFactory() for _ in range(5)] + [
        OrganisationFactory(kind=OrganisationKind.NETWORK, department_code="69")
    ]
    statuses = [RegistrationStatus.CONFIRMED] * 3 + [
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.CANCELLED,
    ]
    Registration.objects.bulk_create(
        RegistrationFactory.build(
            edition=edition,
            category=categories[n % 2],
            organisation=organisations[n % len(organisations)],
            status=statuses[n % len(statuses)],
            diet=Diet.values[n % len(Diet.values)],
            confirmed_at=timezone.now() - dt.timedelta(days=n % 17),
        )
        for n in range(count)
    )
    entrance = EntranceFactory(edition=edition)
    for registration in Registration.objects.filter(
        edition=edition, status=RegistrationStatus.CONFIRMED
    )[: count // 4]:
        admit(registration, entrance)


def _queries(client, url):
    # Computed, not read from the figures shared for a few seconds.
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_dashboard_makes_as_many_queries_for_10_as_for_200_registrations(cast, client):
    small, large = cast.edition, cast.edition_two
    _people(small, 10)
    _people(large, 200)
    log_in(client, cast.organiser)
    _queries(client, reverse("dashboard", args=[small.slug]))  # Warm the session.
    for name in ("dashboard", "dashboard_fragment"):
        assert _queries(client, reverse(name, args=[small.slug])) == _queries(
            client, reverse(name, args=[large.slug])
        )


def test_the_figures_are_shared_for_a_few_seconds_then_computed_again(cast, client, settings):
    settings.PTCE_DASHBOARD_MAX_AGE = 60
    participant = CategoryFactory(edition=cast.edition, name="Participant")
    log_in(client, cast.organiser)
    url = reverse("dashboard_fragment", args=[cast.edition.slug])
    assert 'id="figure-confirmed">0<' in client.get(url).content.decode()
    register(
        cast.edition,
        category=participant,
        first_name="Ana",
        last_name="Exemple",
        email="ana@example.org",
        by_organiser=True,
    )
    # Within the minute, the figures computed first: no query over the registrations.
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    assert 'id="figure-confirmed">0<' in html
    assert not [q for q in queries if "registrations_registration" in q["sql"]]
    # Once they are older than that (here: the cache emptied), computed again.
    cache.clear()
    assert 'id="figure-confirmed">1<' in client.get(url).content.decode()


def test_dashboard_rules_take_fourteen_queries(cast, django_assert_num_queries):
    _people(cast.edition, 30)
    with django_assert_num_queries(14):
        board = dashboard.dashboard(cast.edition)
        board.chart.path  # noqa: B018 (drawing reads nothing more)


# Pages and permissions ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["organiser", "editor", "viewer", "superuser"])
@pytest.mark.parametrize("name", ["dashboard", "dashboard_fragment"])
def test_dashboard_opens_for_roles_that_see_figures(day, client, cast, role, name):
    log_in(client, getattr(cast, role))
    response = client.get(reverse(name, args=[day.slug]), **ENGLISH)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="figure-confirmed">7<' in html
    # Counts only: no name of anybody.
    assert "Camille" not in html
    assert "Sans lactose" not in html
    assert "Fauteuil" not in html


@pytest.mark.parametrize("role", ["agent", "outsider", "other_organiser"])
@pytest.mark.parametrize("name", ["dashboard", "dashboard_fragment"])
def test_dashboard_is_refused_to_other_roles(day, client, cast, role, name):
    log_in(client, getattr(cast, role))
    response = client.get(reverse(name, args=[day.slug]))
    assert response.status_code == 403
    assert "figure-confirmed" not in response.content.decode()


@pytest.mark.parametrize("name", ["dashboard", "dashboard_fragment", "organiser_home"])
def test_anonymous_visitors_go_to_the_login_page(cast, client, name):
    args = [] if name == "organiser_home" else [cast.edition.slug]
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_fragment_is_never_stored_and_carries_the_summary(day, client, cast):
    log_in(client, cast.viewer)
    response = client.get(reverse("dashboard_fragment", args=[day.slug]), **ENGLISH)
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-summary="Figures updated: 7 confirmed, 2 waiting, 3 admitted."' in html


def test_dashboard_page_has_the_chart_and_its_table(day, client, cast):
    log_in(client, cast.organiser)
    html = client.get(reverse("dashboard", args=[day.slug]), **ENGLISH).content.decode()
    assert '<svg class="chart-svg"' in html
    assert 'role="img"' in html
    assert "<details>" in html
    assert '<td class="number">7</td>' in html
    assert 'aria-live="polite"' in html
    assert 'src="/static/registrations/dashboard.js"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_dashboard_links_follow_the_role(day, client, cast):
    log_in(client, cast.viewer)
    html = client.get(reverse("dashboard", args=[day.slug])).content.decode()
    assert reverse("admission:attendance", args=[day.slug]) in html
    assert reverse("registrations:list", args=[day.slug]) not in html
    assert reverse("registrations:message", args=[day.slug]) not in html

    log_in(client, cast.organiser)
    html = client.get(reverse("dashboard", args=[day.slug])).content.decode()
    for url in (
        reverse("registrations:list", args=[day.slug]),
        reverse("admission:security_list", args=[day.slug]),
        reverse("admission:badges", args=[day.slug]),
        reverse("admission:checkin", args=[day.slug]),
        reverse("charter:ceremony", args=[day.slug]),
        reverse("registrations:message", args=[day.slug]),
        reverse("edition_copy", args=[day.slug]),
    ):
        assert url in html


# The organisers' home -------------------------------------------------------------------


def test_home_lists_the_editions_of_the_users_roles_newest_first(cast, client):
    cast.edition_two.date = cast.edition.date + dt.timedelta(days=365)
    cast.edition_two.save()
    log_in(client, cast.organiser)
    response = client.get(reverse("organiser_home"))
    assert response.status_code == 200
    assert [edition.slug for edition in response.context["editions"]] == [
        cast.edition_two.slug,
        cast.edition.slug,
    ]
    html = response.content.decode()
    assert cast.other_edition.title not in html
    assert reverse("dashboard", args=[cast.edition.slug]) in html


def test_home_of_an_agent_shows_its_edition_with_check_in_only(cast, client):
    log_in(client, cast.agent)
    response = client.get(reverse("organiser_home"))
    assert [edition.slug for edition in response.context["editions"]] == [cast.edition.slug]
    html = response.content.decode()
    assert reverse("admission:checkin", args=[cast.edition.slug]) in html
    assert reverse("dashboard", args=[cast.edition.slug]) not in html


def test_home_of_a_user_without_a_role_explains_it(cast, client):
    log_in(client, cast.outsider)
    response = client.get(reverse("organiser_home"), **ENGLISH)
    assert response.status_code == 200
    assert response.context["editions"] == []
    assert "has no role on any day yet" in response.content.decode()
