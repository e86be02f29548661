"""Two app servers on one PostgreSQL: a participant on one, the board on the other follows.

Needs Chromium (Playwright) and ``TEST_DATABASE_URL`` (``eval "$(scripts/pg-test.sh start)"``); skips
locally without them and fails in CI.
"""

from __future__ import annotations

import re

import pytest

from model import load_baseline
from workshop import Settings, Store, parse_room_spec
from workshop_support import (PHONE, count, expect, join_predict_submit, need_postgres,
                              new_page, start_server)

pytestmark = pytest.mark.browser


def test_two_servers_share_one_postgresql(browser):
    url = need_postgres()
    store = Store(Settings.from_env({"DATABASE_URL": url}))
    spec = parse_room_spec({"title": "Two servers", "levers": ["investment", "tech_upgrade"]}, load_baseline())
    room = store.create_room(spec)  # prepared before the meeting (as ``python -m workshop create`` does)
    one = start_server(DATABASE_URL=url)
    two = start_server(DATABASE_URL=url)
    contexts: list = []
    try:
        board = new_page(browser, contexts, {"width": 1920, "height": 1080})
        board.goto(f"{two.url}/?room={room.code}&key={room.key}&lang=en")
        expect(count(board, 0)).to_have_text("0")
        phone = new_page(browser, contexts, PHONE, True)
        join_predict_submit(phone, f"{one.url}/?room={room.code}&lang=en", "On server one", 2030, "from server one", "End")
        assert re.search(rf"^{re.escape(one.url)}/", phone.url)
        # The board on the other server follows by itself (its fragment rereads the database).
        expect(count(board, 0)).to_have_text("1", timeout=30_000)
        expect(count(board, 2)).to_have_text("1", timeout=30_000)
        board.locator(".st-key-ws_reveal button").click()  # a click on server two, outcomes of a plan from server one
        expect(board.get_by_test_id("ws-best")).to_contain_text("On server one", timeout=30_000)
        snap = store.snapshot(room.code, room.key)
        assert [p.name for p in snap.submitted] == ["On server one"] and snap.submitted[0].plan["investment"] == 40.0
        assert "Traceback" not in one.log_text() + two.log_text()
    finally:
        for ctx in contexts:
            ctx.close()
        store.delete_room(room.code, room.key)
        store.dispose()
        one.cleanup()
        two.cleanup()
