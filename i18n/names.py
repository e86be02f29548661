"""The one sanitiser for names people give (saved scenarios on the compare tab, workshop display names).

A name is shown to others (a column title, a line on a projector) and compared with names the page
reserves, so what a person sees must be what the name is:

- NFKC normalisation (full-width ``Ｃｕｒｒｅｎｔ`` is ``Current``, compatibility forms fold);
- format and control characters dropped: direction overrides and isolates (U+202A–E, U+2066–9),
  zero-width spaces and joiners, soft hyphens, byte-order marks;
- fillers that draw nothing dropped (U+3164 and U+FFA0 Hangul fillers, U+115F/U+1160 jamo fillers,
  U+2800 braille blank); runs of spaces become one;
- at most ``MAX_MARKS`` combining marks on one character (32 stacked accents draw over the line above);
- a name left with nothing visible (only spaces and marks) is refused, not shown blank;
- a name that *compares* like a reserved one (case, width and spacing ignored) or like a label the page
  gives someone else ("Participant 3", "参与者 3", the facilitator) is refused.

Refusals raise ``NameRefused``; its ``key`` names the message in ``i18n/<lang>.json`` (``names.<key>``),
which each caller turns into its own error type.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from . import LANGS, Translator

#: Combining marks kept on one base character: enough for any language's names (Vietnamese uses two).
MAX_MARKS = 2
#: Letters that draw nothing: Hangul fillers, jamo fillers, the braille blank, the Mongolian vowel separator.
FILLERS = frozenset("\u3164\uffa0\u115f\u1160\u2800\u180e")


class NameRefused(ValueError):
    """A name that cannot be shown as given; ``key`` is ``blank``, ``reserved`` or ``imitation``."""

    def __init__(self, key: str, name: str = "") -> None:
        self.key, self.name = key, name
        super().__init__(key)

    def message(self, lang: str) -> str:
        return Translator(lang)(f"names.{self.key}", name=self.name)


def _mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


def clean(text: str) -> str:
    """``text`` as shown: normalised, invisible characters dropped, spaces collapsed, marks capped.

    Raises ``NameRefused("blank")`` when something was given but nothing visible is left.
    """
    text = unicodedata.normalize("NFKC", text)
    kept: list[str] = []
    marks = 0
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in FILLERS or cat[0] == "C":  # Cc, Cf (bidi, zero-width), Cs, Co, Cn
            continue
        if cat[0] == "Z" or ch.isspace():
            ch = " "
        if _mark(ch):
            if not kept or kept[-1] == " " or marks >= MAX_MARKS:
                continue
            marks += 1
        else:
            marks = 0
        kept.append(ch)
    out = re.sub(" +", " ", "".join(kept)).strip()
    if not any(not _mark(ch) and not ch.isspace() for ch in out) and text.strip():
        raise NameRefused("blank")
    return unicodedata.normalize("NFC", out)


def visible(text: str) -> str:
    """``clean(text)``, or "" for a blank-looking name (never raises): safe to echo in a message."""
    try:
        return clean(text)
    except NameRefused:
        return ""


def key(text: str) -> str:
    """What two names are compared by: cleaned, case-folded, without spaces."""
    return unicodedata.normalize("NFKC", visible(text).casefold()).replace(" ", "")


def _template(label: str) -> re.Pattern[str]:
    """A label with a ``{n}`` placeholder as a pattern over keys (``参与者{n}`` matches ``参与者12``)."""
    head, _, tail = label.partition("{n}")
    head, tail = key(head), key(tail)
    return re.compile(re.escape(head) + r"\d+" + re.escape(tail) + r"\Z")


def checked(text: str, limit: int, reserved: Iterable[str] = (), labels: Iterable[str] = ()) -> str:
    """A name as stored and shown (``clean``, cut to ``limit`` characters), refused when it compares like
    one of ``reserved`` (exact names) or matches one of ``labels`` (texts with ``{n}`` for a number, or a
    word the name may not contain)."""
    name = clean(text)[:limit].strip()
    k = key(name)
    if not k:
        return name
    if any(k == key(r) for r in reserved):
        raise NameRefused("reserved", name)
    for label in labels:
        if ("{n}" in label and _template(label).match(k)) or ("{n}" not in label and key(label) in k):
            raise NameRefused("imitation", name)
    return name


def labels_in_all_languages(*text_ids: str) -> tuple[str, ...]:
    """The texts of ``text_ids`` in every language (what a name may not imitate)."""
    return tuple(Translator(lang)(i) for lang in LANGS for i in text_ids)
