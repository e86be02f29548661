"""Issue 18, "wrong or misleading on screen", in a real browser: downloads clicked right after a move
(item 2), the Chinese data CSV's cluster total (item 6), and English or jargon in the Chinese view (item 7).

Skipped locally without Chromium/Playwright; failing in CI (see ``test_browser.py``).
"""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest

from testkit.browser import REPO, slider_input, wait_idle
from test_browser import GOALS, TIMEOUT, card, expect, open_app

pytestmark = pytest.mark.browser
#: Moves in the download test: each one a chance for the click to overtake the move's rerun.
MOVES = 12


def _download(page, key: str, tmp_path, name: str) -> bytes:
    """Click the download ``key`` (no wait before it) and return the file's bytes."""
    with page.expect_download(timeout=TIMEOUT) as info:
        page.locator(f".st-key-{key} button:visible").click()
    path = tmp_path / name
    info.value.save_as(path)
    return path.read_bytes()


def test_a_download_right_after_a_move_carries_the_moved_value(server, new_context, tmp_path):
    """Item 2: move a slider and click the JSON download at once, twelve times: every file holds the value
    the slider shows (on main the click often ran the previous run's builder: the previous value)."""
    page = open_app(new_context, server)
    thumb = slider_input(page, "investment")
    seen = []
    for i in range(MOVES):
        thumb.focus()
        thumb.press("ArrowRight")
        shown = float(thumb.input_value())
        doc = json.loads(_download(page, "download_scenario", tmp_path, f"scenario_{i}.json"))
        seen.append((shown, doc["levers"].get("investment")))
    assert all(got is not None and got == pytest.approx(want) for want, got in seen), seen
    assert len({want for want, _ in seen}) == MOVES  # every move moved

    # The data CSV clicked right after a move: the current settings' total output in the doubling
    # year is the card's value once the page has caught up.
    thumb.focus()
    thumb.press("ArrowRight")
    table = pd.read_csv(io.BytesIO(_download(page, "download_csv", tmp_path, "series.csv")))
    wait_idle(page)
    year = int(GOALS["doubling"]["target_year"])
    rows = table[(table["情景"] == "当前设置") & (table["指标"] == "产值（现价）") & (table["行业"] == "规上工业合计")
                 & (table["年份"] == year)]
    assert float(rows["数值"].iloc[0]) == pytest.approx(float(card(page, "doubling").get_attribute("data-value")), rel=1e-5)


def test_the_chinese_csv_names_the_cluster_total(server, new_context, tmp_path):
    """Item 6: the zh CSV labelled the cluster's total row 规上工业合计 (the industry's total)."""
    page = open_app(new_context, server)
    table = pd.read_csv(io.BytesIO(_download(page, "download_csv", tmp_path, "series.csv")))
    cluster = table[(table["情景"] == "当前设置") & (table["指标"] == "不锈钢产业集群")]
    assert "规上工业合计" not in set(cluster["行业"])
    total = cluster[cluster["行业"] == "不锈钢产业集群合计"].set_index("年份")["数值"]
    parts = cluster[cluster["行业"] != "不锈钢产业集群合计"].groupby("年份")["数值"].sum()
    assert len(total) == 12 and cluster["行业"].nunique() == 4
    assert total.to_numpy() == pytest.approx(parts.loc[total.index].to_numpy(), rel=1e-5)
    investment = table[(table["情景"] == "当前设置") & (table["指标"] == "工业投资")]
    assert "规上工业合计" not in set(investment["行业"])


# --------------------------------------------------------------------------- item 7: the zh view in Chinese

#: Visible text of the app: every text node that takes room on screen and is drawn (not an icon's
#: ligature, formula, code span or screen-reader text), plus the ``content`` of pseudo-elements.
_VISIBLE_TEXT = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    const out = [];
    const walker = document.createTreeWalker(app, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, el = node.parentElement, text = node.textContent.trim();
        if (!text || el.closest(".katex, code, [data-testid='stIconMaterial'], style, script")) continue;
        const cs = getComputedStyle(el), box = el.getBoundingClientRect();
        if (cs.visibility === 'hidden' || parseFloat(cs.fontSize) === 0 || box.width < 2 || box.height < 2) continue;
        out.push(text);
    }
    for (const el of app.querySelectorAll('*')) {
        for (const pseudo of ['::before', '::after']) {
            const c = getComputedStyle(el, pseudo).content;
            if (c && c.startsWith('"') && el.getClientRects().length) out.push(JSON.parse(c));
        }
    }
    return out;
}"""
#: English words of Streamlit or of the data files, and tooltip field names, that a Chinese page must not show.
ENGLISH = ("Upload", "per file", "value", "label", "estimate", "uncertainty", "official", "Press Enter", "Rerun",
           "Settings", "Print", "Deploy", "p5", "p25", "p75", "p95", "SALib")
#: Jargon shown only beside a plain word (in the same sentence).
JARGON = {"残差": "差", "收敛": "稳定", "引擎调用": "试算", "S1": "单独", "ST": "总影响", "Sobol": "影响"}
FLOAT_YEAR = re.compile(r"(?<![\d.])(19|20)\d\d\.0\b")
UNROUNDED = re.compile(r"\d\.\d{3,}")


def _problems(texts: list[str], where: str) -> list[str]:
    bad = []
    for text in texts:
        for word in ENGLISH:
            if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text):
                bad.append(f"{where}: English {word!r} in {text[:80]!r}")
        for word, plain in JARGON.items():
            if re.search(rf"(?<![A-Za-z]){word}(?![A-Za-z])", text) and plain not in text:
                bad.append(f"{where}: {word!r} without a plain word ({plain!r}) in {text[:80]!r}")
        if FLOAT_YEAR.search(text):
            bad.append(f"{where}: a year as a float in {text[:80]!r}")
        if str(REPO) in text:
            bad.append(f"{where}: the server's path in {text[:80]!r}")
    return bad


#: What the charts' tooltips say under a pointer (the script says how it sweeps).
_TOOLTIPS = """async () => {
    // The marks under a coarse grid and under a few dense lines across each chart (thin goal rules and
    // their labels), then one pointer move per (mark, 8-px column): what a pointer would show.
    const seen = new Set();
    const charts = Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart']"))
        .filter(c => c.getClientRects().length && c.clientWidth > 50);
    for (const chart of charts) {
        chart.scrollIntoView({block: 'center'});
        await new Promise(r => requestAnimationFrame(() => r()));
        const b = chart.getBoundingClientRect(), points = [];
        for (let x = 2; x < b.width - 2; x += 8) for (let y = 2; y < b.height - 2; y += 8) points.push([x, y]);
        for (const f of [0.2, 0.4, 0.6, 0.8]) {
            for (let y = 1; y < b.height - 1; y += 2) points.push([b.width * f, y]);
            for (let x = 1; x < b.width - 1; x += 2) points.push([x, b.height * f + 0.5]);
        }
        const moves = new Map();
        for (const [x, y] of points) {
            const target = document.elementFromPoint(b.left + x, b.top + y);
            if (!target || !chart.contains(target) || target.tagName === 'svg') continue;
            if (!moves.has(target)) moves.set(target, new Map());
            const cols = moves.get(target), col = Math.floor(x / 8);
            if (!cols.has(col)) cols.set(col, [b.left + x, b.top + y]);
        }
        for (const [target, cols] of moves) for (const [x, y] of cols.values()) {
            target.dispatchEvent(new PointerEvent('pointermove', {clientX: x, clientY: y, bubbles: true, view: window}));
            const tip = document.getElementById('vg-tooltip-element');
            if (tip && tip.classList.contains('visible') && tip.innerText.trim()) seen.add(tip.innerText);
        }
    }
    return Array.from(seen);
}"""


def _tooltips(page) -> list[str]:
    """The texts of vega-tooltip's box under a pointer swept over every visible chart."""
    return sorted(page.evaluate(_TOOLTIPS))


def _tooltip_problems(tips: list[str], where: str) -> list[str]:
    bad = _problems(tips, where)
    for tip in tips:
        for field in (line.strip() for line in tip.split("\n") if line.endswith("\t")):  # a row's title cell
            if re.fullmatch(r"[A-Za-z_0-9]+", field):
                bad.append(f"{where}: tooltip field {field!r} in {tip[:80]!r}")
        if UNROUNDED.search(tip):
            bad.append(f"{where}: an unrounded number in the tooltip {tip[:80]!r}")
    return bad


def test_the_chinese_view_speaks_chinese(server, new_context):
    """Item 7: every tab's visible text and the charts' tooltips in the zh view, scanned for English
    words (Streamlit's "Upload / 25MB per file", tooltip fields "value" / "label" / "p25", data-file
    words), jargon without a plain word (残差, 收敛, 引擎调用, S1, ST), years as floats and the server's path."""
    bad = []
    page = open_app(new_context, server, "?all_charts=true")
    if page.locator("[data-testid='stMainMenu']").count():
        bad.append("simulator: Streamlit's main menu (English only) is shown")
    bad += _problems(page.evaluate(_VISIBLE_TEXT), "simulator")
    tips = _tooltips(page)
    assert len(tips) > 20, tips  # the sweep met the charts' tooltips
    bad += _tooltip_problems(tips, "simulator charts")

    page.get_by_role("tab", name="决策工具").click()
    expect(page.locator("[data-testid='narrative']")).to_be_visible(timeout=120_000)
    wait_idle(page, 120_000)
    if page.locator("[data-testid='narrative'] li").count() != 4 or page.locator("[data-testid='narrative'] p").count() < 3:
        bad.append("decision tools: the briefing is not in paragraphs with one line per goal")
    page.locator(".st-key-seek_run button:visible").click()
    expect(page.get_by_text(re.compile("收敛"))).to_be_visible(timeout=120_000)  # the result names convergence
    wait_idle(page, 120_000)
    bad += _problems(page.evaluate(_VISIBLE_TEXT), "decision tools")
    bad += _tooltip_problems(_tooltips(page), "decision tools charts")

    page.get_by_role("tab", name="情景比较").click()
    wait_idle(page, 60_000)
    bad += _problems(page.evaluate(_VISIBLE_TEXT), "compare")

    page.get_by_role("tab", name="模型与数据").click()
    expect(page.locator("[data-testid='stFileUploaderDropzone']:visible")).to_have_count(1, timeout=60_000)
    wait_idle(page, 60_000)
    texts = page.evaluate(_VISIBLE_TEXT)
    bad += _problems(texts, "model & data")
    if not any("MB" in x and "每个文件" in x for x in texts):
        bad.append("model & data: the uploader's size limit is not said in Chinese")
    assert not bad, "\n".join(bad)
