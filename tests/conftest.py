"""Shared fixtures: the shipped baseline and helpers to run scenarios."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import settings

from model import load_baseline, parse_scenario, run_scenario

#: The browser tests' server, Chromium and contexts, shared by every test_browser*.py module.
pytest_plugins = ["browser_fixtures"]

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

