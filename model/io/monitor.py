"""Monitor mode: actual figures as they come in, placed in a scenario's ensemble.

Actuals are annual values or cumulative-to-date values for the first m months of a year (quarterly:
m = 3, 6, 9; monthly: m = 1 … 11). A cumulative-to-date value is compared with the same share of the
year's projected distribution, m/12 of it: the statistics publish no seasonal pattern for Zhoucun, so
output is assumed to be spread evenly over the year (stated with every result).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.ensemble import EnsembleSummary
from ..errors import DataError
from .official.upload import read_upload

INDICATORS = {"total": "total", "规上工业总产值": "total", "总产值": "total",
              "cluster": "cluster", "stainless_cluster": "cluster", "不锈钢产业集群": "cluster", "集群": "cluster"}
#: Percentiles outside which an actual is "off track".
BAND = (5.0, 95.0)
_PERIOD = re.compile(r"^\s*(\d{4})\s*(?:(?:[Qq]\s*([1-4]))|(?:[-/年.]\s*(\d{1,2})\s*月?)|年?)\s*$")
#: "2026年1-6月" / "2026年1—6月" (cumulative to June) and "2026年二季度" / "2026年第2季度".
_RANGE = re.compile(r"^\s*(\d{4})\s*年?\s*1\s*[-—–~至]\s*(\d{1,2})\s*月\s*$")
_QUARTER_ZH = re.compile(r"^\s*(\d{4})\s*年?\s*第?\s*([一二三四1-4])\s*季度\s*$")
_ZH_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True)
class Actual:
    """One reported figure: ``months`` = 12 for a year, else cumulative for the first ``months``."""

    indicator: str  # "total" or "cluster"
    year: int
    months: int
    value: float    # 亿元
    label: str      # as written in the file, e.g. "2026Q2"


@dataclass(frozen=True)
class Check:
    """An actual placed in the ensemble: its percentile and whether it is outside the p5–p95 band."""

    actual: Actual
    percentile: float  # 0–100
    expected: float    # the ensemble median for the same period, 亿元
    off_track: str     # "", "below" or "above"


def parse_period(text: str) -> tuple[int, int]:
    """"2025" → (2025, 12); "2026Q2" / "2026年二季度" → (2026, 6); "2026-05" / "2026年5月" / "2026年1-5月" → (2026, 5)."""
    m = _RANGE.match(str(text))
    if m and 1 <= int(m.group(2)) <= 12:
        return int(m.group(1)), int(m.group(2))
    m = _QUARTER_ZH.match(str(text))
    if m:
        q = _ZH_DIGITS.get(m.group(2)) or int(m.group(2))
        return int(m.group(1)), 3 * q
    m = _PERIOD.match(str(text))
    if not m:
        raise ValueError(text)
    year = int(m.group(1))
    if m.group(2):
        return year, 3 * int(m.group(2))
    if m.group(3):
        month = int(m.group(3))
        if not 1 <= month <= 12:
            raise ValueError(text)
        return year, month
    return year, 12


def actuals_from_frame(frame: pd.DataFrame, first_year: int, last_year: int) -> list[Actual]:
    """Validate a table with columns period, indicator, value (Chinese headers 期间, 指标, 数值 accepted).

    Raises DataError listing every bad row (row numbers as a spreadsheet shows them).
    """
    cols = {str(c).strip().lower(): c for c in frame.columns}
    aliases = {"period": ("period", "期间", "时间"), "indicator": ("indicator", "指标"), "value": ("value", "数值", "值")}
    found = {}
    for key, names in aliases.items():
        hit = next((cols[n] for n in names if n in cols), None)
        if hit is None:
            raise DataError(f"missing column '{key}' (also accepted: {', '.join(names)})",
                            f"缺少列 '{key}'(也可用：{'、'.join(names)})")
        found[key] = hit
    problems: list[tuple[str, str]] = []
    out: list[Actual] = []
    seen = set()
    # ``read_upload`` indexes rows by their spreadsheet row number; a plain frame counts from row 2.
    numbers = (frame.index if frame.index.dtype.kind == "i" and len(frame) and frame.index.min() >= 2
               else range(2, len(frame) + 2))
    for i, row in zip(numbers, frame.itertuples(index=False)):
        rec = dict(zip(frame.columns, row))
        raw_p, raw_i, raw_v = rec[found["period"]], rec[found["indicator"]], rec[found["value"]]
        try:
            year, months = parse_period(raw_p)
        except ValueError:
            problems.append((f"row {i}, column 'period': '{raw_p}' is not a year, quarter (2026Q2) or month (2026-05)",
                             f"第 {i} 行 '期间' 列：'{raw_p}' 不是年份、季度(2026Q2)或月份(2026-05)"))
            continue
        if not first_year <= year <= last_year:
            problems.append((f"row {i}, column 'period': {year} is outside {first_year}–{last_year}",
                             f"第 {i} 行 '期间' 列：{year} 超出 {first_year}—{last_year}"))
            continue
        indicator = INDICATORS.get(str(raw_i).strip())
        if indicator is None:
            problems.append((f"row {i}, column 'indicator': '{raw_i}' is not total or cluster",
                             f"第 {i} 行 '指标' 列：'{raw_i}' 不是 规上工业总产值 或 不锈钢产业集群"))
            continue
        try:
            value = float(str(raw_v).replace(",", ""))
        except ValueError:
            value = float("nan")
        if not np.isfinite(value) or value <= 0 or value > 1e6:
            problems.append((f"row {i}, column 'value': '{raw_v}' must be a positive number of 亿元",
                             f"第 {i} 行 '数值' 列：'{raw_v}' 必须是正数(亿元)"))
            continue
        if (indicator, year, months) in seen:
            problems.append((f"row {i}: {raw_p} {raw_i} appears twice", f"第 {i} 行：{raw_p} {raw_i} 重复"))
            continue
        seen.add((indicator, year, months))
        out.append(Actual(indicator, year, months, value, str(raw_p).strip()))
    if problems:
        more = len(problems) - 10
        en = "; ".join(p[0] for p in problems[:10]) + (f"; and {more} more" if more > 0 else "")
        zh = ";".join(p[1] for p in problems[:10]) + (f";另有 {more} 处" if more > 0 else "")
        raise DataError(en, zh)
    if not out:
        raise DataError("no data rows", "没有数据行")
    return out


def read_actuals(raw: bytes, filename: str, first_year: int, last_year: int) -> list[Actual]:
    """An uploaded actuals file (CSV or XLSX, read with the official import's bounded reader), validated.

    Raises DataError: the file cannot be read within its limits, or a row is bad (``actuals_from_frame``).
    """
    return actuals_from_frame(read_upload(raw, filename), first_year, last_year)


def place(actuals: list[Actual], ens: EnsembleSummary) -> list[Check]:
    """Each actual's percentile in the ensemble for its period, and whether it is off track."""
    checks = []
    for a in actuals:
        k = int(np.searchsorted(ens.years, a.year))
        pct = (ens.total_pct if a.indicator == "total" else ens.cluster_pct)[:, k] * (a.months / 12.0)
        # Interpolate the percentile of the value in the 101 percentiles (clipped to 0–100).
        percentile = float(np.interp(a.value, pct, np.arange(101), left=0.0, right=100.0))
        off = "below" if percentile < BAND[0] else "above" if percentile > BAND[1] else ""
        checks.append(Check(a, percentile, float(pct[50]), off))
    return checks


def chart_points(actuals_json: str, indicator: str, percentile_of, f: float) -> pd.DataFrame:
    """Actual points for a fan chart: annualised (value × 12 / months) at their year."""
    rows = []
    for d in json.loads(actuals_json) if actuals_json else []:
        if d["indicator"] != indicator:
            continue
        rows.append({"year": d["year"], "value": d["value"] * 12 / d["months"] * f, "label": d["label"]})
    return pd.DataFrame(rows, columns=["year", "value", "label"])
