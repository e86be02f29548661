"""A database that stops answering (issue 21, findings 10 and 11), on the path people take.

The app reaches the test PostgreSQL through ``Outage``, a TCP relay the test can cut (every open
connection reset, new ones refused: what a stopped PostgreSQL looks like to the app) and restore.

Before: a join, prediction, submission or room creation during the outage ended in Streamlit's English
crash box, and a participant's page stayed on "Something went wrong… reload" after the database returned.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from model import load_baseline
from workshop import Settings, Store, parse_room_spec
from workshop.settings import sqlalchemy_url
from workshop_support import need_postgres

APP = str(Path(__file__).resolve().parent.parent / "app.py")
DOWN_ZH = "工作坊数据库暂时无法连接。你输入的内容已保留：请稍后再按一次按钮。"
DOWN_EN = "The workshop database is not answering right now. What you entered is kept: press the button again in a moment."
WAITING_ZH = "工作坊数据库暂时无法连接。本页每 3 秒自动重试"


class Outage:
    """A TCP relay to ``host:port`` on a free local port; ``cut()`` and ``restore()`` the database."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None
        self.port = 0
        self.restore()

    def restore(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close alone would not
        self.listener.close()
        with self.lock:
            for c in self.conns:
                with contextlib.suppress(OSError):
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    c.close()
            self.conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := a.recv(65536):
                b.sendall(data)
        for s in (a, b):
            with contextlib.suppress(OSError):
                s.close()


@pytest.fixture
def outage(monkeypatch):
    url = sqlalchemy_url(need_postgres())
    parts = urlsplit(url)
    relay = Outage(parts.hostname, parts.port or 5432)
    netloc = parts.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{relay.port}"
    monkeypatch.setenv("DATABASE_URL", urlunsplit(parts._replace(netloc=netloc)))
    st.cache_resource.clear()  # the page's store is per process: through the relay for this test
    st.cache_data.clear()
    relay.direct = url
    yield relay
    with contextlib.suppress(Exception):
        relay.restore()
    from ui.workshop.common import get_store
    get_store().dispose()  # the page's pool, whose connections the outage broke
    st.cache_resource.clear()
    relay.cut()


@pytest.fixture
def room(outage):
    store = Store(Settings(database_url=outage.direct))
    made = store.create_room(parse_room_spec({"title": "停电演练", "levers": ["investment"]}, load_baseline()))
    yield store, made
    store.delete_room(made.code, made.key)
    store.dispose()


def page(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def shown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def no_crash(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert "Streamlit Cloud" not in shown(at)


def test_join_predict_and_submit_survive_an_outage(outage, room):
    """Finding 10: each action during the outage gets the notice in the person's language, keeps what they
    entered, and works when pressed again after the database is back."""
    store, made = room
    at = page(room=made.code)
    at.text_input(key="ws_name").input("王芳")
    outage.cut()
    at.button(key="ws_join").click().run()
    no_crash(at)
    assert DOWN_ZH in shown(at) and "p" not in at.query_params
    assert at.text_input(key="ws_name").value == "王芳"
    outage.restore()
    at.button(key="ws_join").click().run()
    no_crash(at)
    token = at.query_params["p"]
    assert store.me(made.code, token).name == "王芳"

    at.selectbox(key="ws_prediction_value").set_value(2031)
    outage.cut()
    at.button(key="ws_predict").click().run()
    no_crash(at)
    assert DOWN_ZH in shown(at) and at.selectbox(key="ws_prediction_value").value == 2031
    assert store.me(made.code, token).prediction is None
    outage.restore()
    at.button(key="ws_predict").click().run()
    no_crash(at)
    assert store.me(made.code, token).prediction == 2031

    at.text_input(key="ws_reason").input("先稳投资")
    at.slider(key="ws_lever_investment").set_value(20.0)
    outage.cut()
    at.button(key="ws_submit").click().run()
    no_crash(at)
    assert DOWN_ZH in shown(at) and WAITING_ZH in shown(at)
    assert at.text_input(key="ws_reason").value == "先稳投资" and at.slider(key="ws_lever_investment").value == 20.0
    assert store.me(made.code, token).plan is None
    outage.restore()
    at.button(key="ws_submit").click().run()
    no_crash(at)
    me = store.me(made.code, token)
    assert me.plan == {"investment": 20.0} and me.reason == "先稳投资" and me.revisions == 1


def test_room_creation_survives_an_outage(outage, room):
    at = page(workshop="new", lang="en")
    at.text_input(key="ws_title").input("Outage drill")
    outage.cut()
    at.button(key="ws_create").click().run()
    no_crash(at)
    assert DOWN_EN in shown(at) and "room" not in at.query_params
    assert at.text_input(key="ws_title").value == "Outage drill"
    outage.restore()
    at.button(key="ws_create").click().run()
    no_crash(at)
    store, _ = room
    assert store.check_key(at.query_params["room"], at.query_params["key"]).spec.title == "Outage drill"


@pytest.mark.parametrize("warm", [True, False], ids=["server-running", "server-starting"])
def test_a_page_opened_during_an_outage_waits_and_says_so(outage, room, warm):
    """A participant (re)loading their link while the database is down: the notice, never the crash box,
    and the token stays in the link (it used to be dropped with "not joined")."""
    store, made = room
    token = store.join(made.code, "李雷")
    if warm:
        page(room=made.code)  # the server's store exists (and pools connections) before the outage
    outage.cut()
    at = page(room=made.code, p=token)
    no_crash(at)
    assert WAITING_ZH in shown(at) and at.query_params["p"] == token
    outage.restore()
    at.run()  # what the waiting page's fragment does every 3 s (the browser test sees it happen by itself)
    no_crash(at)
    assert WAITING_ZH not in shown(at) and at.button(key="ws_predict")


@pytest.fixture
def relay_url(outage):
    parts = urlsplit(outage.direct)
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{outage.port}"))


@pytest.mark.browser
def test_a_participant_page_recovers_by_itself_after_an_outage(browser, outage, room, relay_url):
    """Finding 11: a participant's page during an outage says so, and after the database returns it is
    back (the next step's button, no notice) without a reload: its own fragment tried again."""
    from workshop_support import TIMEOUT, expect, new_page, start_server
    store, made = room
    token = store.join(made.code, "韩梅梅")
    server = start_server(DATABASE_URL=relay_url)
    contexts: list = []
    try:
        page = new_page(browser, contexts, {"width": 390, "height": 844}, True)
        page.goto(f"{server.url}/?room={made.code}&p={token}")
        expect(page.locator(".st-key-ws_predict button")).to_be_visible()
        page.evaluate("window.__notReloaded = true")
        outage.cut()
        notice = page.get_by_role("alert").filter(has_text=WAITING_ZH)
        expect(notice).to_be_visible(timeout=TIMEOUT)  # the page's own 10 s look at the room finds it down
        expect(page.locator(".st-key-ws_predict button")).to_be_visible()  # still the form, not a dead end
        outage.restore()
        expect(notice).to_have_count(0, timeout=TIMEOUT)
        expect(page.locator(".st-key-ws_predict button")).to_be_visible()
        assert page.evaluate("window.__notReloaded === true")  # no reload, by hand or otherwise
        assert "页面出错了" not in page.content() and "Streamlit Cloud" not in page.content()
        assert "Traceback" not in server.log_text()
    finally:
        for ctx in contexts:
            ctx.close()
        server.cleanup()


def test_a_full_disk_is_a_refusal_not_a_crash(tmp_path):
    """Finding 10, SQLite: "database or disk is full" (here: the file may not grow) is the db_down refusal
    that the pages show as a notice; the rows already stored stay readable."""
    from sqlalchemy import event

    from workshop import WorkshopError
    store = Store(Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}", max_participants=100_000))
    made = store.create_room(parse_room_spec({"title": "full", "levers": ["investment"]}, load_baseline()))
    with store.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    event.listen(store.engine, "connect", lambda dbapi, _: dbapi.execute(f"PRAGMA max_page_count={pages + 2}"))
    store.engine.dispose()
    joined = 0
    with pytest.raises(WorkshopError) as exc:
        for i in range(5_000):
            store.join(made.code, f"p{i}")
            joined += 1
    assert exc.value.key == "db_down" and "数据库暂时无法连接" in exc.value.zh
    assert 0 < joined < 5_000 and store.snapshot(made.code, made.key).joined == joined
    store.dispose()


def _raised(outer: BaseException, inner: BaseException) -> BaseException:
    """``outer`` raised while ``inner`` was being handled, as Python chains them."""
    try:
        try:
            raise inner
        except BaseException:
            raise outer
    except BaseException as exc:  # noqa: BLE001 — the chained exception is the value under test
        return exc


def test_an_error_raised_while_handling_a_lost_connection_is_a_database_fault():
    """A pooled connection whose socket closed during the pool's ping: psycopg raises OperationalError,
    and SQLAlchemy's clean-up then raises ProgrammingError ("can't change 'autocommit' now"). That is
    the database not answering ("db_down": the waiting notice), not a crash; a ProgrammingError of its
    own (a bad statement) is still raised."""
    import psycopg
    import sqlalchemy.exc as sa

    from workshop import WorkshopError
    from workshop.store import _answers, is_db_fault

    lost = psycopg.OperationalError("connection socket closed")
    cleanup = sa.ProgrammingError("SET autocommit", None, psycopg.ProgrammingError("can't change 'autocommit' now"))
    bad_sql = sa.ProgrammingError("SELEKT 1", None, psycopg.ProgrammingError("syntax error at or near SELEKT"))
    assert is_db_fault(_raised(cleanup, lost))
    assert is_db_fault(sa.OperationalError("SELECT 1", None, psycopg.OperationalError("connection refused")))
    assert not is_db_fault(bad_sql)

    def fails_with(exc):
        @_answers
        def call():
            raise exc
        return call

    with pytest.raises(WorkshopError) as refused:
        fails_with(_raised(cleanup, lost))()
    assert refused.value.key == "db_down"
    with pytest.raises(sa.ProgrammingError):
        fails_with(bad_sql)()
