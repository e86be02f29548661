"""The page's chart templates and their data, without Streamlit: shared by the page and the reports.

Each chart is a *template* — a Vega-Lite spec whose data are named datasets, depending only on the
language and display switches, built once and cached — plus the scenario's *frames* (small
DataFrames), supplied as the spec's ``datasets``. Moving a slider changes only the frames, so the
server does no Altair work and the browser receives the same spec with new data. The page
(``ui/charts.py``) sends the frames as Arrow; the Word/PDF report (``model.reports.document``) renders
the same specs offline with the frames inline, so a printed chart is the chart on the page.
"""

from __future__ import annotations

import functools

import altair as alt
import numpy as np
import pandas as pd

from i18n import Translator

from ..core.baseline import Baseline, GoalSpec
from ..core.engine import GAIN_PARTS
from ..io.monitor import chart_points
from ..schema.feasibility import FeasibilitySummary
from ..schema.results import COMPONENTS, ScenarioResults

#: Font stack with CJK faces first, so Chinese labels never fall back to boxes.
FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
SCENARIO = "#1f5fa8"
BASELINE = "#7f7f7f"
GOAL = "#c0392b"
HEIGHT = 300
#: Advanced sectors in blues and greens, traditional ones in warm colours.
ADVANCED_COLORS = ("#1f5fa8", "#3a8fd6", "#6fb7e8", "#2e9c6a", "#7dc59a", "#a7d8c9")
TRADITIONAL_COLORS = ("#c8553d", "#e38b4f", "#f2b134", "#a0785a", "#d9a88f", "#8c6d62")
PART_COLORS = ("#1f5fa8", "#9ecae1", "#2e9c6a")
PARTS = ("processing", "trade", "downstream")
COMPONENT_COLORS = ("#9e9e9e", "#1f5fa8", "#2e9c6a", "#e38b4f", "#f2b134", "#8e5ea2")
#: What the scenario's gain is made of: new capacity, price, reclassification (hatched tones).
GAIN_COLORS = ("#37474f", "#b0bec5", "#f8d77f")

#: Shared look, added to each spec as plain data (Altair's configure_* calls copy the whole chart).
CONFIG = {
    "font": FONT,
    "axis": {"labelFontSize": 12, "titleFontSize": 12},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 220},
    "view": {"strokeWidth": 0},
    # Streamlit's theme gives every mark a tooltip of its raw encoding ("value", "label", unrounded
    # bands); only the layers that name their tooltip fields (titled, formatted) show one.
    "mark": {"tooltip": False},
}


def for_projector(spec: dict) -> dict:
    """A copy of a spec with larger type and plot for presentation mode."""
    big = {**CONFIG, "axis": {"labelFontSize": 17, "titleFontSize": 17},
           "legend": {"labelFontSize": 17, "titleFontSize": 17, "labelLimit": 320}, "text": {"fontSize": 15}}
    return {**spec, "config": big, "height": int(spec.get("height", HEIGHT) * 1.3)}


def _data(name: str) -> alt.Data:
    return alt.Data(name=name)


def spec_of(chart: alt.TopLevelMixin, height: int = HEIGHT) -> dict:
    """A chart as a Vega-Lite spec with the shared size and look (no schema check: encodings are fixed in code)."""
    spec = chart.to_dict(validate=False)
    spec.update(height=height, width="container", config=CONFIG)
    return spec


def _runs(t: Translator) -> tuple[str, str]:
    return t("run.scenario"), t("run.baseline")


#: Legend of the scenario / baseline runs: dashes shown as strokes, above the plot.
RUN_LEGEND = alt.Legend(orient="top", symbolType="stroke")


def _run_encoding(t: Translator, legend: alt.Legend | None = RUN_LEGEND) -> dict:
    scen, basel = _runs(t)
    return {
        "color": alt.Color("run:N", title=t("legend.run"), legend=legend,
                           scale=alt.Scale(domain=[scen, basel], range=[SCENARIO, BASELINE])),
        "strokeDash": alt.StrokeDash("run:N", title=t("legend.run"), legend=legend,
                                     scale=alt.Scale(domain=[scen, basel], range=[[1, 0], [6, 4]])),
    }


def _year_axis(t: Translator) -> alt.X:
    return alt.X("year:Q", title=t("axis.year"), axis=alt.Axis(format="d", tickMinStep=1),
                 scale=alt.Scale(nice=False))


def _tooltip(t: Translator, field: str, title_key: str, fmt: str = ",.1f", series: str = "run",
             series_key: str = "legend.run") -> list[alt.Tooltip]:
    return [alt.Tooltip(f"{series}:N", title=t(series_key)), alt.Tooltip("year:Q", title=t("tooltip.year"), format="d"),
            alt.Tooltip(f"{field}:Q", title=t(title_key), format=fmt)]


def _target_rule() -> alt.LayerChart:
    """Vertical goal-year rule, labelled at the bottom (clear of goal lines); data ``target``: year, label."""
    rule = alt.Chart(_data("target")).mark_rule(color=GOAL, strokeDash=[2, 2]).encode(x="year:Q")
    # Placed by the plot's own height signal: a fixed pixel value would grow the fitted chart.
    text = alt.Chart(_data("target")).mark_text(align="left", dx=4, dy=-4, baseline="bottom", color=GOAL,
                                                fontSize=11).encode(x="year:Q", y=alt.value({"expr": "height"}),
                                                                    text="label:N")
    return rule + text


def _level_rule() -> alt.LayerChart:
    """Horizontal goal line; data ``goal``: value, label."""
    rule = alt.Chart(_data("goal")).mark_rule(color=GOAL, strokeDash=[6, 3]).encode(y="value:Q")
    text = alt.Chart(_data("goal")).mark_text(align="left", x=4, dy=-6, color=GOAL, fontSize=11).encode(
        y="value:Q", text="label:N")
    return rule + text


# --------------------------------------------------------------------------- templates (cached)

@functools.lru_cache(maxsize=64)
def template(name: str, lang: str, shares: bool, sectors: tuple[tuple[str, bool], ...], bars: tuple[str, ...]
             ) -> dict | tuple[dict, dict]:
    """The spec of chart ``name`` without data (see the module docstring).

    ``sectors``: (display name, advanced?) in stacking order; ``bars``: the contribution chart's bar labels.
    """
    t = Translator(lang)
    enc = _run_encoding(t)
    if name == "total":
        lines = alt.Chart(_data("runs")).mark_line(point=True, strokeWidth=2.5).encode(
            x=_year_axis(t), y=alt.Y("value:Q", title=t("axis.output"), scale=alt.Scale(zero=True)),
            color=enc["color"], strokeDash=enc["strokeDash"], tooltip=_tooltip(t, "value", "axis.output"))
        return spec_of(lines + _level_rule() + _target_rule())
    if name == "sectors":
        names = [n for n, _ in sectors]
        adv = [n for n, a in sectors if a]
        trad = [n for n, a in sectors if not a]
        colors = ([ADVANCED_COLORS[i % len(ADVANCED_COLORS)] for i in range(len(adv))]
                  + [TRADITIONAL_COLORS[i % len(TRADITIONAL_COLORS)] for i in range(len(trad))])
        field, fmt = ("share", "%") if shares else ("value", ",.0f")
        area = alt.Chart(_data("sectors")).mark_area(opacity=0.9).encode(
            x=_year_axis(t),
            y=alt.Y(f"{field}:Q", title=t("axis.share") if shares else t("axis.output"), stack="zero",
                    axis=alt.Axis(format=fmt)),
            color=alt.Color("sector:N", title=t("legend.sector"), scale=alt.Scale(domain=names, range=colors),
                            legend=alt.Legend(orient="right", labelLimit=150, labelFontSize=11, symbolSize=60)),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("sector:N", title=t("legend.sector")), alt.Tooltip("year:Q", title=t("tooltip.year"), format="d"),
                     alt.Tooltip("value:Q", title=t("axis.output"), format=",.1f"),
                     alt.Tooltip("share:Q", title=t("axis.share"), format=".1%")])
        if shares:
            overlay = alt.Chart(_data("runs")).mark_line(strokeWidth=2.5, color="black").encode(
                x="year:Q", y="value:Q", strokeDash=enc["strokeDash"],
                tooltip=[alt.Tooltip("run:N", title=t("advanced_share")), alt.Tooltip("year:Q", title=t("tooltip.year"), format="d"),
                         alt.Tooltip("value:Q", title=t("axis.share"), format=".1%")])
            return spec_of(area + overlay + _level_rule())
        overlay = alt.Chart(_data("runs")).mark_line(color=BASELINE, strokeDash=[6, 4], strokeWidth=2.5).encode(
            x="year:Q", y="value:Q", tooltip=_tooltip(t, "value", "axis.output"))
        return spec_of(area + overlay)
    if name == "cluster":
        names = [t(f"part.{p}") for p in PARTS]
        area = alt.Chart(_data("parts")).mark_area(opacity=0.9).encode(
            x=_year_axis(t), y=alt.Y("value:Q", title=t("axis.output"), stack="zero"),
            color=alt.Color("part:N", title=t("legend.part"), scale=alt.Scale(domain=names, range=list(PART_COLORS)),
                            legend=alt.Legend(orient="top")),
            order=alt.Order("order:Q"), tooltip=_tooltip(t, "value", "axis.output", series="part", series_key="legend.part"))
        line = alt.Chart(_data("runs")).mark_line(color=BASELINE, strokeDash=[6, 4], strokeWidth=2.5).encode(
            x="year:Q", y="value:Q", tooltip=_tooltip(t, "value", "axis.output"))
        return spec_of(area + line + _level_rule() + _target_rule())
    if name == "contrib":
        comps = [t(f"comp.{c}") for c in COMPONENTS] + [t(f"gain.{g}") for g in GAIN_PARTS]
        bar_enc = alt.Y("bar:N", title=None, sort=list(bars), axis=alt.Axis(labelLimit=200, labelOverlap=False))
        stacked = alt.Chart(_data("parts")).mark_bar().encode(
            y=bar_enc, x=alt.X("value:Q", title=t("axis.contribution"), stack="zero"),
            color=alt.Color("component:N", title=t("legend.component"),
                            scale=alt.Scale(domain=comps, range=list(COMPONENT_COLORS + GAIN_COLORS)),
                            legend=alt.Legend(orient="bottom", columns=2, labelLimit=180, symbolLimit=0)),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("bar:N", title=t("legend.run")), alt.Tooltip("component:N", title=t("legend.component")),
                     alt.Tooltip("value:Q", title=t("axis.contribution"), format=",.1f"),
                     alt.Tooltip("per_va:Q", title=t("tooltip.per_va"), format=".1f")])
        text = alt.Chart(_data("totals")).mark_text(align="left", dx=4, fontSize=11).encode(
            y=alt.Y("bar:N", sort=list(bars)), x="value:Q",
            text=alt.Text("value:Q", format=",.0f" if lang == "zh" else ",.1f"))
        zero = alt.Chart(_data("zero")).mark_rule(color="#444").encode(x="x:Q")
        room = alt.Chart(_data("totals")).mark_point(opacity=0).encode(y=alt.Y("bar:N", sort=list(bars)), x="pad:Q")
        return spec_of(stacked + text + zero + room)
    if name == "va":
        shown = _run_encoding(t, alt.Legend(orient="top", direction="vertical", symbolType="stroke"))
        hidden = shown  # the same legend on both panels keeps their plots the same height
        va_axes = alt.Chart(_data("va")).encode(x=_year_axis(t))
        va = va_axes.mark_line(point=True, strokeWidth=2.5).encode(
            y=alt.Y("va:Q", title=t("axis.va")), color=shown["color"], strokeDash=shown["strokeDash"],
            tooltip=_tooltip(t, "va", "axis.va"))
        rate = va_axes.mark_line(point=True, strokeWidth=2.5).encode(
            y=alt.Y("rate:Q", title=t("axis.va_rate"), scale=alt.Scale(zero=False)),
            color=hidden["color"], strokeDash=hidden["strokeDash"], tooltip=_tooltip(t, "rate", "axis.va_rate", ".2f"))
        return spec_of(va, height=HEIGHT - 30), spec_of(rate, height=HEIGHT - 30)
    if name in ("fan_total", "fan_cluster"):
        return _fan_template(t)
    if name in FEASIBILITY_CHARTS:
        return _feasibility_template(t, name)
    if name == "invest":
        bars_ = alt.Chart(_data("scenario")).mark_bar(opacity=0.85, size=18).encode(
            x=_year_axis(t), y=alt.Y("value:Q", title=t("axis.investment")), color=enc["color"],
            tooltip=_tooltip(t, "value", "axis.investment"))
        line = alt.Chart(_data("runs")).mark_line(point=True, strokeWidth=2.5).encode(
            x="year:Q", y="value:Q", color=enc["color"], strokeDash=enc["strokeDash"],
            tooltip=_tooltip(t, "value", "axis.investment"))
        return spec_of(bars_ + line)
    raise ValueError(f"unknown chart {name!r}")


def _fan_template(t: Translator) -> dict:
    """Fan chart: p5–p95 and p25–p75 bands around the median, the trend baseline, the goal and its year."""
    band = alt.Chart(_data("bands"))
    outer = band.mark_area(opacity=0.25, color=SCENARIO).encode(
        x=_year_axis(t), y=alt.Y("p5:Q", title=t("axis.output")), y2="p95:Q",
        tooltip=[alt.Tooltip("year:Q", title=t("tooltip.year"), format="d"), alt.Tooltip("p5:Q", title=t("fan.p5"), format=",.1f"),
                 alt.Tooltip("p25:Q", title=t("fan.p25"), format=",.1f"), alt.Tooltip("p50:Q", title=t("fan.median"), format=",.1f"),
                 alt.Tooltip("p75:Q", title=t("fan.p75"), format=",.1f"), alt.Tooltip("p95:Q", title=t("fan.p95"), format=",.1f")])
    inner = band.mark_area(opacity=0.35, color=SCENARIO).encode(x="year:Q", y="p25:Q", y2="p75:Q")
    enc = _run_encoding(t)
    lines = alt.Chart(_data("runs")).mark_line(strokeWidth=2.5).encode(
        x="year:Q", y="value:Q", color=enc["color"], strokeDash=enc["strokeDash"],
        tooltip=_tooltip(t, "value", "axis.output"))
    actual = alt.Chart(_data("actuals")).mark_point(shape="diamond", size=110, filled=True, color=GOAL,
                                                    stroke="white").encode(
        x="year:Q", y="value:Q", tooltip=[alt.Tooltip("label:N", title=t("monitor.col.period")),
                                          alt.Tooltip("value:Q", title=t("monitor.annualised"), format=",.1f")])
    return spec_of(outer + inner + lines + _level_rule() + _target_rule() + actual)


#: Charts of the feasibility summary (issue 19): the fiscal balance, energy use against its ceiling.
FEASIBILITY_CHARTS = ("fiscal", "energy")
#: Colours of the feasibility charts' series: the scenario's figure, its limit, the levers' part.
FEAS_COLORS = (SCENARIO, GOAL, "#e38b4f")


def _feasibility_template(t: Translator, name: str) -> dict:
    """Fiscal: annual balance (bars), cumulative balance (line) in its p5–p95 / p25–p75 fan, the fiscal
    room (the largest net outlay the district can carry) and the payback year. Energy: use (line) in its
    fan, the ceiling where there is a sourced one, and the extra energy the levers need (bars).

    Datasets: ``bands`` (year, p5 … p95), ``bars``, ``lines`` and ``limits`` (year, series, value), ``target``
    (year, label; empty without a payback year)."""
    keys = ("annual", "cumulative", "room") if name == "fiscal" else ("extra", "use", "ceiling")
    # each key's colour: the levers' part, the scenario's figure, its limit
    color = alt.Color("series:N", title=None, legend=alt.Legend(orient="top", labelLimit=260),
                      scale=alt.Scale(domain=[t(f"feas.chart.{name}.{k}") for k in keys],
                                      range=[FEAS_COLORS[2], FEAS_COLORS[0], FEAS_COLORS[1]]))
    axis = t(f"feas.axis.{name}")
    fmt = ",.2f" if name == "fiscal" else ",.1f"
    tip = [alt.Tooltip("series:N", title=t("legend.run")), alt.Tooltip("year:Q", title=t("tooltip.year"), format="d"),
           alt.Tooltip("value:Q", title=axis, format=fmt)]
    band = alt.Chart(_data("bands"))
    outer = band.mark_area(opacity=0.18, color=SCENARIO).encode(
        x=_year_axis(t), y=alt.Y("p5:Q", title=axis), y2="p95:Q",
        tooltip=[alt.Tooltip("year:Q", title=t("tooltip.year"), format="d"), alt.Tooltip("p5:Q", title=t("fan.p5"), format=fmt),
                 alt.Tooltip("p50:Q", title=t("fan.median"), format=fmt), alt.Tooltip("p95:Q", title=t("fan.p95"), format=fmt)])
    inner = band.mark_area(opacity=0.3, color=SCENARIO).encode(x="year:Q", y="p25:Q", y2="p75:Q")
    bars = alt.Chart(_data("bars")).mark_bar(opacity=0.8, size=14).encode(
        x="year:Q", y=alt.Y("value:Q", title=axis), color=color, tooltip=tip)
    lines = alt.Chart(_data("lines")).mark_line(point=True, strokeWidth=2.5).encode(
        x="year:Q", y="value:Q", color=color, tooltip=tip)
    limits = alt.Chart(_data("limits")).mark_line(strokeWidth=2, strokeDash=[6, 3]).encode(
        x="year:Q", y="value:Q", color=color, tooltip=tip)
    zero = alt.Chart(_data("zero")).mark_rule(color="#444").encode(y="y:Q")
    # the payback year, labelled left of its rule (it is often one of the last years)
    rule = alt.Chart(_data("target")).mark_rule(color=GOAL, strokeDash=[2, 2]).encode(x="year:Q")
    label = alt.Chart(_data("target")).mark_text(align="right", dx=-4, dy=-4, baseline="bottom", color=GOAL,
                                                 fontSize=11).encode(x="year:Q", y=alt.value({"expr": "height"}),
                                                                     text="label:N")
    return spec_of(outer + inner + bars + zero + limits + lines + rule + label)


def feasibility_frames(name: str, s: FeasibilitySummary | None, t: Translator) -> dict[str, pd.DataFrame]:
    """Datasets of a feasibility chart (money in the page's unit; energy in 万 tce, as the model gives it)."""
    empty_bands = pd.DataFrame({"year": [], **{f"p{q}": [] for q in (5, 25, 50, 75, 95)}})
    empty = {"bands": empty_bands, "bars": pd.DataFrame({"year": [], "series": [], "value": []}),
             "lines": pd.DataFrame({"year": [], "series": [], "value": []}),
             "limits": pd.DataFrame({"year": [], "series": [], "value": []}),
             "target": pd.DataFrame({"year": [], "label": []}), "zero": pd.DataFrame({"y": [0.0]})}
    if s is None:  # the region has no feasibility data
        return empty
    years = s.years
    c = s.central
    if name == "fiscal":
        f = t.money_factor
        q, bar, line = s.bands.get("cumulative"), c["balance"] * f, c["cumulative"] * f
        room = s.constraint("fiscal_balance").limit
        label = lambda k: t(f"feas.chart.fiscal.{k}")  # noqa: E731
        lines = pd.DataFrame({"year": years, "series": label("cumulative"), "value": line})
        limits = pd.DataFrame({"year": years, "series": label("room"), "value": room * f})
        target = (pd.DataFrame({"year": [int(s.payback)], "label": [t("feas.payback.year", year=int(s.payback))]})
                  if np.isfinite(s.payback) else empty["target"])
        bars = pd.DataFrame({"year": years[1:], "series": label("annual"), "value": bar[1:]})
    else:
        f = 1.0 if t.lang == "zh" else 10.0                                   # 万 tce → kt tce in English
        q, label = s.bands.get("energy"), (lambda k: t(f"feas.chart.energy.{k}"))  # noqa: E731
        lines = pd.DataFrame({"year": years, "series": label("use"), "value": c["energy"] * f})
        limits = pd.DataFrame({"year": years, "series": label("ceiling"), "value": c["energy_limit"] * f})
        bars = pd.DataFrame({"year": years[1:], "series": label("extra"), "value": c["energy_extra"][1:] * f})
        target = empty["target"]
    bands = (pd.DataFrame({"year": years, **{f"p{p}": q[k] * f for k, p in enumerate((5, 25, 50, 75, 95))}})
             if q is not None else empty_bands)
    # a limit that is not sourced (NaN) is not drawn
    return {"bands": bands, "bars": bars, "lines": lines, "limits": limits.dropna(subset=["value"]),
            "target": target, "zero": empty["zero"]}


# --------------------------------------------------------------------------- frames (per scenario)

def _deflator(res: ScenarioResults, real: bool) -> np.ndarray:
    return res.price if real else np.ones_like(res.price)


def _runs_frame(t: Translator, values: tuple[np.ndarray, np.ndarray], years: np.ndarray) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"year": years, "run": label, "value": v})
                      for label, v in zip(_runs(t), values)], ignore_index=True)


def _goal(value: float, label: str) -> pd.DataFrame:
    return pd.DataFrame({"value": [value], "label": [label]})


def _target(goal: GoalSpec, t: Translator) -> pd.DataFrame:
    return pd.DataFrame({"year": [goal.target_year], "label": [t("target_year", year=goal.target_year)]})


def sector_order(base: Baseline, t: Translator) -> tuple[tuple[str, bool], ...]:
    """Sectors in stacking order (advanced first, at the bottom): (display name, advanced?)."""
    order = sorted(range(len(base.sectors)), key=lambda i: (not base.advanced_mask[i], i))
    return tuple((base.sectors[i].name(t.lang), bool(base.advanced_mask[i])) for i in order)


def contribution_bars(t: Translator, years: tuple[int, ...]) -> tuple[str, ...]:
    """Bar labels: per year the scenario, the baseline and what the scenario's gain is made of."""
    return tuple(b for y in years for b in (*(f"{y} · {label}" for label in _runs(t)), t("gain.bar", year=y)))


def frames(name: str, res: ScenarioResults, trend_res: ScenarioResults, base: Baseline, t: Translator, real: bool, shares: bool
           ) -> dict[str, pd.DataFrame]:
    """The datasets of chart ``name`` for a scenario (money in the page's unit)."""
    f = t.money_factor
    goals = {g.id: g for g in res.goals.goals}
    years = res.years
    if name == "total":
        totals = tuple((r.output / _deflator(r, real)).sum(axis=0) * f for r in (res, trend_res))
        g = goals["doubling"]
        doubling = g.threshold * res.output[:, 0].sum()
        return {"runs": _runs_frame(t, totals, years),
                "goal": _goal(doubling * f, t("doubling_line", value=t.money(doubling))), "target": _target(g, t)}
    if name == "sectors":
        values = res.output / _deflator(res, real) * f
        share = values / values.sum(axis=0)
        order = sorted(range(len(base.sectors)), key=lambda i: (not base.advanced_mask[i], i))
        sectors = pd.concat([pd.DataFrame({"year": years, "sector": base.sectors[i].name(t.lang), "order": rank,
                                           "value": values[i], "share": share[i]})
                             for rank, i in enumerate(order)], ignore_index=True)
        if shares:
            adv = base.advanced_mask
            lines = tuple(r.output[adv].sum(axis=0) / r.output.sum(axis=0) for r in (res, trend_res))
            g = goals["advanced_share_2035"]
            return {"sectors": sectors, "runs": _runs_frame(t, lines, years),
                    "goal": _goal(g.threshold / 100, t("share_goal_line", value=t.pct(g.threshold, 0)))}
        btot = (trend_res.output / _deflator(trend_res, real)).sum(axis=0) * f
        return {"sectors": sectors, "runs": pd.DataFrame({"year": years, "run": t("run.baseline"), "value": btot})}
    if name == "cluster":
        g = goals["stainless_cluster"]
        defl = (res.cluster_price if real else np.ones_like(res.cluster_price)) / f
        parts = pd.concat([pd.DataFrame({"year": years, "part": t(f"part.{p}"), "order": k, "value": res.cluster[k] / defl})
                           for k, p in enumerate(PARTS)], ignore_index=True)
        bdefl = (trend_res.cluster_price if real else np.ones_like(trend_res.cluster_price)) / f
        runs = pd.DataFrame({"year": years, "run": t("run.baseline"), "value": trend_res.cluster.sum(axis=0) / bdefl})
        return {"parts": parts, "runs": runs,
                "goal": _goal(g.threshold * f, t("cluster_goal_line", value=t.money(g.threshold))), "target": _target(g, t)}
    if name == "contrib":
        yrs = (goals["doubling"].target_year, base.end_year)
        rows = []
        for label, r in zip(_runs(t), (res, trend_res)):
            for y in yrs:
                k = int(np.searchsorted(r.years, y))
                for c, comp in enumerate(COMPONENTS):
                    per_va = float(r.invest_per_va[c, k])
                    rows.append({"bar": f"{y} · {label}", "component": t(f"comp.{comp}"), "order": c,
                                 "value": float(r.contributions[c, k]) * f,
                                 "per_va": per_va if np.isfinite(per_va) and comp != "sme_upgrades" else None})
        for y in yrs:
            k = int(np.searchsorted(res.years, y))
            for c, part in enumerate(GAIN_PARTS):
                rows.append({"bar": t("gain.bar", year=y), "component": t(f"gain.{part}"), "order": c,
                             "value": float(res.gains[k, c]) * f, "per_va": None})
        parts = pd.DataFrame(rows)
        totals = parts.groupby("bar", as_index=False, sort=False)["value"].sum()
        totals["pad"] = totals["value"] + 0.18 * parts["value"].clip(lower=0).groupby(parts["bar"]).sum().max()
        return {"parts": parts, "totals": totals,
                "zero": pd.DataFrame({"x": [0.0]})}
    if name == "va":
        rows = []
        for label, r in zip(_runs(t), (res, trend_res)):
            rows.append(pd.DataFrame({"year": years, "run": label,
                                      "va": (r.value_added / _deflator(r, real)).sum(axis=0) * f,
                                      "rate": 100 * r.value_added.sum(axis=0) / r.output.sum(axis=0)}))
        return {"va": pd.concat(rows, ignore_index=True)}
    if name == "invest":
        return {"scenario": pd.DataFrame({"year": years[1:], "run": t("run.scenario"), "value": res.investment[1:] * f}),
                "runs": pd.DataFrame({"year": years[1:], "run": t("run.baseline"), "value": trend_res.investment[1:] * f})}
    raise ValueError(f"unknown chart {name!r}")


def fan_frames(name: str, ens, res: ScenarioResults, trend_res: ScenarioResults, t: Translator, actuals_json: str = "",
               real: bool = False) -> dict[str, pd.DataFrame]:
    """Datasets of a fan chart: the ensemble's bands, its median, the trend baseline, the goal, actuals.

    With ``real`` the bands, the median and the trend are at 2024 prices (as on the other charts), and
    the actual figures are deflated by the scenario's own price index of their year.
    """
    f = t.money_factor
    goals = {g.id: g for g in res.goals.goals}
    if name == "fan_total":
        q, g = (ens.total_real if real else ens.total), goals["doubling"]
        trend_line = (trend_res.output / _deflator(trend_res, real)).sum(axis=0)
        deflator = res.total / (res.output / _deflator(res, real)).sum(axis=0)
        goal_value = g.threshold * res.output[:, 0].sum()
        label = t("doubling_line", value=t.money(goal_value))
    else:
        q, g = (ens.cluster_real if real else ens.cluster), goals["stainless_cluster"]
        deflator = res.cluster_price if real else np.ones_like(res.cluster_price)
        trend_line = trend_res.cluster.sum(axis=0) / (trend_res.cluster_price if real else 1.0)
        goal_value = g.threshold
        label = t("cluster_goal_line", value=t.money(goal_value))
    bands = pd.DataFrame({"year": ens.years, **{f"p{int(p)}": q[k] * f for k, p in enumerate((5, 25, 50, 75, 95))}})
    runs = _runs_frame(t, (q[2] * f, trend_line * f), ens.years)
    indicator = "total" if name == "fan_total" else "cluster"
    actuals = chart_points(actuals_json, indicator, None, f)
    actuals["value"] = actuals["value"] / np.interp(actuals["year"].astype(float), res.years, deflator)
    return {"bands": bands, "runs": runs, "goal": _goal(goal_value * f, label), "target": _target(g, t),
            "actuals": actuals}


#: The line under each chart's title, by chart (value added has none).
SUBTITLES = {"fan_total": "chart.fan.sub", "fan_cluster": "chart.fan.sub", "total": "chart.total.sub",
             "sectors": "chart.sectors.sub", "cluster": "chart.cluster.sub", "contrib": "chart.contrib.sub",
             "va": None, "invest": "chart.invest.sub", "fiscal": "chart.fiscal.sub", "energy": "chart.energy.sub"}
