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

    #: Feasibility quantities by model unit: (factor, decimals) in Chinese and in English (energy in kt).
    _AMOUNTS = {"100m yuan": ((1.0, 1), (0.1, 2)), "10k tce": ((1.0, 1), (10.0, 0)), "mu": ((1.0, 0), (1.0, 0)),
                "tce/10k yuan": ((1.0, 3), (1.0, 3)), "10k t": ((1.0, 1), (10.0, 0))}

    def amount(self, unit: str, x: float, signed: bool = False) -> str:
        """A quantity in a model unit as the reader sees it: "8.1 亿元", "0.81 bn yuan", "297 kt tce".

        Money follows ``money_unit`` (the workbook's English text keeps 100m yuan, as its tables do)."""
        if x is None or not math.isfinite(x):
            return "–"
        factor, digits = self._AMOUNTS.get(unit, ((1.0, 2), (1.0, 2)))[0 if self.lang == "zh" else 1]
        word = self(f"feas.unit.{unit}")
        if unit == "100m yuan" and self.lang != "zh" and self.money_unit == "data":
            factor, digits, word = 1.0, 1, self("xlsx.unit_money")
        number = f"{x * factor:+,.{digits}f}" if signed else f"{x * factor:,.{digits}f}"
        return f"{number} {word}"
