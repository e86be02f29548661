"""The shared waits (testkit/) fail loudly, naming what they waited for, instead of giving up silently."""

from __future__ import annotations

import time

import pytest

from testkit.browser import APP_IDLE, CARD, CHART, press_and_await_run, settle, slider_input, wait_idle
from testkit.waits import WaitTimeout, wait_until

#: A page that looks idle to ``wait_idle`` and holds one drawn chart, whose width changes every
#: ``RESIZE_MS`` while ``window.resizing`` is true (a layout that never settles: it keeps growing).
RESIZE_MS = 100
PAGE = f"""<div data-testid="stApp" data-test-connection-state="CONNECTED" data-test-script-state="notRunning">
  <div data-testid="stVegaLiteChart" style="width: 300px; height: 200px"><svg class="marks"></svg></div>
</div>
<script>
  window.resizing = true;
  const chart = document.querySelector("[data-testid='stVegaLiteChart']");
  let w = 300;
  setInterval(() => {{ if (window.resizing) {{ w += 1; chart.style.width = w + "px"; }} }}, {RESIZE_MS});
</script>"""


def test_wait_until_returns_what_the_condition_returned():
    calls = iter([None, 0, "ready"])
    assert wait_until(lambda: next(calls), "the third call", timeout=5, interval=0.01) == "ready"


def test_wait_until_raises_naming_the_condition_and_the_state():
    t0 = time.monotonic()
    with pytest.raises(WaitTimeout, match=r"waited 0.2 s for the flag to rise, in vain; flag is down"):
        wait_until(lambda: False, "the flag to rise", timeout=0.2, interval=0.05, detail=lambda: "flag is down")
    assert 0.2 <= time.monotonic() - t0 < 5
    assert issubclass(WaitTimeout, AssertionError)  # pytest reports it as a failed test, not an error


@pytest.mark.browser
def test_settle_fails_on_charts_that_never_stop_resizing(new_context):
    page = new_context().new_page()
    page.set_content(PAGE)
    assert page.locator(APP_IDLE).count() == 1 and page.locator(CHART).count() == 1
    with pytest.raises(AssertionError, match=r"were not all drawn with sizes unchanged over 400 ms within 2 s"):
        settle(page, timeout=2_000)


@pytest.mark.browser
def test_settle_returns_once_the_charts_hold_their_size(new_context):
    page = new_context().new_page()
    page.set_content(PAGE)
    page.evaluate("window.resizing = false")
    settle(page, timeout=5_000)
    page.evaluate("document.querySelector('svg.marks').remove()")  # shown but not drawn: not settled
    with pytest.raises(AssertionError, match="were not all drawn"):
        settle(page, timeout=1_500)


@pytest.mark.browser
def test_press_and_await_run_returns_after_the_rerun_and_fails_without_one(server, new_context):
    """The benches' key press: back only once the run it started is over (the card already shows the new
    value), and a press that starts no run fails instead of passing for one."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = new_context().new_page()
    page.goto(server.url)
    cards = page.locator(CARD)
    cards.first.wait_for()
    wait_idle(page)
    thumb = slider_input(page, "investment")
    before = cards.first.get_attribute("data-value")
    thumb.focus()
    press_and_await_run(page, thumb, "PageUp")
    assert cards.first.get_attribute("data-value") != before
    with pytest.raises(PlaywrightTimeout):
        press_and_await_run(page, thumb, "Shift", timeout=3_000)  # a modifier alone changes nothing
