"""The API's interactive docs work offline and under the strict Content-Security-Policy."""

import pytest

from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_render_and_call_the_api_without_csp_violation(tab):
    EditionFactory(slug="journee-exemple")
    page = tab.page

    response = tab.goto("/api/v1/docs")

    assert response.status == 200
    operation = page.locator("#operations-editions-list_editions")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status")
    assert status.inner_text().strip() == "200"
    assert '"slug": "journee-exemple"' in operation.locator(".live-responses-table").inner_text()
    assert tab.csp_violations() == []
    assert tab.console_errors == []
