"""Workshop pages, reached through the app's URL: ``?workshop=new`` (a facilitator creates a room),
``?room=CODE`` (a participant), ``?room=CODE&key=SECRET`` (the facilitator's board).

Wiring only: rooms, plans and exports live in the top-level ``workshop`` package.
"""

from __future__ import annotations

import streamlit as st

from workshop import WorkshopError

from ..reconnect import rerun_after_reconnect
from .common import requested

__all__ = ["render", "requested", "sidebar_link"]


def render(data_dir: str | None) -> None:
    """Draw the workshop page the URL asks for (the caller stops the script afterwards)."""
    from . import board, common, create, participant

    ctx = common.context(data_dir)
    if ctx is None:
        return
    qp = st.query_params
    try:
        if qp.get("room") is None:
            create.render(ctx)
            rerun_after_reconnect()  # the board and the participant page refresh themselves already
        elif qp.get("key") is not None:
            board.render(ctx)
        else:
            participant.render(ctx)
    except Exception:  # noqa: BLE001 — never a traceback on a participant's phone; the log keeps it
        common.LOG.exception("workshop page failed")
        common.show_error(ctx.t, WorkshopError("page"))


def sidebar_link(lang: str, label: str) -> None:
    """A link from the simulator's sidebar to the room-creation page."""
    st.link_button(label, f"?workshop=new&lang={lang}", width="stretch", icon=":material/groups:")
