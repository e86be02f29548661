"""Shared fixtures: the shipped baseline and helpers to run scenarios."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import settings

from model import load_baseline, parse_scenario, run_scenario

# Property tests are seeded (derandomize) so CI runs the same examples every time.
settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None)
settings.load_profile("ci")


@pytest.fixture(scope="session")
def base():
    return load_baseline()


@pytest.fixture(scope="session")
def run(base):
    def _run(doc=None):
        return run_scenario(base, parse_scenario(doc or {}, base))
    return _run


@pytest.fixture
def rng():
    return np.random.default_rng(20241231)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test file (Playwright's sync API allows one instance at a
    time). Skipped locally without Chromium or Playwright, a failure in CI."""
    import os

    from browser_support import browser_missing, launch_chromium

    reason = browser_missing()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests must run in CI, but {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()
