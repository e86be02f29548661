"""Spreadsheet layout shared by the workbook export and the import template (xlsxwriter).

Excel and LibreOffice do not size rows and columns to their content when a file is opened: a wrapped
header stays one line tall (its second line hidden, or printed over the first data row) and a column
keeps its stored width. ``FittedSheet`` records the display width of what is written to each column;
``fit`` then sets column widths and the height of wrapped rows, and ``print_setup`` sets A4
landscape, fit to the page width, and repeated header rows.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from xlsxwriter.worksheet import Worksheet

#: Column width units (Excel's: the width of "0" in the default font) per Latin and per CJK character.
LATIN, WIDE = 1.1, 2.1
#: Height of one line of 11-point text, points; CJK fonts need a little more than Latin ones.
LINE_PT = 16.0
#: Widest column made by ``fit``; longer text wraps (or overflows where the cell format allows).
MAX_WIDTH = 60.0
MIN_WIDTH = 6.0


def display_width(text: str) -> float:
    """Width of ``text`` in Excel width units (CJK and full-width characters count about double)."""
    return sum(WIDE if unicodedata.east_asian_width(ch) in "WF" else LATIN for ch in str(text))


def _number_text(x: float) -> str:
    return f"{x:,.2f}" if abs(x) < 1e15 else f"{x:.3g}"


class FittedSheet(Worksheet):
    """A worksheet that remembers, per column, the widest text and number written to it.

    Cells written with a format in ``self.free`` (titles, notes that may overflow to the right) do
    not widen their column. Cells written with a wrapping format are remembered with their row, so
    that ``fit`` can make the row tall enough.
    """

    def __init__(self) -> None:
        super().__init__()
        self.widths: dict[int, float] = {}
        self.wrapped: list[tuple[int, int, str]] = []
        self.free: set[Any] = set()
        self.fixed: dict[int, float] = {}
        self.merged: list[tuple[int, int, int, str]] = []

    def _seen(self, row: int, col: int, text: str, cell_format: Any) -> None:
        if cell_format is not None and cell_format in self.free:
            return
        if cell_format is not None and getattr(cell_format, "text_wrap", 0):
            self.wrapped.append((row, col, text))
            longest = max((display_width(w) for w in text.split()), default=0.0)  # a word never breaks
            self.widths[col] = max(self.widths.get(col, 0.0), min(longest, MAX_WIDTH))
            return
        self.widths[col] = max(self.widths.get(col, 0.0), display_width(text))

    def write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> int:  # type: ignore[override]
        self._seen(row, col, string, cell_format)
        return super().write_string(row, col, string, cell_format)

    def write_number(self, row: int, col: int, number: float, cell_format: Any = None) -> int:  # type: ignore[override]
        self._seen(row, col, _number_text(float(number)), cell_format)
        return super().write_number(row, col, number, cell_format)

    def merge_text(self, row: int, first: int, last: int, text: str, cell_format: Any) -> None:
        """Wrapped text merged over columns ``first``–``last`` of ``row``, as text (never a formula);
        ``fit`` makes the row tall enough for it at the columns' final widths."""
        self.merge_range(row, first, row, last, "", cell_format)
        Worksheet.write_string(self, row, first, text, cell_format)
        self.merged.append((row, first, last, text))

    def fix_width(self, first: int, last: int, width: float) -> None:
        """Give columns ``first``–``last`` this width whatever ``fit`` finds (e.g. long wrapped notes)."""
        for c in range(first, last + 1):
            self.fixed[c] = width

    def fit(self, row_format: Any = None) -> None:
        """Set every written column's width and every wrapped row's height (with ``row_format``, e.g.
        top alignment, for the cells of a tall row that have no format of their own)."""
        width = {c: self.fixed.get(c, min(MAX_WIDTH, max(MIN_WIDTH, w + 2.0))) for c, w in self.widths.items()}
        for c in self.fixed:
            width.setdefault(c, self.fixed[c])
        for c, w in width.items():
            self.set_column(c, c, w)
        lines: dict[int, int] = {}
        for row, col, text in self.wrapped:
            lines[row] = max(lines.get(row, 1), _lines(text, width.get(col, 8.43)))
        for row, first, last, text in self.merged:
            span = sum(width.get(c, 8.43) for c in range(first, last + 1))
            lines[row] = max(lines.get(row, 1), _lines(text, span))
        for row, n in lines.items():
            if n > 1:
                self.set_row(row, LINE_PT * n, row_format)


def _lines(text: str, width: float) -> int:
    """Lines ``text`` takes when wrapped in a column ``width`` units wide (greedy, by words)."""
    usable = max(1.0, width - 1.0)
    n = 0
    for para in str(text).split("\n"):
        n += max(1, math.ceil(display_width(para) / usable))
    return n


def print_setup(ws: Worksheet, header_row: int | None = None, portrait: bool = False) -> None:
    """A4, landscape (or portrait), fit to one page wide, ``header_row`` repeated on every page."""
    ws.set_paper(9)
    if portrait:
        ws.set_portrait()
    else:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if header_row is not None:
        ws.repeat_rows(header_row)
