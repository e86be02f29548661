"""Room creation is limited (issue 21, finding 7): a rate per hour, a cap on open rooms, an optional
creation key; on SQLite and PostgreSQL, under simultaneous requests, on the page and on the command line.

Before: nothing limited creation (500 rooms in 536 s from two clients; the database grew 127 kB → 4.88 MB).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from model import load_baseline
from workshop import Settings, Store, WorkshopError, parse_room_spec
from workshop.settings import MAX_OPEN_ROOMS, ROOMS_PER_HOUR, sqlalchemy_url
from workshop_support import Clock, need_postgres
from test_workshop_races import together

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def spec():
    return parse_room_spec({"title": "limits", "levers": ["investment"]}, load_baseline())


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    return f"sqlite:///{tmp_path / 'workshop.db'}" if request.param == "sqlite" else sqlalchemy_url(need_postgres())


@pytest.fixture
def clock():
    """A moment no other test uses: the PostgreSQL test database is shared and keeps earlier rooms."""
    c = Clock()
    c.now = datetime(2040, 1, 1) + timedelta(days=secrets.randbelow(2_000_000))
    return c


@pytest.fixture
def make(url, clock):
    """``make(**limits)``: a store on this test's database and clock, disposed after the test."""
    made = []

    def one(**limits) -> Store:
        made.append(Store(Settings(database_url=url, **limits), clock=clock))
        return made[-1]

    yield one
    for store in made:
        store.dispose()


def key_of(fn) -> str:
    with pytest.raises(WorkshopError) as exc:
        fn()
    return exc.value.key


def test_rooms_per_hour(make, clock, spec):
    store = make(rooms_per_hour=3)
    for _ in range(3):
        store.create_room(spec)
        clock.advance(600)
    with pytest.raises(WorkshopError) as exc:
        store.create_room(spec)
    assert exc.value.key == "create_rate"
    assert exc.value.en == "3 rooms were created on this server in the last hour, its limit. Please try again in 30 min."
    assert exc.value.zh == "本服务器最近一小时已创建 3 个房间，达到上限。请 30 分钟后再试。"
    clock.advance(30 * 60)  # the first room leaves the hour
    store.create_room(spec)
    assert key_of(lambda: store.create_room(spec)) == "create_rate"


def test_open_rooms_are_capped_and_archiving_frees_a_place(make, clock, spec):
    store = make(max_open_rooms=2)
    one, _ = store.create_room(spec), store.create_room(spec)
    assert key_of(lambda: store.create_room(spec)) == "open_rooms"
    store.set_status(one.code, one.key, "archived")
    two = store.create_room(spec)
    assert key_of(lambda: store.create_room(spec)) == "open_rooms"
    store.delete_room(two.code, two.key)
    store.create_room(spec)
    clock.advance(73 * 3600)  # expired rooms do not count
    store.create_room(spec)


def test_simultaneous_creations_meet_the_caps(make, clock, spec):
    store = make(max_open_rooms=5, rooms_per_hour=1000)
    outcomes = together(30, lambda i: store.create_room(spec))
    assert outcomes.count("ok") == 5 and outcomes.count("open_rooms") == 25, outcomes
    store = make(max_open_rooms=1000, rooms_per_hour=12)
    outcomes = together(30, lambda i: store.create_room(spec))
    assert outcomes.count("ok") == 7 and outcomes.count("create_rate") == 23, outcomes  # 5 made above


def test_a_creation_key_when_the_deployment_sets_one(make, clock, spec):
    store = make(create_key="s3cret-words")
    assert key_of(lambda: store.create_room(spec, create_key="")) == "create_key"
    assert key_of(lambda: store.create_room(spec, create_key="guess")) == "create_key"
    assert store.create_room(spec, create_key="s3cret-words").code
    assert store.create_room(spec).code  # the operator's command line needs none


def test_limits_from_the_environment():
    s = Settings.from_env({})
    assert (s.rooms_per_hour, s.max_open_rooms, s.create_key) == (ROOMS_PER_HOUR, MAX_OPEN_ROOMS, "")
    s = Settings.from_env({"WORKSHOP_ROOMS_PER_HOUR": "5", "WORKSHOP_MAX_OPEN_ROOMS": "7", "WORKSHOP_CREATE_KEY": " k "})
    assert (s.rooms_per_hour, s.max_open_rooms, s.create_key) == (5, 7, "k")
    with pytest.raises(WorkshopError):
        Settings.from_env({"WORKSHOP_MAX_OPEN_ROOMS": "-1"})


def test_the_command_line_says_so_in_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "WORKSHOP_DATA_DIR": str(tmp_path), "WORKSHOP_MAX_OPEN_ROOMS": "1",
           "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "workshop", "create", "--title", "T"]
    first = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["room"]
    second = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert second.returncode == 2 and second.stdout == ""
    assert second.stderr == ("error: This server has 1 open rooms, its limit. Archive or delete rooms no longer "
                             "needed (python -m workshop list, delete), or ask the operator.\n")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    st.cache_resource.clear()
    yield tmp_path
    st.cache_resource.clear()


def _create_page(lang: str, title: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["workshop"], at.query_params["lang"] = "new", lang
    at.run()
    at.text_input(key="ws_title").input(title)
    return at


def shown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_the_create_page_says_why_and_keeps_the_form(data_dir, monkeypatch):
    monkeypatch.setenv("WORKSHOP_ROOMS_PER_HOUR", "1")
    monkeypatch.setenv("WORKSHOP_CREATE_KEY", "open-sesame")
    at = _create_page("zh", "第一个房间")
    at.text_input(key="ws_create_key").input("wrong")
    at.button(key="ws_create").click().run()
    assert not at.exception and "room" not in at.query_params
    assert "在本服务器创建房间需要创建密钥" in shown(at)
    at.text_input(key="ws_create_key").input("open-sesame")
    at.button(key="ws_create").click().run()
    assert at.query_params["room"] and at.query_params["key"]
    at = _create_page("en", "Second room")
    at.text_input(key="ws_create_key").input("open-sesame")
    at.button(key="ws_create").click().run()
    assert not at.exception and "room" not in at.query_params
    assert "1 rooms were created on this server in the last hour, its limit." in shown(at)
    assert at.text_input(key="ws_title").value == "Second room"
