"""Validate the load test's single-user figure against a real browser's, same server, same run.

    python -m bench.load.validate [--moves 20] [--pages app,trivial]

For each page, one headless Chromium tab (bench/bench_ui.py's measurement: key press on the slider
thumb → script state back to ``notRunning`` and the probed element changed) and one protocol client
tab (bench/load/client.py: rerun sent → ``script_finished``, what bench/bench_load.py times) move
the same slider in turn, every move a scenario not computed before. The browser's figure also holds
the keyboard event, the websocket to the browser and the rendering, so it is expected to be higher;
the script prints both medians, p90s and the difference.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

from bench.bench_ui import Target, p90
from bench.load.client import Session
from testkit.browser import CARD, CHART, Server, browser_missing, launch_chromium

REPO = Path(__file__).resolve().parent.parent.parent

PAGES = {"app": ("app.py", "investment", f"{CARD}[data-goal='doubling']"),
         "trivial": ("bench/trivial_app.py", "x", CHART)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--pages", default="app,trivial")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    reason = browser_missing()
    if reason:
        print(f"validate: cannot run: {reason}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    rng = random.Random(args.seed)
    print(f"Single user: protocol client (rerun → script_finished) vs headless Chromium (key press → idle "
          f"and result changed), {args.moves} moves each, alternating, same server")
    print(f"  {'page':<8} {'client median':>13} {'p90':>6} {'browser median':>14} {'p90':>6} {'browser − client':>16}")
    for name in args.pages.split(","):
        script, slider, probe = PAGES[name]
        with Server(script) as srv, sync_playwright() as p:
            browser = launch_chromium(p)
            client = Session(srv.url)
            try:
                target = Target(name, srv, slider, probe, CHART)
                target.open(browser)
                client.first_run()
                spec = client.widget(key=slider).proto
                n = int(round((spec.max - spec.min) / spec.step))
                ctimes = []
                for i in range(args.moves + 2):
                    r = target.move(("PageUp", "PageDown")[i % 2])
                    target.move("ArrowRight", probe=CHART)  # off the grid: the next move is new, as bench_ui
                    run = client.move(slider, round(spec.min + rng.randint(0, n) * spec.step, 10))
                    if not run.ok:
                        raise RuntimeError(f"client move failed: {run}")
                    if i >= 2:  # two warm-up moves, as bench_ui
                        target.record(r)
                        ctimes.append(run.seconds * 1000)
            finally:
                client.close()
                browser.close()
        cm, bm = statistics.median(ctimes), statistics.median(target.times)
        print(f"  {name:<8} {cm:>10.0f} ms {p90(ctimes):>6.0f} {bm:>11.0f} ms {p90(target.times):>6.0f} "
              f"{bm - cm:>13.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
