"""What a person reads in a Markdown message whose echoed values were made inert (``ui.safe.inert``)."""

from __future__ import annotations

import re

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """The text Markdown displays: backslash escapes resolved, zero-width spaces dropped, hard breaks as newlines."""
    return _ESCAPED.sub(r"\1", markdown).replace("\u200b", "").replace("  \n", "\n")
