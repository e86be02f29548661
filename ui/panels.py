"""Sidebar panels: sliders with baseline marks and resets, project table, sector and goal settings."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from model import (PROJECT_OUTPUT_MAX, PROJECT_RAMP_MAX, SECTOR_GROWTH_RANGE, SPEC_BY_NAME, Baseline, ScenarioError,
                   lever_bounds, parse_scenario)

from . import state
from .i18n import Translator
from .safe import plain, say

PROJECT_COLUMNS = ("name", "sector", "start_year", "output", "ramp_years", "investment", "note", "name_en", "note_zh")
#: Optional text columns (the other language's name and note, for the exports): empty means absent.
_OPTIONAL_TEXT = ("note", "name_en", "note_zh")


def slider(base: Baseline, t: Translator, key: str, where=None) -> None:
    """One URL-bound slider with its unit, help and baseline mark (its reset button: ``slider_row``)."""
    spec = SPEC_BY_NAME[key]
    lo, hi = lever_bounds(base)[key]
    default = state.slider_defaults(base)[key]
    unit = t.unit(spec.unit_en)
    if key == "investment":  # its neutral value moves with trend growth and sector trends
        default_now = state.slider_defaults(base, st.session_state.get("growth"),
                                            st.session_state.get("sector_overrides", {}))[key]
    else:
        default_now = default
    mark = t("baseline_mark", value=(spec.fmt % default_now) + (unit if t.lang == "zh" else f" {unit}"))
    unit_part = (f"（{unit}）" if t.lang == "zh" else f" ({unit})") if unit else ""
    # The baseline mark is part of the label (one element per slider keeps each rerun light).
    name = t(spec.i18n_key)
    if spec.section == "levers":  # a lever describes the plan years: say which
        plan = st.session_state.get("plan", {})
        start, end = plan.get("start", base.plan_start), plan.get("end", max(base.plan_end, plan.get("start", 0)))
        persist = plan.get("after") == "persist"
        name = t("lever.plan_label_persist" if persist else "lever.plan_label", label=name, start=start, end=end,
                 unit=unit)
        unit_part = ""  # the unit is inside the plan years' brackets
    label = f"{name}{unit_part} · {mark}"
    if key == "trade_expansion":  # the data's trend, capital ratio and lag, not figures in the text
        help_text = t(f"lever.{key}.help", trend=t.rate(base.params["trade_growth"]), lag=int(base.params["investment_lag"]),
                      k=f"{base.params['trade_capital_output']:g}")
    else:
        help_text = t(f"lever.{key}.help") + ("  \n" + t("follows_growth", value=mark) if key == "investment" else "")
    where = where or st
    where.slider(label, min_value=float(lo), max_value=float(hi), value=float(default), step=spec.step, key=key,
              bind="query-params", help=help_text, format=spec.fmt,
              on_change=state.growth_changed if key == "growth" else None,
              args=(base,) if key == "growth" else None)


def slider_row(base: Baseline, t: Translator, key: str):
    """A slider's row, drawn by the whole run: a slot for the slider (filled by the fragment, ``slider``) and
    its reset button. A move then re-sends the slider alone, not its row and button (issue 18, P1)."""
    with st.container(horizontal=True, vertical_alignment="center", wrap=False, gap="small"):
        slot = st.empty()
        st.button(":material/restart_alt:", key=f"reset_{key}", help=t("reset_help"), type="tertiary",
                  on_click=state.reset_slider, args=(base, key))
    return slot


def _clean_row(row: dict[str, Any]) -> dict[str, Any]:
    """A table row as a project document: NaN → missing, whole floats → int where the schema wants int."""
    out = {}
    for k in PROJECT_COLUMNS:
        v = row.get(k)
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            continue
        if k in ("start_year", "ramp_years") and isinstance(v, float) and v.is_integer():
            v = int(v)
        if k in ("output", "investment") and isinstance(v, int):
            v = float(v)
        if hasattr(v, "item"):
            v = v.item()
        out[k] = v
    for k in _OPTIONAL_TEXT:
        if out.get(k, "") == "":
            out.pop(k, None)
    return out


def projects_editor(base: Baseline, t: Translator) -> None:
    """The key-project list as an editable table; only a valid table is applied."""
    ss = st.session_state
    current = ss.get("projects", [])
    key = f"projects_editor_{ss.get('projects_version', 0)}"
    if key not in ss:  # the table's base data stays fixed while its edits accumulate in its state
        ss[f"{key}_base"] = list(current)
    seed = ss.get(f"{key}_base", current)
    df = pd.DataFrame([{c: p.get(c, "" if c in _OPTIONAL_TEXT else None) for c in PROJECT_COLUMNS} for p in seed],
                      columns=list(PROJECT_COLUMNS))
    df = df.astype({"name": "string", "sector": "string", "note": "string", "name_en": "string",
                    "note_zh": "string", "start_year": "Int64",
                    "ramp_years": "Int64", "output": "float", "investment": "float"})
    st.caption(t("projects_help"))
    edited = st.data_editor(
        df, key=key, num_rows="dynamic", hide_index=True,
        width="stretch",
        column_config={
            "name": st.column_config.TextColumn(t("col.name"), required=True, max_chars=80),
            "sector": st.column_config.SelectboxColumn(t("col.sector"), options=list(base.sector_ids), required=True,
                                                       format_func=lambda sid: base.sectors[base.sector_ids.index(sid)].name(t.lang)),
            "start_year": st.column_config.NumberColumn(t("col.start_year"), min_value=base.base_year + 1,
                                                        max_value=base.end_year, step=1, format="%d", required=True),
            "output": st.column_config.NumberColumn(t("col.output"), min_value=0.0, max_value=PROJECT_OUTPUT_MAX,
                                                    format="%.1f", required=True),
            "ramp_years": st.column_config.NumberColumn(t("col.ramp_years"), min_value=1, max_value=PROJECT_RAMP_MAX,
                                                        step=1, format="%d", default=1),
            "investment": st.column_config.NumberColumn(t("col.investment"), min_value=0.0, format="%.1f", default=0.0),
            "note": st.column_config.TextColumn(t("col.note"), max_chars=500),
            "name_en": st.column_config.TextColumn(t("col.name_en"), max_chars=80, help=t("col.name_en_help")),
            "note_zh": st.column_config.TextColumn(t("col.note_zh"), max_chars=500, help=t("col.note_zh_help")),
        },
    )
    rows = [_clean_row(r) for r in edited.to_dict("records")]
    rows = [r for r in rows if r]  # a freshly added, still empty row is not an error yet
    try:
        sc = parse_scenario({"levers": {"projects": rows}}, base)
    except ScenarioError as exc:
        say("error", t, "invalid_projects", error=exc)
        return
    applied = [p.model_dump() for p in sc.levers.projects]
    if applied != current:
        ss["projects"] = applied
    total = sum(p["output"] for p in ss["projects"])
    st.caption(t("projects_count", n=len(ss["projects"]), output=t.money(total)))


def _sector_frame(base: Baseline, t: Translator, overrides: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({
        "sector": [s.name(t.lang) for s in base.sectors],
        "trend": list(base.trend_pct),
        "override": pd.array([overrides.get(s.id) for s in base.sectors], dtype="Float64"),
    })


def _sectors_edited(base: Baseline, key: str) -> None:
    """Callback of the sector table: validate the edits and apply them before the widgets are drawn."""
    ss = st.session_state
    new = dict(ss.get("sector_overrides", {}))
    for row, change in ss[key].get("edited_rows", {}).items():
        if "override" in change:
            sid = base.sector_ids[int(row)]
            v = change["override"]
            if v is None or (isinstance(v, float) and math.isnan(v)):
                new.pop(sid, None)
            else:
                new[sid] = v
    try:
        parse_scenario({"sectors": {k: {"growth": v} for k, v in new.items()}}, base)
    except ScenarioError as exc:
        ss["_sectors_error"] = plain(exc)
        return
    ss.pop("_sectors_error", None)
    state.set_sector_overrides(base, {k: float(v) for k, v in new.items()})


def sector_editor(base: Baseline, t: Translator) -> None:
    """Per-sector trend overrides; an empty cell keeps the data's trend."""
    ss = st.session_state
    st.caption(t("sector_overrides_help"))
    lo, hi = SECTOR_GROWTH_RANGE
    key = f"sectors_editor_{ss.get('sectors_version', 0)}"
    if key not in ss:  # the table's base data stays fixed while its edits accumulate in its state
        ss[f"{key}_base"] = dict(ss.get("sector_overrides", {}))
    st.data_editor(
        _sector_frame(base, t, ss.get(f"{key}_base", {})), key=key, hide_index=True, width="stretch",
        disabled=["sector", "trend"], num_rows="fixed", on_change=_sectors_edited, args=(base, key),
        column_config={
            "sector": st.column_config.TextColumn(t("col.sector")),
            "trend": st.column_config.NumberColumn(t("col.trend"), format="%.1f"),
            "override": st.column_config.NumberColumn(t("col.override"), min_value=lo, max_value=hi, format="%.1f"),
        },
    )
    err = ss.get("_sectors_error")
    if err is not None:
        say("error", t, "invalid_sectors", error=err)


def _target_changed(base: Baseline, gid: str) -> None:
    ss = st.session_state
    ver = ss.get("targets_version", 0)
    goal = base.goal_by_id[gid]
    year = ss.get(f"target_year_{gid}_{ver}", goal.target_year)
    thr = ss.get(f"target_thr_{gid}_{ver}", goal.threshold)
    entry = {}
    if year != goal.target_year:
        entry["year"] = int(year)
    if thr is not None and abs(float(thr) - goal.threshold) > 1e-12:
        entry["threshold"] = float(thr)
    targets = dict(ss.get("targets", {}))
    if entry:
        targets[gid] = entry
    else:
        targets.pop(gid, None)
    ss["targets"] = targets


def goal_settings(base: Baseline, t: Translator) -> None:
    """Target year and threshold of every goal (editable; the defaults come from the data)."""
    ss = st.session_state
    ver = ss.get("targets_version", 0)
    targets = ss.get("targets", {})
    for g in base.goals:
        cur = targets.get(g.id, {})
        first = max(base.base_year + 1, g.start_year or base.base_year + 1)
        years = list(range(first, base.end_year + 1))
        c1, c2 = st.columns(2)
        with c1:
            st.selectbox(t("goal_year", name=g.name(t.lang)), years, index=years.index(cur.get("year", g.target_year)),
                         key=f"target_year_{g.id}_{ver}", on_change=_target_changed, args=(base, g.id))
        with c2:
            st.number_input(t("goal_threshold", name=g.name(t.lang), unit=t.unit(g.unit)),
                            min_value=float(g.threshold_min), max_value=float(g.threshold_max),
                            value=float(cur.get("threshold", g.threshold)), key=f"target_thr_{g.id}_{ver}",
                            on_change=_target_changed, args=(base, g.id))


def _plan_changed(base: Baseline, key: str) -> None:
    """Callback: the plan window; an impossible window (end before start) is refused with a message."""
    ss = st.session_state
    ver = ss.get("plan_version", 0)
    doc = {"start": int(ss[f"plan_start_{ver}"]), "end": int(ss[f"plan_end_{ver}"]), "after": ss[f"plan_after_{ver}"],
           "invest_in": ss[f"plan_invest_in_{ver}"]}
    try:
        plan = parse_scenario({"plan": doc}, base).plan
    except ScenarioError as exc:
        ss["_plan_error"] = plain(exc)
        ss["plan_version"] = ver + 1  # re-seed the widgets from the unchanged plan
        return
    ss.pop("_plan_error", None)
    ss["plan"] = {k: v for k, v in {"start": plan.start, "end": plan.end, "after": plan.after,
                                     "invest_in": plan.invest_in}.items()
                  if not (k == "after" and v == "trend") and not (k == "invest_in" and v == "shares")
                  and not (k == "start" and v == base.plan_start)
                  and not (k == "end" and v == base.plan_end)}


def plan_editor(base: Baseline, t: Translator) -> None:
    """First and last plan year and what the levers do after it."""
    ss = st.session_state
    ver = ss.get("plan_version", 0)
    plan = ss.get("plan", {})
    years = list(range(base.base_year + 1, base.end_year + 1))
    st.caption(t("plan.help"))
    c1, c2 = st.columns(2)
    c1.selectbox(t("plan.start"), years, index=years.index(plan.get("start", base.plan_start)),
                 key=f"plan_start_{ver}", on_change=_plan_changed, args=(base, "start"))
    c2.selectbox(t("plan.end"), years, index=years.index(plan.get("end", base.plan_end)),
                 key=f"plan_end_{ver}", on_change=_plan_changed, args=(base, "end"))
    st.radio(t("plan.after"), ["trend", "persist"], index=["trend", "persist"].index(plan.get("after", "trend")),
             format_func=lambda v: t(f"plan.after.{v}"), horizontal=True, key=f"plan_after_{ver}",
             on_change=_plan_changed, args=(base, "after"))
    st.radio(t("plan.invest_in"), ["shares", "advanced"],
             index=["shares", "advanced"].index(plan.get("invest_in", "shares")),
             format_func=lambda v: t(f"plan.invest_in.{v}"), horizontal=True, key=f"plan_invest_in_{ver}",
             on_change=_plan_changed, args=(base, "invest_in"))
    err = ss.get("_plan_error")
    if err is not None:
        say("error", t, "invalid_plan", error=err)
