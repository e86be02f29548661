"""``bench/bench_load.py --workshop``: participants in one room, optionally a server killed mid-way,
then every acknowledged submission checked against the database (bench/load/ledger.py).

The room keeps its secret (issue 18, item 8): every participant watches every element its websocket
receives (bench/load/secret.py). Once all have made their submissions, the facilitator reveals the
model's answer; each participant then waits on its page for the answer and the goal cards. The run
fails (exit 1) when any element before the reveal carried model output, when a participant's page did
not show the answer after it, or when an acknowledged submission is missing from the database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import gevent
import locust.env

from .ledger import check
from .secret import answer_texts
from .workshop_user import participant_user

REPO = Path(__file__).resolve().parent.parent.parent


def create_room(base_url: str, env: dict[str, str]) -> tuple[str, str]:
    """A room made as a facilitator would from a shell: its code and its facilitator key."""
    out = subprocess.run([sys.executable, "-m", "workshop", "create", "--title", "负载测试 load test",
                          "--question", "何时倍增？", "--base-url", base_url, "--prediction", "year"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=True)
    made = json.loads(out.stdout)
    key = urllib.parse.parse_qs(urllib.parse.urlsplit(made["facilitator_url"]).query)["key"][0]
    return made["room"], key


def room_answers(room: str, database_url: str) -> tuple[str, ...]:
    """The model's answer to the room's question, as the pages word it (both languages)."""
    from model import load_baseline
    from workshop import Settings, Store

    store = Store(Settings.from_env({"DATABASE_URL": database_url}))
    try:
        spec = store.room(room).spec
    finally:
        store.dispose()
    return answer_texts(load_baseline(os.environ.get("SIMULATOR_DATA_DIR") or None), spec)


def reveal(logs: list, room: str, key: str, database_url: str) -> None:
    """The facilitator's "Reveal": every watch is told first, so nothing received after the reveal is
    stored counts as before it (an element in between counts as after: no false leak, never a missed one
    that arrived before the click)."""
    from workshop import Settings, Store

    for log in logs:
        log.watch.revealed = True
    store = Store(Settings.from_env({"DATABASE_URL": database_url}))
    try:
        store.reveal(room, key, True)
    finally:
        store.dispose()


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
        room, key = create_room(host, env)
        answers = room_answers(room, database_url)
        cls = participant_user(host, room, args.seed, revisions=args.revisions, answers=answers, await_reveal=True)
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
        revealed_at = None
        while time.monotonic() < deadline:
            gevent.sleep(1)
            if len(cls.logs) < args.users:
                continue
            if revealed_at is None and all(log.submitted_all or log.finished for log in cls.logs):
                reveal(cls.logs, room, key, database_url)
                revealed_at = time.monotonic() - t0
            if all(log.finished for log in cls.logs):
                break
        if revealed_at is None:  # out of time: reveal anyway, so what came before is judged
            reveal(cls.logs, room, key, database_url)
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
    secret = secret_summary(cls.logs)
    print(f"  the model's answer {' / '.join(answers)}: revealed at "
          + (f"{revealed_at:.0f} s" if revealed_at is not None else "the end (time out)"))
    print(f"  before the reveal: {secret['before']} elements received, LEAKS {secret['leaks']} in "
          f"{secret['leaking']} participants (target 0)")
    for d in secret["details"][:10]:
        print(f"    {d}")
    print(f"  after the reveal: {secret['after']} elements; answer shown to {secret['answered']} "
          f"of {secret['joined']} joined participants, goal cards to {secret['carded']} (target all)")
    errs = [f"{e.method}: {e.error} ×{e.occurrences}" for e in st.errors.values()]
    for e in errs[:8]:
        print(f"  error: {e[:300]}")
    kept = secret["leaks"] == 0 and secret["answered"] == secret["carded"] == secret["joined"]
    return 0 if result["lost"] == 0 and kept else 1


def secret_summary(logs: list) -> dict:
    """The participants' watches summed: elements before / after the reveal, leaks, who saw the answer."""
    joined = [log for log in logs if log.token]
    return {"before": sum(log.watch.before for log in logs), "after": sum(log.watch.after for log in logs),
            "leaks": sum(len(log.watch.leaks) for log in logs),
            "leaking": sum(1 for log in logs if log.watch.leaks),
            "details": [f"participant {log.index}: {leak}" for log in logs for leak in log.watch.leaks],
            "joined": len(joined), "answered": sum(1 for log in joined if log.watch.answer_seen),
            "carded": sum(1 for log in joined if log.watch.cards_seen)}
