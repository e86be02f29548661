"""Engine: closed forms, hand-computed lever effects, and the properties the issue requires."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model import (draw_normals, param_names, parse_scenario, run_scenario, scenario_params,
                   scenario_projects, simulate)
from model.schema.scenario import lever_bounds, neutral_values
from model.core.specs import BUILDUP_LEVERS, SCALAR_PARAMS, SECTOR_GROWTH_RANGE

YEARS = np.arange(2024, 2036)
T = YEARS - 2024


def monte_carlo(base, sc, runs, rng):
    """Growth shocks only (no parameter draws): the engine's shock arithmetic on its own."""
    X = np.repeat(scenario_params(sc, base)[None, :], runs, axis=0)
    return simulate(base, X, scenario_projects([sc], base), normals=draw_normals(rng, runs, base))


def params_of(base, doc=None):
    return scenario_params(parse_scenario(doc or {}, base), base)


# ----------------------------------------------------------------------------- (a) closed form

def test_baseline_compounds_each_sector_at_its_trend(base, run):
    out = run().output[0]
    expected = base.output0[:, None] * (1 + base.trend_pct[:, None] / 100) ** T
    np.testing.assert_allclose(out, expected, rtol=1e-12)


@pytest.mark.parametrize("growth", [-10.0, 0.0, 3.5, 10.0, 26.0, 30.0])
def test_growth_assumption_shifts_every_sector_and_sets_first_year_total(base, run, growth):
    out = run({"assumptions": {"growth": growth}}).output[0]
    shifted = base.trend_pct + (growth - 7.2)
    np.testing.assert_allclose(out, base.output0[:, None] * (1 + shifted[:, None] / 100) ** T, rtol=1e-12)
    first_year_growth = 100 * (out[:, 1].sum() / out[:, 0].sum() - 1)
    assert first_year_growth == pytest.approx(growth, abs=1e-10)


def test_weighted_trend_is_published_growth(base):
    assert base.output0 @ base.trend_pct / base.output0.sum() == pytest.approx(7.2, abs=1e-12)


def test_uniform_7_2_percent_doubles_in_2034(base, run):
    uniform = {s: {"growth": 7.2} for s in base.sector_ids}
    tot = run({"sectors": uniform}).total[0]
    assert tot[YEARS == 2033][0] < 2 * tot[0] < tot[YEARS == 2034][0]
    # ln 2 / ln 1.072 = 9.97 years
    assert np.log(2) / np.log(1.072) == pytest.approx(9.97, abs=0.005)


def test_trend_scenario_doubles_in_2034(run):
    tot = run().total[0]
    assert YEARS[np.argmax(tot >= 2 * tot[0])] == 2034


def test_26_percent_a_year_doubles_by_2027(base, run):
    tot = run({"assumptions": {"growth": 26.0}, "sectors": {s: {"growth": 7.2} for s in base.sector_ids}}).total[0]
    assert tot[YEARS == 2027][0] / tot[0] == pytest.approx(1.26 ** 3, rel=1e-12)
    assert tot[YEARS == 2027][0] >= 2 * tot[0]


# ----------------------------------------------------------------------------- hand-computed levers

def test_sme_cohorts_enter_at_threshold_and_grow_with_sector(base, run):
    n = 40
    d = run({"levers": {"sme_upgrades": n}}).output[0] - run().output[0]
    g = base.trend_pct / 100
    entry = n * base.sme_share * 0.25  # 0.25 亿元 entry revenue per firm
    np.testing.assert_allclose(d[:, 0], 0, atol=1e-12)
    np.testing.assert_allclose(d[:, 1], entry, rtol=1e-12)
    np.testing.assert_allclose(d[:, 2], entry * (1 + g) + entry, rtol=1e-12)


def run_as_stated(base, doc):
    """The deterministic projection with key projects at their stated size and start (no drawn shortfall or delay)."""
    from model.core.engine import ParameterDraws, simulate
    from model.schema.scenario import scenario_params, scenario_projects
    sc = parse_scenario(doc, base)
    return simulate(base, scenario_params(sc, base), scenario_projects([sc], base),
                    draws=ParameterDraws(project_size=np.ones(1), project_delay=np.zeros((1, 60))))


def test_key_project_invests_before_it_produces_then_grows_with_its_sector(base, run):
    """Finding 2: capacity is paid for one year before it produces, at the sector's capital-output ratio
    k = κ·v, and once built it grows with its sector (equipment: 12 %/yr) and needs upkeep u = I₀/Y₀."""
    proj = {"name": "P", "sector": "equipment", "start_year": 2026, "output": 30, "ramp_years": 3,
            "investment": 24}
    with_p = run_as_stated(base, {"levers": {"projects": [proj]}})  # the stated size, no delay
    d = with_p.output[0] - run().output[0]
    i = base.sector_ids.index("equipment")
    assert base.params["price_base"] == 0.0
    assert d[i, YEARS == 2025][0] == 0
    # 10 a year installed in 2026, 2027, 2028; each cohort grows 12 %/yr from its first year.
    out = np.array([10.0, 10 * 1.12 + 10, (10 * 1.12 + 10) * 1.12 + 10])
    np.testing.assert_allclose(d[i, 2:5], out, rtol=1e-12)
    np.testing.assert_allclose(d[i, 5:], out[-1] * 1.12 ** (T[5:] - 4), rtol=1e-12)
    np.testing.assert_allclose(np.delete(d, i, axis=0), 0, atol=1e-12)
    k = 3.0 * 0.30                       # capital per yuan of output
    u = k * (0.12 + 0.125) / 1.12        # steady investment per yuan of output
    dinv = with_p.investment[0] - run().investment[0]
    expected = np.zeros(12)
    expected[1:4] = 10 * k               # construction in 2025, 2026, 2027
    expected += u * d[i]                 # upkeep of what is built
    np.testing.assert_allclose(dinv, expected, rtol=1e-12, atol=1e-12)
    # Investment per yuan of added value added, cumulated to 2035, near every channel's (see below).
    assert with_p.investment_by_sector[0, i].sum() > run().investment_by_sector[0, i].sum()


def test_investment_lever_stops_after_the_plan_window(base, run):
    """Finding 1: the lever describes 2025–2027; afterwards its ratio to the trend path fades to 1 over
    investment_fade = 3 years (issue 17 finding 6; it stayed flat at the level reached before)."""
    neutral = neutral_values(base)["investment"]
    hi = run({"levers": {"investment": 40}}).investment_by_sector[0]
    trend = run().investment_by_sector[0]
    ratio = hi / trend
    g, gi = base.trend_pct / 100, base.trend_pct / 100 + (40 - neutral) / 100
    np.testing.assert_allclose(ratio[:, 3], ((1 + gi) / (1 + g)) ** 3, rtol=1e-12)
    np.testing.assert_allclose(ratio[:, 4], ratio[:, 3] ** (2 / 3), rtol=1e-12)
    np.testing.assert_allclose(ratio[:, 6:], 1.0, rtol=1e-12)  # back on the trend path from 2030
    total = run({"levers": {"investment": 40}})
    share = total.investment[0, -1] / total.total[0, -1]
    assert share < 0.30  # was 89 % of gross output when the lever never stopped
    persist = run({"plan": {"after": "persist"}, "levers": {"investment": 40}}).investment_by_sector[0]
    np.testing.assert_allclose(persist[:, -1] / trend[:, -1], ((1 + gi) / (1 + g)) ** 11, rtol=1e-12)


def test_plan_window_moves_the_levers(base, run):
    late = run({"plan": {"start": 2028, "end": 2030}, "levers": {"investment": 20, "sme_upgrades": 40,
                                                                 "chain_extension": 40, "tech_upgrade": 70}})
    np.testing.assert_allclose(late.output[0, :, :4], run().output[0, :, :4], rtol=1e-12)
    assert late.total[0, 4] > run().total[0, 4]


def test_chain_extension_adds_downstream_output_from_local_volume(base, run):
    d = run({"levers": {"chain_extension": 30}}).output[0] - run().output[0]
    volume_2025 = 120 * 1.06
    share_2025 = 15 + (30 - 15) / 3  # ramp over 3 years
    extra = (share_2025 - 15) / 100 * 2.0 * volume_2025
    expected = extra * base.downstream_share
    np.testing.assert_allclose(d[:, 1], expected, rtol=1e-12)
    assert d[:, 1].sum() == pytest.approx(0.1 * 127.2, rel=1e-12)


def test_cluster_parts_and_downstream_share(base, run):
    p = run({"levers": {"chain_extension": 30}})
    c = p.cluster[0]
    np.testing.assert_allclose(c[:, 0], [120, 344, 36])
    np.testing.assert_allclose(c[0], p.output[0, base.cluster_index])  # processing = stainless output
    np.testing.assert_allclose(c[2, -1], 0.30 * 2.0 * c[0, -1], rtol=1e-12)  # full share after the ramp
    np.testing.assert_allclose(c[1], 344 * 1.05 ** T, rtol=1e-12)


def test_stainless_price_turns_real_into_nominal(base, run):
    i = base.cluster_index
    pi = 1 + base.params["price_base"] / 100
    p = run({"assumptions": {"stainless_price": 5.0}})
    trend = run()
    np.testing.assert_allclose(p.output[0, i], trend.output[0, i] * (1.05 / pi) ** T, rtol=1e-12)
    np.testing.assert_allclose(p.real_output[0, i], trend.output[0, i] / pi ** T, rtol=1e-12)
    np.testing.assert_allclose(np.delete(p.output[0], i, 0), np.delete(trend.output[0], i, 0), rtol=1e-12)


def test_stainless_price_does_not_change_real_downstream_output(base, run):
    """Chain extension works on the stainless volume: a price change leaves other sectors' real output alone."""
    i = base.cluster_index
    cheap = run({"levers": {"chain_extension": 50}, "assumptions": {"stainless_price": -5}})
    dear = run({"levers": {"chain_extension": 50}, "assumptions": {"stainless_price": 15}})
    np.testing.assert_allclose(np.delete(cheap.real_output[0], i, 0), np.delete(dear.real_output[0], i, 0),
                               rtol=1e-12)
    np.testing.assert_allclose(cheap.real_output[0, i], dear.real_output[0, i], rtol=1e-12)


def test_investment_builds_capital_by_perpetual_inventory_with_a_lag(base, run):
    i = base.cluster_index
    d, g0 = 0.125, 0.06
    k0 = 3.0 * 0.18 * 120
    i0 = k0 * (g0 + d) / (1 + g0)
    k1, k1_ss = (1 - d) * k0 + i0 * 1.15, (1 - d) * k0 + i0 * 1.06  # stainless investment +15 %/yr vs 6 %
    neutral = neutral_values(base)["investment"]
    out = run({"levers": {"investment": neutral + 9.0}}).output[0, i]  # 9 points above the steady state
    # The capital effect appears one year after the investment (lag 1): nothing in 2025.
    assert out[1] == pytest.approx(120 * 1.06, rel=1e-12)
    tech = 1.0  # 技改 intensity is the share (40 %, today's): extra investment adds capacity, not productivity too
    # α = 0.85 (the median of its draw): a yuan of extra capital earns less than the sector's average.
    assert out[2] == pytest.approx(120 * 1.06 ** 2 * (k1 / k1_ss) ** 0.85 * tech, rel=1e-12)


def test_investment_lever_is_first_year_growth_of_total_investment(base, run):
    neutral = neutral_values(base)["investment"]
    for lever in (neutral, 15.0, -5.0):
        inv = run({"levers": {"investment": lever}}).investment[0]
        assert 100 * (inv[1] / inv[0] - 1) == pytest.approx(lever, abs=1e-10)
    np.testing.assert_allclose(run({"levers": {"investment": neutral}}).output, run().output, rtol=1e-13)


def test_chain_extension_capacity_is_billed_a_year_ahead_at_the_same_ratio(base, run):
    d_inv = run({"levers": {"chain_extension": 30}}).investment[0] - run().investment[0]
    k = base.capital_output * base.va_rate
    u = base.investment0 / base.output0
    d = base.downstream_share
    volume = 120 * 1.06 ** T
    extra_2025 = 0.05 * 2.0 * volume[1]            # share 15 → 20 % in 2025 (plan 2025–2027)
    build_2026 = 0.05 * 2.0 * volume[2]            # the 2026 step, paid in 2025
    assert d_inv[0] == 0
    # The 2025 step (paid in the base year, history) is billed in 2025 too: the first step is not free.
    assert d_inv[1] == pytest.approx((extra_2025 + build_2026) * (d @ k) + extra_2025 * (d @ u), rel=1e-12)
    assert np.all(d_inv >= 0)


def test_investment_bill_follows_steady_state_path_when_neutral(base, run):
    p = run()
    k0 = base.capital_output * base.va_rate * base.output0
    g = base.trend_pct / 100
    i0 = k0 * (g + 0.125) / (1 + g)
    expected = (i0[:, None] * (1 + g[:, None]) ** T).sum(axis=0)
    np.testing.assert_allclose(p.investment[0], expected, rtol=1e-12)
    assert p.cumulative_investment[0, 0] == 0
    np.testing.assert_allclose(p.cumulative_investment[0, -1], expected[1:].sum(), rtol=1e-12)
    icor = p.icor()[0, 1:]
    assert np.all(np.isfinite(icor)) and np.all(icor > 0)


def test_batch_call_equals_single_calls(base):
    docs = [{}, {"levers": {"investment": 20}}, {"levers": {"tech_upgrade": 70, "sme_upgrades": 50}},
            {"levers": {"projects": [{"name": "x", "sector": "medical", "start_year": 2027, "output": 5}]}}]
    scs = [parse_scenario(d, base) for d in docs]
    X = np.stack([scenario_params(s, base) for s in scs])
    batch = simulate(base, X, scenario_projects(scs, base))
    for k, s in enumerate(scs):
        single = run_scenario(base, s)
        np.testing.assert_allclose(batch.output[k], single.output[0], rtol=1e-13)
        np.testing.assert_allclose(batch.cluster[k], single.cluster[0], rtol=1e-13)


def test_engine_does_not_mutate_its_arguments(base):
    X = np.stack([params_of(base), params_of(base, {"levers": {"investment": 20}})])
    before = X.copy()
    simulate(base, X)
    np.testing.assert_array_equal(X, before)
    assert not base.output0.flags.writeable


# ----------------------------------------------------------------------------- (b) (c) (d) properties

def _box(base):
    b = lever_bounds(base)
    return {n: b[n] for n in SCALAR_PARAMS}


@st.composite
def lever_points(draw, base):
    """A random point of the whole allowed box: scalar parameters and sector trends."""
    box = _box(base)
    row = [draw(st.floats(*box[n], allow_nan=False)) for n in SCALAR_PARAMS]
    start = draw(st.integers(2025, 2035))
    plan = [float(start), float(draw(st.integers(start, 2035))), float(draw(st.integers(0, 1))),
            float(draw(st.integers(0, 1)))]  # persist; extra investment to advanced manufacturing
    trends = [draw(st.floats(*SECTOR_GROWTH_RANGE, allow_nan=False)) for _ in base.sector_ids]
    return np.array(row + plan + trends)


#: The levers that build industrial output (the registry's build-up).
LEVERS = BUILDUP_LEVERS


@pytest.mark.parametrize("lever", LEVERS)
def test_more_of_a_lever_never_lowers_any_output(base, lever):
    """(b) Monotone: on a grid over the lever's range, at many random base points, nothing falls."""
    rng = np.random.default_rng(7)
    box = _box(base)
    names = param_names(base)
    j = names.index(lever)
    points = np.array([[rng.uniform(*box[n]) for n in SCALAR_PARAMS]
                       + [2025.0, float(rng.integers(2025, 2036)), float(rng.integers(0, 2)), float(rng.integers(0, 2))]
                       + list(rng.uniform(*SECTOR_GROWTH_RANGE, size=len(base.sector_ids)))
                       for _ in range(40)])
    if lever == "sme_upgrades":
        # The cultivation pool caps the entrants: a faster pace uses it up earlier, and firms that enter
        # earlier into a shrinking sector have shrunk more by a later year. Growing sectors only (own trend,
        # the growth shift and the stainless price all non-negative).
        points[:, len(SCALAR_PARAMS) + 4:] = np.abs(points[:, len(SCALAR_PARAMS) + 4:])
        g, sp = names.index("growth"), names.index("stainless_price")
        points[:, g] = np.maximum(points[:, g], base.published_growth)
        points[:, sp] = np.abs(points[:, sp])
    grid = np.linspace(*box[lever], 25)
    X = np.repeat(points, grid.size, axis=0)
    X[:, j] = np.tile(grid, len(points))
    p = simulate(base, X)
    for arr in (p.output, p.value_added, p.cluster):
        a = arr.reshape(len(points), grid.size, *arr.shape[1:])
        assert np.all(np.diff(a, axis=1) >= -1e-9 * np.abs(a[:, 1:])), lever


def test_more_project_output_never_lowers_any_output(base):
    sc = parse_scenario({"levers": {"projects": [
        {"name": "a", "sector": "kitchen", "start_year": 2026, "output": 10, "ramp_years": 2}]}}, base)
    bigger = parse_scenario({"levers": {"projects": [
        {"name": "a", "sector": "kitchen", "start_year": 2026, "output": 20, "ramp_years": 2},
        {"name": "b", "sector": "stainless", "start_year": 2030, "output": 5}]}}, base)
    a, b = run_scenario(base, sc), run_scenario(base, bigger)
    assert np.all(b.output >= a.output) and np.all(b.cluster >= a.cluster)


def test_diminishing_returns_to_tech_upgrade(base):
    """(c) Equal steps of the 技改 share add less and less output and value-added rate."""
    j = param_names(base).index("tech_upgrade")
    X = np.repeat(params_of(base)[None], 10, axis=0)
    X[:, j] = np.linspace(0, 90, 10)
    p = simulate(base, X)
    for series in (p.total[:, -1], p.total_value_added[:, -1] / p.total[:, -1]):
        steps = np.diff(series)
        assert np.all(steps > 0) and np.all(np.diff(steps) < 0)


def test_capital_elasticity_below_one_gives_diminishing_returns(base):
    """(c) With α < 1 (the ensemble draws it) output per extra 亿元 of investment falls as investment rises."""
    from model.core.engine import ParameterDraws
    names = param_names(base)
    X = np.repeat(params_of(base, {"levers": {"tech_upgrade": 0}, "plan": {"after": "persist"}})[None], 12, axis=0)
    X[:, names.index("investment")] = np.linspace(7.2, 40, 12)
    X[:, names.index("tech_upgrade")] = 0.0  # isolate the capital channel
    p = simulate(base, X, draws=ParameterDraws(capital_elasticity=np.full(12, 0.7)))
    d_out = np.diff(p.total[:, -1])
    d_inv = np.diff(p.cumulative_investment[:, -2])  # investment through 2034 acts on 2035 output (lag 1)
    marginal = d_out / d_inv
    assert np.all(marginal > 0) and np.all(np.diff(marginal) < 0)


@given(st.data())
def test_no_nan_inf_or_negative_anywhere_in_the_box(base, data):
    """(d) Over the whole allowed box (with volatility, shocks and projects), every value is finite and ≥ 0."""
    x = data.draw(lever_points(base))
    n_proj = data.draw(st.integers(0, 4))
    doc_projects = [{"name": f"p{k}", "sector": data.draw(st.sampled_from(base.sector_ids)),
                     "start_year": data.draw(st.integers(2025, 2035)),
                     "output": data.draw(st.floats(0, 500)), "ramp_years": data.draw(st.integers(1, 10)),
                     "investment": data.draw(st.floats(0, 1000))} for k in range(n_proj)]
    sc = parse_scenario({"levers": {"projects": doc_projects}}, base)
    seed = data.draw(st.integers(0, 2**32 - 1))
    X = np.repeat(x[None], 8, axis=0)
    p = simulate(base, X, scenario_projects([sc], base), normals=draw_normals(np.random.default_rng(seed), 8, base))
    for arr in (p.output, p.value_added, p.cluster, p.investment, p.price, p.advanced_share):
        assert np.all(np.isfinite(arr)) and np.all(arr >= 0)
    assert np.all(p.total > 0)


# ----------------------------------------------------------------------------- (e) (f) randomness

def test_volatility_zero_monte_carlo_reproduces_the_deterministic_run(base, rng):
    doc = dict(base.presets["three_year_action"], assumptions={"volatility": 0})
    sc = parse_scenario(doc, base)
    mc = monte_carlo(base, sc, 500, rng)
    det = run_scenario(base, sc)
    np.testing.assert_array_equal(mc.output, np.broadcast_to(det.output, mc.output.shape))
    np.testing.assert_array_equal(mc.cluster, np.broadcast_to(det.cluster, mc.cluster.shape))


def test_mixed_rows_with_shocks_equal_single_calls(base):
    """Rows with different parameters (some σ = 0) in one shocked call match one-row calls with the same draws."""
    docs = [{"assumptions": {"volatility": 0}}, {"assumptions": {"volatility": 6}, "levers": {"investment": 20}},
            {"assumptions": {"volatility": 3, "correlation": 0.9}, "levers": {"sme_upgrades": 80, "chain_extension": 40}}]
    scs = [parse_scenario(d, base) for d in docs]
    X = np.stack([scenario_params(s, base) for s in scs])
    z = draw_normals(np.random.default_rng(11), len(scs), base)
    batch = simulate(base, X, scenario_projects(scs, base), normals=z)
    for k, s in enumerate(scs):
        one = simulate(base, X[k:k + 1], scenario_projects([s], base), normals=z[:, k:k + 1])
        np.testing.assert_allclose(batch.output[k], one.output[0], rtol=1e-13)
        np.testing.assert_allclose(batch.cluster[k], one.cluster[0], rtol=1e-13)
    np.testing.assert_allclose(batch.output[0], run_scenario(base, scs[0]).output[0], rtol=1e-13)
    assert not np.allclose(batch.output[1], run_scenario(base, scs[1]).output[0])


def test_same_seed_same_draws_other_seed_other_draws(base):
    sc = parse_scenario({"assumptions": {"volatility": 4}}, base)
    a = monte_carlo(base, sc, 200, np.random.default_rng(1))
    b = monte_carlo(base, sc, 200, np.random.default_rng(1))
    c = monte_carlo(base, sc, 200, np.random.default_rng(2))
    np.testing.assert_array_equal(a.output, b.output)
    assert not np.allclose(a.output, c.output)


def test_shocks_are_mean_one_and_correlated_as_stated(base):
    sc = parse_scenario({"assumptions": {"volatility": 5, "correlation": 0.5}}, base)
    mc = monte_carlo(base, sc, 20_000, np.random.default_rng(3))
    det = run_scenario(base, sc)
    # E[exp(σz − σ²/2)] = 1: the ensemble mean tracks the deterministic path.
    np.testing.assert_allclose(mc.output[:, :, 1].mean(axis=0), det.output[0, :, 1], rtol=0.005)
    growth = np.log(mc.output[:, :, 1] / det.output[0, :, 1])  # first-year log shocks
    corr = np.corrcoef(growth.T)
    off = corr[~np.eye(len(base.sector_ids), dtype=bool)]
    assert off.mean() == pytest.approx(0.5, abs=0.03)
    assert growth.std(axis=0).mean() == pytest.approx(0.05, rel=0.03)
