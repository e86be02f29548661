"""``?room=CODE``: a participant joins, predicts, sets levers and submits a plan.

No model output reaches the page before the facilitator reveals the model's answer on the board: the
goal cards and the chart of a plan near the starting settings would answer the room's question.
After the reveal the page shows the plan's goal cards and chart as the levers move.

The participant's secret token is kept in the link (``&p=…``) once they joined, so a reload or a
phone that went to sleep comes back to the same person, without cookies or accounts. The same holds
when their app server goes away (several servers behind a proxy, ``deploy/``): the browser reconnects
to another server, which has a fresh session but reads the person back from the link and the
database, and says so (:func:`_reconnected`). Nothing a person submitted lives only in the session.
"""

from __future__ import annotations

import streamlit as st

from model import SPEC_BY_NAME, SimulatorError
from workshop import WorkshopError
from workshop.analysis import CHANCE_RUNS, model_answer, plan_chances
from workshop.rooms import NAME_MAX, REASON_MAX, plan_document, start_values
from workshop.store import ParticipantView, RoomView

from ..cards import goal_card
from ..charts import chart_spec
from ..compute import canonical, compute
from .common import (RETRY_S, Context, database_down, language_switch, page_style, prediction_question, show_error,
                     retry_until, show_prediction, slider_format, text, value_unit)

#: Seconds between two looks at the room's status (lock, reveal). A page with a self-refreshing
#: fragment is also rerun by Streamlit's frontend as soon as it reconnects, which is what moves a
#: participant whose server went away onto a live session at once (not at their next click, which
#: a fresh session would drop: its buttons' callbacks are registered by a run it has not had).
POLL_S = 10.0
#: Set in the first run of every session: a session that starts with a valid token in the link is
#: a participant coming back (reload, phone woken up, or a new server after theirs went away).
SESSION_SEEN = "_ws_session_seen"
#: The room and the participant as last read from the database: ``(code or token, view)``.
LAST_ROOM, LAST_ME = "_ws_last_room", "_ws_last_me"

#: The chart a participant sees for each kind of focus goal (one chart: a phone has room for one).
CHART_FOR_METRIC = {"total_multiple": "total", "cluster_total": "cluster", "advanced_share": "sectors", "high_tech_share": "sectors",
                    "min_growth": "total"}


def _header(t, room: RoomView) -> None:
    st.markdown(f'<h2 style="margin-bottom:0">{text(room.spec.title)}</h2>', unsafe_allow_html=True)
    if room.spec.question:
        st.markdown(f'<div class="ws-question">{text(room.spec.question)}</div>', unsafe_allow_html=True)


def render(ctx: Context) -> None:
    t, store = ctx.t, ctx.store
    st.set_page_config(page_title=t("ws.participant.page"), page_icon="🏭", layout="centered")
    page_style()
    language_switch(t)
    code = str(st.query_params.get("room", ""))
    down = False  # the database stopped answering: the page goes on from what this session last read
    try:
        room = store.room(code)
    except WorkshopError as exc:
        room = _last_seen(exc, LAST_ROOM, code)
        if room is None:
            st.subheader(t("ws.participant.page"))
            if not database_down(t, exc, lambda: store.room(code)):
                show_error(t, exc)
            return
        down = True
    st.session_state[LAST_ROOM] = (code, room)
    _header(t, room)
    returning = SESSION_SEEN not in st.session_state
    st.session_state[SESSION_SEEN] = True
    token = st.query_params.get("p")
    me = None
    if token:
        try:
            me = store.me(room.code, token)
        except WorkshopError as exc:
            me = _last_seen(exc, LAST_ME, token)
            if me is None:
                if database_down(t, exc, lambda: store.me(room.code, token)):
                    return  # the token stays in the link: the person is still who they were
                show_error(t, exc)
                st.query_params.pop("p", None)
            else:
                down = True
        st.session_state[LAST_ME] = (token, me)
    if down:
        show_error(t, WorkshopError("db_waiting", s=f"{RETRY_S:g}"))
    if me is not None and returning:
        _reconnected(t, me)
    msg = st.session_state.pop("_ws_msg", None)
    if me is None:
        _join(ctx, room, msg)
    elif me.prediction is None:
        _predict(ctx, room, token, msg)
    else:
        _explore(ctx, room, me, token, msg)
    if down:  # back as soon as the database answers, without a reload; what was typed is still in the form
        retry_until(lambda: store.me(room.code, token) if token else store.room(code))
    else:
        _watch_room(store, room.code, (room.status, room.revealed))


def _last_seen(exc: WorkshopError, slot: str, ident: str):
    """What this session last read into ``slot`` for ``ident``, when ``exc`` says the database is down: the
    page stays drawn (with the person's unsent input in its widgets) instead of turning into a notice."""
    last = st.session_state.get(slot)
    if exc.key == "db_down" and last is not None and last[0] == ident and last[1] is not None:
        return last[1]
    return None


def _reconnected(t, me: ParticipantView) -> None:
    """Tell a returning participant that who they are and what they submitted are kept."""
    if me.plan is not None:
        saved = t("ws.reconnected.submitted", n=me.revisions)
    elif me.prediction is not None:
        saved = t("ws.reconnected.predicted")
    else:
        saved = t("ws.reconnected.joined")
    st.markdown(f'<div class="ws-reconnect" role="status" data-testid="ws-reconnected">'
                f'{text(t("ws.reconnected", saved=saved))}</div>', unsafe_allow_html=True)


@st.fragment(run_every=POLL_S)
def _watch_room(store, code: str, shown: tuple[str, bool]) -> None:
    """Rerun the page when the facilitator locks, reopens or reveals (or the room goes away)."""
    try:
        room = store.room(code)
    except WorkshopError:
        st.rerun(scope="app")
    if (room.status, room.revealed) != shown:
        st.rerun(scope="app")


def _flash(t, msg) -> None:
    if msg is None:
        return
    if isinstance(msg, SimulatorError):
        show_error(t, msg)
    else:
        st.markdown(f'<div class="ws-ok">{text(t(msg))}</div>', unsafe_allow_html=True)


# --------------------------------------------------------------------------- join
def _do_join(ctx: Context, code: str) -> None:
    try:
        token = ctx.store.join(code, st.session_state.get("ws_name", ""))
    except WorkshopError as exc:
        st.session_state["_ws_msg"] = exc
        return
    st.query_params["p"] = token


def _join(ctx: Context, room: RoomView, msg) -> None:
    t = ctx.t
    if room.status != "open":
        show_error(t, WorkshopError("room_closed"))
        return
    st.markdown(f'<div class="ws-note">{text(t("ws.join.intro"))}</div>', unsafe_allow_html=True)
    if room.spec.ask_names:
        st.text_input(t("ws.join.name"), key="ws_name", help=t("ws.join.name_help", n=NAME_MAX))
    _flash(t, msg)
    st.button(t("ws.join.button"), type="primary", key="ws_join", on_click=_do_join, args=(ctx, room.code),
              width="stretch")
    st.caption(t("ws.join.privacy"))


# --------------------------------------------------------------------------- predict
def _goal(ctx: Context, room: RoomView):
    return {g.id: g for g in ctx.base.goals}[room.spec.focus]


def _do_predict(ctx: Context, room: RoomView, token: str, factor: float) -> None:
    value = st.session_state.get("ws_prediction_value")
    if value is None:
        st.session_state["_ws_msg"] = WorkshopError("need_prediction")
        return
    try:
        ctx.store.predict(room.code, token, float(value) / factor)
    except WorkshopError as exc:
        st.session_state["_ws_msg"] = exc


def _predict(ctx: Context, room: RoomView, token: str, msg) -> None:
    t, base, spec = ctx.t, ctx.base, room.spec
    goal = _goal(ctx, room)
    st.subheader(t("ws.step.predict"))
    st.markdown(f'<div class="ws-question">{text(prediction_question(t, base, spec))}</div>', unsafe_allow_html=True)
    st.caption(t("ws.predict.help"))
    factor = 1.0
    if spec.prediction == "year":
        years = list(range(base.base_year + 1, base.end_year + 2))
        st.selectbox(t("ws.predict.year_label"), years, index=None, key="ws_prediction_value",
                     placeholder=t("ws.predict.choose"),
                     format_func=lambda y: show_prediction(t, "year", goal, y, base.end_year))
    elif spec.prediction == "chance":
        st.slider(t("ws.predict.chance_label"), 0, 100, 50, 5, key="ws_prediction_value", format="%d%%")
    else:
        if goal.metric in ("total_multiple", "cluster_total"):
            factor = t.money_factor
        st.number_input(t("ws.predict.value_label", unit=value_unit(t, goal)), min_value=0.0, value=None,
                        key="ws_prediction_value", placeholder=t("ws.predict.type"))
    _flash(t, msg)
    st.button(t("ws.predict.button"), type="primary", key="ws_predict", on_click=_do_predict,
              args=(ctx, room, token, factor), width="stretch")


# --------------------------------------------------------------------------- explore and submit
def _plan_values(ctx: Context, room: RoomView) -> dict[str, float]:
    start = start_values(room.spec, ctx.base)
    return {k: float(st.session_state.get(f"ws_lever_{k}", start[k])) for k in room.spec.lever_ids()}


def _do_submit(ctx: Context, room: RoomView, token: str) -> None:
    try:
        ctx.store.submit(room.code, token, _plan_values(ctx, room), st.session_state.get("ws_reason", ""))
    except WorkshopError as exc:
        st.session_state["_ws_msg"] = exc
        return
    st.session_state["_ws_msg"] = "ws.submit.ok"


def _explore(ctx: Context, room: RoomView, me: ParticipantView, token: str, msg) -> None:
    t, base, spec = ctx.t, ctx.base, room.spec
    goal = _goal(ctx, room)
    you = show_prediction(t, spec.prediction, goal, me.prediction, base.end_year)
    if room.revealed:
        answer = show_prediction(t, spec.prediction, goal, model_answer(base, spec), base.end_year)
        st.markdown(f'<div class="ws-note" data-testid="ws-model-answer">'
                    f'{text(t("ws.revealed_you", answer=answer, you=you))}</div>', unsafe_allow_html=True)
    else:
        st.markdown(f'<div class="ws-note">{text(t("ws.predicted_you", you=you))}</div>', unsafe_allow_html=True)
    st.subheader(t("ws.step.explore"))
    st.caption(t("ws.explore.help" if room.revealed else "ws.explore.help_hidden"))
    # Sliders start at the participant's submitted plan, else at the room's starting settings.
    start = {**start_values(spec, base), **(me.plan or {})}
    closed = room.status != "open"
    for k in spec.lever_ids():
        r = spec.levers[k]
        s = SPEC_BY_NAME[k]
        unit = t.unit(s.unit_en)
        st.session_state.setdefault(f"ws_lever_{k}", float(start[k]))
        label = t(f"lever.{k}") + ((f"（{unit}）" if t.lang == "zh" else f" ({unit})") if unit else "")
        st.slider(label, min_value=float(r.lo), max_value=float(r.hi), step=s.step, key=f"ws_lever_{k}",
                  help=t(f"lever.{k}.help"), disabled=closed, format=slider_format(k))
    if room.revealed:
        _outcomes(ctx, room, goal)
    else:  # any model output near the starting settings would answer the room's question
        st.markdown(f'<div class="ws-hidden" data-testid="ws-results-hidden">{text(t("ws.explore.hidden"))}</div>',
                    unsafe_allow_html=True)
    _submit(ctx, room, me, token, msg)


def _outcomes(ctx: Context, room: RoomView, goal) -> None:
    """The plan's goal cards (the focus goal first) and the focus goal's chart: only after the reveal."""
    t, base, spec = ctx.t, ctx.base, room.spec
    plan = _plan_values(ctx, room)
    doc_json = canonical(plan_document(spec, base, plan))
    base_json = canonical({})
    res, base_res = compute(doc_json, ctx.base_key), compute(base_json, ctx.base_key)
    chances = plan_chances(base, spec, plan)
    order = sorted(range(len(res.goals.goals)), key=lambda j: res.goals.goals[j].id != spec.focus)
    st.markdown(goal_card(t, base, order[0], res, base_res, float(chances[order[0]]), CHANCE_RUNS),
                unsafe_allow_html=True)
    with st.expander(t("ws.other_goals")):
        for j in order[1:]:
            st.markdown(goal_card(t, base, j, res, base_res, float(chances[j]), CHANCE_RUNS), unsafe_allow_html=True)
    name = CHART_FOR_METRIC[goal.metric]
    st.markdown(f"**{t(f'chart.{name}')}**")
    st.vega_lite_chart(chart_spec(name, doc_json, base_json, t.lang, False, name == "sectors", ctx.base_key),
                       width="stretch")


def _submit(ctx: Context, room: RoomView, me: ParticipantView, token: str, msg) -> None:
    t = ctx.t
    closed = room.status != "open"
    st.subheader(t("ws.step.submit"))
    if closed:
        show_error(t, WorkshopError("room_closed"))
    if me.plan is not None:
        st.markdown(f'<div class="ws-plan" data-testid="ws-my-plan">{text(t("ws.submit.mine", n=me.revisions))}'
                    f'<br><span class="ws-reason">{text(me.reason)}</span></div>', unsafe_allow_html=True)
    if not closed:
        # The reason and the button in one form, so typing sends nothing until the click. Outside a form
        # the box lost focus on the press of the button, its rerun removed the last submission's "ws-ok"
        # line above the button, and the button moved up under the finger: the release landed beside it
        # and the click was lost without a word (the deploy kill test, once in eight runs; reproduced
        # by holding the press, test_workshop_browser).
        with st.form("ws_submit_form", border=False, enter_to_submit=False):
            # No max_chars: the browser would silently drop a long paste; the store refuses it with a message.
            st.text_input(t("ws.submit.reason"), key="ws_reason", value=me.reason,
                          help=t("ws.submit.reason_help", n=REASON_MAX), placeholder=t("ws.submit.reason_example"))
            _flash(t, msg)
            st.form_submit_button(t("ws.submit.update" if me.plan else "ws.submit.button"), type="primary",
                                  key="ws_submit", on_click=_do_submit, args=(ctx, room, token), width="stretch")
