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

from .safe import say

LOG = logging.getLogger("zhoucun")


def redraw_page() -> None:
    """End a fragment run that lost its places outside the fragment; the whole page redraws.

    A whole run requested while a fragment run computes (a tab click just after a slider move) starts
    at once in a new thread (Streamlit's ``fastReruns``) and resets the slots the whole run lays out; the
    old fragment run, told to stop, raises ``StreamlitInvalidLayoutContextError`` at its next write to
    one. The newer run draws the page, so the old one ends here: ``st.rerun`` finds its runner stopped
    and ends the thread at its yield point. Without a newer run, the rerun redraws the page, whose
    whole run reserves the slots again (a whole run never raises this error).
    """
    LOG.info("a fragment run lost its slots to a newer whole run; the page redraws")
    st.rerun(scope="app")


def guarded(t_of: Callable[..., Any]) -> Callable:
    """Decorate a panel ``fn(base, t, ...)``: log any exception and show ``error_generic`` instead."""

    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> None:
            try:
                fn(*args, **kwargs)
            except StreamlitInvalidLayoutContextError:
                redraw_page()
            except Exception:  # noqa: BLE001 — the page must never show a traceback; the log keeps it
                LOG.exception("%s failed", fn.__name__)
                t = t_of(*args, **kwargs)
                say("error", t, "error_generic", error=json.dumps(dict(st.query_params), ensure_ascii=False)[:300])
        return inner
    return wrap
