"""Exports: the long CSV of every series (exact round trip) and the Excel workbook (sheets, numbers, charts)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import column_index_from_string

from model import evaluate_goals, param_names, parse_scenario, resolve_goals, run_scenarios
from model.io.export import (CSV_DIGITS, SERIES_COLUMNS, SHEETS, TEXTS, _UNIT_KEYS, csv_bytes, scenario_name,
                          scenarios_series_table, series_table, workbook_bytes, write_csv)
from model.core.goals import judged_by_ensemble
from model.io.tables import goals_table
from model.schema.results import steady_median

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ROOT / "data" / "zhoucun" / "presets"
CJK = re.compile(r"[\u4e00-\u9fff]")

#: A scenario that changes every kind of input: levers, projects, a sector trend, goal settings.
CUSTOM = {"meta": {"name": "custom"},
          "assumptions": {"growth": 8.5, "stainless_price": 2.0},
          "levers": {"investment": 18, "tech_upgrade": 60, "chain_extension": 35, "sme_upgrades": 50,
                     "projects": [{"name": "测试项目", "sector": "medical", "start_year": 2027, "output": 40,
                                   "ramp_years": 2, "investment": 30}]},
          "sectors": {"stainless": {"growth": 9.0}},
          "targets": {"doubling": {"year": 2030}, "stainless_cluster": {"threshold": 900}}}


@pytest.fixture(scope="module")
def scenarios(base):
    return [("trend", parse_scenario({}, base)),
            ("三年行动", parse_scenario(base.presets["three_year_action"], base)),
            ("custom", parse_scenario(CUSTOM, base))]


@pytest.fixture(scope="module")
def proj(base, scenarios):
    return run_scenarios(base, [sc for _, sc in scenarios])


@pytest.fixture(scope="module")
def probabilities(scenarios, base):
    rng = np.random.default_rng(20241231)
    return {name: {g.id: float(p) for g, p in zip(base.goals, rng.uniform(size=len(base.goals)))}
            for name, _ in scenarios}


@pytest.fixture(scope="module")
def xlsx(base, scenarios, probabilities):
    return {lang: workbook_bytes(base, scenarios, lang=lang, narrative=f"narrative paragraph {lang} 情景解读",
                                 probabilities=probabilities, runs=10_000, seed=20241231)
            for lang in ("zh", "en")}


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _rows(ws, header_first: str) -> tuple[list[str], list[tuple]]:
    """The block of rows under the first header row whose first cell is ``header_first``."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == header_first)
    header = [c for c in rows[start] if c is not None]
    block = []
    for r in rows[start + 1:]:
        if r[0] is None:
            break
        block.append(r[:len(header)])
    return header, block


# --------------------------------------------------------------------------- long table and CSV

def test_series_table_has_every_series_with_units(base, proj):
    t = series_table(base, proj, "trend", 0)
    assert tuple(t.columns) == SERIES_COLUMNS
    units = t.groupby("series").unit.unique().map(tuple).to_dict()
    assert units == {"output": ("100m yuan",), "output_real": ("100m yuan",), "value_added": ("100m yuan",),
                     "cluster": ("100m yuan",), "investment": ("100m yuan",),
                     "cumulative_investment": ("100m yuan",), "advanced_share": ("%",), "growth": ("%/yr",),
                     "high_tech_share": ("%",), "gain": ("100m yuan",)}
    sectors = set(base.sector_ids) | {"total"}
    for s in ("output", "output_real", "value_added"):
        assert set(t[t.series == s].sector) == sectors
    assert set(t[t.series == "cluster"].sector) == {"processing", "trade", "downstream", "total"}
    years = list(base.years)
    assert sorted(set(t[t.series == "output"].year)) == years
    assert sorted(t[t.series == "growth"].year) == years[1:]
    assert not t.value.isna().any() and (t.scenario == "trend").all()


def test_series_totals_equal_the_projection(base, proj, scenarios):
    for i, (name, _) in enumerate(scenarios):
        t = series_table(base, proj, name, i)

        def get(series, sector):
            return t[(t.series == series) & (t.sector == sector)].sort_values("year").value.to_numpy()

        assert np.array_equal(get("output", "total"), proj.total[i])
        assert np.array_equal(get("cluster", "total"), proj.cluster_total[i])
        assert np.array_equal(get("value_added", "total"), proj.total_value_added[i])
        assert np.array_equal(get("output", "stainless"), proj.output[i, base.cluster_index])
        assert np.array_equal(get("investment", "total"), proj.investment[i])
        assert np.array_equal(get("cumulative_investment", "total"), proj.cumulative_investment[i])
        assert np.array_equal(get("advanced_share", "total"), proj.advanced_share[i])
        assert np.array_equal(get("growth", "total"), proj.growth[i])
        assert np.array_equal(get("high_tech_share", "total"), proj.high_tech_share[i])
        # Finding 3 (build item 3): the gain's parts add up to the gain of total output exactly.
        parts = sum(get("gain", p) for p in ("volume", "price", "reclassification"))
        np.testing.assert_allclose(parts, proj.total[i] - proj.total[i, 0], rtol=1e-12, atol=1e-9)
        per_sector = t[(t.series == "output") & (t.sector != "total")].groupby("year").value.sum().to_numpy()
        np.testing.assert_allclose(per_sector, proj.total[i], rtol=1e-12)
        real = get("output_real", "total")
        np.testing.assert_allclose(real, proj.real_output[i].sum(axis=0), rtol=1e-12)
    # The trend scenario: 400 亿元 in 2024, 7.2 %/yr; the 千亿 cluster starts at 500.
    t0 = series_table(base, proj, "trend", 0)
    assert t0[(t0.series == "output") & (t0.sector == "total") & (t0.year == 2024)].value.item() == pytest.approx(400)
    assert t0[(t0.series == "cluster") & (t0.sector == "total") & (t0.year == 2024)].value.item() == pytest.approx(500)


def test_csv_round_trip_keeps_six_significant_digits(base, scenarios, tmp_path):
    """Issue 9, finding 14: values carry CSV_DIGITS significant digits, not 13–16 of binary noise."""
    table = scenarios_series_table(base, scenarios)
    assert set(table.scenario) == {n for n, _ in scenarios}
    raw = csv_bytes(table)
    back = pd.read_csv(io.BytesIO(raw))
    pd.testing.assert_frame_equal(back.drop(columns="value"), table.drop(columns="value"), check_dtype=False)
    np.testing.assert_allclose(back.value.to_numpy(), table.value.to_numpy(), rtol=5e-6, atol=0)
    digits = [len(v.split(",")[4].replace(".", "").replace("-", "").lstrip("0"))
              for v in raw.decode("utf-8-sig").splitlines()[1:]]
    assert max(digits) <= CSV_DIGITS
    path = tmp_path / "series.csv"
    write_csv(table, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Chinese names correctly
    assert list(pd.read_csv(path).columns) == list(SERIES_COLUMNS)


# --------------------------------------------------------------------------- texts

def test_texts_have_the_same_keys_in_both_languages():
    assert TEXTS["zh"].keys() == TEXTS["en"].keys()
    assert all(v.strip() for lang in TEXTS.values() for v in lang.values())
    assert set(_UNIT_KEYS.values()) <= TEXTS["zh"].keys()
    for key in SHEETS:  # Excel: at most 31 characters, none of []:*?/\
        for lang in ("zh", "en"):
            name = TEXTS[lang][key]
            assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    assert {TEXTS["zh"][k] for k in SHEETS}.isdisjoint({TEXTS["en"][k] for k in SHEETS})


def test_scenario_name(base):
    sc = parse_scenario(base.presets["three_year_action"], base)
    assert scenario_name(sc, "zh") == "三年行动" and scenario_name(sc, "en") == "3-year action"
    assert scenario_name(parse_scenario({}, base), "zh") == TEXTS["zh"]["trend_scenario"]
    assert scenario_name(parse_scenario({}, base), "en", "file") == "file"


# --------------------------------------------------------------------------- workbook

@pytest.mark.parametrize("lang, names", [("zh", ["摘要", "图表", "假设与杠杆", "数据来源", "分年数据"]),
                                         ("en", ["Summary", "Charts", "Assumptions & levers", "Sources",
                                                 "Yearly data"])])
def test_workbook_has_five_sheets_in_the_language(xlsx, lang, names):
    assert _open(xlsx[lang]).sheetnames == names


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_yearly_data_equals_the_model(base, proj, scenarios, xlsx, lang):
    t = TEXTS[lang]
    ws = _open(xlsx[lang])[t["sheet_yearly"]]
    header, rows = _rows(ws, t["col_scenario"])
    assert header == [t["col_scenario"], t["col_id"], t["col_sector"], t["col_year"], t["col_output"],
                      t["col_output_real"].format(year=2024), t["col_value_added"]]
    cells = {(r[0], r[1], r[3]): r for r in rows}
    S, Y = len(base.sectors), len(base.years)
    assert len(rows) == len(scenarios) * (S + 1 + 4) * Y  # sectors, total, 3 cluster parts and the cluster
    names = {s.id: s.name(lang) for s in base.sectors}
    k = base.sector_ids.index
    for i, (name, _) in enumerate(scenarios):
        for sid, year in (("stainless", 2027), ("medical", 2035), ("digital", 2030), ("textiles", 2024)):
            y = year - 2024
            r = cells[(name, sid, year)]
            assert r[2] == names[sid]
            assert r[4] == pytest.approx(proj.output[i, k(sid), y], rel=1e-15)  # xlsx keeps 16 digits
            assert r[5] == pytest.approx(proj.real_output[i, k(sid), y], rel=1e-15)
            assert r[6] == pytest.approx(proj.value_added[i, k(sid), y], rel=1e-15)
        for year in (2024, 2027, 2035):
            y = year - 2024
            tot = cells[(name, "total", year)]
            assert tot[2] == t["total"] and tot[4] == pytest.approx(proj.total[i, y], rel=1e-15)
            assert tot[6] == pytest.approx(proj.total_value_added[i, y], rel=1e-15)
            cl = cells[(name, "stainless_cluster", year)]
            assert cl[4] == pytest.approx(proj.cluster_total[i, y], rel=1e-15) and cl[6] is None
            trade = cells[(name, "stainless_cluster:trade", year)]
            assert trade[4] == pytest.approx(proj.cluster[i, 1, y], rel=1e-15)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_summary_lists_every_goal_result(base, proj, scenarios, probabilities, xlsx, lang):
    t = TEXTS[lang]
    ws = _open(xlsx[lang])[t["sheet_summary"]]
    text = [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert t["projection_note"] in text
    k, n = len(base.estimates()), len(base.figures)
    assert 0 < k < n
    assert any(f"{k} " in s and f"{n} " in s and t["status_estimate"] in s for s in text)  # "93 of the 101 … estimates"
    assert f"narrative paragraph {lang} 情景解读" in text
    header, rows = _rows(ws, t["col_scenario"])
    assert header[-1] == t["col_probability"] and header[2] == t["col_met"]
    assert len(rows) == len(scenarios) * len(base.goals)
    for i, (name, sc) in enumerate(scenarios):
        goals = resolve_goals(sc, base)
        # steady growth judged over the page's ensemble (issue 17 review A), as the record does
        central, median = evaluate_goals(proj.row(i), goals), steady_median(base, sc)
        table = goals_table(central if median is None else judged_by_ensemble(central, median)).set_index("target")
        mine = [r for r in rows if r[0] == name]
        for g, r in zip(goals, mine):
            want = table.loc[g.id]
            assert r[1] == g.name(lang)
            assert r[2] == (t["yes"] if want.met else t["no"])
            assert r[3] == g.target_year
            assert r[4] == (t["not_reached"] if pd.isna(want.year_reached) else int(want.year_reached))
            assert r[5] == pytest.approx(want.value, rel=1e-15) and r[6] == pytest.approx(want.goal, rel=1e-15)
            assert r[7] == pytest.approx(want.gap, rel=1e-12, abs=1e-12)
            assert r[header.index(t["col_probability"])] == pytest.approx(probabilities[name][g.id], rel=1e-15)
    custom = {r[1]: r for r in rows if r[0] == "custom"}
    assert custom[base.goal_by_id["doubling"].name(lang)][3] == 2030          # the scenario's year
    assert custom[base.goal_by_id["stainless_cluster"].name(lang)][6] == 900  # and threshold


def test_summary_without_probabilities_has_no_probability_column(base, scenarios):
    ws = _open(workbook_bytes(base, scenarios[:1], lang="en"))["Summary"]
    header, rows = _rows(ws, "Scenario")
    assert "Probability" not in header and len(rows) == len(base.goals)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_assumptions_sheet_lists_parameters_projects_and_overrides(base, scenarios, xlsx, lang):
    t = TEXTS[lang]
    ws = _open(xlsx[lang])[t["sheet_assumptions"]]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    rows = list(ws.iter_rows(values_only=True))
    params = {(r[0], r[2]): r for r in rows if r[0] in dict(scenarios) and isinstance(r[3], (int, float))
              and isinstance(r[2], str)}
    assert params[("三年行动", "investment")][3] == 12 and params[("三年行动", "investment")][5] == t["origin_scenario"]
    trend_growth = params[("trend", "growth")]
    assert trend_growth[3] == pytest.approx(7.2) and trend_growth[5] == t["origin_neutral"]
    assert params[("custom", "trend:stainless")][3] == 9.0
    assert params[("custom", "trend:stainless")][5] == t["origin_scenario"]
    label = "工业投资增速" if lang == "zh" else "growth of total industrial investment"
    assert params[("custom", "investment")][1] == label
    for name, _ in scenarios:  # every column of the engine's parameter row, for every scenario
        assert set(param_names(base)) <= {code for (n, code) in params if n == name}
    for p in base.presets["three_year_action"]["levers"]["projects"]:  # each in the workbook's language
        assert (p["name"] if lang == "zh" else p["name_en"]) in values
    assert "测试项目" in values
    assert t["heading_goal_settings"] in values and t["heading_sectors"] in values


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sources_sheet_lists_every_source_and_figure_status(base, xlsx, lang):
    t = TEXTS[lang]
    ws = _open(xlsx[lang])[t["sheet_sources"]]
    _, sources = _rows(ws, t["col_source_id"])
    assert [r[0] for r in sources] == list(base.sources)
    assert {r[0]: r[3] or "" for r in sources} == {s.id: s.url for s in base.sources.values()}
    header, figures = _rows(ws, t["col_table"])
    assert len(figures) == len(base.figures)
    status = {"official": t["status_official"], "derived": t["status_derived"], "estimate": t["status_estimate"]}
    names = {s.id: s.name(lang) for s in base.sectors} | {g.id: g.name(lang) for g in base.goals}
    for f, r in zip(base.figures, figures):
        assert (r[1] or "", r[2]) == (names.get(f.key, f.key), f.parameter)
        assert r[3] == pytest.approx(f.value) and r[5] == f.source and r[6] == status[f.status]
    if lang == "zh":
        assert {r[6] for r in figures} == {"官方", "推算", "估算"}


def _chart_xml(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [z.read(n).decode("utf-8") for n in sorted(z.namelist()) if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]


def _title(chart: str) -> str:
    """A chart's title: a reference to a cell, with the cell's text cached in the chart."""
    return re.search(r"<c:title>.*?<c:v>(.*?)</c:v>", chart, re.S).group(1)


def test_workbook_has_native_charts_with_chinese_titles(base, proj, scenarios, xlsx):
    charts = _chart_xml(xlsx["zh"])
    assert len(charts) == 3
    titles = [_title(c) for c in charts]
    assert titles[0] == "规上工业总产值" and all(CJK.search(x) for x in titles)
    for c in charts:  # the CJK font for Latin and East Asian runs (<a:ea> follows <a:latin>)
        ET.fromstring(c.encode("utf-8"))
        assert re.search(r'<a:latin typeface="Microsoft YaHei"[^>]*/><a:ea typeface="Microsoft YaHei"', c)
    assert "<c:lineChart>" in charts[0] and "<c:areaChart>" in charts[2] and 'val="stacked"' in charts[2]
    # One line per scenario and the goal's dashed line; the stacked sectors have no goal.
    assert charts[0].count("<c:ser>") == len(scenarios) + 1 and charts[2].count("<c:ser>") == len(base.sectors)
    en_titles = [_title(c) for c in _chart_xml(xlsx["en"])]
    assert en_titles[0] == "Total industrial output" and not CJK.search(en_titles[0])


def test_chart_series_point_at_the_models_numbers(base, proj, scenarios, xlsx):
    """Each line of the total-output chart reads cells holding that scenario's Projection.total."""
    wb = _open(xlsx["zh"])
    chart = _chart_xml(xlsx["zh"])[0]
    refs = [r for r in re.findall(r"<c:val>\s*<c:numRef>\s*<c:f>(.*?)</c:f>", chart, re.S) if "分年数据" in r]
    assert len(refs) == len(scenarios)
    for i, ref in enumerate(refs):
        sheet, rng = ref.rsplit("!", 1)
        assert sheet.strip("'") == "分年数据"
        c0, r0, c1, r1 = re.fullmatch(r"\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", rng).groups()
        ws = wb["分年数据"]
        col = column_index_from_string(c0)
        got = [ws.cell(r, col).value for r in range(int(r0), int(r1) + 1)]
        np.testing.assert_allclose(got, proj.total[i], rtol=1e-15)


def _series(chart: str) -> list[tuple[str, str, str]]:
    """(name reference, values reference, the series' XML) of every series of a chart."""
    out = []
    for ser in re.findall(r"<c:ser>(.*?)</c:ser>", chart, re.S):
        name = re.search(r"<c:tx>\s*<c:strRef>\s*<c:f>(.*?)</c:f>", ser, re.S).group(1)
        values = re.search(r"<c:val>\s*<c:numRef>\s*<c:f>(.*?)</c:f>", ser, re.S).group(1)
        out.append((name, values, ser))
    return out


def _cells(wb, ref: str) -> list:
    sheet, rng = ref.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    got = ws[rng.replace("$", "")]
    if not isinstance(got, tuple):  # one cell
        return [got.value]
    return [c.value for row in got for c in (row if isinstance(row, tuple) else (row,))]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_excel_charts_carry_the_goal_lines(base, proj, scenarios, xlsx, lang):
    """Issue 18: the total-output chart carries the doubling goal (2 × the first scenario's 2024 total:
    2 × 400 = 800亿元) and the cluster chart the 1 000亿元 goal, each a dashed flat line over every year,
    named by its goal; their cells sit in hidden columns that the charts still plot."""
    t = TEXTS[lang]
    wb = _open(xlsx[lang])
    total, cluster, sectors = _chart_xml(xlsx[lang])
    assert proj.total[0, 0] == pytest.approx(400.0)  # the data's 2024 output, 亿元
    for chart, key, value in ((total, "goal_line_total", 800.0), (cluster, "goal_line_cluster", 1000.0)):
        name_ref, values_ref, ser = _series(chart)[-1]
        label = _cells(wb, name_ref)[0]
        assert label == t[key].format(value=f"{value:,.0f}", year=2027)
        values = _cells(wb, values_ref)
        assert len(values) == len(base.years) and values == pytest.approx([value] * len(base.years))
        assert 'prstDash val="dash"' in ser
        assert 'plotVisOnly val="1"' not in chart  # hidden cells plotted (xlsxwriter then omits the element)
        sheet = wb[name_ref.rsplit("!", 1)[0].strip("'")]
        col = column_index_from_string(re.search(r"\$([A-Z]+)\$", name_ref).group(1))
        dims = [d for d in sheet.column_dimensions.values() if d.min and d.min <= col <= d.max]
        assert sheet.title == t["sheet_charts"] and dims and all(d.hidden for d in dims)
    assert all("goal" not in n and "目标" not in str(_cells(wb, n)[0]) for n, _, _ in _series(sectors))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_handout_comes_first_and_the_long_table_prints_on_request(xlsx, lang):
    """Page 1 is the summary (the handout), the yearly long table is the last sheet, and its print area
    is its first row only: the note saying how to print the data."""
    t = TEXTS[lang]
    wb = _open(xlsx[lang])
    assert wb.sheetnames[0] == t["sheet_summary"] and wb.sheetnames[-1] == t["sheet_yearly"]
    ws = wb[t["sheet_yearly"]]
    assert ws["A1"].value == t["yearly_print_note"]
    assert ws.print_area.replace("'", "") in (f"{t['sheet_yearly']}!$A$1:$G$1",)
    assert ws["A2"].value == t["col_scenario"] and ws.freeze_panes == "A3"
    for name in wb.sheetnames[:-1]:  # the other sheets print whole
        assert not wb[name].print_area


def test_workbook_needs_a_scenario(base):
    with pytest.raises(ValueError):
        workbook_bytes(base, [])


# --------------------------------------------------------------------------- command line

def cli(*args):
    return subprocess.run([sys.executable, "-m", "model", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=180)


def test_cli_export_writes_workbook_and_csv(base, tmp_path):
    xl, csv = tmp_path / "plan.xlsx", tmp_path / "plan.csv"
    r = cli("export", PRESETS / "three_year_action.json", "--xlsx", xl, "--csv", csv)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    wb = openpyxl.load_workbook(xl)
    # the feasibility sheet follows the summary (issue 19; its content: test_feasibility_exports.py)
    assert wb.sheetnames == [TEXTS["zh"][k] for k in (SHEETS[0], "sheet_feasibility", *SHEETS[1:])]
    header, rows = _rows(wb["摘要"], "情景")
    assert header[-1] == "达成概率" and {r[0] for r in rows} == {"三年行动"}
    probs = {r[1]: r[header.index("达成概率")] for r in rows}
    assert probs["工业倍增"] == 0 and 0 < probs["持续稳定增长"] <= 1
    assert len(_chart_xml(xl.read_bytes())) == 3
    table = pd.read_csv(csv)  # in the workbook's language (--lang zh by default)
    sc = parse_scenario(base.presets["three_year_action"], base)
    want = series_table(base, run_scenarios(base, [sc]), "三年行动")
    np.testing.assert_allclose(table["数值"].to_numpy()[:len(want)], want.value.to_numpy(), rtol=5e-6)
    # then the scenario's feasibility rows (issue 19)
    assert TEXTS["zh"]["csv_series_feas_tax"] in set(table["指标"][len(want):])


def test_cli_export_english_csv_only(tmp_path):
    csv = tmp_path / "trend.csv"
    r = cli("export", "--csv", csv, "--lang", "en")
    assert r.returncode == 0, r.stderr
    t = pd.read_csv(csv)
    assert set(t.scenario) == {"Trend"}
    xl = tmp_path / "trend.xlsx"
    assert cli("export", "--xlsx", xl, "--lang", "en").returncode == 0
    assert openpyxl.load_workbook(xl).sheetnames[0] == "Summary"


@pytest.mark.parametrize("args, needle", [
    (("export",), "--xlsx"),
    (("export", "--xlsx", "{tmp}/missing/dir/x.xlsx"), "cannot write"),
    (("export", "--csv", "{tmp}"), "cannot write"),
    (("export", "--xlsx", "{tmp}/x.xlsx", "--lang", "fr"), "invalid choice"),
    (("export", "missing.json", "--xlsx", "{tmp}/x.xlsx"), "file not found"),
])
def test_cli_export_bad_arguments_exit_2_with_one_line(tmp_path, args, needle):
    r = cli(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and needle in r.stderr
    assert "Traceback" not in r.stderr


def test_cli_workbook_carries_the_same_briefing_as_the_page(tmp_path):
    import openpyxl

    from model import load_baseline, parse_scenario
    from model.reports.briefing import briefing
    from model.schema.runs import summarize

    out = tmp_path / "book.xlsx"
    r = subprocess.run([sys.executable, "-m", "model", "export", "data/zhoucun/presets/three_year_action.json",
                        "--xlsx", str(out), "--lang", "zh"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    base = load_baseline()
    sc = parse_scenario(base.presets["three_year_action"], base)
    text = briefing(base, sc, "zh", summarize(base, sc, runs=10_000, seed=20241231))
    cells = [c.value for ws in openpyxl.load_workbook(out).worksheets for row in ws.iter_rows() for c in row]
    assert text in cells and "2027" in text and "达成概率" in text
