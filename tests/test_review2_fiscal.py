"""Issue 19, second economist review: R2 (the fiscal central path is the ensemble's middle), R4 (payback
and extra energy in ``python -m model constraints``), R5 (the trade lever pays tax) and problem 3 (what
the fiscal account leaves out is said on the output)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.core.ensemble import DEFAULT_RUNS, DEFAULT_SEED, ensemble_draws
from model.core.feasibility import assess, counterfactual_rows, draw_medians, feasibility, feasibility_ensemble
from model.core.engine import simulate
from model.errors import DataError
from model.io.datafolder import DEFAULT_DATA_DIR, load_baseline
from model.io.export import texts
from model.io.feasibility_data import load_feasibility
from model.schema.scenario import parse_scenario, scenario_rows

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ROOT / "data" / "zhoucun" / "presets"


@pytest.fixture(scope="module")
def base():
    return load_baseline()


@pytest.fixture(scope="module")
def data(base):
    return load_feasibility(base)


def _rows(base, doc):
    return scenario_rows(parse_scenario(doc, base), base)


def _percentile(value: float, runs: np.ndarray) -> float:
    """Share of runs below ``value``, in %."""
    return 100.0 * float(np.mean(runs < value))


# --------------------------------------------------------------------------- R2: central = middle

def test_the_central_path_uses_the_medians_of_the_draws(data):
    # Each drawn parameter is uniform between its low and high: its median is the midpoint.
    assert draw_medians(data) == pytest.approx({"district_tax_share": (20 + 35) / 2, "tax_to_va": (12 + 20) / 2,
                                                "green_upgrade": (0.03 + 0.2) / 2})
    assert data.params["district_tax_share"] == 27.5 and data.params["green_upgrade"] == pytest.approx(0.115)


def test_the_central_green_upgrade_effect_is_its_median(base, data):
    rows = _rows(base, dict(base.presets["three_year_action"]))
    X = counterfactual_rows(base, rows.x)
    proj = simulate(base, X[:1], rows.projects)
    none = replace(rows.projects, output=np.zeros_like(rows.projects.output),
                   investment=np.zeros_like(rows.projects.investment))
    p = [proj.row(0), simulate(base, X[1:2], none).row(0), simulate(base, X[2:3], none).row(0)]
    central = feasibility(base, data, rows)
    at_median = assess(base, data, rows.x, rows.projects, *p, gamma=np.array([0.115]))
    at_old = assess(base, data, rows.x, rows.projects, *p, gamma=np.array([0.1]))
    np.testing.assert_allclose(central.energy_total, at_median.energy_total, rtol=1e-12)
    assert central.energy_total[0, -1] < at_old.energy_total[0, -1]       # a stronger effect saves more


def test_a_central_value_off_the_draws_median_is_refused(base, tmp_path):
    folder = tmp_path / "region"
    shutil.copytree(DEFAULT_DATA_DIR, folder)
    path = folder / "feasibility.csv"
    text = path.read_text(encoding="utf-8")
    assert "district_tax_share,27.5,%" in text
    path.write_text(text.replace("district_tax_share,27.5,%", "district_tax_share,30,%"), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_feasibility(load_baseline(folder))
    assert "feasibility.csv" in str(err.value.en) and "median" in str(err.value.en)


@pytest.fixture(scope="module")
def page_ensemble(base):
    return ensemble_draws(base, DEFAULT_RUNS, DEFAULT_SEED)


@pytest.mark.parametrize("preset", ["three_year_action", "bold"])
def test_the_central_balance_is_the_middle_of_the_ensemble(base, data, page_ensemble, preset):
    # Before: the central path took 30 % (draw 20–35 %) and γ = 0.1 (draw 0.03–0.2), and sat at the
    # 64th–69th percentile (three-year action: lowest −8.53 vs median −8.88, 2035 +7.02 vs +4.68).
    rows = _rows(base, dict(base.presets[preset]))
    central = feasibility(base, data, rows)
    ens = feasibility_ensemble(base, data, rows, page_ensemble, DEFAULT_SEED)
    assert page_ensemble.runs == 10_000
    low, end = central.cumulative[0].min(), central.cumulative[0, -1]
    assert 40 <= _percentile(low, ens.cumulative.min(axis=1)) <= 60
    assert 40 <= _percentile(end, ens.cumulative[:, -1]) <= 60
    # The payback year is a whole year read off a path: the central one is the median's or one before it
    # (bold: central 2033, median 2034 — its cumulative balance crosses 0 early in 2033 by 1亿).
    assert ens.payback_median - 1 <= central.payback[0] <= ens.payback_median
    if preset == "three_year_action":
        assert central.payback[0] == ens.payback_median == 2034
    # The verdict agrees with the chance: within on the central path iff within in at least half the runs.
    fiscal, chance = central.constraint("fiscal_balance"), ens.constraint("fiscal_balance").probability
    assert bool(fiscal.within[0]) == (chance >= 0.5)
    if preset == "bold":
        assert not fiscal.within[0] and chance < 0.5


# --------------------------------------------------------------------------- R5: trade pays tax

def test_trade_expansion_pays_tax_by_hand(base, data):
    # Trend + trade +10 %/yr (2026–2028): the extra trade and warehousing turnover is 28.445亿元 in 2026
    # (its first year; prices of the cluster sector stay at 1 on the trend). Its value added is the margin,
    # 4 % of turnover; the district keeps 16 % × 27.5 % of it, and the new warehouses pay a third of it in
    # their first year (tax ramp 3 years): 0.16 × 0.275 × 0.04 × 28.445 / 3 = 0.016688亿元.
    rows = _rows(base, {"levers": {"trade_expansion": 10.0}})
    f = feasibility(base, data, rows)
    k = 2026 - base.base_year
    assert f.tax[0, k - 1] == 0.0
    assert f.tax[0, k] == pytest.approx(0.16 * 0.275 * 0.04 * 28.445 / 3, rel=1e-4)
    assert np.all(f.tax[0, k:] > 0)
    # Over the horizon it pays 1.69亿元 against 1.94亿元 of park infrastructure (968亩): not yet back by 2035.
    assert f.tax[0].sum() == pytest.approx(1.689, abs=0.005)
    assert f.spending["park_infra"][0].sum() == pytest.approx(1.94, abs=0.01)
    # No energy for trade and warehousing (no sourced or judged intensity): it adds none.
    np.testing.assert_allclose(f.energy_extra[0], 0.0, atol=1e-12)


# --------------------------------------------------------------------------- R4 and problem 3: the CLI

def _cli(*args):
    return subprocess.run([sys.executable, "-m", "model", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


OUTSIDE = ("征地拆迁", "土地出让金")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_constraints_prints_payback_and_extra_energy(base, data, tmp_path, fmt):
    doc = dict(base.presets["three_year_action"])
    scenario = tmp_path / "three.json"
    scenario.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = _cli("constraints", scenario, "--runs", 400, "--seed", 7, "--format", fmt)
    assert r.returncode == 0, r.stderr
    if fmt == "csv":
        table = pd.read_csv(io.StringIO(r.stdout)).replace({np.nan: None})
        rows = table.to_dict(orient="records")
    else:
        rows = json.loads(r.stdout)
    rows_rows = _rows(base, doc)
    central = feasibility(base, data, rows_rows)
    ens = feasibility_ensemble(base, data, rows_rows, ensemble_draws(base, 400, 7), 7)
    pay = [x for x in rows if x["id"] == "payback"]
    assert len(pay) == 1
    pay = pay[0]
    assert pay["unit"] == "year" and pay["year"] == 2035 and pay["limit"] == 2035
    assert pay["value"] == central.payback[0] == 2034
    assert pay["median"] == ens.payback_median
    assert pay["probability"] == pytest.approx(ens.payback_chance(2035))
    energy = [x for x in rows if x["id"] == "energy_extra"]
    assert [x["year"] for x in energy] == [2027, 2035]
    for x in energy:
        k = x["year"] - base.base_year
        assert x["unit"] == "10k tce" and x["status"] == "none"
        assert x["value"] == pytest.approx(central.energy_extra[0, k], rel=1e-5)
        assert x["median"] == pytest.approx(np.median(ens.energy_extra[:, k]), rel=1e-5)
        assert x["value"] > 0
    assert "trade and warehousing" in energy[0]["note"]
    # problem 3: what the fiscal account leaves out, on its rows
    fiscal = next(x for x in rows if x["id"] == "fiscal_balance")
    assert all(w in fiscal["note"] for w in OUTSIDE) and all(w in pay["note"] for w in OUTSIDE)


def test_constraints_says_when_there_is_nothing_to_pay_back_or_no_payback(tmp_path):
    r = _cli("constraints", "--runs", 300, "--seed", 3, "--format", "json")         # the trend
    assert r.returncode == 0, r.stderr
    pay = next(x for x in json.loads(r.stdout) if x["id"] == "payback")
    assert pay["value"] is None and pay["within"] is True and "nothing to pay back" in pay["note"]
    # Trend + trade +10 %/yr: 1.94亿元 of park spending, 1.69亿元 of tax by 2035 — not back on the central path.
    scenario = tmp_path / "trade.json"
    scenario.write_text(json.dumps({"levers": {"trade_expansion": 10.0}}), encoding="utf-8")
    r = _cli("constraints", scenario, "--runs", 300, "--seed", 3, "--format", "json")
    assert r.returncode == 0, r.stderr
    pay = next(x for x in json.loads(r.stdout) if x["id"] == "payback")
    assert pay["value"] is None and pay["within"] is False
    assert "central path does not pay back by 2035" in pay["note"]


# ------------------------------------------------------------- the third review: what the documents say

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workbook_gives_the_median_payback_and_what_the_accounts_leave_out(tmp_path, lang):
    """Third review, REQUIRED 2 and 3, through ``python -m model export``: bold pays back in 2033 on the
    central path but in 2034 in the median run; the feasibility sheet shows both, and says that land
    acquisition and land-sale revenue are outside the fiscal account and trade's energy is not counted."""
    import openpyxl

    out = tmp_path / f"bold_{lang}.xlsx"
    r = subprocess.run([sys.executable, "-m", "model", "export", str(PRESETS / "bold.json"), "--xlsx", str(out),
                        "--lang", lang], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    t = texts(lang)
    ws = next(w for w in openpyxl.load_workbook(out).worksheets if w.title == t["sheet_feasibility"])
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    head = next(i for i, row in enumerate(rows) if t["feas_col_payback_median"] in row)
    payback = dict(zip(rows[head], rows[head + 1]))
    assert payback[t["feas_col_payback"]] == 2033 and payback[t["feas_col_payback_median"]] == 2034
    text = " ".join(str(v) for row in rows for v in row if v is not None)
    assert "征地拆迁" in text and "土地出让" in text and t["feas_note_energy"] in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_briefing_says_steady_growth_is_judged_over_the_runs(base, lang):
    """Third review, REQUIRED 1: the trend's central path never grows below 7.2 %/yr, so the briefing must
    not say "the central path misses steady growth"; it names the median run's weakest year (4.0) and the
    central path's (7.2)."""
    from model.reports.briefing import briefing

    text = briefing(base, parse_scenario(base.presets["trend"], base), lang)
    line = next(l for l in text.split("\n") if ("Steady growth" in l or "持续稳定增长" in l))
    assert "central path misses" not in line and "中心路径未达成" not in line
    assert ("中心路径" in line) if lang == "zh" else ("central path" in line)
    assert "4.0" in line and "7.2" in line and "21" in line
    assert ("missed in more than half" in line) if lang == "en" else ("半数以上的模拟中未达成" in line)
