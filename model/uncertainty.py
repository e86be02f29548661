"""Monte Carlo ensembles of one scenario: growth shocks and project delays, summarised.

Only summaries leave this module for the page (quantile bands, probabilities, the spread of each
goal's metric); the (runs, sectors, years) arrays stay on the server.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np

from .data import Baseline
from .engine import Projection, draw_normals, simulate
from .goals import GoalResults, evaluate_goals, metric_series
from .scenario import Projects, Scenario, resolve_goals, scenario_params, scenario_projects

#: Percentiles of the fan charts: the p5–p95 and p25–p75 bands around the median.
QUANTILES = (5.0, 25.0, 50.0, 75.0, 95.0)
#: Metrics whose spread is relative (log) rather than additive, for the map's shift approximation.
LEVEL_METRICS = ("total_multiple", "cluster_total")


def draw_delays(rng: np.random.Generator, runs: int, projects: Projects, base: Baseline) -> Projects:
    """Projects with a random delay of their first year per run: Poisson(mean), capped, whole years.

    (``run_ensemble`` draws the same way, from its cached stream.)
    """
    if projects.count == 0:
        return projects
    mean, cap = base.params["project_delay_mean"], base.params["project_delay_max"]
    delay = np.minimum(rng.poisson(mean, size=(runs, projects.count)), cap)
    start = np.broadcast_to(projects.start, (runs, projects.count)) + delay
    return replace(projects, start=start)


@functools.lru_cache(maxsize=4)
def _shared_draws(base: Baseline, runs: int, seed: int, n_projects: int) -> tuple[np.ndarray, np.ndarray]:
    """Normals (T, runs, S + 1) and project delays (runs, P) of a seed, drawn once and kept read-only.

    Every scenario of a session uses the same seed, so its draws do not depend on the scenario:
    reusing them saves most of a live ensemble's random-number work (and keeps comparisons paired).
    """
    rng = np.random.default_rng(seed)
    normals = draw_normals(rng, runs, base)
    mean, cap = base.params["project_delay_mean"], base.params["project_delay_max"]
    delays = np.minimum(rng.poisson(mean, size=(runs, n_projects)), cap).astype(float)
    normals.flags.writeable = False
    delays.flags.writeable = False
    return normals, delays


def run_ensemble(base: Baseline, sc: Scenario, runs: int, seed: int, delays: bool = True
                 ) -> tuple[Projection, GoalResults]:
    """``runs`` seeded draws of ``sc`` (shocks with its volatility and correlation, and project delays).

    One engine call. The same seed gives the same draws; volatility 0 and no delays give the
    deterministic path in every run.
    """
    X = np.repeat(scenario_params(sc, base)[None, :], runs, axis=0)
    projects = scenario_projects([sc], base)
    normals, delay = _shared_draws(base, runs, seed, projects.count)
    if delays and projects.count:
        projects = replace(projects, start=np.broadcast_to(projects.start, delay.shape) + delay)
    proj = simulate(base, X, projects, normals=normals)
    return proj, evaluate_goals(proj, resolve_goals(sc, base))


@dataclass(frozen=True)
class EnsembleSummary:
    """What the page shows of an ensemble.

    Attributes
    ----------
    years : (Y,)
    total, cluster : (len(QUANTILES), Y) percentiles of total output and of the cluster, 亿元
    goal_ids : tuple of G str
    probability : (G,) share of runs meeting each goal
    deviation : dict goal id → (runs,) sorted deviation of the goal's target-year metric from the
        deterministic run (log ratio for levels, difference otherwise), for ``sensitivity.what_it_takes``
    runs, seed : int
    """

    years: np.ndarray
    total: np.ndarray
    cluster: np.ndarray
    total_pct: np.ndarray    # (101, Y) every percentile 0..100 of total output, for monitor mode
    cluster_pct: np.ndarray  # (101, Y) the same for the cluster
    goal_ids: tuple[str, ...]
    probability: np.ndarray
    deviation: dict[str, np.ndarray]
    runs: int
    seed: int


def goal_deviation(ens: GoalResults, det: GoalResults, j: int) -> np.ndarray:
    """Sorted deviations of runs' goal metric from the deterministic value (see ``EnsembleSummary``)."""
    goal = ens.goals[j]
    if goal.metric in LEVEL_METRICS:
        d = np.log(ens.value[:, j]) - np.log(det.value[0, j])
    else:
        d = ens.value[:, j] - det.value[0, j]
    return np.sort(d)


def summarize(base: Baseline, sc: Scenario, runs: int = 10_000, seed: int = 0, delays: bool = True
              ) -> EnsembleSummary:
    """Run the ensemble and keep only its summaries."""
    proj, res = run_ensemble(base, sc, runs, seed, delays)
    goals = resolve_goals(sc, base)
    det_proj = simulate(base, scenario_params(sc, base), scenario_projects([sc], base))
    det = evaluate_goals(det_proj, goals)
    total_pct = np.percentile(proj.total, np.arange(101), axis=0)
    cluster_pct = np.percentile(proj.cluster_total, np.arange(101), axis=0)
    q = np.array(QUANTILES, dtype=int)
    return EnsembleSummary(
        years=proj.years,
        total=total_pct[q],
        cluster=cluster_pct[q],
        total_pct=total_pct,
        cluster_pct=cluster_pct,
        goal_ids=res.ids,
        probability=res.probability,
        deviation={g.id: goal_deviation(res, det, j) for j, g in enumerate(goals)},
        runs=runs,
        seed=seed,
    )


def shifted_probability(deviation: np.ndarray, value: np.ndarray, goal_value: np.ndarray, metric: str) -> np.ndarray:
    """Probability of meeting a goal at deterministic ``value``, if the levers only shift the spread.

    P(value · e^d ≥ goal) for level metrics, P(value + d ≥ goal) otherwise, over the ensemble's
    deviations d (sorted). Exact for σ = 0; an approximation elsewhere (levers change the spread
    little; tests compare it with full ensembles).
    """
    value = np.asarray(value, dtype=float)
    if metric in LEVEL_METRICS:
        need = np.log(goal_value) - np.log(value)
    else:
        need = goal_value - value
    # Tolerance as in goals.MET_RTOL: a deviation of exactly "need" meets the goal.
    k = np.searchsorted(deviation, need - 1e-12, side="left")
    return 1.0 - k / deviation.size


def metric_at_target(proj: Projection, goal) -> tuple[np.ndarray, np.ndarray]:
    """(N,) the goal's metric in its target year (min_growth: the window minimum) and (N,) the goal value."""
    series, goal_value = metric_series(proj, goal)
    years = proj.years
    ti = int(np.searchsorted(years, goal.target_year))
    if goal.metric == "min_growth":
        si = int(np.searchsorted(years, goal.start_year or years[1]))
        return series[:, si: ti + 1].min(axis=1), goal_value
    return series[:, ti], goal_value
