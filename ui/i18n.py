"""Display text in the page language: strings live in i18n/<lang>.json, not in code."""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"


@functools.cache
def _table(lang: str) -> dict[str, str]:
    return json.loads((I18N_DIR / f"{lang}.json").read_text(encoding="utf-8"))


class Translator:
    """``t(key, **values)``: the text for ``key`` in ``lang`` with ``{placeholders}`` filled."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self._t = _table(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        text = self._t.get(key, key)
        return text.format(**values) if values else text

    # Numbers: the same digits in both languages; units follow the language.
    def num(self, x: float, digits: int = 0) -> str:
        if x is None or not math.isfinite(x):
            return "–"
        return f"{x:,.{digits}f}"

    def money(self, x: float, digits: int = 0) -> str:
        return f"{self.num(x, digits)} {self('unit.money')}"

    def pct(self, x: float, digits: int = 1) -> str:
        return f"{self.num(x, digits)}%" if self.lang == "zh" else f"{self.num(x, digits)} %"

    def rate(self, x: float, digits: int = 1) -> str:
        return f"{self.num(x, digits)}%/年" if self.lang == "zh" else f"{self.num(x, digits)} %/yr"

    def unit(self, unit_en: str) -> str:
        return self(f"unit.{unit_en}")
