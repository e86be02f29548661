"""Convenience entry points: scenario documents in, projections out (all through ``engine.simulate``)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .data import Baseline
from .engine import Projection, simulate
from .scenario import Scenario, scenario_params, scenario_projects


def run_scenarios(base: Baseline, scenarios: Sequence[Scenario]) -> Projection:
    """Deterministic projections of N validated scenarios in one engine call."""
    X = np.stack([scenario_params(s, base) for s in scenarios])
    return simulate(base, X, scenario_projects(scenarios, base))


def run_scenario(base: Baseline, scenario: Scenario) -> Projection:
    """The deterministic projection of one scenario (N = 1)."""
    return run_scenarios(base, [scenario])
