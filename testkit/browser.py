"""A real Streamlit server and headless Chromium, for the browser tests and the UI benchmarks.

Nothing here imports Playwright at module level, so the module loads (and the browser tests can
skip or fail with a clear message) on machines without it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

#: The whole page has finished a (re)run and is connected.
APP_IDLE = "[data-testid='stApp'][data-test-connection-state='CONNECTED'][data-test-script-state='notRunning']"
CHART = "[data-testid='stVegaLiteChart']"
CARD = "div.zc-card"
#: Streamlit 1.67 sliders (react-aria): the focusable thumb is a visually hidden <input type=range>
#: inside the thumb <div>; there is no div[role=slider] any more.
SLIDER_INPUT = "[data-testid='stSlider'] input[type='range']"


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -r requirements-dev.txt)"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} is missing (sudo apt-get install -y chromium fonts-noto-cjk)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python -m streamlit run <script>`` on a free port, from the repository root."""

    def __init__(self, script: str = "app.py", port: int | None = None, cwd: Path = REPO,
                 extra_args: tuple[str, ...] = ()) -> None:
        self.script = script
        self.extra_args = tuple(extra_args)  # more ``--section.option value`` flags
        self.port = port or free_port()
        self.cwd = cwd
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self._log = tempfile.NamedTemporaryFile(prefix=f"streamlit_{self.port}_", suffix=".log", delete=False)
        self.log_path = Path(self._log.name)

    def start(self, timeout: float = 60.0) -> Server:
        cmd = [sys.executable, "-m", "streamlit", "run", self.script, "--server.headless", "true",
               "--server.port", str(self.port), "--server.address", "127.0.0.1",
               "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false", *self.extra_args]
        self.proc = subprocess.Popen(cmd, cwd=self.cwd, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout:.0f} s:\n{self.log_tail()}")

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-n:])

    def stop(self) -> None:
        """Terminate the server (and only it: it runs in its own session) and wait for it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if not self._log.closed:
            self._log.close()

    def cleanup(self) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            self.log_path.unlink()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def wait_idle(page, timeout: float = 30_000) -> None:
    """The page is connected and no script (or fragment) run is in progress."""
    page.wait_for_selector(APP_IDLE, state="attached", timeout=timeout)


#: Polled in the page: true once every chart's size is the same as at the previous poll and every shown
#: chart is drawn. The last sizes live on ``window`` between polls (reset by ``settle`` before it waits).
_CHARTS_STABLE = """([chart, drawn]) => {
    const els = Array.from(document.querySelectorAll(chart));
    const now = JSON.stringify(els.map(e => [e.clientWidth, e.clientHeight]));
    const same = window.__zcChartSizes === now;
    window.__zcChartSizes = now;
    return same && els.every(e => e.clientWidth === 0 || e.querySelector(drawn) !== null);
}"""


def settle(page, interval_ms: int = 400, timeout: float = 30_000) -> None:
    """After a viewport change or before a screenshot: no run in progress, every shown chart drawn and
    the charts' sizes unchanged over ``interval_ms``. Raises naming the charts' sizes if they never settle."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    wait_idle(page, timeout)
    page.evaluate("window.__zcChartSizes = null")
    try:
        page.wait_for_function(_CHARTS_STABLE, arg=[CHART, "svg.marks, canvas"], polling=interval_ms,
                               timeout=timeout)
    except PlaywrightTimeout:
        sizes = page.eval_on_selector_all(CHART, "els => els.map(e => [e.clientWidth, e.clientHeight])")
        raise AssertionError(f"the charts ({CHART}) were not all drawn with sizes unchanged over {interval_ms} ms "
                             f"within {timeout / 1000:g} s; sizes now {sizes}") from None


#: Installed by ``press_and_await_run``: notes when the page's script state next becomes ``running``.
WATCH_RUN = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    window.__zcRunStarted = false;
    const seen = new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') { window.__zcRunStarted = true; seen.disconnect(); }
    });
    seen.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def press_and_await_run(page, locator, key: str, timeout: float = 60_000) -> None:
    """Press ``key`` on ``locator`` and wait until the (fragment) rerun it starts has finished. Unlike
    ``wait_idle`` right after the press, this cannot return before the run has begun."""
    page.evaluate(WATCH_RUN)
    locator.press(key)
    page.wait_for_function("() => window.__zcRunStarted", timeout=timeout)
    wait_idle(page, timeout)


def slider_input(page, key: str):
    """The keyboard-focusable thumb of the slider with widget key ``key``."""
    return page.locator(f".st-key-{key} {SLIDER_INPUT}")


def artifacts_dir(*parts: str) -> Path:
    d = REPO.joinpath("artifacts", *parts)
    d.mkdir(parents=True, exist_ok=True)
    return d
