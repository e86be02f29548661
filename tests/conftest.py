"""Shared fixtures: the shipped baseline and helpers to run scenarios."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import settings

from model import load_baseline, parse_scenario, run_scenario

#: The browser tests' server, Chromium and contexts, shared by every test_browser*.py module.
pytest_plugins = ["browser_fixtures"]

#: Test modules that drive a server or Chromium, or use the shared test PostgreSQL. pytest.ini runs the
#: suite on pytest-xdist workers (``-n auto --dist loadgroup``): these modules form one group that one
#: worker runs one after the other, with one session server and one Chromium as without xdist, instead of
#: two copies fighting over the two cores and the one database; the other worker takes the rest, test by test.
SERVER_MODULES = frozenset({
    "test_browser", "test_browser_firstview", "test_browser_hardening", "test_browser_screen", "test_feasibility_browser",
    "test_browser_tabs", "test_deploy", "test_load_client", "test_report_browser",
    "test_testkit", "test_workshop_browser", "test_workshop_faults", "test_workshop_limits", "test_workshop_races",
    "test_workshop_secret", "test_workshop_servers", "test_workshop_store",
})


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: ignored when xdist is not installed
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` with the group named by the module (SERVER_MODULES) rather than by
    ``xdist_group`` marks, which pytest 9.2 drops silently (pytest-dev/pytest-xdist#1386)."""
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class ServersOnOneWorker(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "servers" if _module(nodeid) in SERVER_MODULES else super()._split_scope(nodeid)

    return ServersOnOneWorker(config, log)


def pytest_collection_modifyitems(config, items):
    """A browser test outside SERVER_MODULES would run beside the others on a second worker: refuse it."""
    stray = sorted({_module(i.nodeid) for i in items if i.get_closest_marker("browser")} - SERVER_MODULES)
    if stray:
        raise pytest.UsageError(f"browser tests in {', '.join(stray)}: add the module to SERVER_MODULES "
                                "in tests/conftest.py so they run on the servers' worker")


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

