import pytest

pytestmark = pytest.mark.django_db


def test_cast_builds(cast):
    assert cast.edition.organisers.get() == cast.org
