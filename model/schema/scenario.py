"""The scenario document: schema, bilingual validation errors, and mapping to the engine's inputs.

A scenario is the JSON document users save, load and share in URLs. Units are the ones people
read (percent per year, 亿元, firms per year). Every field is optional: ``{}`` is the trend
scenario, and a lever that is left out stays neutral relative to the chosen trend.

Example
-------
>>> {"assumptions": {"growth": 8.0},
...  "levers": {"investment": 15, "tech_upgrade": 55, "chain_extension": 30, "sme_upgrades": 40,
...             "projects": [{"name": "A", "sector": "equipment", "start_year": 2026,
...                           "output": 30, "ramp_years": 3, "investment": 25}]},
...  "sectors": {"stainless": {"growth": 9}},
...  "targets": {"doubling": {"year": 2028}}}  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal, Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from ..core.baseline import Baseline, GoalSpec
from ..core.engine import Projects, neutral_investment, param_names
from ..core.rows import ScenarioRows, lever_bounds
from ..errors import ScenarioError
from ..core.specs import (MAX_PROJECTS, PARAM_SPECS, PROJECT_INVESTMENT_MAX, PROJECT_OUTPUT_MAX,
                          PROJECT_RAMP_MAX, SCALAR_PARAMS, SECTOR_GROWTH_RANGE, SPEC_BY_NAME)

__all__ = ["Scenario", "Projects", "param_names", "parse_scenario", "scenario_params", "scenario_projects",
           "resolve_goals", "scenario_rows", "with_params", "lever_bounds", "neutral_values", "plan_window",
           "parse_stored"]

#: Latest year a project may start or a goal may target in the schema; the data horizon narrows it.
YEAR_MIN, YEAR_MAX = 2000, 2100


def _spec_fields(section: str) -> dict[str, Any]:
    """The schema fields of one section's parameters, from the registry (``core.specs``): a parameter
    whose neutral value comes from the data may be left out (None)."""
    return {s.name: (float | None if s.default is None else float,
                     Field(s.default, ge=s.lo, le=s.hi, strict=True,
                           description=f"{s.label_en}, {s.unit_en}; range {s.lo:g} to {s.hi:g}"))
            for s in PARAM_SPECS if s.section == section}


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Meta(_Doc):
    """Free text about a scenario; presets use it to say that their numbers are assumptions."""

    name: str = Field("", max_length=120)
    name_zh: str = Field("", max_length=120)
    name_en: str = Field("", max_length=120)
    description_zh: str = Field("", max_length=4000)
    description_en: str = Field("", max_length=4000)
    status: Literal["assumption", "official", "user"] = "user"


#: The world, not policy: one field per assumption of the registry.
Assumptions = create_model("Assumptions", __base__=_Doc, __doc__="The world, not policy.", **_spec_fields("assumptions"))


class Project(_Doc):
    """A key project: full annual output is reached after ``ramp_years`` (2024 prices, 亿元)."""

    name: str = Field(min_length=1, max_length=80)
    name_en: str = Field("", max_length=80, description="the name in English exports, when the name is Chinese")
    sector: str = Field(min_length=1, max_length=40)
    start_year: int = Field(ge=YEAR_MIN, le=YEAR_MAX, strict=True)
    output: float = Field(ge=0.0, le=PROJECT_OUTPUT_MAX, strict=True)
    ramp_years: int = Field(1, ge=1, le=PROJECT_RAMP_MAX, strict=True)
    investment: float = Field(0.0, ge=0.0, le=PROJECT_INVESTMENT_MAX, strict=True)
    note: str = Field("", max_length=500)
    note_zh: str = Field("", max_length=500, description="the note in Chinese exports, when the note is English")


class Plan(_Doc):
    """The years the levers describe (default: the region's plan, e.g. the three-year action 2025–2027).

    ``after``: ``trend`` — investment returns to its trend path over ``investment_fade`` years, the
    小升规 pace to the baseline (none extra), the 技改 share to today's, and chain extension keeps
    the share it reached; ``persist`` — every lever keeps acting to the end year.

    ``invest_in``: where the investment lever's extra spending goes: ``shares`` — every sector by
    today's investment shares (the default); ``advanced`` — the emerging and future sectors only
    (advanced manufacturing), in proportion to their own investment. Cuts below the trend always
    fall by today's shares.
    """

    start: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX, strict=True)
    end: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX, strict=True)
    after: Literal["trend", "persist"] = "trend"
    invest_in: Literal["shares", "advanced"] = "shares"


#: Policy levers: one field per lever of the registry, and the key projects.
Levers = create_model("Levers", __base__=_Doc, __doc__="Policy levers.", **_spec_fields("levers"),
                      projects=(tuple[Project, ...], Field((), max_length=MAX_PROJECTS)))


class SectorOverride(_Doc):
    growth: float | None = Field(None, ge=SECTOR_GROWTH_RANGE[0], le=SECTOR_GROWTH_RANGE[1], strict=True,
                                 description="the sector's own trend growth, %/yr, replacing the data value")


class TargetOverride(_Doc):
    threshold: float | None = Field(None, strict=True)
    year: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX, strict=True)


class Scenario(_Doc):
    """A complete scenario document. ``Scenario()`` is the trend scenario."""

    meta: Meta = Meta()
    plan: Plan = Plan()
    assumptions: Assumptions = Assumptions()
    levers: Levers = Levers()
    sectors: dict[str, SectorOverride] = Field(default_factory=dict, max_length=100)
    targets: dict[str, TargetOverride] = Field(default_factory=dict, max_length=20)

    def to_doc(self) -> dict[str, Any]:
        """The minimal JSON-ready document: fields at their defaults are left out."""
        return self.model_dump(mode="json", exclude_defaults=True)


# --------------------------------------------------------------------------- errors

_RANGES: dict[tuple[str, ...], tuple[float, float, str, str]] = {
    **{(s.section, s.name): (s.lo, s.hi, s.unit_en, s.unit_zh) for s in SPEC_BY_NAME.values()},
    ("projects", "start_year"): (YEAR_MIN, YEAR_MAX, "", ""),
    ("projects", "output"): (0.0, PROJECT_OUTPUT_MAX, "100m yuan", "亿元"),
    ("projects", "ramp_years"): (1, PROJECT_RAMP_MAX, "yr", "年"),
    ("projects", "investment"): (0.0, PROJECT_INVESTMENT_MAX, "100m yuan", "亿元"),
    ("sectors", "growth"): (*SECTOR_GROWTH_RANGE, "%/yr", "%/年"),
    ("targets", "year"): (YEAR_MIN, YEAR_MAX, "", ""),
    ("plan", "start"): (YEAR_MIN, YEAR_MAX, "", ""),
    ("plan", "end"): (YEAR_MIN, YEAR_MAX, "", ""),
}


def _range_text(lo: float, hi: float, unit_en: str, unit_zh: str) -> tuple[str, str]:
    return f"{lo:g} to {hi:g}{' ' + unit_en if unit_en else ''}", f"{lo:g} 至 {hi:g}{unit_zh}"


def _range_for(loc: tuple[Any, ...]) -> tuple[str, str] | None:
    strs = tuple(str(p) for p in loc if not isinstance(p, int))
    for key, rng in _RANGES.items():
        if strs[-len(key):] == key or (key[0] == "projects" and strs[-2:] == ("projects", key[1])):
            return _range_text(*rng)
        if key[0] in ("sectors", "targets") and len(strs) == 3 and strs[0] == key[0] and strs[2] == key[1]:
            return _range_text(*rng)
    return None


def _one_error(e: Mapping[str, Any]) -> tuple[str, str]:
    loc = tuple(e["loc"])
    path = ".".join(str(p) for p in loc) or "(document)"
    value = e.get("input")
    shown = repr(value) if not isinstance(value, (dict, list, tuple)) else type(value).__name__
    kind = e["type"]
    if kind == "extra_forbidden":
        return (f"unknown field '{path}'", f"未知字段 '{path}'")
    if kind == "missing":
        return (f"missing required field '{path}'", f"缺少必填字段 '{path}'")
    rng = _range_for(loc)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than") and rng:
        return (f"'{path}' = {shown} is out of range; allowed {rng[0]}",
                f"'{path}' = {shown} 超出范围；允许 {rng[1]}")
    if kind.endswith("_type") or kind.endswith("_parsing") or kind in ("finite_number",):
        want_en = {"int": "a whole number", "float": "a number", "string": "text", "dict": "an object",
                   "tuple": "a list", "list": "a list", "model": "an object"}
        want_zh = {"int": "整数", "float": "数字", "string": "文本", "dict": "对象", "tuple": "列表",
                   "list": "列表", "model": "对象"}
        base = kind.split("_")[0]
        extra_en = f" in {rng[0]}" if rng else ""
        extra_zh = f",范围 {rng[1]}" if rng else ""
        return (f"'{path}' = {shown} must be {want_en.get(base, 'of another type')}{extra_en}",
                f"'{path}' = {shown} 应为{want_zh.get(base, '其他类型')}{extra_zh}")
    if kind in ("too_long", "too_short", "string_too_long", "string_too_short"):
        return (f"'{path}' has the wrong length ({e['msg']})", f"'{path}' 长度不符({e['msg']})")
    if kind == "literal_error":
        return (f"'{path}' = {shown}: {e['msg']}", f"'{path}' = {shown}:取值无效({e['msg']})")
    return (f"'{path}' = {shown}: {e['msg']}", f"'{path}' = {shown}:{e['msg']}")


def _raise_first(errors: Sequence[tuple[str, str]], total: int | None = None) -> None:
    en, zh = errors[0]
    total = len(errors) if total is None else total
    if total > 1:
        en += f" (and {total - 1} more problem{'s' if total > 2 else ''})"
        zh += f"(另有 {total - 1} 处问题)"
    raise ScenarioError("Invalid scenario: " + en, "情景无效：" + zh)


# --------------------------------------------------------------------------- parsing

def parse_scenario(doc: Mapping[str, Any] | Scenario | None, base: Baseline) -> Scenario:
    """Validate a scenario document against the schema and the region's data.

    Parameters
    ----------
    doc : dict, Scenario or None
        The document (None and ``{}`` mean the trend scenario).
    base : Baseline
        The region, for sector ids, goal ids, the projection horizon and data-dependent bounds.

    Raises
    ------
    ScenarioError
        One error naming the field, the value and the allowed range, in English and Chinese.
    """
    if doc is None:
        doc = {}
    if isinstance(doc, Scenario):
        sc = doc
    else:
        if not isinstance(doc, Mapping):
            raise ScenarioError("Invalid scenario: a scenario must be a JSON object", "情景无效：情景必须是 JSON 对象")
        _check_sizes(doc)
        try:
            sc = Scenario.model_validate(dict(doc))
        except ValidationError as exc:
            # Only the first error is shown: format it alone, count the rest.
            _raise_first([_one_error(e) for e in exc.errors(include_url=False)[:1]], exc.error_count())
    _check_against_data(sc, base)
    return sc


#: Longest lists and objects of a document, checked on the raw input before any item is validated,
#: so that a document with a million items costs no more than one with sixty.
_SIZE_LIMITS = (
    (("levers", "projects"), MAX_PROJECTS),
    (("sectors",), 100),
    (("targets",), 20),
)


def _check_sizes(doc: Mapping[str, Any]) -> None:
    for path, limit in _SIZE_LIMITS:
        node: Any = doc
        for part in path:
            node = node.get(part) if isinstance(node, Mapping) else None
        if isinstance(node, (list, tuple, Mapping)) and len(node) > limit:
            where = ".".join(path)
            raise ScenarioError(f"Invalid scenario: '{where}' has {len(node):,} entries; at most {limit} are allowed",
                                f"情景无效：'{where}' 有 {len(node):,} 项，最多允许 {limit} 项")
    if len(doc) > 10:  # the schema has five sections
        raise ScenarioError(f"Invalid scenario: the document has {len(doc):,} fields; a scenario has at most five",
                            f"情景无效：文档有 {len(doc):,} 个字段，情景最多五个")


def _check_against_data(sc: Scenario, base: Baseline) -> None:
    errors: list[tuple[str, str]] = []
    ids = base.sector_ids
    first, last = base.base_year + 1, base.end_year
    for sid in sc.sectors:
        if sid not in ids:
            errors.append((f"unknown sector 'sectors.{sid}'; known: {', '.join(ids)}",
                           f"未知行业 'sectors.{sid}';可用：{', '.join(ids)}"))
    for k, p in enumerate(sc.levers.projects):
        if p.sector not in ids:
            errors.append((f"'levers.projects.{k}.sector' = '{p.sector}' is not a sector; known: {', '.join(ids)}",
                           f"'levers.projects.{k}.sector' = '{p.sector}' 不是已知行业；可用：{', '.join(ids)}"))
        if not first <= p.start_year <= last:
            errors.append((f"'levers.projects.{k}.start_year' = {p.start_year} is out of range; allowed {first} to {last}",
                           f"'levers.projects.{k}.start_year' = {p.start_year} 超出范围；允许 {first} 至 {last}"))
    start, end = plan_window(sc, base)
    if not first <= start <= last:
        errors.append((f"'plan.start' = {start} is out of range; allowed {first} to {last}",
                       f"'plan.start' = {start} 超出范围；允许 {first} 至 {last}"))
    elif not start <= end <= last:
        errors.append((f"'plan.end' = {end} is out of range; allowed {start} to {last}",
                       f"'plan.end' = {end} 超出范围；允许 {start} 至 {last}"))
    goals = base.goal_by_id
    for gid, t in sc.targets.items():
        if gid not in goals:
            errors.append((f"unknown goal 'targets.{gid}'; known: {', '.join(goals)}",
                           f"未知目标 'targets.{gid}';可用：{', '.join(goals)}"))
            continue
        g = goals[gid]
        if t.threshold is not None and not g.threshold_min <= t.threshold <= g.threshold_max:
            errors.append((f"'targets.{gid}.threshold' = {t.threshold:g} is out of range; allowed "
                           f"{g.threshold_min:g} to {g.threshold_max:g} {g.unit}",
                           f"'targets.{gid}.threshold' = {t.threshold:g} 超出范围；允许 "
                           f"{g.threshold_min:g} 至 {g.threshold_max:g} {g.unit}"))
        lo = max(first, g.start_year or first)
        if t.year is not None and not lo <= t.year <= last:
            errors.append((f"'targets.{gid}.year' = {t.year} is out of range; allowed {lo} to {last}",
                           f"'targets.{gid}.year' = {t.year} 超出范围；允许 {lo} 至 {last}"))
    lo_chain = lever_bounds(base)["chain_extension"][0]
    c = sc.levers.chain_extension
    if c is not None and c < lo_chain - 1e-9:
        hi = SPEC_BY_NAME["chain_extension"].hi
        errors.append((f"'levers.chain_extension' = {c:g} is out of range; allowed {lo_chain:.1f} to {hi:g} % "
                       f"(today's share is the floor)",
                       f"'levers.chain_extension' = {c:g} 超出范围；允许 {lo_chain:.1f} 至 {hi:g}%(现状比例为下限)"))
    if errors:
        _raise_first(errors)


# --------------------------------------------------------------------------- engine inputs

def neutral_values(base: Baseline, growth: float | None = None,
                   trend_pct: np.ndarray | None = None) -> dict[str, float]:
    """The value each scalar parameter takes when a scenario leaves it out.

    ``investment`` is the growth of total investment on the steady-state path for the chosen
    ``growth`` and sector trends (``engine.neutral_investment``), so it depends on both.
    """
    g = base.published_growth if growth is None else growth
    trends = base.trend_pct if trend_pct is None else trend_pct

    def neutral(rule: float | str) -> float:  # the registry's rule (``ParamSpec.neutral``)
        if not isinstance(rule, str):
            return rule
        if rule == "steady_state":
            return float(neutral_investment(base, trends, g))
        if rule.startswith("params."):
            return base.params[rule.removeprefix("params.")]
        return getattr(base, rule)

    return {s.name: neutral(s.neutral) for s in PARAM_SPECS}


def scenario_params(sc: Scenario, base: Baseline) -> np.ndarray:
    """One row of the parameter matrix, shape (D,), in the units of the document (%/yr, %, firms/yr)."""
    a, lv = sc.assumptions, sc.levers
    trends = np.array([sc.sectors[s].growth if s in sc.sectors and sc.sectors[s].growth is not None else t
                       for s, t in zip(base.sector_ids, base.trend_pct)], dtype=float)
    neutral = neutral_values(base, a.growth, trends)
    given = {n: getattr(a if SPEC_BY_NAME[n].section == "assumptions" else lv, n) for n in SCALAR_PARAMS}
    scalars = [neutral[n] if given[n] is None else float(given[n]) for n in SCALAR_PARAMS]
    start, end = plan_window(sc, base)
    plan = [float(start), float(end), 1.0 if sc.plan.after == "persist" else 0.0,
            1.0 if sc.plan.invest_in == "advanced" else 0.0]
    return np.concatenate([np.array(scalars + plan, dtype=float), trends])


def plan_window(sc: Scenario, base: Baseline) -> tuple[int, int]:
    """The scenario's first and last plan year (the region's plan where the scenario leaves them out)."""
    start = base.plan_start if sc.plan.start is None else sc.plan.start
    end = max(base.plan_end, start) if sc.plan.end is None else sc.plan.end
    return start, end


def scenario_projects(scenarios: Sequence[Scenario], base: Baseline) -> Projects:
    """Stack the project lists of N scenarios into padded (N, P) arrays."""
    n = len(scenarios)
    p = max((len(s.levers.projects) for s in scenarios), default=0)
    sector = np.zeros((n, p), dtype=np.intp)
    start = np.full((n, p), float(base.end_year + 1))
    output = np.zeros((n, p))
    ramp = np.ones((n, p))
    inv = np.zeros((n, p))
    idx = {sid: i for i, sid in enumerate(base.sector_ids)}
    for i, s in enumerate(scenarios):
        for k, pr in enumerate(s.levers.projects):
            sector[i, k] = idx[pr.sector]
            start[i, k] = pr.start_year
            output[i, k] = pr.output
            ramp[i, k] = pr.ramp_years
            inv[i, k] = pr.investment
    return Projects(sector=sector, start=start, output=output, ramp=ramp, investment=inv)


def scenario_rows(sc: Scenario, base: Baseline) -> ScenarioRows:
    """The scenario as the core's analyses take it: its parameter row, projects and goals."""
    return ScenarioRows(x=scenario_params(sc, base), projects=scenario_projects([sc], base),
                        goals=resolve_goals(sc, base), investment_follows_growth=sc.levers.investment is None)


def resolve_goals(sc: Scenario, base: Baseline) -> tuple[GoalSpec, ...]:
    """The region's goals with the scenario's threshold and year overrides applied."""
    out = []
    for g in base.goals:
        t = sc.targets.get(g.id)
        if t is not None:
            g = dataclasses.replace(g, threshold=g.threshold if t.threshold is None else float(t.threshold),
                                    target_year=g.target_year if t.year is None else int(t.year))
        out.append(g)
    return tuple(out)


def with_params(sc: Scenario, **values: float | None) -> Scenario:
    """A copy of ``sc`` with scalar parameters replaced (``None`` restores the neutral value)."""
    a = sc.assumptions.model_dump()
    lv = sc.levers.model_dump()
    for name, v in values.items():
        section = SPEC_BY_NAME[name].section
        (a if section == "assumptions" else lv)[name] = v
    return Scenario.model_validate({**sc.model_dump(), "assumptions": a, "levers": lv})


def parse_stored(doc: Any, base: Baseline) -> Scenario:
    """A stored document (preset, saved or shared scenario) as a validated scenario on this baseline.

    Official figures can raise today's chain-extension share above a stored value; today's share is
    the lever's floor (``lever_bounds``), so the stored value is lifted to it instead of rejected.
    """
    if not isinstance(doc, Mapping):
        raise ScenarioError("Invalid scenario: a scenario must be a JSON object", "情景无效：情景必须是 JSON 对象")
    floor = lever_bounds(base)["chain_extension"][0]
    levers = doc.get("levers")
    chain = levers.get("chain_extension") if isinstance(levers, Mapping) else None
    if isinstance(chain, (int, float)) and not isinstance(chain, bool) and chain < floor:
        doc = {**doc, "levers": {**levers, "chain_extension": floor}}
    return parse_scenario(doc, base)
