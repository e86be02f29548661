"""Command line: tables for the trend and three-year-action presets, Monte Carlo, and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ROOT / "data" / "zhoucun" / "presets"


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "model", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_run_trend_csv_long_table():
    r = cli("run")
    assert r.returncode == 0, r.stderr
    t = pd.read_csv(io.StringIO(r.stdout))
    assert list(t.columns[:4]) == ["year", "sector", "output", "value_added"]
    assert set(t.year) == set(range(2024, 2036))
    assert {"total", "stainless_cluster", "stainless", "medical"} <= set(t.sector)
    total = t[t.sector == "total"].set_index("year").output
    assert total[2024] == pytest.approx(400) and total[2025] == pytest.approx(428.8)
    cluster = t[t.sector == "stainless_cluster"]
    assert cluster.value_added.isna().all() and cluster.set_index("year").output[2024] == pytest.approx(500)
    per_year = t[~t.sector.isin(["total", "stainless_cluster"])].groupby("year").output.sum()
    pd.testing.assert_series_equal(per_year, total, check_names=False, rtol=1e-5)


def test_run_json_to_file(tmp_path):
    out = tmp_path / "r.json"
    r = cli("run", PRESETS / "three_year_action.json", "--format", "json", "--out", out)
    assert r.returncode == 0 and r.stdout == ""
    rows = json.loads(out.read_text(encoding="utf-8"))
    tot27 = next(x for x in rows if x["year"] == 2027 and x["sector"] == "total")
    assert tot27["output"] > 590  # the central path: projects at their median size and expected delay


def test_targets_trend():
    r = cli("targets")
    t = pd.read_csv(io.StringIO(r.stdout)).set_index("target")
    assert list(t.columns[:4]) == ["met", "year_reached", "value", "goal"]
    assert not t.loc["doubling", "met"] and t.loc["doubling", "year_reached"] == 2034
    assert t.loc["doubling", "goal"] == pytest.approx(800)
    # Review A: the central path's lowest year is the plain trend's 7.2 %, but steadiness is judged over
    # the runs: the median run's lowest year is below 5 %, at a chance of about a fifth.
    assert not t.loc["steady_growth", "met"] and pd.isna(t.loc["steady_growth", "year_reached"])
    assert t.loc["steady_growth", "value"] < 5 and t.loc["steady_growth", "probability"] < 0.5


def test_targets_probability_is_seeded():
    doc = PRESETS.parent.parent.parent / "tests" / "fixtures" / "volatile.json"
    a = cli("targets", doc, "--runs", 3000, "--seed", 5, "--format", "json")
    b = cli("targets", doc, "--runs", 3000, "--seed", 5, "--format", "json")
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    rows = {x["target"]: x for x in json.loads(a.stdout)}
    assert 0 < rows["steady_growth"]["probability"] < 1
    assert rows["doubling"]["probability"] == 0


@pytest.mark.parametrize("args, needle", [
    (("run", "missing.json"), "file not found"),
    (("run", "--format", "xml"), "invalid choice"),
    (("targets", "--runs", "0"), "--runs"),
    (("targets", "--runs", "many"), "invalid int"),
    (("fly",), "invalid choice"),
    ((), "required"),
    (("run", "--data", "/nonexistent"), "data folder not found"),
    (("targets", "--runs", "5", "--seed", "-1"), "--seed"),
    (("run", "tests"), "file not found"),
])
def test_bad_arguments_exit_2_with_one_line(args, needle):
    r = cli(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and needle in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("content", ['{"levers": {"investment": 99}}', "{", "[]", '{"levers": {"x": 1}}',
                                     "[" * 100_000 + "]" * 100_000, '{"assumptions": {"growth": 1' + "0" * 5000 + "}}",
                                     '{"assumptions": {"growth": NaN}}'])
def test_bad_scenario_file_exits_2(tmp_path, content):
    f = tmp_path / "bad.json"
    f.write_text(content, encoding="utf-8")
    r = cli("run", f)
    assert r.returncode == 2 and r.stderr.startswith("error:") and "Traceback" not in r.stderr


def test_median_year_is_a_real_runs_year(tmp_path):
    """With an even number of runs the median year must be one run's year, never an average with 'never'."""
    f = tmp_path / "mc.json"
    f.write_text('{"assumptions": {"volatility": 15, "growth": 20}}', encoding="utf-8")
    for runs, seed in ((2, 1), (4, 4), (6, 2)):
        r = cli("targets", f, "--runs", runs, "--seed", seed, "--format", "json")
        assert r.returncode == 0, r.stderr
        for row in json.loads(r.stdout):
            assert row["year_reached"] is None or 2024 <= row["year_reached"] <= 2035


def test_gains_split_the_gain_into_volume_price_and_reclassification():
    """The 规上 gain to each goal year: new capacity, price and 小升规 reclassification add up to it."""
    r = cli("gains", PRESETS / "three_year_action.json", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = {x["year"]: x for x in json.loads(r.stdout)}
    assert set(rows) == {2027, 2035}
    for x in rows.values():
        assert x["volume"] + x["price"] + x["reclassification"] == pytest.approx(x["gain"], rel=1e-9)
    # 40 firms a year in 2025–2027 at 0.25亿元 each, growing with their sectors: about 30亿元 by 2027.
    assert 30 < rows[2027]["reclassification"] < 35 and rows[2027]["price"] == pytest.approx(0, abs=1e-9)
    r = cli("run", PRESETS / "three_year_action.json")
    t = pd.read_csv(io.StringIO(r.stdout))
    assert "investment" in t.columns  # finding 1: the bill by sector and year
    inv = t[t.sector == "total"].set_index("year").investment
    per_sector = t[~t.sector.isin(["total", "stainless_cluster"])].groupby("year").investment.sum()
    pd.testing.assert_series_equal(per_sector, inv, check_names=False, rtol=1e-5)
