"""The workshop store on SQLite and on a real PostgreSQL: rooms, joining, predictions, plans, safety."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from sqlalchemy import inspect, text

from model import (ensemble_median, evaluate_goals, judged_by_ensemble, load_baseline, parse_scenario, resolve_goals,
                   run_ensemble, run_scenario)
from model.core.goals import NOT_REACHED
from workshop import Settings, Store, WorkshopError, parse_room_spec
from workshop.analysis import (CHANCE_RUNS, CHANCE_SEED, best_plan, median_plan, model_answer, plan_chances,
                               plan_outcomes)
from workshop.db import make_engine
from workshop.rooms import plan_document, start_values
from workshop.settings import sqlalchemy_url
from workshop.store import CODE_ALPHABET, CODE_LENGTH
from workshop_support import Clock, need_postgres


@pytest.fixture(scope="module")
def base():
    return load_baseline()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'workshop.db'}"
    return sqlalchemy_url(need_postgres())


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(backend, clock):
    s = Store(Settings(database_url=backend, max_participants=120, submit_interval_s=5, room_ttl_hours=72), clock=clock)
    yield s
    s.dispose()


@pytest.fixture
def spec(base):
    return parse_room_spec({"title": "工业倍增研讨会", "question": "能否2027年实现工业倍增？", "focus": "doubling",
                            "levers": {"investment": {"lo": 0, "hi": 30}, "tech_upgrade": {"lo": 20, "hi": 80}},
                            "preset": "three_year_action", "prediction": "year"}, base)


def _err(fn, *args, **kw) -> str:
    with pytest.raises(WorkshopError) as exc:
        fn(*args, **kw)
    return exc.value.key


# --------------------------------------------------------------------------- the whole round trip
def test_a_room_from_creation_to_export(store, spec, base, clock):
    room = store.create_room(spec)
    assert len(room.code) == CODE_LENGTH and set(room.code) <= set(CODE_ALPHABET)
    a = store.join(room.code, "王工")
    b = store.join(room.code.lower(), "  Li  ")  # codes are typed in any case; names are stripped
    assert store.me(room.code, b).name == "Li"
    assert _err(store.submit, room.code, a, {"investment": 10.0, "tech_upgrade": 50.0}, "x") == "predict_first"
    store.predict(room.code, a, 2029)
    store.predict(room.code, b, 2031)
    assert _err(store.predict, room.code, a, 2030) == "already_predicted"  # a prediction is final
    store.submit(room.code, a, {"investment": 20.0, "tech_upgrade": 60.0}, "投资拉动")
    store.submit(room.code, b, {"investment": 8.0, "tech_upgrade": 40.0}, "steady")
    clock.advance(6)
    store.submit(room.code, b, {"investment": 10.0, "tech_upgrade": 45.0}, "revised")  # revising is allowed

    snap = store.snapshot(room.code, room.key)
    assert (snap.joined, len(snap.predicted), len(snap.submitted)) == (2, 2, 2)
    assert [p.name for p in snap.participants] == ["王工", "Li"]
    assert snap.participants[1].plan == {"investment": 10.0, "tech_upgrade": 45.0}
    assert snap.participants[1].reason == "revised" and snap.participants[1].revisions == 2
    assert snap.room.spec == spec and snap.room.status == "open" and not snap.room.revealed

    store.set_status(room.code, room.key, "locked")
    assert _err(store.submit, room.code, a, {"investment": 1.0, "tech_upgrade": 50.0}, "late") == "room_closed"
    assert _err(store.join, room.code, "late") == "room_closed"
    store.set_status(room.code, room.key, "open")
    clock.advance(6)
    store.submit(room.code, a, {"investment": 1.0, "tech_upgrade": 50.0}, "after reopening")
    store.reveal(room.code, room.key)
    assert store.room(room.code).revealed
    store.set_status(room.code, room.key, "archived")
    assert store.room(room.code).status == "archived"
    listed = {r["room"]: r for r in store.list_rooms()}[room.code]
    assert (listed["participants"], listed["plans"], listed["status"]) == (2, 2, "archived")
    store.delete_room(room.code, room.key)
    assert _err(store.room, room.code) == "no_room"
    assert room.code not in {r["room"] for r in store.list_rooms()}


def test_secrets_are_random_and_stored_only_as_digests(store, spec):
    rooms = [store.create_room(spec) for _ in range(20)]
    assert len({r.code for r in rooms}) == 20 and len({r.key for r in rooms}) == 20
    assert all(len(r.key) >= 32 and r.code not in r.key for r in rooms)
    token = store.join(rooms[0].code, "")
    with store.engine.connect() as c:
        dump = json.dumps([list(map(str, row)) for row in c.execute(text("SELECT * FROM rooms")).all()]
                          + [list(map(str, row)) for row in c.execute(text("SELECT * FROM participants")).all()])
    assert rooms[0].key not in dump and token not in dump
    assert hashlib.sha256(rooms[0].key.encode()).hexdigest() in dump


# --------------------------------------------------------------------------- who may do what
def test_no_capability_crosses_rooms(store, spec):
    one, two = store.create_room(spec), store.create_room(spec)
    token = store.join(one.code, "A")
    # A facilitator key of one room opens nothing of another.
    for fn in (store.snapshot, store.check_key, store.delete_room, store.reveal):
        assert _err(fn, two.code, one.key) == "wrong_key"
    assert _err(store.set_status, two.code, one.key, "locked") == "wrong_key"
    # A participant token of one room is nobody in another.
    assert _err(store.me, two.code, token) == "not_joined"
    assert _err(store.predict, two.code, token, 2030) == "not_joined"
    # A changed room code is no room at all (and no hint that another exists).
    changed = ("2" if one.code[0] != "2" else "3") + one.code[1:]
    if changed != two.code:
        assert _err(store.room, changed) == "no_room"
    for bad in ("", "ABC", "O0O0O0", "<script>", "A" * 5000, None, 42):
        assert _err(store.room, bad) == "no_room"
    assert _err(store.snapshot, one.code, "") == "wrong_key"
    assert _err(store.snapshot, one.code, None) == "wrong_key"
    assert store.room(two.code).status == "open" and store.snapshot(two.code, two.key).joined == 0


def test_names_and_reasons_are_limited_and_stored_raw(store, spec):
    room = store.create_room(spec)
    html = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    token = store.join(room.code, html[:40])
    assert store.me(room.code, token).name == html[:40]  # raw: escaping is the page's job
    assert _err(store.join, room.code, "x" * 41) == "too_long"
    store.predict(room.code, token, 2030)
    plan = {"investment": 10.0, "tech_upgrade": 50.0}
    with pytest.raises(WorkshopError) as exc:
        store.submit(room.code, token, plan, "r" * 10_000)
    assert exc.value.key == "too_long" and "10000" in exc.value.en and "200" in exc.value.en
    assert "理由" in exc.value.zh
    assert store.me(room.code, token).plan is None  # nothing stored from the refused submission
    store.submit(room.code, token, plan, html + "\x00\x07 tail")
    assert store.me(room.code, token).reason == html + " tail"  # control characters dropped


def test_plans_must_fit_the_room(store, spec):
    room = store.create_room(spec)
    token = store.join(room.code)
    store.predict(room.code, token, 2030)
    for bad in ({"investment": 10.0}, {"investment": 10.0, "tech_upgrade": 50.0, "sme_upgrades": 5.0},
                {"investment": "10", "tech_upgrade": 50.0}, {"investment": float("nan"), "tech_upgrade": 50.0},
                {"investment": True, "tech_upgrade": 50.0}, [1, 2], None):
        assert _err(store.submit, room.code, token, bad, "") == "bad_plan"
    assert _err(store.submit, room.code, token, {"investment": 31.0, "tech_upgrade": 50.0}, "") == "plan_out_of_range"
    for bad in (1999, 2101, float("inf"), "2030", None):
        assert _err(store.predict, room.code, token, bad) == "bad_prediction"


def test_two_hundred_joins_meet_the_cap(store, spec):
    room = store.create_room(spec)
    outcomes = []
    for i in range(200):
        try:
            store.join(room.code, f"p{i}")
            outcomes.append("ok")
        except WorkshopError as exc:
            outcomes.append(exc.key)
    assert outcomes.count("ok") == 120 and outcomes[120:] == ["room_full"] * 80
    assert store.snapshot(room.code, room.key).joined == 120


def test_submissions_are_rate_limited(store, spec, clock):
    room = store.create_room(spec)
    token = store.join(room.code)
    store.predict(room.code, token, 2030)
    plan = {"investment": 10.0, "tech_upgrade": 50.0}
    store.submit(room.code, token, plan, "one")
    clock.advance(2)
    with pytest.raises(WorkshopError) as exc:
        store.submit(room.code, token, plan, "two")
    assert exc.value.key == "too_fast" and exc.value.values["seconds"] == 4
    clock.advance(3)
    store.submit(room.code, token, plan, "two")
    assert store.me(room.code, token).revisions == 2


def test_rooms_expire(store, spec, clock):
    room = store.create_room(spec)
    token = store.join(room.code)
    clock.advance(72 * 3600 - 1)
    store.predict(room.code, token, 2030)
    clock.advance(2)
    assert _err(store.room, room.code) == "expired"
    assert _err(store.join, room.code) == "expired"
    assert store.snapshot(room.code, room.key).joined == 1  # the facilitator can still export
    assert store.purge_expired() >= 1
    assert _err(store.room, room.code) == "no_room"


def test_migrations_are_idempotent_and_at_head(store, backend):
    again = Store(store.settings, engine=make_engine(backend))  # a second server starting on the same database
    with again.engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    assert {"rooms", "participants"} <= set(inspect(again.engine).get_table_names())
    again.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path):
    s = Store(Settings(database_url=f"sqlite:///{tmp_path / 'sub' / 'w.db'}"))
    with s.engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert (tmp_path / "sub" / "w.db").exists()
    s.dispose()


def test_settings_from_environment(tmp_path):
    s = Settings.from_env({"WORKSHOP_DATA_DIR": str(tmp_path), "WORKSHOP_MAX_PARTICIPANTS": "30"})
    assert s.database_url == f"sqlite:///{tmp_path / 'workshop.db'}" and s.max_participants == 30
    assert Settings.from_env({"DATABASE_URL": "postgres://u@h:5/db"}).database_url == "postgresql+psycopg://u@h:5/db"
    assert Settings.from_env({"DATABASE_URL": "sqlite:///x.db"}).database_url == "sqlite:///x.db"
    with pytest.raises(WorkshopError):
        Settings.from_env({"WORKSHOP_ROOM_TTL_HOURS": "soon"})
    with pytest.raises(WorkshopError):
        Settings.from_env({"WORKSHOP_MAX_PARTICIPANTS": "-3"})


# --------------------------------------------------------------------------- room settings
def test_room_settings_are_checked_against_the_baseline(base):
    ok = {"title": "T", "levers": ["investment"]}
    spec = parse_room_spec(ok, base)
    assert spec.levers["investment"].lo == -10 and spec.levers["investment"].hi == 40 and spec.preset == "trend"
    clipped = parse_room_spec({**ok, "levers": {"investment": {"lo": -50, "hi": 12}}}, base)
    assert (clipped.levers["investment"].lo, clipped.levers["investment"].hi) == (-10, 12)
    for bad, key in (({**ok, "title": " "}, "need_title"), ({**ok, "focus": "moon"}, "bad_goal"),
                     ({**ok, "preset": "nope"}, "bad_preset"), ({**ok, "levers": ["growth"]}, "bad_lever"),
                     ({**ok, "levers": []}, "need_lever"),
                     ({**ok, "levers": {"investment": {"lo": 5, "hi": 5}}}, "bad_range"),
                     ({**ok, "levers": {"investment": {"lo": "a", "hi": 5}}}, "bad_range"),
                     ({**ok, "title": "x" * 121}, "too_long"),
                     ({**ok, "focus": "steady_growth", "prediction": "year"}, "bad_prediction_goal"),
                     ({**ok, "prediction": "mood"}, "bad_setting")):
        assert _err(parse_room_spec, bad, base) == key, bad


# --------------------------------------------------------------------------- plans through the model
def test_start_values_are_the_preset_inside_the_range(base, spec):
    preset = base.presets["three_year_action"]["levers"]  # the room's starting preset
    assert start_values(spec, base) == {"investment": float(preset["investment"]),
                                        "tech_upgrade": float(preset["tech_upgrade"])}
    narrow = parse_room_spec({"title": "T", "preset": "three_year_action",
                              "levers": {"investment": {"lo": 0, "hi": 10}}}, base)
    assert start_values(narrow, base) == {"investment": 10.0}


def test_median_plan_is_lever_by_lever(spec):
    plans = [{"investment": 5.0, "tech_upgrade": 80.0}, {"investment": 25.0, "tech_upgrade": 20.0},
             {"investment": 10.0, "tech_upgrade": 30.0}, {"investment": 12.0, "tech_upgrade": 60.0}]
    assert median_plan(spec, plans) == {"investment": 11.0, "tech_upgrade": 45.0}
    assert median_plan(spec, []) is None


def test_plan_outcomes_match_the_model_run_directly(base, spec):
    plans = [{"investment": 5.0, "tech_upgrade": 30.0}, {"investment": 28.0, "tech_upgrade": 75.0}]
    out = plan_outcomes(base, spec, plans)
    for i, plan in enumerate(plans):
        doc = json.loads(json.dumps(base.presets["three_year_action"]))
        doc.pop("meta")
        doc["levers"].update(plan)
        sc = parse_scenario(doc, base)
        proj = run_scenario(base, sc)
        # Steady growth is judged over the plan's ensemble, as on the page (issue 17 review A).
        res = judged_by_ensemble(evaluate_goals(proj, resolve_goals(sc, base)),
                                 ensemble_median(run_ensemble(base, sc, CHANCE_RUNS, CHANCE_SEED)[1]))
        np.testing.assert_allclose(out.value[i], res.value[0], rtol=1e-12)
        assert list(out.met[i]) == list(res.met[0])
        np.testing.assert_allclose(out.investment[i], proj.cumulative_investment[0, 3], rtol=1e-12)  # 2025–2027
    assert plan_document(spec, base, plans[0])["levers"]["projects"] == base.presets["three_year_action"]["levers"]["projects"]


def test_best_plan_meets_the_focus_goal_at_least_investment(base, spec):
    plans = [{"investment": x, "tech_upgrade": y} for x in (0.0, 10.0, 20.0, 30.0) for y in (20.0, 50.0, 80.0)]
    out = plan_outcomes(base, spec, plans)
    j = out.goal_ids.index("doubling")
    i = best_plan(spec, out)
    if out.met[:, j].any():
        assert out.met[i, j] and out.investment[i] == out.investment[out.met[:, j]].min()
    else:  # nobody doubles by 2027 here: the smallest gap wins
        gap = (out.goal[:, j] - out.value[:, j]) / out.goal[:, j]
        assert gap[i] == gap.min()
    assert best_plan(spec, plan_outcomes(base, spec, [])) is None


def test_best_plan_prefers_a_cheaper_plan_that_meets_the_goal(base):
    spec = parse_room_spec({"title": "T", "preset": "three_year_action", "focus": "steady_growth",
                            "prediction": "chance", "levers": ["investment"]}, base)
    # Steady growth is judged over each plan's runs (issue 17 review A: met ⇔ chance ≥ 50 %). In the
    # three-year action, 12 and 0 %/yr keep every year at 5 % or more in over half the runs (51 %, 61 %);
    # at 20 %/yr the fading after the plan leaves a year below 5 % in most runs (32 %).
    out = plan_outcomes(base, spec, [{"investment": 12.0}, {"investment": 0.0}, {"investment": 20.0}])
    j = out.goal_ids.index("steady_growth")
    assert list(out.met[:, j]) == [True, True, False]
    assert list(out.met[:, j]) == list(out.chance[:, j] >= 0.5)
    assert out.investment[1] < out.investment[0]
    assert best_plan(spec, out) == 1


def test_chances_rise_with_investment_on_paired_draws(base, spec):
    lo = plan_chances(base, spec, {"investment": 0.0, "tech_upgrade": 50.0})
    hi = plan_chances(base, spec, {"investment": 30.0, "tech_upgrade": 50.0})
    assert np.all((0 <= lo) & (lo <= 1)) and np.all(hi[:2] >= lo[:2])


def test_model_answer_is_the_starting_run(base, spec):
    doc = json.loads(json.dumps(base.presets["three_year_action"]))
    sc = parse_scenario(doc, base)
    res = evaluate_goals(run_scenario(base, sc), resolve_goals(sc, base))
    year = int(res.year_reached[0, res.ids.index("doubling")])
    assert model_answer(base, spec) == (base.end_year + 1 if year == NOT_REACHED else year)
    value = parse_room_spec({**spec.model_dump(mode="json"), "prediction": "value"}, base)
    assert model_answer(base, value) == pytest.approx(res.value[0, 0], rel=1e-12)
