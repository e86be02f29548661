"""The crafted inputs of issue 9 (resource exhaustion) and a child process that measures one of them.

Shared by ``tests/test_limits.py`` (a bound on memory under a resource limit) and
``bench/bench_limits.py`` (the figures: peak extra memory and seconds per input). Each case runs in
a fresh ``python`` process whose address space is capped (``RLIMIT_AS``), so a regression fails with
a ``MemoryError`` in the child instead of taking the machine down.
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- crafted inputs

def _xlsx(sheet_xml: bytes, shared: bytes | None = None, sheets: bytes | None = None,
          styles: bytes | None = None) -> bytes:
    """A minimal workbook around one sheet's XML (and optional shared strings), as Excel writes it.

    ``sheets`` replaces the workbook's ``<sheet>`` list (each entry may point at ``rId1``, the one
    sheet part); ``styles`` adds a styles part."""
    ct = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
          b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
          b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
          b'officedocument.spreadsheetml.worksheet+xml"/>'
          + (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
             b'officedocument.spreadsheetml.sharedStrings+xml"/>' if shared is not None else b"")
          + b"</Types>")
    rels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
          b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
          + (sheets or b'<sheet name="data" sheetId="1" r:id="rId1"/>') + b'</sheets></workbook>')
    wrels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
             b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
             b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
             + (b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                b'sharedStrings" Target="sharedStrings.xml"/>' if shared is not None else b"")
             + (b'<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                b'styles" Target="styles.xml"/>' if styles is not None else b"")
             + b"</Relationships>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wrels)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
        if styles is not None:
            z.writestr("xl/styles.xml", styles)
    return buf.getvalue()


_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main">')


def xlsx_far_cell() -> bytes:
    """~2 KB: a header row and one cell at XFD1048576 (the sheet's dimension says A1:XFD1048576)."""
    sheet = (_SHEET_HEAD + b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
             b'sector</t></is></c><c r="B1" t="inlineStr"><is><t>growth</t></is></c></row><row r="1048576">'
             b'<c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')
    return _xlsx(sheet)


def xlsx_shared_strings(n: int = 5_500_000) -> bytes:
    """A header row and ``n`` shared strings (93 MB unpacked, 0.2 MB as a file)."""
    sheet = (_SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>')
    body = b"<si><t>s</t></si>" * n
    shared = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
              b'2006/main" count="%d" uniqueCount="%d">' % (n, n) + body + b"</sst>")
    return _xlsx(sheet, shared)


def xlsx_wide(cols: int = 1200, rows: int = 5000) -> bytes:
    """``cols`` × ``rows`` numbers under a header of sector / growth / … (about 90 MB of sheet XML)."""
    head = b"<row>" + b'<c t="inlineStr"><is><t>sector</t></is></c>' + b"<c><v>1</v></c>" * (cols - 1) + b"</row>"
    row = b"<row>" + b"<c><v>1</v></c>" * cols + b"</row>"
    sheet = _SHEET_HEAD + b"<sheetData>" + head + row * rows + b"</sheetData></worksheet>"
    return _xlsx(sheet)


def xlsx_long_row(cells: int = 1_030_000) -> bytes:
    """Issue 21, finding 1: one row of ``cells`` ``<c><v>1</v></c>`` (15.5 MB unpacked, 35 kB as a file)."""
    sheet = _SHEET_HEAD + b"<sheetData><row>" + b"<c><v>1</v></c>" * cells + b"</row></sheetData></worksheet>"
    return _xlsx(sheet)


def xlsx_empty_cells(cells: int = 3_900_000) -> bytes:
    """One row of ``cells`` empty ``<c/>`` elements (15.6 MB unpacked): no value, still a cell to parse."""
    sheet = _SHEET_HEAD + b"<sheetData><row>" + b"<c/>" * cells + b"</row></sheetData></worksheet>"
    return _xlsx(sheet)


def xlsx_many_rows(rows: int = 600_000) -> bytes:
    """``rows`` rows of one number each (15.6 MB unpacked)."""
    sheet = _SHEET_HEAD + b"<sheetData>" + b"<row><c><v>1</v></c></row>" * rows + b"</sheetData></worksheet>"
    return _xlsx(sheet)


def xlsx_many_sheets(n: int = 300_000) -> bytes:
    """A workbook listing ``n`` sheets (15.3 MB of workbook.xml), all pointing at one small sheet."""
    sheet = (_SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>sector</t></is></c></row>'
             b"</sheetData></worksheet>")
    return _xlsx(sheet, sheets=b"".join(b'<sheet name="s%d" sheetId="%d" r:id="rId1"/>' % (k, k + 1)
                                        for k in range(n)))


def xlsx_many_styles(n: int = 850_000) -> bytes:
    """A styles part of ``n`` cell formats (15.3 MB unpacked) around a one-cell sheet."""
    sheet = (_SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>sector</t></is></c></row>'
             b"</sheetData></worksheet>")
    styles = (b'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main"><cellXfs count="%d">' % n + b'<xf numFmtId="9"/>' * n
              + b"</cellXfs></styleSheet>")
    return _xlsx(sheet, styles=styles)


def xlsx_sheet_links(sheets: int = 64, links: int = 1999) -> bytes:
    """``sheets`` sheets listing one sheet part whose relationships hold ``links`` hyperlinks (openpyxl
    parses them once per listing: 15 s)."""
    sheet = (_SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>sector</t></is></c></row>'
             b"</sheetData></worksheet>")
    raw = _xlsx(sheet, sheets=b"".join(b'<sheet name="s%d" sheetId="%d" r:id="rId1"/>' % (k, k + 1)
                                       for k in range(sheets)))
    rels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships">' + b"".join(b'<Relationship Id="h%d" Type="http://schemas.openxmlformats.org/'
                                               b'officeDocument/2006/relationships/hyperlink" Target="http://x/%d" '
                                               b'TargetMode="External"/>' % (k, k) for k in range(links))
            + b"</Relationships>")
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            z.writestr(info, zin.read(info))
        z.writestr("xl/worksheets/_rels/sheet1.xml.rels", rels)
    return buf.getvalue()


def xlsx_styles_at_cap() -> bytes:
    """Just under the cap on elements per part: 4 995 cell formats (read by openpyxl)."""
    return xlsx_many_styles(4_995)


def xlsx_huge_inline(chars: int = 15_500_000) -> bytes:
    """A header row and one inline string of ``chars`` characters (15.5 MB unpacked)."""
    sheet = (_SHEET_HEAD + b'<sheetData><row><c t="inlineStr"><is><t>sector</t></is></c></row><row>'
             b'<c t="inlineStr"><is><t>' + b"x" * chars + b"</t></is></c></row></sheetData></worksheet>")
    return _xlsx(sheet)


def xlsx_inline_grid(rows: int = 1000, cols: int = 50, chars: int = 280) -> bytes:
    """``rows`` × ``cols`` inline strings of ``chars`` characters (15.5 MB), within the row and column limits."""
    head = b"<row>" + b'<c t="inlineStr"><is><t>sector</t></is></c>' * cols + b"</row>"
    cell = b'<c t="inlineStr"><is><t>' + b"y" * chars + b"</t></is></c>"
    sheet = _SHEET_HEAD + b"<sheetData>" + head + (b"<row>" + cell * cols + b"</row>") * rows
    return _xlsx(sheet + b"</sheetData></worksheet>")


def csv_wide(cols: int = 2_490_000) -> bytes:
    """Two lines, ``cols`` columns (5 MB)."""
    return (",".join(["sector"] + ["x"] * (cols - 1)) + "\n" + ",".join(["1"] * cols) + "\n").encode()


def scenario_empty_projects(n: int = 1_000_000) -> bytes:
    """3 MB: ``{"levers":{"projects":[{},{},…]}}``."""
    return b'{"levers":{"projects":[' + b",".join([b"{}"] * n) + b"]}}"


def scenario_under_limit(n: int = 80_000) -> bytes:
    """240 kB, just under the size limit: 80 000 empty projects."""
    return scenario_empty_projects(n)


def csv_largest_accepted(rows: int = 1000, cols: int = 50) -> bytes:
    """The largest table read: ``rows`` × ``cols`` cells, every row naming an unknown sector."""
    head = ",".join(["sector", "output_2024"] + ["note"] * (cols - 2))
    body = "\n".join(",".join([f"s{i}", "x"] + ["n"] * (cols - 2)) for i in range(rows))
    return (head + "\n" + body + "\n").encode()


def scenario_zeros(n: int = 12_000_000) -> bytes:
    """24 MB: twelve million zeros in the project list."""
    return b'{"levers":{"projects":[' + b",".join([b"0"] * n) + b"]}}"


def seek_scenario() -> dict:
    """Sixty projects and the highest volatility: the costliest goal seek at 80 %."""
    projects = [{"name": f"p{k}", "sector": "equipment", "start_year": 2026 + k % 5, "output": 5.0,
                 "ramp_years": 3, "investment": 4.0} for k in range(60)]
    return {"assumptions": {"volatility": 15.0}, "levers": {"projects": projects}}


#: name → (what it is, kind of operation, input builder)
CASES = {
    "floor_ensemble": ("floor: live ensemble, trend, 10 000 draws", "ensemble", None),
    "scenario_1m_projects": ("3 MB scenario, 1 000 000 empty projects", "scenario", scenario_empty_projects),
    "scenario_12m_zeros": ("24 MB scenario, 12 000 000 zeros", "scenario", scenario_zeros),
    "scenario_80k_projects": ("240 kB scenario, 80 000 empty projects", "scenario", scenario_under_limit),
    "cli_1m_projects": ("CLI: 3 MB scenario file, 1 000 000 empty projects", "cli", scenario_empty_projects),
    "official_csv_2m_columns": ("official CSV, 2 lines × 2 490 000 columns", "official.csv", csv_wide),
    "official_csv_largest": ("official CSV, 1 000 rows × 50 columns, all wrong", "official.csv", csv_largest_accepted),
    "official_xlsx_far_cell": ("official XLSX, one cell at XFD1048576", "official.xlsx", xlsx_far_cell),
    "official_xlsx_shared": ("official XLSX, 5 500 000 shared strings", "official.xlsx", xlsx_shared_strings),
    "official_xlsx_wide": ("official XLSX, 1 200 columns × 5 000 rows", "official.xlsx", xlsx_wide),
    "official_xlsx_long_row": ("official XLSX, one row of 1 030 000 cells", "official.xlsx", xlsx_long_row),
    "official_xlsx_empty_cells": ("official XLSX, one row of 3 900 000 empty cells", "official.xlsx",
                                  xlsx_empty_cells),
    "official_xlsx_many_rows": ("official XLSX, 600 000 rows of one cell", "official.xlsx", xlsx_many_rows),
    "official_xlsx_many_sheets": ("official XLSX, 300 000 sheets", "official.xlsx", xlsx_many_sheets),
    "official_xlsx_many_styles": ("official XLSX, 850 000 cell formats", "official.xlsx", xlsx_many_styles),
    "official_xlsx_sheet_links": ("official XLSX, 64 sheets × 1 999 links", "official.xlsx", xlsx_sheet_links),
    "official_xlsx_styles_at_cap": ("official XLSX, 4 995 cell formats (read)", "official.xlsx",
                                    xlsx_styles_at_cap),
    "official_xlsx_huge_inline": ("official XLSX, one 15.5 MB inline string", "official.xlsx", xlsx_huge_inline),
    "official_xlsx_inline_grid": ("official XLSX, 1 000 × 50 inline strings of 280 chars", "official.xlsx",
                                  xlsx_inline_grid),
    "monitor_xlsx_long_row": ("monitor XLSX, one row of 1 030 000 cells", "monitor.xlsx", xlsx_long_row),
    "monitor_xlsx_empty_cells": ("monitor XLSX, one row of 3 900 000 empty cells", "monitor.xlsx", xlsx_empty_cells),
    "monitor_xlsx_many_rows": ("monitor XLSX, 600 000 rows of one cell", "monitor.xlsx", xlsx_many_rows),
    "monitor_xlsx_far_cell": ("monitor XLSX, one cell at XFD1048576", "monitor.xlsx", xlsx_far_cell),
    "monitor_xlsx_many_sheets": ("monitor XLSX, 300 000 sheets", "monitor.xlsx", xlsx_many_sheets),
    "monitor_xlsx_many_styles": ("monitor XLSX, 850 000 cell formats", "monitor.xlsx", xlsx_many_styles),
    "monitor_xlsx_huge_inline": ("monitor XLSX, one 15.5 MB inline string", "monitor.xlsx", xlsx_huge_inline),
    "monitor_xlsx_inline_grid": ("monitor XLSX, 1 000 × 50 inline strings of 280 chars", "monitor.xlsx",
                                 xlsx_inline_grid),
    "seek_p80_60_projects": ("goal seek at 80 %, 60 projects, volatility 15 %", "seek", None),
}


# --------------------------------------------------------------------------- the child process

_CHILD = r"""
import json, os, sys, time
sys.path.insert(0, os.getcwd())
kind, path = sys.argv[1], sys.argv[2]

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

from model import load_baseline, parse_scenario, parse_scenario_bytes, SimulatorError
base = load_baseline()
raw = open(path, "rb").read() if kind not in ("seek", "ensemble") else b""
if kind == "seek":
    from model.schema.runs import seek
    sc = parse_scenario(json.loads(open(path, encoding="utf-8").read()), base)
if kind.startswith("official"):
    from model.io.official import import_official
if kind.startswith("monitor"):
    from model.io.monitor import read_actuals
before = rss_mb()
t0 = time.perf_counter()
outcome = "accepted"
try:
    if kind == "scenario":
        parse_scenario(parse_scenario_bytes(raw), base)
    elif kind == "cli":
        from model import read_scenario_file
        parse_scenario(read_scenario_file(path), base)
    elif kind.startswith("official"):
        import_official(base, raw, "upload." + kind.split(".")[1])
    elif kind.startswith("monitor"):  # what the monitor's upload callback does
        read_actuals(raw, "upload." + kind.split(".")[1], base.base_year + 1, base.end_year)
    elif kind == "ensemble":
        from model.schema.runs import summarize
        summarize(base, parse_scenario({}, base), runs=10_000, seed=20_241_231)
    elif kind == "seek":
        r = seek(base, sc, "doubling", "investment", probability=0.8, runs=10_000, seed=20_241_231)
        outcome = f"value {r.value:.2f}, {r.iterations} calls"
except SimulatorError as exc:
    outcome = "refused: " + exc.en[:90].replace("\n", " ")
except MemoryError:
    outcome = "MemoryError"
seconds = time.perf_counter() - t0
# VmHWM is this process image's peak RSS (ru_maxrss would include the parent's RSS at fork time).
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
print(json.dumps({"extra_mb": max(0.0, peak - before), "seconds": seconds, "outcome": outcome}))
"""


def run_case(name: str, repo: Path = REPO, limit_mb: int = 4096, cpu_seconds: int = 600,
             workdir: Path | None = None) -> dict:
    """Run one case in a child process under ``limit_mb`` of address space and ``cpu_seconds`` of CPU.

    Returns ``{"extra_mb", "seconds", "outcome"}`` (peak RSS above the RSS before the operation); a
    child killed by its limits gives ``outcome`` "killed (…)" and the figures it could not report as None.
    """
    _, kind, build = CASES[name]
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        path = Path(tmp) / f"input.{kind.split('.')[-1]}"
        path.write_bytes(json.dumps(seek_scenario()).encode() if build is None else build())

        def limits() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (limit_mb * 2**20, limit_mb * 2**20))
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        proc = subprocess.run([sys.executable, "-c", _CHILD, kind, str(path)], cwd=repo, env=env,
                              capture_output=True, text=True, preexec_fn=limits, timeout=cpu_seconds * 2)
    if proc.returncode != 0 or not proc.stdout.strip():
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1][:120]
        return {"extra_mb": None, "seconds": None, "outcome": f"killed (exit {proc.returncode}: {tail})"}
    return json.loads(proc.stdout.strip().splitlines()[-1])
