"""Issue 18, items 8 and 9: the workshop keeps its secret, and its link is one participants can open.

AppTest renders the pages as a participant's phone and the facilitator's board receive them (every
element of the run); the load harness checks the same over the websocket for a whole room
(``python -m bench.bench_load --workshop``, and ``tests/test_load_client.py``).
"""

from __future__ import annotations

import html
import io
import re
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


# --------------------------------------------------------------------------- a real server, as phones see it
@pytest.fixture(scope="module")
def ws_server(tmp_path_factory):
    from testkit.browser import Server
    from workshop_support import environ

    folder = tmp_path_factory.mktemp("ws")
    with environ(DATABASE_URL=f"sqlite:///{folder / 'workshop.db'}", WORKSHOP_PUBLIC_URL="",
                 WORKSHOP_SUBMIT_INTERVAL="1"):
        srv = Server("app.py").start(timeout=90)
    yield srv, f"sqlite:///{folder / 'workshop.db'}"
    log = srv.log_text()
    srv.cleanup()
    assert "Traceback" not in log, log[-3000:]


def _texts(s) -> str:
    return "\n".join(s.texts())


def _qr_payload(s) -> str:
    """The QR code on the page, fetched from the server as the browser does and decoded."""
    import urllib.request

    import zxingcpp

    imgs = [node.element.imgs for node in s.tree.values()
            if node.element.DESCRIPTOR.name == "Element" and node.element.WhichOneof("type") == "imgs"]
    assert len(imgs) == 1, f"expected one image (the QR code), found {len(imgs)}"
    with urllib.request.urlopen(s.http_url + imgs[0].imgs[0].url.lstrip("/"), timeout=30) as r:
        png = r.read()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, f"expected one QR code in the image, decoded {len(found)}"
    return found[0].text


def test_the_qr_code_and_link_carry_the_address_participants_use(ws_server):
    from bench.load.client import Session

    srv, _ = ws_server
    s = Session(srv.url, query="workshop=new&lang=zh")
    try:
        assert s.first_run().ok
        # Opened at 127.0.0.1: the field offers that address and warns that phones cannot open it.
        assert s.value("ws_public_url") == srv.url + "/"
        assert 'data-testid="ws-local-warning"' in _texts(s) and "127.0.0.1" in _texts(s)
        s.type_text("ws_title", "地址测试")
        for bad in ("javascript:alert(1)", "http://x/<b>粗</b>", "ftp://192.168.1.20/", "http://a:b@192.168.1.20/",
                    "http://192.168.1.20/" + "x" * 300):
            s.type_text("ws_public_url", bad)
            assert 'class="ws-error"' in _texts(s), bad
            assert "<b>粗</b>" not in _texts(s)  # shown as text, never as markup
            if "<b>" in bad:
                assert "&lt;b&gt;粗&lt;/b&gt;" in _texts(s)
            s.click("ws_create")
            assert "room" not in dict(s.query), bad  # refused: no room made
        s.type_text("ws_public_url", "http://192.168.1.20:8501/zc")
        assert 'data-testid="ws-local-warning"' not in _texts(s) and 'class="ws-error"' not in _texts(s)
        assert s.click("ws_create").ok
        code = dict(s.query)["room"]
        want = f"http://192.168.1.20:8501/zc/?room={code}"
        assert _qr_payload(s) == want
        assert f'data-testid="ws-participant-url">{want}</div>' in _texts(s)
        assert 'data-testid="ws-local-warning"' not in _texts(s)
    finally:
        s.close()
    # Left at the page's own address (127.0.0.1), the board warns beside the QR code.
    s = Session(srv.url, query="workshop=new&lang=en")
    try:
        s.first_run()
        s.type_text("ws_title", "local")
        assert s.click("ws_create").ok
        code = dict(s.query)["room"]
        assert _qr_payload(s) == f"{srv.url}/?room={code}"
        assert 'data-testid="ws-local-warning"' in _texts(s) and "works on this computer only" in _texts(s)
    finally:
        s.close()


def test_the_load_harness_sees_no_model_output_before_the_reveal(ws_server):
    """``python -m bench.bench_load --workshop`` as anyone runs it (a small room here; the 20-person run is
    in the README): every element each participant's websocket receives before the reveal is checked, and
    each page shows the answer and the cards after it. On main's participant page this exits 1 with
    "a goal card" / "a vega_lite_chart element" leaks."""
    import subprocess
    import sys

    srv, database_url = ws_server
    r = subprocess.run([sys.executable, "-m", "bench.bench_load", "--workshop", "--host", srv.url, "--users", "3",
                        "--revisions", "1", "--database-url", database_url, "--workshop-timeout", "240"],
                       cwd=Path(APP).parent, capture_output=True, text=True, timeout=400)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    assert "LEAKS 0 in 0 participants" in out, out[-3000:]
    assert "answer shown to 3 of 3 joined participants, goal cards to 3" in out, out[-3000:]
    before = int(re.search(r"before the reveal: (\d+) elements received", out).group(1))
    assert before >= 3 * 20, out[-3000:]  # each phone's join, prediction and plan pages were watched


def test_the_leak_check_flags_cards_charts_and_the_answer():
    from streamlit.proto.Element_pb2 import Element

    from bench.load.secret import Watch, echoes

    w = Watch(answers=("2034",), own=[*echoes("2030"), "第1版 203412"])  # the participant's prediction and reason

    def md(body: str) -> Element:
        el = Element()
        el.markdown.body = body
        return el

    chart = Element()
    chart.vega_lite_chart.spec = "{}"
    w(md('<div class="ws-note">你的预测：2030。模型的答案将在大屏上公布。</div>'))
    w(md('<span class="ws-reason">第1版 203412</span>'))  # the participant's own digits, not the model's
    assert w.leaks == []
    w(md('<div class="zc-card zc-unlikely" data-goal="doubling">…</div>'))
    w(chart)
    w(md('<div class="ws-note">模型的答案：2034 · 你的预测：2030</div>'))
    assert len(w.leaks) == 3 and w.before == 5
    w.revealed = True
    w(md('<div class="ws-note">模型的答案：2034 · 你的预测：2030</div>'))
    assert w.answer_seen and not w.cards_seen and w.after == 1
    # A participant who predicted the model's year: their echo is no leak, the answer beside it is seen.
    assert "你的预测：2034" in echoes("2034") and "your prediction: 2034" in echoes("2034")
    w = Watch(answers=("2034",), own=echoes("2034"))
    w(md('<div class="ws-note">你的预测：2034。模型的答案将在大屏上公布。</div>'))
    assert w.leaks == []
    w(md('<div class="ws-note">模型的答案：2034 · 你的预测：2034</div>'))
    assert len(w.leaks) == 1
    w.revealed = True
    w(md('<div class="ws-note">模型的答案：2034 · 你的预测：2034</div>'))
    assert w.answer_seen


def test_the_deployments_public_address_is_offered_and_bad_settings_are_refused(data_dir, monkeypatch):
    from workshop import WorkshopError

    monkeypatch.setenv("WORKSHOP_PUBLIC_URL", "https://Workshop.Zhoucun.example/sim")
    st.cache_resource.clear()  # the page's store reads the settings once per process
    at = page(workshop="new", lang="en")
    assert at.text_input(key="ws_public_url").value == "https://workshop.zhoucun.example/sim/"
    assert 'data-testid="ws-local-warning"' not in markdown(at)
    at.text_input(key="ws_public_url").input("http://localhost:8501").run()
    assert "works on this computer only" in markdown(at)  # a typed localhost warns as well
    for name, value in (("WORKSHOP_PUBLIC_URL", "javascript:alert(1)"), ("WORKSHOP_PUBLIC_URL", "http://a@b/"),
                        ("WORKSHOP_TIMEZONE", "Mars/Olympus"), ("WORKSHOP_TIMEZONE", "../../etc/passwd")):
        with pytest.raises(WorkshopError) as exc:
            Settings.from_env({name: value})
        assert exc.value.en == f"Invalid setting {name}: {value}"
    assert Settings.from_env({}).timezone == "Asia/Shanghai" and Settings.from_env({}).public_url == ""
