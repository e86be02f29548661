"""``?room=CODE&key=SECRET``: the facilitator's board, for a projector; it refreshes itself.

Everything that changes while people work (counts, predictions, plans) is drawn in one fragment
that reruns every ``REFRESH_S`` seconds; the facilitator's buttons live in it too, so a click shows
its effect at once. The model's answer to the prediction question is not computed into the page
until the facilitator reveals it.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import segno
import streamlit as st

from model import SPEC_BY_NAME
from model.reports.document import docx_to_pdf, soffice
from workshop import WorkshopError
from workshop.analysis import CHANCE_RUNS, best_plan, median_plan, model_answer, plan_feasibility, plan_outcomes
from workshop.export import csv_bytes, room_tables, xlsx_bytes
from workshop.report import workshop_docx
from workshop.rooms import plan_document
from workshop.store import Snapshot, Store

from ..cards import flag_note, goal_card
from ..charts import spec_of
from ..compare import goals_table, scenarios_chart
from ..compute import canonical, compute
from ..feasibility import CARDS, feasibility_cards, short_verdict
from .common import (LOG, Context, database_down, facilitator_url, language_switch, local_warning, page_style,
                     participant_url, prediction_question, show_error, show_prediction, text)

#: Seconds between two refreshes of the board: fresh enough for a room, light for the server.
REFRESH_S = 3.0
#: The QR code's side on the board, px: readable from the back of a room on a projector, and leaves
#: the counts and predictions beside it on a 1080-pixel screen.
QR_WIDTH = 340
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(max_entries=64, show_spinner=False)
def qr_png(url: str) -> bytes:
    """The participant link as a QR code (error correction M: survives a projector's glare)."""
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=12, border=2)
    return buf.getvalue()


def render(ctx: Context) -> None:
    t, store = ctx.t, ctx.store
    st.set_page_config(page_title=t("ws.board.page"), page_icon="🏭", layout="wide")
    page_style()
    code, key = str(st.query_params.get("room", "")), str(st.query_params.get("key", ""))
    head, lang = st.columns([6, 1])
    with lang:
        language_switch(t)
    try:
        room = store.check_key(code, key)
    except WorkshopError as exc:
        if not database_down(t, exc, lambda: store.check_key(code, key)):
            show_error(t, exc)
        return
    with head:
        st.markdown(f'<h1 style="padding-top:0">{text(room.spec.title)}</h1>', unsafe_allow_html=True)
        if room.spec.question:
            st.markdown(f'<div class="ws-question">{text(room.spec.question)}</div>', unsafe_allow_html=True)
    live(ctx, room.code, key)


# --------------------------------------------------------------------------- facilitator actions
def _act(store: Store, code: str, key: str, action: str) -> None:
    try:
        if action == "reveal":
            store.reveal(code, key, True)
        elif action == "hide":
            store.reveal(code, key, False)
        elif action == "delete":
            store.delete_room(code, key)
        else:
            store.set_status(code, key, action)
    except WorkshopError as exc:
        st.session_state["_ws_board_error"] = exc


def _export(store: Store, ctx_base, code: str, key: str, lang: str, kind: str) -> bytes:
    """Built when the button is clicked (outside the script run: everything comes in as arguments)."""
    if kind in ("docx", "pdf"):  # the report for the follow-up (汇报材料)
        docx = workshop_docx(store.snapshot(code, key), ctx_base, lang)
        return docx if kind == "docx" else docx_to_pdf(docx)
    tables = room_tables(store.snapshot(code, key), ctx_base, lang, store.settings.timezone)
    return xlsx_bytes(tables) if kind == "xlsx" else csv_bytes(tables)


@st.fragment(run_every=REFRESH_S)
def live(ctx: Context, code: str, key: str) -> None:
    """The board's changing part. Guarded here: a fragment's rerun runs outside the page's guard, and the
    app's generic message would print the URL, which holds the facilitator key, on the projector."""
    try:
        _live(ctx, code, key)
    except Exception:  # noqa: BLE001 — the log keeps the traceback
        LOG.exception("workshop board failed")
        show_error(ctx.t, WorkshopError("page"))


def _live(ctx: Context, code: str, key: str) -> None:
    t, store, base = ctx.t, ctx.store, ctx.base
    try:
        snap = store.snapshot(code, key)
    except WorkshopError as exc:  # deleted meanwhile (here or by the command line), or the database is down
        show_error(t, WorkshopError("db_waiting", s=f"{REFRESH_S:g}") if exc.key == "db_down" else exc)
        return
    err = st.session_state.pop("_ws_board_error", None)
    if err is not None:
        show_error(t, err)
    room = snap.room
    left, right = st.columns([1, 2.6], gap="large")
    with left:
        url = participant_url(room.code, room.spec.public_url)
        local_warning(t, url)
        st.image(qr_png(url), width=QR_WIDTH)
        st.markdown(f'<div class="ws-small">{text(t("ws.board.code"))}</div><div class="ws-code" data-testid="ws-code">'
                    f'{text(room.code)}</div><div class="ws-link" data-testid="ws-participant-url">{text(url)}</div>',
                    unsafe_allow_html=True)
        with st.expander(t("ws.board.facilitator_link")):
            st.code(facilitator_url(room.code, key), language=None, wrap_lines=True)
            st.caption(t("ws.board.facilitator_link_help"))
    with right:
        _counts_and_controls(ctx, snap, code, key)
        _predictions(ctx, snap, code, key)
    _plans(ctx, snap)


def _counts_and_controls(ctx: Context, snap: Snapshot, code: str, key: str) -> None:
    t, store, room = ctx.t, ctx.store, snap.room
    cells = [(t("ws.board.joined"), snap.joined), (t("ws.board.predicted"), len(snap.predicted)),
             (t("ws.board.submitted"), len(snap.submitted))]
    html_counts = "".join(f'<div style="flex:1"><div class="ws-count" data-testid="ws-count-{i}">{n}</div>'
                          f'<div class="ws-count-label">{text(label)}</div></div>' for i, (label, n) in enumerate(cells))
    status = f'<span class="ws-status ws-status-{room.status}" data-testid="ws-status">{text(t(f"ws.status.{room.status}"))}</span>'
    st.markdown(f'<div style="display:flex;gap:1rem;align-items:flex-end">{html_counts}'
                f'<div style="flex:1">{status}</div></div>', unsafe_allow_html=True)
    c = st.columns(5)
    if room.status == "open":
        c[0].button(t("ws.board.lock"), key="ws_lock", on_click=_act, args=(store, code, key, "locked"), width="stretch",
                    icon=":material/lock:")
    else:
        c[0].button(t("ws.board.reopen"), key="ws_reopen", on_click=_act, args=(store, code, key, "open"), width="stretch",
                    icon=":material/lock_open:")
    if room.revealed:
        c[1].button(t("ws.board.hide"), key="ws_hide", on_click=_act, args=(store, code, key, "hide"), width="stretch")
    else:
        c[1].button(t("ws.board.reveal"), key="ws_reveal", on_click=_act, args=(store, code, key, "reveal"),
                    width="stretch", type="primary", icon=":material/visibility:")
    c[2].button(t("ws.board.archive"), key="ws_archive", on_click=_act, args=(store, code, key, "archived"),
                width="stretch", disabled=room.status == "archived", icon=":material/inventory_2:")
    lang = t.lang
    c[3].download_button(t("ws.board.export_xlsx"), data=functools.partial(_export, store, ctx.base, code, key, lang, "xlsx"),
                         file_name=f"workshop_{room.code}_{lang}.xlsx", mime=XLSX_MIME, on_click="ignore",
                         key="ws_export_xlsx", width="stretch", icon=":material/download:")
    c[4].download_button(t("ws.board.export_csv"), data=functools.partial(_export, store, ctx.base, code, key, lang, "csv"),
                         file_name=f"workshop_{room.code}_{lang}.csv", mime="text/csv", on_click="ignore",
                         key="ws_export_csv", width="stretch", icon=":material/download:")
    d = st.columns(5)  # the report, under the other exports
    d[3].download_button(t("report.ws.download_docx"), data=functools.partial(_export, store, ctx.base, code, key, lang, "docx"),
                         file_name=f"workshop_{room.code}_{lang}.docx", on_click="ignore", key="ws_report_docx",
                         mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                         width="stretch", icon=":material/description:")
    if soffice() is not None:
        d[4].download_button(t("report.ws.download_pdf"), data=functools.partial(_export, store, ctx.base, code, key, lang, "pdf"),
                             file_name=f"workshop_{room.code}_{lang}.pdf", mime="application/pdf", on_click="ignore",
                             key="ws_report_pdf", width="stretch", icon=":material/picture_as_pdf:")
    with st.expander(t("ws.board.delete")):
        sure = st.checkbox(t("ws.board.delete_confirm"), key="ws_delete_sure")
        st.button(t("ws.board.delete_button"), key="ws_delete", disabled=not sure, on_click=_act,
                  args=(store, code, key, "delete"), icon=":material/delete:")


# --------------------------------------------------------------------------- predictions
def prediction_bins(kind: str, values: np.ndarray, answer: float | None, first: int, end: int
                    ) -> pd.DataFrame:
    """Counts of predictions per bin (``label``, ``order``, ``count``, ``answer``: the bin holds the model's answer).

    Years: one bin per year and one for "later"; chances: ten 10-point bins; values: ten equal
    bins over the predictions (and the answer once revealed).
    """
    if kind == "year":
        edges = np.arange(first, end + 3) - 0.5
        labels = [str(y) for y in range(first, end + 1)] + [f">{end}"]
    elif kind == "chance":
        edges = np.array([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.0001])
        labels = [f"{int(a)}–{int(min(b, 100))}%" for a, b in zip(edges[:-1], edges[1:])]
    else:
        pool = np.concatenate([values, [answer] if answer is not None else []])
        lo, hi = (float(pool.min()), float(pool.max())) if pool.size else (0.0, 1.0)
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi * (1 + 1e-9) + 1e-9, 11)
        labels = [f"{a:,.0f}–{b:,.0f}" for a, b in zip(edges[:-1], edges[1:])]
    counts, _ = np.histogram(values, bins=edges)
    holds = np.zeros(len(labels), dtype=bool)
    if answer is not None:
        holds[int(np.clip(np.searchsorted(edges, answer, side="right") - 1, 0, len(labels) - 1))] = True
    return pd.DataFrame({"label": labels, "order": np.arange(len(labels)), "count": counts, "answer": holds})


def _predictions(ctx: Context, snap: Snapshot, code: str, key: str) -> None:
    t, base, spec = ctx.t, ctx.base, snap.room.spec
    goal = {g.id: g for g in base.goals}[spec.focus]
    st.markdown(f"#### {t('ws.board.predictions')}")
    st.markdown(f'<div class="ws-question">{text(prediction_question(t, base, spec))}</div>', unsafe_allow_html=True)
    values = np.array([p.prediction for p in snap.predicted], dtype=float)
    answer = model_answer(base, spec) if snap.room.revealed else None
    factor = t.money_factor if spec.prediction == "value" and goal.metric in ("total_multiple", "cluster_total") else 1.0
    bins = prediction_bins(spec.prediction, values * factor, None if answer is None else answer * factor,
                           base.base_year + 1, base.end_year)
    colour = (alt.condition("datum.answer", alt.value("#17427a"), alt.value("#9fb7d3")) if answer is not None
              else alt.value("#9fb7d3"))
    chart = alt.Chart(bins).mark_bar().encode(
        x=alt.X("label:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelAngle=0, labelFontSize=13)),
        y=alt.Y("count:Q", title=t("ws.board.people"), axis=alt.Axis(tickMinStep=1, format="d")),
        color=colour, tooltip=[alt.Tooltip("label:N", title=t("ws.board.bin")), alt.Tooltip("count:Q", title=t("ws.board.people"))])
    a, b = st.columns([2, 1])
    with a:
        st.vega_lite_chart(spec_of(chart, height=220), width="stretch")
    with b:
        if values.size:
            med = show_prediction(t, spec.prediction, goal, float(np.median(values)), base.end_year)
            st.markdown(f'<div class="ws-small">{text(t("ws.board.median_prediction"))}</div>'
                        f'<div class="ws-count" style="font-size:1.8rem">{text(med)}</div>', unsafe_allow_html=True)
        if answer is None:
            st.markdown(f'<div class="ws-hidden" data-testid="ws-answer-hidden">{text(t("ws.board.answer_hidden"))}</div>',
                        unsafe_allow_html=True)
        else:
            shown = show_prediction(t, spec.prediction, goal, answer, base.end_year)
            st.markdown(f'<div class="ws-answer" data-testid="ws-answer">{text(t("ws.board.answer", answer=shown))}</div>',
                        unsafe_allow_html=True)
            if values.size:
                closer = _within(spec.prediction, values, answer)
                st.caption(t(f"ws.board.close.{spec.prediction}", k=closer, n=values.size))


#: "Close to the model" for the reveal's one-line summary: ±1 year, ±10 chance points, ±10 %.
def _within(kind: str, values: np.ndarray, answer: float) -> int:
    if kind == "year":
        return int(np.sum(np.abs(values - answer) <= 1))
    if kind == "chance":
        return int(np.sum(np.abs(values - answer) <= 10))
    return int(np.sum(np.abs(values - answer) <= 0.1 * abs(answer)))


# --------------------------------------------------------------------------- plans
@dataclass(frozen=True)
class _Chances:
    """What the Compare view reads of an ensemble: the chance of each goal."""

    probability: np.ndarray


def _plans(ctx: Context, snap: Snapshot) -> None:
    t, base, spec = ctx.t, ctx.base, snap.room.spec
    st.markdown(f"### {t('ws.board.plans')}")
    subs = snap.submitted
    if not subs:
        st.markdown(f'<div class="ws-note">{text(t("ws.board.no_plans"))}</div>', unsafe_allow_html=True)
        return
    people = [p.name or t("ws.anon", n=snap.participants.index(p) + 1) for p in subs]
    plans = [p.plan for p in subs]
    med = median_plan(spec, plans)
    out = plan_outcomes(base, spec, plans + [med])
    best = best_plan(spec, out.head(len(plans)))
    goals = {g.id: g for g in base.goals}
    j_focus = out.goal_ids.index(spec.focus)
    feas = [plan_feasibility(base, spec, p) for p in plans + [med]] if snap.room.revealed else []

    a, b = st.columns(2, gap="large")
    with a:
        st.markdown(f"**{t('ws.board.spreads')}**")
        st.vega_lite_chart(_spread_chart(t, spec, out, people), width="stretch")
    with b:
        if not snap.room.revealed:  # every outcome of a plan near the starting settings would give the answer away
            st.markdown(f'<div class="ws-hidden" data-testid="ws-outcomes-hidden">{text(t("ws.board.outcomes_hidden"))}</div>',
                        unsafe_allow_html=True)
            return
        st.markdown(f"**{t('ws.board.chances')}**")
        st.vega_lite_chart(_chance_chart(t, out, people, goals), width="stretch")
        met = out.met[:-1].sum(axis=0)
        table = pd.DataFrame({
            t("ws.board.goal"): [goals[g].name(t.lang) for g in out.goal_ids],
            t("ws.board.plans_meeting"): [f"{int(m)} / {len(subs)}" for m in met],
            t("ws.board.median_chance"): [t.pct(100 * float(np.median(out.chance[:-1, j])), 0) for j in range(len(out.goal_ids))],
            t("ws.board.median_plan_chance"): [t.pct(100 * float(out.chance[-1, j]), 0) for j in range(len(out.goal_ids))]})
        st.dataframe(table, hide_index=True, width="stretch")

    c, d = st.columns(2, gap="large")
    with c:
        st.markdown(f"**{t('ws.board.median_plan')}** · {t('ws.board.median_plan_help')}")
        st.markdown(_lever_line(t, spec, med), unsafe_allow_html=True)
        doc_json = canonical(plan_document(spec, base, med))
        res, base_res = compute(doc_json, ctx.base_key), compute(canonical({}), ctx.base_key)
        if res.flags:
            st.markdown(_notes(t, res.flags, "ws-median-notes"), unsafe_allow_html=True)
        cols = st.columns(2)
        for j in range(len(out.goal_ids)):
            with cols[j % 2]:
                st.markdown(goal_card(t, base, j, res, base_res, float(out.chance[-1, j]), CHANCE_RUNS),
                            unsafe_allow_html=True)
        if feas[-1] is not None:
            st.markdown(f'<div data-testid="ws-median-feasibility">{feasibility_cards(t, feas[-1])}</div>',
                        unsafe_allow_html=True)
    with d:
        st.markdown(f"**{t('ws.board.best')}** · {t('ws.board.best_help', goal=goals[spec.focus].name(t.lang))}")
        p = subs[best]
        verdict = t("met") if out.met[best, j_focus] else t("not_met")
        # The main page's plausibility notes for the same settings: a plan is not praised for 35 %/yr more
        # investment without saying that no district has sustained it.
        flags = compute(canonical(plan_document(spec, base, p.plan)), ctx.base_key).flags
        st.markdown(f'<div class="ws-plan" data-testid="ws-best"><span class="ws-name">{text(people[best])}</span> · '
                    f'{text(verdict)} · {text(t("ws.board.chance_of", p=t.pct(100 * float(out.chance[best, j_focus]), 0)))} · '
                    f'{text(t("ws.board.investment", year=goals[spec.focus].target_year, value=t.money(float(out.investment[best]))))}'
                    f'{_feasibility_line(t, feas[best])}'
                    f'<br>{_lever_line(t, spec, p.plan)}<br><span class="ws-reason">{text(p.reason)}</span>'
                    f'{_notes(t, flags, "ws-best-notes")}</div>', unsafe_allow_html=True)
        st.markdown(f"**{t('ws.board.all_plans')}**")
        rows = pd.DataFrame({
            t("ws.x.participant"): people,
            **{t(f"lever.{k}"): out.values[:-1, i] for i, k in enumerate(out.levers)},
            t("ws.board.focus_chance"): np.round(100 * out.chance[:-1, j_focus], 0),
            **{t(f"ws.board.feas.{name}"): [short_verdict(t, f, name) if f is not None else "–" for f in feas[:-1]]
               for name, _ in CARDS},
            t("ws.x.reason"): [p.reason for p in subs]})
        st.dataframe(rows, hide_index=True, width="stretch", height=260)

    st.markdown(f"**{t('ws.board.side_by_side')}**")
    labels = [f"{i + 1}. {n}" for i, n in enumerate(people)] + [t("ws.median_plan")]
    s1, s2 = st.columns(2)
    first = s1.selectbox(t("ws.board.plan_a"), range(len(labels)), index=best, format_func=labels.__getitem__,
                         key="ws_cmp_a")
    second = s2.selectbox(t("ws.board.plan_b"), range(len(labels)), index=len(labels) - 1,
                          format_func=labels.__getitem__, key="ws_cmp_b")
    chosen = {labels[i]: i for i in dict.fromkeys((first, second))}
    results = {}
    for label, i in chosen.items():
        plan = med if i == len(subs) else plans[i]
        results[label] = (compute(canonical(plan_document(spec, base, plan)), ctx.base_key), _Chances(out.chance[i]))
    e, f = st.columns([3, 2], gap="large")
    e.vega_lite_chart(scenarios_chart(results, t), width="stretch")
    chosen_feas = {label: feas[i] for label, i in chosen.items() if feas[i] is not None}
    f.dataframe(goals_table(results, t, chosen_feas or None), width="stretch")


def _feasibility_line(t, f) -> str:
    """The plan's three feasibility verdicts in one line ("财政 ✔ 100% · 能源 ✘ 12% · 土地 ✔ 100%")."""
    if f is None:
        return ""
    items = " · ".join(f"{text(t(f'ws.board.feas.{name}'))} {text(short_verdict(t, f, name))}" for name, _ in CARDS)
    return f'<br><span class="ws-small" data-testid="ws-best-feasibility">{items}</span>'


def _notes(t, flags, testid: str) -> str:
    """A highlighted plan's plausibility notes (``model`` ``ScenarioResults.flags``), as escaped text."""
    items = "".join(f"<li>{text(flag_note(t, f))}</li>" for f in flags)
    return f'<ul class="ws-flags" data-testid="{testid}">{items}</ul>' if items else ""


def _lever_line(t, spec, plan: dict) -> str:
    parts = []
    for k in spec.lever_ids():
        unit = t.unit(SPEC_BY_NAME[k].unit_en)
        parts.append(f"{text(t(f'lever.{k}'))} <b>{plan[k]:g}</b>{text(unit) if t.lang == 'zh' else ' ' + text(unit)}")
    return '<span class="ws-small">' + " · ".join(parts) + "</span>"


def _spread_chart(t, spec, out, people: list[str]) -> dict:
    """Each lever's submitted values on its room range (one row per lever), the median plan as a diamond."""
    rows = []
    for i, k in enumerate(out.levers):
        r = spec.levers[k]
        unit = t.unit(SPEC_BY_NAME[k].unit_en)
        rng = f"{r.lo:g}–{r.hi:g}"
        label = t(f"lever.{k}") + (f"（{rng} {unit}）" if t.lang == "zh" else f" ({rng} {unit})".replace(" )", ")"))
        for n in range(out.n):
            v = float(out.values[n, i])
            rows.append({"lever": label, "pos": (v - r.lo) / (r.hi - r.lo), "value": v,
                         "who": people[n] if n < len(people) else t("ws.median_plan"), "median": n == out.n - 1})
    df = pd.DataFrame(rows)
    base = alt.Chart(df).encode(
        y=alt.Y("lever:N", title=None, sort=None, axis=alt.Axis(labelLimit=360, labelFontSize=13)),
        x=alt.X("pos:Q", scale=alt.Scale(domain=[0, 1]), title=t("ws.board.range_axis"), axis=alt.Axis(format="%", values=[0, .25, .5, .75, 1])),
        tooltip=[alt.Tooltip("who:N", title=t("ws.x.participant")), alt.Tooltip("value:Q", title=t("ws.x.value"))])
    ticks = base.transform_filter("!datum.median").mark_tick(thickness=3, size=26, opacity=0.55, color="#1f5fa8")
    median = base.transform_filter("datum.median").mark_point(shape="diamond", size=220, filled=True, color="#c0392b")
    return spec_of(alt.layer(ticks, median), height=max(140, 48 * len(out.levers)))


def _chance_chart(t, out, people: list[str], goals: dict) -> dict:
    """Each goal's chance under every plan (dots) and under the median plan (diamond), 0–100 %."""
    rows = []
    for j, gid in enumerate(out.goal_ids):
        for n in range(out.n):
            rows.append({"goal": goals[gid].name(t.lang), "chance": 100 * float(out.chance[n, j]),
                         "who": people[n] if n < len(people) else t("ws.median_plan"), "median": n == out.n - 1})
    df = pd.DataFrame(rows)
    base = alt.Chart(df).encode(
        y=alt.Y("goal:N", title=None, sort=None, axis=alt.Axis(labelLimit=260, labelFontSize=13)),
        x=alt.X("chance:Q", scale=alt.Scale(domain=[0, 100]), title=t("ws.board.chance_axis")),
        tooltip=[alt.Tooltip("who:N", title=t("ws.x.participant")), alt.Tooltip("chance:Q", title="%", format=".0f")])
    dots = base.transform_filter("!datum.median").mark_circle(size=90, opacity=0.5, color="#1f5fa8")
    median = base.transform_filter("datum.median").mark_point(shape="diamond", size=220, filled=True, color="#c0392b")
    return spec_of(alt.layer(dots, median), height=max(140, 40 * len(out.goal_ids)))
