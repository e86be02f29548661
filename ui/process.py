"""Process-wide settings that keep a slider move cheap in a server shared by many sessions.

* ``gc.freeze()``. Streamlit runs ``gc.collect(2)`` after every script run (``runner.postScriptGC``).
  A full collection walks every object the collector tracks — ~180 000 here, mostly the modules,
  classes and functions of streamlit, pandas, altair, pydantic and the model, alive for the whole
  process — and cost ~125 ms per move on the reference machine, more than the scenario itself.
  Freezing what is alive after the imports moves it to a permanent generation that collections
  skip; the collection after each run still frees the cycles the runs create.
* One BLAS thread. The engine's matrix products are small (sectors × a few columns); OpenBLAS's
  worker threads gain nothing on them and spin on cores that other sessions' runs need (measured:
  78 ms of CPU per live ensemble with one thread against 135 ms with two, on two busy cores).
"""

from __future__ import annotations

import gc
import threading

from threadpoolctl import threadpool_limits

_LOCK = threading.Lock()
_done = False


def tune() -> None:
    """Once per process, after the imports: freeze the objects alive now out of the collections, and
    limit BLAS to one thread."""
    global _done
    if _done:
        return
    with _LOCK:
        if not _done:
            threadpool_limits(limits=1, user_api="blas")
            gc.collect()
            gc.freeze()
            _done = True
