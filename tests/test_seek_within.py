"""Goal seek and the cheapest mix within the feasibility limits (issue 19, item 5).

The case: the three-year action with the doubling goal lowered to 1.6× by 2027, sought on the existing
firms' investment. Unconstrained, the central path meets it at about 30.6 %/yr, which needs more new land
than the parks have; within the land limit the goal is out of reach, the answer stops at the last value
that fits and says that land binds first.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model.core.feasibility import feasibility, within_ids
from model.core.seek import _joint_chance, chance_at, seek
from model.core.specs import SPEC_BY_NAME
from model.io.datafolder import load_baseline
from model.io.feasibility_data import load_feasibility
from model.schema.mix import cheapest_mix
from model.schema.scenario import parse_scenario, scenario_rows
from model.core.rows import set_param

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def base():
    return load_baseline()


@pytest.fixture(scope="module")
def data(base):
    return load_feasibility(base)


def _doc(base, threshold):
    return {**dict(base.presets["three_year_action"]), "targets": {"doubling": {"threshold": threshold, "year": 2027}}}


def _rows(base, threshold):
    return scenario_rows(parse_scenario(_doc(base, threshold), base), base)


def _land_ok(base, data, rows, value):
    from dataclasses import replace
    x = set_param(base, rows, rows.x[None, :].copy(), "investment", np.array([value]))[0]
    return bool(feasibility(base, data, replace(rows, x=x)).constraint("land").within[0])


def test_within_names():
    assert within_ids("energy,land") == ("energy_use", "energy_intensity", "land")
    assert within_ids(["fiscal", "land"]) == ("fiscal_balance", "land")
    assert within_ids("") == ()
    with pytest.raises(ValueError, match="water"):
        within_ids("land,water")


def test_seek_within_land_stops_short_and_says_land_binds(base, data):
    rows = _rows(base, 1.6)
    free = seek(base, rows, "doubling", "investment", runs=200, seed=4)
    assert free.reachable and not _land_ok(base, data, rows, free.setting)     # the plain answer breaks the land limit
    r = seek(base, rows, "doubling", "investment", runs=200, seed=4, within="land", data=data)
    assert not r.reachable and r.binds_first == "land" and r.within == ("land",)
    assert r.unconstrained_setting == free.setting
    assert r.setting < free.setting and _land_ok(base, data, rows, r.setting)
    # the edge: one slider step more leaves the limit
    assert not _land_ok(base, data, rows, r.setting + SPEC_BY_NAME["investment"].step + 1e-9)
    # its chance of the goal, and of keeping the land limit, are reported at the setting
    assert r.chance == pytest.approx(chance_at(base, rows, "doubling", "investment", r.setting, 200, 4))
    assert 0.0 < r.within_chance <= 1.0


def test_seek_within_is_the_plain_answer_when_nothing_binds(base, data):
    rows = _rows(base, 1.5)
    free = seek(base, rows, "doubling", "investment", runs=100, seed=4)
    r = seek(base, rows, "doubling", "investment", runs=100, seed=4, within="energy,land", data=data)
    assert r.reachable and r.setting == free.setting and r.binds_first is None
    assert r.within == ("energy_use", "energy_intensity", "land")
    assert r.to_dict()["binds_first"] is None


def test_seek_within_at_a_chance_counts_runs_that_meet_the_goal_and_keep_the_limit(base, data):
    rows = _rows(base, 1.5)
    r = seek(base, rows, "doubling", "investment", probability=0.3, runs=60, seed=2, within="land", data=data)
    from dataclasses import replace
    goal = rows.goal("doubling")
    x = set_param(base, rows, rows.x[None, :].copy(), "investment", np.array([r.value]))[0]
    joint = _joint_chance(base, data, replace(rows, x=x), goal, ("land",), 60, 2)
    if r.reachable:
        assert joint >= 0.3
    else:
        assert r.binds_first == "land" and joint < 0.3


def test_seek_within_needs_the_data(base):
    with pytest.raises(ValueError, match="feasibility data"):
        seek(base, _rows(base, 1.6), "doubling", "investment", within="land")


def test_mix_within_land_stops_each_lever_at_the_limit(base, data):
    sc = parse_scenario({**_doc(base, 1.7)}, base)
    free = cheapest_mix(base, sc, "doubling", probability=None, runs=50, seed=3)
    assert free.reached and free.within == () and np.isnan(free.within_chance)
    m = cheapest_mix(base, sc, "doubling", probability=None, runs=50, seed=3, within="land", data=data)
    assert m.within == ("land",) and m.binds_first == "land" and not m.reached
    assert m.steps[0].lever == free.steps[0].lever and m.steps[0].value < free.steps[0].value
    final = sc
    from model.schema.scenario import with_params
    final = with_params(sc, **{s.lever: s.value for s in m.steps})
    assert feasibility(base, data, scenario_rows(final, base)).constraint("land").within[0]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "model", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_cli_seek_within(base, tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(_doc(base, 1.6), ensure_ascii=False), encoding="utf-8")
    r = _cli("seek", path, "--target", "doubling", "--lever", "investment", "--central", "--runs", 100,
             "--within", "energy,land")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["binds_first"] == "land" and out["reachable"] is False
    assert out["within"] == ["energy_use", "energy_intensity", "land"] and out["setting"] < out["unconstrained_setting"]
    bad = _cli("seek", "--target", "doubling", "--lever", "investment", "--within", "water")
    assert bad.returncode == 2 and bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1
    assert "--within" in bad.stderr and "water" in bad.stderr and "Traceback" not in bad.stderr
