"""Fixtures of the browser tests (``test_browser*.py``): one Streamlit server and one Chromium per
session, a fresh browser context (a new Streamlit session) per page, and a check that no test leaves a
traceback in the server log. Loaded by ``conftest.py`` as a plugin, so every browser test module shares
the same server and browser (Playwright's sync API allows one at a time).
"""

from __future__ import annotations

import os

import pytest

from testkit.browser import Server, browser_missing, launch_chromium

TIMEOUT = 30_000  # ms, for a (re)run to show up


@pytest.fixture(scope="session")
def _browser_ready():
    reason = browser_missing()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests must run in CI, but {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def server(_browser_ready):
    srv = Server("app.py").start(timeout=60)
    yield srv
    srv.cleanup()


@pytest.fixture(scope="session")
def browser(_browser_ready):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture
def new_context(browser):
    """Factory of fresh browser contexts (each one is a new Streamlit session); all closed afterwards."""
    made = []

    def make(width: int = 1366, height: int = 768):
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
        ctx.set_default_timeout(TIMEOUT)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


@pytest.fixture
def page_errors():
    """JavaScript errors of every page opened through ``open_app`` during the test."""
    return []


@pytest.fixture(autouse=True)
def _no_server_traceback(request):
    """No test may leave a traceback in the server log (the app catches errors and logs them)."""
    if "server" not in request.fixturenames:
        yield
        return
    srv = request.getfixturevalue("server")
    start = len(srv.log_text())
    yield
    new = srv.log_text()[start:]
    assert "Traceback" not in new, f"the server logged an error during the test:\n{new[-3000:]}"
