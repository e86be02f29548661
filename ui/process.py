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
* Two malloc arenas. Streamlit runs each session's script in its own thread, and glibc gives busy
  threads arenas of their own (up to 8 per core), each keeping the high-water mark of the ~95 MB
  an ensemble allocates. Measured with bench/bench_load.py (app, 30 users, one server): peak RSS
  1 156 MB with glibc's default; 625 MB with this ``mallopt`` (it binds only arenas made from now on);
  480 MB with ``MALLOC_ARENA_MAX=2`` in the environment, which deploy/ sets; moves no slower.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading

from threadpoolctl import threadpool_limits

_LOCK = threading.Lock()
M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
ARENAS = 2
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
            _limit_arenas()
            gc.collect()
            gc.freeze()
            _done = True


def _limit_arenas() -> None:
    """At most ``ARENAS`` malloc arenas (glibc only; elsewhere nothing to do)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "mallopt"):
            libc.mallopt(M_ARENA_MAX, ARENAS)
    except OSError:  # not glibc: its allocator has no such knob
        pass
