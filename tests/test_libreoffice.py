"""Issue 9, findings 12–15: the workbooks and the import template open in LibreOffice Calc and print
on a few pages (``soffice --headless --convert-to pdf``, page count by ``pdfinfo``).

The pages themselves were rendered with ``pdftoppm`` and looked at (zh and en); this test keeps the
conversion working and the page count small (the zh workbook printed on 39 A4 pages before, every
chart split over two). Skipped locally without LibreOffice; failing in CI (``CI=true``), where
``.ci/run`` installs libreoffice-calc-nogui and poppler-utils.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from model import parse_scenario
from model.io.export import workbook_bytes
from model.io.official import template_xlsx

TOOLS = ("soffice", "pdfinfo", "pdftotext")


@pytest.fixture(scope="module")
def tools():
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        reason = f"{', '.join(missing)} not installed (apt-get install libreoffice-calc-nogui poppler-utils)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"LibreOffice tests must run in CI, but {reason}", pytrace=False)
        pytest.skip(reason)


def _pdf_pages(xlsx: bytes, tmp_path: Path, name: str) -> list[str]:
    """The text of each page of the workbook printed to PDF by LibreOffice (``pdftotext``)."""
    src = tmp_path / f"{name}.xlsx"
    src.write_bytes(xlsx)
    # A private profile: parallel runs (and a user's own LibreOffice) do not share a lock.
    profile = f"file:///tmp/lo_profile_{uuid.uuid4().hex}"
    try:
        r = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                            "--outdir", str(tmp_path), str(src)], capture_output=True, text=True, timeout=240)
    finally:
        shutil.rmtree(profile.removeprefix("file://"), ignore_errors=True)
    pdf = tmp_path / f"{name}.pdf"
    assert r.returncode == 0 and pdf.is_file(), r.stdout + r.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60).stdout
    n = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return [subprocess.run(["pdftotext", "-f", str(k), "-l", str(k), str(pdf), "-"], capture_output=True, text=True,
                           timeout=60).stdout for k in range(1, n + 1)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_workbook_converts_and_prints_on_few_pages(base, tools, tmp_path, lang):
    """Issue 18: the summary is page 1 (the handout), the charts follow it, and the yearly long table
    prints only its note (it prints whole on request): summary 1, charts 3, assumptions 2, sources 3
    (English 7: longer notes), the note 1. Before, the long table took pages 2–5 (zh 13, en 17 pages)."""
    from model.io.export import TEXTS

    t = TEXTS[lang]
    sc = parse_scenario(base.presets["three_year_action"], base)
    pages = _pdf_pages(workbook_bytes(base, [("三年行动" if lang == "zh" else "3-year action", sc)], lang=lang),
                       tmp_path, f"book_{lang}")
    assert 8 <= len(pages) <= (11 if lang == "zh" else 15), len(pages)
    assert t["title"].format(region=base.region[f"name_{lang}"]) in pages[0]  # page 1: the handout
    assert t["heading_goals"] in pages[0]
    assert t["chart_total"] in pages[1]  # then the charts
    assert t["yearly_print_note"][:20] in pages[-1].replace("\n", "")  # the long table's note, last
    header = t["col_output_real"].format(year=base.base_year)
    assert not any(header in p for p in pages), "the long yearly table was printed"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_converts_to_two_pages(base, tools, tmp_path, lang):
    assert len(_pdf_pages(template_xlsx(base, lang), tmp_path, f"template_{lang}")) == 2
