"""Display text in zh and en: strings live in i18n/<lang>.json, not in code (used by the page and the exports)."""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
I18N_DIR = Path(__file__).resolve().parent  # zh.json and en.json beside this module


@functools.cache
def _table(lang: str) -> dict[str, str]:
    return json.loads((I18N_DIR / f"{lang}.json").read_text(encoding="utf-8"))


class Translator:
    """``t(key, **values)``: the text for ``key`` in ``lang`` with ``{placeholders}`` filled."""

    def __init__(self, lang: str, money: str = "page") -> None:
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self._t = _table(self.lang)
        #: "page": money as the page shows it (English: bn yuan); "data": in the data's 亿元 / 100m yuan,
        #: for text that sits beside tables in that unit (the workbook).
        self.money_unit = money

    def __call__(self, text_id: str, /, **values: object) -> str:
        text = self._t.get(text_id, text_id)
        return text.format(**values) if values else text

    # Numbers: the same digits in both languages; units follow the language.
    def num(self, x: float, digits: int = 0) -> str:
        if x is None or not math.isfinite(x):
            return "–"
        return f"{x:,.{digits}f}"

    @property
    def money_factor(self) -> float:
        """Display factor for money given in 亿元: 1 in Chinese, 0.1 (billions of yuan) in English."""
        return 1.0 if self.money_unit == "data" else float(self("money_factor"))

    def money(self, x: float) -> str:
        """Money given in 亿元, in the page's unit: "494 亿元" or "49.4 bn yuan"."""
        if self.lang == "zh":
            return f"{self.num(x, 0)} {self('unit.money')}"
        if self.money_unit == "data":
            return f"{self.num(x, 1)} ({self('xlsx.unit_money')})"
        return f"{self.num(x * self.money_factor, 1)} {self('unit.money')}"

    def pct(self, x: float, digits: int = 1) -> str:
        return f"{self.num(x, digits)}%" if self.lang == "zh" else f"{self.num(x, digits)} %"

    def points(self, x: float, digits: int = 1) -> str:
        """A difference of two percentages."""
        return f"{self.num(x, digits)}个百分点" if self.lang == "zh" else f"{self.num(x, digits)} points"

    def rate(self, x: float, digits: int = 1) -> str:
        return f"{self.num(x, digits)}%/年" if self.lang == "zh" else f"{self.num(x, digits)} %/yr"

    def unit(self, unit_en: str) -> str:
        return self(f"unit.{unit_en}")
