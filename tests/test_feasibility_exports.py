"""Feasibility in the downloads (issue 19, item 4): the workbook's feasibility sheet and the CSV's
feasibility rows hold the constraint rows of `python -m model constraints` (value, limit, unit,
status, chance), the payback and the yearly fiscal, energy and land series; the sheet prints.

Through the user's paths: the command line's `export` and LibreOffice printing the file; the page's
download buttons in a real browser are in ``test_feasibility_browser.py``."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from model import CONSTRAINTS
from model.io.export import texts
from test_feasibility_page import payback_year

ROOT = Path(__file__).resolve().parent.parent
PRESET = ROOT / "data" / "zhoucun" / "presets" / "three_year_action.json"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "model", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=True)


@pytest.fixture(scope="module")
def cli_rows() -> dict[str, dict]:
    """The four constraint rows (the CLI also prints payback and extra-energy rows)."""
    rows = json.loads(_cli("constraints", str(PRESET), "--format", "json").stdout)
    return {r["id"]: r for r in rows if r["id"] in CONSTRAINTS}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, tuple[bytes, bytes]]:
    out = {}
    d = tmp_path_factory.mktemp("export")
    for lang in ("zh", "en"):
        xlsx, csv = d / f"book_{lang}.xlsx", d / f"series_{lang}.csv"
        _cli("export", str(PRESET), "--lang", lang, "--xlsx", str(xlsx), "--csv", str(csv))
        out[lang] = (xlsx.read_bytes(), csv.read_bytes())
    return out


def sheet_tables(book: openpyxl.Workbook, lang: str) -> tuple[list[tuple], list[tuple], pd.DataFrame]:
    """The feasibility sheet's constraint rows, payback rows and yearly table, found by their headings."""
    t = texts(lang)
    rows = [tuple(c.value for c in r) for r in book[t["sheet_feasibility"]].iter_rows()]
    firsts = [r[0] for r in rows]

    def block(heading: str) -> list[tuple]:
        start = firsts.index(heading) + 2  # heading, header row, then data
        end = next((i for i in range(start, len(rows)) if rows[i][0] is None), len(rows))
        return rows[start:end]

    header = rows[firsts.index(t["feas_heading_yearly"]) + 1]
    yearly = pd.DataFrame(block(t["feas_heading_yearly"]), columns=header).dropna(axis=1, how="all")
    return block(t["feas_heading_constraints"]), block(t["feas_heading_payback"]), yearly


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_workbook_feasibility_sheet_holds_the_constraint_rows(exported, cli_rows, lang):
    t = texts(lang)
    book = openpyxl.load_workbook(io.BytesIO(exported[lang][0]))
    assert book.sheetnames[1] == t["sheet_feasibility"]  # right after the summary
    constraints, payback, yearly = sheet_tables(book, lang)
    names = {t[f"c_{c}"]: c for c in CONSTRAINTS}
    assert [names[r[1]] for r in constraints] == list(CONSTRAINTS)
    for r in constraints:
        want = cli_rows[names[r[1]]]
        assert r[2] == want["year"]
        assert r[3] == pytest.approx(want["value"], rel=1e-9)
        if want["limit"] is None or not np.isfinite(want["limit"]):  # no sourced limit: no verdict, no chance
            assert r[4] is None and r[6] == t["feas_no_limit"] and r[8] is None
            continue
        assert r[4] == pytest.approx(want["limit"], rel=1e-9)
        assert r[6] == (t["feas_within"] if want["within"] else t["feas_over"])
        assert r[8] == pytest.approx(want["probability"], abs=1e-12)  # the same 10 000 runs and seed
    # parts add up: balance = added tax − spending, and the cumulative balance is its running sum
    cols = {k: next(c for c in yearly.columns if c.startswith(t[f"feas_col_{k}"].split("（")[0].split(" (")[0]))
            for k in ("tax", "spending", "balance", "cumulative")}
    np.testing.assert_allclose(yearly[cols["tax"]] - yearly[cols["spending"]], yearly[cols["balance"]], atol=1e-9)
    np.testing.assert_allclose(np.cumsum(yearly[cols["balance"]]), yearly[cols["cumulative"]], atol=1e-9)
    # the payback row names the year the yearly cumulative balance is back at zero, to stay
    assert payback[0][1] == payback_year(yearly[t["col_year"]], yearly[cols["cumulative"]])
    assert payback[0][2] == t["feas_payback_year"] and 0 < payback[0][3] <= 1
    # the fiscal constraint's value is the cumulative balance in its year
    year_col = t["col_year"]
    at = yearly[yearly[year_col] == cli_rows["fiscal_balance"]["year"]][cols["cumulative"]].iloc[0]
    assert at == pytest.approx(cli_rows["fiscal_balance"]["value"], rel=1e-9)


def test_csv_feasibility_rows_equal_the_command_lines(exported, cli_rows):
    table = pd.read_csv(io.BytesIO(exported["en"][1]))
    for cid, want in cli_rows.items():
        rows = table[table["sector"] == cid].set_index("series")
        assert set(rows["year"]) == {want["year"]}
        assert rows.loc["constraint_value", "value"] == pytest.approx(want["value"], rel=1e-5)  # six digits
        if want["limit"] is None or not np.isfinite(want["limit"]):  # no sourced limit: empty cells
            assert rows.loc[["constraint_limit", "constraint_within", "constraint_probability"], "value"].isna().all()
            continue
        assert rows.loc["constraint_limit", "value"] == pytest.approx(want["limit"], rel=1e-5)
        assert rows.loc["constraint_within", "value"] == float(want["within"])
        assert rows.loc["constraint_probability", "value"] == pytest.approx(want["probability"], abs=1e-6)
        assert rows.loc["constraint_value", "unit"] == want["unit"]
    energy = table[table["series"] == "feas_energy"]
    assert list(energy["year"]) == list(range(2024, 2036)) and set(energy["unit"]) == {"10k tce"}
    zh = pd.read_csv(io.BytesIO(exported["zh"][1]))
    t = texts("zh")
    fiscal = zh[(zh[t["csv_col_sector"]] == t["c_fiscal_balance"])
                & (zh[t["csv_col_series"]] == t["csv_series_constraint_probability"])]
    assert fiscal[t["csv_col_value"]].tolist() == pytest.approx([cli_rows["fiscal_balance"]["probability"]])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_feasibility_sheet_prints_on_one_page(exported, tmp_path, lang):
    """LibreOffice prints the sheet (A4 landscape, fit to width): its four tables on one page."""
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice or poppler-utils not installed")
    from test_libreoffice import _pdf_pages

    texts_by_page = _pdf_pages(exported[lang][0], tmp_path, f"feas_{lang}")  # each page's text
    t = texts(lang)
    page = next(i for i, text in enumerate(texts_by_page) if t["feas_title"] in text)
    for heading in ("feas_heading_constraints", "feas_heading_payback", "feas_heading_yearly", "feas_heading_data"):
        assert t[heading] in texts_by_page[page], heading
    assert "2035" in texts_by_page[page] and re.search(r"0\.2\d\d", texts_by_page[page])  # intensity printed
