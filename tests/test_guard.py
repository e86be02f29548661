"""The fragment guard's race handler (``ui/guard.py``), deterministically: a whole run started while a
fragment run computes takes the fragment's slots, and the old run's next write raises
``StreamlitInvalidLayoutContextError``. Only in a fragment rerun is that the race (end quietly, redraw);
in a whole run it is a layout bug and must be logged as an error. The browser test
(``test_browser_tabs``) provokes the race when the timing allows."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from streamlit.errors import StreamlitInvalidLayoutContextError

from ui import guard


def _in_run(monkeypatch, fragments: list[str] | None) -> None:
    ctx = None if fragments is None else SimpleNamespace(fragment_ids_this_run=fragments)
    monkeypatch.setattr(guard, "get_script_run_ctx", lambda: ctx)


@pytest.mark.parametrize("fragments, taken", [(["levers"], True), ([], False), (None, False)])
def test_the_layout_error_is_the_race_only_in_a_fragment_rerun(monkeypatch, fragments, taken):
    _in_run(monkeypatch, fragments)
    assert guard.slots_taken(StreamlitInvalidLayoutContextError("slot gone")) is taken


def test_other_errors_in_a_fragment_rerun_are_not_the_race(monkeypatch):
    _in_run(monkeypatch, ["levers"])
    assert not guard.slots_taken(ValueError("bad"))
    assert not guard.slots_taken(RuntimeError("StreamlitInvalidLayoutContextError"))  # by type, not by text


def test_the_redraw_asks_for_a_whole_run_and_says_why(monkeypatch, caplog):
    scopes = []
    monkeypatch.setattr(guard.st, "rerun", lambda scope="app": scopes.append(scope))
    with caplog.at_level(logging.WARNING, logger="zhoucun"):
        guard.redraw_page()
    assert scopes == ["app"]
    assert [r.levelno for r in caplog.records] == [logging.WARNING] and "lost its slots" in caplog.text
