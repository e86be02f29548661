"""Zhoucun industrial scenario simulator — the pure model package (no UI, no printing).

Typical use::

    from model import load_baseline, parse_scenario, scenario_results
    base = load_baseline()
    sc = parse_scenario({"levers": {"investment": 15}}, base)
    res = scenario_results(base, sc)   # projection, goals, lever build-up, plausibility notes

The names below are the model's public API: the page (ui/), the workshop (workshop/) and the
benchmarks (bench/) import from here, never from ``model.core`` (an import-linter contract).
"""

from .core.baseline import Baseline, GoalSpec
from .core.engine import GAIN_PARTS, Projection, draw_normals, simulate
from .core.ensemble import DEFAULT_RUNS, DEFAULT_SEED, EnsembleSummary, ensemble_draws, simulate_ensemble
from .core.goals import (NOT_REACHED, GoalResults, achieved_growth, annual_growth, ensemble_median, evaluate_goals,
                         judged_by_ensemble, required_growth, years_to_multiple)
from .core.plausibility import Flag
from .core.sensitivity import MAP_CELLS, MAP_RUNS, OUTCOMES
from .core.specs import (ASSUMPTION_KEYS, BUILDUP_LEVERS, LEVER_KEYS, MIX_LEVERS, PARAM_SPECS, PROJECT_OUTPUT_MAX,
                         PROJECT_RAMP_MAX, ROOM_LEVERS, SCALAR_PARAMS, SECTOR_GROWTH_RANGE, SEEKABLE, SPEC_BY_NAME,
                         ParamSpec)
from .errors import DataError, ScenarioError, SimulatorError
from .io.datafolder import load_baseline, parse_scenario_bytes, read_scenario_file
from .schema.mix import DEFAULT_PROBABILITY, cheapest_mix
from .schema.results import COMPONENTS, ScenarioResults, scenario_results
from .schema.runs import (run_ensemble, run_scenario, run_scenarios, seek, sobol, summarize, tornado,
                          what_it_takes)
from .schema.scenario import (Scenario, lever_bounds, neutral_values, param_names, parse_scenario, parse_stored,
                              plan_window, resolve_goals, scenario_params, scenario_projects, scenario_rows)

__all__ = [
    # data
    "Baseline", "GoalSpec", "load_baseline", "parse_scenario_bytes", "read_scenario_file",
    # the lever registry
    "ParamSpec", "PARAM_SPECS", "SPEC_BY_NAME", "SCALAR_PARAMS", "ASSUMPTION_KEYS", "LEVER_KEYS", "SEEKABLE",
    "MIX_LEVERS", "BUILDUP_LEVERS", "ROOM_LEVERS", "PROJECT_OUTPUT_MAX", "PROJECT_RAMP_MAX", "SECTOR_GROWTH_RANGE",
    # scenarios
    "Scenario", "param_names", "parse_scenario", "parse_stored", "resolve_goals", "scenario_params",
    "scenario_projects", "scenario_rows", "lever_bounds", "neutral_values", "plan_window",
    # runs and results
    "Projection", "draw_normals", "simulate", "GAIN_PARTS",
    "run_scenario", "run_scenarios", "ScenarioResults", "scenario_results", "COMPONENTS", "Flag",
    "GoalResults", "evaluate_goals", "required_growth", "years_to_multiple", "achieved_growth", "NOT_REACHED",
    "annual_growth", "ensemble_median", "judged_by_ensemble", "MAP_CELLS", "MAP_RUNS", "DEFAULT_PROBABILITY", "cheapest_mix",
    # ensembles and analyses
    "DEFAULT_RUNS", "DEFAULT_SEED", "EnsembleSummary", "run_ensemble", "summarize", "ensemble_draws",
    "simulate_ensemble", "seek", "sobol", "tornado", "what_it_takes", "OUTCOMES",
    # errors
    "DataError", "ScenarioError", "SimulatorError",
]
