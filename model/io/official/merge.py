"""Merging validated figures into a new baseline, with the model's consistency rules."""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ...core.baseline import GROWTH_CHECK_TOLERANCE, Baseline, Figure, Source
from ...core.specs import SPEC_BY_NAME
from .common import CLUSTER_PREFIX, CLUSTER_UPLOAD_PARTS, FIELDS, TREND_RANGE, OfficialData, _cluster_key, _fmt, \
    _key_label, _range_rule, _residual_sectors
from .problems import Problem, _Problems, _raise

def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.flags.writeable = False
    return a


def _upload_source_id(base: Baseline) -> str:
    if "upload" not in base.sources:
        return "upload"
    n = 2
    while f"upload{n}" in base.sources:
        n += 1
    return f"upload{n}"


@dataclass
class _Merged:
    output: np.ndarray
    trend: np.ndarray
    va_pct: np.ndarray
    cluster: dict[str, float]
    residual: str | None  # sector whose derived trend was re-derived


def _place_figures(base: Baseline, data: OfficialData, problems: list[Problem]) -> tuple[_Merged, set[str]]:
    """The baseline's arrays with the supplied figures in place (each checked against its range), and
    the sectors whose trend was supplied."""
    ids = base.sector_ids
    m = _Merged(np.array(base.output0, dtype=float), np.array(base.trend_pct, dtype=float),
                np.array(base.va_rate, dtype=float) * 100.0, dict(base.cluster0), None)
    given_trend: set[str] = set()
    for key, fname, x in data.figures:
        if key.startswith(CLUSTER_PREFIX):
            part = key[len(CLUSTER_PREFIX):]
            if part not in CLUSTER_UPLOAD_PARTS or fname != "output_2024":
                problems.append(Problem(None, "", key, f"'{key}' / {fname} cannot be uploaded",
                                        f"“{key}”/{fname} 不能上传"))
                continue
        elif key not in ids:
            problems.append(Problem(None, "", key, f"unknown sector '{key}'", f"未知行业“{key}”"))
            continue
        rule = _range_rule(base, key, fname, x)
        if rule is not None:
            problems.append(Problem(data.row_of(key, fname), fname, _fmt(x), *rule))
            continue
        if key.startswith(CLUSTER_PREFIX):
            m.cluster[key[len(CLUSTER_PREFIX):]] = x
            continue
        i = ids.index(key)
        if fname == "output_2024":
            m.output[i] = x
        elif fname == "va_rate":
            m.va_pct[i] = x
        else:
            m.trend[i] = x
            given_trend.add(key)
    return m, given_trend


def _derive_residual(base: Baseline, m: _Merged, given_trend: set[str], problems: list[Problem]) -> None:
    """Keep the output-weighted trend equal to the published growth by re-deriving the residual
    sector's trend (a derived one not uploaded); a problem if it falls out of range or none is left."""
    ids = base.sector_ids
    output, trend = m.output, m.trend
    pub = base.published_growth
    dep = base.params["depreciation"]
    lo, hi = TREND_RANGE
    weighted = float(output @ trend / output.sum())
    if abs(weighted - pub) <= 1e-9:
        return
    candidates = [s for s in _residual_sectors(base) if s not in given_trend]
    if candidates:
        residual = candidates[0]
        m.residual = residual
        r = ids.index(residual)
        rest = float(np.delete(output, r) @ np.delete(trend, r))
        g = (pub * float(output.sum()) - rest) / float(output[r])
        if not (lo <= g <= hi and g > -dep):
            name_en, name_zh = _key_label(base, residual, "en"), _key_label(base, residual, "zh")
            problems.append(Problem(
                None, "", _fmt(g),
                f"with these figures the trend growth of '{residual}' ({name_en}), derived as the residual that "
                f"makes the output-weighted trend equal the published {pub:g} %/yr, would be {g:.2f} %/yr, "
                f"outside the allowed {max(lo, -dep):g} to {hi:g} %/yr; check the uploaded outputs and growth "
                f"rates or supply more sectors' growth",
                f"按这些数据，作为余量推算的“{residual}”({name_zh})趋势增速(使按产值加权的趋势增速等于公布的 "
                f"{pub:g}%/年)将为 {g:.2f}%/年，超出允许范围 {max(lo, -dep):g} 至 {hi:g}%/年；"
                "请核对上传的产值和增速，或补充更多行业的增速"))
        else:
            trend[r] = g
    elif abs(weighted - pub) > GROWTH_CHECK_TOLERANCE:
        problems.append(Problem(
            None, "", f"{weighted:.3f}",
            f"the output-weighted trend growth of the sectors is {weighted:.3f} %/yr but the published growth "
            f"is {pub:g} %/yr, and no sector's trend is left to derive as the residual (the derived one was "
            "uploaded); leave one sector's growth empty or correct the figures",
            f"各行业按产值加权的趋势增速为 {weighted:.3f}%/年，与公布的 {pub:g}%/年 不符，且没有可作为余量推算的"
            "行业增速(推算行业的增速已被上传);请留空一个行业的增速或更正数据"))


def _check_depreciation(base: Baseline, m: _Merged, problems: list[Problem]) -> None:
    """Every trend above −depreciation (uploaded ones were checked cell by cell; the residual above)."""
    dep = base.params["depreciation"]
    for i, sid in enumerate(base.sector_ids):
        if m.trend[i] <= -dep and sid != m.residual:
            problems.append(Problem(None, "", _fmt(m.trend[i]),
                                    f"trend growth of '{sid}' must be above −depreciation ({-dep:g} %/yr)",
                                    f"行业“{sid}”的趋势增速必须高于 −折旧率({-dep:g}%/年)"))


def _check_chain(base: Baseline, data: OfficialData, m: _Merged, problems: list[Problem]) -> None:
    """Today's chain-extension share (downstream / (multiplier × processing)) below the lever's maximum."""
    cluster = m.cluster
    chain_hi = SPEC_BY_NAME["chain_extension"].hi
    mult = base.params["chain_multiplier"]
    chain = 100.0 * cluster["downstream"] / (mult * cluster["processing"])
    if chain < chain_hi:
        return
    rows = [r for r in (data.row_of(base.cluster_sector, "output_2024"),
                        data.row_of(_cluster_key("downstream"), "output_2024")) if r is not None]
    at_en = f" (rows {', '.join(map(str, rows))})" if rows else ""
    at_zh = f"(第 {'、'.join(map(str, rows))} 行)" if rows else ""
    problems.append(Problem(
        None, "", _fmt(chain),
        f"downstream products ({_fmt(cluster['downstream'])}) / ({mult:g} × {base.cluster_sector} output "
        f"{_fmt(cluster['processing'])}) = {chain:.1f} %, today's chain-extension share, must stay below the "
        f"lever's maximum of {chain_hi:g} %{at_en}",
        f"下游制品({_fmt(cluster['downstream'])})/({mult:g} × {base.cluster_sector} 产值 "
        f"{_fmt(cluster['processing'])}) = {chain:.1f}%,即现状深加工比例，必须低于杠杆上限 {chain_hi:g}%{at_zh}"))


def _merge(base: Baseline, data: OfficialData) -> _Merged:
    """Merged arrays, with every consistency rule checked; raises OfficialDataError listing the problems."""
    problems: list[Problem] = _Problems()
    m, given_trend = _place_figures(base, data, problems)
    if problems:
        _raise(problems, data.filename)
    m.cluster["processing"] = float(m.output[base.cluster_index])  # the cluster sector's output
    _derive_residual(base, m, given_trend, problems)
    _check_depreciation(base, m, problems)
    _check_chain(base, data, m, problems)
    if problems:
        _raise(problems, data.filename)
    return m


def apply_official(base: Baseline, data: OfficialData, source_title: str | None = None, *,
                   accessed: str | None = None) -> Baseline:
    """A new Baseline with the uploaded figures (``base`` is not changed).

    Supplied figures replace the baseline's and become ``official`` with a new source (``upload``,
    or ``upload2``… if the baseline already has one) titled ``source_title`` (default: from the file
    name) and dated ``accessed`` (default: today). The cluster's processing part follows the cluster
    sector's output (status ``derived``); the derived trend sector is re-derived as the residual when
    the output-weighted trend would otherwise differ from the published growth.

    Raises
    ------
    OfficialDataError (a DataError)
        If the figures are out of range or break a consistency rule (see ``validate``).
    """
    return _replace(base, data, _merge(base, data), source_title, accessed)


def _replace(base: Baseline, data: OfficialData, m: _Merged, source_title: str | None,
             accessed: str | None) -> Baseline:
    sources = dict(base.sources)
    src = None
    if data.figures:
        src = _upload_source_id(base)
        fname = data.filename or "upload"
        title = source_title or f"上传的官方数据：{fname} (official figures uploaded from {fname})"
        sources[src] = Source(src, title, "用户上传 (user upload)", "",
                              accessed or _dt.date.today().isoformat())
    supplied = {(k, f) for k, f, _ in data.figures}
    ids = base.sector_ids
    figures: list[Figure] = []
    for fig in base.figures:
        if fig.table == "sector_parameters" and fig.parameter in FIELDS and fig.key in ids:
            i = ids.index(fig.key)
            value = {"output_2024": m.output[i], "va_rate": m.va_pct[i], "trend_growth": m.trend[i]}[fig.parameter]
            if (fig.key, fig.parameter) in supplied:
                fig = dataclasses.replace(fig, value=float(value), source=src, status="official",
                                          note=f"official figure uploaded from {data.filename or 'a file'} "
                                               f"(replaces {fig.status} {_fmt(fig.value)})")
            elif fig.key == m.residual and fig.parameter == "trend_growth":
                fig = dataclasses.replace(fig, value=float(value),
                                          note=f"residual: re-derived ({_fmt(fig.value)} → {float(value):.4f}) so "
                                               f"that the output-weighted trend of all sectors equals the published "
                                               f"{base.published_growth:g} % after the upload")
        elif fig.table == "cluster" and fig.key in m.cluster:
            key = _cluster_key(fig.key)
            if (key, "output_2024") in supplied:
                fig = dataclasses.replace(fig, value=float(m.cluster[fig.key]), source=src, status="official",
                                          note=f"official figure uploaded from {data.filename or 'a file'} "
                                               f"(replaces {fig.status} {_fmt(fig.value)})")
            elif fig.key == "processing" and fig.value != m.cluster["processing"]:
                fig = dataclasses.replace(fig, value=float(m.cluster["processing"]), status="derived")
        figures.append(fig)
    return dataclasses.replace(
        base,
        output0=_frozen(m.output),
        trend_pct=_frozen(m.trend),
        va_rate=_frozen(m.va_pct / 100.0),
        cluster0=MappingProxyType(dict(m.cluster)),
        sources=MappingProxyType(sources),
        figures=tuple(figures),
    )


def merge_uploads(base: Baseline, earlier: OfficialData | None, data: OfficialData) -> OfficialData:
    """A later upload added to the figures of an earlier one (None: there is none); a figure in both
    takes the later value. The combination is checked as one upload (``apply_official``'s rules).

    Raises
    ------
    OfficialDataError (a DataError)
        The combined figures break a consistency rule.
    """
    if earlier is None:
        return data
    new = {(k, f) for k, f, _ in data.figures}
    merged = OfficialData(figures=tuple(x for x in earlier.figures if (x[0], x[1]) not in new) + data.figures,
                          filename=f"{earlier.filename} + {data.filename}")
    _merge(base, merged)
    return merged
