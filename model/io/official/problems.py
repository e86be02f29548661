"""Problems of an upload and the one error that lists them (row, column, value, rule; English and Chinese)."""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import DataError
from .common import MAX_KEPT, MAX_LISTED

# --------------------------------------------------------------------------- errors

@dataclass(frozen=True)
class Problem:
    """One problem of an upload: where (row, column as shown in the file), the value, the rule."""

    row: int | None
    column: str
    value: str
    en: str
    zh: str
    letter: str = ""  # the column's letter in a spreadsheet (A, B, …), when known


class _Problems(list):
    """A list of problems that keeps the first ``MAX_KEPT`` and counts the rest (``total``)."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0

    def append(self, p: Problem) -> None:  # type: ignore[override]
        self.total += 1
        if len(self) < MAX_KEPT:
            super().append(p)


class OfficialDataError(DataError):
    """An upload was rejected; ``problems`` lists the problems found (at most ``MAX_KEPT``; the
    message shows the first ``MAX_LISTED`` and counts all)."""

    def __init__(self, en: str, zh: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(en, zh)
        self.problems = problems


def _where(row: int | None, column: str, letter: str = "") -> tuple[str, str]:
    en, zh = [], []
    if row is not None:
        en.append(f"row {row}")
        zh.append(f"第 {row} 行")
    at = f" ({letter})" if letter else ""
    if column:
        en.append(f"column '{column}'{at}")
        zh.append(f"“{column}”列{at}")
    elif letter:
        en.append(f"column {letter}")
        zh.append(f"{letter} 列")
    return ", ".join(en), " ".join(zh)


def _raise(problems: list[Problem], filename: str = "") -> None:
    """Raise one OfficialDataError listing up to MAX_LISTED problems."""
    n = getattr(problems, "total", len(problems))
    prefix_en = f"{filename}: " if filename else ""
    prefix_zh = f"{filename}：" if filename else ""
    if n == 1:
        head_en = f"{prefix_en}the upload has 1 problem; nothing was changed"
        head_zh = f"{prefix_zh}上传文件有 1 处问题，未作任何更改"
    else:
        head_en = f"{prefix_en}the upload has {n} problems; nothing was changed"
        head_zh = f"{prefix_zh}上传文件有 {n} 处问题，未作任何更改"
    lines_en, lines_zh = [head_en + ":"], [head_zh + "："]
    for p in problems[:MAX_LISTED]:
        w_en, w_zh = _where(p.row, p.column, p.letter)
        lines_en.append(f"- {w_en}: {p.en}" if w_en else f"- {p.en}")
        lines_zh.append(f"- {w_zh}：{p.zh}" if w_zh else f"- {p.zh}")
    if n > MAX_LISTED:
        lines_en.append(f"- and {n - MAX_LISTED} more")
        lines_zh.append(f"- 另有 {n - MAX_LISTED} 处问题")
    raise OfficialDataError("\n".join(lines_en), "\n".join(lines_zh), tuple(problems))


def _fail(en: str, zh: str, filename: str = "") -> OfficialDataError:
    """A whole-file error (size, encoding, format): one line, no row."""
    if filename:
        en, zh = f"{filename}: {en}", f"{filename}：{zh}"
    return OfficialDataError(en, zh, (Problem(None, "", "", en, zh),))
