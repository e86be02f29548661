"""Issue 20: the scenario report (汇报材料) as Word and PDF, from the command line as a user runs it.

The documents are opened the way their readers open them: the Word file with python-docx (its tables
as cells of text), the PDF with poppler (``pdfinfo`` pages, ``pdffonts`` embedding, ``pdftotext`` for
selectable text) and the Word file printed by LibreOffice headless. The numbers are checked against
the model's own command line (``targets``, ``constraints``) for the same scenario file.
Skipped locally without LibreOffice/poppler; failing in CI (``CI=true``), where ``.ci/run`` installs them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from docx import Document

ROOT = Path(__file__).resolve().parent.parent
PRESET = ROOT / "data" / "zhoucun" / "presets" / "three_year_action.json"
TOOLS = ("soffice", "pdfinfo", "pdffonts", "pdftotext")


def need_tools() -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        reason = f"{', '.join(missing)} not installed (apt-get install libreoffice-writer-nogui poppler-utils)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"report tests must run in CI, but {reason}", pytrace=False)
        pytest.skip(reason)


def model_cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "model", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def number(text: str) -> float:
    """The first number in a cell ("595.9 亿元", "63.2 %", "1,000.0 亿元")."""
    return float(re.search(r"-?[\d,]+(?:\.\d+)?", text).group(0).replace(",", ""))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    """The three-year action with a lever moved off the preset (investment 13.7 %/yr, 技改 47 %)."""
    doc = json.loads(PRESET.read_text(encoding="utf-8"))
    doc.pop("meta", None)  # the report then names the scenario by its file
    doc["levers"]["investment"] = 13.7
    doc["levers"]["tech_upgrade"] = 47
    path = tmp_path_factory.mktemp("sc") / "moved.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reports(scenario, tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """(docx, pdf) per language, made by ``python -m model report`` (one call each)."""
    need_tools()
    out = tmp_path_factory.mktemp("reports")
    made = {}
    for lang in ("zh", "en"):
        docx, pdf = out / f"report_{lang}.docx", out / f"report_{lang}.pdf"
        r = model_cli("report", scenario, "--docx", docx, "--pdf", pdf, "--lang", lang)
        assert r.returncode == 0 and r.stderr == "", r.stderr
        made[lang] = (docx, pdf)
    return made


def _table(doc, first_header: str):
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == first_header)
    return [[c.text for c in row.cells] for row in table.rows]


def test_goal_values_equal_the_targets_command(reports, scenario):
    """Every goal's value, goal value, verdict, year reached and chance is what ``python -m model targets``
    prints for the same scenario file (same ensemble: 10 000 runs, the page's seed)."""
    r = model_cli("targets", scenario, "--format", "json")
    assert r.returncode == 0, r.stderr
    targets = json.loads(r.stdout)
    rows = _table(Document(reports["zh"][0]), "目标")
    assert rows[0] == ["目标", "目标年份", "情景值", "目标值", "中心路径", "达成年份", "达成概率"]
    assert len(rows) - 1 == len(targets) == 4
    for row, goal in zip(rows[1:], targets):
        assert number(row[2]) == pytest.approx(goal["value"], abs=0.051), (row, goal)
        assert number(row[3]) == pytest.approx(goal["goal"], abs=0.051), (row, goal)
        assert row[4] == ("达成" if goal["met"] else "未达成")
        if goal["year_reached"] is None:
            assert "前未达到" in row[5]
        elif goal["target"] != "steady_growth":
            assert row[5] == str(goal["year_reached"])
        assert row[6] == f"{100 * goal['probability']:.0f}%", (row, goal)


def test_feasibility_rows_are_the_constraints_command(reports, scenario):
    r = model_cli("constraints", scenario, "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = _table(Document(reports["en"][0]), "Constraint")[1:]
    expected = json.loads(r.stdout)
    assert len(rows) == len(expected)
    for row, c in zip(rows, expected):
        assert row[1] == str(c["year"])
        value = c["value"] * (0.1 if c["unit"] == "100m yuan" else 1)  # the English page's bn yuan
        assert number(row[2]) == pytest.approx(value, rel=1e-3, abs=0.006)
        if c["status"] == "none":  # the data hold no limit: said, not judged
            assert row[3] == "–" and row[6] == "no limit" and row[7] == "–", row
        else:
            assert number(row[3]) == pytest.approx(c["limit"] * (0.1 if c["unit"] == "100m yuan" else 1), rel=1e-3)
            assert row[6] == ("within" if c["within"] else "over")
            assert row[7] == f"{100 * c['probability']:.0f} %"


def test_the_moved_levers_are_in_the_settings_table(reports):
    rows = {r[0]: r[1:] for r in _table(Document(reports["en"][0]), "Setting")}
    assert rows["Industrial investment growth"][:2] == ["13.7", "8.1"]
    assert rows["Technical upgrading (技改) share"][0] == "47"


def test_document_structure_headings_and_page_numbers(reports):
    """Real headings (Word's heading styles), a title naming district, scenario and date, the
    not-a-forecast line, three figures, and PAGE / NUMPAGES fields in the footer."""
    for lang, (docx, _) in reports.items():
        doc = Document(docx)
        heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
        assert len(heads) >= 6, heads
        title = next(p.text for p in doc.paragraphs if p.style.name == "Title")
        assert ("周村区" if lang == "zh" else "Zhoucun") in title
        sub = doc.paragraphs[1].text
        assert ("moved" in sub) and re.search(r"20\d\d", sub)
        body = "\n".join(p.text for p in doc.paragraphs)
        assert ("不是预测" if lang == "zh" else "a scenario, not a forecast") in body
        assert len(doc.inline_shapes) == 3
        footer = doc.sections[0].footer._element.xml
        assert "PAGE" in footer and "NUMPAGES" in footer


def test_pdf_has_two_to_four_pages_embedded_fonts_and_selectable_chinese(reports):
    for lang, (_, pdf) in reports.items():
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, timeout=60).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
        assert 2 <= pages <= 4, (lang, pages)
        fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, timeout=60).stdout.splitlines()[2:]
        assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # the "emb" column
        assert any("CJK" in line for line in fonts), fonts
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, timeout=60).stdout
        assert "周村区" in text if lang == "zh" else "Zhoucun" in text
        assert ("第 1 页，共" if lang == "zh" else "Page 1 of") in text


def test_the_word_document_prints_in_libreoffice_on_at_most_four_pages(reports, tmp_path):
    """The .docx itself (as an official would open it) printed by LibreOffice headless: ≤ 4 A4 pages."""
    for lang, (docx, _) in reports.items():
        profile = f"file:///tmp/lo_profile_{uuid.uuid4().hex}"
        try:
            r = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                                "--outdir", str(tmp_path), str(docx)], capture_output=True, text=True, timeout=240)
        finally:
            shutil.rmtree(profile.removeprefix("file://"), ignore_errors=True)
        pdf = tmp_path / (docx.stem + ".pdf")
        assert r.returncode == 0 and pdf.is_file(), r.stdout + r.stderr
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, timeout=60).stdout
        assert int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)) <= 4


@pytest.mark.parametrize("content, says", [
    ("{not json", "invalid JSON at line 1"),
    ('{"levers": {"investment": 99}}', "investment"),
    ('{"levers": {"magic": 1}}', "magic"),
    (None, "file not found"),  # no such file
])
def test_a_bad_scenario_file_exits_2_with_one_line(tmp_path, content, says):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    r = model_cli("report", path, "--docx", tmp_path / "r.docx", timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error: ") and says in r.stderr, r.stderr
    assert not (tmp_path / "r.docx").exists()


def test_report_without_an_output_says_so():
    r = model_cli("report", timeout=120)
    assert r.returncode == 2 and r.stderr.strip() == "error: report needs --docx PATH and/or --pdf PATH"
