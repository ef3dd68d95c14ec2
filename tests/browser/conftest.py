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

#: Run in the page: what of its text does not fit at the current width, as sentences. Adds to
#: LAYOUT_FAULTS (the page scrolling sideways):
#: - a box of text (heading, paragraph, item, term, value, cell, caption, label, button, link
#:   of a menu) whose text is wider than the box, unless the box scrolls or clips by design
#:   (overflow other than visible), or hides text for screen readers; only the innermost of
#:   nested faulty boxes is named;
#: - a table, or a box that scrolls a table, wider than the box around it: a table inside a
#:   box that scrolls may be wider than that box;
#: - a word broken in the middle (its letters on two lines: Range.getClientRects) in a table
#:   header or a figure tile, unless it is wider than the cell can be; a line may end after
#:   a hyphen, a dash or a soft hyphen (not after a slash: Chromium does not break there);
#: - the caption of a table that scrolls sideways, or its row headers (a first column of
#:   th), out of sight at either end of the scroll.
TEXT_FAULTS = """() => {
  const faults = [];
  const describe = (element) => {
    const text = (element.innerText || element.textContent || "").replace(/\\s+/g, " ").trim();
    const id = element.id ? `#${element.id}` : "";
    return `<${element.tagName.toLowerCase()}${id}> "${text.slice(0, 50)}"`;
  };
  const shown = (element) =>
    element.getClientRects().length > 0 && !element.closest(".visually-hidden");
  const scrolls = (element) => ["auto", "scroll"].includes(getComputedStyle(element).overflowX);
  const scroller = (element) => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      if (scrolls(box)) return box;
    }
    return null;
  };

  // What makes the page scroll sideways (LAYOUT_FAULTS says that it does): the innermost
  // elements beyond the window's right edge.
  const root = document.documentElement;
  const right = root.clientWidth + 1;
  const everything = root.scrollWidth > root.clientWidth ? document.body.querySelectorAll("*") : [];
  const beyond = [...everything].filter((element) =>
    element.getBoundingClientRect().right > right && shown(element) && !scroller(element));
  for (const element of beyond) {
    if (!beyond.some((other) => other !== element && element.contains(other))) {
      const end = Math.round(element.getBoundingClientRect().right);
      faults.push(`${describe(element)} ends at ${end} px`);
    }
  }

  const boxes = "h1, h2, h3, h4, h5, h6, p, li, dt, dd, th, td, caption, label, legend, "
    + "summary, figcaption, button, .button, nav a";
  const overflowing = [];
  for (const box of document.querySelectorAll(boxes)) {
    if (!shown(box)) continue;
    const style = getComputedStyle(box);
    if (["inline", "contents"].includes(style.display) || style.overflowX !== "visible") continue;
    if (box.scrollWidth > box.clientWidth + 1) overflowing.push(box);
  }
  for (const box of overflowing) {
    if (overflowing.some((other) => other !== box && box.contains(other))) continue;
    faults.push(`${describe(box)} holds ${box.scrollWidth} px of text in ${box.clientWidth} px`);
  }

  for (const box of document.querySelectorAll("table, .table-scroll")) {
    if (!shown(box) || (box.tagName === "TABLE" && scroller(box))) continue;
    const outer = box.parentElement.getBoundingClientRect();
    const inner = box.getBoundingClientRect();
    if (inner.right > outer.right + 1 || inner.left < outer.left - 1) {
      faults.push(`${describe(box).slice(0, 60)} is ${Math.round(inner.width)} px wide `
        + `in a box of ${Math.round(outer.width)} px`);
    }
  }

  const lines = (range) => {
    const rects = [...range.getClientRects()].filter((rect) => rect.width > 0);
    rects.sort((a, b) => a.top - b.top);
    return rects.filter((rect, index) => index === 0 || rect.top >= rects[index - 1].bottom - 1);
  };
  for (const cell of document.querySelectorAll("th, dt, .figures dd")) {
    if (!shown(cell)) continue;
    // A word wider than the cell can be (its max-width, the box that scrolls it, the window)
    // has to break: only a word that could have kept its line is broken for nothing.
    const style = getComputedStyle(cell);
    const room = Math.min(
      (scroller(cell) || document.documentElement).clientWidth,
      style.maxWidth.endsWith("px") ? parseFloat(style.maxWidth) : Infinity,
    ) - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest(".visually-hidden")) continue;
      for (const word of node.data.matchAll(/[^\\s\\u00ad\\-\\u2010\\u2013\\u2014]+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const width = [...range.getClientRects()].reduce((sum, rect) => sum + rect.width, 0);
        if (lines(range).length > 1 && width <= room) {
          faults.push(`the word "${word[0]}" is broken in ${describe(cell)}`);
        }
      }
    }
  }

  for (const box of document.querySelectorAll(".table-scroll")) {
    if (!shown(box) || box.scrollWidth <= box.clientWidth) continue;
    const visible = box.getBoundingClientRect();
    const outOfSight = (element) => {
      const range = document.createRange();
      range.selectNodeContents(element);
      return [...range.getClientRects()].some((rect) => rect.width > 0
        && (rect.left < visible.left - 1 || rect.right > visible.right + 1));
    };
    for (const end of [box.scrollWidth, 0]) {
      box.scrollLeft = end;
      for (const caption of box.querySelectorAll("caption")) {
        if (outOfSight(caption)) {
          faults.push(`the caption ${describe(caption)} is out of sight in its scroll box`);
        }
      }
      for (const cell of box.querySelectorAll("tbody > tr > th:first-child")) {
        if (outOfSight(cell)) {
          faults.push(`the first column ${describe(cell)} is out of sight when scrolled`);
          break;
        }
      }
    }
  }
  return [...new Set(faults)];
}"""

#: Run in the page: its figure tiles in sight, as [label, number as shown] pairs.
FIGURE_TILES = """() => [...document.querySelectorAll(".figures > div")]
  .filter((tile) => tile.getClientRects().length > 0)
  .map((tile) => ["dt", "dd"].map((part) => tile.querySelector(part).innerText.trim()))
"""

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

    def text_faults(self):
        """Stricter than :meth:`layout_faults`: also text out of its box, a word broken in a
        table header or a figure tile, a scrolled table's caption or first column out of
        sight (TEXT_FAULTS). Used by test_every_page_width.py, not by assert_clean()."""
        return self.page.evaluate(TEXT_FAULTS)

    def figure_tiles(self):
        """The figure tiles in sight: ``[label, number]`` pairs, as the page shows them."""
        return self.page.evaluate(FIGURE_TILES)

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
