"""What drives the goals: tornado (one at a time), Sobol indices (SALib), and the two-lever map.

Each takes a scenario's parameter rows (``rows.ScenarioRows``); ``model.schema.runs`` has the same
functions for scenario documents.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .baseline import Baseline
from .engine import param_names, simulate
from .ensemble import DEFAULT_RUNS, DEFAULT_SEED, EnsembleDraws, ensemble_draws, simulate_ensemble
from .goals import evaluate_goals, meets, metric_at_target
from .rows import ScenarioRows, lever_bounds, set_param
from .specs import PARAM_SPECS, SPEC_BY_NAME

#: Parameters that move deterministic outcomes (volatility and correlation act only on ensembles).
DRIVERS = tuple(s.name for s in PARAM_SPECS if s.sensitivity > 0)
#: Draws per cell of the what-it-takes map: the first MAP_RUNS runs of the page's ensemble. Against the
#: full 10 000 runs a cell's chance then differs by at most sqrt(p(1 − p)(1/2000 − 1/10 000)) ≤ 1.0
#: point (one standard error, at p = 50 %): 3 points is three standard errors.
MAP_RUNS = 2000
#: Cells per side of the map: 15 × 15 × 2 000 = 450 000 engine rows (45 engine calls of MAX_ROWS).
MAP_CELLS = 15
#: Most engine rows simulated at once (cells × draws), as in goal seek.
MAX_ROWS = 10_000
#: Outcomes of the tornado and Sobol analyses, each the metric of one goal in its target year.
OUTCOMES = {"total": "doubling", "advanced_share": "advanced_share_2035", "cluster": "stainless_cluster"}


def ranges(base: Baseline, rows: ScenarioRows) -> dict[str, tuple[float, float]]:
    """Low and high value of each driver: its current value ± its stated sensitivity, within bounds."""
    x = dict(zip(param_names(base), rows.x))
    bounds = lever_bounds(base)
    out = {}
    for name in DRIVERS:
        lo, hi = bounds[name]
        d = SPEC_BY_NAME[name].sensitivity
        out[name] = (max(lo, x[name] - d), min(hi, x[name] + d))
    return out


def _outcome(base: Baseline, rows: ScenarioRows, outcome: str, X: np.ndarray) -> np.ndarray:
    goal = rows.goal(OUTCOMES[outcome])
    proj = simulate(base, X, rows.projects)
    value, _ = metric_at_target(proj, goal)
    return value  # total_multiple: the total in the target year, 亿元


def tornado(base: Baseline, rows: ScenarioRows, outcome: str = "total") -> pd.DataFrame:
    """Each driver at the low and high end of its range, the others at the scenario: one engine call.

    Returns columns ``param, low, high, outcome_low, outcome_high, base, span``, sorted by span.
    """
    x0 = rows.x
    rng = ranges(base, rows)
    blocks = [x0[None, :]]
    for name in DRIVERS:
        blocks.append(set_param(base, rows, np.repeat(x0[None, :], 2, axis=0), name, np.array(rng[name])))
    y = _outcome(base, rows, outcome, np.concatenate(blocks))
    table = pd.DataFrame({
        "param": DRIVERS,
        "low": [rng[n][0] for n in DRIVERS],
        "high": [rng[n][1] for n in DRIVERS],
        "outcome_low": y[1::2],
        "outcome_high": y[2::2],
        "base": y[0],
    })
    table["span"] = (table.outcome_high - table.outcome_low).abs()
    return table.sort_values("span", ascending=False, kind="stable").reset_index(drop=True)


def sobol(base: Baseline, rows: ScenarioRows, outcome: str = "total", n: int = 512, seed: int = 0,
          progress: Callable[[float], None] | None = None, chunk: int = 2048) -> pd.DataFrame:
    """First-order and total Sobol indices of the drivers over their ranges (SALib, Saltelli sampling).

    ``n`` base samples (a power of 2) give n·(D + 2) engine rows, evaluated in chunks so that
    ``progress`` (0–1) can be reported. Returns ``param, S1, S1_conf, ST, ST_conf`` sorted by ST.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    rng = ranges(base, rows)
    problem = {"num_vars": len(DRIVERS), "names": list(DRIVERS), "bounds": [list(rng[n_]) for n_ in DRIVERS]}
    sample = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    X = np.repeat(rows.x[None, :], len(sample), axis=0)
    for k, name in enumerate(DRIVERS):
        X = set_param(base, rows, X, name, sample[:, k])
    y = np.empty(len(X))
    for start in range(0, len(X), chunk):
        y[start: start + chunk] = _outcome(base, rows, outcome, X[start: start + chunk])
        if progress is not None:
            progress(min(1.0, (start + chunk) / len(X)))
    si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    table = pd.DataFrame({"param": DRIVERS, "S1": si["S1"], "S1_conf": si["S1_conf"], "ST": si["ST"],
                          "ST_conf": si["ST_conf"]})
    return table.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class TakesMap:
    """A two-lever grid for one goal (``what_it_takes``).

    ``probability`` is each cell's share of ``runs`` ensemble runs meeting the goal (the first ``runs``
    runs of the page's ensemble, the same in every cell: common random numbers); ``mc_error`` its
    largest Monte Carlo standard error, sqrt(0.25 / runs), a fraction. ``runs`` = 0: no draws, the
    chance is 0 or 1 from the central path.
    """

    goal: str
    x_lever: str
    y_lever: str
    xs: np.ndarray           # (n,)
    ys: np.ndarray           # (n,)
    value: np.ndarray        # (n_y, n_x) the goal's metric in its target year (central path)
    goal_value: float
    met: np.ndarray          # (n_y, n_x) bool, central path
    probability: np.ndarray  # (n_y, n_x) chance of meeting the goal, from the draws
    current: tuple[float, float]
    runs: int = 0
    seed: int = DEFAULT_SEED
    mc_error: float = 0.0
    engine_calls: int = 1

    def frame(self) -> pd.DataFrame:
        gx, gy = np.meshgrid(self.xs, self.ys)
        return pd.DataFrame({"x": gx.ravel(), "y": gy.ravel(), "value": self.value.ravel(),
                             "met": self.met.ravel(), "probability": self.probability.ravel()})


def first_runs(draws: EnsembleDraws, runs: int) -> EnsembleDraws:
    """The first ``runs`` runs of an ensemble's draws (views, no copy): every array's run axis cut."""
    def cut(name: str, a):
        if not isinstance(a, np.ndarray):
            return a
        return a[:, :runs] if name == "normals" else a[:runs]  # normals are (T, runs, S + 1)

    params = dataclasses.replace(draws.params, **{f.name: cut(f.name, getattr(draws.params, f.name))
                                                  for f in dataclasses.fields(draws.params)})
    kept = {f.name: cut(f.name, getattr(draws, f.name)) for f in dataclasses.fields(draws)
            if f.init and f.name != "params"}
    return type(draws)(params=params, **kept)


def what_it_takes(base: Baseline, rows: ScenarioRows, goal_id: str, x_lever: str, y_lever: str, n: int = MAP_CELLS,
                  runs: int = MAP_RUNS, seed: int = DEFAULT_SEED,
                  progress: Callable[[float], None] | None = None) -> TakesMap:
    """The goal over an n × n grid of two levers' full ranges: the central path and the chance of each cell.

    Each cell's chance is the share of the first ``runs`` runs of the page's ensemble (``DEFAULT_RUNS``
    runs of ``seed``) that meet the goal with the levers at that cell — the draws of the model, not a
    shift of the current scenario's spread (issue 17, finding 3: the shift put trade 30 / chain 80 at
    70 % for the cluster where the ensemble gives 39 %). Every cell sees the same draws, so the map is
    smooth and its differences are not noise. Cells go ``MAX_ROWS // runs`` to an engine call;
    ``progress`` (0–1) is called after each. ``runs`` = 0: the central path only (one engine call).
    """
    names = param_names(base)
    bounds = lever_bounds(base)
    xs = np.linspace(*bounds[x_lever], n)
    ys = np.linspace(*bounds[y_lever], n)
    gx, gy = np.meshgrid(xs, ys)
    x0 = rows.x
    settings = [(x_lever, gx.ravel()), (y_lever, gy.ravel())]
    settings.sort(key=lambda s: s[0] != "growth")  # growth first: it moves a neutral investment along
    X = np.repeat(x0[None, :], n * n, axis=0)
    for name, values in settings:
        X = set_param(base, rows, X, name, values)
    goal = rows.goal(goal_id)
    proj = simulate(base, X, rows.projects)
    value, goal_value = metric_at_target(proj, goal)
    met = meets(value, goal_value)
    calls = 1
    if runs <= 0:
        prob = met.astype(float)
    else:
        draws = first_runs(ensemble_draws(base, max(runs, DEFAULT_RUNS), seed), runs)
        per = max(1, MAX_ROWS // runs)
        prob = np.empty(n * n)
        for start in range(0, n * n, per):
            block = X[start: start + per]
            ens = simulate_ensemble(base, block, rows.projects, draws)
            prob[start: start + len(block)] = evaluate_goals(ens, (goal,)).met[:, 0].reshape(len(block), runs).mean(axis=1)
            calls += 1
            if progress is not None:
                progress(min(1.0, (start + per) / (n * n)))
    shape = (n, n)
    return TakesMap(goal_id, x_lever, y_lever, xs, ys, value.reshape(shape), float(goal_value[0]),
                    met.reshape(shape), prob.reshape(shape),
                    (float(x0[names.index(x_lever)]), float(x0[names.index(y_lever)])),
                    runs=max(runs, 0), seed=seed, mc_error=0.0 if runs <= 0 else float(np.sqrt(0.25 / runs)),
                    engine_calls=calls)
