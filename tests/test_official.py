"""Official data import: template, parsing, validation messages, merging and the model's identities.

The corpus of good and bad files is generated here (in ``tmp_path``): templates in both languages
and formats, CSV in UTF-8 / UTF-8 with BOM / GBK, hand-made workbooks, partial files, and one bad
file per rule. Every bad file must raise ``DataError`` (nothing else) naming the row, the column and
the value in English and Chinese, and leave the shipped baseline unchanged.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from model import DataError, parse_scenario, run_scenario
from model.io.official import (FIELDS, HEADERS, MAX_LISTED, MAX_UPLOAD_BYTES, OfficialData, OfficialDataError,
                            apply_official, import_official, importable_figures, official_figures, read_upload,
                            status_counts, status_frame, template_csv, template_frame, template_xlsx, validate)

LANGS = ("zh", "en")


# --------------------------------------------------------------------------- helpers

def snapshot(base):
    """Everything an import could touch, copied, to check the baseline is never changed."""
    return (base.output0.copy(), base.trend_pct.copy(), base.va_rate.copy(), dict(base.cluster0),
            tuple(base.figures), dict(base.sources), base.published_growth)


def assert_same_snapshot(a, b):
    for x, y in zip(a[:3], b[:3]):
        np.testing.assert_array_equal(x, y)
    assert a[3:] == b[3:]


@pytest.fixture
def untouched(base):
    """Asserts after the test that the shared baseline is exactly as before."""
    before = snapshot(base)
    yield
    assert_same_snapshot(before, snapshot(base))
    assert not base.output0.flags.writeable


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def csv_bytes(rows, encoding="utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(base, path: Path, **kw):
    """Read a corpus file from disk the way the app gets it (bytes + name), validate, merge."""
    data = validate(base, read_upload(path.read_bytes(), path.name), **kw)
    return data, apply_official(base, data, accessed="2026-12-01")


def rejected(base, path: Path) -> DataError:
    """The error of a bad corpus file; any other exception fails the test."""
    with pytest.raises(DataError) as info:
        upload(base, path)
    assert isinstance(info.value, OfficialDataError)
    assert info.value.en and info.value.zh
    return info.value


def status(base, key, field):
    if key.startswith("cluster:"):
        return next(f.status for f in base.figures if f.table == "cluster" and f.key == key[8:])
    return next(f.status for f in base.figures
                if f.table == "sector_parameters" and f.key == key and f.parameter == field)


def weighted_trend(b) -> float:
    return float(b.output0 @ b.trend_pct / b.output0.sum())


ZH = {f: HEADERS[f][0] for f in HEADERS}
EN = {f: HEADERS[f][1] for f in HEADERS}


# --------------------------------------------------------------------------- template

@pytest.mark.parametrize("lang", LANGS)
def test_template_frame_has_every_sector_and_cluster_part(base, lang, untouched):
    df = template_frame(base, lang)
    head = ZH if lang == "zh" else EN
    assert list(df.columns) == [head["sector"], head["name"], head["output_2024"], head["va_rate"],
                                head["trend_growth"]]
    assert list(df[head["sector"]]) == list(base.sector_ids) + ["cluster:trade", "cluster:downstream"]
    assert list(df[head["name"]])[:len(base.sectors)] == [s.name(lang) for s in base.sectors]
    n = len(base.sectors)
    np.testing.assert_allclose(df[head["output_2024"]][:n], base.output0)
    np.testing.assert_allclose(df[head["va_rate"]][:n], base.va_rate * 100)
    np.testing.assert_allclose(df[head["trend_growth"]][:n], base.trend_pct)
    assert list(df[head["output_2024"]][n:]) == [base.cluster0["trade"], base.cluster0["downstream"]]
    assert df[head["va_rate"]][n:].isna().all() and df[head["trend_growth"]][n:].isna().all()


def test_template_headers_are_the_documented_ones():
    assert HEADERS["output_2024"] == ("2024年产值(亿元)", "2024 output (100m yuan)")
    assert HEADERS["va_rate"] == ("增加值率(%)", "value-added rate (%)")
    assert HEADERS["trend_growth"] == ("增速(%/年)", "growth (%/yr)")


@pytest.mark.parametrize("lang", LANGS)
def test_template_csv_is_utf8_with_bom(base, lang):
    raw = template_csv(base, lang)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][2] == HEADERS["output_2024"][0 if lang == "zh" else 1]
    assert rows[1][:3] == ["stainless", base.sectors[0].name(lang), "120"]
    if lang == "zh":
        assert "不锈钢加工" in text


@pytest.mark.parametrize("lang", LANGS)
def test_template_xlsx_has_data_sheet_first_and_notes(base, lang, tmp_path):
    path = write(tmp_path / f"template_{lang}.xlsx", template_xlsx(base, lang))
    wb = openpyxl.load_workbook(path)
    assert len(wb.sheetnames) == 2
    data, notes = wb.worksheets
    header = [c.value for c in data[1]]
    assert header[2:] == [HEADERS[f][0 if lang == "zh" else 1] for f in FIELDS]
    assert data.cell(2, 1).value == "stainless" and data.cell(2, 3).value == 120
    assert data.max_row == len(base.sectors) + 3
    text = " ".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)
    assert ("亿元" in text and "GBK" in text) if lang == "zh" else ("100 million yuan" in text and "GBK" in text)
    assert "10 MB" in text and "7.2" in text


# --------------------------------------------------------------------------- good files

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", ("csv", "xlsx"))
def test_template_round_trips_unchanged(base, lang, fmt, tmp_path, untouched):
    raw = template_csv(base, lang) if fmt == "csv" else template_xlsx(base, lang)
    path = write(tmp_path / f"template.{fmt}", raw)
    data, new = upload(base, path)
    # the examples left in place are the current values: nothing becomes official
    assert len(data) == 0 and len(data.unchanged) == 3 * len(base.sectors) + 2
    assert status_counts(new) == status_counts(base)
    np.testing.assert_array_equal(new.output0, base.output0)
    np.testing.assert_array_equal(new.trend_pct, base.trend_pct)
    np.testing.assert_array_equal(new.va_rate, base.va_rate)
    assert dict(new.cluster0) == dict(base.cluster0)
    # confirming every figure as official keeps the numbers and changes only the status
    data, new = upload(base, path, keep_unchanged=False)
    assert len(data) == 3 * len(base.sectors) + 2
    np.testing.assert_array_equal(new.output0, base.output0)
    np.testing.assert_array_equal(new.trend_pct, base.trend_pct)
    np.testing.assert_array_equal(new.va_rate, base.va_rate)
    assert dict(new.cluster0) == dict(base.cluster0)
    counts = status_counts(new)
    assert counts["estimate"] == 0 and counts["official"] == 3 * len(base.sectors) + 2
    assert status(new, "cluster:processing", "") == "derived"


CHINESE_ROWS = [
    [ZH["sector"], ZH["name"], ZH["output_2024"], ZH["va_rate"], ZH["trend_growth"]],
    ["", "不锈钢加工", "131.5", "19.5", "6.5"],
    ["", "纺织丝绸", "58", "", ""],
    ["", "医疗器械", "12.25", "36", "14"],
    ["cluster:downstream", "不锈钢产业集群：下游制品", "40", "", ""],
]


@pytest.mark.parametrize("encoding", ("utf-8", "utf-8-sig", "gbk"))
def test_csv_encodings_with_chinese_headers_and_names(base, encoding, tmp_path, untouched):
    path = write(tmp_path / f"official_{encoding}.csv", csv_bytes(CHINESE_ROWS, encoding))
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
    data, new = upload(base, path)
    assert data.as_dict() == {
        "stainless": {"output_2024": 131.5, "va_rate": 19.5, "trend_growth": 6.5},
        "textiles": {"output_2024": 58.0},
        "medical": {"output_2024": 12.25, "va_rate": 36.0, "trend_growth": 14.0},
        "cluster:downstream": {"output_2024": 40.0},
    }
    i = base.sector_ids.index
    assert new.output0[i("stainless")] == 131.5 and new.output0[i("textiles")] == 58
    assert new.va_rate[i("medical")] == pytest.approx(0.36) and new.trend_pct[i("medical")] == 14
    assert new.cluster0["processing"] == 131.5 and new.cluster0["downstream"] == 40
    assert new.cluster0["trade"] == base.cluster0["trade"]
    assert status(new, "stainless", "va_rate") == "official"
    assert status(new, "textiles", "va_rate") == "estimate"


def test_encodings_give_identical_data(base, tmp_path):
    results = {enc: validate(base, read_upload(csv_bytes(CHINESE_ROWS, enc), "x.csv"))
               for enc in ("utf-8", "utf-8-sig", "gbk")}
    assert len({d.to_json() for d in results.values()}) == 1


def test_xlsx_with_title_row_english_names_and_numbers(base, tmp_path, untouched):
    rows = [
        ["Zhoucun above-size industry 2024 (official)"],
        [],
        [EN["sector"], EN["output_2024"], EN["trend_growth"], "note"],
        ["Stainless steel processing", 125, 5.5, "statistical bureau"],
        ["new materials", 27.5, None, None],
        ["digital", None, 16, None],
    ]
    path = write(tmp_path / "official.xlsx", xlsx_bytes(rows))
    frame = read_upload(path.read_bytes(), path.name)
    assert frame.attrs["header_row"] == 3 and list(frame.index) == [4, 5, 6]
    data, new = upload(base, path)
    assert data.as_dict() == {"stainless": {"output_2024": 125.0, "trend_growth": 5.5},
                              "materials": {"output_2024": 27.5}, "digital": {"trend_growth": 16.0}}
    assert data.row_of("materials", "output_2024") == 5
    assert new.output0[base.sector_ids.index("materials")] == 27.5


def test_bare_field_ids_percent_signs_and_thousands_separators(base, untouched):
    raw = csv_bytes([["sector", "output_2024", "va_rate", "trend_growth"],
                     ["equipment", "45.5", "31%", "12.5 %"],
                     ["ENERGY", "１６", "", "−2"],
                     ["cluster:trade", "1,045.5", "", ""]])
    data = validate(base, read_upload(raw, "ids.csv"))
    assert data.as_dict() == {"equipment": {"output_2024": 45.5, "va_rate": 31.0, "trend_growth": 12.5},
                              "energy": {"output_2024": 16.0, "trend_growth": -2.0},
                              "cluster:trade": {"output_2024": 1045.5}}


def test_partial_two_sectors_one_field(base, tmp_path, untouched):
    rows = [[EN["sector"], EN["va_rate"]], ["textiles", "22"], ["kitchen", "27.5"]]
    data, new = upload(base, write(tmp_path / "partial.csv", csv_bytes(rows)))
    official = {(f.key, f.parameter) for f in importable_figures(new) if f.status == "official"}
    assert official == {("textiles", "va_rate"), ("kitchen", "va_rate")}
    assert status_counts(new)["official"] == 2
    for f0, f1 in zip(importable_figures(base), importable_figures(new)):
        if (f1.key, f1.parameter) not in official:
            assert (f1.value, f1.status, f1.source) == (f0.value, f0.status, f0.source)
    expected = base.va_rate.copy()
    expected[base.sector_ids.index("textiles")] = 0.22
    expected[base.sector_ids.index("kitchen")] = 0.275
    np.testing.assert_allclose(new.va_rate, expected, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(new.output0, base.output0)
    np.testing.assert_array_equal(new.trend_pct, base.trend_pct)
    assert not new.va_rate.flags.writeable and not new.output0.flags.writeable


def test_new_source_records_the_file_and_date(base, tmp_path, untouched):
    rows = [[ZH["sector"], ZH["output_2024"]], ["kitchen", "42"]]
    _, new = upload(base, write(tmp_path / "周村2024.csv", csv_bytes(rows)))
    assert "upload" in new.sources and "upload" not in base.sources
    src = new.sources["upload"]
    assert "周村2024.csv" in src.title and src.accessed == "2026-12-01"
    fig = next(f for f in new.figures if f.key == "kitchen" and f.parameter == "output_2024")
    assert fig.source == "upload" and fig.status == "official" and fig.value == 42
    assert fig in official_figures(new) and fig not in official_figures(base)
    # a second upload on top gets its own source; the first upload's figures keep theirs
    again = apply_official(new, validate(new, read_upload(csv_bytes([["sector", "va_rate"], ["kitchen", "26"]]),
                                                         "b.csv")))
    assert set(again.sources) - set(new.sources) == {"upload2"}
    assert next(f for f in again.figures if f.key == "kitchen" and f.parameter == "output_2024").source == "upload"


def test_titled_source_and_default_date(base):
    data = OfficialData((("energy", "va_rate", 30.0),), "e.csv")
    new = apply_official(base, data, "统计局 2024")
    assert new.sources["upload"].title == "统计局 2024" and len(new.sources["upload"].accessed) == 10


# --------------------------------------------------------------------------- the model's identities

def test_residual_keeps_weighted_trend_equal_to_published_growth(base, tmp_path, untouched):
    rows = [[ZH["sector"], ZH["output_2024"], ZH["trend_growth"]],
            ["stainless", "143.7", ""], ["equipment", "51.3", "13.4"], ["digital", "7.9", ""],
            ["furniture", "", "3.3"]]
    data, new = upload(base, write(tmp_path / "outputs.csv", csv_bytes(rows)))
    assert weighted_trend(new) == pytest.approx(new.published_growth, abs=1e-9)
    assert abs(weighted_trend(new) - base.published_growth) < 1e-9
    other = base.sector_ids.index("other")
    assert new.trend_pct[other] != base.trend_pct[other]
    fig = next(f for f in new.figures if f.key == "other" and f.parameter == "trend_growth")
    assert fig.status == "derived" and fig.value == pytest.approx(new.trend_pct[other])
    # every other trend is as uploaded or as before
    for i, sid in enumerate(base.sector_ids):
        if sid != "other":
            assert new.trend_pct[i] == (data.value(sid, "trend_growth") or base.trend_pct[i])
    # the cluster's processing part follows the stainless output
    assert new.cluster0["processing"] == 143.7
    assert status(new, "cluster:processing", "") == "derived"


def test_engine_on_merged_baseline_starts_at_uploaded_outputs(base, tmp_path, untouched):
    outputs = {"stainless": 150.0, "textiles": 52.0, "kitchen": 47.5, "medical": 11.0, "other": 39.0}
    rows = [[EN["sector"], EN["output_2024"]]] + [[k, str(v)] for k, v in outputs.items()]
    _, new = upload(base, write(tmp_path / "outputs.csv", csv_bytes(rows)))
    proj = run_scenario(new, parse_scenario({}, new))
    expected = np.array([outputs.get(s, base.output0[i]) for i, s in enumerate(base.sector_ids)])
    np.testing.assert_allclose(proj.output[0, :, 0], expected, rtol=1e-12)
    assert proj.total[0, 0] == pytest.approx(expected.sum(), rel=1e-12)
    assert proj.cluster[0, 0, 0] == pytest.approx(150.0)
    # with neutral levers total output grows at the published 7.2 % in the first year
    assert proj.total[0, 1] / proj.total[0, 0] - 1 == pytest.approx(base.published_growth / 100, abs=1e-9)
    # the shipped baseline still runs as before
    assert run_scenario(base, parse_scenario({}, base)).total[0, 0] == pytest.approx(base.output0.sum())


def test_all_trends_official_and_consistent_is_accepted(base, untouched):
    trends = {s: float(t) for s, t in zip(base.sector_ids, base.trend_pct)}
    # +0.5 points on textiles (output 60) offset by −30/35 points on furniture (output 35)
    trends["textiles"] += 0.5
    trends["furniture"] -= 30.0 / 35.0
    rows = [["sector", "trend_growth"]] + [[k, repr(v)] for k, v in trends.items()]
    data = validate(base, read_upload(csv_bytes(rows), "t.csv"), keep_unchanged=False)
    new = apply_official(base, data)
    assert weighted_trend(new) == pytest.approx(base.published_growth, abs=1e-9)
    assert all(f.status == "official" for f in new.figures if f.parameter == "trend_growth")
    np.testing.assert_array_equal(new.trend_pct, list(trends.values()))


# --------------------------------------------------------------------------- bad files

def assert_names(err: DataError, *parts: str) -> None:
    for p in parts:
        assert p in err.en, (p, err.en)
        assert p in err.zh, (p, err.zh)


HEAD_ZH = [ZH["sector"], ZH["output_2024"], ZH["va_rate"], ZH["trend_growth"]]


@pytest.mark.parametrize("name, rows, row, column, value, en_rule, zh_rule", [
    ("unknown_sector", [HEAD_ZH, ["stainless", "120", "", ""], ["钢铁冶炼", "80", "", ""]],
     "3", ZH["sector"], "钢铁冶炼", "unknown sector", "未知行业"),
    ("text_in_number", [HEAD_ZH, ["stainless", "一百二十", "", ""]],
     "2", ZH["output_2024"], "一百二十", "is not a number", "不是数字"),
    ("text_in_rate", [HEAD_ZH, ["textiles", "", "n/a", ""]],
     "2", ZH["va_rate"], "n/a", "is not a number", "不是数字"),
    ("negative_output", [HEAD_ZH, ["kitchen", "-40", "", ""]],
     "2", ZH["output_2024"], "-40", "above 0", "须大于 0"),
    ("zero_output", [HEAD_ZH, ["kitchen", "0", "", ""]],
     "2", ZH["output_2024"], "0", "above 0", "须大于 0"),
    ("absurd_output_wan_yuan", [HEAD_ZH, ["stainless", "1200000", "", ""]],
     "2", ZH["output_2024"], "1200000", "at most 100000", "不超过 100000"),
    ("rate_as_fraction", [HEAD_ZH, ["medical", "", "0.35", ""]],
     "2", ZH["va_rate"], "0.35", "from 1 to 90", "1 至 90"),
    ("rate_above_cap", [HEAD_ZH, ["medical", "", "75", ""]],
     "2", ZH["va_rate"], "75", "cap", "上限"),
    ("absurd_growth", [HEAD_ZH, ["energy", "", "", "55"]],
     "2", ZH["trend_growth"], "55", "from -20 to 40", "-20 至 40"),
    ("growth_below_depreciation", [HEAD_ZH, ["textiles", "", "", "-13"]],
     "2", ZH["trend_growth"], "-13", "depreciation", "折旧率"),
    ("duplicate_rows", [HEAD_ZH, ["furniture", "36", "", ""], ["kitchen", "41", "", ""],
                        ["家具与智能家居", "37", "", ""]],
     "4", ZH["sector"], "家具与智能家居", "row 2", "第 2 行"),
    ("cluster_growth", [HEAD_ZH, ["cluster:trade", "350", "", "5"]],
     "2", ZH["trend_growth"], "5", "cluster part", "集群组成部分"),
    ("cluster_processing", [HEAD_ZH, ["cluster:processing", "120", "", ""]],
     "2", ZH["sector"], "cluster:processing", "processing", "加工制造"),
    ("no_sector_in_row", [HEAD_ZH, ["", "50", "", ""]],
     "2", ZH["sector"], "", "no sector", "未填写行业"),
    ("name_disagrees", [[ZH["sector"], ZH["name"], ZH["output_2024"]], ["textiles", "新材料", "30"]],
     "2", ZH["name"], "新材料", "different sector", "不是同一行业"),
    ("wrong_unit_header", [["sector", "2024年产值(万元)"], ["stainless", "1200000"]],
     "1", "2024年产值(万元)", "万元", "unit", "单位"),
    ("unknown_column", [["sector", "output_2024", "profit"], ["stainless", "120", "9"]],
     "1", "profit", "profit", "not a recognised column", "无法识别列名"),
])
def test_bad_csv_names_row_column_value_and_rule(base, tmp_path, untouched,
                                                name, rows, row, column, value, en_rule, zh_rule):
    err = rejected(base, write(tmp_path / f"{name}.csv", csv_bytes(rows, "utf-8-sig")))
    assert f"row {row}," in err.en and f"第 {row} 行" in err.zh
    assert_names(err, column, value)
    assert en_rule in err.en and zh_rule in err.zh
    assert f"{name}.csv" in err.en and "nothing was changed" in err.en and "未作任何更改" in err.zh
    assert err.problems and all(p.en and p.zh for p in err.problems)


@pytest.mark.parametrize("fmt", ("csv", "xlsx"))
def test_all_problems_are_listed_with_rows(base, tmp_path, fmt, untouched):
    rows = [HEAD_ZH, ["stainless", "abc", "", ""], ["nowhere", "5", "", ""], ["kitchen", "-1", "", ""],
            ["textiles", "", "95", ""], ["stainless", "121", "", ""], ["energy", "", "", "41"]]
    if fmt == "csv":
        raw = csv_bytes(rows, "gbk")
    else:
        raw = xlsx_bytes([[(float(c) if c.lstrip("-").isdigit() else (c or None)) for c in r] for r in rows])
    err = rejected(base, write(tmp_path / f"many.{fmt}", raw))
    assert "6 problems" in err.en and "6 处问题" in err.zh
    assert [p.row for p in err.problems] == [2, 3, 4, 5, 6, 7]
    for r, v in [(2, "abc"), (3, "nowhere"), (4, "-1"), (5, "95"), (6, "stainless"), (7, "41")]:
        assert f"row {r}, column" in err.en and f"第 {r} 行" in err.zh
        assert_names(err, v)


def test_long_lists_are_capped(base, tmp_path, untouched):
    rows = [["sector", "output_2024"]] + [[f"sector{i}", "1"] for i in range(35)]
    err = rejected(base, write(tmp_path / "long.csv", csv_bytes(rows)))
    assert len(err.problems) == 35
    assert f"and {35 - MAX_LISTED} more" in err.en and f"另有 {35 - MAX_LISTED} 处问题" in err.zh
    assert "sector19" in err.en and "sector20" not in err.en


@pytest.mark.parametrize("name, rows, phrases_en, phrases_zh", [
    ("missing_sector_column", [[ZH["name"] + "x", ZH["output_2024"]], ["stainless", "120"]],
     ["missing the sector column"], ["缺少行业列"]),
    ("only_values", [[ZH["output_2024"]], ["120"]], ["missing the sector column"], ["缺少行业列"]),
    ("missing_field_columns", [[ZH["sector"], ZH["name"]], ["stainless", "不锈钢加工"]],
     ["no data column"], ["没有数据列"]),
    ("duplicate_columns", [["sector", "output_2024", "2024 output (100m yuan)"], ["stainless", "120", "121"]],
     ["duplicate column", "(C)"], ["列重复", "(C)"]),
])
def test_bad_columns(base, tmp_path, untouched, name, rows, phrases_en, phrases_zh):
    err = rejected(base, write(tmp_path / f"{name}.csv", csv_bytes(rows)))
    assert "row 1" in err.en and "第 1 行" in err.zh
    for p in phrases_en:
        assert p in err.en
    for p in phrases_zh:
        assert p in err.zh


@pytest.mark.parametrize("name, raw, en, zh", [
    ("empty.csv", b"", "empty", "为空"),
    ("bom_only.csv", b"\xef\xbb\xbf\r\n", "empty", "为空"),
    ("header_only.csv", "行业代码,2024年产值(亿元)\r\n,\r\n".encode("utf-8"), "no data rows", "没有数据行"),
    ("garbage.csv", np.random.default_rng(5).integers(0, 256, 5000, dtype=np.uint8).tobytes(),
     "", ""),
    ("binary.csv", bytes(range(32)) * 40, "not a text", "不是文本"),
    ("fake.xlsx", b"PK\x03\x04" + b"\x00not really a zip" * 50, "not a readable XLSX", "不是可读取的 XLSX"),
    ("named.xlsx", b"sector,output_2024\nstainless,120\n", "not an Excel workbook", "不是 Excel 工作簿"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".xls", ".xls"),
    ("zip.xlsx", None, "not a readable XLSX", "不是可读取的 XLSX"),
    ("latin1.csv", "sector,output_2024\nstainless,12\xb5\xff\n".encode("latin-1"), "neither UTF-8 nor GBK",
     "UTF-8 或 GBK"),
])
def test_bad_files_are_rejected_whole(base, tmp_path, untouched, name, raw, en, zh):
    if raw is None:  # a valid zip that is not a workbook
        buf = io.BytesIO()
        import zipfile
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("hello.txt", "not a workbook")
        raw = buf.getvalue()
    err = rejected(base, write(tmp_path / name, raw))
    assert en in err.en and zh in err.zh
    assert name in err.en and name in err.zh


def test_20_mb_file_is_rejected_by_size_before_parsing(base, tmp_path, untouched, monkeypatch):
    raw = template_csv(base, "zh") * (20 * 1024 * 1024 // len(template_csv(base, "zh")) + 1)
    assert len(raw) > 20 * 1024 * 1024
    path = write(tmp_path / "huge.csv", raw)
    import model.io.official.upload as off

    def no_parsing(*a, **k):
        raise AssertionError("parsed a file over the size limit")
    monkeypatch.setattr(off, "_decode", no_parsing)
    monkeypatch.setattr(off, "_xlsx_grid", no_parsing)
    err = rejected(base, path)
    assert "20.0 MB" in err.en and "10 MB" in err.en and "10 MB" in err.zh
    # just below the limit is parsed (and here rejected for its duplicate rows, not its size)
    small = raw[:MAX_UPLOAD_BYTES - 10]
    monkeypatch.undo()
    err = rejected(base, write(tmp_path / "big.csv", small))
    assert "at most 10 MB" not in err.en


@pytest.mark.parametrize("name, rows, en, zh", [
    ("chain_share", [["sector", "output_2024"], ["stainless", "20"]], "below the lever's maximum of 80", "80%"),
    ("residual_out_of_range", [["sector", "trend_growth"], ["stainless", "30"], ["equipment", "30"]],
     "would be", "超出允许范围"),
    ("identity_without_residual", None, "published growth is 7.2", "公布的 7.2%"),
])
def test_consistency_rules(base, tmp_path, untouched, name, rows, en, zh):
    if rows is None:  # every trend official, weighted trend 0.2 points too high
        rows = [["sector", "trend_growth"]] + [[s, repr(float(t) + 0.2)] for s, t in zip(base.sector_ids,
                                                                                          base.trend_pct)]
    err = rejected(base, write(tmp_path / f"{name}.csv", csv_bytes(rows)))
    assert en in err.en and zh in err.zh


def test_residual_impossible_names_the_residual_sector(base, untouched):
    raw = csv_bytes([["sector", "output_2024"], ["other", "1"], ["equipment", "200"]])
    with pytest.raises(DataError) as info:
        validate(base, read_upload(raw, "r.csv"))
    assert "'other'" in info.value.en and "other" in info.value.zh and "7.2" in info.value.en


def test_mutated_files_raise_only_data_errors(base, untouched):
    """Random byte damage to good files: accepted or DataError, never another exception."""
    rng = np.random.default_rng(20241231)
    seeds = [template_csv(base, "zh"), template_csv(base, "en").decode("utf-8-sig").encode("gbk"),
             template_xlsx(base, "zh")]
    outcomes = set()
    for k in range(150):
        raw = bytearray(seeds[k % 3])
        for _ in range(int(rng.integers(1, 6))):
            raw[int(rng.integers(0, len(raw)))] = int(rng.integers(0, 256))
        try:
            data, new = import_official(base, bytes(raw), "m.xlsx" if k % 3 == 2 else "m.csv")
            assert weighted_trend(new) == pytest.approx(base.published_growth, abs=0.005)
            outcomes.add("ok")
        except DataError as exc:
            assert exc.en and exc.zh
            outcomes.add("error")
    assert outcomes == {"ok", "error"}


# --------------------------------------------------------------------------- OfficialData

def test_official_data_json_round_trip(base, untouched):
    data = validate(base, read_upload(csv_bytes(CHINESE_ROWS, "gbk"), "周村.csv"))
    text = data.to_json()
    assert " " not in text.replace("周村.csv", "") and "周村.csv" in text
    again = OfficialData.from_json(text)
    assert again == data and hash(again) == hash(data) and again.to_json() == text
    a, b = apply_official(base, data, accessed="2026-12-01"), apply_official(base, again, accessed="2026-12-01")
    for x in ("output0", "trend_pct", "va_rate"):
        np.testing.assert_array_equal(getattr(a, x), getattr(b, x))
    assert a.figures == b.figures and dict(a.cluster0) == dict(b.cluster0)
    # order of the figures does not matter
    assert OfficialData(tuple(reversed(data.figures)), data.filename).to_json() == text


@pytest.mark.parametrize("text", ["", "[]", "{}", '{"version":1,"figures":[["stainless","output_2024","x"]]}',
                                  '{"version":1,"figures":[["stainless","profit",1]]}',
                                  '{"version":2,"figures":[]}', "{" * 5000])
def test_official_data_from_bad_json(text):
    with pytest.raises(DataError):
        OfficialData.from_json(text)


@pytest.mark.parametrize("figures", [
    (("steel", "output_2024", 10.0),), (("stainless", "output_2024", -1.0),), (("cluster:processing", "output_2024", 1.0),),
    (("cluster:trade", "va_rate", 20.0),), (("other", "trend_growth", 30.0),),
])
def test_apply_checks_data_from_json(base, figures, untouched):
    with pytest.raises(DataError):
        apply_official(base, OfficialData(figures, "j.csv"))


def test_status_frame_lists_official_and_estimates(base, untouched):
    data = OfficialData((("stainless", "output_2024", 130.0), ("cluster:trade", "output_2024", 330.0)), "s.csv")
    new = apply_official(base, data)
    df = status_frame(new, "en")
    assert len(df) == 3 * len(base.sectors) + 3
    st = dict(zip(zip(df["key"], df["figure"]), df["status"]))
    assert st[("stainless", EN["output_2024"])] == "official"
    assert st[("cluster:trade", EN["output_2024"])] == "official"
    assert st[("cluster:processing", EN["output_2024"])] == "derived"
    assert st[("textiles", EN["output_2024"])] == "estimate"
    assert st[("other", EN["trend_growth"])] == "derived"
    assert status_counts(new) == {"official": 2, "derived": 2, "estimate": 3 * len(base.sectors) + 3 - 4}
    assert "状态" in status_frame(new, "zh").columns


def test_a_later_upload_adds_to_the_earlier_one_and_its_figures_win(base):
    """The session's second file (model.io.official.add_upload, what the page's uploader calls)."""
    from model.io.official import add_upload

    s0, s1 = base.sector_ids[0], base.sector_ids[1]
    o0, o1 = float(base.output0[0]), float(base.output0[1])
    first, merged = add_upload(base, csv_bytes([["sector", "output_2024"], [s0, o0 * 1.1], [s1, o1 * 1.1]]), "a.csv")
    assert merged == first and merged.filename == "a.csv"
    second, merged = add_upload(base, csv_bytes([["sector", "output_2024"], [s1, o1 * 1.2]]), "b.csv",
                                first.to_json())
    assert len(second) == 1 and merged.filename == "a.csv + b.csv"
    assert merged.value(s0, "output_2024") == pytest.approx(o0 * 1.1)
    assert merged.value(s1, "output_2024") == pytest.approx(o1 * 1.2)  # the later file wins
    assert apply_official(base, merged).output0[1] == pytest.approx(o1 * 1.2)


def test_a_combination_that_breaks_a_rule_is_refused_though_each_file_passes(base):
    """Downstream raised in one file and the cluster sector cut in the next: each passes alone, together
    today's chain-extension share crosses the lever's maximum."""
    from model.core.specs import SPEC_BY_NAME
    from model.io.official import add_upload

    cs = base.cluster_sector
    mult = base.params["chain_multiplier"]
    hi = SPEC_BY_NAME["chain_extension"].hi / 100.0
    proc = float(base.cluster0["processing"])
    down = 0.9 * hi * mult * proc  # 90 % of the maximum: accepted alone
    first, _ = add_upload(base, csv_bytes([["sector", "output_2024"], ["cluster:downstream", down]]), "a.csv")
    cut = csv_bytes([["sector", "output_2024"], [cs, proc * 0.8]])  # alone: the estimated downstream is small
    add_upload(base, cut, "b.csv")
    with pytest.raises(OfficialDataError) as info:
        add_upload(base, cut, "b.csv", first.to_json())
    assert "chain-extension share" in info.value.en and "a.csv + b.csv" in info.value.en
