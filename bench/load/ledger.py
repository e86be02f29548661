"""Acknowledged workshop submissions against the database (no Locust here: tests import it).

A participant's row keeps the latest plan, its reason and the number of revisions. An acknowledged
submission is lost when the row has fewer revisions than the participant had acknowledged, or when
it has exactly as many but a different plan or reason than the last acknowledged one (a click that
got no confirmation may still have been stored: then the row is one revision ahead, which is fine).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Log:
    """What one participant did and what the server acknowledged."""

    index: int
    token: str = ""
    acked: list[tuple[dict[str, float], str]] = field(default_factory=list)  # (plan, reason), in order
    attempts: int = 0         # submit clicks
    unacked: list[str] = field(default_factory=list)  # why a click got no confirmation
    reconnects: int = 0
    submitted_all: bool = False  # every planned submission made; waiting for the reveal
    finished: bool = False
    watch: object = None  # bench/load/secret.py ``Watch``: what reached the page before and after the reveal


def check(logs: list[Log], room: str, database_url: str) -> dict:
    """Acknowledged submissions against the rows in the database."""
    from workshop import WorkshopError
    from workshop.settings import Settings
    from workshop.store import Store

    store = Store(Settings.from_env({"DATABASE_URL": database_url}))
    try:
        acked = lost = rows = revisions = 0
        details = []
        for log in logs:
            acked += len(log.acked)
            if not log.token:
                continue
            try:
                me = store.me(room, log.token)
            except WorkshopError as exc:  # the participant's row itself is gone
                lost += len(log.acked)
                details.append(f"participant {log.index}: {len(log.acked)} acknowledged, no row ({exc.key})")
                continue
            if me.plan is not None:
                rows += 1
            revisions += me.revisions
            if not log.acked:
                continue
            plan, reason = log.acked[-1]
            same = me.plan is not None and me.reason == reason and all(
                abs(me.plan.get(k, float("nan")) - v) < 1e-9 for k, v in plan.items())
            if me.revisions < len(log.acked) or (me.revisions == len(log.acked) and not same):
                lost += max(len(log.acked) - me.revisions, 1)
                details.append(f"participant {log.index}: {len(log.acked)} acknowledged, row has "
                               f"{me.revisions} revisions, last plan {'matches' if same else 'differs'}")
        return {"acked": acked, "rows": rows, "revisions": revisions, "lost": lost, "details": details}
    finally:
        store.dispose()
