"""Shared by the workshop tests: a store on SQLite or on the test PostgreSQL, and a fake clock.

PostgreSQL comes from ``TEST_DATABASE_URL`` (``eval "$(scripts/pg-test.sh start)"`` locally; ``.ci/run``
starts one in CI). Without it the PostgreSQL tests skip locally and fail when ``CI=true``.
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime, timedelta

import pytest

PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def need_postgres() -> str:
    """The test database URL, or skip (locally) / fail (CI) with the reason."""
    if PG_URL:
        return PG_URL
    reason = "TEST_DATABASE_URL is not set (start one with: eval \"$(scripts/pg-test.sh start)\")"
    if in_ci():
        pytest.fail(f"PostgreSQL tests must run in CI, but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


class Clock:
    """A settable clock for the store (rate limits and expiry without sleeping)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@contextlib.contextmanager
def environ(**values: str):
    """``os.environ`` with ``values`` set (a server started inside inherits them), restored after."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
