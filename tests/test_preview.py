"""A draft edition: a 404 for visitors, a preview for the people who prepare it."""

import pytest
from django.test import Client

from events.enums import EditionStatus
from tests.auth import log_in

pytestmark = pytest.mark.django_db

PREVIEW = "Preview: this day is not published"


@pytest.fixture
def draft(cast):
    cast.edition.status = EditionStatus.DRAFT
    cast.edition.save()
    return cast.edition


@pytest.mark.parametrize("page", ["", "programme/"])
@pytest.mark.parametrize("role", ["organiser", "editor", "superuser"])
def test_those_who_prepare_a_draft_preview_its_pages_marked_and_never_cached(
    cast, draft, role, page
):
    client = log_in(Client(), getattr(cast, role))
    response = client.get(f"/journees/{draft.slug}/{page}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert PREVIEW in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize("page", ["", "programme/"])
@pytest.mark.parametrize("role", ["agent", "viewer", "other_organiser", "outsider", None])
def test_anyone_else_finds_no_draft(cast, draft, role, page):
    client = Client()
    if role:
        log_in(client, getattr(cast, role))
    assert client.get(f"/journees/{draft.slug}/{page}").status_code == 404


def test_a_published_day_is_no_preview(cast):
    client = log_in(Client(), cast.organiser)
    response = client.get(f"/journees/{cast.edition.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert PREVIEW not in response.content.decode()
