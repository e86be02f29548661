"""Memory per session: the server's RSS with 1 and with N open pages, and after they close.

    python -m bench.bench_sessions [--sessions 30] [--ttl 5] [--concurrency 4] [--new-scenarios] [--after 180]

Starts the app (``streamlit run``, ``server.disconnectedSessionTTL`` = ``--ttl`` seconds so that the
clean-up is seen within the run; the app's own setting is in .streamlit/config.toml), opens one page in
headless Chromium and waits until it has drawn its goal cards, then opens the others one by one, each a
new browser context (a new Streamlit session) that moves a slider once. Prints the server's resident
memory (from /proc) after the first page, after all N, and again after every page has been closed and
the TTL has passed (plus Python's garbage collection after the next run), with the bytes per session.

``--concurrency K`` opens the pages K at a time (all K load and move their slider together, as a room of
people arriving at once does); ``--new-scenarios`` gives every page its own settings in the link (each a
scenario the server has not computed yet, so its caches fill); ``--after S`` waits S seconds after the
pages closed before the last reading (issue 21 measured 180 s after).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from testkit.browser import (CARD, Server, browser_missing, launch_chromium, press_and_await_run, slider_input,
                             wait_idle)

REPO = Path(__file__).resolve().parent.parent


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def open_pages(browser, urls: list[str], move: bool) -> list:
    """Open ``urls`` together (each a new context: a new session); returns the contexts once all have drawn
    their goal cards (and, with ``move``, moved the investment slider one step)."""
    ctxs = [browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN") for _ in urls]
    pages = [ctx.new_page() for ctx in ctxs]
    for page, url in zip(pages, urls):
        page.goto(url, timeout=120_000, wait_until="commit")
    for page in pages:
        page.wait_for_selector(CARD, timeout=180_000)
        wait_idle(page, timeout=180_000)
    if move:
        for page in pages:  # one after another: each key press awaits the rerun it starts
            thumb = slider_input(page, "investment")
            thumb.focus()
            press_and_await_run(page, thumb, "PageUp", timeout=180_000)
    return ctxs


def open_page(browser, url: str, move: bool):
    return open_pages(browser, [url], move)[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--ttl", type=int, default=5, help="server.disconnectedSessionTTL for this run, seconds")
    ap.add_argument("--concurrency", type=int, default=1, help="pages opened at a time (default 1)")
    ap.add_argument("--new-scenarios", action="store_true", help="every page on its own settings (?investment=…)")
    ap.add_argument("--after", type=float, default=None, help="seconds to wait after closing (default TTL + 5)")
    args = ap.parse_args(argv)
    reason = browser_missing()
    if reason:
        print(f"bench_sessions: cannot run: {reason}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with Server("app.py", extra_args=("--server.disconnectedSessionTTL", str(args.ttl))) as srv, \
            sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            pid = srv.proc.pid
            urls = [srv.url + (f"/?investment={1 + 0.1 * i:.1f}" if args.new_scenarios else "/")
                    for i in range(args.sessions)]
            ctxs = [open_page(browser, urls[0], move=True)]
            one = rss_mb(pid)
            k = max(1, args.concurrency)
            for start in range(1, args.sessions, k):
                ctxs += open_pages(browser, urls[start:start + k], move=True)
            many = rss_mb(pid)
            for ctx in ctxs:
                ctx.close()
            time.sleep(args.ttl + 5 if args.after is None else args.after)  # what is measured: the server after the closed sessions' TTL has run out
            last = open_page(browser, srv.url + "/", move=False)  # a run after the clean-up (and its GC)
            time.sleep(1)  # the RSS a second after the run (the figure has always been taken so)
            after = rss_mb(pid)
            last.close()
        finally:
            browser.close()
    per = (many - one) / max(args.sessions - 1, 1)
    print(f"{args.sessions} sessions, {args.concurrency} at a time, "
          f"{'each on new settings' if args.new_scenarios else 'all on the default settings'}; "
          f"server RSS: 1 session {one:.0f} MB; {args.sessions} sessions {many:.0f} MB "
          f"(+{per:.1f} MB per session); all closed, {args.ttl + 5 if args.after is None else args.after:g} s later "
          f"(TTL {args.ttl} s), one new session: {after:.0f} MB "
          f"({after - many:+.0f} MB); load average {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
