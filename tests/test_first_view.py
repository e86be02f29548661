"""Issue 18 on the first view, through AppTest: what the cluster card says is published after an official
import (item 4, through the real upload on the model & data tab), and the data behind it."""

from __future__ import annotations

import html
import json
import re
import shutil

import pytest

from model import load_baseline
from model.io.datafolder import DEFAULT_DATA_DIR
from model.io.official import template_frame
from test_app import app, open_tab
from ui.i18n import Translator


def cluster_note(at) -> str:
    """The text of the cluster card's provenance note (inside its details)."""
    row = next(m.value for m in at.markdown if 'class="zc-cards"' in m.value)
    return html.unescape(re.search(r'<div class="zc-note zc-cluster-note">(.*?)</div>', row)[1])


def upload(at, frame, lang: str, name: str = "official.csv"):
    open_tab(at, "model", lang)
    up = next(u for u in at.file_uploader if str(u.key).startswith("official_upload_"))
    up.set_value((name, frame.to_csv(index=False).encode("utf-8"), "text/csv")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return open_tab(at, "sim", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_cluster_note_says_what_is_published_after_an_official_import(base, lang):
    """The issue's case: an import raises the cluster's parts to 526亿元 and the card called 526 published
    (the published total is 500). Now the published 500 and the model's sum are said apart, and each part
    carries its status: the processing part derived from the imported stainless output, the trade part
    official (imported), downstream still an estimate."""
    t = Translator(lang)
    published, year = base.published_cluster_total
    at = app(lang=lang)
    before = cluster_note(at)
    assert t("card.cluster_published", year=year, total=t.money(published)) in before  # 500 as published
    assert t("status.estimate") in before

    frame = template_frame(base, lang)
    first, out_col = frame.columns[0], frame.columns[2]
    frame.loc[frame[first] == "stainless", out_col] = 140.0  # processing 120 → 140
    frame.loc[frame[first] == "cluster:trade", out_col] = 350.0  # trade 344 → 350, now an official figure
    note = cluster_note(upload(at, frame, lang))
    total = 140.0 + 350.0 + 36.0  # 526, the figure
    assert t("card.cluster_published_apart", year=year, published=t.money(published), total=t.money(total)) in note
    assert t("card.cluster_published", year=year, total=t.money(total)) not in note  # 526 is not called published
    parts = {p: t("card.cluster_part_status", part=t(f"part.{p}"), status=t(f"status.{s}"))
             for p, s in (("processing", "derived"), ("trade", "official"), ("downstream", "estimate"))}
    assert all(text in note for text in parts.values()), (parts, note)


def test_the_published_cluster_total_is_data_with_provenance_and_checked(tmp_path):
    """The 500 the card calls published lives in region.json with unit, source and status, and the data
    folder is refused when the parts in cluster.csv do not add up to it."""
    region = json.loads((DEFAULT_DATA_DIR / "region.json").read_text(encoding="utf-8"))
    entry = region["published_cluster_total"]
    assert {"value", "year", "unit", "source", "status"} <= set(entry) and entry["unit"] == "100m yuan"
    sources = (DEFAULT_DATA_DIR / "sources.csv").read_text(encoding="utf-8")
    assert entry["source"] in sources
    folder = tmp_path / "region"
    shutil.copytree(DEFAULT_DATA_DIR, folder)
    region["published_cluster_total"]["value"] = 510.0
    (folder / "region.json").write_text(json.dumps(region, ensure_ascii=False), encoding="utf-8")
    from model import DataError
    with pytest.raises(DataError, match="published total 510"):
        load_baseline(folder)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workbook_says_what_of_the_cluster_is_published_after_an_import(base, lang):
    """The workbook's note under the yearly table follows the same rule as the card: 500 published while
    the parts add up to it; after an import that raised them to 526, the two apart."""
    import io

    import openpyxl

    from model import parse_scenario
    from model.io.export import TEXTS, workbook_bytes
    from model.io.official import add_upload

    t = TEXTS[lang]
    sc = parse_scenario({}, base)

    def note(b) -> str:
        ws = openpyxl.load_workbook(io.BytesIO(workbook_bytes(b, [("x", sc)], lang=lang)))[t["sheet_yearly"]]
        return next(str(c.value) for row in ws.iter_rows() for c in row if str(c.value or "").startswith(t["yearly_note"][:20]))

    assert t["cluster_published"].format(year=2024, total="500") in note(base)
    frame = template_frame(base, lang)
    first, out_col = frame.columns[0], frame.columns[2]
    frame.loc[frame[first] == "stainless", out_col] = 140.0
    frame.loc[frame[first] == "cluster:trade", out_col] = 350.0
    from model.io.official import apply_official
    data, _ = add_upload(base, frame.to_csv(index=False).encode("utf-8"), "official.csv", "")
    imported = apply_official(base, data)
    assert sum(imported.cluster0.values()) == pytest.approx(526.0)
    text = note(imported)
    assert t["cluster_published_apart"].format(year=2024, published="500", total="526") in text
    assert t["cluster_published"].format(year=2024, total="526") not in text
