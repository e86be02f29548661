"""The workshop pages without a browser (AppTest): routing, room creation, refusals in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from model import load_baseline
from workshop import Settings, Store, parse_room_spec

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    st.cache_resource.clear()  # the page's store is per process: point it at this test's database
    st.cache_data.clear()
    yield tmp_path
    st.cache_resource.clear()


def page(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_creating_a_room_leads_to_its_board(data_dir):
    at = page(workshop="new", lang="en")
    at.button(key="ws_create").click().run()  # no title yet
    assert "Please give the room a title." in markdown(at)
    at.text_input(key="ws_title").input("工业倍增研讨会")
    at.text_area(key="ws_question").input("能否2027年实现工业倍增？")
    at.multiselect(key="ws_levers").set_value(["investment", "sme_upgrades"])
    at.run()
    at.slider(key="ws_range_investment").set_value((0.0, 25.0))
    at.button(key="ws_create").click().run()
    assert not at.exception
    code, key = at.query_params["room"], at.query_params["key"]
    store = Store(Settings.from_env())
    room = store.check_key(code, key)
    assert room.spec.lever_ids() == ("investment", "sme_upgrades")
    assert (room.spec.levers["investment"].lo, room.spec.levers["investment"].hi) == (0.0, 25.0)
    assert room.spec.question == "能否2027年实现工业倍增？"
    store.dispose()


def test_refusals_are_plain_messages_in_the_page_language(data_dir):
    store = Store(Settings.from_env())
    room = store.create_room(parse_room_spec({"title": "T", "levers": ["investment"]}, load_baseline()))
    zh = page(room="ZZZZZZ")
    assert "没有这个房间号" in markdown(zh) and not zh.error  # our own alert, not st.error's Markdown
    en = page(room=room.code, key="guess", lang="en")
    assert "This facilitator link is not valid for this room." in markdown(en)
    assert room.code not in markdown(en).replace(f"room={room.code}", "")
    store.dispose()


def test_the_simulator_links_to_the_workshop(data_dir):
    at = page(lang="en")
    assert any(b.proto.url == "?workshop=new&lang=en" for b in at.get("link_button"))
