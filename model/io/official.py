"""Official data import: a template to fill in, reading an upload, validating it, merging it.

A planner replaces the estimated 2024 figures of the baseline with the district's real ones:

1. ``template_csv`` / ``template_xlsx`` (or ``template_frame``): one row per sector, plus the two
   estimated parts of the stainless cluster, with the current values filled in as examples.
2. ``read_upload(raw, filename)``: CSV (UTF-8, UTF-8 with BOM or GBK) or XLSX (first sheet) into a
   frame of raw cells whose index is the row number a spreadsheet shows (header = row 1).
3. ``validate(base, frame)``: every problem of the file at once (row, column, value, rule; in
   English and Chinese) as one ``OfficialDataError`` (a ``DataError``), or an ``OfficialData``.
4. ``apply_official(base, data)``: a new ``Baseline`` in which the supplied figures are ``official``
   and the model's consistency rules still hold (cluster processing = the cluster sector's output,
   output-weighted trend = published growth via the derived residual sector, trends above
   −depreciation, today's chain-extension share below the lever's maximum).

Empty cells keep the current value; so does, by default, a value equal to the current one (the
template's examples left in place are not official figures). Nothing here touches the file system
or the original baseline.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import io
import json
import math
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..core.baseline import GROWTH_CHECK_TOLERANCE, Baseline, Figure, Source
from ..core.specs import SECTOR_GROWTH_RANGE, SPEC_BY_NAME
from ..errors import DataError
from . import xlsx_guard
from .sheets import FittedSheet, print_setup

# --------------------------------------------------------------------------- constants

#: Largest upload accepted, bytes (checked before anything is parsed).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Largest total size of the files inside an XLSX (a zip), bytes: guards against zip bombs. The
#: template unpacks to about 20 kB; a sheet of MAX_ROWS × MAX_COLUMNS cells to under 2 MB.
MAX_XLSX_UNPACKED = 16 * 1024 * 1024
#: Largest shared-strings part of an XLSX, bytes: openpyxl reads all of it before the first row.
MAX_XLSX_SHARED_STRINGS = 2 * 1024 * 1024
#: Most rows read from an upload (a template has a dozen).
MAX_ROWS = 1000
#: Most columns of an upload (the template has five; notes and sources columns may be added).
MAX_COLUMNS = 50
#: Most problems listed in one error message; the rest are counted.
MAX_LISTED = 20
#: Most problems kept (with their details) for one upload; further ones are only counted.
MAX_KEPT = 200
#: Longest cell text quoted in a message, characters.
MAX_QUOTED = 60
#: A supplied figure this many times the current one (or less than its inverse) gets a warning.
IMPLAUSIBLE_FACTOR = 3.0
#: A rate (%, %/yr) that moves by more than this many points gets a warning (8 % read as 0.08).
IMPLAUSIBLE_POINTS = {"va_rate": 15.0, "trend_growth": 5.0}
#: Rows searched for the header (title rows above it are allowed).
HEADER_SEARCH_ROWS = 10

#: Fields a planner can supply, in template order.
FIELDS = ("output_2024", "va_rate", "trend_growth")
#: Cluster parts a planner can supply (processing is the cluster sector's output).
CLUSTER_UPLOAD_PARTS = ("trade", "downstream")
CLUSTER_PREFIX = "cluster:"

#: Allowed ranges of the supplied figures (units of the template: 亿元, %, %/yr).
OUTPUT_MAX = 100000.0
VA_RANGE = (1.0, 90.0)
TREND_RANGE = SECTOR_GROWTH_RANGE  # (−20, 40) %/yr

#: Column headers of the template: field → (Chinese, English).
HEADERS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "sector": ("行业代码", "sector"),
    "name": ("行业名称", "name"),
    "output_2024": ("2024年产值(亿元)", "2024 output (100m yuan)"),
    "va_rate": ("增加值率(%)", "value-added rate (%)"),
    "trend_growth": ("增速(%/年)", "growth (%/yr)"),
})

#: Units of the fields, as written in the headers (after normalisation) and as shown in messages.
_UNITS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "output_2024": ("亿元", "100myuan", "100millionyuan", "亿"),
    "va_rate": ("%",),
    "trend_growth": ("%/年", "%/yr", "%/year", "%", "%/a"),
})
_FIELD_UNIT = {"output_2024": ("亿元", "100m yuan"), "va_rate": ("%", "%"), "trend_growth": ("%/年", "%/yr")}
_FIELD_LABEL = {"output_2024": ("2024年产值", "2024 output"), "va_rate": ("增加值率", "value-added rate"),
                "trend_growth": ("增速", "growth")}

#: Header labels (normalised, without unit) accepted for each column.
_LABELS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "sector": ("sector", "sectorid", "sector_id", "id", "行业代码", "代码", "行业", "行业id", "key"),
    "name": ("name", "sectorname", "name_zh", "name_en", "行业名称", "名称"),
    "output_2024": ("output_2024", "2024年产值", "产值", "2024output", "output", "output2024", "value_2024"),
    "va_rate": ("va_rate", "增加值率", "value-addedrate", "valueaddedrate", "varate"),
    "trend_growth": ("trend_growth", "增速", "growth", "趋势增速", "trendgrowth", "年均增速"),
})
#: Columns that may be present and are ignored (notes, sources).
_IGNORED = ("note", "notes", "备注", "说明", "source", "来源", "remark", "remarks", "comment", "comments",
            "数据来源", "unit", "单位")

_PART_NAMES = {"processing": ("加工制造", "Processing"), "trade": ("仓储贸易", "Trade & warehousing"),
               "downstream": ("下游制品", "Downstream products")}


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


# --------------------------------------------------------------------------- normalisation

def _norm(text: Any) -> str:
    """Header / name key: NFKC (full-width → ASCII), lower case, no whitespace."""
    s = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "").lower()
    return re.sub(r"\s+", "", s)


def _split_unit(header: str) -> tuple[str, str | None]:
    """'2024年产值(亿元)' → ('2024年产值', '亿元') on the normalised header."""
    m = re.fullmatch(r"(.*?)[(\[](.*)[)\]]", header)
    if m:
        return m.group(1), m.group(2)
    return header, None


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _is_empty(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str) and not v.strip():
        return True
    return v is pd.NA or v is pd.NaT


def _show(v: Any) -> str:
    """A cell's value as the user typed it (numbers without a trailing .0)."""
    if isinstance(v, bool):
        return str(v).upper()
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        x = float(v)
        if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
            return str(int(x))
        return repr(x)
    text = str(v).strip()
    return text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED] + "…"


def _fmt(x: float) -> str:
    return _show(round(float(x), 10))


def _column_kind(header: Any) -> tuple[str | None, str | None]:
    """(kind, bad unit) of a header: kind is 'sector', 'name', a field, 'ignore', '' (blank) or None."""
    if _is_empty(header):
        return "", None
    h = _norm(header)
    for kind, labels in _LABELS.items():
        if h in labels:
            return kind, None
    if h in _IGNORED:
        return "ignore", None
    label, unit = _split_unit(h)
    for kind, labels in _LABELS.items():
        if label in labels:
            if kind in _UNITS and unit is not None and unit not in _UNITS[kind]:
                return None, unit
            return kind, None
    if label in _IGNORED:
        return "ignore", None
    return None, None


# --------------------------------------------------------------------------- template

def _cluster_key(part: str) -> str:
    return CLUSTER_PREFIX + part


def _cluster_label(base: Baseline, part: str, lang: str) -> str:
    zh, en = _PART_NAMES[part]
    if lang == "zh":
        return f"{base.region.get('cluster_name_zh', '不锈钢产业集群')}：{zh}"
    return f"{base.region.get('cluster_name_en', 'Stainless steel cluster')}: {en}"


def _header(fieldname: str, lang: str) -> str:
    zh, en = HEADERS[fieldname]
    return zh if lang == "zh" else en


def _pct(x: float) -> float:
    """A fraction as a percent, without binary noise (0.28 → 28.0, not 28.000000000000004)."""
    return round(float(x) * 100.0, 9)


def template_frame(base: Baseline, lang: str = "zh") -> pd.DataFrame:
    """The upload template: one row per sector and per uploadable cluster part, current values filled in.

    Columns (headers in ``lang``, "zh" or "en"): sector id, name, 2024 output (亿元), value-added
    rate (%), growth (%/yr). The cluster rows (``cluster:trade``, ``cluster:downstream``) use only the
    output column (their 2024 value); their other cells are empty (NaN).
    """
    cols = [_header(c, lang) for c in ("sector", "name", *FIELDS)]
    rows: list[list[Any]] = []
    for i, s in enumerate(base.sectors):
        rows.append([s.id, s.name(lang), round(float(base.output0[i]), 9), _pct(base.va_rate[i]),
                     round(float(base.trend_pct[i]), 9)])
    for part in CLUSTER_UPLOAD_PARTS:
        rows.append([_cluster_key(part), _cluster_label(base, part, lang), round(float(base.cluster0[part]), 9),
                     np.nan, np.nan])
    df = pd.DataFrame(rows, columns=cols)
    for c in cols[2:]:
        df[c] = df[c].astype(float)
    for c in cols[:2]:
        df[c] = df[c].astype(object)
    return df


def template_csv(base: Baseline, lang: str = "zh") -> bytes:
    """The template as CSV: UTF-8 with a BOM (so Excel shows Chinese correctly), CRLF line ends."""
    df = template_frame(base, lang)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(df.columns)
    for row in df.itertuples(index=False):
        w.writerow(["" if _is_empty(v) else _show(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


_NOTES = {
    "zh": [
        ("用途", "用本区2024年的正式统计数据替换模拟器中的估算基线。"),
        ("填写方式", "每行一个行业(或不锈钢产业集群的一个组成部分)。只填写有正式数据的单元格；留空的单元格沿用现值。"
                  "与现值相同的数值视为未更改(仍为估算)。可以删去不需要的行。"),
        ("行业代码", "行业代码(如 stainless)、中文名称或英文名称均可识别；“行业名称”列仅供阅读。同一行业只能出现一次。"),
        ("2024年产值(亿元)", "规上工业总产值，单位亿元(1亿元 = 1 亿人民币)，须大于 0 且不超过 100000。"
                          "若单位为万元，请除以 10000。"),
        ("增加值率(%)", "工业增加值 / 总产值，单位为百分数(如 25 表示 25%),须在 1 至 90 之间，且不超过模型上限 {cap}%。"),
        ("增速(%/年)", "行业名义趋势增速，单位 %/年，须在 −20 至 40 之间，并高于 −折旧率(−{dep}%/年)。"),
        ("集群行", "cluster:trade(仓储贸易营业额)与 cluster:downstream(下游制品)只填写“2024年产值”列。"
                "加工制造部分等于不锈钢行业的产值，自动更新。"),
        ("一致性", "各行业按产值加权的趋势增速必须等于公布的 {pub}%。增速为推算值的行业({resid})会自动重算为余量；"
                 "若余量超出 −20 至 40 的范围，上传将被拒绝。"
                 "下游制品 / (2.0 × 不锈钢产值) 须低于 {chain}%(深加工比例杠杆的上限)。"),
        ("文件格式", "CSV(UTF-8、带 BOM 的 UTF-8、GBK 或 GB18030 编码)或 XLSX(读取第一个工作表);文件不超过 10 MB，"
                  "最多 1000 行、50 列。以百分比格式填写的单元格(如 8%)按百分数读取。"
                  "表头可用中文、英文或字段代码(output_2024、va_rate、trend_growth)。"),
        ("校验", "文件有任何问题时整份拒绝，列出每处问题的行号、列、数值和规则，当前基线保持不变。"),
    ],
    "en": [
        ("Purpose", "Replace the simulator's estimated baseline with the district's official 2024 statistics."),
        ("How to fill in", "One row per sector (or part of the stainless cluster). Fill in only the cells you have "
                           "official figures for; an empty cell keeps the current value. A value equal to the current "
                           "one counts as unchanged (it stays an estimate). Rows you do not need may be deleted."),
        ("sector", "The sector id (e.g. stainless), its Chinese or its English name; the 'name' column is for "
                   "reading only. Each sector may appear once."),
        ("2024 output (100m yuan)", "Gross output of above-size industry in 亿元 (100 million yuan); above 0 and at "
                                    "most 100000. Figures in 万元 (10 000 yuan) must be divided by 10 000."),
        ("value-added rate (%)", "Industrial value added / gross output, in percent (25 means 25 %); from 1 to 90 "
                                 "and at most the model's cap of {cap} %."),
        ("growth (%/yr)", "The sector's nominal trend growth in %/yr; from −20 to 40 and above minus the "
                          "depreciation rate (−{dep} %/yr)."),
        ("Cluster rows", "cluster:trade (trade & warehousing turnover) and cluster:downstream (downstream products) "
                         "use only the 2024 output column. The processing part equals the stainless sector's output "
                         "and follows it."),
        ("Consistency", "The output-weighted trend growth must equal the published {pub} %. The sector whose trend is "
                        "derived ({resid}) is re-derived as the residual; if that falls outside −20 to 40 the upload "
                        "is rejected. Downstream / (2.0 × stainless output) must stay below {chain} % (the "
                        "chain-extension lever's maximum)."),
        ("File format", "CSV (UTF-8, UTF-8 with BOM, GBK or GB18030) or XLSX (first sheet is read); at most 10 MB, "
                        "1000 rows and 50 columns. A cell formatted as a percentage (8%) is read as that percent. Headers "
                        "may be Chinese, English or the field ids (output_2024, va_rate, trend_growth)."),
        ("Checks", "A file with any problem is rejected whole, listing each problem's row, column, value and rule; "
                   "the current baseline stays."),
    ],
}


def _residual_sectors(base: Baseline) -> list[str]:
    return [f.key for f in base.figures
            if f.table == "sector_parameters" and f.parameter == "trend_growth" and f.status == "derived"]


def template_xlsx(base: Baseline, lang: str = "zh") -> bytes:
    """The template as an Excel workbook: the data sheet first (header row 1), then a notes sheet."""
    import xlsxwriter

    df = template_frame(base, lang)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("数据" if lang == "zh" else "data", worksheet_class=FittedSheet)
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1})
    num = wb.add_format({"num_format": "0.0##"})
    grey = wb.add_format({"font_color": "#595959"})
    for j, c in enumerate(df.columns):
        ws.write_string(0, j, c, head)
    for i, row in enumerate(df.itertuples(index=False), start=1):
        ws.write_string(i, 0, row[0])
        ws.write_string(i, 1, row[1], grey)
        for j, v in enumerate(row[2:], start=2):
            if not _is_empty(v):
                ws.write_number(i, j, float(v), num)
    ws.fix_width(2, 4, 16)  # room for the figures a planner types in
    ws.fit()
    print_setup(ws, 0)
    ws.freeze_panes(1, 2)
    last = len(df)
    dep = base.params["depreciation"]
    rules = {2: (0.0, OUTPUT_MAX), 3: (VA_RANGE[0], min(VA_RANGE[1], base.params["va_rate_cap"])),
             4: (max(TREND_RANGE[0], -dep), TREND_RANGE[1])}
    for j, (lo, hi) in rules.items():
        ws.data_validation(1, j, last, j, {
            "validate": "decimal", "criteria": "between", "minimum": lo, "maximum": hi,
            "error_title": "超出范围" if lang == "zh" else "Out of range",
            "error_message": (f"允许范围 {lo:g} 至 {hi:g}" if lang == "zh" else f"allowed {lo:g} to {hi:g}"),
        })
    notes = wb.add_worksheet("说明" if lang == "zh" else "notes", worksheet_class=FittedSheet)
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    bold = wb.add_format({"bold": True, "valign": "top"})
    resid = ", ".join(_residual_sectors(base)) or "—"
    fill = {"cap": f"{base.params['va_rate_cap']:g}", "dep": f"{dep:g}", "pub": f"{base.published_growth:g}",
            "resid": resid, "chain": f"{SPEC_BY_NAME['chain_extension'].hi:g}"}
    notes.fix_width(1, 1, 90)
    for i, (k, v) in enumerate(_NOTES["zh" if lang == "zh" else "en"]):
        notes.write_string(i, 0, k, bold)
        notes.write_string(i, 1, v.format(**fill), wrap)
    notes.fit(row_format=wb.add_format({"valign": "top"}))
    print_setup(notes, portrait=True)
    wb.close()
    return buf.getvalue()


# --------------------------------------------------------------------------- reading

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
    if len(raw) > MAX_UPLOAD_BYTES:
        raise _fail(f"the file is {len(raw) / 1024 / 1024:.1f} MB; at most {MAX_UPLOAD_BYTES // 1024 // 1024} MB "
                    "is accepted (the template is a few kB)",
                    f"文件大小 {len(raw) / 1024 / 1024:.1f} MB,超过上限 {MAX_UPLOAD_BYTES // 1024 // 1024} MB"
                    "(模板只有几 KB)", name)
    if not raw.strip(b" \t\r\n\xef\xbb\xbf"):
        raise _fail("the file is empty", "文件为空", name)
    if raw[:4] == b"PK\x03\x04":
        grid = _xlsx_grid(raw, name)
    elif raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _fail("old Excel .xls files are not read; save it as .xlsx or as CSV",
                    "不支持旧版 Excel .xls 文件；请另存为 .xlsx 或 CSV", name)
    elif name.lower().endswith((".xlsx", ".xlsm")):
        raise _fail("the file is named .xlsx but is not an Excel workbook", "文件扩展名为 .xlsx,但不是 Excel 工作簿", name)
    else:
        grid = _csv_grid(_decode(raw, name), name)

    grid = [[None if _is_empty(v) else (v.strip() if isinstance(v, str) else v) for v in r] for r in grid]
    header_idx = 0
    for i, r in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if any(_column_kind(v)[0] in ("sector", "name") for v in r):
            header_idx = i
            break
    while header_idx < len(grid) and not any(v is not None for v in grid[header_idx]):
        header_idx += 1  # no sector header found: the first non-empty row is the header
    if header_idx >= len(grid):
        raise _fail("the file is empty", "文件为空", name)
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


# --------------------------------------------------------------------------- the validated upload

@dataclass(frozen=True)
class OfficialData:
    """A validated upload: the supplied figures, nothing else.

    ``figures`` holds ``(key, field, value)`` sorted, with ``key`` a sector id or ``cluster:<part>``
    and ``field`` one of ``FIELDS`` (cluster parts: ``output_2024`` only); values in template units
    (亿元, %, %/yr). ``rows`` (where each figure came from) and ``unchanged`` (figures equal to the
    current value, left as they were) are for messages; they take no part in equality, hashing or
    ``to_json``.
    """

    figures: tuple[tuple[str, str, float], ...]
    filename: str = ""
    rows: tuple[tuple[str, str, int], ...] = field(default=(), compare=False)
    unchanged: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    #: (en, zh) notes on accepted figures that differ implausibly from the current ones (``implausible``).
    warnings: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "figures", tuple(sorted((str(k), str(f), float(v)) for k, f, v in self.figures)))

    def __len__(self) -> int:
        return len(self.figures)

    def value(self, key: str, fieldname: str) -> float | None:
        """The supplied value of one figure, or None."""
        for k, f, v in self.figures:
            if k == key and f == fieldname:
                return v
        return None

    def as_dict(self) -> dict[str, dict[str, float]]:
        """``{key: {field: value}}``."""
        out: dict[str, dict[str, float]] = {}
        for k, f, v in self.figures:
            out.setdefault(k, {})[f] = v
        return out

    def row_of(self, key: str, fieldname: str) -> int | None:
        for k, f, r in self.rows:
            if k == key and f == fieldname:
                return r
        return None

    def to_json(self) -> str:
        """Compact, sorted JSON (a small hashable cache key for a session's baseline)."""
        return json.dumps({"figures": [list(t) for t in self.figures], "filename": self.filename, "version": 1},
                          ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> "OfficialData":
        """Inverse of ``to_json``; raises DataError on anything else (values are checked by ``apply_official``)."""
        bad = DataError("stored official data is malformed", "已保存的官方数据格式错误")
        try:
            doc = json.loads(text)
        except (TypeError, ValueError, RecursionError):
            raise bad from None
        if not isinstance(doc, dict) or doc.get("version") != 1 or not isinstance(doc.get("figures"), list) \
                or not isinstance(doc.get("filename", ""), str):
            raise bad
        figs = []
        seen = set()
        for item in doc["figures"]:
            if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)
                    and item[1] in FIELDS and isinstance(item[2], (int, float)) and not isinstance(item[2], bool)
                    and math.isfinite(item[2]) and (item[0], item[1]) not in seen):
                raise bad
            seen.add((item[0], item[1]))
            figs.append((item[0], item[1], float(item[2])))
        return cls(tuple(figs), doc.get("filename", ""))


# --------------------------------------------------------------------------- validation

def _sector_lookup(base: Baseline) -> dict[str, str]:
    """Normalised id / Chinese name / English name → key (sector id or cluster:<part>)."""
    out: dict[str, str] = {}
    for s in base.sectors:
        for label in (s.id, s.name_zh, s.name_en):
            out.setdefault(_norm(label), s.id)
    for part in ("processing",) + CLUSTER_UPLOAD_PARTS:
        key = _cluster_key(part)
        for label in (key, f"cluster_{part}", *_PART_NAMES[part], _cluster_label(base, part, "zh"),
                      _cluster_label(base, part, "en")):
            out.setdefault(_norm(label), key)
    return out


def _parse_number(v: Any, fieldname: str) -> float | None:
    """A cell as a float, or None if it is not a number (text, bool, date, NaN text, infinity)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        x = float(v)
        return x if math.isfinite(x) else None
    if not isinstance(v, str):
        return None
    s = unicodedata.normalize("NFKC", v).strip().replace("\u2212", "-")
    if fieldname in ("va_rate", "trend_growth") and s.endswith("%"):
        s = s[:-1].strip()
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", s):
        s = s.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", s):
        return None
    x = float(s)
    return x if math.isfinite(x) else None


def _range_rule(base: Baseline, key: str, fieldname: str, x: float) -> tuple[str, str] | None:
    """The (en, zh) rule a value breaks, or None."""
    if key.startswith(CLUSTER_PREFIX):
        if not 0.0 <= x <= OUTPUT_MAX:
            return (f"{_fmt(x)} is outside the allowed range: a cluster part's 2024 value must be from 0 to "
                    f"{OUTPUT_MAX:g} (100m yuan)",
                    f"{_fmt(x)} 超出允许范围：集群组成部分的2024年数值须在 0 至 {OUTPUT_MAX:g} 亿元之间")
        return None
    if fieldname == "output_2024":
        if not 0.0 < x <= OUTPUT_MAX:
            return (f"{_fmt(x)} is outside the allowed range: the 2024 output must be above 0 and at most "
                    f"{OUTPUT_MAX:g} (100m yuan = 亿元; divide 万元 by 10000)",
                    f"{_fmt(x)} 超出允许范围：2024年产值须大于 0 且不超过 {OUTPUT_MAX:g} 亿元(万元须除以 10000)")
    elif fieldname == "va_rate":
        cap = base.params["va_rate_cap"]
        lo, hi = VA_RANGE
        if not lo <= x <= hi:
            return (f"{_fmt(x)} is outside the allowed range: the value-added rate must be from {lo:g} to {hi:g} "
                    f"(percent: 25 means 25 %)",
                    f"{_fmt(x)} 超出允许范围：增加值率须在 {lo:g} 至 {hi:g} 之间(百分数：25 表示 25%)")
        if x > cap:
            return (f"{_fmt(x)} is above the model's cap on the value-added rate ({cap:g} %, parameter va_rate_cap)",
                    f"{_fmt(x)} 高于模型的增加值率上限({cap:g}%,参数 va_rate_cap)")
    elif fieldname == "trend_growth":
        lo, hi = TREND_RANGE
        dep = base.params["depreciation"]
        if not lo <= x <= hi:
            return (f"{_fmt(x)} is outside the allowed range: growth must be from {lo:g} to {hi:g} %/yr",
                    f"{_fmt(x)} 超出允许范围：增速须在 {lo:g} 至 {hi:g}%/年 之间")
        if x <= -dep:
            return (f"{_fmt(x)} is not above minus the depreciation rate ({-dep:g} %/yr): a shrinking capital "
                    "stock has no steady state",
                    f"{_fmt(x)} 未高于 −折旧率({-dep:g}%/年):资本存量持续萎缩时不存在稳态")
    return None


def implausible(base: Baseline, key: str, fieldname: str, x: float) -> tuple[str, str] | None:
    """(en, zh) note when a supplied figure is far from the current one, else None.

    Allowed, but said: a level ``IMPLAUSIBLE_FACTOR`` times the current one or less than its
    inverse (万元 typed as 亿元), a rate more than ``IMPLAUSIBLE_POINTS`` points away (8 % stored by
    a spreadsheet as 0.08 and typed without its format).
    """
    cur = _current(base, key, fieldname)
    label_en, label_zh = _key_label(base, key, "en"), _key_label(base, key, "zh")
    if fieldname in IMPLAUSIBLE_POINTS:
        if abs(x - cur) <= IMPLAUSIBLE_POINTS[fieldname]:
            return None
        unit_en, unit_zh = _FIELD_UNIT[fieldname][1], _FIELD_UNIT[fieldname][0]
        return (f"{_FIELD_LABEL[fieldname][1]} of {label_en} changes from {_fmt(cur)} to {_fmt(x)} {unit_en}, more "
                f"than {IMPLAUSIBLE_POINTS[fieldname]:g} points; check that the cell holds a percent (8 means 8 %)",
                f"{label_zh}的{_FIELD_LABEL[fieldname][0]}由 {_fmt(cur)} 变为 {_fmt(x)}{unit_zh}，变动超过 "
                f"{IMPLAUSIBLE_POINTS[fieldname]:g} 个百分点；请确认单元格填写的是百分数(8 表示 8%)")
    if cur > 0 and x > 0 and max(x / cur, cur / x) < IMPLAUSIBLE_FACTOR:
        return None
    if cur <= 0 and x <= 0:
        return None
    return (f"the 2024 value of {label_en} changes from {_fmt(cur)} to {_fmt(x)} (100m yuan), by more than a factor "
            f"of {IMPLAUSIBLE_FACTOR:g}; check the unit (亿元 = 100m yuan; divide 万元 by 10000)",
            f"{label_zh}的2024年数值由 {_fmt(cur)} 变为 {_fmt(x)} 亿元，变动超过 {IMPLAUSIBLE_FACTOR:g} 倍；"
            "请核对单位(亿元；万元须除以 10000)")


def _same(base: Baseline, key: str, fieldname: str, x: float) -> bool:
    cur = _current(base, key, fieldname)
    return abs(x - cur) <= 1e-9 * max(1.0, abs(cur))


def _current(base: Baseline, key: str, fieldname: str) -> float:
    if key.startswith(CLUSTER_PREFIX):
        return float(base.cluster0[key[len(CLUSTER_PREFIX):]])
    i = base.sector_ids.index(key)
    return {"output_2024": float(base.output0[i]), "va_rate": float(base.va_rate[i]) * 100.0,
            "trend_growth": float(base.trend_pct[i])}[fieldname]


def _key_label(base: Baseline, key: str, lang: str) -> str:
    if key.startswith(CLUSTER_PREFIX):
        return _cluster_label(base, key[len(CLUSTER_PREFIX):], lang)
    return base.sectors[base.sector_ids.index(key)].name(lang)


def validate(base: Baseline, frame: pd.DataFrame, *, keep_unchanged: bool = True) -> OfficialData:
    """Check an upload (``read_upload``'s frame, or ``template_frame``-like) against the baseline.

    Every problem is collected: missing or unrecognised columns, rows without a sector, unknown
    sectors (ids, Chinese and English names are accepted), duplicate sectors, text in number cells,
    values outside their ranges, cells that do not apply (growth of a cluster part), and then the
    consistency of the merged baseline (``apply_official``'s rules). Empty cells keep the current
    value; with ``keep_unchanged`` (default) so does a value equal to the current one.

    Rows are numbered as a spreadsheet shows them (header = row 1): the frame's index if it is named
    ``row``, else position + 2.

    Raises
    ------
    OfficialDataError (a DataError)
        Listing the problems (row, column, value, rule) in English and Chinese.
    """
    filename = str(frame.attrs.get("filename", "") or "")
    header_row = int(frame.attrs.get("header_row", 1) or 1)
    problems: list[Problem] = _Problems()
    columns = list(frame.columns)
    kinds: dict[str, list[int]] = {}

    def P(row: int | None, j: int | None, value: str, en: str, zh: str) -> Problem:
        if j is None:
            return Problem(row, "", value, en, zh)
        h = columns[j]
        return Problem(row, "" if _is_empty(h) else _show(h), value, en, zh, _col_letter(j))

    def cname(j: int) -> str:
        return f"'{_show(columns[j])}' ({_col_letter(j)})"

    for j, h in enumerate(columns):
        kind, bad_unit = _column_kind(h)
        if kind == "":
            col = frame.iloc[:, j]
            if any(not _is_empty(v) for v in col):
                problems.append(P(header_row, j, "", "the column has data but no header",
                                  "该列有数据但没有表头"))
            continue
        if kind is None:
            fl = _FIELD_UNIT
            if bad_unit is not None:
                problems.append(P(header_row, j, _show(h),
                                  f"the unit '{bad_unit}' is not accepted; use "
                                  + ", ".join(f"{_FIELD_LABEL[f][1]} ({fl[f][1]})" for f in FIELDS),
                                  f"不接受单位“{bad_unit}”;请使用 "
                                  + "、".join(f"{_FIELD_LABEL[f][0]}({fl[f][0]})" for f in FIELDS)))
            else:
                acc_en = ", ".join(HEADERS[c][1] for c in HEADERS)
                acc_zh = "、".join(HEADERS[c][0] for c in HEADERS)
                problems.append(P(header_row, j, _show(h),
                                  f"'{_show(h)}' is not a recognised column; accepted: {acc_en} "
                                  f"(or the Chinese headers, or the field ids {', '.join(FIELDS)})",
                                  f"无法识别列名“{_show(h)}”;可用：{acc_zh}(或英文表头、字段代码 "
                                  f"{', '.join(FIELDS)})"))
            continue
        if kind == "ignore":
            continue
        kinds.setdefault(kind, []).append(j)
    for _kind, js in kinds.items():
        for j in js[1:]:
            first = cname(js[0])
            problems.append(P(header_row, j, _show(columns[j]),
                              f"duplicate column: it repeats column {first}",
                              f"列重复：与 {first} 列相同"))
    id_cols = [kinds[k][0] for k in ("sector", "name") if k in kinds]
    field_cols = {f: kinds[f][0] for f in FIELDS if f in kinds}
    if not id_cols:
        problems.append(P(header_row, None, "",
                          f"missing the sector column (header '{HEADERS['sector'][1]}' or "
                          f"'{HEADERS['sector'][0]}', holding sector ids or names)",
                          f"缺少行业列(表头“{HEADERS['sector'][0]}”或“{HEADERS['sector'][1]}”,"
                          f"填写行业代码或名称)"))
    if not field_cols:
        problems.append(P(header_row, None, "",
                          "no data column: at least one of " + ", ".join(HEADERS[f][1] for f in FIELDS)
                          + " is required",
                          "没有数据列：至少需要 " + "、".join(HEADERS[f][0] for f in FIELDS) + " 之一"))
    if frame.shape[0] == 0:
        problems.append(P(None, None, "", "the file has no data rows", "文件没有数据行"))
    if not id_cols or not field_cols or frame.shape[0] == 0:
        _raise(problems, filename)

    if frame.index.name == "row":
        row_numbers = [int(r) for r in frame.index]
    else:
        row_numbers = list(range(header_row + 1, header_row + 1 + frame.shape[0]))
    lookup = _sector_lookup(base)
    seen: dict[str, int] = {}
    supplied: list[tuple[str, str, float]] = []
    rows: list[tuple[str, str, int]] = []
    unchanged: list[tuple[str, str]] = []
    warnings: list[tuple[str, str]] = []

    for pos, rownum in enumerate(row_numbers):
        cells = frame.iloc[pos]
        if all(_is_empty(cells.iloc[j]) for j in range(len(columns)) if _column_kind(columns[j])[0] != "ignore"):
            continue
        # which sector: the sector column, else the name column; both must agree when both resolve
        keys: list[tuple[int, str | None, Any]] = []
        for j in id_cols:
            v = cells.iloc[j]
            if not _is_empty(v):
                keys.append((j, lookup.get(_norm(_show(v))), v))
        if not keys:
            if any(not _is_empty(cells.iloc[j]) for j in field_cols.values()):
                problems.append(P(rownum, id_cols[0], "",
                                  "no sector given for this row", "该行未填写行业"))
            continue
        j0, key, raw = keys[0]
        if key is None:
            ids = ", ".join(base.sector_ids + tuple(_cluster_key(p) for p in CLUSTER_UPLOAD_PARTS))
            problems.append(P(rownum, j0, _show(raw),
                              f"unknown sector '{_show(raw)}'; use a sector id ({ids}) or its Chinese or "
                              "English name",
                              f"未知行业“{_show(raw)}”;请使用行业代码({ids})或其中文、英文名称"))
            continue
        other = [(j, k, v) for j, k, v in keys[1:] if k is not None and k != key]
        if other:
            j1, k1, v1 = other[0]
            problems.append(P(rownum, j1, _show(v1),
                              f"'{_show(v1)}' names a different sector than '{_show(raw)}' in column "
                              f"{cname(j0)}",
                              f"“{_show(v1)}”与 {cname(j0)} 列的“{_show(raw)}”不是同一行业"))
            continue
        if key == _cluster_key("processing"):
            problems.append(P(rownum, j0, _show(raw),
                              f"'{_show(raw)}': the cluster's processing part equals the 2024 output of "
                              f"sector '{base.cluster_sector}' and cannot be uploaded; supply that sector's output",
                              f"“{_show(raw)}”:集群的加工制造部分等于行业“{base.cluster_sector}”的2024年产值，"
                              "不能单独上传；请填写该行业的产值"))
            continue
        if key in seen:
            problems.append(P(rownum, j0, _show(raw),
                              f"duplicate row: '{_show(raw)}' (sector '{key}') already appears in row {seen[key]}",
                              f"重复行：“{_show(raw)}”(行业“{key}”)已出现在第 {seen[key]} 行"))
            continue
        seen[key] = rownum
        for fname, j in field_cols.items():
            v = cells.iloc[j]
            if _is_empty(v):
                continue
            if key.startswith(CLUSTER_PREFIX) and fname != "output_2024":
                problems.append(P(rownum, j, _show(v),
                                  f"'{_show(v)}': only the 2024 output (value) applies to a cluster part; "
                                  "leave this cell empty",
                                  f"“{_show(v)}”:集群组成部分只填写2024年产值(数值);此单元格请留空"))
                continue
            x = _parse_number(v, fname)
            if x is None:
                problems.append(P(rownum, j, _show(v),
                                  f"'{_show(v)}' is not a number (leave the cell empty to keep the current "
                                  "value)",
                                  f"“{_show(v)}”不是数字(留空表示沿用现值)"))
                continue
            rule = _range_rule(base, key, fname, x)
            if rule is not None:
                problems.append(P(rownum, j, _show(v), *rule))
                continue
            if keep_unchanged and _same(base, key, fname, x):
                unchanged.append((key, fname))
                continue
            supplied.append((key, fname, x))
            rows.append((key, fname, rownum))
            note = implausible(base, key, fname, x)
            if note is not None:
                w_en, w_zh = _where(rownum, _show(columns[j]), _col_letter(j))
                warnings.append((f"{w_en}: {note[0]}", f"{w_zh}：{note[1]}"))
    if problems:
        _raise(problems, filename)
    data = OfficialData(tuple(supplied), filename, tuple(rows), tuple(unchanged), tuple(warnings))
    _merge(base, data)  # consistency rules; raises with the same kind of message
    return data


# --------------------------------------------------------------------------- merging

def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.flags.writeable = False
    return a


def _upload_source_id(base: Baseline) -> str:
    if "upload" not in base.sources:
        return "upload"
    n = 2
    while f"upload{n}" in base.sources:
        n += 1
    return f"upload{n}"


@dataclass
class _Merged:
    output: np.ndarray
    trend: np.ndarray
    va_pct: np.ndarray
    cluster: dict[str, float]
    residual: str | None  # sector whose derived trend was re-derived


def _merge(base: Baseline, data: OfficialData) -> _Merged:
    """Merged arrays, with every consistency rule checked; raises OfficialDataError listing the problems."""
    ids = base.sector_ids
    problems: list[Problem] = _Problems()

    def where(key: str, fname: str) -> tuple[int | None, str]:
        r = data.row_of(key, fname)
        return r, fname

    output = np.array(base.output0, dtype=float)
    trend = np.array(base.trend_pct, dtype=float)
    va_pct = np.array(base.va_rate, dtype=float) * 100.0
    cluster = dict(base.cluster0)
    given_trend: set[str] = set()
    for key, fname, x in data.figures:
        if key.startswith(CLUSTER_PREFIX):
            part = key[len(CLUSTER_PREFIX):]
            if part not in CLUSTER_UPLOAD_PARTS or fname != "output_2024":
                problems.append(Problem(None, "", key, f"'{key}' / {fname} cannot be uploaded",
                                        f"“{key}”/{fname} 不能上传"))
                continue
        elif key not in ids:
            problems.append(Problem(None, "", key, f"unknown sector '{key}'", f"未知行业“{key}”"))
            continue
        rule = _range_rule(base, key, fname, x)
        if rule is not None:
            r, c = where(key, fname)
            problems.append(Problem(r, c, _fmt(x), *rule))
            continue
        if key.startswith(CLUSTER_PREFIX):
            cluster[key[len(CLUSTER_PREFIX):]] = x
            continue
        i = ids.index(key)
        if fname == "output_2024":
            output[i] = x
        elif fname == "va_rate":
            va_pct[i] = x
        else:
            trend[i] = x
            given_trend.add(key)
    if problems:
        _raise(problems, data.filename)

    # (a) the cluster's processing part is the cluster sector's output
    cluster["processing"] = float(output[base.cluster_index])

    # (b) output-weighted trend = published growth; re-derive the residual sector if there is one
    pub = base.published_growth
    dep = base.params["depreciation"]
    lo, hi = TREND_RANGE
    residual = None
    weighted = float(output @ trend / output.sum())
    if abs(weighted - pub) > 1e-9:
        candidates = [s for s in _residual_sectors(base) if s not in given_trend]
        if candidates:
            residual = candidates[0]
            r = ids.index(residual)
            rest = float(np.delete(output, r) @ np.delete(trend, r))
            g = (pub * float(output.sum()) - rest) / float(output[r])
            if not (lo <= g <= hi and g > -dep):
                name_en, name_zh = _key_label(base, residual, "en"), _key_label(base, residual, "zh")
                problems.append(Problem(
                    None, "", _fmt(g),
                    f"with these figures the trend growth of '{residual}' ({name_en}), derived as the residual that "
                    f"makes the output-weighted trend equal the published {pub:g} %/yr, would be {g:.2f} %/yr, "
                    f"outside the allowed {max(lo, -dep):g} to {hi:g} %/yr; check the uploaded outputs and growth "
                    f"rates or supply more sectors' growth",
                    f"按这些数据，作为余量推算的“{residual}”({name_zh})趋势增速(使按产值加权的趋势增速等于公布的 "
                    f"{pub:g}%/年)将为 {g:.2f}%/年，超出允许范围 {max(lo, -dep):g} 至 {hi:g}%/年；"
                    "请核对上传的产值和增速，或补充更多行业的增速"))
            else:
                trend[r] = g
        elif abs(weighted - pub) > GROWTH_CHECK_TOLERANCE:
            problems.append(Problem(
                None, "", f"{weighted:.3f}",
                f"the output-weighted trend growth of the sectors is {weighted:.3f} %/yr but the published growth "
                f"is {pub:g} %/yr, and no sector's trend is left to derive as the residual (the derived one was "
                "uploaded); leave one sector's growth empty or correct the figures",
                f"各行业按产值加权的趋势增速为 {weighted:.3f}%/年，与公布的 {pub:g}%/年 不符，且没有可作为余量推算的"
                "行业增速(推算行业的增速已被上传);请留空一个行业的增速或更正数据"))
    # (c) every trend above −depreciation (uploaded ones were checked cell by cell)
    for i, sid in enumerate(ids):
        if trend[i] <= -dep and sid != residual:
            problems.append(Problem(None, "", _fmt(trend[i]),
                                    f"trend growth of '{sid}' must be above −depreciation ({-dep:g} %/yr)",
                                    f"行业“{sid}”的趋势增速必须高于 −折旧率({-dep:g}%/年)"))
    # (d) today's chain-extension share below the lever's maximum
    chain_hi = SPEC_BY_NAME["chain_extension"].hi
    chain = 100.0 * cluster["downstream"] / (base.params["chain_multiplier"] * cluster["processing"])
    if not chain < chain_hi:
        rows = [r for r in (data.row_of(base.cluster_sector, "output_2024"),
                            data.row_of(_cluster_key("downstream"), "output_2024")) if r is not None]
        at_en = f" (rows {', '.join(map(str, rows))})" if rows else ""
        at_zh = f"(第 {'、'.join(map(str, rows))} 行)" if rows else ""
        mult = base.params["chain_multiplier"]
        problems.append(Problem(
            None, "", _fmt(chain),
            f"downstream products ({_fmt(cluster['downstream'])}) / ({mult:g} × {base.cluster_sector} output "
            f"{_fmt(cluster['processing'])}) = {chain:.1f} %, today's chain-extension share, must stay below the "
            f"lever's maximum of {chain_hi:g} %{at_en}",
            f"下游制品({_fmt(cluster['downstream'])})/({mult:g} × {base.cluster_sector} 产值 "
            f"{_fmt(cluster['processing'])}) = {chain:.1f}%,即现状深加工比例，必须低于杠杆上限 {chain_hi:g}%{at_zh}"))
    if problems:
        _raise(problems, data.filename)
    return _Merged(output, trend, va_pct, cluster, residual)


def apply_official(base: Baseline, data: OfficialData, source_title: str | None = None, *,
                   accessed: str | None = None) -> Baseline:
    """A new Baseline with the uploaded figures (``base`` is not changed).

    Supplied figures replace the baseline's and become ``official`` with a new source (``upload``,
    or ``upload2``… if the baseline already has one) titled ``source_title`` (default: from the file
    name) and dated ``accessed`` (default: today). The cluster's processing part follows the cluster
    sector's output (status ``derived``); the derived trend sector is re-derived as the residual when
    the output-weighted trend would otherwise differ from the published growth.

    Raises
    ------
    OfficialDataError (a DataError)
        If the figures are out of range or break a consistency rule (see ``validate``).
    """
    return _replace(base, data, _merge(base, data), source_title, accessed)


def _replace(base: Baseline, data: OfficialData, m: _Merged, source_title: str | None,
             accessed: str | None) -> Baseline:
    sources = dict(base.sources)
    src = None
    if data.figures:
        src = _upload_source_id(base)
        fname = data.filename or "upload"
        title = source_title or f"上传的官方数据：{fname} (official figures uploaded from {fname})"
        sources[src] = Source(src, title, "用户上传 (user upload)", "",
                              accessed or _dt.date.today().isoformat())
    supplied = {(k, f) for k, f, _ in data.figures}
    ids = base.sector_ids
    figures: list[Figure] = []
    for fig in base.figures:
        if fig.table == "sector_parameters" and fig.parameter in FIELDS and fig.key in ids:
            i = ids.index(fig.key)
            value = {"output_2024": m.output[i], "va_rate": m.va_pct[i], "trend_growth": m.trend[i]}[fig.parameter]
            if (fig.key, fig.parameter) in supplied:
                fig = dataclasses.replace(fig, value=float(value), source=src, status="official",
                                          note=f"official figure uploaded from {data.filename or 'a file'} "
                                               f"(replaces {fig.status} {_fmt(fig.value)})")
            elif fig.key == m.residual and fig.parameter == "trend_growth":
                fig = dataclasses.replace(fig, value=float(value),
                                          note=f"residual: re-derived ({_fmt(fig.value)} → {float(value):.4f}) so "
                                               f"that the output-weighted trend of all sectors equals the published "
                                               f"{base.published_growth:g} % after the upload")
        elif fig.table == "cluster" and fig.key in m.cluster:
            key = _cluster_key(fig.key)
            if (key, "output_2024") in supplied:
                fig = dataclasses.replace(fig, value=float(m.cluster[fig.key]), source=src, status="official",
                                          note=f"official figure uploaded from {data.filename or 'a file'} "
                                               f"(replaces {fig.status} {_fmt(fig.value)})")
            elif fig.key == "processing" and fig.value != m.cluster["processing"]:
                fig = dataclasses.replace(fig, value=float(m.cluster["processing"]), status="derived")
        figures.append(fig)
    return dataclasses.replace(
        base,
        output0=_frozen(m.output),
        trend_pct=_frozen(m.trend),
        va_rate=_frozen(m.va_pct / 100.0),
        cluster0=MappingProxyType(dict(m.cluster)),
        sources=MappingProxyType(sources),
        figures=tuple(figures),
    )


def import_official(base: Baseline, raw: bytes, filename: str = "", *,
                    keep_unchanged: bool = True) -> tuple[OfficialData, Baseline]:
    """``read_upload`` → ``validate`` → ``apply_official`` in one call."""
    data = validate(base, read_upload(raw, filename), keep_unchanged=keep_unchanged)
    return data, apply_official(base, data)


# --------------------------------------------------------------------------- what is official

def importable_figures(base: Baseline) -> tuple[Figure, ...]:
    """The figures an upload can replace, with their status, in template order.

    Per sector: 2024 output, value-added rate, trend growth; then the cluster parts (processing
    included: it follows the cluster sector's output and shows as ``derived``).
    """
    ids = base.sector_ids
    sector = sorted((f for f in base.figures if f.table == "sector_parameters" and f.parameter in FIELDS
                     and f.key in ids), key=lambda f: (ids.index(f.key), FIELDS.index(f.parameter)))
    cluster = [f for f in base.figures if f.table == "cluster"]
    return tuple(sector + cluster)


def official_figures(base: Baseline) -> tuple[Figure, ...]:
    """Every figure of the baseline whose status is ``official`` (published or uploaded)."""
    return tuple(f for f in base.figures if f.status == "official")


def status_frame(base: Baseline, lang: str = "zh") -> pd.DataFrame:
    """One row per importable figure: key, name, field, value, unit, status, source (headers in ``lang``).

    ``status`` keeps the ids ``official`` / ``derived`` / ``estimate`` for the page to translate.
    """
    zh = lang == "zh"
    rows = []
    for f in importable_figures(base):
        if f.table == "cluster":
            key, fname = _cluster_key(f.key), "output_2024"
            label = _cluster_label(base, f.key, lang)
        else:
            key, fname = f.key, f.parameter
            label = _key_label(base, key, lang)
        rows.append({
            "key": key, ("名称" if zh else "name"): label,
            ("指标" if zh else "figure"): _header(fname, lang),
            ("数值" if zh else "value"): f.value,
            ("状态" if zh else "status"): f.status,
            ("来源" if zh else "source"): base.sources[f.source].title if f.source in base.sources else f.source,
        })
    return pd.DataFrame(rows)


def status_counts(base: Baseline) -> dict[str, int]:
    """How many importable figures are official, derived and estimate."""
    out = {"official": 0, "derived": 0, "estimate": 0}
    for f in importable_figures(base):
        out[f.status] = out.get(f.status, 0) + 1
    return out


__all__ = [
    "MAX_UPLOAD_BYTES", "FIELDS", "HEADERS", "Problem", "OfficialDataError", "OfficialData",
    "template_frame", "template_csv", "template_xlsx", "read_upload", "validate", "apply_official",
    "import_official", "importable_figures", "official_figures", "status_frame", "status_counts",
]
