"""``python -m workshop``: create, list, export, delete — JSON out, exit 2 with one line on bad input.

Run as a user runs it (a subprocess with the environment's database), then the files are opened
with openpyxl and csv as a spreadsheet would.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest

from model import load_baseline
from workshop import Settings, Store
from workshop.analysis import plan_outcomes
from workshop.cli import main
from workshop.rooms import start_values

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def env(tmp_path):
    e = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    e["WORKSHOP_DATA_DIR"] = str(tmp_path / "data")
    return e


def cli(env, *args, ok=True):
    r = subprocess.run([sys.executable, "-m", "workshop", *args], cwd=REPO, env=env, capture_output=True,
                       text=True, timeout=120)
    if ok:
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)
    return r


def test_create_list_export_delete(env, tmp_path):
    made = cli(env, "create", "--title", "工业倍增研讨会", "--question", "能否2027年实现工业倍增？",
               "--focus", "doubling", "--levers", "investment,tech_upgrade", "--base-url", "https://ws.example.org/sim")
    code = made["room"]
    p, f = urlsplit(made["participant_url"]), urlsplit(made["facilitator_url"])
    assert (p.scheme, p.netloc, p.path) == ("https", "ws.example.org", "/sim/")
    assert parse_qs(p.query) == {"room": [code]}
    key = parse_qs(f.query)["key"][0]
    assert parse_qs(f.query)["room"] == [code] and key not in made["participant_url"]

    # Participants arrive through the store the app uses (same environment → same SQLite file).
    base = load_baseline()
    store = Store(Settings.from_env(env))
    room = store.room(code)
    assert room.spec.lever_ids() == ("investment", "tech_upgrade") and room.spec.title == "工业倍增研讨会"
    names = ["=HYPERLINK(\"http://evil\",\"x\")", "<b>王</b>", ""]
    plans = [{"investment": 5.0, "tech_upgrade": 30.0}, {"investment": 20.0, "tech_upgrade": 60.0},
             start_values(room.spec, base)]
    for name, plan, year in zip(names, plans, (2028, 2031, 2036)):
        token = store.join(code, name)
        store.predict(code, token, year)
        store.submit(code, token, plan, "+1 more " + name)
    lurker = store.join(code, "只预测")
    store.predict(code, lurker, 2030)
    assert store.snapshot(code, key).joined == 4
    store.dispose()

    listed = cli(env, "list")
    assert [(r["room"], r["participants"], r["plans"], r["status"]) for r in listed] == [(code, 4, 3, "open")]

    xlsx, csv_path = tmp_path / "out" / "room.xlsx", tmp_path / "out" / "room.csv"
    xlsx.parent.mkdir()
    done = cli(env, "export", code.lower(), "--xlsx", str(xlsx), "--csv", str(csv_path), "--lang", "en")
    assert done == {"room": code, "xlsx": str(xlsx), "csv": str(csv_path), "participants": 4, "plans": 3}
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["Room", "Predictions", "Plans and results"]
    preds = list(wb["Predictions"].iter_rows(values_only=True))
    assert preds[0] == ("Participant", "Prediction (year)")
    assert [r[1] for r in preds[1:]] == [2028, 2031, 2036, 2030]
    assert preds[3][0] == "Participant 3"  # no name given
    rows = list(wb["Plans and results"].iter_rows(values_only=True))
    head = rows[0]
    body = [dict(zip(head, r)) for r in rows[1:]]
    assert [b["Participant"] for b in body] == [names[0], names[1], "Participant 3", "Room's median plan", "只预测"]
    cell = wb["Plans and results"]["A2"]
    assert cell.data_type == "s" and cell.value == names[0]  # text, never a formula
    median = {k: sorted(p[k] for p in plans)[1] for k in plans[0]}  # three plans: the middle value
    out = plan_outcomes(base, room.spec, plans + [median])
    chance_col = next(h for h in head if h.startswith("Doubling") and h.endswith("chance %"))
    assert [b[chance_col] for b in body[:4]] == [round(100 * c, 1) for c in out.chance[:, 0]]
    assert body[3]["Industrial investment growth (%/yr)"] == median["investment"]
    assert body[3]["Technical upgrading (技改) share (%)"] == median["tech_upgrade"]

    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0] == list(head)
    assert table[1][0] == "'" + names[0] and table[1][head.index("Reason")] == "'+1 more " + names[0]
    assert len(table) == 6

    zh = cli(env, "export", code, "--xlsx", str(tmp_path / "out" / "zh.xlsx"))
    assert openpyxl.load_workbook(zh["xlsx"]).sheetnames == ["房间", "预测", "方案与结果"]

    assert cli(env, "delete", code) == {"room": code, "deleted": True}
    assert cli(env, "list") == []


@pytest.mark.parametrize("args, says", [
    (("create",), "the following arguments are required: --title"),
    (("create", "--title", "T", "--focus", "moon"), "Unknown goal 'moon'"),
    (("create", "--title", "T", "--levers", "investment,magic"), "Unknown lever 'magic'"),
    (("create", "--title", "T", "--base-url", "javascript:alert(1)"), "--base-url must be an http(s) URL"),
    (("create", "--title", "x" * 500), "The title is too long: 500 characters, at most 120."),
    (("export", "ZZZZZZ", "--xlsx", "/tmp/never.xlsx"), "There is no room with this code."),
    (("delete", "<script>"), "There is no room with this code."),
    (("frobnicate",), "invalid choice: 'frobnicate'"),
    (("list", "--all"), "unrecognized arguments: --all"),
])
def test_bad_input_exits_2_with_one_line(env, args, says, monkeypatch, capsys):
    for k, v in env.items():  # in-process (the same ``main`` as ``python -m workshop``): fast
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(list(args)) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert out == "" and len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], err


def test_bad_input_from_a_shell(env):
    r = cli(env, "create", "--title", "T", "--prediction", "mood", ok=False)
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1
    assert "invalid choice: 'mood'" in r.stderr


def test_export_to_an_unwritable_path_is_one_line(env, tmp_path):
    code = cli(env, "create", "--title", "T")["room"]
    r = cli(env, "export", code, "--xlsx", str(tmp_path / "missing" / "dir" / "x.xlsx"), ok=False)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "cannot write" in r.stderr
