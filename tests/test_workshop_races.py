"""Workshop limits under simultaneous requests (issue 21, findings 2 and 3), on SQLite and PostgreSQL.

Threads released together by a barrier stand in for people pressing a button at the same moment
(200 phones joining, one participant's link open in two tabs).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from model import load_baseline
from workshop import Settings, Store, WorkshopError, parse_room_spec
from workshop.settings import sqlalchemy_url
from workshop_support import need_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'workshop.db'}" if request.param == "sqlite"
           else sqlalchemy_url(need_postgres()))
    s = Store(Settings(database_url=url, max_participants=120, submit_interval_s=5, room_ttl_hours=72))
    yield s
    s.dispose()


@pytest.fixture(scope="module")
def spec():
    return parse_room_spec({"title": "races", "levers": {"investment": {"lo": 0, "hi": 30}}, "prediction": "year"},
                           load_baseline())


def together(n: int, fn) -> list[str]:
    """``fn(i)`` for i < n in n threads started at once; each outcome is "ok" or the refusal's key."""
    gate = threading.Barrier(n)

    def one(i: int) -> str:
        gate.wait()
        try:
            fn(i)
            return "ok"
        except WorkshopError as exc:
            return exc.key

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_two_hundred_simultaneous_joins_meet_the_cap(store, spec):
    """Finding 2: SQLite admitted 125, 129 and 127 of 200 with a cap of 120; both stores admit exactly 120."""
    room = store.create_room(spec)
    outcomes = together(200, lambda i: store.join(room.code, f"p{i}"))
    assert outcomes.count("ok") == 120, outcomes.count("ok")
    assert outcomes.count("room_full") == 80
    assert store.snapshot(room.code, room.key).joined == 120


def test_a_prediction_is_final_once_from_two_tabs(store, spec):
    """Finding 3: two tabs predicting at once: one is accepted and stored, the other told it was too late."""
    room = store.create_room(spec)
    for attempt in range(4):
        token = store.join(room.code, f"tabs{attempt}")
        outcomes = together(2, lambda i: store.predict(room.code, token, 2030 + i))
        assert sorted(outcomes) == ["already_predicted", "ok"], outcomes
        assert store.me(room.code, token).prediction == 2030 + outcomes.index("ok")


def test_simultaneous_submits_respect_the_interval(store, spec):
    """Finding 3: acknowledged submissions from two tabs at once: one per interval, each a stored version."""
    room = store.create_room(spec)
    for attempt in range(4):
        token = store.join(room.code, f"tabs{attempt}")
        store.predict(room.code, token, 2030)
        outcomes = together(2, lambda i: store.submit(room.code, token, {"investment": 10.0 + i}, f"tab {i}"))
        assert sorted(outcomes) == ["ok", "too_fast"], outcomes
        me = store.me(room.code, token)
        assert me.revisions == 1 and me.plan == {"investment": 10.0 + outcomes.index("ok")}
