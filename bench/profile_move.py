"""Where a slider move spends the server's time: py-spy on a real server while a browser moves a slider.

    python -m bench.profile_move [--moves 20] [--top 15] [--script app.py]

Starts the app (``streamlit run``), opens it in headless Chromium, then samples the server process
with py-spy (``record --format raw``, 200 Hz, GIL-holding stacks only) while the investment slider is
moved ``--moves`` times, each to a scenario not seen before (PageUp/PageDown then ArrowRight, as
bench_ui does). Prints the functions with the most *inclusive* samples (a function counts once per
stack it appears in) as a share of the samples taken inside script runs — the cumulative view of
cProfile, without cProfile's overhead or its main-thread-only blind spot (scripts run in their own
thread).

Needs py-spy (requirements-dev.txt) and the permission to ptrace the server (root, or
kernel.yama.ptrace_scope = 0).
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from testkit.browser import Server, browser_missing, launch_chromium, press_and_await_run, slider_input, wait_idle

REPO = Path(__file__).resolve().parent.parent

#: A frame in py-spy's raw (collapsed) output: ``function (file:line)``.
FRAME = re.compile(r"^(?P<fn>.+?) \((?P<file>[^():]+)(?::\d+)?\)$")
#: Stacks inside a script run (the whole script or a fragment rerun).
IN_RUN = "_run_script"


def inclusive(raw: str) -> tuple[collections.Counter, int]:
    """Inclusive sample counts per ``function (file)`` over the stacks inside script runs, and their total."""
    counts: collections.Counter = collections.Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit() or IN_RUN not in stack:
            continue
        n_i = int(n)
        total += n_i
        seen = set()
        for frame in stack.split(";"):
            m = FRAME.match(frame.strip())
            name = f"{m['fn']} ({_short(m['file'])})" if m else frame.strip()
            if name not in seen:
                seen.add(name)
                counts[name] += n_i
    return counts, total


def _short(path: str) -> str:
    for marker in ("site-packages/", str(REPO) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--script", default="app.py")
    ap.add_argument("--slider", default="investment")
    args = ap.parse_args(argv)
    reason = browser_missing() or (None if shutil.which("py-spy") else "py-spy is not installed")
    if reason:
        print(f"profile_move: cannot run: {reason}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    out = Path(tempfile.mkstemp(prefix="profile_move_", suffix=".txt")[1])
    with Server(args.script) as srv, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(srv.url + "/", timeout=60_000)
            thumb = slider_input(page, args.slider)
            thumb.wait_for(timeout=60_000)
            wait_idle(page, 60_000)
            thumb.focus()
            spy = subprocess.Popen(["py-spy", "record", "--pid", str(srv.proc.pid), "--format", "raw", "--rate", "200",
                                    "--gil", "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                for i in range(args.moves):
                    for key in ("PageUp" if i % 2 == 0 else "PageDown", "ArrowRight"):
                        press_and_await_run(page, thumb, key)
            finally:
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=60)
        finally:
            browser.close()
    counts, total = inclusive(out.read_text())
    out.unlink()
    print(f"py-spy, {args.script}: {2 * args.moves} slider moves, {total} GIL samples at 200 Hz inside script runs "
          f"({total / 200 / (2 * args.moves) * 1e3:.0f} ms per move)")
    print(f"  {'inclusive %':>11}  function (file)")
    for name, n in counts.most_common(args.top):
        print(f"  {100 * n / max(total, 1):10.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
