"""The page's fast ensemble gives the numbers of the full engine path.

The live ensemble reuses work between moves: the shock paths of a (σ, ρ) are made once per set of
draws (``EnsembleDraws.shocks``), and the percentiles come from one sort per year. Here every summary
is compared with the engine run the long way — the same draws tiled for two parameter rows, so that
``simulate`` draws the shocks from the normals itself — and with ``np.percentile``, to 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import parse_scenario
from model.core import ensemble as E
from model.core.goals import evaluate_goals
from model.io.official import apply_official, read_upload, template_frame, validate
from model.schema.runs import summarize
from model.schema.scenario import scenario_rows

RUNS = 2_000  # a smaller ensemble: the paths compared are the same for any run count
SEED = 7

SCENARIOS = {
    "trend": {},
    "three_year_action": "three_year_action",  # key projects, every lever
    "bold": "bold",
    "volatile": {"assumptions": {"volatility": 6.0, "correlation": 0.8, "growth": 9.0, "stainless_price": 3.0},
                 "levers": {"investment": 20.0, "tech_upgrade": 60.0, "trade_expansion": 5.0}},
    "no_shocks": {"assumptions": {"volatility": 0.0}},
    "plan_window": {"plan": {"start": 2026, "end": 2030, "after": "persist"},
                    "levers": {"investment": 15.0, "sme_upgrades": 40.0, "chain_extension": 30.0}},
}


def _doc(base, spec):
    return dict(base.presets[spec]) if isinstance(spec, str) else spec


def _official(base):
    """The baseline after an upload of official figures (less stainless processing), as the page makes it."""
    frame = template_frame(base, "en")
    out_col = next(c for c in frame.columns if "output" in str(c).lower())
    frame.loc[frame[frame.columns[0]] == "stainless", out_col] = 80.0
    data = validate(base, read_upload(frame.to_csv(index=False).encode("utf-8"), "official.csv"))
    return apply_official(base, data, accessed="2026-12-01")


def _long_way(base, sc):
    """Percentiles, chances and goal margins from the engine's own shock path (two identical rows)."""
    rows = scenario_rows(sc, base)
    draws = E.ensemble_draws(base, RUNS, SEED)
    proj = E.simulate_ensemble(base, np.stack([rows.x, rows.x]), rows.projects, draws)
    second = proj.rows(slice(RUNS, 2 * RUNS))
    res = evaluate_goals(second, rows.goals)
    q = np.arange(101)
    return (np.percentile(second.total, q, axis=0), np.percentile(second.cluster_total, q, axis=0),
            res.probability)


@pytest.mark.parametrize("name", [*SCENARIOS, "official"])
def test_live_ensemble_equals_the_full_engine_path(base, name):
    if name == "official":
        base, doc = _official(base), dict(base.presets["three_year_action"])
    else:
        doc = _doc(base, SCENARIOS[name])
    sc = parse_scenario(doc, base)
    fast = summarize(base, sc, runs=RUNS, seed=SEED)
    again = summarize(base, sc, runs=RUNS, seed=SEED)  # from the kept shock paths
    total, cluster, prob = _long_way(base, sc)
    for got in (fast, again):
        np.testing.assert_allclose(got.total_pct, total, rtol=1e-12, atol=0)
        np.testing.assert_allclose(got.cluster_pct, cluster, rtol=1e-12, atol=0)
        np.testing.assert_array_equal(got.probability, prob)
    assert 0.0 < total[50, -1] and np.all(np.diff(total[:, -1]) >= 0)


def test_shock_paths_are_made_once_per_volatility_and_correlation(base):
    draws = E.ensemble_draws(base, RUNS, SEED)
    a = draws.shocks(base, 4.0, 0.5)
    assert draws.shocks(base, 4.0, 0.5) is a  # a lever move: the same paths
    assert not a.paths.flags.writeable and not a.trade.flags.writeable
    b = draws.shocks(base, 5.0, 0.5)
    assert b is not a and not np.array_equal(a.paths, b.paths)
    draws.shocks(base, 6.0, 0.5)
    assert len(draws._shocks) == E.SHOCK_CACHE  # bounded: the oldest pair went
    assert draws.shocks(base, 4.0, 0.5) is not a


@pytest.mark.parametrize("n", [1, 2, 3, 10, 101, 9_999])
def test_percentiles_are_numpys(n):
    rng = np.random.default_rng(n)
    values = rng.lognormal(0.0, 1.0, (n, 4))
    values[: n // 2, 1] = 3.0  # ties
    q = np.arange(101)
    np.testing.assert_array_equal(E.percentiles(values, q), np.percentile(values, q, axis=0))


@pytest.fixture
def last_runs():
    E.LAST_RUNS.clear()
    yield E.LAST_RUNS
    E.LAST_RUNS.clear()


def test_one_row_runs_are_kept_by_content_and_equal_a_new_simulation(base, last_runs):
    """``simulate_ensemble(..., keep=True)`` keeps its last one-row simulations (``LAST_RUNS``): one move
    asks for the same scenario's runs for its results, its summary and its feasibility. A kept result must
    be exactly what a new simulation gives, of the kind asked for (with or without ``detail``), read-only
    (callers share it), and found only for the same row, projects, baseline and draws; the oldest of more
    than ``SIZE`` rows is released; calls without ``keep`` (the tools' searches) neither use nor fill it."""
    draws = E.ensemble_draws(base, 500, 7)
    rows = scenario_rows(parse_scenario({"levers": {"investment": 14.0}}, base), base)
    first = E.simulate_ensemble(base, rows.x, rows.projects, draws, keep=True)
    assert E.simulate_ensemble(base, rows.x, rows.projects, draws, keep=True) is first
    assert first.value_added is None  # the goals' kind: bit for bit what the seek's many-row calls give
    many = E.simulate_ensemble(base, np.stack([rows.x, rows.x]), rows.projects, draws)
    np.testing.assert_array_equal(first.output, many.output[:500])
    detailed = E.simulate_ensemble(base, rows.x, rows.projects, draws, detail=True, keep=True)
    assert detailed is not first and detailed.value_added is not None
    assert E.simulate_ensemble(base, rows.x, rows.projects, draws, detail=True, keep=True) is detailed
    fresh = E._simulate_rows(base, np.atleast_2d(rows.x), rows.projects, draws, detail=True)
    for name in ("output", "value_added", "price", "cluster", "investment_by_sector", "reclassified", "high_tech"):
        np.testing.assert_array_equal(getattr(detailed, name), getattr(fresh, name))
    np.testing.assert_allclose(detailed.output, first.output, rtol=1e-12)  # the two kinds differ in the last bits only
    assert not first.output.flags.writeable
    with pytest.raises(ValueError):
        first.output[0, 0, 0] = 1.0
    assert E.simulate_ensemble(base, rows.x, rows.projects, draws) is not first  # without keep: simulated
    other = scenario_rows(parse_scenario({"levers": {"investment": 14.1}}, base), base)
    assert E.simulate_ensemble(base, other.x, other.projects, draws, keep=True) is not first
    assert E.simulate_ensemble(base, rows.x, rows.projects, E.ensemble_draws(base, 500, 8), keep=True) is not first
    projects = scenario_rows(parse_scenario(base.presets["three_year_action"], base), base).projects
    assert E.simulate_ensemble(base, rows.x, projects, draws, keep=True) is not first
    for inv in (15.0, 16.0, 17.0, 18.0):  # more rows than SIZE: the first is released
        r = scenario_rows(parse_scenario({"levers": {"investment": inv}}, base), base)
        E.simulate_ensemble(base, r.x, r.projects, draws, keep=True)
    assert len(last_runs._entries) == last_runs.SIZE
    assert E.simulate_ensemble(base, rows.x, rows.projects, draws, keep=True) is not first
