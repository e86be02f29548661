"""Convenience entry points: scenario documents in, projections out (all through ``engine.simulate``)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..io.datafolder import Baseline
from ..core.engine import ParameterDraws, Projection, simulate
from ..core.goals import GoalResults, evaluate_goals
from .scenario import Scenario, resolve_goals, scenario_params, scenario_projects


def run_scenarios(base: Baseline, scenarios: Sequence[Scenario]) -> Projection:
    """Deterministic projections of N validated scenarios in one engine call."""
    X = np.stack([scenario_params(s, base) for s in scenarios])
    return simulate(base, X, scenario_projects(scenarios, base))


def run_scenario(base: Baseline, scenario: Scenario) -> Projection:
    """The deterministic projection of one scenario (N = 1)."""
    return run_scenarios(base, [scenario])


def plausible_levels(base: Baseline) -> np.ndarray:
    """The 2024 levels each verdict is tested on (亿元): the research range's ends and the data's total."""
    d = base.uncertainty["level_2024"]
    return np.array([d.a, float(base.output0.sum()), d.b])


def level_factors(base: Baseline, levels: np.ndarray) -> np.ndarray:
    """(L, S) factors on every sector's 2024 output that give each total in ``levels`` (the split kept)."""
    return np.repeat((np.asarray(levels, dtype=float) / base.output0.sum())[:, None], len(base.sectors), axis=1)


def at_levels(base: Baseline, sc: Scenario) -> tuple[np.ndarray, GoalResults]:
    """The central path of ``sc`` at each plausible 2024 level, and its goal results (N = L)."""
    levels = plausible_levels(base)
    X = np.repeat(scenario_params(sc, base)[None], levels.size, axis=0)
    proj = simulate(base, X, scenario_projects([sc], base), draws=ParameterDraws(level=level_factors(base, levels)))
    return levels, evaluate_goals(proj, resolve_goals(sc, base))
