"""Issue 9 ("Hardening"): one test (or more) per numbered finding that failed on the landed main.

Findings 1 (the real download click), 6 (a long link served) and 8 (rendered links and images) are
also checked in a real browser in ``test_browser_hardening.py``; the memory and time bounds of
findings 2–4 in ``test_limits.py``; the LibreOffice rendering of findings 12–15 in
``test_libreoffice.py``.
"""

from __future__ import annotations

import dataclasses

import ast
import io
import json
import random
import re
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import streamlit as st
import xlsxwriter
from streamlit.testing.v1 import AppTest

from i18n import names
from markdown_support import shown
from model import ScenarioError, load_baseline, parse_scenario, parse_scenario_bytes, read_scenario_file
from model.io.bounded import MAX_JSON_BYTES, pack, unpack
from model.io.export import TEXTS, csv_bytes, localise_series, scenarios_series_table, workbook_bytes
from model.io.official import OfficialDataError, import_official, read_upload, template_xlsx, validate
from model.io.sheets import display_width
from ui.safe import inert

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    yield


def app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    return at


def open_tab(at: AppTest, tab: str) -> AppTest:
    """Click a tab by its language-neutral id: only the open tab computes."""
    from ui.i18n import Translator
    at.session_state["tabs_zh"] = Translator("zh")(f"tab_{tab}")
    return at.run()


def cards(at: AppTest) -> list[str]:
    """Each goal card's HTML (the row of cards is one markdown element)."""
    return [card for m in at.markdown if "data-goal=" in m.value
            for card in m.value.split('<div class="zc-card ')[1:]]


# --------------------------------------------------------------------------- 2. bounded scenario files

def test_2_a_long_project_list_is_refused_before_any_item_is_validated(base):
    raw = b'{"levers":{"projects":[' + b",".join([b"{}"] * 80_000) + b"]}}"  # 240 kB, under the byte limit
    with pytest.raises(ScenarioError) as info:
        parse_scenario(parse_scenario_bytes(raw), base)
    assert "80,000 entries" in info.value.en and "at most 60" in info.value.en and "最多允许 60 项" in info.value.zh


def test_2_a_large_file_is_refused_by_its_size_in_the_page_and_the_cli(base, tmp_path):
    raw = b'{"levers":{"projects":[' + b",".join([b"0"] * 2_000_000) + b"]}}"
    with pytest.raises(ScenarioError) as info:
        parse_scenario_bytes(raw)
    assert f"at most {MAX_JSON_BYTES // 1024:,} kB" in info.value.en
    path = tmp_path / "huge.json"
    path.write_bytes(raw)
    with pytest.raises(ScenarioError) as info:
        read_scenario_file(path)
    assert "kB" in info.value.en


def test_2_deep_nesting_is_refused_without_recursion(base):
    with pytest.raises(ScenarioError) as info:
        parse_scenario_bytes(b'{"meta":' + b"[" * 5000 + b"]" * 5000 + b"}")
    assert "nested" in info.value.en


def test_2_only_the_first_validation_error_is_formatted(base):
    doc = {"levers": {"projects": [{"name": "x"}] * 60}}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(doc, base)
    assert "(and 179 more problems)" in info.value.en  # 60 × sector, start_year, output


# --------------------------------------------------------------------------- 3. official importer

def test_3_a_csv_with_millions_of_columns_is_refused_on_its_raw_text(base):
    raw = (",".join(["sector"] + ["x"] * 2_490_000) + "\n" + ",".join(["1"] * 2_490_000) + "\n").encode()
    with pytest.raises(OfficialDataError) as info:
        read_upload(raw, "wide.csv")
    assert "more than 50 columns" in info.value.en and len(info.value.problems) == 1


def test_3_problems_kept_are_capped_and_counted(base):
    rows = "\n".join(f"nosuch{i},1" for i in range(900))
    with pytest.raises(OfficialDataError) as info:
        import_official(base, ("sector,output_2024\n" + rows + "\n").encode(), "many.csv")
    assert len(info.value.problems) == 200 and "900 problems" in info.value.en


def test_3_a_cell_at_xfd1048576_is_not_padded(base):
    from testkit.limits import xlsx_far_cell

    with pytest.raises(OfficialDataError) as info:
        read_upload(xlsx_far_cell(), "far.xlsx")
    assert "rows" in info.value.en


def test_3_the_session_keeps_only_the_message_of_a_rejected_upload(base):
    """A rejected file's exception holds its traceback and every frame's locals (the whole file):
    the session must keep only the two message texts."""
    at = app(tab="model")  # the official-data import lives on the model & data tab
    rows = "\n".join(f"nosuch{i},1" for i in range(300))
    uploader = next(u for u in at.file_uploader if str(u.key).startswith("official_upload"))
    uploader.set_value(("many.csv", ("sector,output_2024\n" + rows).encode(), "text/csv")).run()
    kept = at.session_state["_official_error"]
    assert isinstance(kept, tuple) and all(isinstance(x, str) for x in kept)
    assert "300" in kept[0] and any("未导入" in shown(e.value) for e in at.error)
    for key in ("_official_error", "_notices", "_upload_msg", "_actuals_error", "_official_url_error"):
        if key in at.session_state:
            assert "Error" not in repr(type(at.session_state[key])) and "Error(" not in repr(at.session_state[key])


# --------------------------------------------------------------------------- 4. goal seek in blocks

def test_4_goal_seek_evaluates_in_blocks_with_the_same_answer(base, monkeypatch):
    from model.core import seek as seek_module
    from model.schema.scenario import scenario_rows

    sc = parse_scenario({"assumptions": {"volatility": 6.0}}, base)
    whole = seek_module.seek(base, scenario_rows(sc, base), "doubling", "investment", probability=0.5, runs=400, seed=3)
    calls = []
    real = seek_module.simulate_ensemble

    def counting(base_, X, projects, draws):
        calls.append(X.shape[0] * draws.runs)  # engine rows: lever values × draws
        return real(base_, X, projects, draws)

    monkeypatch.setattr(seek_module, "MAX_ROWS", 800)
    monkeypatch.setattr(seek_module, "simulate_ensemble", counting)
    blocked = seek_module.seek(base, scenario_rows(sc, base), "doubling", "investment", probability=0.5, runs=400, seed=3)
    assert max(calls) <= 800  # two lever values × 400 draws per engine call
    # The same search (same rounds, value, residual), in more engine calls.
    assert blocked.engine_calls > whole.engine_calls == whole.iterations + 1  # + the chance at the setting
    assert dataclasses.replace(blocked, engine_calls=whole.engine_calls) == whole


def test_4_heavy_slots_are_capped_and_a_page_tool_says_busy():
    from ui import heavy

    with heavy.slot(), heavy.slot():
        start_wait = heavy.WAIT_S
        heavy.WAIT_S = 0.05
        try:
            with pytest.raises(heavy.Busy):
                with heavy.slot():
                    pass
        finally:
            heavy.WAIT_S = start_wait
    with heavy.slot():  # released again
        pass


# --------------------------------------------------------------------------- 5. crafted URLs

NESTED = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize("query", [
    {"projects": NESTED}, {"sectors": NESTED}, {"targets": NESTED}, {"compare": NESTED},
    {"compare": '{"a": 5}'}, {"compare": '{"a": null}'}, {"compare": '{"a": "x"}'}, {"compare": '{"a": [1]}'},
    {"compare": '{"a": {"levers": {"chain_extension": "x"}}}'}, {"compare": "[1, 2]"},
    {"projects": '{"a": 1}'}, {"targets": "[1]"}, {"sectors": "5"}, {"official": NESTED},
    {"compare": "z:!!!"}, {"projects": "z:" + "A" * 40},
])
def test_5_every_crafted_url_value_gets_a_notice_and_no_exception(base, query):
    at = app(**query)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.warning and len(cards(at)) == 4
    assert at.session_state["saved"] == {} or "compare" not in query


# --------------------------------------------------------------------------- 6. long shared states

def _projects(n: int, rng: random.Random, name_len: int = 12) -> list[dict]:
    def cjk() -> str:
        return "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(name_len))

    return [{"name": cjk(), "sector": "equipment", "start_year": 2026 + k % 5, "output": 5.0 + k, "ramp_years": 3,
             "investment": 4.0} for k in range(n)]


def test_6_pack_round_trips_and_refuses_bombs():
    text = json.dumps({"a": "周村" * 500}, ensure_ascii=False)
    packed = pack(text)
    assert packed.startswith("z:") and len(packed) < len(text) and unpack(packed) == text
    assert pack("{}") == "{}"
    import base64
    import zlib

    bomb = "z:" + base64.urlsafe_b64encode(zlib.compress(b"[" * 50_000_000, 9)).decode().rstrip("=")
    with pytest.raises(ScenarioError):
        unpack(bomb)


def test_6_eight_saved_scenarios_with_sixty_chinese_projects_fit_in_a_link(base):
    """On main the compare parameter of this state was a 216 kB URL that the server refused."""
    rng = random.Random(9)
    saved = {f"方案{i}": {"levers": {"projects": _projects(60, rng)}} for i in range(7)}
    at = app(compare=pack(json.dumps(saved, ensure_ascii=False, separators=(",", ":"))), tab="compare")
    assert not at.exception and len(at.session_state["saved"]) == 7
    at.text_input(key="cmp_name").set_value("方案7").run()
    at.button(key="cmp_save").click().run()
    value = at.query_params["compare"]
    value = value[0] if isinstance(value, list) else value
    from urllib.parse import quote

    assert len(at.session_state["saved"]) == 8
    assert len(quote(value)) < 64_000  # the whole state, percent-encoded, well below the ~128 kB limit
    assert json.loads(unpack(value)).keys() == at.session_state["saved"].keys()


def test_6_a_state_too_large_for_a_link_says_so_and_offers_the_file(base):
    rng = random.Random(1)
    saved = {f"方案{i}": {"levers": {"projects": _projects(60, rng, name_len=80)}} for i in range(7)}
    at = app(compare=pack(json.dumps(saved, ensure_ascii=False, separators=(",", ":"))), tab="compare")
    at.text_input(key="cmp_name").set_value("方案7").run()
    at.button(key="cmp_save").click().run()
    open_tab(at, "sim")  # the notice sits above the goal cards
    assert not at.exception  # left out rather than written as a link the server refuses
    assert any("无法通过链接分享" in shown(w.value) for w in at.warning)
    assert at.download_button(key="download_scenario_too_large")


# --------------------------------------------------------------------------- 7. reserved name from the URL

@pytest.mark.parametrize("name", ["当前设置", "current settings"])
def test_7_the_reserved_compare_name_is_refused_from_the_url(base, name):
    at = app(compare=json.dumps({name: {"levers": {"investment": 30}}, "ok": {}}, ensure_ascii=False))
    assert list(at.session_state["saved"]) == ["ok"]
    assert any("保留" in shown(w.value) for w in at.warning)


# --------------------------------------------------------------------------- 8. inert messages

PAYLOADS = ("[CLICK](https://evil.example/phish)", "![t](https://evil.example/track.png)", "<img src=x onerror=1>",
            "$x^2$", ":red[big]", "**bold** `code` www.evil.example a@evil.example")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_8_inert_text_shows_the_characters_and_makes_no_markup(payload):
    text = inert(payload)
    assert shown(text) == payload
    for pattern in (r"(?<!\\)\[", r"(?<!\\)\]\(", r"(?<!\\)!\[", r"(?<!\\)<", r"(?<!\\)\$", r"https?://", r"www\.",
                    r"\w@\w"):
        assert not re.search(pattern, text), (pattern, text)


def test_8_no_message_bypasses_say():
    """Every st.warning/error/success/info of the app goes through ui.safe.say (which makes values inert)."""
    offenders = []
    for path in [REPO / "app.py", *sorted((REPO / "ui").glob("*.py"))]:
        if path.name == "safe.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("warning", "error", "success", "info", "toast", "exception")
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "st"):
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, offenders


def test_8_echoed_values_from_urls_and_files_are_inert(base):
    at = app(sectors=json.dumps({"[CLICK](https://evil.example/phish)": 5}),
             compare=json.dumps({"[x](https://evil.example/c)": {"levers": {"investment": 999}}}))
    messages = [w.value for w in at.warning]
    assert any("evil" in shown(m) for m in messages)
    for m in messages:
        assert "](https://" not in m and "https://evil" not in m
    doc = {"levers": {"projects": [{"name": "p", "sector": "![t](https://evil.example/track.png)",
                                    "start_year": 2026, "output": 1}]}}
    uploader = next(u for u in at.file_uploader if str(u.key).startswith("upload_"))
    uploader.set_value(("[f](https://evil.example/n).json", json.dumps(doc).encode(), "application/json")).run()
    errors = [e.value for e in at.error]
    assert errors and all("![t](" not in e and "https://evil" not in e for e in errors)
    assert any("track.png" in shown(e) for e in errors)


# --------------------------------------------------------------------------- 9. exports: formulas and chart names

def test_9_csv_text_cells_that_look_like_formulas_are_neutralised(base):
    evil = "=cmd|' /C calc'!A0"
    table = scenarios_series_table(base, [(evil, parse_scenario({}, base)), ("+1", parse_scenario({}, base))])
    lines = csv_bytes(table).decode("utf-8-sig").splitlines()[1:]
    assert all(ln.startswith(("'=", "'+")) for ln in lines)
    assert pd.read_csv(io.BytesIO(csv_bytes(table))).scenario.str.startswith("'").all()


def test_9_chart_series_names_are_cell_references(base):
    scs = [("X!A1", parse_scenario({}, base)), ("=1+1", parse_scenario({}, base))]
    raw = workbook_bytes(base, scs, lang="en")
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        charts = [z.read(n).decode() for n in sorted(z.namelist()) if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    names = re.findall(r"<c:ser>.*?<c:tx><c:strRef><c:f>(.*?)</c:f>.*?<c:v>(.*?)</c:v>", charts[0], re.S)
    # The scenarios' lines, then the goal's (issue 18), its name a cell of the charts sheet too.
    assert [v for _, v in names[:2]] == ["X!A1", "=1+1"] and names[2][1].startswith("Doubling goal")
    assert all(f.startswith("'Yearly data'!$A$") for f, _ in names[:2]) and names[2][0].startswith("Charts!$")


# --------------------------------------------------------------------------- 10, 11. official spreadsheets

def _template_with(base, cell: str, value, num_format: str) -> bytes:
    """The English template with one cell overwritten as a spreadsheet program would store it."""
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(base, "en")))
    ws = book.worksheets[0]
    ws[cell] = value
    ws[cell].number_format = num_format
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_10_a_percent_formatted_growth_is_read_as_percent(base):
    row = 2 + base.sector_ids.index("digital")
    raw = _template_with(base, f"E{row}", 0.08, "0%")  # typed "8%": Excel and Calc store 0.08
    data = validate(base, read_upload(raw, "t.xlsx"))
    assert data.value("digital", "trend_growth") == pytest.approx(8.0)


def test_10_an_implausible_change_is_accepted_with_a_warning(base):
    row = 2 + base.sector_ids.index("digital")
    raw = _template_with(base, f"E{row}", 0.08, "General")  # a fraction typed without its % format
    data = validate(base, read_upload(raw, "t.xlsx"))
    assert data.value("digital", "trend_growth") == pytest.approx(0.08)
    assert any(f"row {row}" in en and "percent" in en for en, _ in data.warnings)


def test_11_gb18030_text_outside_gbk_is_read(base):
    text = "行业代码,2024年产值(亿元),备注\nstainless,130,䶮𠀀 企业统计\n"
    raw = text.encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    data = validate(base, read_upload(raw, "gb18030.csv"))
    assert data.value("stainless", "output_2024") == 130


# --------------------------------------------------------------------------- 12–15. the workbooks

@pytest.fixture(scope="module")
def books(base):
    scs = [("三年行动", parse_scenario(base.presets["three_year_action"], base)),
           ("进取", parse_scenario(base.presets["bold"], base))]
    out = {}
    for lang in ("zh", "en"):
        from model.reports.briefing import briefing
        from model.schema.runs import summarize

        ens = summarize(base, scs[0][1], runs=500, seed=1)
        text = briefing(base, scs[0][1], lang, ens, money="data")
        probs = {n: dict(zip(ens.goal_ids, map(float, ens.probability))) for n, _ in scs}
        out[lang] = workbook_bytes(base, scs, lang=lang, narrative=text, probabilities=probs)
    out["template_zh"], out["template_en"] = template_xlsx(base, "zh"), template_xlsx(base, "en")
    return out


def _width(ws, col: int) -> float:
    for d in ws.column_dimensions.values():  # a <col> element may span several columns
        if d.min is not None and d.min <= col <= (d.max or d.min) and d.customWidth:
            return d.width
    return 8.43


def _header_rows(ws) -> list[int]:
    return [r[0].row for r in ws.iter_rows() if any(c.value is not None and c.fill is not None
                                                      and c.fill.fgColor is not None
                                                      and c.fill.fgColor.rgb in ("FFDDE6F0", "FFDDEBF7") for c in r)]


@pytest.mark.parametrize("which", ["zh", "en", "template_zh", "template_en"])
def test_12_wrapped_headers_are_tall_enough_and_columns_wide_enough(books, which):
    """Every header cell fits: one line within its column's width, or its row is tall enough for
    the lines it wraps to. Every other text cell that does not wrap fits its column (titles and
    notes overflow into empty cells and are exempt)."""
    book = openpyxl.load_workbook(io.BytesIO(books[which]))
    for ws in book.worksheets:
        heads = set(_header_rows(ws))
        for row in ws.iter_rows():
            for c in row:
                if not isinstance(c.value, str) or not c.value:
                    continue
                width = _width(ws, c.column)
                need = display_width(c.value)
                wraps = bool(c.alignment and c.alignment.wrap_text)
                if c.row in heads or wraps:
                    if need > width - 1:
                        lines = -(-need // max(1.0, width - 1.0))
                        height = ws.row_dimensions[c.row].height or 15
                        merged = any(c.coordinate in rng for rng in ws.merged_cells.ranges)
                        assert merged or height >= 15 * min(lines, 3), (ws.title, c.coordinate, c.value, height)
                elif not (c.font and (c.font.b or c.font.i)) and ws.title not in ("Charts", "图表"):
                    assert need <= width + 0.5, (ws.title, c.coordinate, c.value, width)


def test_13_no_english_in_the_chinese_files_and_no_chinese_names_in_the_english_one(base, books):
    scs = [("三年行动", parse_scenario(base.presets["three_year_action"], base))]
    zh_csv = csv_bytes(localise_series(scenarios_series_table(base, scs), base, "zh")).decode("utf-8-sig")
    assert not re.search(r"[A-Za-z]", zh_csv), re.search(r".{20}[A-Za-z].{20}", zh_csv)
    zh = openpyxl.load_workbook(io.BytesIO(books["zh"]))
    notes = [c.value for ws in (zh["数据来源"], zh["假设与杠杆"]) for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", c.value)]
    assert not notes, notes[:5]
    en = openpyxl.load_workbook(io.BytesIO(books["en"]))
    _, *rows = [[c.value for c in r] for r in en["Assumptions & levers"].iter_rows()]
    projects = [r[1] for r in rows if r[0] == "三年行动" and isinstance(r[3], (int, float)) and 2000 < r[3] < 2100]
    assert projects and not any(CJK.search(p) for p in projects), projects


def test_14_number_formats_follow_the_unit_and_the_text_uses_the_tables_unit(books):
    from model.io.export import _UNIT_KEYS, NUMBER_FORMATS
    UNIT_CODE = {TEXTS["zh"][key]: code for code, key in _UNIT_KEYS.items() if code in NUMBER_FORMATS}
    zh = openpyxl.load_workbook(io.BytesIO(books["zh"]))
    rows = [r for r in zh["摘要"].iter_rows() if r[0].value == "三年行动"]
    formats = {r[8].value: {r[5].number_format, r[6].number_format, r[7].number_format} for r in rows}
    for fs in formats.values():
        assert len(fs) == 1 and "0.0##" not in fs
    assert formats[TEXTS["zh"]["unit_money"]] == {"#,##0.0"}
    assert formats["%"] == {"0.0"} and formats[TEXTS["zh"]["unit_pct_yr"]] == {"0.0"}
    # Finding 14's 2025.0 was a year-valued figure (the 小升规 start year, no longer in the data): every
    # figure's format follows its unit, and a calendar year has no decimals.
    shown = [(r[3], r[4].value) for r in zh["数据来源"].iter_rows() if isinstance(r[3].value, (int, float))]
    assert shown and all(c.number_format == NUMBER_FORMATS[UNIT_CODE[u]] for c, u in shown if u in UNIT_CODE)
    assert NUMBER_FORMATS["year"] == "0"
    en = openpyxl.load_workbook(io.BytesIO(books["en"]))
    narrative = next(c.value for r in en["Summary"].iter_rows() for c in r
                     if isinstance(c.value, str) and c.value.startswith("In this scenario"))
    assert "bn yuan" not in narrative and "(100m yuan)" in narrative


def test_14_csv_values_have_at_most_six_significant_digits(base):
    table = scenarios_series_table(base, [("a", parse_scenario(base.presets["bold"], base))])
    values = [ln.split(",")[4] for ln in csv_bytes(table).decode("utf-8-sig").splitlines()[1:]]
    assert max(len(v.replace(".", "").replace("-", "").lstrip("0")) for v in values) <= 6


@pytest.mark.parametrize("which", ["zh", "en"])
def test_15_every_sheet_prints_landscape_fit_to_width_with_repeated_headers(books, which):
    book = openpyxl.load_workbook(io.BytesIO(books[which]))
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (1, None)
        assert ws.page_setup.fitToHeight == 0, ws.title
    yearly = book.worksheets[-1]  # last since issue 18: row 1 says how to print it, row 2 is its header
    assert yearly.print_title_rows == "$2:$2"
    charts = book.worksheets[1]
    assert [b.id for b in charts.row_breaks.brk] == [24, 47]  # one chart per page


# --------------------------------------------------------------------------- fuzz (hypothesis, no browser)

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as hst  # noqa: E402

URL_KEYS = ("projects", "sectors", "targets", "compare", "official", "investment", "growth", "volatility",
            "correlation", "tech_upgrade", "chain_extension", "sme_upgrades", "stainless_price", "lang", "preset")
_json_like = hst.recursive(hst.none() | hst.booleans() | hst.floats(allow_nan=True) | hst.text(max_size=20),
                           lambda c: hst.lists(c, max_size=4) | hst.dictionaries(hst.text(max_size=10), c, max_size=4),
                           max_leaves=12).map(lambda v: json.dumps(v, ensure_ascii=False))
_url_value = hst.one_of(hst.text(max_size=80), _json_like, hst.sampled_from([NESTED, "z:", "z:AAAA", "1e999", "-1e-999"]))


@pytest.fixture(scope="module")
def trend_cards():
    return cards(app())


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(key=hst.sampled_from(URL_KEYS), value=_url_value)
def test_fuzz_url_parameters_never_raise_and_never_change_the_scenario_silently(trend_cards, key, value):
    st.cache_data.clear()
    at = app(**{key: value})
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    if at.warning:  # a rejected value: said in the page's language, and the scenario is the trend's
        assert all(CJK.search(shown(w.value)) for w in at.warning)
        assert all("https://evil" not in w.value for w in at.warning)
        assert cards(at) == trend_cards, (key, value)


UPLOADERS = {"upload_": "scenario", "official_upload_": "official", "actuals_upload_": "actuals"}
_upload_bytes = hst.one_of(hst.binary(max_size=600), _json_like.map(str.encode),
                           hst.text(max_size=300).map(lambda s: s.encode("gb18030", "replace")))


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(prefix=hst.sampled_from(list(UPLOADERS)), data=_upload_bytes, evil=hst.booleans(), xlsx=hst.booleans())
def test_fuzz_uploads_never_raise_and_keep_the_scenario(trend_cards, prefix, data, evil, xlsx):
    st.cache_data.clear()
    stem = "[x](https://evil.example)" if evil else "a"
    name = f"{stem}.json" if prefix == "upload_" else f"{stem}.xlsx" if xlsx else f"{stem}.csv"
    at = app(tab="model") if prefix == "official_upload_" else app()  # official figures: the model & data tab
    uploader = next(u for u in at.file_uploader if str(u.key).startswith(prefix))
    uploader.set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    if at.error:
        assert all(CJK.search(shown(e.value)) for e in at.error)
        assert all("https://evil" not in e.value for e in at.error)
    errors = list(at.error)
    if prefix == "official_upload_":
        open_tab(at, "sim")
    if prefix != "upload_" or errors:  # a rejected file, or official figures / actuals: the scenario stays
        assert cards(at) == trend_cards or prefix == "official_upload_" and not errors


# --------------------------------------------------------------------------- issue 21, finding 1

def test_21_1_a_row_of_a_million_cells_is_refused_at_its_51st_cell(base):
    from testkit.limits import xlsx_long_row

    with pytest.raises(OfficialDataError) as info:
        read_upload(xlsx_long_row(), "long.xlsx")
    assert "long.xlsx: the sheet has more than 50 columns" in info.value.en
    assert "long.xlsx：工作表超过 50 列" in info.value.zh and len(info.value.problems) == 1


def test_21_1_a_value_beyond_column_50_is_refused_not_dropped(base):
    """openpyxl read 51 columns and looked only at the 51st: a value at column 60 vanished."""
    book = io.BytesIO()
    wb = xlsxwriter.Workbook(book, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["sector", "output_2024"])
    ws.write_row(1, 0, ["stainless", 500.0])
    ws.write_number(1, 59, 1.0)
    wb.close()
    with pytest.raises(OfficialDataError) as info:
        read_upload(book.getvalue(), "far.xlsx")
    assert "more than 50 columns" in info.value.en


def test_21_1_formatted_empty_cells_beyond_column_50_are_allowed(base):
    """Excel writes formatted empty cells as ``<c s="1"/>``: they hold nothing and are read as before."""
    book = io.BytesIO()
    wb = xlsxwriter.Workbook(book, {"in_memory": True})
    ws = wb.add_worksheet()
    fmt = wb.add_format({"bold": True})
    ws.write_row(0, 0, ["sector", "output_2024"])
    ws.write_row(1, 0, ["stainless", 500.0])
    for col in range(50, 70):
        ws.write_blank(1, col, None, fmt)
    wb.close()
    frame = read_upload(book.getvalue(), "blank.xlsx")
    assert list(frame.columns) == ["sector", "output_2024"] and frame.iloc[0, 1] == 500.0


# =========================================================================== issue 21 (hardening, round 2)
# Findings 4–6: one name sanitiser (i18n/names.py) for the compare tab and the workshop. Findings 2, 3
# and 7 are in test_workshop_races.py and test_workshop_limits.py, 8 and 9 in test_deploy.py, 10 and 11
# in test_workshop_faults.py.

LOOK_ALIKES = ("当前\u200b设置", "当前设置\u200d", "Current Settings", "CURRENT\u200bSETTINGS", "ｃｕｒｒｅｎｔ　ｓｅｔｔｉｎｇｓ",
               "current  settings", "\u202e当前设置")


def test_21_4_look_alikes_of_the_reserved_name_are_refused_from_the_url(base):
    """Finding 4: zero-width characters, case and full width made a second column titled 当前设置."""
    docs = {name: {"levers": {"investment": 30}} for name in LOOK_ALIKES} | {"ok": {}}
    at = app(compare=json.dumps(docs, ensure_ascii=False))
    assert list(at.session_state["saved"]) == ["ok"]
    assert sum("保留" in shown(w.value) for w in at.warning) >= 1
    open_tab(at, "compare")
    goals = next(d.value for d in at.dataframe if "ok" in d.value.columns)
    assert [names.key(c) for c in goals.columns].count(names.key("当前设置")) == 1


@pytest.mark.parametrize("name", ["当前\u200b设置", "Current Settings", "ＣＵＲＲＥＮＴ settings"])
def test_21_4_look_alikes_of_the_reserved_name_are_refused_from_the_ui(base, name):
    at = open_tab(app(), "compare")
    at.text_input(key="cmp_name").set_value(name).run()
    at.button(key="cmp_save").click().run()
    assert not at.session_state["saved"]
    assert any("保留" in shown(e.value) for e in at.error)
    at.text_input(key="cmp_name").set_value("甲").run()
    at.button(key="cmp_save").click().run()
    rename = next(w for w in at.text_input if str(w.key).startswith("cmp_rename_"))
    rename.set_value(name).run()
    assert list(at.session_state["saved"]) == ["甲"]


def test_21_5_direction_overrides_and_invisible_characters_leave_compare_names(base):
    """Finding 5: ``\\u202e`` reversed a column title on the compare tab (the workshop already stripped it)."""
    at = app(compare=json.dumps({"\u202e甲方案\u202c": {}, "乙\u2066方\u2069案\u200b": {}}, ensure_ascii=False))
    assert list(at.session_state["saved"]) == ["甲方案", "乙方案"]
    open_tab(at, "compare")
    at.text_input(key="cmp_name").set_value("\u202b丙\u200d方案").run()
    at.button(key="cmp_save").click().run()
    assert list(at.session_state["saved"]) == ["甲方案", "乙方案", "丙方案"]


@pytest.mark.parametrize("raw, kept", [("\u202eevil\u202c", "evil"), ("Ａｌｉｃｅ", "Alice"), ("  Bo   Li ", "Bo Li"),
                                       ("e" + "\u0301" * 32, "é\u0301\u0301"), ("Nguyễn", "Nguyễn"), ("", "")])
def test_21_6_the_name_sanitiser_keeps_what_is_seen(raw, kept):
    assert names.checked(raw, 40) == kept
    assert sum(unicodedata.category(c) == "Mn" for c in names.checked("a" + "\u0300" * 32, 40)) <= names.MAX_MARKS


@pytest.mark.parametrize("raw", ["\u3164", "\u115f\u1160", "\u2800", "\u200b\u200d", " \u0301\u0301 ", "\uffa0"])
def test_21_6_blank_looking_names_are_refused(raw):
    with pytest.raises(names.NameRefused) as exc:
        names.checked(raw, 40)
    assert exc.value.key == "blank"


@pytest.mark.parametrize("raw", ["\u3164", "Participant 1", "participant 12", "ＰＡＲＴＩＣＩＰＡＮＴ ３", "参与者 1",
                                 "参与者１", "参\u200b与者 7", "主持人", "Facilitator", "the facilitator", "主持人助理"])
def test_21_6_confusing_workshop_names_are_refused(tmp_path, raw):
    """Finding 6: U+3164 showed as a blank name; "Participant 1" and the facilitator could be imitated."""
    from workshop import Settings, Store, WorkshopError, parse_room_spec
    store = Store(Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}"))
    room = store.create_room(parse_room_spec({"title": "t", "levers": ["investment"]}, load_baseline()))
    with pytest.raises(WorkshopError) as exc:
        store.join(room.code, raw)
    assert exc.value.key in ("name_blank", "name_imitation")
    assert "参与者" in exc.value.zh or "可见" in exc.value.zh
    token = store.join(room.code, "\u202eBob" + "\u0301" * 32)
    assert store.me(room.code, token).name == "Bob\u0301\u0301"
    assert store.join(room.code, "Participant") and store.join(room.code, "李主任")  # no number, no facilitator word
    store.dispose()


def test_21_5_one_name_sanitiser_for_compare_and_workshop():
    """The compare tab and the workshop both go through i18n.names (no second, drifting copy)."""
    for path in ("ui/compare.py", "ui/state.py", "workshop/rooms.py"):
        assert "from i18n import names" in (REPO / path).read_text(encoding="utf-8"), path
