"""Feasibility on the workshop board and in the comparison tab (issue 19, item 4): each plan's three
verdicts beside its goal results, the median plan's feasibility cards, and feasibility rows in the
side-by-side table. Through the real board page (AppTest on ``?room=CODE&key=SECRET``)."""

from __future__ import annotations

import json

import pytest

from model import feasibility_summary, load_baseline, load_feasibility, parse_scenario
from test_app import app, open_tab
from test_workshop_pages import data_dir, markdown, page  # noqa: F401 (fixture)
from ui.feasibility import CARDS, short_verdict, table_rows
from ui.i18n import Translator
from workshop import Settings, Store, parse_room_spec
from workshop.rooms import plan_document


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_board_shows_each_plans_feasibility(data_dir, lang):  # noqa: F811
    base = load_baseline()
    t = Translator(lang)
    store = Store(Settings.from_env())
    spec = parse_room_spec({"title": "可行性", "levers": ["investment", "tech_upgrade"]}, base)
    room = store.create_room(spec)
    # the same 技改 share: more 技改 lowers energy intensity (green upgrade), so only the capacity differs
    plans = {"甲": {"investment": 25.0, "tech_upgrade": 40.0}, "乙": {"investment": 8.0, "tech_upgrade": 40.0}}
    for name, plan in plans.items():
        token = store.join(room.code, name)
        store.predict(room.code, token, 2030)
        store.submit(room.code, token, plan, f"{name} reason")
    store.reveal(room.code, room.key)

    at = page(room=room.code, key=room.key, lang=lang)
    data = load_feasibility(base)
    want = {name: feasibility_summary(base, data, parse_scenario(plan_document(spec, base, plan), base))
            for name, plan in plans.items()}
    # the all-plans table: one verdict column per card, each plan's cell from the model's own summary
    table = next(d.value for d in at.dataframe if t("ws.board.feas.energy") in d.value.columns)
    for _, row in table.iterrows():
        who = row[t("ws.x.participant")]
        for name, _ in CARDS:
            assert row[t(f"ws.board.feas.{name}")] == short_verdict(t, want[who], name), (who, name)
    # the plan with more capacity needs more energy (issue 19: more capacity never lowers energy use)
    energy = {r[t("ws.x.participant")]: r[t("ws.board.feas.energy")] for _, r in table.iterrows()}
    assert all(energy[who] == short_verdict(t, want[who], "energy") for who in plans)
    assert want["甲"].central["energy_extra"][-1] > want["乙"].central["energy_extra"][-1]
    text = markdown(at)
    assert 'data-testid="ws-median-feasibility"' in text and text.count('data-feasibility="') == 3
    assert 'data-testid="ws-best-feasibility"' in text
    # the side-by-side comparison (best plan and median plan) has the feasibility rows
    side = next(d.value for d in at.dataframe if t("feas.row.payback") in d.value.index)
    best = next(c for c in side.columns if c.split(". ", 1)[-1] in plans)
    who = best.split(". ", 1)[-1]
    for label, cell in table_rows(t, want[who]).items():
        assert side.loc[label, best] == cell
    store.dispose()


def test_compare_tab_has_feasibility_rows(base):
    """The comparison table of the Compare tab: each saved scenario's feasibility below its goals."""
    t = Translator("en")
    bold = parse_scenario(base.presets["bold"], base).to_doc()
    at = app(lang="en", compare=json.dumps({"bold": bold}, separators=(",", ":")))
    open_tab(at, "compare", "en")
    table = next(d.value for d in at.dataframe if t("feas.row.payback") in d.value.index)
    s = feasibility_summary(base, load_feasibility(base), parse_scenario(bold, base))
    for label, cell in table_rows(t, s).items():
        assert table.loc[label, "bold"] == cell
    # the verdict mark is the central path's (over: ✘), the chance the ensemble's
    for c in s.constraints:
        cell = table.loc[t("feas.row.status", name=t(f"feas.c.{c.id}")), "bold"]
        assert cell.startswith(("✔" if c.within else "✘") if c.has_limit else t("feas.no_limit_short"))
