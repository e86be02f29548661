"""Issue 20 in a real browser: move a lever, download the report (Word and PDF) from the page, and find
the moved value and the cards' chance in it.

Skipped locally without Chromium/Playwright; failing in CI (see ``test_browser.py``).
"""

from __future__ import annotations

import re
import subprocess

import pytest
from docx import Document

from testkit.browser import slider_input
from test_browser import card, open_app
from test_browser_hardening import _move

pytestmark = pytest.mark.browser
#: A report is built when its button is clicked (ensemble at hand, briefing, charts, LibreOffice):
#: seconds on an idle machine, much longer on a loaded one.
DOWNLOAD_TIMEOUT = 240_000


def _download(page, key: str, path, at_once: bool = False) -> bytes:
    """Click download ``key``; ``at_once``: without waiting for the button to be stable and enabled."""
    with page.expect_download(timeout=DOWNLOAD_TIMEOUT) as info:
        button = page.locator(f".st-key-{key} button:visible")
        button.dispatch_event("click") if at_once else button.click()
    info.value.save_as(path)
    return path.read_bytes()


def test_the_report_downloaded_from_the_page_carries_the_moved_lever(server, new_context, tmp_path):
    page = open_app(new_context, server)
    investment = _move(page, "investment")
    chance = float(card(page, "doubling").locator(".zc-prob").get_attribute("data-probability"))
    page.get_by_text("保存 / 载入情景").click()

    docx = tmp_path / "report.docx"
    _download(page, "download_report_docx", docx)
    doc = Document(docx)
    settings = {t.rows[0].cells[0].text: t for t in doc.tables}["设置"]
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in settings.rows}
    assert rows["工业投资增速"][0] == f"{float(investment):.1f}", rows
    goals = next(t for t in doc.tables if t.rows[0].cells[0].text == "目标")  # the goals, then the 2024 levels
    doubling = [c.text for c in goals.rows[1].cells]
    assert doubling[0] == "工业倍增" and doubling[-1] == f"{100 * chance:.0f}%", doubling

    # The PDF clicked at once after a further move: it carries the moved value (the button the click
    # reaches may still be the previous run's; the file is built from the latest run's settings).
    thumb = slider_input(page, "investment")
    thumb.focus()
    thumb.press("ArrowRight")
    moved = thumb.input_value()
    assert float(moved) == pytest.approx(float(investment) + 0.1)
    pdf = tmp_path / "report.pdf"
    _download(page, "download_report_pdf", pdf, at_once=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("工业投资增速"))  # the settings row
    assert re.search(rf"\b{re.escape(f'{float(moved):.1f}')}\b", line), line
