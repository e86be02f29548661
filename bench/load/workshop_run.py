"""``bench/bench_load.py --workshop``: participants in one room, optionally a server killed mid-way,
then every acknowledged submission checked against the database (bench/load/ledger.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import gevent
import locust.env

from .ledger import check
from .workshop_user import participant_user

REPO = Path(__file__).resolve().parent.parent.parent


def create_room(base_url: str, env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, "-m", "workshop", "create", "--title", "负载测试 load test",
                          "--question", "何时倍增？", "--base-url", base_url, "--prediction", "year"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)["room"]


def run_workshop(args) -> int:
    from testkit.browser import Server

    database_url = args.database_url or os.environ.get("DATABASE_URL") or os.environ.get("WORKSHOP_DATABASE_URL")
    if not database_url:
        print("bench_load --workshop: give --database-url (the database the servers use)", file=sys.stderr)
        return 2
    env = {**os.environ, "DATABASE_URL": database_url}
    server = None
    try:
        host = args.host
        if not host:  # one local server on that database (no kill unless --kill-cmd says how)
            os.environ["DATABASE_URL"] = database_url
            server = Server("app.py").start()
            host = server.url
        room = create_room(host, env)
        cls = participant_user(host, room, args.seed, revisions=args.revisions)
        envl = locust.env.Environment(user_classes=[cls], catch_exceptions=True)
        runner = envl.create_local_runner()
        print(f"Workshop load: {args.users} participants in room {room} on {host} "
              f"(seed {args.seed} + participant index), {args.revisions} submissions each")
        t0 = time.monotonic()
        killed = {}
        if args.kill_cmd and args.kill_after is not None:
            def kill() -> None:
                r = subprocess.run(args.kill_cmd, shell=True, capture_output=True, text=True, timeout=120)
                killed.update(at=time.monotonic() - t0, rc=r.returncode, out=(r.stdout + r.stderr).strip()[-300:])
            gevent.spawn_later(args.kill_after, kill)
        runner.start(args.users, spawn_rate=args.spawn_rate)
        deadline = t0 + args.workshop_timeout
        while time.monotonic() < deadline:
            gevent.sleep(1)
            if len(cls.logs) >= args.users and all(log.finished for log in cls.logs):
                break
        runner.quit()
        result = check(cls.logs, room, database_url)
    finally:
        if server is not None:
            server.cleanup()

    st = envl.stats
    print(f"  ran {time.monotonic() - t0:.0f} s; "
          + (f"kill command at {killed['at']:.0f} s (exit {killed['rc']}): {killed['out'] or '-'}" if killed
             else "no server killed"))
    print(f"  {'step':<8} {'count':>6} {'failed':>6} {'median ms':>9} {'p95 ms':>7}")
    for (name, method), e in sorted(st.entries.items(), key=lambda kv: kv[0][1]):
        if e.num_requests:
            print(f"  {method:<8} {e.num_requests:>6} {e.num_failures:>6} {e.get_response_time_percentile(0.5):>9.0f} "
                  f"{e.get_response_time_percentile(0.95):>7.0f}")
    joined = sum(1 for log in cls.logs if log.token)
    attempts = sum(log.attempts for log in cls.logs)
    unacked = [u for log in cls.logs for u in log.unacked]
    reconnects = sum(log.reconnects for log in cls.logs)
    print(f"  participants {len(cls.logs)}, joined {joined}, finished {sum(log.finished for log in cls.logs)}, "
          f"reconnects {reconnects}")
    print(f"  submit clicks {attempts}, acknowledged {result['acked']}, without confirmation {len(unacked)}"
          + (f" (e.g. {unacked[0]})" if unacked else ""))
    print(f"  database: {result['rows']} participants with a plan, {result['revisions']} revisions in all")
    print(f"  LOST acknowledged submissions: {result['lost']} (target 0)")
    if killed and not reconnects:
        # A kill that lands after the participants are done (or on a server nobody used) tests nothing.
        print("  WARNING: a server was killed but no participant reconnected: the kill tested nothing; "
              "use a smaller --kill-after (mid-way through the run)")
    for d in result["details"][:10]:
        print(f"    {d}")
    errs = [f"{e.method}: {e.error} ×{e.occurrences}" for e in st.errors.values()]
    for e in errs[:8]:
        print(f"  error: {e[:300]}")
    return 0 if result["lost"] == 0 else 1
