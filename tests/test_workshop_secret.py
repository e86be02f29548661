"""Issue 18, items 8 and 9: the workshop keeps its secret, and its link is one participants can open.

AppTest renders the pages as a participant's phone and the facilitator's board receive them (every
element of the run); the load harness checks the same over the websocket for a whole room
(``python -m bench.bench_load --workshop``, and ``tests/test_load_client.py``).
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from i18n import Translator
from model import load_baseline, parse_scenario, scenario_results
from ui.cards import flag_note
from workshop import Settings, Store, parse_room_spec
from workshop.analysis import model_answer, plan_chances
from workshop.rooms import plan_document, start_values

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("WORKSHOP_PUBLIC_URL", raising=False)
    st.cache_resource.clear()  # the page's store is per process: point it at this test's database
    st.cache_data.clear()
    yield tmp_path
    st.cache_resource.clear()


@pytest.fixture(scope="module")
def base():
    return load_baseline()


def page(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


# --------------------------------------------------------------------------- item 8: the phone before Reveal
@pytest.mark.parametrize("focus, kind, prediction", [("doubling", "year", 2029.0), ("steady_growth", "chance", 60.0)])
def test_no_model_output_reaches_a_participant_before_the_reveal(data_dir, base, focus, kind, prediction):
    t = Translator("zh")
    store = Store(Settings.from_env())
    spec = parse_room_spec({"title": "T", "focus": focus, "prediction": kind, "levers": ["investment", "sme_upgrades"]},
                           base)
    room = store.create_room(spec)
    token = store.join(room.code, "王工")
    store.predict(room.code, token, prediction)
    start = start_values(spec, base)
    j = [g.id for g in base.goals].index(focus)
    # What the model answers for the starting settings, as the page would print it: the year (2034 for the
    # trend's doubling), the chance in % (21 % for steady growth).
    answer = model_answer(base, spec)
    shown = str(int(answer)) if kind == "year" else t.pct(100 * float(plan_chances(base, spec, start)[j]), 0)
    assert shown not in t.pct(prediction, 0) + str(int(prediction))  # the participant's own echo differs

    before = page(room=room.code, p=token)
    text = markdown(before)
    assert 'class="zc-card' not in text  # no goal card: no chance, no value, no met / not met, no colour
    assert not before.get("vega_lite_chart")  # no chart of the plan
    assert "ws-model-answer" not in text and shown not in text
    assert 'data-testid="ws-results-hidden"' in text  # the participant is told why
    assert before.slider(key="ws_lever_investment").value == start["investment"]  # the plan can still be drafted
    # Moving a lever and submitting a plan shows no outcome either.
    before.slider(key="ws_lever_investment").set_value(start["investment"] + 2.0).run()
    before.button(key="ws_submit").click().run()
    text = markdown(before)
    assert 'data-testid="ws-my-plan"' in text
    assert 'class="zc-card' not in text and not before.get("vega_lite_chart") and shown not in text

    store.reveal(room.code, room.key, True)
    after = page(room=room.code, p=token)
    text = markdown(after)
    assert 'data-testid="ws-results-hidden"' not in text
    assert text.count('class="zc-card') == len(base.goals)  # the focus card and the others
    assert len(after.get("vega_lite_chart")) == 1
    assert 'data-testid="ws-model-answer"' in text and shown in text
    store.dispose()


# --------------------------------------------------------------------------- item 8: the board's highlighted plans
def test_the_boards_highlighted_plans_carry_the_models_plausibility_notes(data_dir, base):
    store = Store(Settings.from_env())
    spec = parse_room_spec({"title": "T", "levers": ["investment", "sme_upgrades"]}, base)
    room = store.create_room(spec)
    bold = {"investment": 35.0, "sme_upgrades": 255.0}  # the plan: +35 %/yr investment, 255 小升规 a year
    modest = start_values(spec, base)
    for name, plan in (("大胆", bold), ("稳健", modest)):
        token = store.join(room.code, name)
        store.predict(room.code, token, 2030.0)
        store.submit(room.code, token, plan, name)
    store.reveal(room.code, room.key, True)

    def notes(plan) -> list[str]:
        return [flag_note(Translator("zh"), f)
                for f in scenario_results(base, parse_scenario(plan_document(spec, base, plan), base)).flags]

    bold_notes = notes(bold)
    median = notes({k: (bold[k] + modest[k]) / 2 for k in bold})
    # The plan closest to doubling is the bold one; the model finds it implausible on several counts.
    assert {"max_investment_growth", "sme_pool"} <= {f.check for f in scenario_results(
        base, parse_scenario(plan_document(spec, base, bold), base)).flags}
    assert len(bold_notes) >= 4 and median and not notes(modest)

    at = page(room=room.code, key=room.key)
    blocks = [m.value for m in at.markdown]
    best = next(b for b in blocks if 'data-testid="ws-best"' in b)
    assert "大胆" in best
    for note in bold_notes:  # every note, as the main page words it (escaped into the block)
        assert html.escape(note) in best, note
    shown_median = next(b for b in blocks if 'data-testid="ws-median-notes"' in b)
    for note in median:
        assert html.escape(note) in shown_median, note
    store.dispose()
