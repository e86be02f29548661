"""Feasibility (issue 19): fiscal balance, energy and land against their limits.

Properties over the lever box, one hand-checked case per side (fiscal, energy, land) with the numbers
written out, the ensemble's chances and ``python -m model constraints`` end to end.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from model.core.ensemble import ensemble_draws
from model.core.feasibility import CONSTRAINTS, LEVERS, binds_first, feasibility, feasibility_ensemble, green_factor
from model.errors import DataError
from model.io.datafolder import DEFAULT_DATA_DIR, load_baseline
from model.io.feasibility_data import load_feasibility
from model.schema.scenario import parse_scenario, scenario_rows

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def base():
    return load_baseline()


@pytest.fixture(scope="module")
def data(base):
    return load_feasibility(base)


def _feas(base, data, levers=None, **doc):
    sc = parse_scenario({"levers": levers or {}, **doc}, base)
    return feasibility(base, data, scenario_rows(sc, base))


def _year(base, y):
    return int(y - base.base_year)


# --------------------------------------------------------------------------- neutral levers

@pytest.mark.parametrize("doc", [{}, {"assumptions": {"growth": 10.0}}, {"assumptions": {"stainless_price": 5.0}}])
def test_neutral_levers_cost_nothing_and_need_no_land(base, data, doc):
    sc = parse_scenario(doc, base)
    f = feasibility(base, data, scenario_rows(sc, base))
    assert all(np.all(f.spending[k] == 0.0) for k in LEVERS)
    assert np.all(f.tax == 0.0) and np.all(f.cumulative == 0.0)
    assert np.all(f.land == 0.0)
    assert np.isnan(f.payback[0])  # nothing to pay back
    assert f.constraint("fiscal_balance").within[0] and f.constraint("land").within[0]
    with pytest.raises(ValueError):  # a frozen record: its arrays are read-only
        f.land[0, 0] = 1.0


def test_neutral_ensemble_costs_nothing_in_any_run(base, data):
    sc = parse_scenario({}, base)
    f = feasibility_ensemble(base, data, scenario_rows(sc, base), ensemble_draws(base, 300, 7), 7)
    assert f.total_spending.shape == (300, base.years.size)
    assert np.all(f.total_spending == 0.0) and np.all(f.land == 0.0)


# --------------------------------------------------------------------------- properties over the lever box

levers = st.fixed_dictionaries({
    "investment": st.floats(-10, 40), "tech_upgrade": st.floats(0, 90), "chain_extension": st.floats(15, 80),
    "sme_upgrades": st.floats(0, 300), "trade_expansion": st.floats(0, 30)})
PROJECT = {"name": "p", "sector": "equipment", "start_year": 2027, "output": 10.0, "ramp_years": 2, "investment": 6.0}


@settings(max_examples=20, deadline=None)
@given(lv=levers, more=st.floats(1.0, 40.0))
def test_more_tech_upgrade_never_raises_energy_intensity(base, data, lv, more):
    lo = _feas(base, data, lv)
    hi = _feas(base, data, {**lv, "tech_upgrade": min(90.0, lv["tech_upgrade"] + more)})
    assert np.all(hi.intensity <= lo.intensity * (1 + 1e-12))


@settings(max_examples=20, deadline=None)
@given(lv=levers, lever=st.sampled_from(["investment", "chain_extension", "trade_expansion", "projects"]),
       more=st.floats(0.5, 20.0))
def test_more_capacity_never_lowers_energy_use_or_land(base, data, lv, lever, more):
    lo = _feas(base, data, lv)
    if lever == "projects":
        hi = _feas(base, data, {**lv, "projects": [PROJECT]})
    else:
        hi = _feas(base, data, {**lv, lever: min({"investment": 40, "chain_extension": 80, "trade_expansion": 30}[lever],
                                                 lv[lever] + more)})
    assert np.all(hi.energy_total >= lo.energy_total * (1 - 1e-12))
    assert np.all(hi.land >= lo.land - 1e-9)


@settings(max_examples=15, deadline=None)
@given(lv=levers)
def test_parts_add_up(base, data, lv):
    f = _feas(base, data, {**lv, "projects": [PROJECT]})
    total = sum(f.spending[k] for k in LEVERS)
    np.testing.assert_allclose(f.balance, f.tax - total, atol=1e-12)
    np.testing.assert_allclose(f.cumulative, np.cumsum(f.balance, axis=1), atol=1e-9)
    np.testing.assert_allclose(f.energy.sum(axis=1), f.energy_total, rtol=1e-12)
    np.testing.assert_allclose(f.land_sector.sum(axis=1) + f.land_trade, f.land, rtol=1e-12, atol=1e-9)
    sc = parse_scenario({"levers": {**lv, "projects": [PROJECT]}}, base)
    from model.schema.runs import run_scenario
    bill = run_scenario(base, sc).investment
    np.testing.assert_allclose(sum(f.financing.values()), bill, rtol=1e-12, atol=1e-9)
    # park infrastructure pays for every 亩 once: its sum is the cost per 亩 times the land at the end
    assert f.spending["park_infra"].sum() == pytest.approx(data.params["park_infra_cost"] * f.land[0, -1])


# --------------------------------------------------------------------------- hand-checked cases

def test_fiscal_by_hand_sme_rewards_and_a_tech_subsidy(base, data):
    # 40 extra 小升规 firms a year in the plan 2025–2027, rewarded 0.001亿元 (10万元) each: 0.04亿元 a
    # year, 0.12亿元 in all. Reclassified firms add no production: no added tax, no land.
    f = _feas(base, data, {"sme_upgrades": 40})
    expected = np.zeros(base.years.size)
    expected[[_year(base, 2025), _year(base, 2026), _year(base, 2027)]] = 0.04
    np.testing.assert_allclose(f.spending["sme_reward"][0], expected, atol=1e-12)
    assert np.abs(f.tax).max() < 1e-9 and f.land.max() < 1e-9
    assert f.cumulative[0, -1] == pytest.approx(-0.12)
    assert np.isnan(f.payback[0])  # never recovered: reclassification brings no new tax
    # at present value (2.5 %/yr from 2024): −0.04 × (1.025⁻¹ + 1.025⁻² + 1.025⁻³) = −0.11424
    assert f.discounted[0, -1] == pytest.approx(-0.04 * (1.025**-1 + 1.025**-2 + 1.025**-3))

    # 技改 share 55 % instead of today's 40 % in 2025: the subsidy is 8 % of the extra 15 % of 2025's
    # steady-state investment, Σ_i I_i(0)(1 + g_i) with I_i(0) = k_i Y_i(0)(g_i + δ)/(1 + g_i):
    # I_i(2025) = k_i Y_i(0)(g_i + δ), k_i = κ_i v_i, δ = 12.5 % (model v3's industrial depreciation).
    f = _feas(base, data, {"tech_upgrade": 55})
    g = base.trend_pct / 100
    inv_2025 = (base.capital_output * base.va_rate * base.output0 * (g + base.params["depreciation"] / 100)).sum()
    assert base.params["depreciation"] == pytest.approx(12.5)  # %/yr
    assert f.spending["tech_subsidy"][0, _year(base, 2025)] == pytest.approx(0.08 * 0.15 * inv_2025, rel=1e-9)
    assert f.spending["tech_subsidy"][0, _year(base, 2028)] == 0.0        # after the plan: no extra 技改


def test_energy_by_hand_trend_2025_and_the_green_factor(base, data):
    # Trend, 2025 (t = 1, prices flat): E = 0.975 × Σ e_i Y_i(0)(1 + g_i), tce/万元 × 亿元 = 万 tce.
    hand = 0.975 * (0.07 * 120 * 1.06 + 0.08 * 60 * 1.03 + 0.03 * 35 * 1.04 + 0.025 * 40 * 1.07
                    + 0.03 * 45 * 1.12 + 0.10 * 25 * 1.11 + 0.04 * 15 * 1.15 + 0.02 * 10 * 1.13
                    + 0.03 * 5 * 1.15 + 0.05 * 45 * 1.07)
    f = _feas(base, data)
    assert f.energy_total[0, _year(base, 2025)] == pytest.approx(hand, rel=1e-9)          # 23.22万 tce
    assert f.energy_total[0, 0] == pytest.approx(22.3)                                  # 2024: Σ e_i Y_i(0)
    # CO₂ 2025: E × 2.2 × 0.985 (万 t); the trend needs no extra energy
    assert f.co2[0, 1] == pytest.approx(hand * 2.2 * 0.985)
    assert np.all(f.energy_extra == 0.0)
    # Intensity targets, cumulative per plan period: 2021–2025 −14.5 % prorated from 2024 (one year of
    # five at the period's constant rate), 2026–2030 −13.5 % from 2025; judged only in 2025 and 2030.
    k25, k30 = _year(base, 2025), _year(base, 2030)
    assert f.intensity_limit[0, k25] == pytest.approx(f.intensity[0, 0] * 0.855 ** 0.2)
    assert f.intensity_limit[0, k30] == pytest.approx(f.intensity[0, k25] * 0.865)
    assert np.isnan(f.intensity_limit[0, _year(base, 2031)])      # no target after 2030 in the data
    c = f.constraint("energy_intensity")
    assert c.status == "estimate" and c.at[0] in (2025, 2030)
    # Green upgrade: 技改 55 % vs 40 % in 2025–2027, γ = 0.1 %/yr per point, acting a year later:
    # H = 1, 0.985, 0.985², 0.985³ and then stays (2024, 2025, 2026, 2027, 2028, 2029).
    sc = parse_scenario({"levers": {"tech_upgrade": 55}}, base)
    h = green_factor(base, scenario_rows(sc, base).x, np.array([0.1]))[0]
    np.testing.assert_allclose(h[:6], [1, 1, 0.985, 0.985**2, 0.985**3, 0.985**3], rtol=1e-12)


def test_land_by_hand_one_project(base, data):
    # One project: equipment, 10亿元/yr at full output from 2027 (ramp 1), stated investment 6亿元.
    # Model v3's central path installs the capacity expected at the median project size (0.8) over the
    # delay distribution: a common Poisson(0.5) and an own Poisson(0.3) delay add to Poisson(0.8), so the
    # project is on time with probability e^−0.8 = 0.4493 and one year late with 0.8·e^−0.8 = 0.3595.
    # Capacity 2027: 10 × 0.8 × 0.4493 = 3.595亿元; 2028: 10 × 0.8 × (0.4493 × 1.12 + 0.3595) = 6.902亿元
    # (the 2027 cohort grows with the sector, 12 %/yr).
    # Land is sized at completion: 30亩 per 亿元 × 3.595 = 107.8亩 in 2027; in 2028 the 2027 plots hold
    # their cohort's 12 % growth, and only the late cohort needs new land: 30 × 10 × 0.8 × 0.3595 = 86.3亩,
    # 194.1亩 in all (not 30 × 6.902 = 207.1). From the end of the delays on, nothing more: by 2035 the
    # project has 30 × 10 × 0.8 × P(delay ≤ 8) ≈ 240亩, though its output has grown 1.12^8-fold.
    # Fiscal: incentive 3 % × 6 = 0.18亿元 in 2026 (one lag before output, on the stated investment);
    # park infrastructure 0.002亿元/亩 × 107.8 = 0.2157亿元 in 2027; added tax in 2027, the plots' first
    # year, at a third of the full ratio (tax ramp 3 years):
    # 16 % × 30 % × 3.595 × 0.30 (equipment's value-added rate) × 1/3 = 0.01726亿元;
    # in 2028 the 2027 plots (output 3.595 × 1.12) pay 2/3 and the late cohort's (10 × 0.8 × 0.3595) 1/3.
    on_time, late = np.exp(-0.8), 0.8 * np.exp(-0.8)
    cap27, cap28 = 10 * 0.8 * on_time, 10 * 0.8 * (on_time * 1.12 + late)
    f = _feas(base, data, {"projects": [{**PROJECT, "ramp_years": 1}]})
    k27, k28 = _year(base, 2027), _year(base, 2028)
    assert f.land[0, k27] == pytest.approx(30 * cap27)
    assert f.land[0, k28] == pytest.approx(30 * 10 * 0.8 * (on_time + late))
    assert f.land[0, k27 - 1] == 0.0
    p_by_2035 = sum(np.exp(-0.8) * 0.8**k / math.factorial(k) for k in range(9))
    assert f.land[0, -1] == pytest.approx(30 * 10 * 0.8 * p_by_2035, rel=1e-3)
    assert f.spending["project_incentive"][0, k27 - 1] == pytest.approx(0.18)
    assert f.spending["park_infra"][0, k27] == pytest.approx(0.002 * 30 * cap27)
    assert f.spending["park_infra"][0, k28] == pytest.approx(0.002 * 30 * 10 * 0.8 * late)
    assert f.tax[0, k27] == pytest.approx(0.16 * 0.30 * cap27 * 0.30 / 3)
    assert f.tax[0, k28] == pytest.approx(0.16 * 0.30 * 0.30 * (cap27 * 1.12 * 2 / 3 + 10 * 0.8 * late / 3))
    # 亩均: 10亿元 on 300亩 = 333万元/亩, class B (≥ 300)
    from model.core.feasibility import mujun_class
    assert mujun_class(data, 1e5 / 300) == "B"


# --------------------------------------------------------------------------- constraints and chances

def test_which_constraint_binds_first(base, data):
    f = _feas(base, data, **dict(base.presets["bold"]))
    years = {c.id: c.year[0] for c in f.constraints if not c.within[0]}
    first = binds_first(f)
    assert first in years and years[first] == min(years.values())
    assert binds_first(_feas(base, data)) is None


def test_chance_is_the_share_of_runs_within_and_is_seeded(base, data):
    sc = parse_scenario(dict(base.presets["three_year_action"]), base)
    rows = scenario_rows(sc, base)
    a = feasibility_ensemble(base, data, rows, ensemble_draws(base, 400, 11), 11)
    b = feasibility_ensemble(base, data, rows, ensemble_draws(base, 400, 11), 11)
    for ca, cb in zip(a.constraints, b.constraints):
        if ca.judged:
            assert ca.probability == cb.probability == pytest.approx(np.mean(ca.within))
    k = [_year(base, 2025), _year(base, 2030)]
    ok = np.all(a.intensity[:, k] <= a.intensity_limit[:, k], axis=1)
    assert a.constraint("energy_intensity").probability == pytest.approx(np.mean(ok))


# --------------------------------------------------------------------------- provenance

def test_judged_figures_say_judgement(base, data):
    # A figure the team judged cites a judgement (or the team's estimate), never a standard or a
    # ministry's document as if the number came from it.
    for f in data.figures:
        title = base.sources[f.source].title.lower()
        if f.status == "estimate":
            assert "judgement" in title or "estimate" in title, (f.table, f.key, f.parameter, f.source)
    stainless = base.sector_ids.index("stainless")
    assert data.energy_intensity[stainless] == pytest.approx(0.07)


# --------------------------------------------------------------------------- energy: no invented quota

def test_energy_use_is_not_judged_without_a_sourced_quota(base, data):
    # Zhoucun's quota is not published: the constraint says so (status none, no limit, no chance)
    # instead of judging each run against its own 2024 use grown 5 %/yr.
    f = _feas(base, data, **dict(base.presets["three_year_action"]))
    c = f.constraint("energy_use")
    assert c.status == "none" and not c.judged and np.isnan(c.limit[0]) and np.isnan(c.probability)
    assert c.within[0] and np.isnan(c.year[0]) and np.all(np.isnan(f.energy_limit))
    # what the levers need instead: the extra energy against the neutral twin, positive with capacity
    assert f.energy_extra[0, _year(base, 2027)] > 0.5
    np.testing.assert_allclose(f.energy_extra, f.energy_total - f.energy_neutral)
    assert binds_first(f) != "energy_use"


def test_a_sourced_quota_is_judged(base, tmp_path):
    folder = tmp_path / "region"
    shutil.copytree(DEFAULT_DATA_DIR, folder)
    (folder / "energy_quota.csv").write_text(
        "year,value,unit,source,status,note\n2025,30,10k tce,team2026,estimate,fixture\n"
        "2035,40,10k tce,team2026,estimate,fixture\n", encoding="utf-8")
    b = load_baseline(folder)
    d = load_feasibility(b)
    f = _feas(b, d, **dict(b.presets["three_year_action"]))
    c = f.constraint("energy_use")
    assert c.status == "estimate" and c.judged
    # quota linear 30 → 40 from 2025 to 2035 (1 万 tce a year), flat before 2025
    np.testing.assert_allclose(f.energy_limit[0], np.interp(b.years, [2025, 2035], [30, 40]))
    over = f.energy_total[0, 1:] > f.energy_limit[0, 1:]
    assert c.within[0] == (not over.any())
    if over.any():
        assert c.year[0] == b.years[1:][np.argmax(over)]
    t = _feas(b, d)
    assert t.constraint("energy_use").probability in (0.0, 1.0)


# --------------------------------------------------------------------------- tax draws and the payback's chance

def test_tax_ratio_and_share_are_drawn_within_their_ranges(base, data):
    sc = parse_scenario(dict(base.presets["three_year_action"]), base)
    rows = scenario_rows(sc, base)
    f = feasibility_ensemble(base, data, rows, ensemble_draws(base, 400, 3), 3)
    from model.core.feasibility import tax_draws
    tau, rho = tax_draws(data, 400, 3)
    assert 12 <= tau.min() and tau.max() <= 20 and 20 <= rho.min() and rho.max() <= 35
    assert tau.std() > 1 and rho.std() > 2                         # drawn, not fixed
    # the added tax is linear in τ·ρ: run by run, tax / (τ ρ) is the same taxable value added whatever the draw
    central = feasibility(base, data, rows)
    assert central.tax[0].sum() > 0
    taxable = f.tax / (tau * rho * 1e-4)[:, None]
    k = _year(base, 2030)
    assert np.corrcoef(f.tax[:, k], tau * rho)[0, 1] > 0.5 and np.all(taxable[:, k] > 0)


def test_payback_year_and_its_chance(base, data):
    sc = parse_scenario(dict(base.presets["three_year_action"]), base)
    f = feasibility_ensemble(base, data, scenario_rows(sc, base), ensemble_draws(base, 400, 9), 9)
    owed = f.outlay
    assert owed.all()                                  # every run spends before the tax comes in
    by_end = np.mean(~np.isnan(f.payback))
    assert f.payback_chance() == pytest.approx(by_end)
    assert f.payback_chance(2030) <= f.payback_chance(2033) <= f.payback_chance()
    years = np.sort(np.nan_to_num(f.payback, nan=np.inf))
    assert f.payback_median == years[199]             # lower median of 400, "never" counted after the end
    # never within the horizon: the cautious preset's median run has not paid back by 2035
    c = feasibility_ensemble(base, data, scenario_rows(parse_scenario(dict(base.presets["cautious"]), base), base),
                             ensemble_draws(base, 400, 9), 9)
    assert c.payback_chance() < 0.5 and c.payback_median == np.inf
    # nothing to pay back: no chance and no year
    t = feasibility_ensemble(base, data, scenario_rows(parse_scenario({}, base), base), ensemble_draws(base, 50, 9), 9)
    assert np.isnan(t.payback_chance()) and np.isnan(t.payback_median)


# --------------------------------------------------------------------------- CLI end to end

def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "model", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_cli_constraints_json_matches_the_model(base, data, tmp_path):
    scenario = tmp_path / "three.json"
    scenario.write_text(json.dumps(dict(base.presets["three_year_action"]), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "c.json"
    r = _cli("constraints", scenario, "--runs", 300, "--seed", 5, "--format", "json", "--out", out)
    assert r.returncode == 0, r.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [x["id"] for x in rows] == list(CONSTRAINTS)
    assert set(rows[0]) == {"id", "year", "value", "limit", "unit", "within", "status", "probability"}
    f = _feas(base, data, **dict(base.presets["three_year_action"]))
    ens = feasibility_ensemble(base, data, scenario_rows(parse_scenario(dict(base.presets["three_year_action"]), base),
                                                         base), ensemble_draws(base, 300, 5), 5)
    for row, c, e in zip(rows, f.constraints, ens.constraints):
        assert row["value"] == pytest.approx(c.value[0]) and row["status"] == c.status
        assert row["within"] == bool(c.within[0]) and row["year"] == int(c.at[0])
        if c.judged:
            assert row["limit"] == pytest.approx(c.limit[0]) and row["probability"] == pytest.approx(e.probability)
        else:  # no sourced limit: no limit and no chance (JSON null)
            assert row["limit"] is None and row["probability"] is None


def test_cli_constraints_csv_without_chance():
    r = _cli("constraints", "--runs", 1)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0] == "id,year,value,limit,unit,within,status"
    assert [ln.split(",")[0] for ln in lines[1:]] == list(CONSTRAINTS)


@pytest.mark.parametrize("args,needle", [
    (("constraints", "--runs", 0), "--runs"),
    (("constraints", "--runs", "many"), "--runs"),
    (("constraints", "--seed", -1), "--seed"),
    (("constraints", "--format", "xml"), "--format"),
    (("constraints", "missing.json"), "missing.json"),
])
def test_cli_constraints_bad_input_exits_2_with_one_line(args, needle):
    r = _cli(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and needle in r.stderr and "Traceback" not in r.stderr


def test_bad_feasibility_data_names_file_row_and_column(tmp_path):
    folder = tmp_path / "region"
    shutil.copytree(DEFAULT_DATA_DIR, folder)
    path = folder / "feasibility.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("tax_to_va,16,%", "tax_to_va,16,%/yr"), encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_feasibility(load_baseline(folder))
    assert "feasibility.csv" in exc.value.en and "'unit'" in exc.value.en
    r = _cli("constraints", "--runs", 1, "--data", folder)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "feasibility.csv" in r.stderr


def test_a_price_change_moves_neither_energy_nor_land(base, data):
    # Energy and land follow volumes (output at 2024 prices): a dearer stainless is not more steel.
    a = _feas(base, data, {"chain_extension": 40, "trade_expansion": 5})
    b = _feas(base, data, {"chain_extension": 40, "trade_expansion": 5}, assumptions={"stainless_price": 5.0})
    np.testing.assert_allclose(b.energy_total, a.energy_total, rtol=1e-12)
    np.testing.assert_allclose(b.land, a.land, rtol=1e-12)


# --------------------------------------------------------------------------- per-park land notes

def test_park_notes_on_a_fixture_folder(base, tmp_path):
    # Zhoucun's parks publish no areas: no parks.csv, no notes.
    from model.core.feasibility import park_notes
    assert park_notes(load_feasibility(base)) == ()
    folder = tmp_path / "region"
    shutil.copytree(DEFAULT_DATA_DIR, folder)
    (folder / "parks.csv").write_text(
        "park,sector,parameter,value,unit,source,status,note\n"
        # equipment: 30亩 per 亿元. 30亿元 on 600亩 needs 900亩 at the benchmark: a note
        # (500万元/亩, class A).
        "dense,equipment,area,600,mu,team2026,estimate,fixture\n"
        "dense,equipment,output,30,100m yuan,team2026,estimate,fixture\n"
        # 10亿元 on 400亩 needs 300亩: fits, no note.
        "roomy,equipment,area,400,mu,team2026,estimate,fixture\n"
        "roomy,equipment,output,10,100m yuan,team2026,official,fixture\n", encoding="utf-8")
    d = load_feasibility(load_baseline(folder))
    notes = park_notes(d)
    assert [n.park for n in notes] == ["dense"]
    n = notes[0]
    assert n.need == pytest.approx(900.0) and n.area == 600 and n.per_mu == pytest.approx(500.0)
    assert n.mujun == "A" and n.status == "estimate"
    # a park with an area but no output is an error naming the file
    (folder / "parks.csv").write_text("park,sector,parameter,value,unit,source,status,note\n"
                                      "lone,equipment,area,600,mu,team2026,estimate,fixture\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_feasibility(load_baseline(folder))
    assert "parks.csv" in exc.value.en and "output" in exc.value.en
