"""Model v3 (issue 17): the central path is the middle of the range, and no shortcut to a goal is free.

Each test here failed on f217b5e (the model v2 it fixes) and names the finding it covers.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import parse_scenario, run_scenario
from model.core.engine import central_values, poisson_capped_pmf
from model.schema.runs import run_ensemble

PRESETS = ("trend", "cautious", "three_year_action", "bold")


# ----------------------------------------------------------------------------- finding 1: central means central

def test_central_values_are_the_medians_of_the_draws_by_hand(base):
    c = central_values(base)
    assert c.capital_elasticity == pytest.approx(0.85)      # U(0.7, 1)
    assert c.project_size == pytest.approx(0.8)             # U(0.6, 1)
    assert c.trade_scale == pytest.approx(0.75)             # U(0.5, 1)
    assert c.tech_scale == pytest.approx(1.0)               # U(0.5, 1.5)
    assert c.trade_growth == pytest.approx(5.0)             # N(5, 2)
    assert c.level == 1.0                                   # the data's level, the median of U(360, 440)
    from model.core.engine import distribution_median
    assert distribution_median(base.uncertainty["level_2024"]) == pytest.approx(base.output0.sum())
    # A project's whole delay = common Poisson(0.5) + own Poisson(0.3): no delay with e^−0.8 = 0.449.
    assert c.project_delay[0] == pytest.approx(np.exp(-0.8), rel=1e-12)
    assert c.project_delay.sum() == pytest.approx(1.0, rel=1e-12)
    assert poisson_capped_pmf(0.5, 3)[-1] == pytest.approx(1 - np.exp(-0.5) * (1 + 0.5 + 0.125), rel=1e-12)


@pytest.mark.parametrize("name", PRESETS)
def test_central_path_lies_in_the_middle_of_its_own_ensemble(base, name):
    """Finding 1: bold's 2027 output sat at the 92nd percentile of its own runs, the three-year action's at the 81st."""
    sc = parse_scenario(base.presets[name], base)
    det = run_scenario(base, sc)
    ens = run_ensemble(base, sc)[0]
    for year in (2027, 2035):
        k = int(np.searchsorted(det.years, year))
        pct = 100.0 * np.mean(ens.total[:, k] < det.total[0, k])
        assert 40.0 <= pct <= 60.0, (name, year, pct)


def test_central_project_capacity_is_its_expectation_over_size_and_delay(base):
    """A 30亿元 project from 2026 in one year: the central path installs 0.8 × 30 × P(delay = d) in 2026 + d."""
    proj = {"name": "P", "sector": "equipment", "start_year": 2026, "output": 30, "ramp_years": 1, "investment": 27}
    d = run_scenario(base, parse_scenario({"levers": {"projects": [proj]}}, base)).output[0] - run_scenario(
        base, parse_scenario({}, base)).output[0]
    i = base.sector_ids.index("equipment")
    w = central_values(base).project_delay
    assert d[i, 2] == pytest.approx(0.8 * 30 * w[0], rel=1e-12)                   # 2026
    assert d[i, 3] == pytest.approx(0.8 * 30 * (w[0] * 1.12 + w[1]), rel=1e-12)  # 2027: the 2026 cohort grew 12 %


# ----------------------------------------------------------------------------- finding 4: no free capacity

def _as_stated(base, doc):
    from model.core.engine import ParameterDraws, simulate
    from model.schema.scenario import scenario_params, scenario_projects
    sc = parse_scenario(doc, base)
    return simulate(base, scenario_params(sc, base), scenario_projects([sc], base),
                    draws=ParameterDraws(project_size=np.ones(1), project_delay=np.zeros((1, 60))))


def test_a_projects_bill_does_not_depend_on_its_start_year_beyond_the_shift(base):
    """Finding 4: a 200亿元 equipment project starting 2025 billed 111.4亿元 in 2025, the same from 2026 256.7."""
    def bill(start):
        proj = {"name": "P", "sector": "equipment", "start_year": start, "output": 200, "ramp_years": 2,
                "investment": 180}
        return _as_stated(base, {"levers": {"projects": [proj]}}).investment[0] - _as_stated(base, {}).investment[0]
    early, late = bill(2025), bill(2026)
    k = 3.0 * 0.30                                     # κ·v of equipment: capital per yuan of annual output
    u = k * (0.12 + 0.125) / 1.12                      # upkeep per yuan of output (steady state)
    # By hand: 2025 pays for the 100 producing in 2025 and the 100 producing in 2026, plus upkeep of 100.
    assert early[1] == pytest.approx(k * 200 + u * 100, rel=1e-12)
    assert late[1] == pytest.approx(k * 100, rel=1e-12)
    # The same bill, shifted a year: ten years of upkeep each.
    assert early[1:11].sum() == pytest.approx(late[1:12].sum(), rel=1e-12)
    assert early[0] == late[0] == 0.0                  # the base year is history


# ----------------------------------------------------------------------------- finding 5: 小升规 as it is counted

def test_sme_upgrades_are_capped_by_the_cultivation_pool_and_noted(base):
    """Finding 5: goal seek returned 257 firms a year (~770 in three years) and nothing capped or flagged it."""
    from model.core.plausibility import plausibility_flags
    assert base.params["sme_pool"] == 200
    proj = run_scenario(base, parse_scenario({"levers": {"sme_upgrades": 257}}, base))
    firms = proj.entered[0] / base.params["sme_entry_revenue"]
    np.testing.assert_allclose(firms, [0, 200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], atol=1e-9)  # the pool, in 2025
    flag = next(f for f in plausibility_flags(base, proj, 2027) if f.check == "sme_pool")
    assert (flag.value, flag.threshold, flag.year) == (200, 200, 2025)
    within = run_scenario(base, parse_scenario({"levers": {"sme_upgrades": 60}}, base))
    assert not any(f.check == "sme_pool" for f in plausibility_flags(base, within, 2027))


def test_entrants_stop_when_the_pool_is_used_up(base):
    """plan.after = persist: 60 firms a year would keep entering to 2035; the pool of 200 ends them in 2028."""
    proj = run_scenario(base, parse_scenario({"plan": {"after": "persist"}, "levers": {"sme_upgrades": 60}}, base))
    firms = proj.entered[0] / base.params["sme_entry_revenue"]
    np.testing.assert_allclose(firms, [0, 60, 60, 60, 20, 0, 0, 0, 0, 0, 0, 0], atol=1e-9)


def test_same_firm_growth_by_hand_and_reclassification_note(base):
    """同口径: g(t) = Y(t)/(Y(t−1) + E(t)) − 1; with no entrants it is the level's growth."""
    from model.core.plausibility import plausibility_flags
    trend = run_scenario(base, parse_scenario({}, base))
    np.testing.assert_allclose(trend.same_firm_growth, trend.growth, rtol=1e-13)
    sc = parse_scenario({"levers": {"sme_upgrades": 60}}, base)
    p = run_scenario(base, sc)
    e = 60 * 0.25                                                     # 60 firms × 0.25亿元 enter in 2025
    assert p.entered[0, 1] == pytest.approx(e)
    assert p.same_firm_growth[0, 0] == pytest.approx(100 * (p.total[0, 1] / (p.total[0, 0] + e) - 1), rel=1e-12)
    # Against the trend: the level grew by the entrants, the same-firm growth by their growth alone.
    assert p.growth[0, 0] == pytest.approx(100 * ((trend.total[0, 1] + e) / 400 - 1), rel=1e-12)
    assert p.same_firm_growth[0, 0] == pytest.approx(100 * ((trend.total[0, 1] + e) / (400 + e) - 1), rel=1e-12)
    assert p.same_firm_growth[0, 0] < p.growth[0, 0] - 3.0
    # The gain to 2027: 3 × 15亿元 of entrants (growing) against a trend gain of ~94亿元: a third.
    share = 100 * p.gain_parts(2027)[0, 2] / (p.total[0, 3] - p.total[0, 0])
    assert share > 25
    assert any(f.check == "max_reclassification_share" and f.value == pytest.approx(share)
               for f in plausibility_flags(base, p, 2027, trend=trend))
    assert not any(f.check == "max_reclassification_share" for f in plausibility_flags(base, trend, 2027, trend=trend))


# ----------------------------------------------------------------------------- finding 6: diminishing, fading returns

def _capital(base, inv):
    """Perpetual inventory by hand, K(t) = (1 − δ) K(t−1) + I(t), K(0) = k·Y(0), per sector (S, Y)."""
    d = base.params["depreciation"] / 100
    k = np.zeros_like(inv)
    k[:, 0] = base.capital_output * base.va_rate * base.output0
    for t in range(1, inv.shape[1]):
        k[:, t] = (1 - d) * k[:, t - 1] + inv[:, t]
    return k


def test_extra_capital_earns_no_more_than_the_average_capital(base):
    """Finding 6: per yuan of extra capital (built a year earlier) the lever's extra output is α = 0.85 times
    the sector's average output per yuan of capital, never more; v2's 技改 double count made it 1.05–1.10."""
    trend = run_scenario(base, parse_scenario({}, base))
    lever = run_scenario(base, parse_scenario({"levers": {"investment": 30}}, base))
    k_trend = _capital(base, trend.investment_by_sector[0])
    d_k = _capital(base, lever.investment_by_sector[0]) - k_trend
    d_y = lever.output[0] - trend.output[0]
    grew = d_k[:, :-1] > 1e-9
    ratio = (d_y[:, 1:] / np.where(grew, d_k[:, :-1], 1.0)) / (trend.output[0][:, 1:] / k_trend[:, :-1])
    assert np.all(ratio[grew] <= 0.86)
    assert np.all(ratio[grew] >= 0.80)                 # diminishing, not vanishing: about α


def test_the_investment_levers_extra_spending_fades_to_the_trend_after_the_plan(base):
    """Finding 6: the lever's investment stayed 1.53–1.73× the trend path after the plan, and 86 % of its
    extra bill fell after 2027. Now it fades over investment_fade = 3 years (its log-ratio linearly)."""
    assert base.params["investment_fade"] == 3
    trend = run_scenario(base, parse_scenario({}, base)).investment_by_sector[0]
    hi = run_scenario(base, parse_scenario({"levers": {"investment": 30}}, base)).investment_by_sector[0]
    r = hi / trend
    end = r[:, 3]                                       # 2027: ((1+g^I)/(1+g))^3
    np.testing.assert_allclose(r[:, 4], end ** (2 / 3), rtol=1e-12)
    np.testing.assert_allclose(r[:, 5], end ** (1 / 3), rtol=1e-12)
    np.testing.assert_allclose(r[:, 6:], 1.0, rtol=1e-12)
    extra = hi.sum(axis=0) - trend.sum(axis=0)
    assert extra[4:].sum() / extra[1:].sum() < 0.40
    persist = run_scenario(base, parse_scenario({"plan": {"after": "persist"}, "levers": {"investment": 30}},
                                                base)).investment_by_sector[0]
    assert np.all(persist[:, -1] / trend[:, -1] > end)  # persist: the lever keeps acting


# ----------------------------------------------------------------------------- finding 8: structure

def test_drawn_high_tech_parts_all_reproduce_the_2020_back_cast(base):
    """Finding 8: other sector high-tech parts matching the same back-cast were never drawn."""
    from model.core.ensemble import ensemble_draws
    h = ensemble_draws(base).params.high_tech
    back = base.output0 / (1 + base.trend_pct / 100) ** (2024 - 2020)
    w = back / back.sum()
    np.testing.assert_allclose(h @ w, base.high_tech_share_in(2020) / 100, atol=1e-12)
    assert np.all((h > 0) & (h < 1))
    assert np.all(h.std(axis=0) > 0.03)                   # every sector's part is uncertain
    # The trend's 2035 share now spreads over the drawn splits (the goal's chance is no longer 0 or 1 by fiat).
    ens = run_ensemble(base, parse_scenario({"assumptions": {"volatility": 0}}, base))[0]
    share = ens.high_tech_share[:, -1]
    assert np.percentile(share, 95) - np.percentile(share, 5) > 3.0


def test_the_official_share_at_current_prices_beside_the_constant_price_one(base):
    """With stainless prices falling 5 %/yr the official (current-price) share rises above the constant-price one."""
    p = run_scenario(base, parse_scenario({"assumptions": {"stainless_price": -5}}, base))
    assert p.high_tech_share_current[0, 0] == pytest.approx(p.high_tech_share[0, 0], rel=1e-12)
    # By hand for the trend path (no 技改): Σ h_i Y_i(t) / Σ Y_i(t), nominal.
    trend = run_scenario(base, parse_scenario({"assumptions": {"stainless_price": -5}, "levers": {"tech_upgrade": 40}}, base))
    nominal = (trend.output[0] * base.high_tech_share[:, None]).sum(axis=0) / trend.total[0]
    np.testing.assert_allclose(trend.high_tech_share_current[0], 100 * nominal, rtol=1e-12)
    assert p.high_tech_share_current[0, -1] > p.high_tech_share[0, -1] + 0.5


def test_where_extra_investment_goes_is_a_stated_setting(base):
    """Finding 8: bold + persist, investment 20 → 40 lowered the structure chance (96.1 → 92.7 %) because the
    extra spending grew the traditional sectors too. Directed to advanced manufacturing it raises the share."""
    def share(inv, where):
        doc = {**base.presets["bold"], "plan": {"start": 2025, "end": 2027, "after": "persist", "invest_in": where}}
        doc["levers"] = {**doc["levers"], "investment": inv}
        return run_scenario(base, parse_scenario(doc, base)).high_tech_share[0, -1]
    assert share(40, "advanced") > share(20, "advanced") + 0.5
    assert share(40, "advanced") > share(40, "shares")
    # The extra spending of a year goes only to the emerging and future sectors, and it is the same amount.
    t = run_scenario(base, parse_scenario({}, base)).investment_by_sector[0]
    a = run_scenario(base, parse_scenario({"levers": {"investment": 30}, "plan": {"invest_in": "advanced"}}, base))
    s = run_scenario(base, parse_scenario({"levers": {"investment": 30}}, base))
    extra_a, extra_s = a.investment_by_sector[0] - t, s.investment_by_sector[0] - t
    np.testing.assert_allclose(extra_a[~base.advanced_mask], 0, atol=1e-9)
    np.testing.assert_allclose(extra_a.sum(axis=0), extra_s.sum(axis=0), rtol=1e-9, atol=1e-9)


# ----------------------------------------------------------------------------- finding 10: the cluster counted once

def test_the_de_duplicated_cluster_counts_the_trade_margin_not_turnover(base):
    """Finding 10 and review D: the cluster added output and trade turnover (the same steel counted more
    than once), and v3's net measure still counted the locally processed steel twice (in processing and
    inside the downstream products made from it). Net = P + D − c·P + μW (= V + (m − 1)·c·V + μW)."""
    p = run_scenario(base, parse_scenario({}, base))
    assert base.params["trade_margin"] == 4 and base.params["chain_multiplier"] == 2
    # 2024 by hand: c = 36 / (2 × 120) = 15 %; 120 + (2 − 1) × 0.15 × 120 + 0.04 × 344 = 151.76 (v3: 169.76).
    assert p.cluster_total[0, 0] == pytest.approx(500.0)
    assert p.cluster_net[0, 0] == pytest.approx(120 + (2 - 1) * 0.15 * 120 + 0.04 * 344, rel=1e-12)
    three = run_scenario(base, parse_scenario(base.presets["three_year_action"], base))
    P, W, D = three.cluster[0]
    c = D / (2 * P)                                          # the local share, flat stainless price (V = P)
    np.testing.assert_allclose(three.cluster_net[0], P + (2 - 1) * c * P + 0.04 * W, rtol=1e-12)
    assert np.all(three.cluster_net < 0.45 * three.cluster_total)


def test_the_trade_capital_ratio_is_drawn_and_its_median_is_central(base):
    from model.core.ensemble import ensemble_draws
    k = ensemble_draws(base).params.trade_capital_output
    assert 0.05 <= k.min() and k.max() <= 0.15 and abs(np.median(k) - 0.10) < 0.005
    assert central_values(base).trade_capital_output == pytest.approx(0.10)
    from model.core.engine import ParameterDraws, simulate
    from model.schema.scenario import scenario_params
    x = scenario_params(parse_scenario({"levers": {"trade_expansion": 10}}, base), base)
    lo, hi = (simulate(base, x, draws=ParameterDraws(trade_capital_output=np.array([v]))).trade_investment[0]
              for v in (0.05, 0.15))
    np.testing.assert_allclose(hi, 3 * lo, rtol=1e-12)      # the bill is proportional to k_W


# ----------------------------------------------------------------------------- finding 11: industrial depreciation

def test_depreciation_is_industrial_and_sourced_by_hand(base):
    """Finding 11: 9.6 % was economy-wide. Geometric rates from tax lives: 2/3 × 1.65/10 + 1/3 × 0.91/20 = 12.5 %."""
    by = {(f.table, f.parameter): f for f in base.figures}
    dep = by[("parameters", "depreciation")]
    assert dep.source == "cit2007" and dep.status == "estimate"
    assert base.params["depreciation"] == pytest.approx(100 * (2 / 3 * 1.65 / 10 + 1 / 3 * 0.91 / 20), abs=0.05)
    # The steady investment of a sector follows it: I(0) = k Y(0) (g + δ)/(1 + g).
    i = base.cluster_index
    assert base.investment0[i] == pytest.approx(0.54 * 120 * (0.06 + 0.125) / 1.06, rel=1e-12)


def test_cli_gains_shows_same_firm_growth_beside_the_level():
    """Finding 5: the CLI reports growth 同口径 beside the level including entrants."""
    import json
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    r = subprocess.run([sys.executable, "-m", "model", "gains", "data/zhoucun/presets/three_year_action.json",
                        "--format", "json"], cwd=root, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    rows = {x["year"]: x for x in json.loads(r.stdout)}
    level, same = rows[2027]["growth"], rows[2027]["growth_same_firms"]
    assert level == pytest.approx(100 * ((1 + rows[2027]["gain"] / 400) ** (1 / 3) - 1), rel=1e-9)
    assert same < level - 1.0                           # 120 entrants in 2025–2027 lift the level, not 同口径
