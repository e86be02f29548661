"""Process-wide memory hygiene that keeps a slider move cheap.

Streamlit runs ``gc.collect(2)`` after every script run (``runner.postScriptGC``). A full collection
walks every object the garbage collector tracks — here ~180 000, mostly modules, classes and functions
of streamlit, pandas, altair, pydantic and the model, all alive for the whole process — and cost
~125 ms per move on the reference machine, more than the whole scenario computation. ``gc.freeze()``
moves the objects alive after the imports into a permanent generation that collections skip, so the
collection after each run only walks what the runs created (and still frees their reference cycles).
"""

from __future__ import annotations

import gc
import threading

_LOCK = threading.Lock()
_frozen = False


def freeze_imports() -> None:
    """Once per process: collect, then freeze what is alive (the imported modules) out of future collections."""
    global _frozen
    if _frozen:
        return
    with _LOCK:
        if not _frozen:
            gc.collect()
            gc.freeze()
            _frozen = True
