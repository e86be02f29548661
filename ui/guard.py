"""Errors inside a fragment end as a message in the page language, never a traceback.

Streamlit draws a fragment's uncaught exception itself, so the guard must sit inside the fragment.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any, Callable

import streamlit as st
from streamlit.errors import StreamlitInvalidLayoutContextError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from .safe import say

LOG = logging.getLogger("zhoucun")


def slots_taken(exc: BaseException) -> bool:
    """Whether ``exc`` is a fragment rerun finding its slots outside the fragment taken by a newer run.

    A whole run requested while a fragment run computes (a tab click just after a slider move) starts
    at once in a new thread (Streamlit's ``fastReruns``) and resets the slots the whole run lays out; the
    old fragment run, told to stop, raises ``StreamlitInvalidLayoutContextError`` at its next write to
    one, before it reaches the point where it would notice the stop. Only a fragment rerun can raise it
    so: in a whole run the same error is a genuine layout bug, logged like any other.
    """
    ctx = get_script_run_ctx()
    return isinstance(exc, StreamlitInvalidLayoutContextError) and bool(ctx and ctx.fragment_ids_this_run)


def redraw_page() -> None:
    """End a fragment run whose slots were taken (``slots_taken``); the page redraws.

    The newer run draws the page, so the old one ends here: ``st.rerun`` finds its runner stopped and
    ends the thread at its next yield point. Without a newer run, the rerun redraws the whole page,
    which reserves the slots again (a whole run never loses them).
    """
    LOG.warning("a fragment run lost its slots to a newer whole run (a click during a move); the page redraws")
    st.rerun(scope="app")


def guarded(t_of: Callable[..., Any]) -> Callable:
    """Decorate a panel ``fn(base, t, ...)``: log any exception and show ``error_generic`` instead."""

    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> None:
            try:
                fn(*args, **kwargs)
            except Exception:  # noqa: BLE001 — the page must never show a traceback; the log keeps it
                LOG.exception("%s failed", fn.__name__)
                t = t_of(*args, **kwargs)
                say("error", t, "error_generic", error=json.dumps(dict(st.query_params), ensure_ascii=False)[:300])
        return inner
    return wrap
