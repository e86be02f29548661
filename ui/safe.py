"""Messages that echo user text: every st.warning/error/success/info of the app goes through ``say``.

Streamlit renders these messages as Markdown (links, images, LaTeX, colour directives, raw HTML is
dropped). Text from a URL, an uploaded file or a file name must show as the characters it is:
``inert`` backslash-escapes every ASCII punctuation character (CommonMark treats an escaped one as
a literal) and breaks the patterns that GitHub-flavoured Markdown turns into links by itself
(``http://``, ``www.``, ``a@b.c``) with a zero-width space, which those patterns do not match.
"""

from __future__ import annotations

import re
import string
from typing import Any

import streamlit as st

from model import SimulatorError

_ESCAPE = re.compile("([" + re.escape(string.punctuation) + "])")
#: Where GFM's autolink-literal extension would start a link: scheme ":", "www." and "@".
_AUTOLINK = re.compile(r"(?i)(:(?=/)|\bwww(?=\.)|@)")
ZWSP = "\u200b"
#: Longest echoed value shown; a cell or a URL value can be megabytes long.
MAX_SHOWN = 400


def inert(value: Any, limit: int = MAX_SHOWN) -> str:
    """``value`` as text that Markdown shows literally (clipped to ``limit`` characters)."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    text = _AUTOLINK.sub(lambda m: m.group(1) + ZWSP, text)
    text = _ESCAPE.sub(r"\\\1", text)
    return text.replace("\r", "").replace("\n", "  \n")  # keep line breaks as hard breaks


def error_text(error: Any, lang: str) -> str:
    """An error (or a stored ``(en, zh)`` message) in ``lang``, made inert."""
    if isinstance(error, SimulatorError):
        text = error.message(lang)
    elif isinstance(error, tuple) and len(error) == 2:
        text = error[1] if lang == "zh" else error[0]
    else:
        text = str(error)
    return inert(text, limit=4000)


def plain(error: SimulatorError) -> tuple[str, str]:
    """What a session keeps of an error: its two messages, not the exception (its traceback holds
    every frame's locals, e.g. a whole uploaded file)."""
    return (error.en[:4000], error.zh[:4000])


def say(kind: str, t: Any, text_id: str, /, icon: str | None = None, **values: Any) -> None:
    """Show message ``text_id`` as ``st.<kind>`` with every value made inert.

    ``kind`` is "warning", "error", "success" or "info". Values that are errors are shown in the
    page language (``error_text``).
    """
    shown = {k: error_text(v, t.lang) if isinstance(v, (SimulatorError, tuple)) else inert(v)
             for k, v in values.items()}
    getattr(st, kind)(t(text_id, **shown), icon=icon)
