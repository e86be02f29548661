"""The comparison tab: named scenarios side by side (goals, chances, settings), shareable by URL."""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from model import (NOT_REACHED, SPEC_BY_NAME, Baseline, DataError, param_names, parse_stored, resolve_goals,
                   scenario_params)

from i18n import names

from . import state
from .cards import _fmt as metric_text  # the cards' own wording of a goal's value, so both say the same
from .charts import spec_of
from .compute import canonical, compute, ensemble, feasibility
from .feasibility import table_rows as feasibility_rows
from .guard import guarded
from .i18n import Translator
from .safe import say

MAX_SAVED, URL_KEY, RESERVED = state.MAX_SAVED, state.COMPARE_KEY, state.RESERVED


def _sync_url() -> None:
    saved = st.session_state.get("saved", {})
    # Insertion order is the comparison's column order: keep it (no sort_keys).
    want = {URL_KEY: json.dumps(saved, ensure_ascii=False, separators=(",", ":"))} if saved else {}
    state.write_url(want, (URL_KEY,))
    # The sidebar's downloads carry the saved set: they are drawn by the other fragment, which must rerun.
    st.session_state["_rerun_app"] = True


def _save(base: Baseline, reserved: str) -> None:
    ss = st.session_state
    name = _checked_name(ss.get("cmp_name") or "", reserved)
    saved = dict(ss.get("saved", {}))
    if name is None:
        return
    if not name:
        ss["_cmp_msg"] = ("error", "compare.need_name")
        return
    if name not in saved and len(saved) >= MAX_SAVED:
        ss["_cmp_msg"] = ("error", "compare.full")
        return
    ss["_cmp_msg"] = ("ok", "compare.replaced" if name in saved else "compare.saved")
    saved[name] = state.current_scenario(base).to_doc()
    ss["saved"] = saved
    ss["cmp_name"] = ""
    _sync_url()


def _rename(old: str, key: str, reserved: str) -> None:
    ss = st.session_state
    new = _checked_name(ss.get(key) or "", reserved)
    saved = dict(ss.get("saved", {}))
    if new == old:
        return
    if not new or new in saved:
        ss[key] = old  # put the old name back and say why
        if new is not None:
            ss["_cmp_msg"] = ("error", "compare.need_name" if not new else "compare.duplicate")
        return
    ss["saved"] = {(new if k == old else k): v for k, v in saved.items()}
    _sync_url()


def _checked_name(raw: str, reserved: str) -> str | None:
    """A typed name through the shared sanitiser (``i18n.names``); None, with the reason queued for
    the page, when it is refused (blank-looking, or like the current settings' column in any language)."""
    try:
        return names.checked(raw, state.NAME_MAX, reserved=(reserved, *RESERVED))
    except names.NameRefused as exc:
        st.session_state["_cmp_msg"] = ("error", f"names.{exc.key}", exc.name)
        return None


def _delete(name: str) -> None:
    ss = st.session_state
    ss["saved"] = {k: v for k, v in ss.get("saved", {}).items() if k != name}
    _sync_url()


def differing_params(base: Baseline, docs: dict[str, dict]) -> set[str]:
    """Names of the settings that are not the same in every scenario (parameters, projects, overrides)."""
    if len(docs) < 2:
        return set()
    scs = [parse_stored(d, base) for d in docs.values()]
    X = np.stack([scenario_params(s, base) for s in scs])
    names = param_names(base)
    out = {names[j] for j in range(X.shape[1]) if not np.allclose(X[:, j], X[0, j])}
    if len({json.dumps([p.model_dump() for p in s.levers.projects], sort_keys=True) for s in scs}) > 1:
        out.add("projects")
    goals = [resolve_goals(s, base) for s in scs]
    for j, goal in enumerate(goals[0]):
        if len({(g[j].target_year, g[j].threshold, g[j].start_year) for g in goals}) > 1:
            out.add(f"target:{goal.id}")
    return out


@st.fragment
@guarded(lambda base, t, key: t)
def render(base: Baseline, t: Translator, key: str) -> None:
    ss = st.session_state
    if ss.pop("_rerun_app", False):
        st.rerun(scope="app")
    st.caption(t("compare.help", n=MAX_SAVED))
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.text_input(t("compare.name"), key="cmp_name", max_chars=60)
    c2.button(t("compare.save"), key="cmp_save", on_click=_save, args=(base, t("scenario.current")), width="stretch",
              type="primary")
    msg = ss.pop("_cmp_msg", None)
    if msg:
        say("success" if msg[0] == "ok" else "error", t, msg[1], n=MAX_SAVED, name=msg[2] if len(msg) > 2 else "")
    saved = ss.get("saved", {})
    for i, name in enumerate(saved):
        a, b = st.columns([4, 1], vertical_alignment="bottom")
        a.text_input(t("compare.rename"), value=name, key=f"cmp_rename_{i}_{name}", on_change=_rename,
                     args=(name, f"cmp_rename_{i}_{name}", t("scenario.current")), label_visibility="collapsed")
        b.button(t("compare.delete"), key=f"cmp_delete_{i}", on_click=_delete, args=(name,), width="stretch")

    docs = {t("scenario.current"): state.current_scenario(base).to_doc(),
            **{n: parse_stored(d, base).to_doc() for n, d in saved.items()}}
    results = {n: (compute(canonical(d), key), ensemble(canonical(d), key)) for n, d in docs.items()}
    st.markdown(f"**{t('compare.chart')}**")
    st.vega_lite_chart(scenarios_chart(results, t), width="stretch")
    st.markdown(f"**{t('compare.goals')}**")
    st.dataframe(goals_table(results, t, _feasibilities(docs, key)), width="stretch")
    st.markdown(f"**{t('compare.settings')}**")
    diff = differing_params(base, docs)
    table = _settings_table(base, docs, t)
    goals = {g.id: g for g in resolve_goals(parse_stored(docs[t("scenario.current")], base), base)}
    highlight = [_row_label(t, n, base, goals) for n in diff]
    st.dataframe(table.style.apply(lambda row: ["background-color: #fff3cd" if row.name in highlight else ""] * len(row),
                                   axis=1), width="stretch")
    st.caption(t("compare.highlight"))


def scenarios_chart(results: dict, t: Translator) -> dict:
    f = t.money_factor
    rows = []
    for name, (res, _) in results.items():
        for measure, values in (("total", res.total), ("cluster", res.cluster.sum(axis=0))):
            rows.append(pd.DataFrame({"year": res.years, "scenario": name, "measure": t(f"compare.{measure}"),
                                      "value": values * f}))
    df = pd.concat(rows, ignore_index=True)
    chart = alt.Chart(df).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("year:Q", title=t("axis.year"), axis=alt.Axis(format="d")),
        y=alt.Y("value:Q", title=t("axis.output")),
        color=alt.Color("scenario:N", title=t("compare.scenario"), legend=alt.Legend(orient="top")),
        strokeDash=alt.StrokeDash("measure:N", title=None, legend=alt.Legend(orient="top", symbolType="stroke",
                                                                             symbolStrokeColor="#555", symbolSize=300)),
        tooltip=[alt.Tooltip("scenario:N", title=t("compare.scenario")), alt.Tooltip("measure:N", title=t("compare.measure")),
                 alt.Tooltip("year:Q", title=t("tooltip.year"), format="d"), alt.Tooltip("value:Q", title=t("axis.output"), format=",.1f")])
    return spec_of(chart, height=340)


def _feasibilities(docs: dict[str, dict], key: str) -> dict | None:
    """Name → feasibility summary of each compared scenario (None: the region has no feasibility data)."""
    try:
        return {n: feasibility(canonical(d), key) for n, d in docs.items()}
    except DataError:
        return None


def goals_table(results: dict, t: Translator, feasibility: dict | None = None) -> pd.DataFrame:
    """Goal rows (met, year, value, chance) per scenario column; with ``feasibility`` (name → summary),
    its rows below (``feasibility.table_rows``)."""
    table = {}
    for name, (res, ens) in results.items():
        g = res.goals
        col = {}
        for j, goal in enumerate(g.goals):
            label = goal.name(t.lang)
            year = int(g.year_reached[0, j])
            value = float(g.value[0, j])
            col[f"{label} · {t('compare.met')}"] = t("met") if g.met[0, j] else t("not_met")
            # Steady growth is held over the whole period, not reached in a year (as its card says).
            reached = (t("card.sustained") if goal.metric == "min_growth" else str(year)) if year != NOT_REACHED else "–"
            col[f"{label} · {t('compare.year')}"] = reached
            # One row whatever each scenario's goal year: the year goes into the cell.
            col[f"{label} · {t('compare.value')}"] = t("compare.value_in", value=metric_text(t, goal.metric, value),
                                                      year=goal.target_year)
            col[f"{label} · {t('compare.chance')}"] = t.pct(100 * float(ens.probability[j]), 0)
        if feasibility is not None and name in feasibility:
            col.update(feasibility_rows(t, feasibility[name]))
        table[name] = col
    return pd.DataFrame(table)


def _row_label(t: Translator, name: str, base: Baseline, goals: dict | None = None) -> str:
    """A settings row's label in plain words, with its unit (``goals``: goal id → spec, for ``target:<id>``)."""
    if name in SPEC_BY_NAME:
        spec = SPEC_BY_NAME[name]
        unit = spec.unit_zh if t.lang == "zh" else spec.unit_en
        return t("compare.with_unit", label=t(f"lever.{name}"), unit=unit) if unit else t(f"lever.{name}")
    if name.startswith("trend:"):
        sid = name.split(":", 1)[1]
        return t("compare.sector_trend", sector=base.sectors[base.sector_ids.index(sid)].name(t.lang))
    if name.startswith("target:"):
        gid = name.split(":", 1)[1]
        return t("compare.goal_setting", goal=goals[gid].name(t.lang) if goals else gid)
    return t(f"compare.{name}")


def _setting_text(t: Translator, name: str, x: float) -> str:
    """A plan setting or a number as the settings table shows it."""
    if name == "plan_persist":
        return t("plan.after.persist") if x else t("plan.after.trend")
    if name == "plan_advanced":
        return t("plan.invest_in.advanced") if x else t("plan.invest_in.shares")
    if name in ("plan_start", "plan_end"):
        return str(int(round(x)))
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _goal_text(t: Translator, goal) -> str:
    """A goal's setting: its years and threshold, in the cards' units."""
    if goal.metric == "total_multiple":
        return t("compare.goal_multiple", year=goal.target_year, multiple=f"{goal.threshold:g}")
    if goal.metric == "min_growth":
        return t("compare.goal_growth", start=goal.start_year, year=goal.target_year, goal=t.rate(goal.threshold))
    return t("compare.goal_level", year=goal.target_year, goal=metric_text(t, goal.metric, goal.threshold))


def _settings_table(base: Baseline, docs: dict[str, dict], t: Translator) -> pd.DataFrame:
    names = param_names(base)
    table = {}
    for name, doc in docs.items():
        sc = parse_stored(doc, base)
        x = scenario_params(sc, base)
        col = {}
        for j, p in enumerate(names):
            col[_row_label(t, p, base)] = _setting_text(t, p, float(x[j]))
        col[_row_label(t, "projects", base)] = str(len(sc.levers.projects))
        goals = resolve_goals(sc, base)
        for goal in goals:
            col[_row_label(t, f"target:{goal.id}", base, {g.id: g for g in goals})] = _goal_text(t, goal)
        table[name] = col
    return pd.DataFrame(table)
