"""The stainless cluster's own accounts (issue 12): the trade & warehousing lever, its bill, the parts,
no leakage into industrial output, the cheapest mix and the seek on the cluster goal."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from model import evaluate_goals, parse_scenario, resolve_goals, run_scenario
from model.schema.mix import cheapest_mix
from model.reports.briefing import briefing
from model.schema.scenario import scenario_params, scenario_projects, with_params
from model.schema.runs import seek
from model.core.ensemble import ensemble_draws, simulate_ensemble
from model.schema.runs import run_ensemble

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ROOT / "data" / "zhoucun" / "presets"
YEARS = np.arange(2024, 2036)
T = YEARS - 2024
RUNS = 400


def preset(base, name, **targets):
    doc = json.loads((PRESETS / f"{name}.json").read_text(encoding="utf-8"))
    if targets:
        doc["targets"] = {k: {"year": v} for k, v in targets.items()}
    return parse_scenario(doc, base)


def fields(p):
    """Every array a projection carries (with its detail), for exact comparisons."""
    return {"output": p.output, "value_added": p.value_added, "price": p.price, "cluster": p.cluster,
            "investment_by_sector": p.investment_by_sector, "reclassified": p.reclassified,
            "high_tech": p.high_tech, "total": p.total, "real_total": p.real_total, "investment": p.investment}


# ----------------------------------------------------------------------------- neutral and closed form

@pytest.mark.parametrize("name", ["trend", "three_year_action", "bold", "cautious"])
def test_zero_trade_expansion_changes_nothing(base, name):
    sc = preset(base, name)
    without = run_scenario(base, with_params(sc, trade_expansion=0.0))
    doc = sc.to_doc()
    doc.get("levers", {}).pop("trade_expansion", None)
    never_set = run_scenario(base, parse_scenario(doc, base))
    for key, a in fields(never_set).items():
        assert np.array_equal(a, fields(without)[key]), key
    assert np.array_equal(without.trade_investment, np.zeros_like(without.trade_investment))
    assert np.array_equal(without.investment, without.industrial_investment)


def test_trade_turnover_closed_form(base, run):
    """Trend: W(t) = 344·1.05^t (trade_growth 5 %/yr); +10 %/yr in 2025–2027 acts a year later and
    materialises at the median share 0.75 of trade_scale: ×1.075^m(t−1)."""
    w0 = base.cluster0["trade"]
    assert w0 == 344.0
    trend = run().cluster[0, 1]
    np.testing.assert_allclose(trend, 344.0 * 1.05 ** T, rtol=1e-12)
    lifted = run({"levers": {"trade_expansion": 10}}).cluster[0, 1]
    m = np.array([0, 0, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3])  # plan years 2025–2027 elapsed, lagged one year
    np.testing.assert_allclose(lifted, 344.0 * 1.05 ** T * 1.075 ** m, rtol=1e-12)
    persist = run({"plan": {"after": "persist"}, "levers": {"trade_expansion": 10}}).cluster[0, 1]
    np.testing.assert_allclose(persist, 344.0 * 1.05 ** T * 1.075 ** np.maximum(T - 1, 0), rtol=1e-12)


def test_trade_bill_by_hand(base, run):
    """k_W [max(0, ΔD(t+1)) + δ D(t)], k_W = 0.10 (the median of its draw), δ = 12.5 %, D = W − W* (trend, +10 %/yr × 0.75 materialising)."""
    assert base.params["trade_capital_output"] == 0.10 and base.params["depreciation"] == 12.5
    p = run({"levers": {"trade_expansion": 10}})
    d = 344.0 * 1.05 ** T * (1.075 ** np.array([0, 0, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3]) - 1)
    bill = p.trade_investment[0]
    assert bill[0] == 0.0                                            # the base year is history
    assert bill[1] == pytest.approx(0.10 * d[2], rel=1e-12)          # 2025: capacity for 2026
    assert bill[3] == pytest.approx(0.10 * ((d[4] - d[3]) + 0.125 * d[3]), rel=1e-12)
    assert bill[-1] == pytest.approx(0.10 * 0.125 * d[-1], rel=1e-12)  # the end year builds nothing beyond it
    np.testing.assert_allclose(p.investment[0], p.industrial_investment[0] + bill, rtol=1e-12)
    trend = run()
    assert np.array_equal(p.investment_by_sector, trend.investment_by_sector)
    np.testing.assert_array_equal(np.isnan(p.icor()), np.isnan(trend.icor()))
    np.testing.assert_allclose(p.icor(), trend.icor(), rtol=1e-12)  # industrial ICOR: trade capacity left out


# ----------------------------------------------------------------------------- kept apart from industry

@pytest.mark.parametrize("x", [0.5, 5.0, 30.0])
def test_trade_expansion_never_touches_industrial_output_or_its_goals(base, x):
    sc = preset(base, "three_year_action")
    a, b = (run_scenario(base, with_params(sc, trade_expansion=v)) for v in (0.0, x))
    for key in ("output", "value_added", "price", "reclassified", "high_tech", "total", "real_total",
                "investment_by_sector"):
        assert np.array_equal(fields(a)[key], fields(b)[key]), key
    assert np.array_equal(a.cluster[:, [0, 2]], b.cluster[:, [0, 2]])  # processing and downstream
    goals = resolve_goals(sc, base)
    ra, rb = evaluate_goals(a, goals), evaluate_goals(b, goals)
    keep = [j for j, g in enumerate(goals) if g.metric != "cluster_total"]
    assert len(keep) == 3
    for arr in ("value", "met", "year_reached", "goal"):
        assert np.array_equal(getattr(ra, arr)[:, keep], getattr(rb, arr)[:, keep]), arr


def test_chances_of_the_industrial_goals_do_not_move_and_the_cluster_chance_never_falls(base):
    sc = preset(base, "three_year_action", stainless_cluster=2030)
    xs = [0.0, 2.0, 8.0, 30.0]
    results = [run_ensemble(base, with_params(sc, trade_expansion=x), runs=RUNS) for x in xs]
    cluster = [j for j, g in enumerate(results[0][1].goals) if g.metric == "cluster_total"][0]
    p0, r0 = results[0]
    for (p, r), (q, s) in zip(results, results[1:]):
        assert np.all(q.cluster_total >= p.cluster_total)           # every run, every year (common draws)
        assert s.probability[cluster] >= r.probability[cluster]
    for p, r in results[1:]:
        assert np.array_equal(p.output, p0.output) and np.array_equal(p.high_tech, p0.high_tech)
        others = [j for j in range(len(r.goals)) if j != cluster]
        assert np.array_equal(r.probability[others], r0.probability[others])
    assert results[-1][1].probability[cluster] > results[0][1].probability[cluster]


def test_cluster_parts_add_up_in_every_year_and_draw(base):
    sc = with_params(preset(base, "bold"), trade_expansion=12.0)
    draws = ensemble_draws(base, RUNS)
    ens = simulate_ensemble(base, scenario_params(sc, base), scenario_projects([sc], base), draws)
    det = run_scenario(base, sc)
    for p in (ens, det):
        np.testing.assert_allclose(p.cluster.sum(axis=1), p.cluster_total, rtol=1e-14)
        assert np.array_equal(p.cluster[:, 0], p.output[:, base.cluster_index])  # processing is industrial output
        assert np.all(p.cluster > 0)
    # 2024: the published total, split as the data estimates
    assert det.cluster_total[0, 0] == pytest.approx(500.0)
    np.testing.assert_allclose(det.cluster[0, :, 0], [base.cluster0[k] for k in ("processing", "trade", "downstream")])


def test_the_drawn_share_of_the_trade_expansion_is_what_runs_see(base):
    """A run with θ_W drawn gets (1 + θ_W x)^m(t−1): in 2027 (m = 2) its trade over the x = 0 run is (1 + θ_W x)²."""
    sc = preset(base, "trend")
    draws = ensemble_draws(base, RUNS)
    runs = [simulate_ensemble(base, scenario_params(with_params(sc, trade_expansion=x), base),
                              scenario_projects([sc], base), draws) for x in (0.0, 10.0)]
    k = int(np.searchsorted(YEARS, 2027))  # m(2026) = 2
    ratio = runs[1].cluster[:, 1, k] / runs[0].cluster[:, 1, k]
    np.testing.assert_allclose(ratio, (1 + draws.params.trade_scale * 0.1) ** 2, rtol=1e-12)
    assert draws.params.trade_scale.min() >= 0.5 and draws.params.trade_scale.max() <= 1.0


# ----------------------------------------------------------------------------- what it takes

def test_seek_on_trade_expansion_meets_the_cluster_goal_just(base):
    sc = preset(base, "three_year_action", stainless_cluster=2030)
    r = seek(base, sc, "stainless_cluster", "trade_expansion")
    assert r.reachable and r.converged and 0 < r.value < 30
    goals = resolve_goals(sc, base)
    j = [g.id for g in goals].index("stainless_cluster")
    at = evaluate_goals(run_scenario(base, with_params(sc, trade_expansion=r.value)), goals)
    below = evaluate_goals(run_scenario(base, with_params(sc, trade_expansion=max(0.0, r.value - 0.1))), goals)
    assert at.met[0, j] and not below.met[0, j]


def test_cli_seek_on_trade_expansion(tmp_path):
    doc = json.loads((PRESETS / "trend.json").read_text(encoding="utf-8"))
    doc["targets"] = {"stainless_cluster": {"year": 2030}}
    path = tmp_path / "sc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "model", "seek", "--target", "stainless_cluster", "--lever",
                        "trade_expansion", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["lever"] == "trade_expansion" and out["reachable"] and out["converged"]
    # At the default 50 % chance: the setting's chance (the page's runs) is at least that.
    assert out["probability"] == 0.5 and out["outcome"] >= 0.5 and out["chance"] >= 0.5
    assert 0 < out["value"] <= out["setting"] < 30


def test_cheapest_mix_reaches_the_goal_and_each_step_is_needed(base):
    sc = preset(base, "three_year_action")
    m = cheapest_mix(base, sc, probability=None)  # on the central path (tests/test_advice.py: at a chance)
    assert m.reached and not m.already_met and m.year == 2027
    assert [s.lever for s in m.steps][0] == "trade_expansion"  # the cheapest per yuan of cluster growth
    prices = [s.price for s in m.steps]
    assert prices == sorted(prices)
    mixed = with_params(sc, **{s.lever: s.value for s in m.steps})
    goals = resolve_goals(sc, base)
    j = [g.id for g in goals].index("stainless_cluster")
    p = run_scenario(base, mixed)
    assert evaluate_goals(p, goals).met[0, j]
    k = int(np.searchsorted(p.years, 2027))
    start = run_scenario(base, sc)
    assert m.bill == pytest.approx(p.cumulative_investment[0, k] - start.cumulative_investment[0, k], rel=1e-9)
    last = m.steps[-1]
    less = with_params(mixed, **{last.lever: last.value - 1.0})  # one point less of the last lever misses
    assert not evaluate_goals(run_scenario(base, less), goals).met[0, j]


def test_cheapest_mix_when_met_and_when_out_of_reach(base):
    met = cheapest_mix(base, parse_scenario({"levers": {"trade_expansion": 30},
                                             "targets": {"stainless_cluster": {"year": 2035}}}, base))
    assert met.already_met and met.steps == ()
    far = cheapest_mix(base, parse_scenario({"targets": {"stainless_cluster": {"year": 2026}}}, base))
    assert not far.reached and far.value < 1000
    assert {s.lever for s in far.steps} >= {"trade_expansion", "chain_extension"}


@pytest.mark.parametrize("lang, needle", [("zh", "最省的组合"), ("en", "Cheapest mix")])
def test_briefing_names_the_cheapest_mix(base, lang, needle):
    text = briefing(base, preset(base, "three_year_action"), lang)
    assert needle in text
    assert ("仓储贸易额额外增速" if lang == "zh" else "extra growth of stainless trade") in text


def test_presets_state_their_trade_assumption(base):
    for name, x in (("three_year_action", 3.0), ("bold", 8.0)):
        doc = json.loads((PRESETS / f"{name}.json").read_text(encoding="utf-8"))
        assert doc["levers"]["trade_expansion"] == x
        assert f"{x:g}%" in doc["meta"]["description_zh"] and f"{x:g} %/yr" in doc["meta"]["description_en"]
    trend = json.loads((PRESETS / "trend.json").read_text(encoding="utf-8"))
    assert "trade_expansion" not in trend.get("levers", {})
    assert parse_scenario(trend, base).levers.trade_expansion == 0.0


# ----------------------------------------------------------------------------- the page

def test_trade_slider_moves_the_cluster_card_only_and_binds_to_the_url(base):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    slider = at.slider(key="trade_expansion")
    assert slider.value == 0.0 and slider.max == 30.0
    assert "2025" in slider.label and "2027" in slider.label

    def card_values():
        out = {}
        for m in at.markdown:
            for hit in re.finditer(r'data-goal="([a-z_0-9]+)" data-met="(?:true|false)" data-value="([^"]+)"', m.value):
                out[hit[1]] = float(hit[2])
        return out

    before = card_values()
    slider.set_value(20.0).run()
    assert not at.exception
    after = card_values()
    assert after["stainless_cluster"] > before["stainless_cluster"]
    for gid in ("doubling", "advanced_share_2035", "steady_growth"):
        assert after[gid] == before[gid], gid
    want = run_scenario(base, parse_scenario({"levers": {"trade_expansion": 20.0}}, base))
    assert after["stainless_cluster"] == pytest.approx(float(want.cluster_total[0, 3]), rel=1e-5)
    parts = next(m.value for m in at.markdown if 'class="zc-parts"' in m.value)
    assert "仓储贸易" in parts and "文章未给该目标年份" in parts

    shared = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    shared.query_params["trade_expansion"] = "12.5"
    shared.query_params["lang"] = "en"
    shared.run()
    assert not shared.exception
    assert shared.slider(key="trade_expansion").value == 12.5
    want = run_scenario(base, parse_scenario({"levers": {"trade_expansion": 12.5}}, base))
    at = shared
    assert card_values()["stainless_cluster"] == pytest.approx(float(want.cluster_total[0, 3]), rel=1e-5)
    parts = next(m.value for m in shared.markdown if 'class="zc-parts"' in m.value)
    assert "trade &amp; warehousing" in parts and "article gives no year" in parts


def test_map_and_tornado_take_the_trade_lever(base):
    from model.schema.runs import tornado, what_it_takes
    sc = preset(base, "three_year_action")
    m = what_it_takes(base, sc, "stainless_cluster", "trade_expansion", "chain_extension", n=6, runs=0)
    assert np.all(np.diff(m.value, axis=1) > 0)  # value is (y, x): more trade, a larger cluster
    flat = what_it_takes(base, sc, "doubling", "trade_expansion", "chain_extension", n=6, runs=0)
    assert np.all(np.diff(flat.value, axis=1) == 0) and np.all(np.diff(flat.value, axis=0) > 0)
    total = tornado(base, sc, "total").set_index("param")
    cluster = tornado(base, sc, "cluster").set_index("param")
    assert total.loc["trade_expansion", "span"] == 0
    assert cluster.loc["trade_expansion", "span"] > 0
