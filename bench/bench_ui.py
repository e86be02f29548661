"""Slider release → page updated: the app against a trivial Streamlit page, in headless Chromium.

    python -m bench.bench_ui [--moves 20] [--warmup 2] [--revisit]

Two servers run with the same flags (``streamlit run ... --server.headless true --server.fileWatcherType
none``): the real app (``app.py``) and ``bench/trivial_app.py`` (one URL-bound slider ``x`` and one small
Altair line chart). For every move the thumb of the slider (``investment`` in the app, ``x`` in the
trivial page) is focused and a key pressed; the page itself timestamps the keydown and, from a
MutationObserver, the first moment when the script state is back to ``notRunning`` and

* the app: the text of the doubling goal card has changed (also recorded: the total-output chart changed);
* the trivial page: its chart has changed.

Measured moves are PageUp / PageDown in turn (one page step: 5 points of investment growth, enough
to change the card; an arrow step of 0.1 can round to the same card). By default an unmeasured
ArrowRight follows each measured move, so every measured move asks for a scenario not seen before
(no ``st.cache_data`` hit): the figure is the cost of a real computation. ``--revisit`` drops the
extra step, so after the first two moves the app answers from its cache. The two pages are moved
in turn, so that background load on the machine hits both alike.

Prints median and p90 for both and the ratio real/trivial (target ≤ 1.3; printed, never asserted),
and per measured move: the server's CPU time (user + system of the server process, from /proc, read
before the key press and after the page is idle; target app ≤ 1.5× trivial), and what the websocket
carried to the browser (ForwardMsg frames with an element delta, and bytes), and the page's main-thread
busy time and JavaScript time (Chrome's Performance.getMetrics TaskDuration / ScriptDuration, read
before the key press and after the page is idle): where the browser's share of the latency goes.
Both servers are stopped at the end, also on errors and Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import sys
from pathlib import Path

from testkit.browser import (CARD, CHART, Server, browser_missing, launch_chromium,
                             slider_input, wait_idle)

REPO = Path(__file__).resolve().parent.parent

TARGET = 1.3
CPU_TARGET = 1.5
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
TIMEOUT_MS = 60_000

#: Installed in every page before it loads: timestamps of keydown and of the awaited change.
PROBE_JS = r"""
(() => {
  const B = window.__bench = {armed: false, t0: null, done: null, chart: null, sawRunning: false,
                              sel: null, before: null, chartSel: null, chartBefore: null};
  const scriptState = () => {
    const app = document.querySelector("[data-testid='stApp']");
    return app ? app.getAttribute('data-test-script-state') : null;
  };
  const read = (sel, prop) => { const el = sel && document.querySelector(sel); return el ? el[prop] : null; };
  const check = () => {
    if (!B.armed || B.t0 === null) return;
    const now = performance.now();
    const state = scriptState();
    if (state === 'running') B.sawRunning = true;
    if (B.chartSel && B.chart === null && read(B.chartSel, 'innerHTML') !== B.chartBefore) B.chart = now;
    if (B.done === null && state === 'notRunning') {
      const prop = B.sel === B.chartSel ? 'innerHTML' : 'textContent';
      const v = read(B.sel, prop);
      if (v !== null && v !== B.before) B.done = now;
    }
  };
  document.addEventListener('keydown', () => { if (B.armed && B.t0 === null) B.t0 = performance.now(); }, true);
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true,
                                                 characterData: true});
})();
"""

ARM_JS = r"""
([sel, chartSel]) => {
  const B = window.__bench;
  const prop = sel === chartSel ? 'innerHTML' : 'textContent';
  const el = document.querySelector(sel), chart = chartSel && document.querySelector(chartSel);
  Object.assign(B, {sel, chartSel, before: el ? el[prop] : null, chartBefore: chart ? chart.innerHTML : null,
                    t0: null, done: null, chart: null, sawRunning: false, armed: true});
}
"""
DONE_JS = "() => { const B = window.__bench; return B.done !== null && (B.chartSel === null || B.chart !== null); }"
RESULT_JS = "() => { const B = window.__bench; B.armed = false; return {t0: B.t0, done: B.done, chart: B.chart, running: B.sawRunning}; }"


class Target:
    """One page under test: which slider to move and which element must change."""

    def __init__(self, name: str, server: Server, slider: str, probe: str, chart: str) -> None:
        self.name, self.server, self.slider, self.probe, self.chart = name, server, slider, probe, chart
        self.page = None
        self.times: list[float] = []        # keydown → idle and probe changed (ms)
        self.chart_times: list[float] = []  # keydown → chart changed (ms)
        self.no_running = 0                 # moves whose 'running' state was never seen
        self.cpu: list[float] = []          # server CPU per move (ms)
        self.deltas: list[int] = []         # ForwardMsg element deltas per move
        self.bytes: list[int] = []          # websocket bytes to the browser per move
        self.browser: list[float] = []      # browser main-thread busy time per move (ms)
        self.browser_script: list[float] = []  # of which JavaScript (ms)
        self._frames: list[bytes] = []

    def server_cpu_ms(self) -> float:
        """User + system CPU time of the server process so far (ms), from /proc/<pid>/stat."""
        fields = Path(f"/proc/{self.server.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return 1e3 * (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def _on_ws(self, ws) -> None:
        if "_stcore/stream" in ws.url:
            ws.on("framereceived", lambda payload: self._frames.append(
                payload if isinstance(payload, bytes) else payload.encode()))

    def open(self, browser) -> None:
        ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        ctx.add_init_script(PROBE_JS)
        self.page = ctx.new_page()
        self.page.on("websocket", self._on_ws)
        self.cdp = ctx.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")
        self.page.goto(self.server.url + "/", timeout=TIMEOUT_MS)
        self.page.wait_for_selector(self.probe, timeout=TIMEOUT_MS)
        self.page.wait_for_selector(f"{CHART} svg.marks, {CHART} canvas", timeout=TIMEOUT_MS)
        wait_idle(self.page, timeout=TIMEOUT_MS)
        self.thumb = slider_input(self.page, self.slider)
        self.thumb.focus()

    def browser_ms(self) -> tuple[float, float]:
        """Main-thread busy time and JavaScript time of the page so far (ms), from Chrome's Performance domain."""
        m = {x["name"]: x["value"] for x in self.cdp.send("Performance.getMetrics")["metrics"]}
        return 1e3 * m["TaskDuration"], 1e3 * m["ScriptDuration"]

    def move(self, key: str, probe: str | None = None) -> dict:
        """Press ``key`` on the thumb; wait until the page is idle and ``probe`` (and the chart) changed."""
        self.page.evaluate(ARM_JS, [probe or self.probe, self.chart])
        self._frames.clear()
        cpu0, (task0, js0) = self.server_cpu_ms(), self.browser_ms()
        self.thumb.press(key)
        self.page.wait_for_function(DONE_JS, timeout=TIMEOUT_MS)
        wait_idle(self.page, timeout=TIMEOUT_MS)
        r = self.page.evaluate(RESULT_JS)
        r["cpu"] = self.server_cpu_ms() - cpu0
        task1, js1 = self.browser_ms()
        r["browser"], r["browser_script"] = task1 - task0, js1 - js0
        r["deltas"], r["bytes"] = count_deltas(self._frames), sum(len(f) for f in self._frames)
        return r

    def record(self, r: dict) -> None:
        self.times.append(r["done"] - r["t0"])
        self.chart_times.append(r["chart"] - r["t0"])
        self.no_running += not r["running"]
        self.cpu.append(r["cpu"])
        self.deltas.append(r["deltas"])
        self.bytes.append(r["bytes"])
        self.browser.append(r["browser"])
        self.browser_script.append(r["browser_script"])


def count_deltas(frames: list[bytes]) -> int:
    """How many of the websocket frames are ForwardMsg element deltas (new or changed elements/blocks)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    n = 0
    for f in frames:
        msg = ForwardMsg()
        try:
            msg.ParseFromString(f)
        except Exception:  # noqa: BLE001 — a frame that is not a ForwardMsg is not a delta
            continue
        n += msg.WhichOneof("type") == "delta"
    return n


def p90(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=10, method="inclusive")[-1] if len(xs) > 1 else xs[0]


def run(args: argparse.Namespace) -> int:
    from playwright.sync_api import sync_playwright

    servers: list[Server] = []
    try:
        real_srv = Server("app.py").start()
        servers.append(real_srv)
        triv_srv = Server("bench/trivial_app.py").start()
        servers.append(triv_srv)
        real = Target("app (investment → doubling card)", real_srv, "investment",
                      f"{CARD}[data-goal='doubling']", CHART)
        triv = Target("trivial (x → chart)", triv_srv, "x", CHART, CHART)
        with sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                for t in (real, triv):
                    t.open(browser)
                keys = ("PageUp", "PageDown")
                for i in range(args.warmup + args.moves):
                    for t in (real, triv):
                        r = t.move(keys[i % 2])
                        if i >= args.warmup:
                            t.record(r)
                        if not args.revisit:  # step off the grid: the next move is a new scenario
                            t.move("ArrowRight", probe=CHART)
                    if sys.stderr.isatty():
                        print(f"\r  move {i + 1}/{args.warmup + args.moves}", end="", file=sys.stderr, flush=True)
                if sys.stderr.isatty():
                    print(file=sys.stderr)
                final = {t.name: t.thumb.input_value() for t in (real, triv)}
            finally:
                browser.close()
    finally:
        for s in servers:
            s.cleanup()

    print(f"UI latency: key press on a slider thumb → script idle and result changed "
          f"({args.moves} moves each after {args.warmup} warm-up, "
          f"{'revisiting two values (cache hits)' if args.revisit else 'every move a new scenario (no cache hits)'})")
    print(f"  machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"  {'page':<36} {'median ms':>10} {'p90 ms':>8} {'min':>7} {'max':>7}  chart median / p90 ms")
    for t in (real, triv):
        print(f"  {t.name:<36} {statistics.median(t.times):10.0f} {p90(t.times):8.0f} {min(t.times):7.0f} "
              f"{max(t.times):7.0f}  {statistics.median(t.chart_times):.0f} / {p90(t.chart_times):.0f}")
    print(f"  {'page':<36} {'CPU ms/move':>11} {'deltas/move':>11} {'KB/move':>8}   (medians; server process)")
    for t in (real, triv):
        print(f"  {t.name:<36} {statistics.median(t.cpu):11.0f} {statistics.median(t.deltas):11.0f} "
              f"{statistics.median(t.bytes) / 1024:8.1f}")
    print(f"  {'page':<36} {'browser ms/move':>15} {'of which JS':>11}   (medians; page main thread, "
          f"includes the harness's own polling, alike for both)")
    for t in (real, triv):
        print(f"  {t.name:<36} {statistics.median(t.browser):15.0f} {statistics.median(t.browser_script):11.0f}")
    cpu_ratio = statistics.median(real.cpu) / max(statistics.median(triv.cpu), 1e-9)
    print(f"  server CPU per move real/trivial: {cpu_ratio:.2f} (target ≤ {CPU_TARGET}: "
          f"{'within' if cpu_ratio <= CPU_TARGET else 'above'} target); load average {os.getloadavg()}")
    ratio = statistics.median(real.times) / statistics.median(triv.times)
    ratio90 = p90(real.times) / p90(triv.times)
    print(f"  ratio real/trivial: median {ratio:.2f}, p90 {ratio90:.2f} (target ≤ {TARGET}: "
          f"{'within' if ratio <= TARGET else 'above'} target)")
    for t in (real, triv):
        if t.no_running:
            print(f"  note: {t.name}: the 'running' script state was not seen on {t.no_running} moves")
    print(f"  final slider values: {final}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--moves", type=int, default=20, help="measured moves per page (default 20)")
    ap.add_argument("--warmup", type=int, default=2, help="unrecorded moves first (default 2)")
    ap.add_argument("--revisit", action="store_true",
                    help="alternate between two slider values (the app then answers from its cache)")
    args = ap.parse_args(argv)
    if args.moves < 1 or args.warmup < 0:
        ap.error("--moves must be ≥ 1 and --warmup ≥ 0")
    reason = browser_missing()
    if reason:
        print(f"bench_ui: cannot run: {reason}", file=sys.stderr)
        return 2
    # SIGTERM (e.g. a CI timeout) unwinds through the finally blocks, which stop both servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
