"""Shared fixtures: the shipped baseline and helpers to run scenarios."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import settings

from model import load_baseline, parse_scenario, run_scenario

#: The browser tests' server, Chromium and contexts, shared by every test_browser*.py module.
pytest_plugins = ["browser_fixtures"]

#: Test modules that drive a server or Chromium, or use the shared test PostgreSQL, by group. pytest.ini
#: runs the suite on pytest-xdist workers (``-n auto --dist loadgroup``); one worker runs a group's modules
#: one after the other, sharing one session server and one Chromium as without xdist, so at most one browser
#: test per group (two at once, on two cores) drives a server at a time. The PostgreSQL group holds every user of the test
#: database (a workshop server purges the expired rooms that the store tests make on a fake clock); the
#: whole-workshop test (its own server on SQLite) joins it to even out the two groups' time. Other tests
#: go to whichever worker is free, one by one.
SERVER_GROUPS = {
    "test_browser": "browser", "test_browser_hardening": "browser", "test_browser_tabs": "browser",
    "test_load_client": "browser", "test_testkit": "browser",
    "test_deploy": "postgresql", "test_workshop_servers": "postgresql", "test_workshop_store": "postgresql",
    "test_workshop_browser": "postgresql",
}


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: ignored when xdist is not installed
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` with the group named by the module (SERVER_GROUPS) rather than by
    ``xdist_group`` marks, which pytest 9.2 drops silently (pytest-dev/pytest-xdist#1386)."""
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class ByServerGroup(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return SERVER_GROUPS.get(_module(nodeid)) or super()._split_scope(nodeid)

    return ByServerGroup(config, log)


def pytest_collection_modifyitems(config, items):
    """A browser test outside SERVER_GROUPS would run beside its group on another worker: refuse it."""
    stray = sorted({_module(i.nodeid) for i in items if i.get_closest_marker("browser")} - set(SERVER_GROUPS))
    if stray:
        raise pytest.UsageError(f"browser tests in {', '.join(stray)}: add the module to SERVER_GROUPS "
                                "in tests/conftest.py so they run one after the other with their group")


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

