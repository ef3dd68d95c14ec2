"""How many examples the property and fuzz tests draw on each pass of `make test`.

PostgreSQL, which runs every test, draws them all. The SQLite pass draws a fifth, at least
one: enough to catch what only SQLite does, without spending its minutes finding again what
the PostgreSQL pass already searched for.
"""

from django.conf import settings

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
#: Hypothesis's own default, for the tests that set no number.
DEFAULT = 100


def examples(full=DEFAULT):
    """``full`` on PostgreSQL, a fifth of it (at least 1) on SQLite."""
    return full if ON_POSTGRESQL else max(1, full // 5)
