"""Reading an upload: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX (first sheet) into a frame of
raw cells indexed by the row number a spreadsheet shows. Shared by the official-data import and the
monitor's actuals; every limit is checked before the part it guards is parsed."""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from typing import Any

import pandas as pd

from .. import xlsx_guard
from .common import HEADER_SEARCH_ROWS, MAX_COLUMNS, MAX_ROWS, MAX_UPLOAD_BYTES, MAX_XLSX_SHARED_STRINGS, \
    MAX_XLSX_UNPACKED, _column_kind, _is_empty, _show
from .problems import OfficialDataError, _fail

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _decode(raw: bytes, filename: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):  # GB18030 is GBK plus every other character
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _fail("the file is neither UTF-8 nor GBK/GB18030 text, nor an XLSX workbook; save it from Excel as "
                    "'CSV UTF-8' or as .xlsx",
                    "文件既不是 UTF-8 或 GBK/GB18030 编码的文本，也不是 XLSX 工作簿；请在 Excel 中另存为“CSV UTF-8”或 .xlsx",
                    filename)
    bad = len(_CONTROL.findall(text))
    if "\x00" in text or bad > max(2, len(text) // 100):
        raise _fail("the file is not a text (CSV) file or an XLSX workbook",
                    "文件不是文本(CSV)文件，也不是 XLSX 工作簿", filename)
    return text


def _csv_grid(text: str, filename: str) -> list[list[Any]]:
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delim = max((",", "\t", ";"), key=lambda d: first.count(d))
    if first.count(delim) == 0:
        delim = ","
    too_wide = _fail(f"the file has more than {MAX_COLUMNS} columns; the template has five",
                     f"文件超过 {MAX_COLUMNS} 列；模板只有五列", filename)
    # Bound the work on the raw text first: a line with millions of separators is refused before
    # it is split (quoted separators in notes make the count an upper bound, hence the margin).
    if any(line.count(delim) > 4 * MAX_COLUMNS for line in text.splitlines()):
        raise too_wide
    try:
        grid = []
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delim):
            if len(row) > MAX_COLUMNS:
                raise too_wide
            grid.append(row)
            if len(grid) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise _fail(f"the file has more than {MAX_ROWS} rows; the template has one row per sector",
                            f"文件超过 {MAX_ROWS} 行；模板每个行业一行", filename)
    except csv.Error as exc:
        raise _fail(f"the CSV cannot be read ({exc})", f"无法读取 CSV({exc})", filename) from None
    return grid


def _xlsx_grid(raw: bytes, filename: str) -> list[list[Any]]:
    import openpyxl

    unreadable = _fail("the file is not a readable XLSX workbook (save it from Excel as .xlsx or as CSV)",
                       "文件不是可读取的 XLSX 工作簿(请在 Excel 中另存为 .xlsx 或 CSV)", filename)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_XLSX_UNPACKED:
                mb = MAX_XLSX_UNPACKED // 2**20
                raise _fail(f"the workbook unpacks to more than {mb} MB; the template is a few kB",
                            f"工作簿解压后超过 {mb} MB；模板只有几 KB", filename)
            if any(i.filename.lower().endswith("sharedstrings.xml") and i.file_size > MAX_XLSX_SHARED_STRINGS
                   for i in zf.infolist()):
                mb = MAX_XLSX_SHARED_STRINGS // 2**20
                raise _fail(f"the workbook holds more than {mb} MB of text; the template holds a few kB",
                            f"工作簿中的文字超过 {mb} MB；模板只有几 KB", filename)
        xlsx_guard.check(raw, MAX_ROWS, HEADER_SEARCH_ROWS, MAX_COLUMNS)
    except zipfile.BadZipFile:
        raise unreadable from None
    except xlsx_guard.Refused as exc:
        raise _fail(exc.en, exc.zh, filename) from None
    grid: list[list[Any]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            try:
                if not wb.worksheets:
                    raise unreadable
                # At most one column more than accepted: rows are padded to the sheet's stated width,
                # which a crafted sheet sets to 16 384 columns.
                for row in wb.worksheets[0].iter_rows(max_col=MAX_COLUMNS + 1):
                    values = [_cell_value(c) for c in row]
                    if len(values) > MAX_COLUMNS and values[MAX_COLUMNS] is not None:
                        raise _fail(f"the sheet has more than {MAX_COLUMNS} columns; the template has five",
                                    f"工作表超过 {MAX_COLUMNS} 列；模板只有五列", filename)
                    grid.append(values[:MAX_COLUMNS])
                    if len(grid) > MAX_ROWS + HEADER_SEARCH_ROWS:
                        raise _fail(f"the sheet has more than {MAX_ROWS} rows; the template has one row per sector",
                                    f"工作表超过 {MAX_ROWS} 行；模板每个行业一行", filename)
            finally:
                wb.close()
    except OfficialDataError:
        raise
    except Exception:  # openpyxl raises many types on malformed workbooks
        raise unreadable from None
    return grid


def _cell_value(cell: Any) -> Any:
    """A cell's value as the user sees it: a number formatted as a percentage ("8%", stored as 0.08
    by Excel and Calc) is read as the percent it shows (8)."""
    v = getattr(cell, "value", None)
    fmt = getattr(cell, "number_format", "") or ""
    if isinstance(v, (int, float)) and not isinstance(v, bool) and "%" in fmt.replace('"%"', "").replace("\\%", ""):
        return round(float(v) * 100.0, 10)
    return v


def _grid(raw: bytes, name: str) -> list[list[Any]]:
    """The file's cells, row by row: the size first, then XLSX or CSV by content (not by name)."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise _fail(f"the file is {len(raw) / 1024 / 1024:.1f} MB; at most {MAX_UPLOAD_BYTES // 1024 // 1024} MB "
                    "is accepted (the template is a few kB)",
                    f"文件大小 {len(raw) / 1024 / 1024:.1f} MB,超过上限 {MAX_UPLOAD_BYTES // 1024 // 1024} MB"
                    "(模板只有几 KB)", name)
    if not raw.strip(b" \t\r\n\xef\xbb\xbf"):
        raise _fail("the file is empty", "文件为空", name)
    if raw[:4] == b"PK\x03\x04":
        return _xlsx_grid(raw, name)
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _fail("old Excel .xls files are not read; save it as .xlsx or as CSV",
                    "不支持旧版 Excel .xls 文件；请另存为 .xlsx 或 CSV", name)
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise _fail("the file is named .xlsx but is not an Excel workbook", "文件扩展名为 .xlsx,但不是 Excel 工作簿", name)
    return _csv_grid(_decode(raw, name), name)


def _header_index(grid: list[list[Any]], name: str) -> int:
    """The header row: the first of the first ``HEADER_SEARCH_ROWS`` naming a sector column, else the
    first non-empty row."""
    header_idx = 0
    for i, r in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if any(_column_kind(v)[0] in ("sector", "name") for v in r):
            header_idx = i
            break
    while header_idx < len(grid) and not any(v is not None for v in grid[header_idx]):
        header_idx += 1
    if header_idx >= len(grid):
        raise _fail("the file is empty", "文件为空", name)
    return header_idx


def _frame(grid: list[list[Any]], header_idx: int, name: str) -> pd.DataFrame:
    """The rows below the header as a frame of raw cells indexed by spreadsheet row number."""
    header = list(grid[header_idx])
    body = grid[header_idx + 1:]
    width = max([len(header)] + [len(r) for r in body])
    header = (header + [None] * width)[:width]
    # trailing columns with neither a header nor data are dropped
    while width > 0 and header[width - 1] is None and all(len(r) < width or r[width - 1] is None for r in body):
        width -= 1
    header = header[:width]
    columns = [h if h is not None else "" for h in header]
    columns = [str(_show(c)) if not isinstance(c, str) else c for c in columns]
    rows, index = [], []
    for k, r in enumerate(body):
        cells = (list(r) + [None] * width)[:width]
        if all(v is None for v in cells):
            continue  # blank lines are skipped (they keep their row numbers)
        rows.append(cells)
        index.append(header_idx + k + 2)
    if not rows:
        raise _fail("the file has a header but no data rows", "文件只有表头，没有数据行", name)
    frame = pd.DataFrame(rows, columns=pd.Index(columns, dtype=object), index=pd.Index(index, name="row"),
                         dtype=object)
    frame.attrs["filename"] = name
    frame.attrs["header_row"] = header_idx + 1
    return frame


def read_upload(raw: bytes, filename: str = "") -> pd.DataFrame:
    """Parse an uploaded file into a frame of raw cells (validation is ``validate``).

    Accepts CSV (UTF-8, UTF-8 with BOM or GBK; comma, tab or semicolon separated) and XLSX (the first
    sheet). The header is the first of the first ten rows that names a sector column (title rows
    above it are skipped). Columns are the header texts as written; the index (named ``row``) is the
    row number a spreadsheet shows. ``frame.attrs`` holds ``filename`` and ``header_row``.

    Raises
    ------
    OfficialDataError (a DataError)
        The file is larger than 10 MB (checked first), empty, not CSV/XLSX, not decodable, or has no
        data rows.
    """
    name = str(filename or "")
    grid = _grid(raw, name)
    grid = [[None if _is_empty(v) else (v.strip() if isinstance(v, str) else v) for v in r] for r in grid]
    header_idx = _header_index(grid, name)
    return _frame(grid, header_idx, name)
