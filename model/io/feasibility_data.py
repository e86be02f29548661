"""Load and validate a region's feasibility data: fiscal, energy and land (issue 19).

Files of the data folder (every number with unit, source and status; see README "Feasibility"):

* ``feasibility.csv`` — scalar parameters (``core.feasibility.FEAS_PARAMS`` with their units);
* ``sector_feasibility.csv`` — energy and land intensity per sector;
* ``land_supply.csv`` — cumulative new industrial land available by year (亩);
* ``mujun_classes.csv`` — Shandong-style 亩均效益 classes: the lowest output per 亩 of each class;
* ``intensity_targets.csv`` — energy-intensity targets, each a cumulative fall over a plan period;
* ``energy_quota.csv`` (optional) — the district's sourced total energy-use quota by year (万 tce). Without
  it the energy-use constraint has no limit and says so (status ``none``): no quota is invented;
* ``parks.csv`` (optional) — per park its sector, area (亩) and stated output (亿元/yr), for the per-park
  land notes (``core.feasibility.park_notes``).

Loaded apart from ``load_baseline`` (a region without these files still runs the growth model);
errors name the file, row and column in English and Chinese.
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import MappingProxyType

import numpy as np

from ..core.baseline import Baseline, Figure
from ..core.feasibility import FEAS_PARAMS, SECTOR_FEAS_PARAMS, FeasibilityData, ParkLand
from .datafolder import _check_range, _choice, _err, _load_keyed, _number, _provenance, _read_csv, _whole

#: Allowed ranges (wide: they catch typing errors, not judgements).
RANGES = MappingProxyType({
    "tech_subsidy_rate": (0.0, 100.0), "sme_reward": (0.0, 1.0), "park_infra_cost": (0.0, 1.0),
    "project_incentive_rate": (0.0, 100.0), "tax_to_va": (0.0, 60.0), "district_tax_share": (0.0, 100.0),
    "tax_to_va_low": (0.0, 60.0), "tax_to_va_high": (0.0, 60.0), "district_tax_share_low": (0.0, 100.0),
    "district_tax_share_high": (0.0, 100.0), "tax_ramp_years": (1, 10),
    "fiscal_room": (0.0, 1e5), "discount_rate": (-5.0, 30.0), "finance_public": (0.0, 99.0), "finance_bank": (0.0, 100.0),
    "energy_trend_decline": (-10.0, 20.0), "green_upgrade": (0.0, 2.0), "green_upgrade_low": (0.0, 2.0),
    "green_upgrade_high": (0.0, 2.0), "co2_factor": (0.0, 5.0), "co2_factor_decline": (-10.0, 20.0),
    "trade_land": (0.0, 1e3)})
SECTOR_RANGES = MappingProxyType({"energy_intensity": (0.0, 10.0), "land_intensity": (0.0, 1e3)})


def _sector_table(path: Path, base: Baseline) -> tuple[dict[str, np.ndarray], list[Figure]]:
    ids = base.sector_ids
    values: dict[tuple[str, str], float] = {}
    figures: list[Figure] = []
    for row, r in _read_csv(path, ("sector", "parameter", "value", "unit", "source", "status", "note")):
        sid = _choice(path, row, "sector", r["sector"], set(ids))
        par = _choice(path, row, "parameter", r["parameter"], set(SECTOR_FEAS_PARAMS))
        if r["unit"] != SECTOR_FEAS_PARAMS[par]:
            raise _err(path, f"row {row}, column 'unit': '{r['unit']}' should be '{SECTOR_FEAS_PARAMS[par]}' for {par}",
                       f"第 {row} 行 'unit' 列：{par} 的单位应为 '{SECTOR_FEAS_PARAMS[par]}',而不是 '{r['unit']}'")
        if (sid, par) in values:
            raise _err(path, f"row {row}: duplicate {sid} / {par}", f"第 {row} 行：{sid} / {par} 重复")
        x = _check_range(path, row, "value", _number(path, row, "value", r["value"]), *SECTOR_RANGES[par])
        source, status = _provenance(path, row, r, base.sources)
        values[(sid, par)] = x
        figures.append(Figure("sector_feasibility", sid, par, x, r["unit"], source, status, r["note"]))
    for sid in ids:
        for par in SECTOR_FEAS_PARAMS:
            if (sid, par) not in values:
                raise _err(path, f"sector '{sid}' has no row for '{par}'", f"行业 '{sid}' 缺少 '{par}' 行")
    return {par: np.array([values[(sid, par)] for sid in ids]) for par in SECTOR_FEAS_PARAMS}, figures


def _land_supply(path: Path, base: Baseline) -> tuple[np.ndarray, np.ndarray, list[Figure]]:
    years, values, figures = [], [], []
    for row, r in _read_csv(path, ("year", "value", "unit", "source", "status", "note")):
        y = _whole(path, row, "year", _check_range(path, row, "year", _number(path, row, "year", r["year"]),
                                                   base.base_year + 1, base.end_year))
        if years and y <= years[-1]:
            raise _err(path, f"row {row}, column 'year': years must increase", f"第 {row} 行 'year' 列：年份必须递增")
        if r["unit"] != "mu":
            raise _err(path, f"row {row}, column 'unit': '{r['unit']}' should be 'mu'",
                       f"第 {row} 行 'unit' 列：单位应为 'mu',而不是 '{r['unit']}'")
        x = _check_range(path, row, "value", _number(path, row, "value", r["value"]), 0.0, 1e7)
        if values and x < values[-1]:
            raise _err(path, f"row {row}, column 'value': cumulative land cannot fall",
                       f"第 {row} 行 'value' 列：累计用地不能减少")
        source, status = _provenance(path, row, r, base.sources)
        years.append(y)
        values.append(x)
        figures.append(Figure("land_supply", str(y), "land_supply", x, "mu", source, status, r["note"]))
    return np.array(years, dtype=float), np.array(values), figures


def _mujun(path: Path, base: Baseline) -> tuple[tuple[tuple[str, float], ...], list[Figure]]:
    out, figures = [], []
    for row, r in _read_csv(path, ("class", "min_output", "unit", "source", "status", "note")):
        if not r["class"]:
            raise _err(path, f"row {row}, column 'class': empty", f"第 {row} 行 'class' 列：为空")
        if r["unit"] != "10k yuan/mu":
            raise _err(path, f"row {row}, column 'unit': '{r['unit']}' should be '10k yuan/mu'",
                       f"第 {row} 行 'unit' 列：单位应为 '10k yuan/mu',而不是 '{r['unit']}'")
        x = _check_range(path, row, "min_output", _number(path, row, "min_output", r["min_output"]), 0.0, 1e6)
        source, status = _provenance(path, row, r, base.sources)
        out.append((r["class"], x))
        figures.append(Figure("mujun_classes", r["class"], "min_output", x, r["unit"], source, status, r["note"]))
    return tuple(sorted(out, key=lambda c: -c[1])), figures


def _intensity_targets(path: Path, base: Baseline) -> tuple[tuple[tuple[int, int, float, str], ...], list[Figure]]:
    out: list[tuple[int, int, float, str]] = []
    figures: list[Figure] = []
    for row, r in _read_csv(path, ("first_year", "last_year", "value", "unit", "source", "status", "note")):
        a = int(_whole(path, row, "first_year", _number(path, row, "first_year", r["first_year"])))
        b = int(_whole(path, row, "last_year", _check_range(path, row, "last_year",
                                                            _number(path, row, "last_year", r["last_year"]),
                                                            base.base_year + 1, base.end_year)))
        if not a <= b or (out and a <= out[-1][1]):
            raise _err(path, f"row {row}: periods must not overlap and first_year ≤ last_year",
                       f"第 {row} 行：各时期不得重叠，且 first_year ≤ last_year")
        if r["unit"] != "%":
            raise _err(path, f"row {row}, column 'unit': '{r['unit']}' should be '%'",
                       f"第 {row} 行 'unit' 列：单位应为 '%',而不是 '{r['unit']}'")
        x = _check_range(path, row, "value", _number(path, row, "value", r["value"]), -50.0, 90.0)
        source, status = _provenance(path, row, r, base.sources)
        out.append((a, b, x, status))
        figures.append(Figure("intensity_targets", f"{a}–{b}", "intensity_target", x, "%", source, status, r["note"]))
    return tuple(out), figures


def _energy_quota(path: Path, base: Baseline) -> tuple[np.ndarray, np.ndarray, str, list[Figure]]:
    """Years, quota (万 tce) and the weakest status of the rows; ``none`` when the file is absent."""
    if not path.exists():
        return np.zeros(0), np.zeros(0), "none", []
    years, values, statuses, figures = [], [], [], []
    for row, r in _read_csv(path, ("year", "value", "unit", "source", "status", "note")):
        y = _whole(path, row, "year", _check_range(path, row, "year", _number(path, row, "year", r["year"]),
                                                   base.base_year + 1, base.end_year))
        if years and y <= years[-1]:
            raise _err(path, f"row {row}, column 'year': years must increase", f"第 {row} 行 'year' 列：年份必须递增")
        if r["unit"] != "10k tce":
            raise _err(path, f"row {row}, column 'unit': '{r['unit']}' should be '10k tce'",
                       f"第 {row} 行 'unit' 列：单位应为 '10k tce',而不是 '{r['unit']}'")
        x = _check_range(path, row, "value", _number(path, row, "value", r["value"]), 0.0, 1e6)
        source, status = _provenance(path, row, r, base.sources)
        years.append(y)
        values.append(x)
        statuses.append(status)
        figures.append(Figure("energy_quota", str(y), "energy_quota", x, "10k tce", source, status, r["note"]))
    if not years:
        return np.zeros(0), np.zeros(0), "none", []
    weakest = next(s for s in ("estimate", "derived", "official") if s in statuses)
    return np.array(years, dtype=float), np.array(values), weakest, figures


PARK_PARAMS = MappingProxyType({"area": "mu", "output": "100m yuan"})


def _parks(path: Path, base: Baseline) -> tuple[tuple[ParkLand, ...], list[Figure]]:
    """Parks with area and stated output (both required per park); none when the file is absent."""
    if not path.exists():
        return (), []
    rows: dict[str, dict[str, object]] = {}
    figures: list[Figure] = []
    for row, r in _read_csv(path, ("park", "sector", "parameter", "value", "unit", "source", "status", "note")):
        if not r["park"]:
            raise _err(path, f"row {row}, column 'park': empty", f"第 {row} 行 'park' 列：为空")
        sid = _choice(path, row, "sector", r["sector"], set(base.sector_ids))
        par = _choice(path, row, "parameter", r["parameter"], set(PARK_PARAMS))
        if r["unit"] != PARK_PARAMS[par]:
            raise _err(path, f"row {row}, column 'unit': '{r['unit']}' should be '{PARK_PARAMS[par]}' for {par}",
                       f"第 {row} 行 'unit' 列：{par} 的单位应为 '{PARK_PARAMS[par]}',而不是 '{r['unit']}'")
        park = rows.setdefault(r["park"], {"sector": sid, "status": []})
        if park["sector"] != sid or par in park:
            raise _err(path, f"row {row}: park '{r['park']}' has two sectors or a duplicate {par}",
                       f"第 {row} 行：园区 '{r['park']}' 行业不一致或 {par} 重复")
        x = _check_range(path, row, "value", _number(path, row, "value", r["value"]), 0.0, 1e7)
        source, status = _provenance(path, row, r, base.sources)
        park[par] = x
        park["status"].append(status)
        figures.append(Figure("parks", r["park"], par, x, r["unit"], source, status, r["note"]))
    out = []
    for name, park in rows.items():
        missing = [p for p in PARK_PARAMS if p not in park]
        if missing:
            raise _err(path, f"park '{name}' has no row for {', '.join(missing)}", f"园区 '{name}' 缺少 {', '.join(missing)} 行")
        weakest = next(s for s in ("estimate", "derived", "official") if s in park["status"])
        out.append(ParkLand(name, base.sector_ids.index(park["sector"]), park["area"], park["output"], weakest))
    return tuple(out), figures


@functools.lru_cache(maxsize=8)
def load_feasibility(base: Baseline) -> FeasibilityData:
    """The feasibility data of ``base``'s folder, validated (raises DataError naming file, row, column)."""
    folder = Path(base.folder)
    params, figs = _load_keyed(folder / "feasibility.csv", "parameter", FEAS_PARAMS, RANGES, ("tax_ramp_years",), base.sources,
                               "feasibility")
    path = folder / "feasibility.csv"
    for name in ("green_upgrade", "tax_to_va", "district_tax_share"):
        if not params[f"{name}_low"] <= params[name] <= params[f"{name}_high"]:
            raise _err(path, f"{name} must lie between {name}_low and {name}_high",
                       f"{name} 必须介于 {name}_low 与 {name}_high 之间")
    if params["finance_public"] + params["finance_bank"] > 100.0:
        raise _err(path, "finance_public + finance_bank exceed 100 %", "finance_public 与 finance_bank 之和超过 100%")
    sector, sfigs = _sector_table(folder / "sector_feasibility.csv", base)
    years, supply, lfigs = _land_supply(folder / "land_supply.csv", base)
    classes, mfigs = _mujun(folder / "mujun_classes.csv", base)
    targets, tfigs = _intensity_targets(folder / "intensity_targets.csv", base)
    qyears, quota, qstatus, qfigs = _energy_quota(folder / "energy_quota.csv", base)
    parks, pfigs = _parks(folder / "parks.csv", base)
    return FeasibilityData(params=MappingProxyType(params), energy_intensity=sector["energy_intensity"],
                           land_intensity=sector["land_intensity"], land_years=years, land_supply=supply,
                           mujun=classes, intensity_targets=targets, quota_years=qyears, quota=quota,
                           quota_status=qstatus, parks=parks,
                           figures=tuple(figs + sfigs + lfigs + mfigs + tfigs + qfigs + pfigs))
