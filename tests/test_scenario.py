"""Scenario documents: defaults, neutral levers, presets, and clear bilingual errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from model import ScenarioError, parse_scenario, parse_scenario_bytes, scenario_params
from model.schema.scenario import Scenario, neutral_values, with_params


def test_empty_document_is_the_trend_scenario(base):
    sc = parse_scenario({}, base)
    assert sc == Scenario() and sc.to_doc() == {}
    x = scenario_params(sc, base)
    w = base.investment0 / base.investment0.sum()
    assert x[0] == 7.2 and x[4] == pytest.approx(w @ base.trend_pct)  # investment: its steady-state growth


def test_neutral_investment_follows_chosen_growth(base):
    x = scenario_params(parse_scenario({"assumptions": {"growth": 10}}, base), base)
    assert x[4] == pytest.approx(neutral_values(base)["investment"] + 2.8)
    assert neutral_values(base, 10)["investment"] == pytest.approx(x[4])


@pytest.mark.parametrize("name", ["trend", "three_year_action", "cautious", "bold"])
def test_presets_are_valid_and_say_they_are_assumptions(base, name):
    sc = parse_scenario(base.presets[name], base)
    assert sc.meta.status == "assumption"
    assert sc.meta.description_zh and sc.meta.description_en


def test_three_year_action_pulls_every_lever(base):
    sc = parse_scenario(base.presets["three_year_action"], base)
    lv = sc.levers
    assert lv.investment > 7.2 and lv.tech_upgrade > 40 and lv.chain_extension > 15 and lv.sme_upgrades > 0
    assert any("大亚" in p.name for p in lv.projects)


def test_round_trip_through_json(base):
    doc = base.presets["bold"]
    sc = parse_scenario(json.loads(json.dumps(parse_scenario(doc, base).to_doc())), base)
    assert sc == parse_scenario(doc, base)


def _error(base, doc) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(doc, base)
    return info.value


@pytest.mark.parametrize("doc, field, value, rng_en, rng_zh", [
    ({"levers": {"investment": 99}}, "levers.investment", "99", "-10 to 40 %/yr", "-10 至 40%/年"),
    ({"assumptions": {"growth": -50}}, "assumptions.growth", "-50", "-10 to 30 %/yr", "-10 至 30%/年"),
    ({"levers": {"sme_upgrades": 1000}}, "levers.sme_upgrades", "1000", "0 to 300 firms/yr", "0 至 300家/年"),
    ({"sectors": {"stainless": {"growth": 90}}}, "sectors.stainless.growth", "90", "-20 to 40 %/yr", "-20 至 40%/年"),
    ({"levers": {"chain_extension": 5}}, "levers.chain_extension", "5", "15.0 to 80 %", "15.0 至 80%"),
])
def test_out_of_range_names_field_value_and_range_in_both_languages(base, doc, field, value, rng_en, rng_zh):
    e = _error(base, doc)
    for text, rng in ((e.en, rng_en), (e.zh, rng_zh)):
        assert field in text and value in text and rng in text
    assert "情景无效" in e.zh and "Invalid scenario" in e.en


def test_unknown_field(base):
    e = _error(base, {"levers": {"invest": 3}})
    assert "levers.invest" in e.en and "unknown field" in e.en and "未知字段" in e.zh


@pytest.mark.parametrize("doc", [{"assumptions": {"growth": "fast"}}, {"assumptions": {"volatility": True}},
                                 {"levers": {"projects": {"name": "x"}}}, {"levers": "lots"}])
def test_wrong_type(base, doc):
    e = _error(base, doc)
    assert "must be" in e.en and "应为" in e.zh


@pytest.mark.parametrize("doc, needle", [
    ({"targets": {"doubling": {"year": 2050}}}, "2025 to 2035"),
    ({"targets": {"doubling": {"year": 2020}}}, "2025 to 2035"),
    ({"levers": {"projects": [{"name": "x", "sector": "medical", "start_year": 2040, "output": 1}]}}, "2025 to 2035"),
    ({"levers": {"projects": [{"name": "x", "sector": "medical", "start_year": 2026.5, "output": 1}]}}, "whole number"),
    ({"targets": {"doubling": {"threshold": 10}}}, "1.1 to 4"),
    ({"targets": {"nope": {"year": 2030}}}, "unknown goal"),
    ({"sectors": {"steel": {"growth": 3}}}, "unknown sector"),
    ({"levers": {"projects": [{"name": "x", "sector": "steel", "start_year": 2026, "output": 1}]}}, "not a sector"),
])
def test_bad_years_goals_and_sectors(base, doc, needle):
    assert needle in _error(base, doc).en


def test_several_problems_are_counted_in_one_error(base):
    e = _error(base, {"levers": {"investment": 99, "tech_upgrade": -1}})
    assert "1 more problem" in e.en and "另有 1 处问题" in e.zh


@pytest.mark.parametrize("raw, needle", [(b"{", "invalid JSON"), (b"[1, 2]", "JSON object"),
                                          ("{}".encode("utf-16"), "UTF-8")])
def test_bad_upload_bytes(raw, needle):
    with pytest.raises(ScenarioError) as info:
        parse_scenario_bytes(raw)
    assert needle in info.value.en


def test_utf8_bom_upload_is_accepted(base):
    raw = "\ufeff".encode() + json.dumps({"meta": {"name": "周村"}}, ensure_ascii=False).encode()
    assert parse_scenario(parse_scenario_bytes(raw), base).meta.name == "周村"


def test_with_params_replaces_and_restores(base):
    sc = parse_scenario(base.presets["three_year_action"], base)
    changed = with_params(sc, investment=20.0, growth=8.0)
    assert changed.levers.investment == 20 and changed.assumptions.growth == 8
    assert changed.levers.projects == sc.levers.projects
    assert with_params(changed, investment=None).levers.investment is None
    np.testing.assert_array_equal(scenario_params(with_params(sc), base), scenario_params(sc, base))
