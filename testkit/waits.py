"""Waiting for a condition outside a browser page (a process, a file, a server's status).

In a page, await Playwright's own waits (``expect(...)``, ``page.wait_for_function``); this is for
what Playwright cannot see. It never gives up silently: past the deadline it raises naming the condition.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """A condition did not hold within its deadline (an AssertionError, so pytest reports it as a failure)."""


def wait_until(check: Callable[[], T], what: str, timeout: float, interval: float = 0.25,
               detail: Callable[[], str] | None = None) -> T:
    """Call ``check`` every ``interval`` seconds until it returns something truthy, and return that.

    Past ``timeout`` seconds raise :class:`WaitTimeout` saying ``what`` was awaited, for how long, and
    ``detail()`` (the state at the deadline) when given.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            state = f"; {detail()}" if detail is not None else ""
            raise WaitTimeout(f"waited {timeout:g} s for {what}, in vain{state}")
        time.sleep(interval)  # the poll interval of a condition that has no event to await
