"""Model v3 on the page (issue 17): the central path explained where it is named, growth 同口径 beside
growth with entrants, where extra investment goes (card line and a control that round-trips through the
URL and the scenario file), and the cluster counted once beside the turnover sum. Through AppTest."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest

from model import parse_scenario
from model.io.bounded import unpack
from model.schema.results import scenario_results
from test_app import app, open_tab
from ui.i18n import Translator



def card_html(at, goal: str) -> str:
    """The HTML of one goal card (the row of cards is one markdown element)."""
    row = next(m.value for m in at.markdown if 'class="zc-cards"' in m.value)
    start = row.index(f'data-goal="{goal}"')
    end = row.find('<div class="zc-card ', start)
    return row[start:end if end > 0 else None]


def attr(html: str, name: str) -> str:
    return re.search(rf'{name}="([^"]+)"', html).group(1)


def plan_param(at) -> dict:
    raw = at.query_params["plan"]
    raw = raw[0] if isinstance(raw, list) else raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return json.loads(unpack(raw))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cards_show_central_path_same_firm_growth_invest_in_and_net_cluster(base, lang):
    t = Translator(lang)
    at = app(lang=lang, preset="three_year_action", projects="three_year_action",
             **{k: str(v) for k, v in base.presets["three_year_action"]["levers"].items() if k != "projects"})
    sc = parse_scenario(base.presets["three_year_action"], base)
    res = scenario_results(base, sc)

    # 1. the central path explained under the cards, as plain text
    assert t("central_path_explained") in [c.value for c in at.caption]

    # 2. the doubling card: same-firm growth beside growth with entrants, for its target year
    doubling = card_html(at, "doubling")
    year = next(g for g in res.goals.goals if g.id == "doubling").target_year
    k = year - base.base_year - 1
    same, whole = float(attr(doubling, "data-same-firm")), float(attr(doubling, "data-with-entrants"))
    assert same == pytest.approx(res.same_firm_growth_since_base[k], rel=1e-5)
    assert whole == pytest.approx(res.growth_since_base[k], rel=1e-5)
    assert same < whole  # the three-year action's 小升规 entrants add to the level, not to 同口径 growth
    line = t("card.same_firm", start=base.base_year, year=year, same=t.rate(same), whole=t.rate(whole))
    assert html_lib.escape(line) in doubling  # escaped on the card, never read as HTML

    # 3. the structure card says where the extra investment goes (the default: today's shares)
    structure = card_html(at, "advanced_share_2035")
    assert attr(structure, "data-invest-in") == "shares"
    assert html_lib.escape(t("card.invest_in.shares")) in structure

    # 4. the cluster card: the de-duplicated measure = processing + downstream less the local stainless in it
    #    (c·processing = downstream / m at the flat stainless price) + margin × trade turnover (review D)
    cluster = next(g for g in res.goals.goals if g.metric == "cluster_total")
    html = card_html(at, cluster.id)
    proc, trade, down = (float(attr(html, f"data-{p}")) for p in ("processing", "trade", "downstream"))
    net = float(attr(html, "data-net"))
    margin = float(base.params["trade_margin"]) / 100  # % of turnover, data/zhoucun/parameters.csv
    m = float(base.params["chain_multiplier"])
    assert net == pytest.approx(proc + down * (1 - 1 / m) + margin * trade, rel=1e-4)
    assert proc < net < proc + down + margin * trade  # the local steel counted once, turnover not at all
    assert ("去重口径" if lang == "zh" else "Counted once") in html


def test_invest_in_control_round_trips_through_the_url_and_the_scenario_file(base):
    t = Translator("en")
    at = app(lang="en")
    radio = at.radio(key="plan_invest_in_0")
    assert radio.value == "shares"
    radio.set_value("advanced").run()
    assert not at.exception, at.exception
    assert plan_param(at) == {"invest_in": "advanced"}
    assert attr(card_html(at, "advanced_share_2035"), "data-invest-in") == "advanced"
    assert html_lib.escape(t("card.invest_in.advanced")) in card_html(at, "advanced_share_2035")
    shared = card_html(at, "advanced_share_2035")

    # Reopening the shared link restores the control and the same card.
    again = app(lang="en", plan=json.dumps({"invest_in": "advanced"}))
    assert again.radio(key=next(r.key for r in again.radio if r.key.startswith("plan_invest_in_"))).value == "advanced"
    assert card_html(again, "advanced_share_2035") == shared

    # The scenario file carries it, and reads back to the same plan.
    from ui import state
    sc = parse_scenario({"plan": {"invest_in": "advanced"}}, base)
    doc = state.doc_of(state.values_of(sc, base), base)
    assert doc["plan"] == {"invest_in": "advanced"}
    assert parse_scenario(doc, base).plan.invest_in == "advanced"

    # Back to the default: the URL drops the setting.
    again.radio(key=next(r.key for r in again.radio if r.key.startswith("plan_invest_in_"))).set_value("shares").run()
    assert "plan" not in again.query_params or plan_param(again) == {}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_briefing_explains_the_central_path_and_gives_same_firm_growth(base, lang):
    t = Translator(lang)
    at = open_tab(app(lang=lang), "tools", lang)
    text = next(m.value for m in at.markdown if 'data-testid="narrative"' in m.value)
    assert t("central_path_explained") in text
    sc = parse_scenario({}, base)
    res = scenario_results(base, sc)
    year = res.goals.goals[0].target_year
    k = year - base.base_year - 1
    assert t("story.same_firm", year=year, same=t.rate(float(res.same_firm_growth_since_base[k])),
             whole=t.rate(float(res.growth_since_base[k]))) in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_goal_seek_result_explains_the_central_path(base, lang):
    t = Translator(lang)
    at = open_tab(app(lang=lang), "tools", lang)
    assert t("central_path_explained") not in [c.value for c in at.caption]  # shown with a result only
    at.selectbox(key="seek_goal").set_value("doubling").run()
    at.selectbox(key="seek_lever").set_value("growth").run()
    at.button(key="seek_run").click().run()
    assert not at.exception and at.success, at.exception
    assert t("central_path_explained") in [c.value for c in at.caption]
