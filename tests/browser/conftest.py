"""Real Chromium through Playwright, with axe-core for accessibility.

Debian's chromium is launched with the flags this machine needs; a missing browser fails the
run (CI installs it). Pages are served by pytest-django's live server.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from pytest_django.live_server_helper import LiveServer

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

#: Run in the page: the faults of its layout at the current width, as sentences.
LAYOUT_FAULTS = """() => {
  const faults = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) {
    faults.push(`the page is ${root.scrollWidth} px wide in a ${root.clientWidth} px window`);
  }
  for (const number of document.querySelectorAll(".figures dd")) {
    const tile = number.parentElement.getBoundingClientRect();
    const box = number.getBoundingClientRect();
    if (box.width && (box.right > tile.right + 0.5 || number.scrollWidth > number.clientWidth)) {
      faults.push(`the figure ${number.textContent.trim()} does not fit in its tile`);
    }
  }
  return faults;
}"""

# Playwright's synchronous API runs an event loop in this thread; the tests' own database
# work (factories) is synchronous and safe, so Django's async guard is relaxed for them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
    """A page that remembers every console error and CSP violation it saw.

    ``widths``: the viewports (names in VIEWPORTS) at which :meth:`assert_clean` checks each
    page, the first being the one the page is at; by default, only the page's own.
    """

    def __init__(self, page, base_url, widths=(None,)):
        self.page = page
        self.base_url = base_url
        self.widths = widths
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

    def layout_faults(self):
        """What the eye would see broken at this width: the page scrolling sideways, or a
        figure tile whose number does not fit inside it."""
        return self.page.evaluate(LAYOUT_FAULTS)

    def assert_clean(self):
        """No accessibility violation at any of the tab's widths, no CSP violation, no
        console error on this page; the page is back at its first width after."""
        for index, width in enumerate(self.widths):
            if index:
                self.page.set_viewport_size(VIEWPORTS[width]["viewport"])
            assert (width, self.axe_violations()) == (width, [])
            assert (width, self.layout_faults()) == (width, [])
        if len(self.widths) > 1:
            self.page.set_viewport_size(VIEWPORTS[self.widths[0]]["viewport"])
        assert self.csp_violations() == []
        assert self.console_errors == []


@pytest.fixture
def server(live_server):
    """The site a ``tab`` opens: pytest-django's live server, or ``scene_server`` in a
    module that overrides this fixture with it."""
    return live_server


@pytest.fixture
def tab(request, browser, server):
    """A tab of its own browser context, on a phone; ``assert_clean()`` checks each page at
    the phone's width, then again at a desktop's (``set_viewport_size``): a journey runs once
    and its pages are checked at both widths (no media query of ours asks for touch or
    hover, so the width is what differs). ``@pytest.mark.parametrize("tab", ["phone"],
    indirect=True)`` (or ``"desktop"``) opens the tab at that one width only."""
    chosen = getattr(request, "param", None)
    widths = (chosen,) if chosen else ("phone", "desktop")
    context = browser.new_context(locale="fr-FR", **VIEWPORTS[widths[0]])
    yield Tab(context.new_page(), server.url, widths)
    context.close()


@pytest.fixture(scope="module")
def scene_server(django_db_setup, django_db_blocker):
    """A live server for a module whose tests only read a scene: rows that module-scoped
    fixtures write once, committed, for all of the module's tests.

    pytest-django empties the database after every test that takes ``live_server``; a module
    whose tests change nothing takes this server instead (for its tabs too, by overriding
    ``server``), and is marked ``pytest.mark.django_db``: each test runs in a transaction
    that is rolled back, which the server never sees, on top of the committed scene. The
    tables are emptied once, when the module is done, as after a ``transactional_db`` test.
    """
    with django_db_blocker.unblock():
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            for alias in connections:
                call_command("flush", database=alias, interactive=False, verbosity=0)
