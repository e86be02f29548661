"""Convenience entry points: scenario documents in, projections out (all through ``engine.simulate``)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .data import Baseline
from .engine import Projection, draw_normals, simulate
from .scenario import Scenario, scenario_params, scenario_projects


def run_scenarios(base: Baseline, scenarios: Sequence[Scenario]) -> Projection:
    """Deterministic projections of N validated scenarios in one engine call."""
    X = np.stack([scenario_params(s, base) for s in scenarios])
    return simulate(base, X, scenario_projects(scenarios, base))


def run_scenario(base: Baseline, scenario: Scenario) -> Projection:
    """The deterministic projection of one scenario (N = 1)."""
    return run_scenarios(base, [scenario])


def monte_carlo(base: Baseline, scenario: Scenario, runs: int, rng: np.random.Generator) -> Projection:
    """``runs`` draws of one scenario with its volatility and correlation, in one engine call.

    With volatility 0 every draw equals the deterministic path.
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    X = np.repeat(scenario_params(scenario, base)[None, :], runs, axis=0)
    return simulate(base, X, scenario_projects([scenario], base), normals=draw_normals(rng, runs, base))
