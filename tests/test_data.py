"""The data folder: provenance on every number, consistency checks, and loader errors."""

from __future__ import annotations

import shutil

import pytest

from model import DataError, load_baseline
from model.io.datafolder import DEFAULT_DATA_DIR, STATUSES


def test_every_figure_has_unit_source_and_status(base):
    assert len(base.figures) > 80
    for f in base.figures:
        assert f.unit and f.source in base.sources and f.status in STATUSES


def test_sector_levels_are_labelled_estimates(base):
    levels = [f for f in base.figures if f.parameter == "output_2024"]
    assert len(levels) == len(base.sectors) >= 9
    assert all(f.status == "estimate" for f in levels)
    assert any(f.parameter == "trend_growth" and f.status == "derived" for f in base.figures)
    assert {f.status for f in base.estimates()} == {"estimate"}


def test_required_sectors_and_groups(base):
    ids = set(base.sector_ids)
    assert {"stainless", "textiles", "furniture", "kitchen", "equipment", "materials", "energy", "medical"} <= ids
    assert {s.group for s in base.sectors} == {"traditional", "emerging", "future"}
    for s in base.sectors:
        assert s.id.isascii() and s.name_zh and s.name_en


def test_cluster_split_adds_to_500_and_processing_is_the_sector(base):
    assert sum(base.cluster0.values()) == pytest.approx(500)
    assert base.cluster0["processing"] == base.output0[base.cluster_index]
    assert base.chain_base == pytest.approx(15.0)


def test_goals_and_sources(base):
    assert [g.id for g in base.goals] == ["doubling", "stainless_cluster", "advanced_share_2035", "steady_growth"]
    g = base.goal_by_id
    assert (g["doubling"].threshold, g["doubling"].target_year) == (2.0, 2027)
    assert (g["stainless_cluster"].threshold, g["stainless_cluster"].target_year) == (1000, 2027)
    assert (g["advanced_share_2035"].threshold, g["advanced_share_2035"].target_year) == (65, 2035)
    assert (g["steady_growth"].threshold, g["steady_growth"].start_year) == (5, 2025)
    for s in base.sources.values():
        assert s.title and s.publisher and s.accessed


def test_presets_present(base):
    assert {"trend", "three_year_action", "cautious", "bold"} <= set(base.presets)


# ----------------------------------------------------------------------------- broken copies

@pytest.fixture
def folder(tmp_path):
    dst = tmp_path / "region"
    shutil.copytree(DEFAULT_DATA_DIR, dst)
    return dst


def _replace(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _load_error(folder) -> DataError:
    with pytest.raises(DataError) as info:
        load_baseline(folder)
    return info.value


def test_copy_loads_like_the_original(folder, base):
    assert load_baseline(folder).sector_ids == base.sector_ids


def test_text_in_a_number_cell_names_file_row_and_column(folder):
    _replace(folder / "sector_parameters.csv", "textiles,va_rate,24,", "textiles,va_rate,abc,")
    e = _load_error(folder)
    rows = (folder / "sector_parameters.csv").read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(rows, start=1) if line.startswith("textiles,va_rate"))
    assert "sector_parameters.csv" in e.en and f"row {row}" in e.en and "'value'" in e.en and "'abc'" in e.en
    assert f"第 {row} 行" in e.zh


def test_missing_column(folder):
    _replace(folder / "sectors.csv", "id,name_zh,name_en,group", "id,name_zh,name_en,kind")
    assert "missing column(s) group" in _load_error(folder).en


def test_unknown_source_and_bad_status(folder):
    _replace(folder / "parameters.csv", "depreciation,12.5,%/yr,cit2007,estimate", "depreciation,12.5,%/yr,nobody,estimate")
    assert "'source'" in _load_error(folder).en
    _replace(folder / "parameters.csv", "nobody,estimate", "zhangjun2004,guess")
    assert "'status'" in _load_error(folder).en


def test_gbk_file_is_rejected_with_encoding_message(folder):
    path = folder / "sectors.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    e = _load_error(folder)
    assert "sectors.csv" in e.en and "UTF-8" in e.en and "UTF-8" in e.zh


def test_weighted_trend_must_match_published_growth(folder):
    _replace(folder / "sector_parameters.csv", "stainless,trend_growth,6,", "stainless,trend_growth,9,")
    assert "published growth is 7.2" in _load_error(folder).en


def test_missing_sector_parameter(folder):
    path = folder / "sector_parameters.csv"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("medical,sme_share")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "'medical' has no row for 'sme_share'" in _load_error(folder).en


def test_wrong_unit_and_out_of_range(folder):
    _replace(folder / "parameters.csv", "capital_elasticity,0.85,1,", "capital_elasticity,1.5,1,")
    assert "outside the allowed range" in _load_error(folder).en
    _replace(folder / "parameters.csv", "capital_elasticity,1.5,1,", "capital_elasticity,0.85,%,")
    assert "should be '1'" in _load_error(folder).en


def test_cluster_processing_must_match_sector(folder):
    _replace(folder / "cluster.csv", "processing,加工制造,Processing,120,", "processing,加工制造,Processing,130,")
    assert "must equal the 2024 output" in _load_error(folder).en


def test_malformed_region_json_and_missing_folder(folder, tmp_path):
    (folder / "region.json").write_text("{ not json", encoding="utf-8")
    assert "invalid JSON" in _load_error(folder).en
    assert "not found" in _load_error(tmp_path / "nowhere").en


def test_trend_below_minus_depreciation_is_rejected(folder):
    # Keep the weighted mean at 7.2: textiles −15 (was 3; below −12.5) and other +18·60/45 = +24 points.
    _replace(folder / "sector_parameters.csv", "textiles,trend_growth,3,", "textiles,trend_growth,-15,")
    _replace(folder / "sector_parameters.csv", "other,trend_growth,7,", "other,trend_growth,31,")
    assert "above −depreciation" in _load_error(folder).en


def test_whole_years_and_region_types(folder):
    _replace(folder / "goals.csv", "× 2024,2027,", "× 2024,2027.5,")
    assert "whole number" in _load_error(folder).en
    _replace(folder / "goals.csv", "× 2024,2027.5,", "× 2024,2027,")
    _replace(folder / "region.json", '"start": 2025', '"start": 2024')
    assert "plan needs whole years" in _load_error(folder).en
    _replace(folder / "region.json", '"start": 2024', '"start": 2025')
    _replace(folder / "region.json", '"advanced_groups": [\n    "emerging",\n    "future"\n  ]', '"advanced_groups": 5')
    assert "advanced_groups" in _load_error(folder).en


def test_nan_published_growth_is_rejected(folder):
    _replace(folder / "region.json", '"value": 7.2', '"value": NaN')
    assert "published_growth" in _load_error(folder).en


def test_high_tech_parts_reproduce_the_published_2020_share(base):
    """Finding 4: the model's history agrees with the published ~50 % 高新技术产业产值占比 of 2020."""
    value, year = base.published_high_tech
    assert (value, year) == (50.0, 2020)
    back = base.output0 / (1 + base.trend_pct / 100) ** 4   # 2020 output along each trend
    by_hand = 100 * back @ base.high_tech_share / back.sum()
    assert base.high_tech_share_in(2020) == pytest.approx(by_hand, rel=1e-12)
    assert abs(by_hand - 50.0) <= 1.0


def test_high_tech_calibration_is_checked(folder):
    _replace(folder / "sector_parameters.csv", "stainless,high_tech_share,50,", "stainless,high_tech_share,95,")
    assert "published share is 50 %" in _load_error(folder).en


def test_judgements_are_estimates_and_sources_are_honest(base):
    """Finding 7: judgements are marked estimate; nothing cites the article for a number it does not give."""
    by = {(f.table, f.key, f.parameter): f for f in base.figures}
    for name in ("sme_entry_revenue",):
        assert by[("parameters", "", name)].status == "estimate"
    for name in ("max_growth_short", "max_growth_long"):
        assert by[("plausibility", "", name)].status == "estimate"
    for f in base.figures:
        if f.parameter in ("tech_response", "downstream_share"):
            assert f.source != "jjdb2025", f
    assert set(base.uncertainty) >= {"level_2024", "sector_split", "capital_elasticity", "tech_scale",
                                     "project_size", "project_delay_common", "trade_growth"}
    assert (base.uncertainty["level_2024"].a, base.uncertainty["level_2024"].b) == (360.0, 440.0)
