"""Downloads that carry what the page shows, however soon after a move they are clicked (issue 18, item 2).

A download button built with ``data=callable`` keeps the callable of the run that drew it. A click that
follows a slider move before the move's rerun has redrawn the button would run the previous run's
callable and save the previous settings. So every button gets the same small callable, which waits
until the session has no script run going or queued, then builds the file with the builder the latest
run left. The browser sends the move before the click on one websocket, and the server records the
rerun request before it starts the download, so the wait always covers the move.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from typing import Callable

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

LOG = logging.getLogger("zhoucun")
#: Longest wait for the session's runs to finish before building the file anyway (s): an ensemble of a
#: new scenario takes a few seconds on a busy server; a minute is well beyond it.
WAIT_S = 60.0
#: Interval of the check (s): short beside a rerun (~0.2 s), negligible in server load.
POLL_S = 0.02
_STATE_KEY = "_latest_downloads"


def run_pending(session_id: str) -> bool:
    """Whether the session has a script run going or queued.

    Streamlit's session keeps its script runner from the moment a rerun is requested until the last
    queued run has ended; the runtime has no public call for it (1.67), so this reads that attribute.
    """
    if not Runtime.exists():
        return False
    session = Runtime.instance().get_app_session(session_id)
    return session is not None and getattr(session, "_scriptrunner", None) is not None


class LatestFiles:
    """The builders of one session's downloads, by name, as the latest run left them."""

    def __init__(self, session_id: str) -> None:
        self._session_id = session_id
        self._lock = threading.Lock()
        self._builders: dict[str, Callable[[], bytes | str]] = {}

    def offer(self, name: str, build: Callable[[], bytes | str]) -> Callable[[], bytes | str]:
        """Keep ``build`` as download ``name``'s builder; the callable to give the button."""
        with self._lock:
            self._builders[name] = build
        return functools.partial(self.build, name)

    def build(self, name: str) -> bytes | str:
        """Download ``name``, built once the session's runs are over (run when the button is clicked)."""
        deadline = time.monotonic() + WAIT_S
        while run_pending(self._session_id):
            if time.monotonic() > deadline:
                LOG.warning("download %s built while a run was still pending after %.0f s", name, WAIT_S)
                break
            time.sleep(POLL_S)
        with self._lock:
            build = self._builders[name]
        return build()


def latest_files() -> LatestFiles:
    """This session's ``LatestFiles`` (made on its first run)."""
    ss = st.session_state
    if _STATE_KEY not in ss:
        ctx = get_script_run_ctx()
        ss[_STATE_KEY] = LatestFiles(ctx.session_id if ctx else "")
    return ss[_STATE_KEY]
