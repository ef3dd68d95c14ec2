"""Schemathesis against /api/v1/openapi.json: every operation, with generated parameters and
bodies, anonymous and with an organiser's token; no 5xx, every status code and every body as
the schema says. A bounded number of examples per operation keeps it quick."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import ApiToken
from tests.strength import examples

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# The explicit examples and the fuzzing phase, bounded by EXAMPLES (a fifth on SQLite,
# tests/strength.py); the coverage phase (every boundary value of every parameter, hundreds of
# calls) would take minutes.
schema.config.phases.coverage.enabled = False

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
EXAMPLES = examples(12)


@pytest.fixture
def _connection_kept():
    """The WSGI application closes the database connection after each request, which would
    end the test's transaction: kept open, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def organiser_token(cast, settings, _connection_kept):
    # The limits are tested in test_rate_limits.py; here they would only cut the run short.
    settings.PTCE_RATES = {
        **settings.PTCE_RATES,
        "api_anonymous": "100000/m",
        "api_token": "100000/m",
    }
    return ApiToken.issue(cast.organiser)[1]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_as_its_schema_says(case, organiser_token):
    case.call_and_validate(checks=CHECKS, headers={"Accept-Language": "en"})
    case.call_and_validate(
        checks=CHECKS,
        headers={"Accept-Language": "en", "Authorization": f"Bearer {organiser_token}"},
    )
