"""Issue 20: the workshop report (``python -m workshop report ROOM``), from a room with plans.

Participants arrive through the store the app uses; the report is made by the command line as a
facilitator runs it and read back with python-docx and poppler. Reasons and names with markup,
HTML or formula-like text come out exactly as typed, as text: no bold run, no field, no hyperlink.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from model import load_baseline
from workshop import Settings, Store
from workshop.analysis import median_plan, plan_outcomes
from workshop.rooms import parse_room_spec, start_values

from test_report import need_tools

REPO = Path(__file__).resolve().parent.parent
#: A reason a renderer could take for markup, HTML, a Word field or a spreadsheet formula.
EVIL_REASON = '<b>加大投资</b> =SUM(A1:A3) **重点** {PAGE} <script>alert(1)</script> [x](http://evil.example)'
EVIL_NAME = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def room(tmp_path):
    """A room with three plans (one with the evil reason), four predictions; its environment and plans."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["WORKSHOP_DATA_DIR"] = str(tmp_path / "data")
    base = load_baseline()
    store = Store(Settings.from_env(env))
    spec = parse_room_spec({"title": "工业倍增研讨会", "question": "能否2027年实现工业倍增？", "focus": "doubling",
                            "levers": ["investment", "tech_upgrade"]}, base)
    made = store.create_room(spec)
    plans = [{"investment": 5.0, "tech_upgrade": 30.0}, {"investment": 20.0, "tech_upgrade": 60.0},
             start_values(spec, base)]
    for name, plan, year, reason in zip(("<i>王五</i>", EVIL_NAME, ""), plans, (2028, 2031, 2036),
                                        (EVIL_REASON, "技改优先 & 稳增长", "")):
        token = store.join(made.code, name)
        store.predict(made.code, token, year)
        store.submit(made.code, token, plan, reason)
    store.predict(made.code, store.join(made.code, "只预测"), 2030)
    store.dispose()
    return made.code, env, spec, plans, base


def workshop_cli(env, *args):
    return subprocess.run([sys.executable, "-m", "workshop", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def test_workshop_report_from_a_room_with_plans(room, tmp_path):
    need_tools()
    code, env, spec, plans, base = room
    docx, pdf = tmp_path / "ws.docx", tmp_path / "ws.pdf"
    r = workshop_cli(env, "report", code.lower(), "--docx", docx, "--pdf", pdf, "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"room": code, "docx": str(docx), "pdf": str(pdf), "participants": 4, "plans": 3}

    doc = Document(docx)
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "能否2027年实现工业倍增？" in body
    assert "4 answered: median 2030, lowest 2028, highest after 2035" in body
    tables = {t.rows[0].cells[0].text: [[c.text for c in row.cells] for row in t.rows] for t in doc.tables}
    # The spread of plans: each lever's lowest, median and highest submitted value.
    spread = {r[0]: r[1:] for r in tables["Lever"]}
    assert spread["Industrial investment growth"][1:] == ["5.0 %/yr", "8.1 %/yr", "20.0 %/yr"]
    # The median plan's goal results are the board's (same outcomes and chances).
    med = median_plan(spec, plans)
    out = plan_outcomes(base, spec, plans + [med])
    result = {r[0]: r[1:] for r in tables["Plan"]}
    doubling = result["Doubling industrial output (2027)"][0]
    assert f"Chance {100 * out.chance[3, 0]:.0f} %" in doubling
    assert f"{out.value[3, 0] / 10:.1f} bn yuan" in doubling
    # Every plan's reason, as typed.
    rows = [t for t in doc.tables if [c.text for c in t.rows[0].cells][-1] == "Reason"][0].rows
    texts = {row.cells[0].text: row.cells[2].text for row in rows[1:]}
    assert texts == {"<i>王五</i>": EVIL_REASON, EVIL_NAME: "技改优先 & 稳增长", "Participant 3": "(none given)"}

    # Text, never markup: the reason is one plain run, with no field, bold or hyperlink around it.
    xml = doc.element.body.xml
    assert "<w:fldChar" not in xml and "<w:instrText" not in xml and "<w:hyperlink" not in xml
    cell = [row for row in rows if row.cells[0].text == "<i>王五</i>"][0].cells[2]
    runs = cell.paragraphs[0].runs
    assert [r.text for r in runs] == [EVIL_REASON] and not runs[0].bold and not runs[0].italic

    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, timeout=60).stdout
    assert "<b>加大投资</b> =SUM(A1:A3) **重点** {PAGE}" in text
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, timeout=60).stdout
    assert int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)) <= 4


def test_workshop_report_in_chinese_and_bad_input(room, tmp_path):
    code, env, *_ = room
    docx = tmp_path / "ws_zh.docx"
    r = workshop_cli(env, "report", code, "--docx", docx)
    assert r.returncode == 0, r.stderr
    doc = Document(docx)
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert heads == ["一、讨论的问题", "二、预测与模型的答案", "三、方案的分布", "四、中位方案与最佳方案",
                     "五、各方案的理由", "六、下一步"]
    for args, says in (((code,), "report needs --docx PATH and/or --pdf PATH"),
                       (("ZZZZZZ", "--docx", tmp_path / "x.docx"), "There is no room with this code.")):
        r = workshop_cli(env, "report", *args)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and says in r.stderr, r.stderr
