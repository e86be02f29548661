"""The decision-tools tab: briefing, goal seek, what-it-takes map, tornado and Sobol ranking."""

from __future__ import annotations

import html
import json

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from model import (MAP_CELLS, MAP_RUNS, OUTCOMES, SEEKABLE, SPEC_BY_NAME, Baseline, lever_bounds, parse_scenario,
                   seek, sobol, tornado, what_it_takes)
from model.reports.briefing import BULLET, briefing

from . import heavy, state
from .charts import GOAL, SCENARIO, spec_of
from .compute import RUNS, SEED, compute, ensemble, get_baseline, remember
from .guard import guarded
from .i18n import Translator
from .safe import say

#: The chances advice is sought at (issue 17: default 50 %, choices 50 / 80 %); briefing, goal seek.
MODES = ("p50", "p80")
MODE_PROBABILITY = {"p50": 0.5, "p80": 0.8}


@st.cache_data(max_entries=32, show_spinner=False)
def _briefing(doc_json: str, key: str | None, lang: str, probability: float) -> str:
    """The briefing at a chance (a goal seek and a cheapest mix over the page's ensemble): a few seconds,
    so kept per scenario, language and chance."""
    base = get_baseline(key)
    return briefing(base, parse_scenario(json.loads(doc_json), base), lang, ensemble(doc_json, key),
                    probability=probability)


def briefing_html(text: str) -> str:
    """The briefing's plain text as HTML: a paragraph each, its goal lines as a list (text escaped)."""
    out = []
    for para in text.split("\n\n"):
        lines = para.split("\n")
        if lines[0].startswith(BULLET):
            out.append("<ul>" + "".join(f"<li>{html.escape(x.removeprefix(BULLET))}</li>" for x in lines) + "</ul>")
        else:
            out.append(f"<p>{html.escape(para)}</p>")
    return "\n".join(out)  # a line break between blocks: the text reads the same as the page shows it


def _apply_value(base: Baseline, lever: str, value: float) -> None:
    """Callback: set a lever to a goal-seek result's setting (already on the slider's grid), inside its range."""
    lo, hi = lever_bounds(base)[lever]
    st.session_state[lever] = float(min(hi, max(lo, value)))
    if lever == "growth":
        state.growth_changed(base)
    st.session_state["_rerun_app"] = True  # the sliders and cards live outside this fragment


@st.fragment
@guarded(lambda base, t, key: t)
def render(base: Baseline, t: Translator, key: str) -> None:
    """The tools work on the current settings: a lever move reruns the page while this tab is open; the
    tools' own controls rerun only this fragment."""
    if st.session_state.pop("_rerun_app", False):
        st.rerun(scope="app")
    sc = state.current_scenario(base)
    _, doc_json = remember(sc, key)
    res = compute(doc_json, key)
    st.caption(t("tools.note"))  # a lever move reruns the page while this tab is open (app.py)
    goal_names = {g.id: g.name(t.lang) for g in res.goals.goals}

    # The chance every piece of advice below aims at (briefing and goal seek).
    mode = st.selectbox(t("tools.mode"), MODES, format_func=lambda m: t(f"tools.mode.{m}"), key="advice_mode")
    probability = MODE_PROBABILITY[mode]

    # --- briefing ---------------------------------------------------------------------------
    st.subheader(t("tools.story"))
    table_total = tornado(base, sc, "total")
    try:
        with st.spinner(t("tools.working")), heavy.slot():
            text = _briefing(doc_json, key, t.lang, probability)
    except heavy.Busy:
        text = None
        say("info", t, "busy")
    if text is not None:
        st.markdown(f'<div data-testid="narrative">{briefing_html(text)}</div>', unsafe_allow_html=True)
        st.download_button(t("tools.story_download"), data=text.encode("utf-8"), file_name=f"briefing_{t.lang}.txt",
                           mime="text/plain", on_click="ignore", key="story_download")

    # --- goal seek ----------------------------------------------------------------------------
    st.subheader(t("tools.seek"))
    c = st.columns(2)
    goal_id = c[0].selectbox(t("tools.goal"), list(goal_names), format_func=goal_names.get, key="seek_goal")
    lever = c[1].selectbox(t("tools.lever"), SEEKABLE, format_func=lambda n: t(f"lever.{n}"), key="seek_lever")
    if st.button(t("tools.seek_run"), key="seek_run", type="primary"):
        try:
            with st.spinner(t("tools.working")), heavy.slot():
                # The live ensemble's draws, so that an applied value shows the same chance on the cards.
                r = seek(base, sc, goal_id, lever, probability=probability, runs=RUNS, seed=SEED)
            st.session_state["_seek"] = (doc_json, r)
        except heavy.Busy:
            say("info", t, "busy")
    kept = st.session_state.get("_seek")
    if kept:
        at_json, r = kept
        unit = t.unit(SPEC_BY_NAME[r.lever].unit_en)
        facts = t("tools.seek_facts", calls=r.engine_calls, residual=f"{r.residual:.4f}".rstrip("0").rstrip("."),
                  converged=t("yes") if r.converged else t("no"))
        name, lever_name = goal_names[r.goal], t(f"lever.{r.lever}")
        chance = dict(p=t.pct(100 * r.chance, 0), want=t.pct(100 * r.probability, 0), runs=t.num(r.chance_runs))
        if r.reachable:
            say("success", t, "tools.seek_result", result=t("tools.seek_found", goal=name, lever=lever_name,
                                                             value=f"{r.setting:g}", unit=unit, **chance), facts=facts)
            st.button(t("tools.apply", value=f"{r.setting:g}"), key="seek_apply", on_click=_apply_value,
                      args=(base, r.lever, r.setting))
        else:
            say("warning", t, "tools.seek_result", result=t("tools.seek_unreachable", goal=name, lever=lever_name,
                                                             value=f"{r.setting:g}", unit=unit, **chance), facts=facts)
        st.caption(t("central_path_explained"))  # the chance is read around the central path
        if at_json != doc_json:
            st.caption(t("tools.stale"))

    # --- what-it-takes map ----------------------------------------------------------------------
    st.subheader(t("tools.map"))
    c = st.columns(3)
    map_goal = c[0].selectbox(t("tools.goal"), list(goal_names), format_func=goal_names.get, key="map_goal")
    levers = [n for n in SEEKABLE]
    x_lever = c[1].selectbox(t("tools.x"), levers, index=0, format_func=lambda n: t(f"lever.{n}"), key="map_x")
    y_choices = [n for n in levers if n != x_lever]
    y_lever = c[2].selectbox(t("tools.y"), y_choices, index=y_choices.index("sme_upgrades") if "sme_upgrades" in y_choices else 0,
                             format_func=lambda n: t(f"lever.{n}"), key="map_y")
    # Each cell's chance from the model's draws (several seconds): drawn on request, with a progress bar.
    asked = (doc_json, map_goal, x_lever, y_lever)
    if st.button(t("tools.map_run"), key="map_run"):
        try:
            with heavy.slot():
                bar = st.progress(0.0, text=t("tools.working"))
                m = what_it_takes(base, sc, map_goal, x_lever, y_lever, n=MAP_CELLS, runs=MAP_RUNS, seed=SEED,
                                  progress=lambda f: bar.progress(f, text=t("tools.working")))
                bar.empty()
            st.session_state["_map"] = (asked, m)
        except heavy.Busy:
            say("info", t, "busy")
    kept = st.session_state.get("_map")
    if kept:
        at, m = kept
        st.vega_lite_chart(_map_chart(m, t, m.x_lever, m.y_lever), width="stretch")
        st.caption(t("tools.map_note", cells=t.num(m.xs.size * m.ys.size), runs=t.num(m.runs),
                     error=t.num(100 * m.mc_error, 1), full=t.num(RUNS)))
        if at != asked:
            st.caption(t("tools.stale"))

    # --- tornado ------------------------------------------------------------------------------------
    st.subheader(t("tools.tornado"))
    outcome = st.selectbox(t("tools.outcome"), list(OUTCOMES), format_func=lambda o: t(f"tools.outcome.{o}"),
                           key="tornado_outcome")
    table = table_total if outcome == "total" else tornado(base, sc, outcome)
    st.vega_lite_chart(_tornado_chart(table, t, outcome), width="stretch")
    st.caption(t("tools.tornado_note"))

    # --- Sobol ---------------------------------------------------------------------------------------
    st.subheader(t("tools.sobol"))
    if st.button(t("tools.sobol_run"), key="sobol_run"):
        try:
            with heavy.slot():
                bar = st.progress(0.0, text=t("tools.working"))
                result = sobol(base, sc, outcome, n=512, seed=1,
                               progress=lambda f: bar.progress(f, text=t("tools.working")))
                bar.empty()
            st.session_state["_sobol"] = (doc_json, outcome, result)
        except heavy.Busy:
            say("info", t, "busy")
    kept = st.session_state.get("_sobol")
    if kept:
        at_json, at_outcome, result = kept
        st.caption(t("tools.sobol_for", outcome=t(f"tools.outcome.{at_outcome}")))
        st.vega_lite_chart(_sobol_chart(result, t), width="stretch")
        if at_json != doc_json:
            st.caption(t("tools.stale"))


def _map_chart(m, t: Translator, x_lever: str, y_lever: str) -> dict:
    df = m.frame()
    x_title = f"{t(f'lever.{x_lever}')} ({t.unit(SPEC_BY_NAME[x_lever].unit_en)})"
    y_title = f"{t(f'lever.{y_lever}')} ({t.unit(SPEC_BY_NAME[y_lever].unit_en)})"
    dx = float(m.xs[1] - m.xs[0])
    dy = float(m.ys[1] - m.ys[0])
    df["x2"], df["y2"] = df.x + dx, df.y + dy
    df["x"], df["y"] = df.x - dx / 2, df.y - dy / 2
    df["x2"], df["y2"] = df.x2 - dx / 2, df.y2 - dy / 2
    cells = alt.Chart(df).mark_rect().encode(
        x=alt.X("x:Q", title=x_title, scale=alt.Scale(nice=False, zero=False)), x2="x2:Q",
        y=alt.Y("y:Q", title=y_title, scale=alt.Scale(nice=False, zero=False)), y2="y2:Q",
        color=alt.Color("probability:Q", title=t("tools.chance"),
                        scale=alt.Scale(scheme="redyellowblue", domain=[0, 1]), legend=alt.Legend(format="%")),
        tooltip=[alt.Tooltip("x:Q", title=x_title, format=".1f"), alt.Tooltip("y:Q", title=y_title, format=".1f"),
                 alt.Tooltip("probability:Q", title=t("tools.chance"), format=".0%"),
                 alt.Tooltip("value:Q", title=t("tools.value"), format=",.1f")])
    layers = cells
    contour = contour_50(m)
    if len(contour):
        layers += alt.Chart(contour).mark_line(color="black", strokeWidth=2.5, strokeDash=[6, 3]).encode(
            x="x:Q", y="y:Q", order="x:Q")
    here = pd.DataFrame({"x": [m.current[0]], "y": [m.current[1]], "label": [t("tools.here")]})
    layers += alt.Chart(here).mark_point(shape="diamond", size=220, filled=True, color="black", stroke="white").encode(
        x="x:Q", y="y:Q")
    layers += alt.Chart(here).mark_text(align="left", dx=9, dy=-9, fontWeight="bold").encode(x="x:Q", y="y:Q", text="label:N")
    return spec_of(layers, height=380)


def contour_50(m) -> pd.DataFrame:
    """Where the chance crosses 50 %: per column, the interpolated y of the first crossing (either way)."""
    rows = []
    for j, x in enumerate(m.xs):
        p = m.probability[:, j]
        side = p >= 0.5
        cross = np.nonzero(side[1:] != side[:-1])[0]
        if cross.size == 0:
            continue
        i = int(cross[0]) + 1
        p0, p1 = p[i - 1], p[i]
        frac = 0.0 if p1 == p0 else (0.5 - p0) / (p1 - p0)
        rows.append({"x": float(x), "y": float(m.ys[i - 1] + frac * (m.ys[i] - m.ys[i - 1]))})
    return pd.DataFrame(rows, columns=["x", "y"])


def _tornado_chart(table: pd.DataFrame, t: Translator, outcome: str) -> dict:
    factor = t.money_factor if outcome in ("total", "cluster") else 1.0
    rows = []
    for r in table.itertuples():
        spec = SPEC_BY_NAME[r.param]
        unit, label = t.unit(spec.unit_en), t(f"lever.{r.param}")
        low, high = spec.fmt % r.low, spec.fmt % r.high  # as the slider shows it (13.106 → 13.1)
        rows.append({"param": label, "end": t("tools.low", value=f"{low}{unit}"), "delta": (r.outcome_low - r.base) * factor, "rank": len(rows)})
        rows.append({"param": label, "end": t("tools.high", value=f"{high}{unit}"), "delta": (r.outcome_high - r.base) * factor, "rank": len(rows)})
    df = pd.DataFrame(rows)
    order = list(dict.fromkeys(df.param))
    bars = alt.Chart(df).mark_bar().encode(
        y=alt.Y("param:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("delta:Q", title=t(f"tools.delta.{outcome}")),
        color=alt.Color("delta:Q", scale=alt.Scale(scheme="redblue", domainMid=0), legend=None),
        tooltip=[alt.Tooltip("param:N", title=t("tools.lever")), alt.Tooltip("end:N", title=t("tools.range")),
                 alt.Tooltip("delta:Q", title=t(f"tools.delta.{outcome}"), format=",.2f")])
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#333").encode(x="x:Q")
    return spec_of(bars + zero, height=40 * len(order) + 40)


def _sobol_chart(table: pd.DataFrame, t: Translator) -> dict:
    rows = []
    for r in table.itertuples():
        for kind, v, conf in (("S1", r.S1, r.S1_conf), ("ST", r.ST, r.ST_conf)):
            rows.append({"param": t(f"lever.{r.param}"), "index": t(f"tools.{kind}"), "value": v,
                         "lo": v - conf, "hi": v + conf})
    df = pd.DataFrame(rows)
    order = list(dict.fromkeys(df.param))
    base = alt.Chart(df).encode(y=alt.Y("param:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
                                yOffset="index:N")
    bars = base.mark_bar().encode(x=alt.X("value:Q", title=t("tools.sobol_axis")),
                                  color=alt.Color("index:N", title=None, scale=alt.Scale(range=[SCENARIO, GOAL]),
                                                  legend=alt.Legend(orient="top")),
                                  tooltip=[alt.Tooltip("param:N", title=t("tools.lever")),
                                           alt.Tooltip("index:N", title=t("tools.sobol_axis")),
                                           alt.Tooltip("value:Q", title=t("tools.sobol_axis"), format=".3f"),
                                           alt.Tooltip("lo:Q", title=t("tools.ci_low"), format=".3f"),
                                           alt.Tooltip("hi:Q", title=t("tools.ci_high"), format=".3f")])
    errors = base.mark_rule(color="black").encode(x="lo:Q", x2="hi:Q")
    return spec_of(bars + errors, height=60 * len(order) + 40)
