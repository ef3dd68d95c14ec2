"""The 429 page a visitor meets beyond a rate limit: accessible, and within the CSP."""

import time
from types import SimpleNamespace

import django_ratelimit.core


def test_the_rate_limited_page_is_accessible(tab, transactional_db, settings, monkeypatch):
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))
    settings.PTCE_RATES = {**settings.PTCE_RATES, "charter_verify": "1/h"}

    tab.goto("/charte/verifier/?code=ABCD-EFGH-JKLM-NPQR")
    tab.goto("/charte/verifier/?code=ABCD-EFGH-JKLM-NPQR", status=429)

    assert tab.page.locator("h1").inner_text() == "Trop de requêtes"
    tab.assert_clean()
