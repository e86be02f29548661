"""A cap on concurrent heavy work per server process (goal seek, Sobol indices, workbooks).

One Streamlit process serves every session, and each heavy tool can take a few hundred MB for a few
seconds; without a cap, a handful of sessions clicking at once add up to gigabytes. ``slot`` admits
``MAX_HEAVY`` at a time: a page tool that finds no free slot within ``WAIT_S`` says the server is
busy (``Busy``); a download (built outside the script run, where nothing can be shown) waits its turn.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator

#: Heavy jobs run at once in one server process (each stays below ~300 MB, see bench/bench_limits.py).
MAX_HEAVY = 2
#: How long a page tool waits for a free slot before saying "busy", seconds.
WAIT_S = 3.0
#: How long a download waits for a free slot, seconds (then it is built anyway: a file is never lost).
DOWNLOAD_WAIT_S = 120.0

_SLOTS = threading.BoundedSemaphore(MAX_HEAVY)


class Busy(Exception):
    """Every heavy slot stayed taken for ``WAIT_S``."""


@contextlib.contextmanager
def slot(wait: bool = False) -> Iterator[None]:
    """Hold one of the ``MAX_HEAVY`` slots for the block; raise ``Busy`` if none frees up in time."""
    got = _SLOTS.acquire(timeout=DOWNLOAD_WAIT_S if wait else WAIT_S)
    if not got and not wait:
        raise Busy
    try:
        yield
    finally:
        if got:
            _SLOTS.release()
