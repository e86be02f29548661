"""Bounds on an uploaded XLSX workbook, checked by streaming its XML before openpyxl builds anything.

openpyxl parses a worksheet row by row, but a whole row at a time (a row of a million cells costs
~450 MB before the first value is seen); opening a workbook it parses the workbook part, the styles
and, for every listed sheet without a ``<dimension>``, the sheet's whole ``sheetData``. A 35 kB file
can therefore cost gigabytes and minutes while staying under the unpacked-size cap. ``check``
streams the parts through expat (no tree, nothing kept) and stops at the first limit crossed:

* every XML part other than a worksheet (workbook, styles, relationships, content types…) holds at
  most ``MAX_PART_ELEMENTS`` elements; the shared strings have their own size cap in the reader;
* the workbook lists at most ``MAX_SHEETS`` sheets; a relationships part (a sheet's links) holds
  at most ``MAX_RELS_ELEMENTS`` elements, the listed sheets' together ``MAX_SHEET_RELS``;
* the first sheet (the one read): no value beyond column ``max_columns`` (the scan stops at that
  cell), no row beyond ``max_rows``, at most ``MAX_ROW_CELLS`` cell elements in a row (empty
  formatted cells included) and ``MAX_CELLS`` in all;
* every other listed sheet: read up to its ``<dimension>``; one without it costs openpyxl a full
  parse, so its cells count against ``MAX_CELLS`` too.

The first sheet is found as openpyxl finds it (its own manifest and workbook readers), so the part
checked is the part read.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Callable
from xml.parsers import expat

#: Most elements in one XML part other than a worksheet. A template's styles hold about 60, a heavily
#: formatted workbook's a few thousand; openpyxl takes ~0.3 ms per cell format (50 000: 15 s).
MAX_PART_ELEMENTS = 5_000
#: Most sheets a workbook may list (openpyxl opens each one and parses its relationships).
MAX_SHEETS = 64
#: Most elements in one relationships part (a sheet's hyperlinks are relationships; openpyxl parses
#: each listed sheet's relationships, so this and ``MAX_SHEETS`` bound that work together).
MAX_RELS_ELEMENTS = 2_000
#: Most relationships of all listed sheets together (a part listed twice counts twice): openpyxl takes
#: ~0.1 ms for each, per listing.
MAX_SHEET_RELS = 4_000
#: Most cell elements in one row of the first sheet, empty formatted ones included.
MAX_ROW_CELLS = 256
#: Most cell elements read in all (first sheet, plus other sheets that state no dimension).
MAX_CELLS = 100_000
_CHUNK = 64 * 1024


class Refused(Exception):
    """The workbook crosses a limit; ``en`` / ``zh`` say which (the reader adds the file name)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1].rsplit(":", 1)[-1]


def _stream(zf: zipfile.ZipFile, part: str, start: Callable[[str, dict], None]) -> None:
    """Feed ``part`` through expat, calling ``start(local name, attributes)`` per element.

    ``start`` raises ``Refused`` to stop (or ``_Stop`` to end the scan quietly); a DTD is refused
    (no entity expansion)."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def doctype(*_args: object) -> None:
        raise Refused("the workbook's XML declares a DTD", "工作簿的 XML 含有 DTD 声明")

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = lambda name, attrs: start(_local(name), attrs)
    try:
        with zf.open(part) as fh:
            while chunk := fh.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop:
        pass
    except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        pass  # a malformed part: openpyxl stops at the same place and refuses the file as unreadable


class _Stop(Exception):
    """Ends a scan early without a refusal."""


def _count_elements(zf: zipfile.ZipFile, part: str) -> int:
    """The number of elements of ``part``; refuses above the part's cap."""
    n = 0
    cap = MAX_RELS_ELEMENTS if part.lower().endswith(".rels") else MAX_PART_ELEMENTS

    def start(_name: str, _attrs: dict) -> None:
        nonlocal n
        n += 1
        if n > cap:
            raise Refused(f"the workbook part {part} holds more than {cap:,} XML elements "
                          "(formats, links, names or sheets); the template holds a few hundred",
                          f"工作簿组成部分 {part} 含有超过 {cap:,} 个 XML 元素(格式、链接、名称或工作表);"
                          "模板只有几百个")

    _stream(zf, part, start)
    return n


def _column(ref: str) -> int:
    """1-based column of a cell reference ("C7" → 3); 0 if it has no letters."""
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            n = n * 26 + ord(ch) - 96
        else:
            break
        if n > 1 << 20:
            break
    return n


def _row_number(attrs: dict, previous: int) -> int:
    r = attrs.get("r", "")
    return int(r) if r.isdigit() and len(r) < 10 else previous + 1


class _Sheet:
    """The element handler of one worksheet scan; ``cells`` is shared across scans (a budget)."""

    def __init__(self, budget: list[int], max_rows: int, extra_rows: int, max_columns: int, first: bool) -> None:
        self.budget, self.max_rows, self.max_columns, self.first = budget, max_rows, max_columns, first
        self.last_row = max_rows + extra_rows
        self.row = self.rows = self.col = self.row_cells = 0
        self.in_data = False

    def too_wide(self) -> Refused:
        return Refused(f"the sheet has more than {self.max_columns} columns; the template has five",
                       f"工作表超过 {self.max_columns} 列；模板只有五列")

    def start(self, name: str, attrs: dict) -> None:
        if name == "dimension" and not self.first and not self.in_data:
            raise _Stop  # openpyxl reads a listed sheet's size from here and stops
        if name == "sheetData":
            self.in_data = True
        elif name == "row":
            self.row, self.rows, self.col, self.row_cells = _row_number(attrs, self.row), self.rows + 1, 0, 0
            if self.first and (self.row > self.last_row or self.rows > self.last_row):
                raise Refused(f"the sheet has more than {self.max_rows} rows; the template has one row per sector",
                              f"工作表超过 {self.max_rows} 行；模板每个行业一行")
        elif name == "c":
            self.col = _column(attrs.get("r", "")) or self.col + 1
            self.row_cells += 1
            self.budget[0] += 1
            if self.budget[0] > MAX_CELLS:
                raise Refused(f"the workbook has more than {MAX_CELLS:,} cells; the template has a few dozen",
                              f"工作簿超过 {MAX_CELLS:,} 个单元格；模板只有几十个")
            if self.first and self.row_cells > MAX_ROW_CELLS:
                raise self.too_wide()
        elif name in ("v", "is", "f") and self.first and self.col > self.max_columns:
            raise self.too_wide()  # a value beyond the last column read: stop here


def _sheet_parts(raw: bytes) -> list[str]:
    """The parts of the listed worksheets, in order, as openpyxl resolves them (chartsheets left out)."""
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(io.BytesIO(raw), read_only=True, data_only=True)
    reader.read_manifest()
    reader.read_workbook()
    parts = []
    for n, (_sheet, rel) in enumerate(reader.parser.find_sheets(), start=1):
        if n > MAX_SHEETS:
            raise Refused(f"the workbook has more than {MAX_SHEETS} sheets; the template has two",
                          f"工作簿超过 {MAX_SHEETS} 个工作表；模板只有两个")
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
            parts.append(rel.target)
    reader.archive.close()
    return parts


def _check_sheet_rels(zf: zipfile.ZipFile, parts: list[str]) -> None:
    """The listed sheets' relationships together (openpyxl parses them once per listing)."""
    from openpyxl.packaging.relationship import get_rels_path

    names = set(zf.namelist())
    counts: dict[str, int] = {}
    total = 0
    for part in parts:
        rels = get_rels_path(part)
        if rels in names:
            if rels not in counts:
                counts[rels] = _count_elements(zf, rels)
            total += counts[rels]
        if total > MAX_SHEET_RELS:
            raise Refused(f"the workbook's sheets hold more than {MAX_SHEET_RELS:,} links together; the template "
                          "holds none",
                          f"工作簿各工作表的链接合计超过 {MAX_SHEET_RELS:,} 个；模板没有链接")


def check(raw: bytes, max_rows: int, extra_rows: int, max_columns: int) -> None:
    """Refuse a workbook whose reading would cost more than its limits allow (see the module text).

    The first sheet may hold ``max_rows`` data rows below up to ``extra_rows`` title and header rows,
    and ``max_columns`` columns. Raises ``Refused``; a workbook that is not a readable zip or XLSX passes through to the
    reader, which refuses it as unreadable.
    """
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        for info in zf.infolist():
            name = info.filename.lower()
            sheet_data = "worksheets/" in name and "_rels/" not in name  # checked as sheets below
            if name.endswith((".xml", ".rels")) and not sheet_data and "sharedstrings" not in name:
                _count_elements(zf, info.filename)
        try:
            parts = _sheet_parts(raw)
        except Refused:
            raise
        except Exception:  # not a workbook openpyxl can open: it says so itself
            return
        _check_sheet_rels(zf, parts)
        budget = [0]
        for k, part in enumerate(parts):
            _stream(zf, part, _Sheet(budget, max_rows, extra_rows, max_columns, first=k == 0).start)
