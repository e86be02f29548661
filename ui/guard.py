"""Errors inside a fragment end as a message in the page language, never a traceback.

Streamlit draws a fragment's uncaught exception itself, so the guard must sit inside the fragment.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any, Callable

import streamlit as st

from .safe import say

LOG = logging.getLogger("zhoucun")


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
