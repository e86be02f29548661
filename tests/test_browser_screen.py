"""Issue 18, "wrong or misleading on screen", in a real browser: downloads clicked right after a move
(item 2), the Chinese data CSV's cluster total (item 6), and English or jargon in the Chinese view (item 7).

Skipped locally without Chromium/Playwright; failing in CI (see ``test_browser.py``).
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from testkit.browser import slider_input, wait_idle
from test_browser import GOALS, TIMEOUT, card, open_app

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
