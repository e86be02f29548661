"""The app in a real browser: a Streamlit server on a free port driven by headless Chromium (Playwright).

Run: ``CI=true python -m pytest tests/test_browser.py -q``. Without Chromium or Playwright the tests
are skipped locally and fail in CI (``CI=true``). Screenshots go to ``artifacts/screenshots/``.

Everything is deterministic: no Monte Carlo, every test opens a fresh browser context (a new
Streamlit session), and waits are on visible results, never on fixed sleeps (after a viewport resize,
``settle`` awaits the charts drawn at a size that holds); a wait that times out fails naming what it awaited.
"""

from __future__ import annotations

import csv
import json
import os
import re

import pytest

from testkit.browser import (APP_IDLE, CARD, CHART, REPO, artifacts_dir, browser_missing, settle, slider_input,
                              wait_idle)

try:
    from playwright.sync_api import expect
except ImportError:  # reported by the `_browser_ready` fixture (skip locally, fail in CI)
    expect = None

pytestmark = pytest.mark.browser

TIMEOUT = 30_000  # ms, for a (re)run to show up
with (REPO / "data/zhoucun/goals.csv").open(encoding="utf-8", newline="") as _f:
    GOALS = {row["id"]: row for row in csv.DictReader(_f)}
REGION = json.loads((REPO / "data/zhoucun/region.json").read_text(encoding="utf-8"))
PRESETS = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (REPO / "data/zhoucun/presets").glob("*.json")}
SLIDERS = ("investment", "tech_upgrade", "chain_extension", "sme_upgrades",
           "growth", "stainless_price", "volatility", "correlation")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: Charts that have been drawn by vega-embed (SVG or canvas renderer).
DRAWN_CHARTS = f"{CHART} svg.marks, {CHART} canvas"


# Fixtures (server, browser, new_context, page_errors, the server-log check): tests/browser_fixtures.py.


# --------------------------------------------------------------------------- helpers

def open_app(new_context, server, query: str = "", errors: list | None = None, width: int = 1366,
             height: int = 768):
    page = new_context(width, height).new_page()
    if errors is not None:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(query if query.startswith("http") else f"{server.url}/{query}")
    wait_ready(page)
    return page


def wait_ready(page, charts: int = 2) -> None:
    """Four goal cards, ``charts`` drawn charts (two panels by default), and no run in progress."""
    expect(page.locator(CARD)).to_have_count(4, timeout=60_000)
    page.wait_for_function(f"document.querySelectorAll({json.dumps(DRAWN_CHARTS)}).length >= {charts}",
                           timeout=60_000)
    wait_idle(page, timeout=60_000)


def cards(page) -> list[tuple[str, str, str]]:
    """(goal id, data-met, text) of every goal card, in page order."""
    return [tuple(x) for x in page.eval_on_selector_all(
        CARD, "els => els.map(e => [e.dataset.goal, e.dataset.met, e.innerText.trim()])")]


def card(page, goal: str):
    return page.locator(f"{CARD}[data-goal='{goal}']")


def wait_changed(page, selector: str, before: str, prop: str = "innerText", timeout: float = TIMEOUT) -> None:
    """Wait until the first element matching ``selector`` differs from ``before`` and the app is idle."""
    page.wait_for_function(
        """([sel, prop, before, idle]) => {
            const el = document.querySelector(sel);
            return el !== null && el[prop] !== before && document.querySelector(idle) !== null;
        }""", arg=[selector, prop, before, APP_IDLE], timeout=timeout)


def slider_values(page) -> dict[str, str]:
    return {k: slider_input(page, k).input_value() for k in SLIDERS}


def click_button(page, key: str) -> None:
    # Streamlit keeps a hidden copy of a button (for measuring); click the visible one.
    page.locator(f".st-key-{key} button:visible").click()


# --------------------------------------------------------------------------- tests

def test_browser_available():
    """Fails (not skips) in CI when Chromium or Playwright is missing; the other tests then error."""
    reason = browser_missing()
    if reason and os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests must run in CI, but {reason}", pytrace=False)
    if reason:
        pytest.skip(f"browser tests skipped: {reason}")


def test_page_loads_with_cards_and_charts(server, new_context, page_errors):
    page = open_app(new_context, server, errors=page_errors)
    expect(page.locator(CARD)).to_have_count(4)
    for goal in GOALS:
        expect(card(page, goal)).to_be_visible()
    assert page.locator(DRAWN_CHARTS).count() == 2  # the two chart panels
    page.goto(f"{server.url}/?all_charts=true")
    wait_ready(page, charts=9)
    assert page.locator(DRAWN_CHARTS).count() >= 9  # all eight charts; value added has two panels
    visible = page.locator(f"{CHART}:visible")  # the decision-tools tab's charts draw when it is shown
    for i in range(visible.count()):  # each chart has drawn marks, not an empty frame
        assert visible.nth(i).locator("svg.marks path, svg.marks line, canvas").count() > 0
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    body = page.locator("body").inner_text()
    assert "Traceback" not in body
    expect(page.locator("[data-testid='preset-status']")).to_be_visible()
    assert page_errors == [], f"JavaScript errors: {page_errors}"


def test_keyboard_slider_move_updates_cards_chart_and_url(server, new_context):
    page = open_app(new_context, server)
    doubling = card(page, "doubling")
    card_before = doubling.inner_text()
    chart_before = page.locator(CHART).first.inner_html()  # total output (first chart of the page)
    status_before = page.locator("[data-testid='preset-status']").inner_text()
    assert "investment=" not in page.url

    thumb = slider_input(page, "investment")
    value_before = float(thumb.input_value())
    thumb.focus()
    thumb.press("PageUp")  # one page step (10 % of the range); an arrow step (0.1) can round to the same card
    expect(thumb).not_to_have_value(f"{value_before:g}")
    value = thumb.input_value()
    assert float(value) > value_before

    wait_changed(page, f"{CARD}[data-goal='doubling']", card_before)
    wait_changed(page, CHART, chart_before, prop="innerHTML")
    assert doubling.inner_text() != card_before
    assert page.locator(CHART).first.inner_html() != chart_before
    expect(page).to_have_url(re.compile(rf"[?&]investment={re.escape(value)}(&|$)"), timeout=TIMEOUT)
    wait_changed(page, "[data-testid='preset-status']", status_before)

    thumb.press("ArrowLeft")  # a single arrow step moves the value by the slider's step
    expect(thumb).not_to_have_value(value)
    assert float(thumb.input_value()) == pytest.approx(float(value) - 0.1)
    expect(page).to_have_url(re.compile(rf"[?&]investment={re.escape(thumb.input_value())}(&|$)"), timeout=TIMEOUT)


def test_bold_preset_meets_the_structure_goal_and_trend_does_not(server, new_context):
    page = open_app(new_context, server)
    structure = card(page, "advanced_share_2035")  # bold's central path reaches 66 % high-tech, the trend 60 %
    expect(structure).to_have_attribute("data-met", "false")  # the default (trend) scenario

    click_button(page, "preset_bold")
    expect(structure).to_have_attribute("data-met", "true", timeout=TIMEOUT)
    expect(card(page, "doubling")).to_have_attribute("data-met", "false")  # 770 of 800 亿元: not doubled
    expect(page.locator("[data-testid='preset-status']")).to_contain_text(PRESETS["bold"]["meta"]["name_zh"])
    expect(page).to_have_url(re.compile(r"[?&]preset=bold(&|$)"), timeout=TIMEOUT)
    assert slider_input(page, "investment").input_value() == f"{PRESETS['bold']['levers']['investment']:g}"

    click_button(page, "preset_trend")
    expect(structure).to_have_attribute("data-met", "false", timeout=TIMEOUT)
    expect(page.locator("[data-testid='preset-status']")).to_contain_text(PRESETS["trend"]["meta"]["name_zh"])


def test_url_with_bold_levers_opens_a_scenario_meeting_the_structure_goal(server, new_context):
    levers = PRESETS["bold"]["levers"]
    query = "&".join(f"{k}={levers[k]:g}" for k in ("investment", "tech_upgrade", "chain_extension", "sme_upgrades"))
    query += f"&growth={PRESETS['bold']['assumptions']['growth']:g}&projects=bold"
    page = open_app(new_context, server, f"?{query}")
    expect(card(page, "advanced_share_2035")).to_have_attribute("data-met", "true")
    assert slider_input(page, "investment").input_value() == f"{levers['investment']:g}"
    assert slider_input(page, "sme_upgrades").input_value() == f"{levers['sme_upgrades']:g}"


def test_switch_to_english(server, new_context):
    page = open_app(new_context, server)
    thumb = slider_input(page, "investment")
    thumb.press("PageUp")  # a changed lever must survive the language switch
    expect(page).to_have_url(re.compile(r"[?&]investment="), timeout=TIMEOUT)
    wait_idle(page)
    value = thumb.input_value()
    zh_cards = cards(page)

    page.get_by_role("radio", name="English").click()
    expect(page.locator("h1").first).to_have_text("Zhoucun Industrial Scenario Simulator", timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"[?&]lang=en(&|$)"), timeout=TIMEOUT)
    expect(page).to_have_title(REGION["title_en"])
    wait_ready(page)

    en_cards = cards(page)
    text = "\n".join(c[2] for c in en_cards)
    for goal in GOALS.values():
        assert goal["name_zh"] not in text, f"Chinese goal name {goal['name_zh']!r} left in the English cards"
        assert goal["name_en"] in text
    assert not CJK.findall(text), f"Chinese characters in the English cards: {sorted(set(CJK.findall(text)))}"
    assert [c[:2] for c in en_cards] == [c[:2] for c in zh_cards], "switching language changed which goals are met"
    assert slider_input(page, "investment").input_value() == value, "the lever moved when the language changed"
    assert f"investment={value}" in page.url


def test_shared_url_reproduces_the_cards(server, new_context):
    page = open_app(new_context, server)
    click_button(page, "preset_bold")
    expect(card(page, "advanced_share_2035")).to_have_attribute("data-met", "true", timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"[?&]projects=bold(&|$)"), timeout=TIMEOUT)

    # 技改 acts in the plan years only (2025–2027): a page step barely moves 2027 cards; investment does.
    thumb = slider_input(page, "investment")
    before = thumb.input_value()
    card_before = card(page, "stainless_cluster").inner_text()
    thumb.focus()
    thumb.press("PageDown")
    expect(thumb).not_to_have_value(before)
    value = thumb.input_value()
    wait_changed(page, f"{CARD}[data-goal='stainless_cluster']", card_before)
    expect(page).to_have_url(re.compile(rf"[?&]investment={re.escape(value)}(&|$)"), timeout=TIMEOUT)
    wait_idle(page)
    original, url, values = cards(page), page.url, slider_values(page)
    assert "preset=bold" in url

    shared = open_app(new_context, server, url)  # a new context: a new session, as on another computer
    assert cards(shared) == original
    assert slider_values(shared) == values
    expect(shared.locator("[data-testid='preset-status']")).to_have_text(
        page.locator("[data-testid='preset-status']").inner_text())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshots(server, new_context, lang):
    """zh/en at 1366×768 and 1920×1080, plus one view tall enough for every chart, for people to look at."""
    out = artifacts_dir("screenshots")
    page = open_app(new_context, server, "?lang=en" if lang == "en" else "")
    for width, height in ((1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
        path = out / f"{lang}_{width}x{height}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 20_000

    # Streamlit scrolls inside its own container, so full_page=True would not show the charts:
    # make the viewport as tall as the page content instead.
    page.goto(f"{server.url}/?all_charts=true" + ("&lang=en" if lang == "en" else ""))
    wait_ready(page, charts=9)
    page.set_viewport_size({"width": 1366, "height": 2600})
    settle(page)
    needed = page.evaluate("document.querySelector('[data-testid=stMainBlockContainer]').scrollHeight")
    height = max(2600, int(needed) + 60)
    if height != 2600:
        page.set_viewport_size({"width": 1366, "height": height})
        settle(page)
    path = out / f"{lang}_full_1366x{height}.png"
    page.screenshot(path=str(path))
    shown = page.locator(f"{CHART}:visible")
    boxes = [shown.nth(i).bounding_box() for i in range(shown.count())]
    assert len(boxes) >= 9 and all(b and b["y"] + b["height"] <= height for b in boxes), \
        "the full-height screenshot does not show every chart"
    if lang == "en":
        expect(page.locator("h1").first).to_have_text("Zhoucun Industrial Scenario Simulator")


def test_slider_move_changes_a_chance_and_the_fan_chart(server, new_context):
    """The live ensemble: moving trend growth changes a goal card's chance and the fan chart."""
    page = open_app(new_context, server)
    chances = lambda: page.eval_on_selector_all(  # noqa: E731
        ".zc-prob", "els => els.map(e => e.closest('.zc-card').dataset.goal + '=' + e.dataset.probability)")
    before = chances()
    assert len(before) == 4
    fan_before = page.locator(CHART).first.inner_html()  # the total-output fan chart (left panel)
    thumb = slider_input(page, "growth")
    thumb.focus()
    thumb.press("PageUp")
    wait_changed(page, ".zc-prob", page.locator(".zc-prob").first.inner_text() + "\u0000")  # wait for idle
    page.wait_for_function("""([before]) => {
        const now = Array.from(document.querySelectorAll('.zc-prob'))
            .map(e => e.closest('.zc-card').dataset.goal + '=' + e.dataset.probability);
        return now.length === 4 && now.join() !== before.join();
    }""", arg=[before], timeout=TIMEOUT)
    wait_changed(page, CHART, fan_before, prop="innerHTML")
    after = chances()
    assert after != before
    assert "%" in page.locator(".zc-prob").first.inner_text()


def test_official_upload_changes_the_cards_and_the_workbook_downloads(server, new_context, tmp_path):
    """A planner's path: fill in the template, upload it, see the cards change, take the workbook away."""
    import io
    import zipfile

    from model import load_baseline
    from model.io.official import template_frame

    base = load_baseline()
    frame = template_frame(base, "zh")
    out_col = next(c for c in frame.columns if "产值" in str(c))
    frame.loc[frame[frame.columns[0]] == "equipment", out_col] = 90.0
    path = tmp_path / "official.csv"
    path.write_bytes(frame.to_csv(index=False).encode("gbk"))

    page = open_app(new_context, server)
    before = card(page, "advanced_share_2035").get_attribute("data-value")
    page.get_by_role("tab", name="模型与数据").click()
    page.locator(".st-key-official_upload_0 input[type=file]").set_input_files(str(path))
    expect(page.get_by_text("已导入", exact=False).first).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("tab", name="情景模拟").click()
    expect(card(page, "advanced_share_2035")).not_to_have_attribute("data-value", before, timeout=TIMEOUT)
    assert float(card(page, "advanced_share_2035").get_attribute("data-value")) > float(before)

    page.get_by_text("保存 / 载入情景").click()
    with page.expect_download(timeout=TIMEOUT) as info:
        page.locator(".st-key-download_xlsx button:visible").click()
    raw = (tmp_path / "book.xlsx")
    info.value.save_as(raw)
    names = zipfile.ZipFile(io.BytesIO(raw.read_bytes())).namelist()
    assert any(n.startswith("xl/charts/chart") for n in names) and "xl/workbook.xml" in names


def test_chart_png_export_with_chinese_labels(server, new_context, tmp_path):
    """The charts' own PNG export (toolbar) renders with the page's CJK font (see the saved artifact)."""
    page = open_app(new_context, server)
    chart = page.locator(CHART).first
    chart.hover()
    with page.expect_download(timeout=TIMEOUT) as info:
        page.locator("[data-testid='stElementToolbar'] button[aria-label='Download as PNG']:visible").first.click()
    out = artifacts_dir("screenshots") / "chart_export_zh.png"
    info.value.save_as(out)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
