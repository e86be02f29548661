"""``?workshop=new``: the facilitator sets up a room and is taken to its board."""

from __future__ import annotations

import streamlit as st

from model import SPEC_BY_NAME, lever_bounds
from workshop import PREDICTION_KINDS, WorkshopError, parse_room_spec
from workshop.rooms import QUESTION_MAX, ROOM_LEVERS, TITLE_MAX, clean_public_url

from .common import Context, language_switch, local_warning, origin, page_style, show_error, slider_format


def _create(ctx: Context) -> None:
    ss = st.session_state
    doc = {"title": ss.get("ws_title", ""), "question": ss.get("ws_question", ""), "focus": ss.get("ws_focus"),
           "preset": ss.get("ws_preset"), "prediction": ss.get("ws_prediction"), "ask_names": bool(ss.get("ws_names")),
           "public_url": ss.get("ws_public_url", ""),
           "levers": {k: {"lo": ss[f"ws_range_{k}"][0], "hi": ss[f"ws_range_{k}"][1]}
                      for k in ss.get("ws_levers", [])}}
    try:
        spec = parse_room_spec(doc, ctx.base)
        room = ctx.store.create_room(spec, create_key=ss.get("ws_create_key", ""))
    except WorkshopError as exc:
        ss["_ws_create_error"] = exc
        return
    st.query_params.from_dict({"room": room.code, "key": room.key, "lang": ctx.t.lang})


def _address(ctx: Context) -> None:
    """The address participants will open (the QR code and the printed link): the deployment's
    ``WORKSHOP_PUBLIC_URL``, else the address this page was opened at, to be confirmed or corrected —
    with a warning when it names this computer only (localhost, 127.0.0.1)."""
    t = ctx.t
    if "ws_public_url" not in st.session_state:
        try:
            st.session_state["ws_public_url"] = ctx.store.settings.public_url or clean_public_url(origin())
        except WorkshopError:  # an address the browser used but we would refuse: let the person type one
            st.session_state["ws_public_url"] = ""
    # No max_chars: the browser would cut a long paste silently; clean_public_url refuses it with a message.
    st.text_input(t("ws.public_url"), key="ws_public_url", help=t("ws.public_url_help"))
    if not st.session_state["ws_public_url"].strip():
        return  # the board will use the address it is opened at
    try:
        url = clean_public_url(st.session_state["ws_public_url"])
    except WorkshopError as exc:
        show_error(t, exc)
        return
    local_warning(t, url)


def render(ctx: Context) -> None:
    t, base = ctx.t, ctx.base
    st.set_page_config(page_title=t("ws.create.title"), page_icon="🏭", layout="centered")
    page_style()
    language_switch(t)
    st.title(t("ws.create.title"))
    st.caption(t("ws.create.help"))
    st.text_input(t("ws.title"), key="ws_title", max_chars=TITLE_MAX, placeholder=t("ws.create.title_example"))
    st.text_area(t("ws.question"), key="ws_question", max_chars=QUESTION_MAX, height=80,
                 placeholder=t("ws.create.question_example"))
    goals = {g.id: g for g in base.goals}
    st.selectbox(t("ws.focus"), list(goals), key="ws_focus", format_func=lambda g: goals[g].name(t.lang),
                 help=t("ws.focus_help"))
    focus = goals[st.session_state["ws_focus"]]
    kinds = [k for k in PREDICTION_KINDS if not (k == "year" and focus.metric == "min_growth")]
    st.radio(t("ws.prediction"), kinds, key="ws_prediction",
             format_func=lambda k: t(f"ws.predict.{k}", goal=focus.name(t.lang), year=focus.target_year))
    presets = list(base.presets)
    st.selectbox(t("ws.preset"), presets, key="ws_preset", index=presets.index("trend") if "trend" in presets else 0,
                 format_func=lambda p: base.preset_name(p, t.lang),
                 help=t("ws.preset_help"))
    st.multiselect(t("ws.levers"), list(ROOM_LEVERS), default=list(ROOM_LEVERS), key="ws_levers",
                   format_func=lambda k: t(f"lever.{k}"), help=t("ws.levers_help"))
    bounds = lever_bounds(base)
    for k in st.session_state.get("ws_levers", []):
        lo, hi = bounds[k]
        st.slider(t("ws.range", lever=t(f"lever.{k}"), unit=t.unit(SPEC_BY_NAME[k].unit_en)),
                  min_value=float(lo), max_value=float(hi), value=(float(lo), float(hi)),
                  step=SPEC_BY_NAME[k].step, key=f"ws_range_{k}", format=slider_format(k))
    st.checkbox(t("ws.ask_names"), value=True, key="ws_names", help=t("ws.ask_names_help"))
    _address(ctx)
    if ctx.store.settings.create_key:
        st.text_input(t("ws.create.key"), key="ws_create_key", type="password", help=t("ws.create.key_help"))
    err = st.session_state.pop("_ws_create_error", None)
    if err is not None:
        show_error(t, err)
    st.button(t("ws.create.button"), type="primary", key="ws_create", on_click=_create, args=(ctx,), width="stretch")
    st.caption(t("ws.create.privacy", hours=f"{ctx.store.settings.room_ttl_hours:g}",
                 n=ctx.store.settings.max_participants))
