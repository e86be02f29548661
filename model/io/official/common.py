"""What every part of the official-data import shares: the fields and their headers, the ranges,
cell normalisation, the names of sectors and cluster parts, and the validated upload (``OfficialData``)."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ...core.baseline import Baseline
from ...core.specs import SECTOR_GROWTH_RANGE
from ...errors import DataError

# --------------------------------------------------------------------------- constants

#: Largest upload accepted, bytes (checked before anything is parsed).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Largest total size of the files inside an XLSX (a zip), bytes: guards against zip bombs. The
#: template unpacks to about 20 kB; a sheet of MAX_ROWS × MAX_COLUMNS cells to under 2 MB.
MAX_XLSX_UNPACKED = 16 * 1024 * 1024
#: Largest shared-strings part of an XLSX, bytes: openpyxl reads all of it before the first row.
MAX_XLSX_SHARED_STRINGS = 2 * 1024 * 1024
#: Most rows read from an upload (a template has a dozen).
MAX_ROWS = 1000
#: Most columns of an upload (the template has five; notes and sources columns may be added).
MAX_COLUMNS = 50
#: Most problems listed in one error message; the rest are counted.
MAX_LISTED = 20
#: Most problems kept (with their details) for one upload; further ones are only counted.
MAX_KEPT = 200
#: Longest cell text quoted in a message, characters.
MAX_QUOTED = 60
#: A supplied figure this many times the current one (or less than its inverse) gets a warning.
IMPLAUSIBLE_FACTOR = 3.0
#: A rate (%, %/yr) that moves by more than this many points gets a warning (8 % read as 0.08).
IMPLAUSIBLE_POINTS = {"va_rate": 15.0, "trend_growth": 5.0}
#: Rows searched for the header (title rows above it are allowed).
HEADER_SEARCH_ROWS = 10

#: Fields a planner can supply, in template order.
FIELDS = ("output_2024", "va_rate", "trend_growth")
#: Cluster parts a planner can supply (processing is the cluster sector's output).
CLUSTER_UPLOAD_PARTS = ("trade", "downstream")
CLUSTER_PREFIX = "cluster:"

#: Allowed ranges of the supplied figures (units of the template: 亿元, %, %/yr).
OUTPUT_MAX = 100000.0
VA_RANGE = (1.0, 90.0)
TREND_RANGE = SECTOR_GROWTH_RANGE  # (−20, 40) %/yr

#: Column headers of the template: field → (Chinese, English).
HEADERS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "sector": ("行业代码", "sector"),
    "name": ("行业名称", "name"),
    "output_2024": ("2024年产值(亿元)", "2024 output (100m yuan)"),
    "va_rate": ("增加值率(%)", "value-added rate (%)"),
    "trend_growth": ("增速(%/年)", "growth (%/yr)"),
})

#: Units of the fields, as written in the headers (after normalisation) and as shown in messages.
_UNITS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "output_2024": ("亿元", "100myuan", "100millionyuan", "亿"),
    "va_rate": ("%",),
    "trend_growth": ("%/年", "%/yr", "%/year", "%", "%/a"),
})
_FIELD_UNIT = {"output_2024": ("亿元", "100m yuan"), "va_rate": ("%", "%"), "trend_growth": ("%/年", "%/yr")}
_FIELD_LABEL = {"output_2024": ("2024年产值", "2024 output"), "va_rate": ("增加值率", "value-added rate"),
                "trend_growth": ("增速", "growth")}

#: Header labels (normalised, without unit) accepted for each column.
_LABELS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "sector": ("sector", "sectorid", "sector_id", "id", "行业代码", "代码", "行业", "行业id", "key"),
    "name": ("name", "sectorname", "name_zh", "name_en", "行业名称", "名称"),
    "output_2024": ("output_2024", "2024年产值", "产值", "2024output", "output", "output2024", "value_2024"),
    "va_rate": ("va_rate", "增加值率", "value-addedrate", "valueaddedrate", "varate"),
    "trend_growth": ("trend_growth", "增速", "growth", "趋势增速", "trendgrowth", "年均增速"),
})
#: Columns that may be present and are ignored (notes, sources).
_IGNORED = ("note", "notes", "备注", "说明", "source", "来源", "remark", "remarks", "comment", "comments",
            "数据来源", "unit", "单位")

_PART_NAMES = {"processing": ("加工制造", "Processing"), "trade": ("仓储贸易", "Trade & warehousing"),
               "downstream": ("下游制品", "Downstream products")}


# --------------------------------------------------------------------------- normalisation

def _norm(text: Any) -> str:
    """Header / name key: NFKC (full-width → ASCII), lower case, no whitespace."""
    s = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "").lower()
    return re.sub(r"\s+", "", s)


def _split_unit(header: str) -> tuple[str, str | None]:
    """'2024年产值(亿元)' → ('2024年产值', '亿元') on the normalised header."""
    m = re.fullmatch(r"(.*?)[(\[](.*)[)\]]", header)
    if m:
        return m.group(1), m.group(2)
    return header, None


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _is_empty(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str) and not v.strip():
        return True
    return v is pd.NA or v is pd.NaT


def _show(v: Any) -> str:
    """A cell's value as the user typed it (numbers without a trailing .0)."""
    if isinstance(v, bool):
        return str(v).upper()
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        x = float(v)
        if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
            return str(int(x))
        return repr(x)
    text = str(v).strip()
    return text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED] + "…"


def _fmt(x: float) -> str:
    return _show(round(float(x), 10))


def _column_kind(header: Any) -> tuple[str | None, str | None]:
    """(kind, bad unit) of a header: kind is 'sector', 'name', a field, 'ignore', '' (blank) or None."""
    if _is_empty(header):
        return "", None
    h = _norm(header)
    for kind, labels in _LABELS.items():
        if h in labels:
            return kind, None
    if h in _IGNORED:
        return "ignore", None
    label, unit = _split_unit(h)
    for kind, labels in _LABELS.items():
        if label in labels:
            if kind in _UNITS and unit is not None and unit not in _UNITS[kind]:
                return None, unit
            return kind, None
    if label in _IGNORED:
        return "ignore", None
    return None, None


# --------------------------------------------------------------------------- names

def _cluster_key(part: str) -> str:
    return CLUSTER_PREFIX + part


def _cluster_label(base: Baseline, part: str, lang: str) -> str:
    zh, en = _PART_NAMES[part]
    if lang == "zh":
        return f"{base.region.get('cluster_name_zh', '不锈钢产业集群')}：{zh}"
    return f"{base.region.get('cluster_name_en', 'Stainless steel cluster')}: {en}"


def _header(fieldname: str, lang: str) -> str:
    zh, en = HEADERS[fieldname]
    return zh if lang == "zh" else en


def _pct(x: float) -> float:
    """A fraction as a percent, without binary noise (0.28 → 28.0, not 28.000000000000004)."""
    return round(float(x) * 100.0, 9)


def _residual_sectors(base: Baseline) -> list[str]:
    return [f.key for f in base.figures
            if f.table == "sector_parameters" and f.parameter == "trend_growth" and f.status == "derived"]


def _key_label(base: Baseline, key: str, lang: str) -> str:
    if key.startswith(CLUSTER_PREFIX):
        return _cluster_label(base, key[len(CLUSTER_PREFIX):], lang)
    return base.sectors[base.sector_ids.index(key)].name(lang)


# --------------------------------------------------------------------------- the validated upload

@dataclass(frozen=True)
class OfficialData:
    """A validated upload: the supplied figures, nothing else.

    ``figures`` holds ``(key, field, value)`` sorted, with ``key`` a sector id or ``cluster:<part>``
    and ``field`` one of ``FIELDS`` (cluster parts: ``output_2024`` only); values in template units
    (亿元, %, %/yr). ``rows`` (where each figure came from) and ``unchanged`` (figures equal to the
    current value, left as they were) are for messages; they take no part in equality, hashing or
    ``to_json``.
    """

    figures: tuple[tuple[str, str, float], ...]
    filename: str = ""
    rows: tuple[tuple[str, str, int], ...] = field(default=(), compare=False)
    unchanged: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    #: (en, zh) notes on accepted figures that differ implausibly from the current ones (``implausible``).
    warnings: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "figures", tuple(sorted((str(k), str(f), float(v)) for k, f, v in self.figures)))

    def __len__(self) -> int:
        return len(self.figures)

    def value(self, key: str, fieldname: str) -> float | None:
        """The supplied value of one figure, or None."""
        for k, f, v in self.figures:
            if k == key and f == fieldname:
                return v
        return None

    def as_dict(self) -> dict[str, dict[str, float]]:
        """``{key: {field: value}}``."""
        out: dict[str, dict[str, float]] = {}
        for k, f, v in self.figures:
            out.setdefault(k, {})[f] = v
        return out

    def row_of(self, key: str, fieldname: str) -> int | None:
        for k, f, r in self.rows:
            if k == key and f == fieldname:
                return r
        return None

    def to_json(self) -> str:
        """Compact, sorted JSON (a small hashable cache key for a session's baseline)."""
        return json.dumps({"figures": [list(t) for t in self.figures], "filename": self.filename, "version": 1},
                          ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> "OfficialData":
        """Inverse of ``to_json``; raises DataError on anything else (values are checked by ``apply_official``)."""
        bad = DataError("stored official data is malformed", "已保存的官方数据格式错误")
        try:
            doc = json.loads(text)
        except (TypeError, ValueError, RecursionError):
            raise bad from None
        if not isinstance(doc, dict) or doc.get("version") != 1 or not isinstance(doc.get("figures"), list) \
                or not isinstance(doc.get("filename", ""), str):
            raise bad
        figs = []
        seen = set()
        for item in doc["figures"]:
            if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)
                    and item[1] in FIELDS and isinstance(item[2], (int, float)) and not isinstance(item[2], bool)
                    and math.isfinite(item[2]) and (item[0], item[1]) not in seen):
                raise bad
            seen.add((item[0], item[1]))
            figs.append((item[0], item[1], float(item[2])))
        return cls(tuple(figs), doc.get("filename", ""))


# --------------------------------------------------------------------------- rules on one figure

def _range_rule(base: Baseline, key: str, fieldname: str, x: float) -> tuple[str, str] | None:
    """The (en, zh) rule a value breaks, or None."""
    if key.startswith(CLUSTER_PREFIX):
        if not 0.0 <= x <= OUTPUT_MAX:
            return (f"{_fmt(x)} is outside the allowed range: a cluster part's 2024 value must be from 0 to "
                    f"{OUTPUT_MAX:g} (100m yuan)",
                    f"{_fmt(x)} 超出允许范围：集群组成部分的2024年数值须在 0 至 {OUTPUT_MAX:g} 亿元之间")
        return None
    if fieldname == "output_2024":
        if not 0.0 < x <= OUTPUT_MAX:
            return (f"{_fmt(x)} is outside the allowed range: the 2024 output must be above 0 and at most "
                    f"{OUTPUT_MAX:g} (100m yuan = 亿元; divide 万元 by 10000)",
                    f"{_fmt(x)} 超出允许范围：2024年产值须大于 0 且不超过 {OUTPUT_MAX:g} 亿元(万元须除以 10000)")
    elif fieldname == "va_rate":
        cap = base.params["va_rate_cap"]
        lo, hi = VA_RANGE
        if not lo <= x <= hi:
            return (f"{_fmt(x)} is outside the allowed range: the value-added rate must be from {lo:g} to {hi:g} "
                    f"(percent: 25 means 25 %)",
                    f"{_fmt(x)} 超出允许范围：增加值率须在 {lo:g} 至 {hi:g} 之间(百分数：25 表示 25%)")
        if x > cap:
            return (f"{_fmt(x)} is above the model's cap on the value-added rate ({cap:g} %, parameter va_rate_cap)",
                    f"{_fmt(x)} 高于模型的增加值率上限({cap:g}%,参数 va_rate_cap)")
    elif fieldname == "trend_growth":
        lo, hi = TREND_RANGE
        dep = base.params["depreciation"]
        if not lo <= x <= hi:
            return (f"{_fmt(x)} is outside the allowed range: growth must be from {lo:g} to {hi:g} %/yr",
                    f"{_fmt(x)} 超出允许范围：增速须在 {lo:g} 至 {hi:g}%/年 之间")
        if x <= -dep:
            return (f"{_fmt(x)} is not above minus the depreciation rate ({-dep:g} %/yr): a shrinking capital "
                    "stock has no steady state",
                    f"{_fmt(x)} 未高于 −折旧率({-dep:g}%/年):资本存量持续萎缩时不存在稳态")
    return None


def implausible(base: Baseline, key: str, fieldname: str, x: float) -> tuple[str, str] | None:
    """(en, zh) note when a supplied figure is far from the current one, else None.

    Allowed, but said: a level ``IMPLAUSIBLE_FACTOR`` times the current one or less than its
    inverse (万元 typed as 亿元), a rate more than ``IMPLAUSIBLE_POINTS`` points away (8 % stored by
    a spreadsheet as 0.08 and typed without its format).
    """
    cur = _current(base, key, fieldname)
    label_en, label_zh = _key_label(base, key, "en"), _key_label(base, key, "zh")
    if fieldname in IMPLAUSIBLE_POINTS:
        if abs(x - cur) <= IMPLAUSIBLE_POINTS[fieldname]:
            return None
        unit_en, unit_zh = _FIELD_UNIT[fieldname][1], _FIELD_UNIT[fieldname][0]
        return (f"{_FIELD_LABEL[fieldname][1]} of {label_en} changes from {_fmt(cur)} to {_fmt(x)} {unit_en}, more "
                f"than {IMPLAUSIBLE_POINTS[fieldname]:g} points; check that the cell holds a percent (8 means 8 %)",
                f"{label_zh}的{_FIELD_LABEL[fieldname][0]}由 {_fmt(cur)} 变为 {_fmt(x)}{unit_zh}，变动超过 "
                f"{IMPLAUSIBLE_POINTS[fieldname]:g} 个百分点；请确认单元格填写的是百分数(8 表示 8%)")
    if cur > 0 and x > 0 and max(x / cur, cur / x) < IMPLAUSIBLE_FACTOR:
        return None
    if cur <= 0 and x <= 0:
        return None
    return (f"the 2024 value of {label_en} changes from {_fmt(cur)} to {_fmt(x)} (100m yuan), by more than a factor "
            f"of {IMPLAUSIBLE_FACTOR:g}; check the unit (亿元 = 100m yuan; divide 万元 by 10000)",
            f"{label_zh}的2024年数值由 {_fmt(cur)} 变为 {_fmt(x)} 亿元，变动超过 {IMPLAUSIBLE_FACTOR:g} 倍；"
            "请核对单位(亿元；万元须除以 10000)")


def _same(base: Baseline, key: str, fieldname: str, x: float) -> bool:
    cur = _current(base, key, fieldname)
    return abs(x - cur) <= 1e-9 * max(1.0, abs(cur))


def _current(base: Baseline, key: str, fieldname: str) -> float:
    if key.startswith(CLUSTER_PREFIX):
        return float(base.cluster0[key[len(CLUSTER_PREFIX):]])
    i = base.sector_ids.index(key)
    return {"output_2024": float(base.output0[i]), "va_rate": float(base.va_rate[i]) * 100.0,
            "trend_growth": float(base.trend_pct[i])}[fieldname]
