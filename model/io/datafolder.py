"""Load and validate a region's data folder; read scenario files.

Reading the data folder and scenario files happens here (the CLI and the exports only write the
files a user asks for). Everything it returns is immutable. Every error names the file, the row
(as a spreadsheet shows it: the header is row 1) and the column, in English and Chinese.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from ..core.baseline import (CLUSTER_PARTS, DISTRIBUTIONS, GLOBAL_PARAMS, GOAL_METRICS, GROUPS,  # noqa: F401
                             GROWTH_CHECK_TOLERANCE, HIGH_TECH_CHECK_TOLERANCE, PLAUSIBILITY_CHECKS, SECTOR_PARAMS,
                             STATUSES, UNCERTAIN_PARAMS, Baseline, Distribution, Figure, GoalSpec, Sector, Source)
from ..errors import DataError, ScenarioError

#: The data folder shipped with the project (Zhoucun). Another region is another folder.
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "zhoucun"

# --------------------------------------------------------------------------- reading helpers

def _err(path: Path, en: str, zh: str) -> DataError:
    return DataError(f"{path}: {en}", f"{path}：{zh}")


def _read_csv(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 CSV as (spreadsheet row number, {column: text})."""
    if not path.is_file():
        raise _err(path, "file not found", "文件不存在")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _err(path, f"cannot be read ({exc.strerror})", f"无法读取({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _err(path, f"not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV",
                   f"不是 UTF-8 编码(第 {exc.start} 字节);请另存为 UTF-8 CSV") from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        raise _err(path, f"missing column(s) {', '.join(missing)}", f"缺少列 {', '.join(missing)}")
    rows = []
    for i, row in enumerate(reader, start=2):
        if None in row:
            raise _err(path, f"row {i}: more cells than columns", f"第 {i} 行：单元格多于列数")
        rows.append((i, {k: (v or "").strip() for k, v in row.items()}))
    if not rows:
        raise _err(path, "no data rows", "没有数据行")
    return rows


def _number(path: Path, row: int, col: str, text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise _err(path, f"row {row}, column '{col}': '{text}' is not a number",
                   f"第 {row} 行 '{col}' 列：'{text}' 不是数字") from None
    if not math.isfinite(x):
        raise _err(path, f"row {row}, column '{col}': '{text}' is not a finite number",
                   f"第 {row} 行 '{col}' 列：'{text}' 不是有限数值")
    return x


def _choice(path: Path, row: int, col: str, text: str, allowed: tuple[str, ...] | set[str]) -> str:
    if text not in allowed:
        opts = ", ".join(sorted(allowed))
        raise _err(path, f"row {row}, column '{col}': '{text}' is not one of {opts}",
                   f"第 {row} 行 '{col}' 列：'{text}' 不在允许值 {opts} 之中")
    return text


def _check_range(path: Path, row: int, col: str, x: float, lo: float, hi: float) -> float:
    if not lo <= x <= hi:
        raise _err(path, f"row {row}, column '{col}': {x:g} is outside the allowed range {lo:g} to {hi:g}",
                   f"第 {row} 行 '{col}' 列：{x:g} 超出允许范围 {lo:g} 至 {hi:g}")
    return x


def _loads(raw: bytes) -> Any:
    """Parse JSON bytes (UTF-8, BOM allowed) or raise DataError with a bilingual reason."""
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text", "不是 UTF-8 编码") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                        f"JSON 格式错误(第 {exc.lineno} 行第 {exc.colno} 列):{exc.msg}") from None
    except (RecursionError, ValueError):  # absurd nesting or a number with thousands of digits
        raise DataError("the JSON is nested too deeply or holds an absurd number",
                        "JSON 嵌套过深或含有异常数字") from None


def _whole(path: Path, row: int, col: str, x: float) -> int:
    if x != int(x):
        raise _err(path, f"row {row}, column '{col}': {x:g} must be a whole number",
                   f"第 {row} 行 '{col}' 列：{x:g} 必须为整数")
    return int(x)


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise _err(path, "file not found", "文件不存在")
    try:
        doc = _loads(path.read_bytes())
    except OSError as exc:
        raise _err(path, f"cannot be read ({exc.strerror})", f"无法读取({exc.strerror})") from None
    except DataError as exc:
        raise _err(path, exc.en, exc.zh) from None
    if not isinstance(doc, dict):
        raise _err(path, "must hold a JSON object", "内容必须是 JSON 对象")
    return doc


# --------------------------------------------------------------------------- tables

def _load_sources(folder: Path) -> dict[str, Source]:
    path = folder / "sources.csv"
    out: dict[str, Source] = {}
    for row, r in _read_csv(path, ("id", "title", "publisher", "url", "accessed")):
        if not r["id"]:
            raise _err(path, f"row {row}, column 'id': empty", f"第 {row} 行 'id' 列：为空")
        if r["id"] in out:
            raise _err(path, f"row {row}, column 'id': duplicate '{r['id']}'", f"第 {row} 行 'id' 列：重复的 '{r['id']}'")
        out[r["id"]] = Source(r["id"], r["title"], r["publisher"], r["url"], r["accessed"])
    return out


def _provenance(path: Path, row: int, r: dict[str, str], sources: Mapping[str, str]) -> tuple[str, str]:
    status = _choice(path, row, "status", r["status"], STATUSES)
    source = _choice(path, row, "source", r["source"], set(sources))
    return source, status


def _load_sectors(folder: Path) -> tuple[Sector, ...]:
    path = folder / "sectors.csv"
    sectors: list[Sector] = []
    for row, r in _read_csv(path, ("id", "name_zh", "name_en", "group")):
        sid = r["id"]
        if not sid.isascii() or not sid.replace("_", "").isalnum():
            raise _err(path, f"row {row}, column 'id': '{sid}' must be ASCII letters, digits or _",
                       f"第 {row} 行 'id' 列：'{sid}' 只能由 ASCII 字母、数字或下划线组成")
        if sid in {s.id for s in sectors} or sid in ("total", "stainless_cluster"):
            raise _err(path, f"row {row}, column 'id': '{sid}' is a duplicate or reserved id",
                       f"第 {row} 行 'id' 列：'{sid}' 重复或为保留名")
        group = _choice(path, row, "group", r["group"], GROUPS)
        sectors.append(Sector(sid, r["name_zh"], r["name_en"], group))
    return tuple(sectors)


def _load_sector_params(folder: Path, sectors: tuple[Sector, ...], sources: Mapping[str, Source]
                        ) -> tuple[dict[str, np.ndarray], list[Figure]]:
    path = folder / "sector_parameters.csv"
    ids = [s.id for s in sectors]
    values: dict[tuple[str, str], float] = {}
    figures: list[Figure] = []
    for row, r in _read_csv(path, ("sector", "parameter", "value", "unit", "source", "status", "note")):
        sid = _choice(path, row, "sector", r["sector"], set(ids))
        par = _choice(path, row, "parameter", r["parameter"], set(SECTOR_PARAMS))
        if r["unit"] != SECTOR_PARAMS[par]:
            raise _err(path, f"row {row}, column 'unit': '{r['unit']}' should be '{SECTOR_PARAMS[par]}' for {par}",
                       f"第 {row} 行 'unit' 列：{par} 的单位应为 '{SECTOR_PARAMS[par]}',而不是 '{r['unit']}'")
        if (sid, par) in values:
            raise _err(path, f"row {row}: duplicate {sid} / {par}", f"第 {row} 行：{sid} / {par} 重复")
        x = _number(path, row, "value", r["value"])
        lo, hi = {"output_2024": (0.0, 1e6), "trend_growth": (-20.0, 40.0), "va_rate": (1.0, 90.0),
                  "capital_output": (0.5, 10.0), "tech_response": (0.0, 3.0),
                  "downstream_share": (0.0, 100.0), "sme_share": (0.0, 100.0), "high_tech_share": (0.0, 100.0)}[par]
        _check_range(path, row, "value", x, lo, hi)
        if par == "output_2024" and x <= 0:
            raise _err(path, f"row {row}, column 'value': output must be positive", f"第 {row} 行 'value' 列：产值必须为正")
        source, status = _provenance(path, row, r, sources)
        values[(sid, par)] = x
        figures.append(Figure("sector_parameters", sid, par, x, r["unit"], source, status, r["note"]))
    for sid in ids:
        for par in SECTOR_PARAMS:
            if (sid, par) not in values:
                raise _err(path, f"sector '{sid}' has no row for '{par}'", f"行业 '{sid}' 缺少 '{par}' 行")
    arrays = {par: np.array([values[(sid, par)] for sid in ids], dtype=float) for par in SECTOR_PARAMS}
    for par in ("downstream_share", "sme_share"):
        total = arrays[par].sum()
        if abs(total - 100.0) > 1e-6:
            raise _err(path, f"'{par}' values sum to {total:g} %, not 100 %",
                       f"'{par}' 各行合计 {total:g}%,应为 100%")
    return arrays, figures


def _load_keyed(path: Path, key_col: str, units: Mapping[str, str], ranges: Mapping[str, tuple[float, float]],
                whole: tuple[str, ...], sources: Mapping[str, Source], table: str
                ) -> tuple[dict[str, float], list[Figure]]:
    """A table of named numbers (one row each, with unit, source, status, note), fully checked."""
    values: dict[str, float] = {}
    figures: list[Figure] = []
    for row, r in _read_csv(path, (key_col, "value", "unit", "source", "status", "note")):
        name = _choice(path, row, key_col, r[key_col], set(units))
        if r["unit"] != units[name]:
            raise _err(path, f"row {row}, column 'unit': '{r['unit']}' should be '{units[name]}' for {name}",
                       f"第 {row} 行 'unit' 列：{name} 的单位应为 '{units[name]}',而不是 '{r['unit']}'")
        if name in values:
            raise _err(path, f"row {row}: duplicate {key_col} '{name}'", f"第 {row} 行：'{name}' 重复")
        x = _check_range(path, row, "value", _number(path, row, "value", r["value"]), *ranges[name])
        if name in whole:
            _whole(path, row, "value", x)
        source, status = _provenance(path, row, r, sources)
        values[name] = x
        figures.append(Figure(table, "", name, x, r["unit"], source, status, r["note"]))
    missing = [n for n in units if n not in values]
    if missing:
        raise _err(path, f"missing {key_col}(s) {', '.join(missing)}", f"缺少 {', '.join(missing)}")
    return values, figures


#: Allowed ranges of the global parameters (wide: they catch typing errors, not judgments).
GLOBAL_RANGES: Mapping[str, tuple[float, float]] = MappingProxyType({
    "depreciation": (0.0, 50.0), "capital_elasticity": (0.0, 1.0), "investment_lag": (0, 5),
    "tech_base_share": (0.0, 100.0), "tech_max_boost": (0.0, 10.0), "tech_saturation": (1.0, 200.0),
    "va_rate_elasticity": (0.0, 2.0), "va_rate_cap": (1.0, 100.0), "chain_multiplier": (0.1, 10.0),
    "trade_growth": (-20.0, 40.0), "trade_capital_output": (0.0, 5.0), "sme_entry_revenue": (0.0, 10.0), "sme_pool": (0.0, 1e5), "investment_fade": (0.0, 20.0), "trade_margin": (0.0, 100.0),
    "price_base": (-10.0, 20.0), "correlation": (0.0, 1.0),
    "volatility": (0.0, 15.0), "project_delay_mean": (0.0, 5.0), "project_delay_max": (0, 10)})


def _load_global_params(folder: Path, sources: Mapping[str, Source]) -> tuple[dict[str, float], list[Figure]]:
    return _load_keyed(folder / "parameters.csv", "parameter", GLOBAL_PARAMS, GLOBAL_RANGES,
                       ("investment_lag", "project_delay_max", "sme_pool"), sources,
                       "parameters")


def _load_cluster(folder: Path, sources: Mapping[str, Source]) -> tuple[dict[str, float], list[Figure]]:
    path = folder / "cluster.csv"
    values: dict[str, float] = {}
    figures: list[Figure] = []
    for row, r in _read_csv(path, ("part", "name_zh", "name_en", "value_2024", "unit", "source", "status", "note")):
        part = _choice(path, row, "part", r["part"], CLUSTER_PARTS)
        if part in values:
            raise _err(path, f"row {row}: duplicate part '{part}'", f"第 {row} 行：'{part}' 重复")
        if r["unit"] != "100m yuan":
            raise _err(path, f"row {row}, column 'unit': must be '100m yuan'", f"第 {row} 行 'unit' 列：单位必须为 '100m yuan'")
        x = _check_range(path, row, "value_2024", _number(path, row, "value_2024", r["value_2024"]), 0.0, 1e6)
        source, status = _provenance(path, row, r, sources)
        values[part] = x
        figures.append(Figure("cluster", part, "value_2024", x, r["unit"], source, status, r["note"]))
    missing = [p for p in CLUSTER_PARTS if p not in values]
    if missing:
        raise _err(path, f"missing part(s) {', '.join(missing)}", f"缺少组成部分 {', '.join(missing)}")
    if values["processing"] <= 0:
        raise _err(path, "processing must be positive", "加工制造部分必须为正")
    return values, figures


def _load_goals(folder: Path, sources: Mapping[str, Source], base_year: int, end_year: int) -> tuple[GoalSpec, ...]:
    path = folder / "goals.csv"
    goals: list[GoalSpec] = []
    cols = ("id", "name_zh", "name_en", "metric", "threshold", "unit", "target_year", "start_year",
            "threshold_min", "threshold_max", "source", "status", "note_zh", "note_en")
    for row, r in _read_csv(path, cols):
        metric = _choice(path, row, "metric", r["metric"], GOAL_METRICS)
        lo = _number(path, row, "threshold_min", r["threshold_min"])
        hi = _number(path, row, "threshold_max", r["threshold_max"])
        thr = _check_range(path, row, "threshold", _number(path, row, "threshold", r["threshold"]), lo, hi)
        year = _whole(path, row, "target_year",
                      _check_range(path, row, "target_year", _number(path, row, "target_year", r["target_year"]),
                                   base_year + 1, end_year))
        start = None
        if r["start_year"]:
            start = _whole(path, row, "start_year",
                           _check_range(path, row, "start_year", _number(path, row, "start_year", r["start_year"]),
                                        base_year + 1, year))
        source, status = _provenance(path, row, r, sources)
        if r["id"] in {g.id for g in goals} or not r["id"]:
            raise _err(path, f"row {row}, column 'id': empty or duplicate '{r['id']}'", f"第 {row} 行 'id' 列：为空或重复")
        goals.append(GoalSpec(r["id"], r["name_zh"], r["name_en"], metric, thr, r["unit"], year, start,
                              lo, hi, source, status, r["note_zh"], r["note_en"]))
    return tuple(goals)


def _load_plausibility(folder: Path, sources: Mapping[str, Source]) -> tuple[dict[str, float], list[Figure]]:
    ranges = {c: (0.0, 1e6) for c in PLAUSIBILITY_CHECKS}
    return _load_keyed(folder / "plausibility.csv", "check", PLAUSIBILITY_CHECKS, ranges, (), sources, "plausibility")


def _load_uncertainty(folder: Path, sources: Mapping[str, Source]
                      ) -> tuple[dict[str, Distribution], list[Figure]]:
    """uncertainty.csv: one distribution per uncertain datum, each with unit, source and status."""
    path = folder / "uncertainty.csv"
    out: dict[str, Distribution] = {}
    figures: list[Figure] = []
    for row, r in _read_csv(path, ("parameter", "distribution", "a", "b", "unit", "source", "status", "note")):
        name = _choice(path, row, "parameter", r["parameter"], set(UNCERTAIN_PARAMS))
        kind = _choice(path, row, "distribution", r["distribution"], DISTRIBUTIONS)
        if r["unit"] != UNCERTAIN_PARAMS[name]:
            raise _err(path, f"row {row}, column 'unit': '{r['unit']}' should be '{UNCERTAIN_PARAMS[name]}' for {name}",
                       f"第 {row} 行 'unit' 列：{name} 的单位应为 '{UNCERTAIN_PARAMS[name]}',而不是 '{r['unit']}'")
        if name in out:
            raise _err(path, f"row {row}: duplicate parameter '{name}'", f"第 {row} 行：'{name}' 重复")
        a = _check_range(path, row, "a", _number(path, row, "a", r["a"]), -1e6, 1e6)
        b = _check_range(path, row, "b", _number(path, row, "b", r["b"]), -1e6, 1e6)
        if (kind == "uniform" and b < a) or (kind in ("normal", "lognormal", "poisson") and b < 0):
            raise _err(path, f"row {row}: b must be at least a (uniform) or not negative",
                       f"第 {row} 行：b 必须不小于 a(均匀分布)或不为负")
        source, status = _provenance(path, row, r, sources)
        out[name] = Distribution(kind, a, b, r["unit"])
        figures.append(Figure("uncertainty", kind, name, a, r["unit"], source, status,
                              f"{kind}({a:g}, {b:g}); {r['note']}"))
    missing = [n for n in UNCERTAIN_PARAMS if n not in out]
    if missing:
        raise _err(path, f"missing parameter(s) {', '.join(missing)}", f"缺少 {', '.join(missing)}")
    return out, figures


def _load_presets(folder: Path) -> dict[str, dict[str, Any]]:
    pdir = folder / "presets"
    if not pdir.is_dir():
        return {}
    return {p.stem: _read_json(p) for p in sorted(pdir.glob("*.json"))}


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.flags.writeable = False
    return a


def _load_region(folder: Path) -> tuple[Path, dict[str, Any]]:
    """``region.json`` with its required keys and a base and end year 1 to 50 years apart."""
    if not folder.is_dir():
        raise DataError(f"{folder}: data folder not found", f"{folder}:数据文件夹不存在")
    region_path = folder / "region.json"
    region = _read_json(region_path)
    for key in ("name_zh", "name_en", "title_zh", "title_en", "base_year", "end_year", "published_growth",
                "cluster_sector", "advanced_groups"):
        if key not in region:
            raise _err(region_path, f"missing key '{key}'", f"缺少键 '{key}'")
    base_year, end_year = region["base_year"], region["end_year"]
    if not (isinstance(base_year, int) and isinstance(end_year, int) and 1 <= end_year - base_year <= 50):
        raise _err(region_path, "base_year and end_year must be whole years, 1 to 50 years apart",
                   "base_year 与 end_year 必须为整数年份，相差 1 至 50 年")
    return region_path, region


def _region_groups(region_path: Path, region: dict[str, Any], ids: list[str]) -> tuple[str, ...]:
    """The cluster sector is a sector; the advanced groups are known groups."""
    if region["cluster_sector"] not in ids:
        raise _err(region_path, f"cluster_sector '{region['cluster_sector']}' is not a sector in sectors.csv",
                   f"cluster_sector '{region['cluster_sector']}' 不在 sectors.csv 中")
    groups = tuple(region["advanced_groups"]) if isinstance(region["advanced_groups"], list) else ()
    if not groups or any(g not in GROUPS for g in groups):
        raise _err(region_path, f"advanced_groups must be a list drawn from {', '.join(GROUPS)}",
                   f"advanced_groups 必须取自 {', '.join(GROUPS)}")
    return groups


def _published_growth(region_path: Path, region: dict[str, Any], sources: dict[str, Source]) -> Figure:
    """The published growth rate with its provenance, as a figure."""
    pub = region["published_growth"]
    try:
        published = float(pub["value"])
        pub_source, pub_status = pub["source"], pub["status"]
    except (TypeError, KeyError, ValueError):
        raise _err(region_path, "published_growth needs value, unit, source, status",
                   "published_growth 需要 value、unit、source、status") from None
    if not math.isfinite(published) or not -20.0 <= published <= 40.0:
        raise _err(region_path, "published_growth.value must be a number from -20 to 40 (%/yr)",
                   "published_growth.value 必须是 -20 至 40 之间的数(%/年)")
    if pub_source not in sources or pub_status not in STATUSES:
        raise _err(region_path, "published_growth: unknown source or status", "published_growth:来源或状态无效")
    return Figure("region", "", "published_growth", published, pub.get("unit", "%/yr"), pub_source, pub_status,
                  pub.get("note", ""))


def _check_trends(folder: Path, ids: list[str], sp: dict[str, np.ndarray], gp: dict[str, float]) -> None:
    """Every sector's trend above −depreciation (else the capital stock has no steady state)."""
    low = sp["trend_growth"] <= -gp["depreciation"]
    if low.any():
        sid = ids[int(np.argmax(low))]
        raise _err(folder / "sector_parameters.csv",
                   f"trend_growth of '{sid}' must be above −depreciation ({-gp['depreciation']:g} %/yr): "
                   "a shrinking capital stock has no steady state",
                   f"行业 '{sid}' 的 trend_growth 必须高于 −折旧率({-gp['depreciation']:g}%/年)")


def _plan_and_high_tech(region_path: Path, region: dict[str, Any], sources: dict[str, Source]) -> Figure:
    """The plan window lies within the projection; the published high-tech share, as a figure."""
    base_year, end_year = region["base_year"], region["end_year"]
    plan = region.get("plan")
    if not (isinstance(plan, dict) and isinstance(plan.get("start"), int) and isinstance(plan.get("end"), int)
            and base_year < plan["start"] <= plan["end"] <= end_year):
        raise _err(region_path, f"plan needs whole years start ≤ end, from {base_year + 1} to {end_year}",
                   f"plan 需要整数年份 start ≤ end,在 {base_year + 1} 至 {end_year} 之间")
    pht = region.get("published_high_tech_share")
    if not (isinstance(pht, dict) and isinstance(pht.get("value"), (int, float)) and isinstance(pht.get("year"), int)
            and pht.get("source") in sources and pht.get("status") in STATUSES):
        raise _err(region_path, "published_high_tech_share needs value, year, unit, source, status",
                   "published_high_tech_share 需要 value、year、unit、source、status")
    return Figure("region", "", "published_high_tech_share", float(pht["value"]), "%", pht["source"],
                  pht["status"], pht.get("note", ""))


def _check_consistency(folder: Path, region: dict[str, Any], ids: list[str], sp: dict[str, np.ndarray],
                       cluster: dict[str, float], published: float) -> None:
    """The output-weighted trend equals the published growth; the cluster's parts add up to its published
    total (when there is one); the cluster's processing part equals the cluster sector's output."""
    weighted = float(sp["output_2024"] @ sp["trend_growth"] / sp["output_2024"].sum())
    if abs(weighted - published) > GROWTH_CHECK_TOLERANCE:
        raise _err(folder / "sector_parameters.csv",
                   f"output-weighted trend growth is {weighted:.3f} %/yr but the published growth is {published:g} %/yr",
                   f"按产值加权的行业趋势增速为 {weighted:.3f}%/年，与公布的 {published:g}%/年 不符")
    ci = ids.index(region["cluster_sector"])
    if abs(cluster["processing"] - sp["output_2024"][ci]) > 1e-6:
        raise _err(folder / "cluster.csv",
                   f"processing ({cluster['processing']:g}) must equal the 2024 output of sector "
                   f"'{region['cluster_sector']}' ({sp['output_2024'][ci]:g})",
                   f"加工制造({cluster['processing']:g})必须等于行业 '{region['cluster_sector']}' 的2024年产值"
                   f"({sp['output_2024'][ci]:g})")
    pct = region.get("published_cluster_total")  # optional: what the cluster's parts add up to, as published
    if pct is not None and abs(sum(cluster.values()) - float(pct["value"])) > 1e-6:
        raise _err(folder / "cluster.csv",
                   f"the parts add up to {sum(cluster.values()):g}, not the published total {float(pct['value']):g} "
                   f"(region.json published_cluster_total)",
                   f"各组成部分合计 {sum(cluster.values()):g}，与公布的总量 {float(pct['value']):g} 不符"
                   f"（region.json published_cluster_total）")


def _check_high_tech_share(folder: Path, base: Baseline, pht: Figure, year: int) -> None:
    """The sectors' high-tech shares, back-cast along their trends, give the published share."""
    model_share = base.high_tech_share_in(year)
    if abs(model_share - pht.value) > HIGH_TECH_CHECK_TOLERANCE:
        raise _err(folder / "sector_parameters.csv",
                   f"the high_tech_share values give {model_share:.1f} % in {year} (back-cast along the "
                   f"trends) but the published share is {pht.value:g} %",
                   f"high_tech_share 按趋势回推到{year}年为 {model_share:.1f}%,与公布的 {pht.value:g}% 不符")


def load_baseline(folder: str | Path | None = None) -> Baseline:
    """Read and validate a region's data folder.

    Parameters
    ----------
    folder : path, optional
        The data folder (default: ``data/zhoucun``). It holds ``region.json``, ``sources.csv``,
        ``sectors.csv``, ``sector_parameters.csv``, ``parameters.csv``, ``cluster.csv``,
        ``goals.csv`` and ``presets/*.json``.

    Raises
    ------
    DataError
        Naming the file, row and column of the first problem found.
    """
    folder = Path(folder) if folder is not None else DEFAULT_DATA_DIR
    region_path, region = _load_region(folder)
    sources = _load_sources(folder)
    sectors = _load_sectors(folder)
    sp, sector_figs = _load_sector_params(folder, sectors, sources)
    gp, global_figs = _load_global_params(folder, sources)
    cluster, cluster_figs = _load_cluster(folder, sources)
    goals = _load_goals(folder, sources, region["base_year"], region["end_year"])
    plausibility, plaus_figs = _load_plausibility(folder, sources)
    uncertainty, uncertainty_figs = _load_uncertainty(folder, sources)

    ids = [s.id for s in sectors]
    groups = _region_groups(region_path, region, ids)
    published = _published_growth(region_path, region, sources)
    _check_trends(folder, ids, sp, gp)
    high_tech = _plan_and_high_tech(region_path, region, sources)
    _check_consistency(folder, region, ids, sp, cluster, published.value)

    figures = [published, high_tech, *sector_figs, *global_figs, *cluster_figs]
    figures += [Figure("goals", g.id, "threshold", g.threshold, g.unit, g.source, g.status, g.note_en)
                for g in goals]
    figures += plaus_figs + uncertainty_figs
    out = Baseline(
        folder=str(folder),
        region=MappingProxyType(dict(region)),
        sectors=sectors,
        output0=_frozen(sp["output_2024"]),
        trend_pct=_frozen(sp["trend_growth"]),
        va_rate=_frozen(sp["va_rate"] / 100.0),
        capital_output=_frozen(sp["capital_output"]),
        tech_response=_frozen(sp["tech_response"]),
        downstream_share=_frozen(sp["downstream_share"] / 100.0),
        sme_share=_frozen(sp["sme_share"] / 100.0),
        params=MappingProxyType(gp),
        cluster0=MappingProxyType(cluster),
        cluster_sector=region["cluster_sector"],
        advanced_groups=groups,
        published_growth=published.value,
        goals=goals,
        sources=MappingProxyType(sources),
        figures=tuple(figures),
        presets=MappingProxyType(_load_presets(folder)),
        plausibility=MappingProxyType(plausibility),
        high_tech_share=_frozen(sp["high_tech_share"] / 100.0),
        uncertainty=MappingProxyType(uncertainty),
    )
    _check_high_tech_share(folder, out, high_tech, int(region["published_high_tech_share"]["year"]))
    return out


def read_scenario_file(path: str | Path) -> dict[str, Any]:
    """Read a scenario JSON file into a plain dict (validation is ``scenario.parse_scenario``).

    The file's size is checked before it is read (``bounded.MAX_JSON_BYTES``).

    Raises
    ------
    ScenarioError
        If the file is missing, too large, not UTF-8 or not a JSON object.
    """
    from .bounded import MAX_JSON_BYTES, too_large

    path = Path(path)
    if path.is_file() and path.stat().st_size > MAX_JSON_BYTES:
        raise too_large(path.stat().st_size, MAX_JSON_BYTES, path.name, path.name)
    if not path.is_file():
        raise ScenarioError(f"{path}: file not found", f"{path}：文件不存在")
    try:
        return parse_scenario_bytes(path.read_bytes())
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.strerror})", f"{path}：无法读取({exc.strerror})") from None


def parse_scenario_bytes(raw: bytes) -> dict[str, Any]:
    """Decode an uploaded scenario (UTF-8, with or without BOM) into a dict, or raise ScenarioError.

    Size and nesting are bounded before parsing (``bounded.load_json``).
    """
    from .bounded import load_json

    doc = load_json(raw, "the scenario file", "情景文件")
    if not isinstance(doc, dict):
        raise ScenarioError("a scenario must be a JSON object", "情景必须是 JSON 对象")
    return doc
