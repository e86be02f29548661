"""Issue 9 in a real browser: downloads carry the page's settings (finding 1), long shared states load
(finding 6), echoed text stays inert (finding 8), and a fuzz corpus of every URL parameter and every
upload kind ends in a notice, never an exception (the server log is checked by ``_no_server_traceback``).

Skipped locally without Chromium/Playwright; failing in CI (see ``test_browser.py``).
"""

from __future__ import annotations

import io
import json
import random
import re
import urllib.request
import zipfile

import openpyxl
import pandas as pd
import pytest

from testkit.browser import slider_input, wait_idle
from model.io.bounded import pack, unpack
from test_browser import TIMEOUT, card, cards, click_button, expect, open_app, wait_ready

pytestmark = pytest.mark.browser
CJK = re.compile(r"[\u3400-\u9fff]")
EVIL = "evil.example"


def _download(page, key: str, tmp_path, name: str) -> bytes:
    with page.expect_download(timeout=TIMEOUT) as info:
        page.locator(f".st-key-{key} button:visible").click()
    path = tmp_path / name
    info.value.save_as(path)
    return path.read_bytes()


def _save_in_compare(page, name: str) -> None:
    page.get_by_role("tab", name="情景比较").click()
    box = page.locator(".st-key-cmp_name input")
    box.fill(name)
    box.press("Enter")
    wait_idle(page)
    click_button(page, "cmp_save")
    expect(page.locator(f"input[value='{name}']")).to_have_count(1, timeout=TIMEOUT)
    wait_idle(page)
    page.get_by_role("tab", name="情景模拟").click()
    wait_ready(page)  # only the open tab computes: the cards come with the rerun the click starts


def _move(page, key: str, keypress: str = "PageUp") -> str:
    thumb = slider_input(page, key)
    before = thumb.input_value()
    thumb.focus()
    thumb.press(keypress)
    expect(thumb).not_to_have_value(before)
    expect(page).to_have_url(re.compile(rf"[?&]{key}="), timeout=TIMEOUT)
    wait_idle(page)
    return thumb.input_value()


def test_1_downloads_carry_the_sliders_and_the_saved_scenarios(server, new_context, tmp_path):
    """Move sliders, save two scenarios in Compare, then click the JSON, CSV and Excel downloads."""
    page = open_app(new_context, server)
    _move(page, "investment")
    _save_in_compare(page, "甲方案")
    _move(page, "tech_upgrade")
    _save_in_compare(page, "乙方案")
    investment = _move(page, "investment")
    tech = slider_input(page, "tech_upgrade").input_value()
    page.get_by_text("保存 / 载入情景").click()

    doc = json.loads(_download(page, "download_scenario", tmp_path, "scenario.json"))
    assert doc["levers"]["investment"] == pytest.approx(float(investment))
    assert doc["levers"]["tech_upgrade"] == pytest.approx(float(tech))
    assert doc["meta"]["status"] == "user"

    table = pd.read_csv(io.BytesIO(_download(page, "download_csv", tmp_path, "series.csv")))
    assert list(dict.fromkeys(table["情景"])) == ["当前设置", "甲方案", "乙方案"]

    book = openpyxl.load_workbook(io.BytesIO(_download(page, "download_xlsx", tmp_path, "book.xlsx")))
    summary = {r[0].value for r in book["摘要"].iter_rows()}
    assert {"当前设置", "甲方案", "乙方案"} <= summary
    params = [[c.value for c in r] for r in book["假设与杠杆"].iter_rows()]
    current = {r[2]: r[3] for r in params if r[0] == "当前设置" and isinstance(r[3], (int, float))}
    assert current["investment"] == pytest.approx(float(investment))
    assert current["tech_upgrade"] == pytest.approx(float(tech))
    # The cards of the page and the workbook's summary agree on the current settings.
    doubling = float(card(page, "doubling").get_attribute("data-value"))
    row = next(r for r in book["摘要"].iter_rows() if r[0].value == "当前设置" and r[1].value == "工业倍增")
    assert row[5].value == pytest.approx(doubling, rel=1e-6)


def test_6_a_long_shared_state_loads(server, new_context):
    """Eight saved scenarios × 60 projects with Chinese names: a 216 kB URL on main (HTTP 400)."""
    rng = random.Random(9)

    def projects():
        return [{"name": "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(12)), "sector": "equipment",
                 "start_year": 2026 + k % 5, "output": 5.0, "ramp_years": 3, "investment": 4.0} for k in range(60)]

    saved = {f"方案{i}": {"levers": {"projects": projects()}} for i in range(8)}
    value = pack(json.dumps(saved, ensure_ascii=False, separators=(",", ":")))
    url = f"{server.url}/?compare={urllib.request.quote(value)}"
    assert len(url) < 64_000
    with urllib.request.urlopen(url, timeout=30) as r:
        assert r.status == 200
    page = open_app(new_context, server, url)
    page.get_by_role("tab", name="情景比较").click()
    expect(page.locator("input[value='方案7']")).to_have_count(1, timeout=TIMEOUT)
    assert json.loads(unpack(value)).keys() == saved.keys()


# --------------------------------------------------------------------------- fuzz corpus

NESTED = "[" * 1000 + "]" * 1000
#: Crafted values for every JSON parameter of the URL.
JSON_VALUES = [NESTED, '{"a": 5}', "[1]", '"x"', "null", "{oops", "z:!!", "z:" + pack("[" * 900 + "]" * 900)[2:],
               json.dumps({"[CLICK](https://evil.example/phish)": 5}), "9" * 5000]
#: Crafted values for the scalar parameters.
SCALAR_VALUES = ["abc", "1e999", "NaN", "[x](https://evil.example)", "9" * 400]
PARAMS = {"projects": JSON_VALUES, "sectors": JSON_VALUES, "targets": JSON_VALUES, "compare": JSON_VALUES + [
              json.dumps({"当前设置": {}}, ensure_ascii=False), '{"a": {"levers": {"chain_extension": "x"}}}'],
          "official": [NESTED, "{}", "z:AAAA", '{"version": 1, "figures": [["stainless", "output_2024", 1e9]]}'],
          "investment": SCALAR_VALUES, "growth": SCALAR_VALUES, "volatility": SCALAR_VALUES,
          "lang": ["fr", "<b>x</b>"], "preset": ["nope", "![t](https://evil.example/t.png)"]}


def _rows() -> list[str]:
    """Query strings: row i gives every parameter its i-th crafted value (cycling), so that each
    value is tried once in a handful of page loads."""
    n = max(len(v) for v in PARAMS.values())
    return ["&".join(f"{k}={urllib.request.quote(v[i % len(v)])}" for k, v in PARAMS.items()) for i in range(n)]


@pytest.fixture(scope="module")
def trend_cards(server, browser):
    """The cards of the page opened without parameters (the trend scenario)."""
    from test_browser import wait_ready

    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    ctx.set_default_timeout(TIMEOUT)
    page = ctx.new_page()
    page.goto(server.url)
    wait_ready(page)
    out = cards(page)
    ctx.close()
    return out


def _assert_safe(page, trend) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator(f"a[href*='{EVIL}']").count() == 0
    assert page.locator(f"img[src*='{EVIL}']").count() == 0
    body = page.locator("body").inner_text()
    assert "Traceback" not in body


@pytest.mark.parametrize("query", _rows(), ids=[f"row{i}" for i in range(len(_rows()))])
def test_fuzz_every_url_parameter(server, new_context, trend_cards, query):
    """Crafted values give notices in the page's language and leave the (trend) scenario as it is."""
    page = open_app(new_context, server, f"?{query}")
    _assert_safe(page, trend_cards)
    warnings = page.locator("[data-testid='stAlertContentWarning']")
    expect(warnings.first).to_be_visible()
    assert warnings.count() >= 5 and all(CJK.search(w) for w in warnings.all_inner_texts())
    assert cards(page) == trend_cards


def _xlsx(rows: list[list]) -> bytes:
    buf = io.BytesIO()
    book = openpyxl.Workbook()
    for r in rows:
        book.active.append(r)
    book.save(buf)
    return buf.getvalue()


#: (uploader key prefix, tab to open or expander label, file name, bytes) for every upload kind.
UPLOADS = [
    ("upload_", "保存 / 载入情景", "[f](http:evil.example).json",
     json.dumps({"levers": {"projects": [{"name": "x", "sector": "![t](https://evil.example/t.png)",
                                          "start_year": 2026, "output": 1}]}}).encode()),
    ("upload_", "保存 / 载入情景", "deep.json", b'{"meta":' + b"[" * 3000 + b"]" * 3000 + b"}"),
    ("upload_", "保存 / 载入情景", "big.json", b'{"levers":{"projects":[' + b",".join([b"{}"] * 200_000) + b"]}}"),
    ("official_upload_", "模型与数据", "wide.csv", (",".join(["sector"] + ["x"] * 200_000) + "\n1\n").encode()),
    ("official_upload_", "模型与数据", "evil.csv",
     "sector,output_2024\n[CLICK](https://evil.example/p),5\n".encode("gb18030")),
    ("official_upload_", "模型与数据", "bad.xlsx", b"PK\x03\x04not a zip"),
    ("actuals_upload_", "监测：实际数据是否在轨道上", "a.xlsx",
     _xlsx([["period", "indicator", "value"], ["![t](https://evil.example/t.png)", "total", 5]])),
    ("actuals_upload_", "监测：实际数据是否在轨道上", "a.csv", b"\xff\xfe\x00garbage"),
]


@pytest.mark.parametrize("prefix, where, name, data", UPLOADS, ids=[u[2] for u in UPLOADS])
def test_fuzz_every_upload_kind(server, new_context, trend_cards, tmp_path, prefix, where, name, data):
    page = open_app(new_context, server)
    if where in ("模型与数据",):
        page.get_by_role("tab", name=where).click()
    else:
        page.get_by_text(where).click()
    path = tmp_path / name
    path.write_bytes(data)
    page.locator(f"[class*='st-key-{prefix}'] input[type=file]").first.set_input_files(str(path))
    error = page.locator("[data-testid='stAlertContentError']").first
    expect(error).to_be_visible(timeout=TIMEOUT)
    assert CJK.search(error.inner_text())
    wait_idle(page)
    _assert_safe(page, trend_cards)
    page.get_by_role("tab", name="情景模拟").click()
    wait_ready(page)  # only the open tab computes: the cards come with the rerun the click starts
    assert cards(page) == trend_cards
