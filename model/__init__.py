"""Zhoucun industrial scenario simulator — the pure model package (no UI, no printing).

Typical use::

    from model import load_baseline, parse_scenario, run_scenario, evaluate_goals, resolve_goals
    base = load_baseline()
    sc = parse_scenario({"levers": {"investment": 15}}, base)
    proj = run_scenario(base, sc)
    results = evaluate_goals(proj, resolve_goals(sc, base))
"""

from .core.baseline import Baseline, GoalSpec
from .core.engine import Projection, draw_normals, simulate
from .core.goals import GoalResults, evaluate_goals, required_growth, years_to_multiple
from .errors import DataError, ScenarioError, SimulatorError
from .io.datafolder import load_baseline, parse_scenario_bytes, read_scenario_file
from .schema.runs import run_scenario, run_scenarios
from .schema.scenario import (Scenario, param_names, parse_scenario, resolve_goals, scenario_params,
                       scenario_projects)
from .core.ensemble import DEFAULT_RUNS, DEFAULT_SEED
from .schema.runs import run_ensemble, summarize

__all__ = [
    "Baseline", "GoalSpec", "load_baseline", "parse_scenario_bytes", "read_scenario_file",
    "Projection", "draw_normals", "simulate",
    "DataError", "ScenarioError", "SimulatorError",
    "GoalResults", "evaluate_goals", "required_growth", "years_to_multiple",
    "run_scenario", "run_scenarios", "DEFAULT_RUNS", "DEFAULT_SEED", "run_ensemble", "summarize",
    "Scenario", "param_names", "parse_scenario", "resolve_goals", "scenario_params", "scenario_projects",
]
