"""Altair charts of one scenario beside the trend baseline. Pure: results in, chart out."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from model import Baseline, GoalSpec

from .compute import COMPONENTS, Results
from .i18n import Translator

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
COMPONENT_COLORS = ("#9e9e9e", "#1f5fa8", "#2e9c6a", "#e38b4f", "#f2b134", "#8e5ea2")


def _runs(t: Translator) -> tuple[str, str]:
    return t("run.scenario"), t("run.baseline")


def _run_scales(t: Translator) -> tuple[alt.Scale, alt.Scale]:
    """Colour and dash of scenario (solid blue) and baseline (dashed grey)."""
    scen, basel = _runs(t)
    return (alt.Scale(domain=[scen, basel], range=[SCENARIO, BASELINE]),
            alt.Scale(domain=[scen, basel], range=[[1, 0], [6, 4]]))


def _run_encoding(t: Translator, legend: alt.Legend | None = alt.Legend(orient="top")) -> dict:
    color, dash = _run_scales(t)
    return {
        "color": alt.Color("run:N", title=t("legend.run"), scale=color, legend=legend),
        "strokeDash": alt.StrokeDash("run:N", title=t("legend.run"), scale=dash, legend=legend),
    }


def _year_axis(t: Translator) -> alt.X:
    return alt.X("year:Q", title=t("axis.year"), axis=alt.Axis(format="d", tickMinStep=1),
                 scale=alt.Scale(nice=False))


#: Shared look, added to each spec as plain data (Altair's configure_* calls copy the whole chart).
CONFIG = {
    "font": FONT,
    "axis": {"labelFontSize": 12, "titleFontSize": 12},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 220},
    "view": {"strokeWidth": 0},
}


def for_projector(spec: dict) -> dict:
    """A copy of a spec with larger type and plot for presentation mode."""
    big = {**CONFIG, "axis": {"labelFontSize": 17, "titleFontSize": 17},
           "legend": {"labelFontSize": 17, "titleFontSize": 17, "labelLimit": 320}, "text": {"fontSize": 15}}
    return {**spec, "config": big, "height": int(spec.get("height", HEIGHT) * 1.3)}


def finish(chart: alt.TopLevelMixin, height: int = HEIGHT) -> dict:
    """The chart as a Vega-Lite spec with the shared size and look.

    Specs are plain dicts so the page can cache them; the charts are built from validated
    encodings, so the schema check is skipped (it costs more than building them).
    """
    spec = chart.to_dict(validate=False)
    spec["height"] = height
    spec["width"] = "container"
    spec["config"] = CONFIG
    return spec


def _target_rule(year: int, label: str) -> alt.LayerChart:
    df = pd.DataFrame({"year": [year], "label": [label]})
    rule = alt.Chart(df).mark_rule(color=GOAL, strokeDash=[2, 2]).encode(x="year:Q")
    text = alt.Chart(df).mark_text(align="left", dx=4, dy=-4, baseline="top", color=GOAL, fontSize=11).encode(
        x="year:Q", y=alt.value(0), text="label:N")
    return rule + text


def _level_rule(value: float, label: str) -> alt.LayerChart:
    df = pd.DataFrame({"value": [value], "label": [label]})
    rule = alt.Chart(df).mark_rule(color=GOAL, strokeDash=[6, 3]).encode(y="value:Q")
    text = alt.Chart(df).mark_text(align="left", x=4, dy=-6, color=GOAL, fontSize=11).encode(
        y="value:Q", text="label:N")
    return rule + text


def _deflator(res: Results, real: bool) -> np.ndarray:
    return res.price if real else np.ones_like(res.price)


def total_chart(res: Results, base_res: Results, t: Translator, goal: GoalSpec, real: bool) -> dict:
    """Total output, scenario against baseline, with the doubling line and the target year."""
    scen, basel = _runs(t)
    rows = []
    for label, r in ((scen, res), (basel, base_res)):
        values = (r.output / _deflator(r, real)).sum(axis=0) * t.money_factor
        rows.append(pd.DataFrame({"year": r.years, "run": label, "value": values}))
    df = pd.concat(rows, ignore_index=True)
    enc = _run_encoding(t)
    tooltip = [alt.Tooltip("run:N", title=t("legend.run")), alt.Tooltip("year:Q", title=t("tooltip.year")),
               alt.Tooltip("value:Q", title=t("axis.output"), format=",.1f")]
    lines = alt.Chart(df).mark_line(point=True, strokeWidth=2.5).encode(
        x=_year_axis(t), y=alt.Y("value:Q", title=t("axis.output"), scale=alt.Scale(zero=True)),
        color=enc["color"], strokeDash=enc["strokeDash"], tooltip=tooltip)
    doubling = goal.threshold * res.output[:, 0].sum() * t.money_factor
    chart = (lines + _level_rule(doubling, t("doubling_line", value=t.money(doubling / t.money_factor)))
             + _target_rule(goal.target_year, t("target_year", year=goal.target_year)))
    return finish(chart)


def _sector_frame(res: Results, base: Baseline, t: Translator, real: bool) -> pd.DataFrame:
    values = res.output / _deflator(res, real) * t.money_factor
    order = sorted(range(len(base.sectors)), key=lambda i: (not base.advanced_mask[i], i))
    frames = []
    for rank, i in enumerate(order):
        s = base.sectors[i]
        frames.append(pd.DataFrame({"year": res.years, "sector": s.name(t.lang), "order": rank,
                                    "value": values[i], "share": values[i] / values.sum(axis=0)}))
    return pd.concat(frames, ignore_index=True)


def _sector_scale(base: Baseline, t: Translator) -> alt.Scale:
    adv = [s.name(t.lang) for s, a in zip(base.sectors, base.advanced_mask) if a]
    trad = [s.name(t.lang) for s, a in zip(base.sectors, base.advanced_mask) if not a]
    colors = ([ADVANCED_COLORS[i % len(ADVANCED_COLORS)] for i in range(len(adv))]
              + [TRADITIONAL_COLORS[i % len(TRADITIONAL_COLORS)] for i in range(len(trad))])
    return alt.Scale(domain=adv + trad, range=colors)


def sectors_chart(res: Results, base_res: Results, base: Baseline, t: Translator, real: bool,
                  shares: bool, share_goal: GoalSpec) -> dict:
    """Output by sector, stacked (advanced sectors at the bottom), or their shares."""
    df = _sector_frame(res, base, t, real)
    field, fmt = ("share", ".1%") if shares else ("value", ",.1f")
    y_title = t("axis.share") if shares else t("axis.output")
    area = alt.Chart(df).mark_area(opacity=0.9).encode(
        x=_year_axis(t),
        y=alt.Y(f"{field}:Q", title=y_title, stack="zero",
                axis=alt.Axis(format="%" if shares else ",.0f")),
        color=alt.Color("sector:N", title=t("legend.sector"), scale=_sector_scale(base, t),
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=200)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("sector:N", title=t("legend.sector")), alt.Tooltip("year:Q", title=t("tooltip.year")),
                 alt.Tooltip("value:Q", title=t("axis.output"), format=",.1f"),
                 alt.Tooltip("share:Q", title=t("axis.share"), format=".1%")])
    scen, basel = _runs(t)
    if shares:
        adv = base.advanced_mask
        lines = pd.concat([pd.DataFrame({"year": r.years, "run": label,
                                         "value": r.output[adv].sum(axis=0) / r.output.sum(axis=0)})
                           for label, r in ((scen, res), (basel, base_res))], ignore_index=True)
        enc = _run_encoding(t)
        overlay = alt.Chart(lines).mark_line(strokeWidth=2.5, color="black").encode(
            x="year:Q", y="value:Q", strokeDash=enc["strokeDash"],
            tooltip=[alt.Tooltip("run:N", title=t("advanced_share")),
                     alt.Tooltip("year:Q", title=t("tooltip.year")), alt.Tooltip("value:Q", format=".1%")])
        goal = share_goal.threshold / 100
        chart = area + overlay + _level_rule(goal, t("share_goal_line", value=t.pct(share_goal.threshold, 0)))
        return finish(chart, height=HEIGHT + 110)
    else:
        tot = pd.DataFrame({"year": base_res.years, "run": basel,
                            "value": (base_res.output / _deflator(base_res, real)).sum(axis=0) * t.money_factor})
        overlay = alt.Chart(tot).mark_line(color=BASELINE, strokeDash=[6, 4], strokeWidth=2.5).encode(
            x="year:Q", y="value:Q",
            tooltip=[alt.Tooltip("run:N", title=t("legend.run")), alt.Tooltip("year:Q", title=t("tooltip.year")),
                     alt.Tooltip("value:Q", title=t("axis.output"), format=",.1f")])
        chart = area + overlay
    return finish(chart, height=HEIGHT + 110)  # room for the two-column legend below


def cluster_chart(res: Results, base_res: Results, t: Translator, goal: GoalSpec, real: bool) -> dict:
    """The stainless cluster by part, the baseline's total, the 1000亿元 goal and its year."""
    parts = ("processing", "trade", "downstream")
    names = [t(f"part.{p}") for p in parts]
    defl = (res.cluster_price if real else np.ones_like(res.cluster_price)) / t.money_factor
    df = pd.concat([pd.DataFrame({"year": res.years, "part": n, "order": k, "value": res.cluster[k] / defl})
                    for k, n in enumerate(names)], ignore_index=True)
    area = alt.Chart(df).mark_area(opacity=0.9).encode(
        x=_year_axis(t), y=alt.Y("value:Q", title=t("axis.output"), stack="zero"),
        color=alt.Color("part:N", title=t("legend.part"), scale=alt.Scale(domain=names, range=list(PART_COLORS)),
                        legend=alt.Legend(orient="top")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("part:N", title=t("legend.part")), alt.Tooltip("year:Q", title=t("tooltip.year")),
                 alt.Tooltip("value:Q", title=t("axis.output"), format=",.1f")])
    bdefl = (base_res.cluster_price if real else np.ones_like(base_res.cluster_price)) / t.money_factor
    btot = pd.DataFrame({"year": base_res.years, "run": t("run.baseline"), "value": base_res.cluster.sum(axis=0) / bdefl})
    line = alt.Chart(btot).mark_line(color=BASELINE, strokeDash=[6, 4], strokeWidth=2.5).encode(
        x="year:Q", y="value:Q",
        tooltip=[alt.Tooltip("run:N", title=t("legend.run")), alt.Tooltip("year:Q", title=t("tooltip.year")),
                 alt.Tooltip("value:Q", title=t("axis.output"), format=",.1f")])
    chart = (area + line + _level_rule(goal.threshold * t.money_factor, t("cluster_goal_line", value=t.money(goal.threshold)))
             + _target_rule(goal.target_year, t("target_year", year=goal.target_year)))
    return finish(chart)


def contributions_chart(res: Results, base_res: Results, t: Translator, years: tuple[int, ...]) -> dict:
    """Gain over the base year by source, for the given years, scenario beside baseline."""
    scen, basel = _runs(t)
    rows = []
    for label, r in ((scen, res), (basel, base_res)):
        for y in years:
            k = int(np.searchsorted(r.years, y))
            for c, comp in enumerate(COMPONENTS):
                rows.append({"bar": f"{y} · {label}", "year": y, "run": label, "component": t(f"comp.{comp}"),
                             "order": c, "value": float(r.contributions[c, k]) * t.money_factor})
    df = pd.DataFrame(rows)
    names = [t(f"comp.{c}") for c in COMPONENTS]
    bar_order = [f"{y} · {lab}" for y in years for lab in (scen, basel)]
    bars = alt.Chart(df).mark_bar().encode(
        y=alt.Y("bar:N", title=None, sort=bar_order, axis=alt.Axis(labelLimit=200, labelOverlap=False)),
        x=alt.X("value:Q", title=t("axis.contribution"), stack="zero"),
        color=alt.Color("component:N", title=t("legend.component"),
                        scale=alt.Scale(domain=names, range=list(COMPONENT_COLORS)),
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=180, symbolLimit=0)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("bar:N", title=t("legend.run")), alt.Tooltip("component:N", title=t("legend.component")),
                 alt.Tooltip("value:Q", title=t("axis.contribution"), format=",.1f")])
    totals = df.groupby("bar", as_index=False)["value"].sum()
    text = alt.Chart(totals).mark_text(align="left", dx=4, fontSize=11).encode(
        y=alt.Y("bar:N", sort=bar_order), x="value:Q", text=alt.Text("value:Q", format=",.0f" if t.lang == "zh" else ",.1f"))
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#444").encode(x="x:Q")
    return finish(bars + text + zero, height=HEIGHT)


def value_added_charts(res: Results, base_res: Results, t: Translator, real: bool
                       ) -> tuple[dict, dict]:
    """Value added and the value-added rate, scenario against baseline (two charts)."""
    scen, basel = _runs(t)
    rows = []
    for label, r in ((scen, res), (basel, base_res)):
        va = (r.value_added / _deflator(r, real)).sum(axis=0) * t.money_factor
        rate = 100 * r.value_added.sum(axis=0) / r.output.sum(axis=0)
        rows.append(pd.DataFrame({"year": r.years, "run": label, "va": va, "rate": rate}))
    df = pd.concat(rows, ignore_index=True)
    shown = _run_encoding(t, alt.Legend(orient="top", direction="vertical"))
    hidden = _run_encoding(t, None)
    common = alt.Chart(df).encode(x=_year_axis(t))
    va = common.mark_line(point=True, strokeWidth=2.5).encode(
        color=shown["color"], strokeDash=shown["strokeDash"],
        y=alt.Y("va:Q", title=t("axis.va")),
        tooltip=[alt.Tooltip("run:N", title=t("legend.run")), alt.Tooltip("year:Q", title=t("tooltip.year")),
                 alt.Tooltip("va:Q", title=t("axis.va"), format=",.1f")])
    rate = common.mark_line(point=True, strokeWidth=2.5).encode(
        color=hidden["color"], strokeDash=hidden["strokeDash"],
        y=alt.Y("rate:Q", title=t("axis.va_rate"), scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("run:N", title=t("legend.run")), alt.Tooltip("year:Q", title=t("tooltip.year")),
                 alt.Tooltip("rate:Q", title=t("axis.va_rate"), format=".2f")])
    return finish(va, height=HEIGHT - 30), finish(rate, height=HEIGHT - 30)


def investment_chart(res: Results, base_res: Results, t: Translator) -> dict:
    """The investment bill: yearly investment of the scenario (bars) and of the baseline (line)."""
    scen, basel = _runs(t)
    f = t.money_factor
    df = pd.DataFrame({"year": res.years[1:], "run": scen, "value": res.investment[1:] * f})
    bdf = pd.DataFrame({"year": base_res.years[1:], "run": basel, "value": base_res.investment[1:] * f})
    tooltip = [alt.Tooltip("run:N", title=t("legend.run")), alt.Tooltip("year:Q", title=t("tooltip.year")),
               alt.Tooltip("value:Q", title=t("axis.investment"), format=",.1f")]
    enc = _run_encoding(t)
    bars = alt.Chart(df).mark_bar(opacity=0.85, size=18).encode(
        x=_year_axis(t), y=alt.Y("value:Q", title=t("axis.investment")), color=enc["color"], tooltip=tooltip)
    line = alt.Chart(bdf).mark_line(point=True, strokeWidth=2.5).encode(
        x="year:Q", y="value:Q", color=enc["color"], strokeDash=enc["strokeDash"], tooltip=tooltip)
    return finish(bars + line)
