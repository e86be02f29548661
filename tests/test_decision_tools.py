"""Decision tools: live ensembles, goal seek, the what-it-takes map, sensitivity and plausibility."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model import evaluate_goals, parse_scenario, resolve_goals, run_scenario
from model.plausibility import plausibility_flags
from model.scenario import with_params
from model.seek import seek
from model.sensitivity import DRIVERS, sobol, tornado, what_it_takes
from model.uncertainty import QUANTILES, run_ensemble, shifted_probability, summarize

ROOT = Path(__file__).resolve().parent.parent


def det(base, sc):
    return evaluate_goals(run_scenario(base, sc), resolve_goals(sc, base))


# ----------------------------------------------------------------------------- ensembles

def test_volatility_zero_gives_certain_probabilities_matching_the_deterministic_run(base):
    for name in ("trend", "three_year_action", "bold"):
        sc = with_params(parse_scenario(base.presets[name], base), volatility=0.0)
        s = summarize(base, sc, runs=500, seed=1, delays=False)
        assert set(np.unique(s.probability)) <= {0.0, 1.0}
        np.testing.assert_array_equal(s.probability, det(base, sc).met[0].astype(float))
        np.testing.assert_allclose(s.total[2], run_scenario(base, sc).total[0], rtol=1e-12)


def test_project_delays_make_a_risk_even_without_shocks(base):
    sc = with_params(parse_scenario(base.presets["three_year_action"], base), volatility=0.0)
    proj, _ = run_ensemble(base, sc, runs=2000, seed=3, delays=True)
    det_total = run_scenario(base, sc).total[0]
    assert np.all(proj.total <= det_total + 1e-9)  # a delay never adds output
    assert (proj.total[:, 3] < det_total[3] - 1e-9).mean() > 0.2


def test_ensemble_is_seeded_and_its_median_tracks_the_deterministic_path(base):
    sc = parse_scenario({"assumptions": {"volatility": 4}}, base)
    a, b = summarize(base, sc, 10_000, seed=7), summarize(base, sc, 10_000, seed=7)
    np.testing.assert_array_equal(a.total, b.total)
    np.testing.assert_array_equal(a.probability, b.probability)
    np.testing.assert_allclose(a.total[2], run_scenario(base, sc).total[0], rtol=0.01)
    assert np.all(np.diff(a.total, axis=0) >= 0)  # p5 ≤ p25 ≤ p50 ≤ p75 ≤ p95
    assert a.total.shape == (len(QUANTILES), 12)


def test_probabilities_of_level_goals_are_monotone_in_every_lever(base):
    """Doubling, cluster and share goals. Not steady growth: a lever that ramps up lifts the level early
    and then stops adding growth, so the lowest annual growth can fall (that is economics, not noise)."""
    start = parse_scenario({"assumptions": {"volatility": 5}, "targets": {"doubling": {"year": 2031}}}, base)
    levels = [g.id != "steady_growth" for g in base.goals]
    for lever, values in (("investment", (5, 10, 20, 30)), ("sme_upgrades", (0, 50, 100, 200)),
                          ("chain_extension", (15, 30, 50, 80)), ("tech_upgrade", (20, 40, 60, 90))):
        probs = np.array([summarize(base, with_params(start, **{lever: float(v)}), 3000, seed=11).probability
                          for v in values])[:, levels]
        assert np.all(np.diff(probs, axis=0) >= 0), lever
        assert probs[-1].sum() > probs[0].sum() or lever == "tech_upgrade", lever


# ----------------------------------------------------------------------------- goal seek

@pytest.mark.parametrize("goal, lever", [("doubling", "sme_upgrades"), ("doubling", "growth"),
                                         ("advanced_share_2035", "tech_upgrade"), ("stainless_cluster", "growth")])
def test_seek_value_plugged_back_meets_the_goal(base, goal, lever):
    sc = parse_scenario(base.presets["three_year_action"], base)
    r = seek(base, sc, goal, lever)
    assert r.engine_calls <= 50
    if not r.reachable:
        assert not r.converged and r.residual < 0
        return
    assert r.converged and r.residual >= 0
    at = det(base, with_params(sc, **{lever: r.value}))
    assert at.met[0, [g.id for g in at.goals].index(goal)]
    below = det(base, with_params(sc, **{lever: r.value - 10 * 0.1 * 0.1 * 10}))  # one tolerance step below
    j = [g.id for g in at.goals].index(goal)
    assert below.value[0, j] < at.value[0, j]


def test_seek_doubling_by_2027_needs_the_26_percent_arithmetic(base):
    uniform = {s: {"growth": 7.2} for s in base.sector_ids}
    sc = parse_scenario({"sectors": uniform}, base)
    r = seek(base, sc, "doubling", "growth")
    assert r.converged and r.value == pytest.approx(100 * (2 ** (1 / 3) - 1), abs=0.01)


def test_unreachable_goal_is_reported_with_the_best_value(base):
    sc = parse_scenario({}, base)
    r = seek(base, sc, "doubling", "tech_upgrade")
    assert not r.reachable and not r.converged and r.value == 90.0 and r.residual < 0 and r.engine_calls == 1


def test_seek_at_a_probability(base):
    sc = parse_scenario({"assumptions": {"volatility": 4}, "targets": {"doubling": {"year": 2032}}}, base)
    r = seek(base, sc, "doubling", "investment", probability=0.8, runs=1000, seed=5)
    assert r.reachable and r.converged and r.engine_calls <= 50 and r.residual >= 0 and r.outcome >= 0.8
    s = summarize(base, with_params(sc, investment=r.value), runs=1000, seed=5)
    assert s.probability[0] >= 0.8 - 0.05  # the same seed; draws are split differently between tools
    lower = seek(base, sc, "doubling", "investment", probability=0.5, runs=1000, seed=5)
    assert lower.value <= r.value


def test_seek_rejects_bad_arguments(base):
    sc = parse_scenario({}, base)
    for kwargs in ({"goal_id": "nope", "lever": "investment"}, {"goal_id": "doubling", "lever": "volatility"},
                   {"goal_id": "doubling", "lever": "investment", "probability": 1.5}):
        with pytest.raises(ValueError):
            seek(base, sc, **kwargs)


def test_seek_command_line():
    r = subprocess.run([sys.executable, "-m", "model", "seek", "data/zhoucun/presets/three_year_action.json",
                        "--target", "doubling", "--lever", "sme_upgrades"], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"lever", "value", "converged", "engine_calls", "residual"} <= set(out)
    assert out["converged"] and out["engine_calls"] <= 50
    bad = subprocess.run([sys.executable, "-m", "model", "seek", "--target", "doubling", "--lever", "investment",
                          "--probability", "2"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


# ----------------------------------------------------------------------------- map

def test_map_cells_agree_with_single_engine_calls(base):
    sc = parse_scenario(base.presets["three_year_action"], base)
    m = what_it_takes(base, sc, "doubling", "investment", "sme_upgrades", n=25)
    assert m.value.shape == (25, 25)
    rng = np.random.default_rng(0)
    for _ in range(6):
        i, j = rng.integers(0, 25, size=2)
        one = det(base, with_params(sc, investment=float(m.xs[j]), sme_upgrades=float(m.ys[i])))
        assert m.value[i, j] == pytest.approx(one.value[0, 0], rel=1e-12)
        assert bool(m.met[i, j]) == bool(one.met[0, 0])
    assert np.all(np.diff(m.value, axis=0) >= -1e-9) and np.all(np.diff(m.value, axis=1) >= -1e-9)
    assert m.current == (15.0, 40.0)


def test_map_chance_approximates_full_ensembles(base):
    sc = parse_scenario({"assumptions": {"volatility": 4}, "targets": {"doubling": {"year": 2031}}}, base)
    s = summarize(base, sc, 4000, seed=2, delays=False)
    m = what_it_takes(base, sc, "doubling", "investment", "sme_upgrades", n=9, deviation=s.deviation["doubling"])
    for i, j in ((2, 2), (4, 6), (6, 3), (8, 8)):
        full = summarize(base, with_params(sc, investment=float(m.xs[j]), sme_upgrades=float(m.ys[i])), 4000,
                         seed=2, delays=False)
        assert m.probability[i, j] == pytest.approx(full.probability[0], abs=0.06)


def test_shifted_probability_closed_form():
    d = np.sort(np.log([0.9, 1.0, 1.1, 1.2]))
    assert shifted_probability(d, np.array([100.0]), np.array([100.0]), "total_multiple")[0] == 0.75
    assert shifted_probability(np.array([-1.0, 0.0, 1.0]), np.array([50.0]), np.array([50.5]), "advanced_share")[0] == pytest.approx(1 / 3)


# ----------------------------------------------------------------------------- sensitivity

def test_tornado_is_sorted_and_matches_single_runs(base):
    sc = parse_scenario(base.presets["three_year_action"], base)
    t = tornado(base, sc, "total")
    assert list(t.span) == sorted(t.span, reverse=True) and set(t.param) == set(DRIVERS)
    row = t[t.param == "sme_upgrades"].iloc[0]
    one = det(base, with_params(sc, sme_upgrades=float(row.high)))
    assert row.outcome_high == pytest.approx(one.value[0, 0], rel=1e-12)
    assert row.base == pytest.approx(det(base, sc).value[0, 0], rel=1e-12)
    assert (t.outcome_high >= t.outcome_low - 1e-9).all()  # every driver raises the total


def test_sobol_ranks_drivers_with_confidence_intervals(base):
    sc = parse_scenario(base.presets["three_year_action"], base)
    calls = []
    a = sobol(base, sc, "total", n=128, seed=3, progress=calls.append)
    b = sobol(base, sc, "total", n=128, seed=3)
    assert calls and calls[-1] == 1.0
    assert a.equals(b)
    assert set(a.columns) == {"param", "S1", "S1_conf", "ST", "ST_conf"}
    assert (a.ST_conf >= 0).all() and a.S1.sum() <= 1.15
    tor = tornado(base, sc, "total")
    assert set(a.param[:2]) & set(tor.param[:3])  # the two rankings agree on what matters most
    assert a.set_index("param").loc["tech_upgrade", "ST"] < 0.05


# ----------------------------------------------------------------------------- plausibility

def test_plausibility_flags(base):
    bold = run_scenario(base, parse_scenario(base.presets["bold"], base))
    flags = {f.check: f for f in plausibility_flags(base, bold, 2027)}
    assert "max_growth_short" in flags and flags["max_growth_short"].value > 15
    assert plausibility_flags(base, run_scenario(base, parse_scenario({}, base)), 2027) == []
    heavy = run_scenario(base, parse_scenario({"levers": {"investment": 40}}, base))
    checks = {f.check for f in plausibility_flags(base, heavy, 2027)}
    assert "icor_max" in checks or "max_investment_short" in checks


def test_seek_handles_a_goal_that_falls_as_the_lever_rises(base):
    """More overall growth dilutes the advanced share: the search must follow a falling metric."""
    sc = parse_scenario({**base.presets["three_year_action"], "targets": {"advanced_share_2035": {"threshold": 45}}}, base)
    r = seek(base, sc, "advanced_share_2035", "growth")
    assert r.reachable and r.converged and r.residual >= 0
    j = [g.id for g in base.goals].index("advanced_share_2035")
    assert det(base, with_params(sc, growth=r.value)).met[0, j]
    assert not det(base, with_params(sc, growth=r.value + 0.05)).met[0, j]  # just past it, the share is too low
