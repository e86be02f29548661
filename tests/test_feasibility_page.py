"""Feasibility everywhere the goals are (issue 19, item 4), on the simulator tab: the row of three cards
under the goal cards and the two charts of the chooser. Through AppTest, against the command line
(`python -m model constraints`), which a planner would use for the same numbers."""

from __future__ import annotations

import dataclasses
import html as html_lib
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from model import CONSTRAINTS
from test_app import app
from ui.feasibility import feasibility_cards
from ui.i18n import Translator

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ROOT / "data" / "zhoucun" / "presets"
CJK = re.compile(r"[\u3400-\u9fff]")


def preset_query(base, name: str, lang: str) -> dict:
    levers = base.presets[name]["levers"]
    query = {k: str(v) for k, v in levers.items() if k != "projects"}
    if levers.get("projects"):
        query["projects"] = name
    return {"lang": lang, "preset": name, **query}


def feasibility_row(at) -> str:
    return next(m.value for m in at.markdown if 'class="zc-feas-cards"' in m.value)


def card_of(row: str, name: str) -> str:
    start = row.rfind('<div class="zc-feas ', 0, row.index(f'data-feasibility="{name}"'))
    end = row.find('<div class="zc-feas ', start + 1)
    return row[start:end if end > 0 else None]


def line_of(row: str, cid: str) -> str:
    return re.search(rf'<div class="zc-feas-line" data-constraint="{cid}"[^>]*>[^<]*</div>', row).group(0)


def attr(fragment: str, name: str) -> str:
    return re.search(rf'{name}="([^"]*)"', fragment).group(1)


def visible(fragment: str) -> str:
    """What a person reads: the HTML without its style block and tags, entities decoded."""
    fragment = re.sub(r"<style>.*?</style>", "", fragment, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment))


def payback_year(years, cumulative) -> int | None:
    """The first year the cumulative balance is at or above zero, after being below, and stays there."""
    years, cumulative = list(years), list(cumulative)
    first_below = next((i for i, c in enumerate(cumulative) if c < 0), None)
    if first_below is None:
        return None
    for i in range(first_below + 1, len(cumulative)):
        if all(c >= 0 for c in cumulative[i:]):
            return int(years[i])
    return None


def cli_constraints(preset: str) -> dict[str, dict]:
    out = subprocess.run([sys.executable, "-m", "model", "constraints", str(PRESETS / f"{preset}.json"),
                          "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    return {r["id"]: r for r in json.loads(out.stdout)}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_row_shows_the_command_lines_constraints_with_their_chances(base, lang):
    t = Translator(lang)
    at = app(**preset_query(base, "three_year_action", lang))
    row = feasibility_row(at)
    cli = cli_constraints("three_year_action")
    for cid, r in cli.items():
        if cid not in CONSTRAINTS:  # the CLI's payback and extra-energy rows are on the cards' faces
            continue
        line = line_of(row, cid)
        assert float(attr(line, "data-value")) == pytest.approx(r["value"], rel=1e-5)
        assert int(attr(line, "data-year")) == r["year"]
        if r["limit"] is None or not math.isfinite(r["limit"]):  # no sourced limit: no verdict, no chance
            assert attr(line, "data-within") == "none" and attr(line, "data-probability") == ""
            assert t("feas.no_limit_short") in visible(line)
            continue
        assert float(attr(line, "data-probability")) == pytest.approx(r["probability"], abs=1e-4)
        assert float(attr(line, "data-limit")) == pytest.approx(r["limit"], rel=1e-5)
        assert attr(line, "data-within") == str(r["within"]).lower()
        if not r["within"]:  # over: the line says from which year (the CLI's year is the binding one)
            assert t("feas.over", year=r["year"]) in visible(line)
    # Each card is coloured by its chance as the goal cards are (≥ 80 % green, 50–80 % amber, below red),
    # the chance of its first constraint with a sourced limit.
    for name, cids in (("fiscal", ["fiscal_balance"]), ("energy", ["energy_use", "energy_intensity"]),
                       ("land", ["land"])):
        cid = next(c for c in cids if cli[c]["limit"] is not None and math.isfinite(cli[c]["limit"]))
        p = cli[cid]["probability"]
        want = "likely" if p >= 0.8 else "even" if p >= 0.5 else "unlikely"
        card = card_of(row, name)
        assert attr(card, "data-verdict") == want
        assert f'class="zc-feas zc-feas-{want}"' in card
        assert t("feas.chance", p=t.pct(100 * p, 0)) in visible(card)
    # The three-year action spends more than its added tax at first and pays back later: the card
    # names the year the cumulative balance of the fiscal chart (the same page) is back at zero to stay.
    fiscal = card_of(row, "fiscal")
    lines = _frames(app(**preset_query(base, "three_year_action", lang), chart_left="fiscal").get("vega_lite_chart")[0])
    payback = payback_year(lines["lines"]["year"], lines["lines"]["value"])
    assert attr(fiscal, "data-outlay") == "true" and attr(fiscal, "data-payback") == str(payback)
    assert t("feas.payback.year", year=payback) in visible(fiscal)
    assert cli["payback"]["value"] == payback            # the CLI's central payback year, the same
    if lang == "en":
        assert not CJK.search(visible(row)), CJK.findall(visible(row))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_plan_that_never_pays_back_says_so(base, lang):
    """小升规 rewards alone: the district pays 0.001亿元 a firm (data/zhoucun/feasibility.csv) and gets no
    added tax (the reclassified firms' value added was already there), so the outlay is never paid back."""
    t = Translator(lang)
    at = app(lang=lang, sme_upgrades="60")
    fiscal = card_of(feasibility_row(at), "fiscal")
    assert attr(fiscal, "data-outlay") == "true" and attr(fiscal, "data-payback") == "nan"
    text = visible(fiscal)
    assert t("feas.payback.never", end=base.end_year) in text
    assert t("feas.payback.chance", end=base.end_year, p=t.pct(0, 0)) in text  # no run pays back either
    # 60 firms a year over the plan years at the data's reward each: the largest net outlay, by hand
    from model import CONSTRAINTS, load_feasibility

    outlay = 60 * load_feasibility(base).params["sme_reward"] * (base.plan_end - base.plan_start + 1)
    assert float(attr(line_of(feasibility_row(at), "fiscal_balance"), "data-value")) == pytest.approx(-outlay, rel=1e-9)


def _without_limit(s, cid: str):
    rows = tuple(dataclasses.replace(c, limit=math.nan, within=None, probability=None) if c.id == cid else c
                 for c in s.constraints)
    return dataclasses.replace(s, constraints=rows)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_constraint_without_a_sourced_limit_shows_its_figure_and_no_verdict(base, lang):
    """A region whose energy quota is not published: the figure, "no sourced limit", no colour, no chance."""
    from model import feasibility_summary, load_feasibility, parse_scenario

    t = Translator(lang)
    sc = parse_scenario(base.presets["three_year_action"], base)
    s = _without_limit(feasibility_summary(base, load_feasibility(base), sc, runs=200), "energy_use")
    s = _without_limit(s, "energy_intensity")
    row = feasibility_cards(t, s)
    energy = card_of(row, "energy")
    assert attr(energy, "data-verdict") == "none" and "zc-feas-none" in energy and "zc-feas-prob" not in energy
    line = visible(line_of(row, "energy_use"))
    assert t("feas.no_limit_short") in line and t("feas.within") not in line and t("feas.over_short") not in line
    c = s.constraint("energy_use")
    shown = f"{c.value * (1 if lang == 'zh' else 10):,.{1 if lang == 'zh' else 0}f}"
    assert shown in line  # the figure itself, in the page's unit (万 tce; kt tce in English)
    # the other cards keep their verdicts
    assert attr(card_of(row, "land"), "data-verdict") in ("likely", "even", "unlikely")


def _frames(chart) -> dict:
    return {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets}


def test_fiscal_and_energy_charts_carry_the_models_series(base):
    from model import feasibility_summary, load_feasibility, parse_scenario

    at = app(**preset_query(base, "three_year_action", "zh"), chart_left="fiscal", chart_right="energy")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2
    fiscal, energy = _frames(charts[0]), _frames(charts[1])
    s = feasibility_summary(base, load_feasibility(base), parse_scenario(base.presets["three_year_action"], base))
    np.testing.assert_allclose(fiscal["lines"]["value"], s.central["cumulative"], rtol=1e-9)
    np.testing.assert_allclose(fiscal["bars"]["value"], s.central["balance"][1:], rtol=1e-9)
    # the cumulative balance is the running sum of the annual bars (parts add up)
    np.testing.assert_allclose(np.cumsum(fiscal["bars"]["value"]), fiscal["lines"]["value"][1:], atol=1e-9)
    assert set(fiscal["limits"]["value"]) == {s.constraint("fiscal_balance").limit}
    assert list(fiscal["target"]["year"]) == [payback_year(fiscal["lines"]["year"], fiscal["lines"]["value"])]
    assert (fiscal["bands"]["p5"] <= fiscal["bands"]["p95"]).all()
    np.testing.assert_allclose(energy["lines"]["value"], s.central["energy"], rtol=1e-9)
    ceiling = s.central["energy_limit"]
    np.testing.assert_allclose(energy["limits"]["value"], ceiling[np.isfinite(ceiling)], rtol=1e-9)  # none unsourced
    assert (energy["bars"]["value"] >= -1e-9).all()  # the levers of this plan add energy use, never save it net


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_model_page_shows_feasibility_equations_and_data(base, lang):
    from model import load_feasibility
    from test_app import open_tab

    t = Translator(lang)
    at = open_tab(app(lang=lang), "model", lang)
    assert t("model_feasibility") in [s.value for s in at.subheader]
    data = load_feasibility(base)
    fiscal = next(m.value for m in at.markdown if m.value.startswith(t("eq.feas.fiscal")[:12]))
    for name in ("tax_to_va", "district_tax_share", "tech_subsidy_rate"):
        assert f"{data.params[name]:g}" in fiscal  # the data's own numbers, not the text's placeholders
    assert "«" not in "".join(m.value for m in at.markdown)
    table = next(d.value for d in at.dataframe if "tech_subsidy_rate" in set(d.value[t("col.parameter")]))
    assert len(table) == len(data.figures)
    statuses = {t(f"status.{s}") for s in ("official", "derived", "estimate")}
    assert set(table[t("col.status")]) <= statuses and table[t("col.unit")].str.len().gt(0).all()
