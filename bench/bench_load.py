"""Many simulated users on the app and on the trivial page: a protocol-level load test (Locust).

    python -m bench.bench_load [--levels 1,10,30,60] [--duration 60] [--settle 130] [--seed 1]
    python -m bench.bench_load --capacity [--steps 1,2,3,5,10,20,30,40,60]
    python -m bench.bench_load --host http://proxy:8080 [--trivial-host URL] [--server-ports 8601,8602]

Each simulated user is a browser tab speaking Streamlit's websocket protocol (bench/load/client.py,
checked against a real browser's frames by tests/test_load_client.py): it loads the page, then moves
a slider (``investment`` in the app, ``x`` in bench/trivial_app.py) to a fresh value, waits for the
run's ``script_finished`` and thinks 0.5–2 s (seeded), again and again. Locust (as a library,
headless) runs the users and keeps the statistics.

Without ``--host`` the bench starts its own two servers with the flags of bench/bench_ui.py. Levels
alternate between the pages (app then trivial, trivial then app, …) so background load on the
machine hits both alike. For each page and level it prints moves, median and p95 of move →
``script_finished``, errors (failed moves: exception on the page, error box, lost connection,
timeout), server CPU per move (CPU seconds of the server process tree during the measured window /
moves), and the server's RSS before the users connect, at its peak, and ``--settle`` seconds after
the last tab closed (Streamlit keeps a closed tab's session for ``server.disconnectedSessionTTL``,
120 s by default), with (peak − start) / users as the memory of one session.

``--capacity`` steps the level up until p95 > 1 s and prints the largest level within it, per page.
``--workshop`` runs workshop participants instead (see bench/load/workshop_user.py).
Prints figures only; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import gevent  # Locust patches the standard library when it is imported
import locust.env
import psutil

from bench.load.client import Session
from bench.load.users import THINK, slider_user
from testkit.browser import Server

REPO = Path(__file__).resolve().parent.parent

P95_TARGET = 1.0  # s, issue 11 P4
PAGES = {"app": ("app.py", "investment"), "trivial": ("bench/trivial_app.py", "x")}


@dataclass
class Row:
    page: str
    users: int
    moves: int = 0
    median: float = 0.0
    p95: float = 0.0
    errors: int = 0
    cpu_per_move: float | None = None
    rss_start: float | None = None
    rss_peak: float | None = None
    rss_after: float | None = None
    load: float = 0.0
    error_text: str = ""


class Watched:
    """The server processes of one page: their CPU time and RSS (process tree, MB)."""

    def __init__(self, pids: list[int]) -> None:
        self.procs = [psutil.Process(p) for p in pids]

    def _tree(self) -> list[psutil.Process]:
        out = []
        for p in self.procs:
            try:
                out += [p, *p.children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
        return out

    def _sum(self, read) -> float:
        total = 0.0
        for p in self._tree():
            try:
                total += read(p)
            except psutil.NoSuchProcess:  # a server or child that ended meanwhile
                pass
        return total

    def cpu(self) -> float:
        """User + system CPU seconds so far."""
        return self._sum(lambda p: sum(p.cpu_times()[:2]))

    def rss(self) -> float:
        return self._sum(lambda p: p.memory_info().rss) / 2**20


def pids_listening(ports: list[int]) -> list[int]:
    pids = {c.pid for c in psutil.net_connections("tcp") if c.status == psutil.CONN_LISTEN and c.laddr.port in ports
            and c.pid}
    return sorted(pids)


def run_level(page: str, host: str, users: int, args: argparse.Namespace, watched: Watched | None) -> Row:
    """``users`` tabs on ``page`` for ``args.duration`` s after every tab has loaded."""
    cls = slider_user(page, PAGES[page][1], host, args.seed)
    env = locust.env.Environment(user_classes=[cls], catch_exceptions=True)
    runner = env.create_local_runner()
    row = Row(page, users)
    row.rss_start = watched.rss() if watched else None
    peak = [row.rss_start or 0.0]

    def sample() -> None:
        while True:
            peak[0] = max(peak[0], watched.rss())
            gevent.sleep(0.5)

    sampler = gevent.spawn(sample) if watched else None
    runner.start(users, spawn_rate=args.spawn_rate)
    deadline = time.monotonic() + args.load_timeout
    while cls.ready + cls.failed < users and time.monotonic() < deadline:
        gevent.sleep(0.2)
    if cls.ready < users:
        row.error_text = f"only {cls.ready}/{users} tabs loaded within {args.load_timeout:.0f} s"
    env.stats.reset_all()  # measure only the steady state: every tab loaded and moving
    cpu0 = watched.cpu() if watched else 0.0
    row.load = os.getloadavg()[0]
    gevent.sleep(args.duration)
    cpu1 = watched.cpu() if watched else 0.0
    s = env.stats.get(page, "move")
    runner.quit()  # on_stop closes every websocket
    if sampler is not None:
        sampler.kill()
        row.rss_peak = max(peak[0], watched.rss())
    row.moves = s.num_requests
    row.errors = s.num_failures + sum(e.occurrences for e in env.stats.errors.values() if e.method != "move")
    if s.num_requests:
        row.median = s.get_response_time_percentile(0.5) / 1000
        row.p95 = s.get_response_time_percentile(0.95) / 1000
    if watched and row.moves:
        row.cpu_per_move = (cpu1 - cpu0) / row.moves
    errs = [f"{e.method} {e.name}: {e.error} ×{e.occurrences}" for e in env.stats.errors.values()]
    if errs:
        row.error_text = (row.error_text + "; " if row.error_text else "") + "; ".join(errs)[:500]
    return row


def warm_up(host: str, slider: str) -> None:
    """One tab loads the page and moves once, then closes (unmeasured)."""
    s = Session(host)
    try:
        s.first_run()
        p = s.widget(key=slider).proto
        s.move(slider, p.min + p.step)
    finally:
        s.close()


def fmt(x: float | None, scale: float = 1.0, digits: int = 0) -> str:
    return "—" if x is None else f"{x * scale:.{digits}f}"


def print_table(rows: list[Row], settle: float) -> None:
    print(f"  {'page':<8} {'users':>5} {'moves':>6} {'median ms':>9} {'p95 ms':>7} {'errors':>6} "
          f"{'CPU/move ms':>11} {'RSS start MB':>12} {'peak':>6} {'after':>6} {'MB/session':>10} {'load1':>5}")
    for r in rows:
        per = (None if r.rss_peak is None or r.rss_start is None
               else (r.rss_peak - r.rss_start) / r.users)
        print(f"  {r.page:<8} {r.users:>5} {r.moves:>6} {fmt(r.median, 1000):>9} {fmt(r.p95, 1000):>7} "
              f"{r.errors:>6} {fmt(r.cpu_per_move, 1000):>11} {fmt(r.rss_start):>12} {fmt(r.rss_peak):>6} "
              f"{fmt(r.rss_after):>6} {fmt(per, 1, 1):>10} {r.load:>5.2f}")
    for r in rows:
        if r.error_text:
            print(f"  note: {r.page} × {r.users}: {r.error_text}")
    print((f"  RSS after = {settle:.0f} s after the level's last tab closed (server.disconnectedSessionTTL "
           f"is 120 s by default); " if settle > 0 else "  RSS after: not measured (--settle 0); ")
          + "MB/session = (peak − start) / users.")


def settle(rows_watch: list[tuple[Row, Watched | None, float]], seconds: float) -> None:
    """Wait until ``seconds`` have passed since each row's tabs closed, then read the RSS after."""
    for row, watched, closed_at in rows_watch:
        if watched is None:
            continue
        gevent.sleep(max(0.0, closed_at + seconds - time.monotonic()))
        row.rss_after = watched.rss()


def measure(args: argparse.Namespace, hosts: dict[str, str], watch: dict[str, Watched | None]) -> list[Row]:
    rows: list[Row] = []
    order = list(hosts)
    for i, users in enumerate(args.levels):
        pending = []
        for page in (order if i % 2 == 0 else order[::-1]):
            print(f"  … {page} × {users} users ({args.duration:.0f} s, load average "
                  f"{os.getloadavg()[0]:.2f})", file=sys.stderr, flush=True)
            row = run_level(page, hosts[page], users, args, watch[page])
            rows.append(row)
            pending.append((row, watch[page], time.monotonic()))
        if args.settle > 0:
            settle(pending, args.settle)
    return rows


def capacity(args: argparse.Namespace, hosts: dict[str, str], watch: dict[str, Watched | None]) -> list[Row]:
    rows, best, over = [], {p: 0 for p in hosts}, set()
    for i, users in enumerate(args.steps):
        pages = [p for p in (list(hosts) if i % 2 == 0 else list(hosts)[::-1]) if p not in over]
        if not pages:
            break
        for page in pages:
            print(f"  … capacity: {page} × {users} users", file=sys.stderr, flush=True)
            row = run_level(page, hosts[page], users, args, watch[page])
            rows.append(row)
            if row.moves and row.p95 <= P95_TARGET and row.errors == 0:
                best[page] = users
            else:
                over.add(page)
    print_table(rows, args.settle)
    for page, n in best.items():
        print(f"  capacity {page}: {n} users at p95 ≤ {P95_TARGET:.0f} s and 0 errors"
              + ("" if page in over else f" (never exceeded up to {args.steps[-1]})"))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ints = lambda s: [int(x) for x in s.split(",") if x.strip()]  # noqa: E731
    ap.add_argument("--levels", type=ints, default=[1, 10, 30, 60], help="users per level (default 1,10,30,60)")
    ap.add_argument("--duration", type=float, default=60.0, help="measured seconds per page and level (default 60)")
    ap.add_argument("--settle", type=float, default=130.0,
                    help="seconds after the tabs closed before reading 'RSS after' (default 130; 0 = skip)")
    ap.add_argument("--seed", type=int, default=1, help="user i thinks and picks values from Random(seed + i)")
    ap.add_argument("--spawn-rate", type=float, default=5.0, help="tabs opened per second (default 5)")
    ap.add_argument("--load-timeout", type=float, default=180.0, help="seconds for every tab to load")
    ap.add_argument("--pages", default="app,trivial", help="which pages (default app,trivial)")
    ap.add_argument("--capacity", action="store_true", help="find the largest level with p95 ≤ 1 s")
    ap.add_argument("--steps", type=ints, default=[1, 2, 3, 5, 10, 20, 30, 40, 60],
                    help="levels tried by --capacity (default 1,2,3,5,10,20,30,40,60)")
    ap.add_argument("--host", help="URL of a running app (e.g. the deploy proxy) instead of starting one")
    ap.add_argument("--trivial-host", help="URL of a running trivial page (with --host)")
    ap.add_argument("--server-ports", type=ints, default=[],
                    help="with --host: local ports of the app's servers (CPU and RSS; each one warmed up)")
    ap.add_argument("--trivial-ports", type=ints, default=[], help="the same for --trivial-host")
    ap.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    ap.add_argument("--workshop", action="store_true", help="workshop participants (bench/load/workshop_user.py)")
    ap.add_argument("--users", type=int, default=30, help="--workshop: participants (default 30)")
    ap.add_argument("--workshop-timeout", type=float, default=300.0,
                    help="--workshop: seconds before the participants are stopped (default 300)")
    ap.add_argument("--kill-after", type=float, help="--workshop: seconds before running --kill-cmd")
    ap.add_argument("--kill-cmd", help="--workshop: shell command that kills a server mid-way")
    ap.add_argument("--database-url", help="--workshop: the servers' workshop database (default: $DATABASE_URL)")
    ap.add_argument("--revisions", type=int, default=4, help="--workshop: submissions per participant (default 4)")
    args = ap.parse_args(argv)
    pages = [p for p in args.pages.split(",") if p]
    if any(p not in PAGES for p in pages) or not args.levels or min(args.levels + args.steps) < 1:
        ap.error("--pages is a subset of app,trivial; levels are positive")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if args.workshop:
        from bench.load.workshop_run import run_workshop
        return run_workshop(args)

    servers: list[Server] = []
    try:
        hosts, watch = {}, {}
        if args.host:
            hosts["app"] = args.host
            watch["app"] = Watched(pids_listening(args.server_ports)) if args.server_ports else None
            if args.trivial_host:
                hosts["trivial"] = args.trivial_host
                watch["trivial"] = Watched(pids_listening(args.trivial_ports)) if args.trivial_ports else None
            hosts = {p: h for p, h in hosts.items() if p in pages}
        else:
            for page in pages:
                srv = Server(PAGES[page][0]).start()
                servers.append(srv)
                hosts[page], watch[page] = srv.url, Watched([srv.proc.pid])
        for page, host in hosts.items():  # imports, caches of the baseline: not a session's cost
            warm_up(host, PAGES[page][1])
            ports = {"app": args.server_ports, "trivial": args.trivial_ports}[page] if args.host else []
            for port in ports:  # behind a proxy: every server, directly
                warm_up(f"http://127.0.0.1:{port}", PAGES[page][1])
        print(f"Load test: move a slider → script_finished, think {THINK[0]:g}–{THINK[1]:g} s (seed {args.seed} + user index), "
              f"Locust {locust.__version__}")
        print(f"  machine: {os.cpu_count()} cores, Python {platform.python_version()}, load average at start "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("  servers: " + ", ".join(f"{p} {h}" for p, h in hosts.items())
              + ("" if args.host else " (started here, flags of bench/bench_ui.py)"))
        if args.capacity:
            rows = capacity(args, hosts, watch)
        else:
            rows = measure(args, hosts, watch)
            print(f"  {args.duration:.0f} s measured per page and level after every tab loaded")
            print_table(rows, args.settle)
            for users in args.levels:
                by = {r.page: r for r in rows if r.users == users}
                if "app" in by and "trivial" in by and by["trivial"].median and by["trivial"].cpu_per_move:
                    a, t = by["app"], by["trivial"]
                    print(f"  {users:>3} users: app/trivial median {a.median / t.median:.2f}, p95 {a.p95 / t.p95:.2f}"
                          f", CPU per move {a.cpu_per_move / t.cpu_per_move:.2f} (target ≤ 1.5)")
        print(f"  load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.json:
            args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1), encoding="utf-8")
    finally:
        for s in servers:
            s.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
