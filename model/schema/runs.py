"""Scenario documents through the core: projections, ensembles, goal seek and sensitivity of a ``Scenario``.

Each function maps the document to parameter rows (``scenario.scenario_rows``) and calls the core
function of the same name, which knows no documents.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..core import ensemble, seek as goal_seek, sensitivity
from ..core.baseline import Baseline
from ..core.engine import Projection, simulate
from ..core.goals import GoalResults
from .scenario import Scenario, scenario_params, scenario_projects, scenario_rows


def run_scenarios(base: Baseline, scenarios: Sequence[Scenario]) -> Projection:
    """Deterministic projections of N validated scenarios in one engine call."""
    X = np.stack([scenario_params(s, base) for s in scenarios])
    return simulate(base, X, scenario_projects(scenarios, base))


def run_scenario(base: Baseline, scenario: Scenario) -> Projection:
    """The deterministic projection of one scenario (N = 1)."""
    return run_scenarios(base, [scenario])


def run_ensemble(base: Baseline, sc: Scenario, *args: Any, **kwargs: Any) -> tuple[Projection, GoalResults]:
    """``core.ensemble.run_ensemble`` of the scenario's rows: ``runs`` seeded runs and their goal results."""
    return ensemble.run_ensemble(base, scenario_rows(sc, base), *args, **kwargs)


def summarize(base: Baseline, sc: Scenario, *args: Any, **kwargs: Any) -> ensemble.EnsembleSummary:
    """``core.ensemble.summarize`` of the scenario's rows: what the page shows of its ensemble."""
    return ensemble.summarize(base, scenario_rows(sc, base), *args, **kwargs)


def seek(base: Baseline, sc: Scenario, goal_id: str, lever: str, *args: Any, **kwargs: Any) -> goal_seek.SeekResult:
    """``core.seek.seek`` from the scenario: the lever value at which ``goal_id`` is just met."""
    return goal_seek.seek(base, scenario_rows(sc, base), goal_id, lever, *args, **kwargs)


def tornado(base: Baseline, sc: Scenario, *args: Any, **kwargs: Any) -> pd.DataFrame:
    """``core.sensitivity.tornado`` around the scenario."""
    return sensitivity.tornado(base, scenario_rows(sc, base), *args, **kwargs)


def sobol(base: Baseline, sc: Scenario, *args: Any, **kwargs: Any) -> pd.DataFrame:
    """``core.sensitivity.sobol`` around the scenario."""
    return sensitivity.sobol(base, scenario_rows(sc, base), *args, **kwargs)


def what_it_takes(base: Baseline, sc: Scenario, *args: Any, **kwargs: Any) -> sensitivity.TakesMap:
    """``core.sensitivity.what_it_takes`` from the scenario: a goal over a grid of two levers."""
    return sensitivity.what_it_takes(base, scenario_rows(sc, base), *args, **kwargs)


def plausible_levels(base: Baseline) -> np.ndarray:
    """The 2024 levels each verdict is tested on (亿元): the research range's ends and the data's total."""
    d = base.uncertainty["level_2024"]
    return np.array([d.a, float(base.output0.sum()), d.b])


def level_factors(base: Baseline, levels: np.ndarray) -> np.ndarray:
    """(L, S) factors on every sector's 2024 output that give each total in ``levels`` (the split kept)."""
    return np.repeat((np.asarray(levels, dtype=float) / base.output0.sum())[:, None], len(base.sectors), axis=1)

