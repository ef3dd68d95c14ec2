"""The public participant list: consenting confirmed attendees, names and organisations only."""

import pytest

from events.enums import EditionStatus
from registrations.enums import RegistrationStatus
from tests.factories import EditionFactory, OrganisationFactory, RegistrationFactory

URL = "/journees/journee/participants/"


@pytest.fixture
def edition(db):
    return EditionFactory(slug="journee")


def listed(edition, **fields):
    return RegistrationFactory(edition=edition, consent_public_list=True, **fields)


def names(response):
    return [person.display_name for person in response.context["people"]]


def test_list_shows_consenting_confirmed_people_by_last_name(client, edition):
    pole = OrganisationFactory(name="Pôle Écotone")
    listed(edition, first_name="Zoé", last_name="Durand", organisation=pole)
    listed(edition, first_name="Anne", last_name="Étienne", organisation_name="Association X")
    listed(edition, first_name="Paul", last_name="bernard", badge_name="Paulo")
    listed(edition, first_name="Wait", last_name="Ing", status=RegistrationStatus.WAITLISTED)
    listed(edition, first_name="Can", last_name="Celled", status=RegistrationStatus.CANCELLED)
    RegistrationFactory(edition=edition, first_name="Dis", last_name="Creet")
    listed(EditionFactory(slug="autre"), first_name="Autre", last_name="Ailleurs")

    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    text = response.content.decode()
    assert response.status_code == 200
    # The badge name when given (the name its bearer chose to be shown), else the names.
    assert names(response) == ["Paulo", "Zoé Durand", "Anne Étienne"]
    assert '<span class="participant-organisation">Pôle Écotone</span>' in text
    assert '<span class="participant-organisation">Association X</span>' in text
    assert "3 people" in text
    for hidden in ("Wait", "Celled", "Creet", "Ailleurs", "@example.org"):
        assert hidden not in text


def test_list_escapes_names(client, edition):
    listed(edition, first_name="<script>x</script>", last_name="=1+1", organisation_name="<b>")

    text = client.get(URL).content.decode()

    assert "&lt;script&gt;x&lt;/script&gt; =1+1" in text
    assert "<script>x" not in text
    assert "&lt;b&gt;" in text


def test_list_is_not_found_when_switched_off(client, edition):
    edition.participant_list_is_public = False
    edition.save()
    listed(edition)

    assert client.get(URL).status_code == 404


@pytest.mark.parametrize("slug", ["inconnue", "brouillon"])
def test_list_of_an_unknown_or_draft_edition_is_not_found(client, db, slug):
    EditionFactory(slug="brouillon", status=EditionStatus.DRAFT)

    assert client.get(f"/journees/{slug}/participants/").status_code == 404


def test_empty_list_says_so(client, edition):
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    assert "Nobody is listed yet." in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_list_costs_the_same_queries_whatever_its_length(
    client, edition, count, django_assert_num_queries
):
    for _ in range(count):
        listed(edition, organisation=OrganisationFactory())
    client.get(URL)  # the session and language machinery settle on the first request

    with django_assert_num_queries(2):
        response = client.get(URL)

    assert len(names(response)) == count
