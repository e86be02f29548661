"""Validating an upload: every problem of the file at once, or the ``OfficialData`` it holds."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from ...core.baseline import Baseline
from .common import CLUSTER_PREFIX, CLUSTER_UPLOAD_PARTS, FIELDS, HEADERS, OfficialData, _FIELD_LABEL, _FIELD_UNIT, \
    _PART_NAMES, _cluster_key, _cluster_label, _col_letter, _column_kind, _is_empty, _norm, _range_rule, _same, \
    _show, implausible
from .merge import _merge
from .problems import Problem, _Problems, _raise, _where

def _sector_lookup(base: Baseline) -> dict[str, str]:
    """Normalised id / Chinese name / English name → key (sector id or cluster:<part>)."""
    out: dict[str, str] = {}
    for s in base.sectors:
        for label in (s.id, s.name_zh, s.name_en):
            out.setdefault(_norm(label), s.id)
    for part in ("processing",) + CLUSTER_UPLOAD_PARTS:
        key = _cluster_key(part)
        for label in (key, f"cluster_{part}", *_PART_NAMES[part], _cluster_label(base, part, "zh"),
                      _cluster_label(base, part, "en")):
            out.setdefault(_norm(label), key)
    return out


def _parse_number(v: Any, fieldname: str) -> float | None:
    """A cell as a float, or None if it is not a number (text, bool, date, NaN text, infinity)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        x = float(v)
        return x if math.isfinite(x) else None
    if not isinstance(v, str):
        return None
    s = unicodedata.normalize("NFKC", v).strip().replace("\u2212", "-")
    if fieldname in ("va_rate", "trend_growth") and s.endswith("%"):
        s = s[:-1].strip()
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", s):
        s = s.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", s):
        return None
    x = float(s)
    return x if math.isfinite(x) else None


class _Check:
    """One validation run: the frame, its columns, the problems found so far and what was accepted."""

    def __init__(self, base: Baseline, frame: pd.DataFrame, keep_unchanged: bool) -> None:
        self.base, self.frame, self.keep_unchanged = base, frame, keep_unchanged
        self.filename = str(frame.attrs.get("filename", "") or "")
        self.header_row = int(frame.attrs.get("header_row", 1) or 1)
        self.columns = list(frame.columns)
        self.problems: list[Problem] = _Problems()
        self.supplied: list[tuple[str, str, float]] = []
        self.rows: list[tuple[str, str, int]] = []
        self.unchanged: list[tuple[str, str]] = []
        self.warnings: list[tuple[str, str]] = []

    def add(self, row: int | None, j: int | None, value: str, en: str, zh: str) -> None:
        """A problem at ``row`` and column position ``j`` (None: the whole row or file)."""
        if j is None:
            self.problems.append(Problem(row, "", value, en, zh))
            return
        h = self.columns[j]
        self.problems.append(Problem(row, "" if _is_empty(h) else _show(h), value, en, zh, _col_letter(j)))

    def cname(self, j: int) -> str:
        return f"'{_show(self.columns[j])}' ({_col_letter(j)})"

    def stop_if_any(self) -> None:
        if self.problems:
            _raise(self.problems, self.filename)


def _column_kinds(c: _Check) -> dict[str, list[int]]:
    """Positions of each recognised column kind; blank, unknown and bad-unit headers are problems."""
    kinds: dict[str, list[int]] = {}
    for j, h in enumerate(c.columns):
        kind, bad_unit = _column_kind(h)
        if kind == "":
            if any(not _is_empty(v) for v in c.frame.iloc[:, j]):
                c.add(c.header_row, j, "", "the column has data but no header", "该列有数据但没有表头")
        elif kind is None and bad_unit is not None:
            fl = _FIELD_UNIT
            c.add(c.header_row, j, _show(h),
                  f"the unit '{bad_unit}' is not accepted; use "
                  + ", ".join(f"{_FIELD_LABEL[f][1]} ({fl[f][1]})" for f in FIELDS),
                  f"不接受单位“{bad_unit}”;请使用 " + "、".join(f"{_FIELD_LABEL[f][0]}({fl[f][0]})" for f in FIELDS))
        elif kind is None:
            acc_en = ", ".join(HEADERS[k][1] for k in HEADERS)
            acc_zh = "、".join(HEADERS[k][0] for k in HEADERS)
            c.add(c.header_row, j, _show(h),
                  f"'{_show(h)}' is not a recognised column; accepted: {acc_en} "
                  f"(or the Chinese headers, or the field ids {', '.join(FIELDS)})",
                  f"无法识别列名“{_show(h)}”;可用：{acc_zh}(或英文表头、字段代码 {', '.join(FIELDS)})")
        elif kind != "ignore":
            kinds.setdefault(kind, []).append(j)
    return kinds


def _columns(c: _Check) -> tuple[list[int], dict[str, int]]:
    """The sector/name columns and the field columns; stops with every header problem if the file
    cannot be read row by row (no sector column, no field column or no rows)."""
    kinds = _column_kinds(c)
    for js in kinds.values():
        for j in js[1:]:
            first = c.cname(js[0])
            c.add(c.header_row, j, _show(c.columns[j]), f"duplicate column: it repeats column {first}",
                  f"列重复：与 {first} 列相同")
    id_cols = [kinds[k][0] for k in ("sector", "name") if k in kinds]
    field_cols = {f: kinds[f][0] for f in FIELDS if f in kinds}
    if not id_cols:
        c.add(c.header_row, None, "",
              f"missing the sector column (header '{HEADERS['sector'][1]}' or "
              f"'{HEADERS['sector'][0]}', holding sector ids or names)",
              f"缺少行业列(表头“{HEADERS['sector'][0]}”或“{HEADERS['sector'][1]}”,填写行业代码或名称)")
    if not field_cols:
        c.add(c.header_row, None, "",
              "no data column: at least one of " + ", ".join(HEADERS[f][1] for f in FIELDS) + " is required",
              "没有数据列：至少需要 " + "、".join(HEADERS[f][0] for f in FIELDS) + " 之一")
    if c.frame.shape[0] == 0:
        c.add(None, None, "", "the file has no data rows", "文件没有数据行")
    if not id_cols or not field_cols or c.frame.shape[0] == 0:
        _raise(c.problems, c.filename)
    return id_cols, field_cols


def _row_numbers(c: _Check) -> list[int]:
    """Row numbers as a spreadsheet shows them: the index if named ``row``, else after the header."""
    if c.frame.index.name == "row":
        return [int(r) for r in c.frame.index]
    return list(range(c.header_row + 1, c.header_row + 1 + c.frame.shape[0]))


def _row_key(c: _Check, lookup: dict[str, str], rownum: int, cells: pd.Series, id_cols: list[int],
             field_cols: dict[str, int], seen: dict[str, int]) -> tuple[str, int] | None:
    """The sector (or cluster part) a row names and its column, or None (a problem, or no sector and no
    figures). The sector column, else the name column; both must agree when both resolve."""
    base = c.base
    keys: list[tuple[int, str | None, Any]] = []
    for j in id_cols:
        v = cells.iloc[j]
        if not _is_empty(v):
            keys.append((j, lookup.get(_norm(_show(v))), v))
    if not keys:
        if any(not _is_empty(cells.iloc[j]) for j in field_cols.values()):
            c.add(rownum, id_cols[0], "", "no sector given for this row", "该行未填写行业")
        return None
    j0, key, raw = keys[0]
    if key is None:
        ids = ", ".join(base.sector_ids + tuple(_cluster_key(p) for p in CLUSTER_UPLOAD_PARTS))
        c.add(rownum, j0, _show(raw),
              f"unknown sector '{_show(raw)}'; use a sector id ({ids}) or its Chinese or English name",
              f"未知行业“{_show(raw)}”;请使用行业代码({ids})或其中文、英文名称")
        return None
    other = [(j, k, v) for j, k, v in keys[1:] if k is not None and k != key]
    if other:
        j1, _k1, v1 = other[0]
        c.add(rownum, j1, _show(v1),
              f"'{_show(v1)}' names a different sector than '{_show(raw)}' in column {c.cname(j0)}",
              f"“{_show(v1)}”与 {c.cname(j0)} 列的“{_show(raw)}”不是同一行业")
        return None
    if key == _cluster_key("processing"):
        c.add(rownum, j0, _show(raw),
              f"'{_show(raw)}': the cluster's processing part equals the 2024 output of "
              f"sector '{base.cluster_sector}' and cannot be uploaded; supply that sector's output",
              f"“{_show(raw)}”:集群的加工制造部分等于行业“{base.cluster_sector}”的2024年产值，"
              "不能单独上传；请填写该行业的产值")
        return None
    if key in seen:
        c.add(rownum, j0, _show(raw),
              f"duplicate row: '{_show(raw)}' (sector '{key}') already appears in row {seen[key]}",
              f"重复行：“{_show(raw)}”(行业“{key}”)已出现在第 {seen[key]} 行")
        return None
    seen[key] = rownum
    return key, j0


def _row_figures(c: _Check, key: str, rownum: int, cells: pd.Series, field_cols: dict[str, int]) -> None:
    """Each filled figure cell of a row: a problem, unchanged (equal to the current value) or supplied."""
    base = c.base
    for fname, j in field_cols.items():
        v = cells.iloc[j]
        if _is_empty(v):
            continue
        if key.startswith(CLUSTER_PREFIX) and fname != "output_2024":
            c.add(rownum, j, _show(v),
                  f"'{_show(v)}': only the 2024 output (value) applies to a cluster part; leave this cell empty",
                  f"“{_show(v)}”:集群组成部分只填写2024年产值(数值);此单元格请留空")
            continue
        x = _parse_number(v, fname)
        if x is None:
            c.add(rownum, j, _show(v), f"'{_show(v)}' is not a number (leave the cell empty to keep the current value)",
                  f"“{_show(v)}”不是数字(留空表示沿用现值)")
            continue
        rule = _range_rule(base, key, fname, x)
        if rule is not None:
            c.add(rownum, j, _show(v), *rule)
            continue
        if c.keep_unchanged and _same(base, key, fname, x):
            c.unchanged.append((key, fname))
            continue
        c.supplied.append((key, fname, x))
        c.rows.append((key, fname, rownum))
        note = implausible(base, key, fname, x)
        if note is not None:
            w_en, w_zh = _where(rownum, _show(c.columns[j]), _col_letter(j))
            c.warnings.append((f"{w_en}: {note[0]}", f"{w_zh}：{note[1]}"))


def validate(base: Baseline, frame: pd.DataFrame, *, keep_unchanged: bool = True) -> OfficialData:
    """Check an upload (``read_upload``'s frame, or ``template_frame``-like) against the baseline.

    Every problem is collected: missing or unrecognised columns, rows without a sector, unknown
    sectors (ids, Chinese and English names are accepted), duplicate sectors, text in number cells,
    values outside their ranges, cells that do not apply (growth of a cluster part), and then the
    consistency of the merged baseline (``apply_official``'s rules). Empty cells keep the current
    value; with ``keep_unchanged`` (default) so does a value equal to the current one.

    Rows are numbered as a spreadsheet shows them (header = row 1): the frame's index if it is named
    ``row``, else position + 2.

    Raises
    ------
    OfficialDataError (a DataError)
        Listing the problems (row, column, value, rule) in English and Chinese.
    """
    c = _Check(base, frame, keep_unchanged)
    id_cols, field_cols = _columns(c)
    counted = [j for j in range(len(c.columns)) if _column_kind(c.columns[j])[0] != "ignore"]
    lookup = _sector_lookup(base)
    seen: dict[str, int] = {}
    for pos, rownum in enumerate(_row_numbers(c)):
        cells = frame.iloc[pos]
        if all(_is_empty(cells.iloc[j]) for j in counted):
            continue
        named = _row_key(c, lookup, rownum, cells, id_cols, field_cols, seen)
        if named is not None:
            _row_figures(c, named[0], rownum, cells, field_cols)
    c.stop_if_any()
    data = OfficialData(tuple(c.supplied), c.filename, tuple(c.rows), tuple(c.unchanged), tuple(c.warnings))
    _merge(base, data)  # consistency rules; raises with the same kind of message
    return data
