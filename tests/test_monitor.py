"""Monitor mode: periods, validation of actuals, and percentiles against hand-built ensembles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model import DataError, parse_scenario
from model.io.monitor import actuals_from_frame, parse_period, place
from model.core.ensemble import EnsembleSummary
from model.schema.runs import summarize


def uniform_ensemble(lo: float, hi: float) -> EnsembleSummary:
    """Every year's total spread evenly from lo to hi: percentile p sits at lo + p/100·(hi − lo)."""
    years = np.arange(2024, 2036)
    pct = np.linspace(lo, hi, 101)[:, None] * np.ones(years.size)
    return EnsembleSummary(years=years, total=pct[[5, 25, 50, 75, 95]], cluster=pct[[5, 25, 50, 75, 95]],
                           total_pct=pct, cluster_pct=pct * 2, goal_ids=(), probability=np.array([]),
                           deviation={}, runs=101, seed=0)


@pytest.mark.parametrize("text, expected", [("2025", (2025, 12)), ("2026Q2", (2026, 6)), ("2026 q3", (2026, 9)),
                                            ("2026-05", (2026, 5)), ("2026年5月", (2026, 5)), ("2027年", (2027, 12)),
                                            ("2026年1-6月", (2026, 6)), ("2026年1—9月", (2026, 9)),
                                            ("2026年二季度", (2026, 6)), ("2026年第4季度", (2026, 12))])
def test_periods(text, expected):
    assert parse_period(text) == expected


def test_percentiles_and_warnings_on_a_hand_built_ensemble():
    ens = uniform_ensemble(400.0, 600.0)
    frame = pd.DataFrame({"period": ["2025", "2026", "2026Q2", "2027"], "indicator": ["total", "规上工业总产值", "total", "cluster"],
                          "value": [500.0, 405.0, 290.0, 900.0]})
    checks = place(actuals_from_frame(frame, 2024, 2035), ens)
    assert checks[0].percentile == pytest.approx(50.0) and checks[0].off_track == ""
    assert checks[1].percentile == pytest.approx(2.5) and checks[1].off_track == "below"
    assert checks[2].percentile == pytest.approx(90.0) and checks[2].off_track == ""  # 290 of half a year: 580 a year
    assert checks[3].percentile == pytest.approx(25.0)  # cluster spread 800–1200
    high = place(actuals_from_frame(pd.DataFrame({"period": ["2030"], "indicator": ["total"], "value": [700]}), 2024, 2035), ens)
    assert high[0].percentile == 100.0 and high[0].off_track == "above"


def test_actuals_inside_a_real_ensemble(base):
    sc = parse_scenario(base.presets["three_year_action"], base)
    ens = summarize(base, sc, 4000, seed=3)
    k = int(np.searchsorted(ens.years, 2026))
    median, p5 = ens.total_pct[50, k], ens.total_pct[5, k]
    frame = pd.DataFrame({"期间": ["2026", "2026年"], "指标": ["规上工业总产值", "不锈钢产业集群"],
                          "数值": [median, ens.cluster_pct[50, k]]})
    checks = place(actuals_from_frame(frame, 2024, 2035), ens)
    assert all(c.percentile == pytest.approx(50, abs=1) and not c.off_track for c in checks)
    low = place(actuals_from_frame(pd.DataFrame({"period": ["2026"], "indicator": ["total"], "value": [0.97 * p5]}),
                                   2024, 2035), ens)
    assert low[0].off_track == "below" and low[0].percentile < 5


@pytest.mark.parametrize("frame, needle", [
    (pd.DataFrame({"period": ["2026"], "value": [1.0]}), "missing column 'indicator'"),
    (pd.DataFrame({"period": ["soon"], "indicator": ["total"], "value": [1.0]}), "row 2, column 'period'"),
    (pd.DataFrame({"period": ["2040"], "indicator": ["total"], "value": [1.0]}), "outside"),
    (pd.DataFrame({"period": ["2026"], "indicator": ["steel"], "value": [1.0]}), "'steel'"),
    (pd.DataFrame({"period": ["2026", "2027"], "indicator": ["total", "total"], "value": ["lots", -3]}), "row 3"),
    (pd.DataFrame({"period": ["2026", "2026"], "indicator": ["total", "total"], "value": [1, 2]}), "twice"),
    (pd.DataFrame({"period": [], "indicator": [], "value": []}), "no data rows"),
])
def test_bad_actuals_are_rejected_with_row_and_column(frame, needle):
    with pytest.raises(DataError) as info:
        actuals_from_frame(frame, 2024, 2035)
    assert needle in info.value.en and info.value.zh


def test_row_numbers_follow_the_spreadsheet():
    from model.io.official import read_upload
    raw = "期间,指标,数值\n\n\n2026,规上工业总产值,abc\n".encode("gbk")
    with pytest.raises(DataError) as info:
        actuals_from_frame(read_upload(raw, "a.csv"), 2024, 2035)
    assert "row 4," in info.value.en and "第 4 行" in info.value.zh  # header row 1, two blank rows, then row 4
