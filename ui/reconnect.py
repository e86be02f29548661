"""A page that outlives its server (several servers behind a proxy, ``deploy/``).

When its websocket comes back, Streamlit's frontend reruns the whole script only if the page has a
self-refreshing fragment (or a run was in flight); otherwise it assumes the server still holds its
session. Behind a proxy the reconnect may land on another server, whose fresh session knows none of
the page's fragments or callbacks: a slider move inside the levers fragment is then dropped ("The
fragment … does not exist anymore"), a button's callback is lost, and download buttons point at files
of the old server. One empty self-refreshing fragment makes the frontend rerun the whole page at
once on reconnect, so the new server rebuilds the session from the URL before the person acts.
"""

from __future__ import annotations

import streamlit as st

#: Its only cost is one empty fragment run per session this often; its value is being there.
PROBE_S = 60.0


@st.fragment(run_every=PROBE_S)
def rerun_after_reconnect() -> None:
    """Draws nothing; its presence is what makes a reconnect rerun the page (see the module note)."""
