"""Real Chromium through Playwright, with axe-core for accessibility.

Debian's chromium is launched with the flags this machine needs; a missing browser fails the
run (CI installs it). Pages are served by pytest-django's live server.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}

# Playwright's synchronous API runs an event loop in this thread; the tests' own database
# work (factories) is synchronous and safe, so Django's async guard is relaxed for them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Tab:
    """A page that remembers every console error and CSP violation it saw."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.console_errors = []
        self.expected_document_error = None
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        # Registered through the DevTools protocol, so the page's CSP does not apply to it.
        page.add_init_script(
            "window.__cspViolations = [];"
            "document.addEventListener('securitypolicyviolation', e =>"
            " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
        )

    def _on_console(self, message):
        if message.type != "error":
            return
        # Chromium logs an error status of the document itself; an error page is expected
        # to have one.
        expected = self.expected_document_error
        if (
            expected
            and message.location.get("url") == self.page.url
            and f"status of {expected} (" in message.text
        ):
            return
        self.console_errors.append(message.text)

    def goto(self, path, *, status=200):
        self.expected_document_error = status if status >= 400 else None
        response = self.page.goto(self.base_url + path)
        assert response.status == status
        return response

    def csp_violations(self):
        return self.page.evaluate("window.__cspViolations")

    def axe_violations(self):
        """Run axe-core on the current page; return WCAG 2.1 AA violations, readable."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE.read_text())
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
        )
        return [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:5])
            for v in result["violations"]
        ]

    def assert_clean(self):
        """No accessibility violation, no CSP violation, no console error on this page."""
        assert self.axe_violations() == []
        assert self.csp_violations() == []
        assert self.console_errors == []


@pytest.fixture(params=sorted(VIEWPORTS))
def tab(request, browser, live_server):
    context = browser.new_context(locale="fr-FR", **VIEWPORTS[request.param])
    page = context.new_page()
    yield Tab(page, live_server.url)
    context.close()
