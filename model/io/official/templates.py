"""The upload template (frame, CSV, XLSX with a notes sheet) and what of the baseline is official now."""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np
import pandas as pd

from ...core.baseline import Baseline, Figure
from ...core.specs import SPEC_BY_NAME
from ..sheets import FittedSheet, print_setup
from .common import CLUSTER_UPLOAD_PARTS, FIELDS, OUTPUT_MAX, TREND_RANGE, VA_RANGE, _cluster_key, _cluster_label, \
    _header, _is_empty, _key_label, _pct, _residual_sectors, _show

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
