"""The lever registry (model/core/specs.py) is the one list of levers: every other list derives from it.

Adding a lever is one ``ParamSpec`` entry, its equation in the engine, its texts and its tests; these
tests fail when a module spells out its own list of levers again, when a lever lacks a text, or when
the schema, the neutral values or the results' build-up disagree with the registry.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model import (ASSUMPTION_KEYS, BUILDUP_LEVERS, COMPONENTS, LEVER_KEYS, MIX_LEVERS, PARAM_SPECS, ROOM_LEVERS,
                   SCALAR_PARAMS, SEEKABLE, SPEC_BY_NAME, ScenarioError, lever_bounds, neutral_values, parse_scenario,
                   parse_stored, scenario_results)
from model.schema.scenario import Assumptions, Levers

ROOT = Path(__file__).resolve().parent.parent
#: Code that must derive its lever lists from the registry (tests may spell out values).
SOURCES = [p for d in ("model", "ui", "workshop", "bench") for p in (ROOT / d).rglob("*.py")] + [ROOT / "app.py"]
#: The data's parameter tables (parameters.csv) name ``volatility`` and ``correlation`` too: there they are
#: the data's neutral values of those assumptions, not a list of levers.
DATA_TABLES = {ROOT / "model/core/baseline.py", ROOT / "model/io/datafolder.py"}


def _hand_written_lists(path: Path) -> list[str]:
    """Literal tuples, lists, sets and dicts that name two or more scalar parameters: hand-made copies."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        items = node.keys if isinstance(node, ast.Dict) else node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else []
        names = [i.value for i in items if isinstance(i, ast.Constant) and i.value in SPEC_BY_NAME]
        if len(names) >= 2:
            where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
            found.append(f"{where}:{node.lineno} {names}")
    return found


def test_no_module_lists_the_levers_by_hand():
    found = [hit for path in SOURCES if path not in DATA_TABLES for hit in _hand_written_lists(path)]
    assert not found, "lever lists written out instead of derived from model.core.specs:\n" + "\n".join(found)


def test_the_check_finds_a_hand_written_list(tmp_path):
    """The scan above can fail: app.py's old lever tuple and ui/panels.py's old format table are found."""
    bad = tmp_path / "bad.py"
    bad.write_text('LEVERS = ("investment", "tech_upgrade", "chain_extension")\n'
                   'FORMATS = {"growth": "%.1f", "correlation": "%.2f"}\nONE = ("investment", "x")\n')
    assert [hit.split()[0] for hit in _hand_written_lists(bad)] == ["bad.py:1", "bad.py:2"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_parameter_has_its_texts(lang):
    texts = json.loads((ROOT / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    missing = [k for s in PARAM_SPECS for k in s.i18n_keys if not texts.get(k)]
    assert not missing


def test_the_schema_and_the_neutral_values_are_the_registry(base):
    assert tuple(Assumptions.model_fields) == ASSUMPTION_KEYS
    assert tuple(Levers.model_fields) == LEVER_KEYS + ("projects",)
    assert ASSUMPTION_KEYS + LEVER_KEYS == SCALAR_PARAMS
    for s in PARAM_SPECS:
        field = (Assumptions if s.section == "assumptions" else Levers).model_fields[s.name]
        assert field.default == s.default
        assert {type(m).__name__: m for m in field.metadata}["Ge"].ge == s.lo
        assert {type(m).__name__: m for m in field.metadata}["Le"].le == s.hi
    neutral = neutral_values(base)
    assert tuple(neutral) == SCALAR_PARAMS
    # The rules, by hand: the data's published growth, parameters and today's chain-extension share.
    assert neutral["growth"] == base.published_growth
    assert neutral["stainless_price"] == base.params["price_base"]
    assert neutral["tech_upgrade"] == base.params["tech_base_share"]
    assert neutral["chain_extension"] == base.chain_base
    assert neutral["sme_upgrades"] == neutral["trade_expansion"] == 0.0
    # The sections built from the registry are ordinary importable classes (pickled like any scenario).
    sc = parse_scenario({"assumptions": {"growth": 8.0}, "levers": {"investment": 12.0}}, base)
    assert pickle.loads(pickle.dumps(sc)) == sc
    # Leaving a parameter out is the same as giving its neutral value.
    sc = parse_scenario({"levers": {k: neutral[k] for k in LEVER_KEYS if k != "chain_extension"}}, base)
    assert np.array_equal(scenario_results(base, sc).output, scenario_results(base, parse_scenario({}, base)).output)


def test_each_derived_list_keeps_the_registry_order_and_flags():
    assert SEEKABLE == tuple(n for n in LEVER_KEYS if SPEC_BY_NAME[n].seekable) + tuple(
        n for n in ASSUMPTION_KEYS if SPEC_BY_NAME[n].seekable)
    assert [SPEC_BY_NAME[n].mix_rank for n in MIX_LEVERS] == sorted(s.mix_rank for s in PARAM_SPECS if s.mix_rank)
    assert COMPONENTS == ("trend", *BUILDUP_LEVERS, "projects")
    assert set(ROOM_LEVERS) <= set(LEVER_KEYS)
    for s in PARAM_SPECS:  # the slider's format shows its step
        assert float(s.fmt % s.step) == pytest.approx(s.step)


def test_the_workshop_cli_offers_the_registry_room_levers():
    """``python -m workshop create`` opens the registry's room levers when ``--levers`` is left out."""
    from workshop.cli import _parser
    create = _parser()._subparsers._group_actions[0].choices["create"]
    assert {a.dest: a.default for a in create._actions}["levers"] == ",".join(ROOM_LEVERS)


# --------------------------------------------------------------------------- stored scenarios

def test_a_stored_chain_extension_below_todays_share_is_lifted_to_it(base):
    floor = lever_bounds(base)["chain_extension"][0]
    doc = {"levers": {"chain_extension": floor - 5.0, "investment": 12.0}}
    with pytest.raises(ScenarioError, match="chain_extension"):
        parse_scenario(doc, base)
    sc = parse_stored(doc, base)
    assert sc.levers.chain_extension == floor and sc.levers.investment == 12.0
    assert doc["levers"]["chain_extension"] == floor - 5.0  # the stored document is left as it was
    above = parse_stored({"levers": {"chain_extension": floor + 5.0}}, base)
    assert above.levers.chain_extension == floor + 5.0
    for bad in ([1, 2], "x", None):
        with pytest.raises(ScenarioError, match="JSON object"):
            parse_stored(bad, base)


# --------------------------------------------------------------------------- results

@pytest.fixture(scope="module")
def results(base):
    doc = json.loads((ROOT / "data/zhoucun/presets/bold.json").read_text(encoding="utf-8"))
    doc["levers"]["trade_expansion"] = 6.0  # outside the build-up: it must not move industrial output
    return scenario_results(base, parse_scenario(doc, base))


def test_the_build_up_adds_up_to_the_scenarios_gain(results):
    """Trend plus each lever plus projects is the scenario's gain over 2024, in every year."""
    gain = results.total - results.total[0]
    np.testing.assert_allclose(results.contributions.sum(axis=0), gain, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(results.gains.sum(axis=1), gain, rtol=1e-12, atol=1e-9)
    assert results.contributions.shape == (len(COMPONENTS), results.years.size)


def test_the_central_level_is_the_scenario_itself(results, base):
    """The middle plausible 2024 level is the data's total, so its verdicts are the scenario's."""
    assert results.levels[1] == pytest.approx(float(base.output0.sum()), rel=1e-12)
    np.testing.assert_array_equal(results.level_goals.met[1], results.goals.met[0])
    np.testing.assert_allclose(results.level_goals.value[1], results.goals.value[0], rtol=1e-12)


def test_results_are_a_frozen_record(results):
    with pytest.raises(dataclasses.FrozenInstanceError):
        results.flags = ()  # type: ignore[misc]


def test_the_cli_gains_are_the_results_gains(tmp_path, base):
    """``python -m model gains`` prints what ``scenario_results`` holds (the page's numbers)."""
    path = tmp_path / "bold.json"
    path.write_text((ROOT / "data/zhoucun/presets/bold.json").read_text(encoding="utf-8"), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "model", "gains", str(path), "--format", "json"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    res = scenario_results(base, parse_scenario(json.loads(path.read_text(encoding="utf-8")), base))
    for row in json.loads(r.stdout):
        v, p, c = res.gain_parts(row["year"])
        assert (row["volume"], row["price"], row["reclassification"]) == pytest.approx((v, p, c), rel=1e-9)
