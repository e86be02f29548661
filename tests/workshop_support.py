"""Shared by the workshop tests: the test PostgreSQL, a fake clock, and a participant in a real browser.

PostgreSQL comes from ``TEST_DATABASE_URL`` (``eval "$(scripts/pg-test.sh start)"`` locally; ``.ci/run``
starts one in CI). Without it the PostgreSQL tests skip locally and fail when ``CI=true``.
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime, timedelta

import pytest

from testkit.browser import CARD, CHART, Server, slider_input, wait_idle
from workshop.rooms import REASON_MAX

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (locally) or fails (CI) with the reason
    expect = None
else:
    # A page on a busy two-core machine can take longer than expect's default 5 s to rerun.
    expect.set_options(timeout=30_000)

PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def need_postgres() -> str:
    """The test database URL, or skip (locally) / fail (CI) with the reason."""
    if PG_URL:
        return PG_URL
    reason = "TEST_DATABASE_URL is not set (start one with: eval \"$(scripts/pg-test.sh start)\")"
    if in_ci():
        pytest.fail(f"PostgreSQL tests must run in CI, but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


class Clock:
    """A settable clock for the store (rate limits and expiry without sleeping)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@contextlib.contextmanager
def environ(**values: str):
    """``os.environ`` with ``values`` set (a server started inside inherits them), restored after."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# --------------------------------------------------------------------------- browser
TIMEOUT = 30_000  # ms, for a (re)run to show up
PHONE = {"width": 390, "height": 844}


def start_server(**env: str) -> Server:
    with environ(**env):
        return Server("app.py").start(timeout=90)


def new_page(browser, contexts: list, viewport: dict, mobile: bool = False):
    ctx = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
                              accept_downloads=True, is_mobile=mobile, has_touch=mobile)
    ctx.set_default_timeout(TIMEOUT)
    contexts.append(ctx)
    return ctx.new_page()


def count(page, i: int):
    return page.get_by_test_id(f"ws-count-{i}")


def join_predict_submit(page, url: str, name: str, year: int, reason: str, lever_key: str | None,
                        on_join=None) -> None:
    """One participant's path: open the link, join, predict, (move a lever), submit."""
    page.goto(url)
    wait_idle(page)
    expect(page.locator(".st-key-ws_join button")).to_be_visible()
    if on_join is not None:
        on_join(page)
    if name:
        page.locator(".st-key-ws_name input").fill(name)
    page.locator(".st-key-ws_join button").click()
    expect(page.locator(".st-key-ws_predict button")).to_be_visible()
    # Before predicting: no goal card, no chart, no number from the model anywhere on the page.
    assert page.locator(CARD).count() == 0 and page.locator(CHART).count() == 0
    wait_idle(page)
    page.locator(".st-key-ws_prediction_value input").click()
    page.keyboard.type(str(year))  # the list filters as one types (a long list is virtualised)
    page.get_by_role("option", name=str(year), exact=True).click()
    wait_idle(page)
    page.locator(".st-key-ws_predict button").click()
    # Until the facilitator reveals the answer: levers, but no goal card and no chart (issue 18, item 8).
    expect(page.get_by_test_id("ws-results-hidden")).to_be_visible()
    assert page.locator(CARD).count() == 0 and page.locator(CHART).count() == 0
    if lever_key:
        thumb = slider_input(page, "ws_lever_investment")
        before = thumb.input_value()
        thumb.focus()
        page.keyboard.press(lever_key)
        expect(thumb).not_to_have_value(before)
        wait_idle(page)
        assert page.locator(CARD).count() == 0 and page.locator(CHART).count() == 0
    box = page.locator(".st-key-ws_reason input")
    if len(reason) > REASON_MAX:  # refused with a clear message, nothing stored; then a shorter one
        box.fill(reason)
        page.locator(".st-key-ws_submit button").click()
        expect(page.get_by_role("alert")).to_contain_text(str(len(reason)))
        expect(page.get_by_role("alert")).to_contain_text(str(REASON_MAX))
        assert page.get_by_test_id("ws-my-plan").count() == 0
        reason = reason[:REASON_MAX]
    box.fill(reason)
    kept = reason
    page.locator(".st-key-ws_submit button").click()
    expect(page.get_by_test_id("ws-my-plan")).to_be_visible()
    expect(page.get_by_test_id("ws-my-plan")).to_contain_text(kept)  # shown as text, not markup


