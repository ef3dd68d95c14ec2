import os
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation

from accounts.enums import Role
from tests.factories import EditionFactory, MembershipFactory, OrganisationFactory, UserFactory

PASSWORD = "correct horse battery staple"


def pytest_runtest_setup(item):
    # On SQLite, CI deselects these with -m "not postgres_only"; run by hand, they fail
    # loudly rather than pass or fail for the wrong reason on the wrong database.
    if (
        item.get_closest_marker("postgres_only")
        and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        pytest.fail(
            "this test needs PostgreSQL: set DATABASE_URL, or deselect -m 'not postgres_only'"
        )


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    # The real hasher takes a good part of a second per user: the cast alone has seven.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage needs `collectstatic`; tests resolve static files from the apps.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language():
    # A request in English leaves English active in the thread; the next test starts in
    # the site's language whatever ran before it.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def cast(db):
    """The fixed cast of the permission tests: one user per role, plus outsiders.

    ``org`` organises ``edition`` and ``edition_two``; ``other_org`` organises
    ``other_edition``. The agent is narrowed to ``edition``.
    """
    org = OrganisationFactory(name="Réseau Exemple")
    other_org = OrganisationFactory(name="Autre Réseau Exemple")
    edition = EditionFactory(title="Journée Exemple", organisers=[org])
    edition_two = EditionFactory(title="Journée Exemple bis", organisers=[org])
    other_edition = EditionFactory(title="Journée d'un autre réseau", organisers=[other_org])

    def member(username, role, organisation, edition=None):
        user = UserFactory(username=username)
        MembershipFactory(user=user, organisation=organisation, role=role, edition=edition)
        return user

    return SimpleNamespace(
        org=org,
        other_org=other_org,
        edition=edition,
        edition_two=edition_two,
        other_edition=other_edition,
        organiser=member("organisatrice", Role.ORGANISER, org),
        editor=member("redacteur", Role.EDITOR, org),
        agent=member("agent", Role.AGENT, org, edition),
        viewer=member("observatrice", Role.VIEWER, org),
        outsider=UserFactory(username="exterieur"),
        other_organiser=member("autre-organisatrice", Role.ORGANISER, other_org),
        superuser=UserFactory(username="admin", is_superuser=True, is_staff=True),
    )


def pytest_report_header(config):
    return f"database: {os.environ.get('DATABASE_URL', 'SQLite (default)')}"
