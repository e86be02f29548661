"""Zhoucun Industrial Scenario Simulator — Streamlit entry point.

Layout and wiring only: every number comes from ``model`` through ``ui.compute``; every text from
``i18n/``. The levers, the engine call and the results run in one fragment, so moving a slider
reruns only that part of the page.
"""

from __future__ import annotations

import functools
import json
import logging
import os

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from model import ASSUMPTION_KEYS, LEVER_KEYS, ScenarioError, SimulatorError, parse_scenario, parse_scenario_bytes
from ui import (cards, charts, chrome, compare, downloads, exports, model_page, monitor, panels, process, state, style,
                tools)
from ui import feasibility as feasibility_row
from ui.charts import chart_spec
from ui.compute import baseline_key, canonical, compute, ensemble, get_baseline, remember
from ui.guard import redraw_page, slots_taken
from ui.i18n import DEFAULT_LANG, LANGS, Translator
from ui import reconnect
from ui import workshop as workshop_page
from ui.safe import plain, say

LOG = logging.getLogger("zhoucun")
process.tune()  # every module is imported by now: frozen out of the collection after each run; one BLAS thread
DATA_DIR = os.environ.get("SIMULATOR_DATA_DIR") or None  # another region = another data folder

if workshop_page.requested():  # ?workshop=new, ?room=CODE[&key=SECRET]: the workshop pages (ui/workshop)
    workshop_page.render(DATA_DIR)
    st.stop()

try:
    state.official_from_url(get_baseline(baseline_key(DATA_DIR)))
    BASE_KEY = baseline_key(DATA_DIR, st.session_state.get("official_json", ""))
    base = get_baseline(BASE_KEY)
except SimulatorError as exc:  # a broken data folder: say which file, row and column, in both languages
    st.set_page_config(page_title="Scenario simulator", layout="wide")
    say("error", Translator(DEFAULT_LANG), "data_error", zh=exc.zh, en=exc.en)
    st.stop()
state.init_session(base)
state.choice_from_url("lang", LANGS, DEFAULT_LANG)
# "auto": the sidebar opens beside the page on a laptop or projector and collapsed on a phone, where it
# would cover the results (issue 18).
st.set_page_config(page_title=base.region[f"title_{state.language()}"], page_icon="🏭", layout="wide",
                   initial_sidebar_state="auto")
reconnect.rerun_after_reconnect()  # a reconnect to another server (deploy/) rebuilds the page at once


def _on_upload() -> None:
    ss = st.session_state
    f = ss.get(f"upload_{ss.get('upload_version', 0)}")
    if f is None:
        return
    try:
        sc = parse_scenario(parse_scenario_bytes(f.getvalue()), base)
    except ScenarioError as exc:
        ss["_upload_msg"] = ("error", plain(exc))
    else:
        state.apply_scenario(sc, base, preset=None)
        ss["_upload_msg"] = ("ok", f.name)
    ss["upload_version"] = ss.get("upload_version", 0) + 1


def _reset_all() -> None:
    state.apply_preset(base, "trend")


# --------------------------------------------------------------------------- sidebar (full reruns)
CHARTS = ("fan_total", "fan_cluster", "total", "sectors", "cluster", "contrib", "va", "invest", *charts.FEASIBILITY_CHARTS)
PANEL_DEFAULTS = {"chart_left": "fan_total", "chart_right": "fan_cluster"}
PHONE_CHART_HEIGHT = 260  # px of plot; the charts' own height (ui/charts.HEIGHT) is 300
PRESENT_CHART_HEIGHT = 310  # with the projector type, legend and axes take ~170 px of it
for _key, _default in PANEL_DEFAULTS.items():
    state.choice_from_url(_key, CHARTS, _default)

with st.sidebar:
    st.segmented_control("语言 / Language", options=list(LANGS), required=True, key="lang",
                         format_func={"zh": "中文", "en": "English"}.get, on_change=state.choice_to_url,
                         args=("lang", DEFAULT_LANG))
t = Translator(state.language())


def _switch(key: str) -> bool:
    """A URL-bound toggle's value before the toggle is drawn (on a session's first run it is only in the URL)."""
    return bool(st.session_state.get(key, str(st.query_params.get(key, "")).lower() == "true"))


present = _switch("present")  # the toggle is drawn further down
# On a phone the levers sit under the goal cards (the sidebar would cover them); elsewhere beside them.
phone = state.on_phone() and not present

with st.sidebar:
    st.markdown(f"**{t('presets')}**")
    names = [n for n in ("trend", "three_year_action", "cautious", "bold") if n in base.presets]
    names += [n for n in base.presets if n not in names]
    cols = st.columns(2)
    for i, name in enumerate(names):
        meta = base.presets[name].get("meta", {})
        cols[i % 2].button(base.preset_name(name, t.lang), key=f"preset_{name}", width="stretch", on_click=state.apply_preset,
                           args=(base, name), help=meta.get(f"description_{t.lang}"))
    box_levers = st.container()  # on a phone's simulator tab the levers move under the cards (below)
    box_projects = st.container()
    if not present:
        st.markdown(f"**{t('assumptions')}** · {t('assumptions_help')}")
        box_assumptions = st.container()
    box_advanced = st.container()
    save_box = st.container()
    if not present:
        with st.expander(t("save_load")):
            st.file_uploader(t("upload_scenario"), type=["json"], key=f"upload_{st.session_state.get('upload_version', 0)}",
                             on_change=_on_upload)
            msg = st.session_state.pop("_upload_msg", None)
            if msg and msg[0] == "ok":
                say("success", t, "upload_ok", name=msg[1])
            elif msg:
                say("error", t, "upload_failed", error=msg[1])
    st.toggle(t("presentation"), key="present", bind="query-params", help=t("presentation_help"))
    st.button(t("reset_all"), key="reset_all", on_click=_reset_all, width="stretch")
    workshop_page.sidebar_link(t.lang, t("ws.create.link"))

# Table editors sit outside the fragment: editing them is rare, and keeping them out keeps every
# slider move light (they would be re-sent with their data on each fragment rerun).
if not present:
    with box_projects, st.expander(t("projects")):
        panels.projects_editor(base, t)
    with box_advanced, st.expander(t("advanced")):
        st.markdown(f"**{t('plan.title')}**")
        panels.plan_editor(base, t)
        st.markdown(f"**{t('sector_overrides')}**")
        panels.sector_editor(base, t)
        st.markdown(f"**{t('goal_settings')}**")
        panels.goal_settings(base, t)

style.inject(present)
chrome.inject(t)  # Streamlit's own English words in the page's language

# --------------------------------------------------------------------------- header
st.title(base.region[f"title_{t.lang}"])
badge = (t("official_badge") if st.session_state.get("official_json") else t("estimate_badge"))
st.markdown(f'<span class="zc-status">{t("subtitle", region=base.region[f"name_{t.lang}"])}</span> '
            f'<span class="zc-badge-estimate" title="{t("estimate_help")}">⚠ {badge}</span>',
            unsafe_allow_html=True)
if st.session_state.get("_official_url_error") is not None:
    say("warning", t, "official.url_rejected", error=st.session_state["_official_url_error"])
for key, values in st.session_state.get("_notices", []):
    values = dict(values)
    if "unit" in values:  # a slider's range, in the page's unit
        values["range"] = f"{values['range']} {t.unit(values.pop('unit'))}".strip()
    say("warning", t, key, **values)

#: The tabs, by language-neutral id: the open one lives in the URL (``?tab=tools``) and only it computes.
TABS = ("sim", "tools", "compare", "model")


state.choice_from_url("tab", TABS, "sim")


if present:
    open_tab = "sim"
    tab_sim, tab_tools, tab_compare, tab_model = st.container(), None, None, None
else:
    labels = {tab: t(f"tab_{tab}") for tab in TABS}
    # Streamlit binds tabs to the URL by their (translated) label, so the neutral id is bound by hand;
    # one widget per language, opened on the session's tab (its state, not ``default``, which would
    # make a new widget at every switch).
    tab_key = f"tabs_{t.lang}"
    if tab_key not in st.session_state:
        st.session_state[tab_key] = labels[st.session_state["tab"]]
    tab_sim, tab_tools, tab_compare, tab_model = st.tabs(
        [labels[tab] for tab in TABS], key=tab_key, on_change="rerun")
    open_tab = next((tab for tab, box in zip(TABS, (tab_sim, tab_tools, tab_compare, tab_model)) if box.open), "sim")
    if open_tab != st.session_state["tab"]:
        st.session_state["tab"] = open_tab
        state.choice_to_url("tab", "sim")
# The simulator tab's fixed parts are drawn here, by the whole run; the fragment fills the slots
# between them (a fragment rerun re-sends only what it draws, so what does not change stays put).
# Toggles and chart choosers are here too: changing them reruns the page, which is rare.
slots: dict[str, DeltaGenerator] = {}
chart_slots: list[tuple[str, DeltaGenerator]] = []
#: Each slider's slot, drawn by the whole run in a row with its reset button: a move re-sends the slider only.
slider_slots: dict[str, DeltaGenerator] = {}
every = real = shares = False
if open_tab == "sim":
    with tab_sim:
        # The first screen holds the answer: the cards and the main chart; everything else below them.
        slots["top"] = st.container()
        slots["cards"] = st.container()
        every, shares_now = _switch("all_charts"), _switch("shares")  # drawn under the charts, read here
        if every:
            if phone:  # the levers under the cards, before the eight charts
                box_levers = st.container(key="phone_levers")
            per_row = 1 if present else 2  # all eight, two (one when presenting) to a row
            for start in range(0, len(CHARTS), per_row):
                for col, name in zip(st.columns(per_row), CHARTS[start: start + per_row]):
                    with col:
                        chart_slots.append((name, charts.chart_title_slot(t, name, shares_now)))
        else:  # two panels, each showing the chart chosen above it (as En-ROADS does)
            if phone:  # one under the other: the cards, the main chart, the levers, the second chart
                first = st.container()
                box_levers = st.container(key="phone_levers")
                panels_at = (first, st.container())
            else:
                panels_at = st.columns(2)
            for col, key in zip(panels_at, PANEL_DEFAULTS):
                with col:
                    st.selectbox(t("chart_choice"), CHARTS, key=key, format_func=lambda c: t(f"chart.{c}"),
                                 label_visibility="collapsed", on_change=state.choice_to_url,
                                 args=(key, PANEL_DEFAULTS[key]))
                    chart_slots.append((st.session_state[key], charts.chart_title_slot(
                        t, st.session_state[key], shares_now, named=False, subtitle=not (phone or present))))
        # Fiscal balance, energy and land under the main charts (issue 19), then the display switches.
        slots["feasibility"] = st.container()
        # Display switches under the charts: changing them reruns the page, which is rare.
        c1, c2, c3 = st.columns(3)
        every = c1.toggle(t("all_charts"), key="all_charts", bind="query-params", help=t("all_charts_help"))
        real = c2.toggle(t("real_toggle"), key="real", bind="query-params", help=t("real_toggle_help"))
        shares = c3.toggle(t("shares_toggle"), key="shares", bind="query-params")
        if not present:
            with st.expander(t("monitor"), expanded=bool(st.session_state.get("actuals_json"))):
                monitor.controls(base, t)  # upload and template: drawn by the whole run, not on every move
                slots["monitor"] = st.container()
# The sliders' rows (slot + reset button) are drawn by the whole run, wherever the levers are.
with box_levers:
    st.markdown(f"**{t('levers_phone')}**" if phone and open_tab == "sim" else f"**{t('levers')}** · {t('levers_help')}")
    for key in LEVER_KEYS:
        slider_slots[key] = panels.slider_row(base, t, key)
if not present:
    with box_assumptions:
        for key in ASSUMPTION_KEYS:
            slider_slots[key] = panels.slider_row(base, t, key)
#: True while the whole script runs; a fragment rerun sees the value the last whole run left (False).
FULL_RUN = True


@st.fragment
def live() -> None:
    """Levers → engine → goal cards and charts; reruns alone when a lever moves."""
    try:
        _live()
    except Exception as exc:  # noqa: BLE001 — the page must never show a traceback; the log keeps it
        if slots_taken(exc):  # a newer whole run took this run's slots: it draws the page (ui/guard.py)
            redraw_page()
        LOG.exception("scenario calculation failed")
        say("error", t, "error_generic", error=json.dumps(dict(st.query_params), ensure_ascii=False)[:300])


def _live() -> None:
    for key, slot in slider_slots.items():
        panels.slider(base, t, key, where=slot)
    state.sync_url(base)
    if open_tab != "sim" and not FULL_RUN:
        # A lever moved while another tab is open: that tab shows the current settings, so the whole
        # page reruns (computing the open tab only), never leaving it on the previous scenario.
        st.rerun(scope="app")

    # Session values → document → validated scenario (once: compute and ensemble take it from
    # ``remember``) → its minimal document and canonical JSON, the cache key.
    settings = state.current_doc(base)
    scenario = state.current_scenario(base, settings)
    preset, changed = state.preset_status(base, settings)
    doc, doc_json = remember(scenario, BASE_KEY)
    preset_label = base.preset_name(preset, t.lang) if preset else ""
    trend_json = canonical({"targets": doc["targets"]} if "targets" in doc else {})

    if not present:
        # The files are built when a button is clicked, outside this run, where the session is empty:
        # they get a snapshot of the scenario and the saved ones, taken now; a click before a move's
        # rerun has ended waits for it and takes the newest snapshot (ui/downloads.py).
        snapshot = exports.Snapshot.take(base, t, doc, BASE_KEY)
        files = downloads.latest_files()
        with save_box:
            st.download_button(t("download_scenario"), data=files.offer("scenario", functools.partial(state.download_json, doc, preset)),
                               file_name=f"scenario_{preset or 'custom'}.json", mime="application/json",
                               on_click="ignore", key="download_scenario", width="stretch")
            c1, c2 = st.columns(2)
            c1.download_button(t("download_csv"), data=files.offer("csv", functools.partial(exports.series_csv, base, t.lang, snapshot)),
                               file_name=f"zhoucun_series_{t.lang}.csv", mime="text/csv", on_click="ignore",
                               key="download_csv", width="stretch", help=t("download_csv_help"))
            c2.download_button(t("download_xlsx"), data=files.offer("xlsx", functools.partial(exports.workbook, base, t.lang, snapshot)),
                               file_name=f"zhoucun_scenarios_{t.lang}.xlsx", on_click="ignore", key="download_xlsx",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               width="stretch", help=t("download_xlsx_help"))
            # The report (汇报材料) of the settings on screen: Word, and its PDF where LibreOffice is installed.
            report_name = preset_label + (t("preset_changed") if changed else "") if preset else t("scenario.current")
            c3, c4 = st.columns(2)
            c3.download_button(t("report.download_docx"), key="download_report_docx", on_click="ignore",
                               data=files.offer("report_docx", functools.partial(exports.report, base, t.lang, snapshot,
                                                                                 report_name, "docx")),
                               file_name=f"zhoucun_report_{t.lang}.docx", width="stretch", help=t("report.download_help"),
                               mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            if exports.soffice() is not None:
                c4.download_button(t("report.download_pdf"), key="download_report_pdf", on_click="ignore",
                                   data=files.offer("report_pdf", functools.partial(exports.report, base, t.lang,
                                                                                    snapshot, report_name, "pdf")),
                                   file_name=f"zhoucun_report_{t.lang}.pdf", mime="application/pdf", width="stretch",
                                   help=t("report.download_help"))
            else:
                c4.caption(t("report.no_pdf"))

    if open_tab != "sim":
        return
    res, trend_res = compute(doc_json, BASE_KEY), compute(trend_json, BASE_KEY)
    ens = ensemble(doc_json, BASE_KEY)
    too_large = st.session_state.get("_too_large_for_url")
    if too_large:  # the link would be refused by the server: say so and offer the file instead
        # Only a table edit (a whole run) makes the state this large, so the whole run writes here too.
        with slots["top"]:
            say("warning", t, "link_too_large", params=", ".join(too_large))
            st.download_button(t("download_scenario"), data=downloads.latest_files().offer(
                                   "scenario", functools.partial(state.download_json, doc, preset)),
                               file_name=f"scenario_{preset or 'custom'}.json", mime="application/json",
                               on_click="ignore", key="download_scenario_too_large")
    if preset:
        status = t("preset_from", name=preset_label) + (t("preset_changed") if changed else t("preset_unchanged"))
    else:
        status = t("preset_custom")
    notes = tuple(cards.flag_note(t, flag) for flag in res.flags)  # the board words them the same
    with slots["cards"]:  # status line, cards and notes: one element a move
        cards.goal_cards(t, base, res, trend_res, ens, status=status, notes=notes)
    for name, slot in chart_slots:
        with slot:
            _chart_block(name, doc_json, trend_json, real, shares, res, trend_res)
    with slots["feasibility"]:  # filled after the charts: its ensemble is the slowest part of a move
        feasibility_row.render(t, base, doc_json, BASE_KEY)
    if "monitor" in slots and st.session_state.get("actuals_json"):
        # Actuals come and go by an upload or a clear, both whole runs: fragment and whole run write here alike.
        with slots["monitor"]:
            # Name the preset only while the settings are still the preset's.
            monitor.results(t, ens, preset_label if preset and not changed else t("scenario.current"))


def _chart_block(name: str, doc_json: str, trend_json: str, real: bool, shares: bool, res, trend_res) -> None:
    """One chart and its note, under the title drawn by the whole run (``charts.chart_title_slot``)."""
    spec = chart_spec(name, doc_json, trend_json, t.lang, real, shares, BASE_KEY,
                      st.session_state.get("actuals_json", ""))
    specs = spec if isinstance(spec, tuple) else (spec,)  # value added: two panels
    for sub_col, one in zip(st.columns(len(specs)) if len(specs) > 1 else [st], specs):
        if present:  # larger type, and a plot that keeps cards and chart on a 1280×720 projector screen
            one = {**charts.for_projector(one), "height": PRESENT_CHART_HEIGHT}
        elif phone:  # a shorter plot keeps the main chart on a phone's first screen, under the cards
            one = {**one, "height": PHONE_CHART_HEIGHT}
        sub_col.vega_lite_chart(one, width="stretch")
    if real and name in ("contrib", "invest"):  # no investment price index; the gain's price part is nominal by nature
        st.caption(t("chart.nominal_note"))
    _chart_note(name, res, trend_res)


def _chart_note(name: str, res, trend_res) -> None:
    if name == "contrib":
        short = res.goals.goals[0].target_year
        st.caption(" ".join((t("contrib_note"), charts.gain_parts_text(t, res, short),
                             t("contrib_price", year=short, items=charts.channel_prices(t, res, short)))))
    elif name == "va":
        rate = 100 * res.value_added.sum(axis=0) / res.total
        st.caption(t("va_summary", va=t.money(res.value_added.sum(axis=0)[-1]), rate=t.pct(rate[-1]), rate0=t.pct(rate[0])))
    elif name == "invest":
        k = int(np.searchsorted(res.years, res.plan[1]))  # to the end of the plan
        st.caption(t("invest_summary", y1=int(res.years[k]), c1=t.money(res.cumulative_investment[k]),
                     c2=t.money(res.cumulative_investment[-1]), b2=t.money(trend_res.cumulative_investment[-1]),
                     icor=t.num(res.icor[-1], 1), items=charts.channel_prices(t, res, int(res.years[-1]))))


live()
FULL_RUN = False

if open_tab == "tools":
    with tab_tools:
        tools.render(base, t, BASE_KEY)
elif open_tab == "compare":
    with tab_compare:
        compare.render(base, t, BASE_KEY)
elif open_tab == "model":
    with tab_model:
        model_page.render(base, t, get_baseline(baseline_key(DATA_DIR)))

st.caption(t("footer", sources="; ".join(s.publisher for s in list(base.sources.values())[:3])))
