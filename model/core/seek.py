"""Goal seek: the value of one lever at which a goal is just met, deterministically or with a chance.

Output rises with every lever (the engine is monotone), and so do most goal metrics; a share can
fall (more 小升规 entrants dilute the high-tech share; a higher trend brings the sectors' growth
rates closer together). The search therefore brackets the first crossing on a grid, in whichever
direction, and narrows it. Each round evaluates several lever values at once (one vectorised engine
call, or a few when the draws are many), so the bracket shrinks by a factor ``points + 1`` per round:
a few rounds reach the tolerance.
With a probability, every lever value sees the same draws (common random numbers), which keeps the
estimated probability monotone in the lever.

Advice carries its chance (issue 17, finding 2): whatever the search mode, the result holds the
``setting`` (the value on the lever's slider grid, on the side that meets the goal) and ``chance``, the
share of the page's ensemble (``DEFAULT_RUNS`` runs, ``DEFAULT_SEED``: the same as ``python -m model
targets`` and the cards) that meets the goal at that setting. A setting that meets the goal on the
central path can have a chance of 7 %; a search at a chance returns one whose chance is at least it.

Within limits (issue 19): ``within`` names feasibility constraints (``energy``, ``land``, ``fiscal`` or
constraint ids) the answer must also keep. On the central path a lever value then counts as meeting the
goal only where the goal is met *and* every named judged constraint holds; at a chance, the share of
runs that meet the goal *and* keep every named constraint must reach it. The record says which named
constraint binds first at the unconstrained answer (``binds_first``: None when it fits) and the chance of
staying within at the setting; when the goal cannot be met within the limits the search says so
(``reachable`` False) and returns the lever value closest to the goal that still fits (or the
unconstrained best when nothing fits). A constraint without a sourced limit (status ``none``) holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .baseline import Baseline
from .engine import simulate
from .ensemble import DEFAULT_RUNS, DEFAULT_SEED, ensemble_draws, simulate_ensemble
from .feasibility import FeasibilityData, feasibility, feasibility_ensemble, first_binding, within_all, within_ids
from .goals import evaluate_goals, goal_floor, metric_at_target
from .rows import ScenarioRows, lever_bounds, set_param
from .specs import SEEKABLE, SPEC_BY_NAME

#: Levers (and the growth assumption) a goal can be sought on.
MAX_ROUNDS = 50
#: Most engine rows simulated at once (lever values × draws). Memory grows with rows × projects ×
#: years: at 60 projects a 10 000-draw row block takes ~200 MB, so larger searches go in blocks.
MAX_ROWS = 10_000


@dataclass(frozen=True)
class SeekResult:
    """Outcome of ``seek``.

    ``value`` is the lever value found (the smallest that meets the goal when ``reachable``; else the
    best value in the lever's range); ``residual`` is the margin there (metric − the lowest value
    that meets the goal, or probability − target probability), ≥ 0 when met; ``iterations``
    counts search rounds (each evaluates ``points`` lever values at once) and ``engine_calls`` the
    engine calls they took (one per round, more when lever values × draws exceed ``MAX_ROWS`` rows).

    ``setting`` is ``value`` moved onto the lever's slider grid (its ``step``) towards the side that
    meets the goal, within the lever's range — the value to quote and apply. ``chance`` is the share of
    ``chance_runs`` runs (seed ``chance_seed``) of the ensemble that meet the goal at ``setting``
    (NaN when not asked for).
    """

    goal: str
    lever: str
    probability: float | None
    value: float
    converged: bool
    reachable: bool
    iterations: int
    engine_calls: int
    residual: float
    outcome: float  # the metric (deterministic) or the probability at ``value``
    setting: float = float("nan")
    chance: float = float("nan")
    chance_runs: int = DEFAULT_RUNS
    chance_seed: int = DEFAULT_SEED
    within: tuple[str, ...] = ()
    binds_first: str | None = None
    within_chance: float = float("nan")
    unconstrained_setting: float = float("nan")

    def to_dict(self) -> dict:
        return {"lever": self.lever, "value": self.value, "setting": self.setting, "chance": self.chance,
                "within": list(self.within), "binds_first": self.binds_first,
                "within_chance": None if np.isnan(self.within_chance) else self.within_chance,
                "unconstrained_setting": None if np.isnan(self.unconstrained_setting) else self.unconstrained_setting,
                "chance_runs": self.chance_runs, "chance_seed": self.chance_seed, "converged": self.converged,
                "iterations": self.iterations, "engine_calls": self.engine_calls, "residual": self.residual, "reachable": self.reachable,
                "goal": self.goal, "probability": self.probability, "outcome": self.outcome}


def grid_setting(lever: str, value: float, up: bool, bounds: tuple[float, float]) -> float:
    """``value`` on the lever's slider grid (multiples of its step), rounded up (``up``) or down, within ``bounds``."""
    step = SPEC_BY_NAME[lever].step
    q = value / step
    k = np.ceil(q - 1e-9) if up else np.floor(q + 1e-9)
    return float(min(bounds[1], max(bounds[0], round(float(k) * step, 10))))


def chance_at(base: Baseline, rows: ScenarioRows, goal_id: str, lever: str, value: float,
              runs: int = DEFAULT_RUNS, seed: int = DEFAULT_SEED) -> float:
    """Share of ``runs`` runs of the ensemble (seed ``seed``) meeting ``goal_id`` with ``lever`` at ``value``."""
    goal = rows.goal(goal_id)
    X = set_param(base, rows, rows.x[None, :].copy(), lever, np.array([value], dtype=float))
    proj = simulate_ensemble(base, X, rows.projects, ensemble_draws(base, runs, seed))
    return float(evaluate_goals(proj, (goal,)).met[:, 0].mean())


def _with_lever(base: Baseline, rows: ScenarioRows, lever: str, value: float) -> ScenarioRows:
    return replace(rows, x=set_param(base, rows, rows.x[None, :].copy(), lever, np.array([value], dtype=float))[0])


def fits_at(base: Baseline, data: FeasibilityData, rows: ScenarioRows, lever: str, value: float,
            within: tuple[str, ...], runs: int, seed: int) -> tuple[str | None, float]:
    """At ``lever`` = ``value``: the named constraint that binds first on the central path (None if all
    hold) and the share of ``runs`` runs (seed ``seed``) keeping every named constraint."""
    r = _with_lever(base, rows, lever, value)
    central = feasibility(base, data, r)
    ens = feasibility_ensemble(base, data, r, ensemble_draws(base, runs, seed), seed)
    return first_binding(central, within), float(within_all(ens, within).mean())


def seek(base: Baseline, rows: ScenarioRows, goal_id: str, lever: str, probability: float | None = None,
         runs: int = DEFAULT_RUNS, seed: int = DEFAULT_SEED, points: int = 8, tol: float | None = None,
         max_rounds: int = MAX_ROUNDS, with_chance: bool = True, within=(),
         data: FeasibilityData | None = None) -> SeekResult:
    """Find the lever value at which ``goal_id`` is just met (or met with ``probability``).

    Parameters
    ----------
    rows : ScenarioRows
        The scenario (``model.schema.scenario.scenario_rows``; ``model.schema.runs.seek`` takes the document).
    probability : float in (0, 1), optional
        None: the deterministic run must meet the goal. Else the share of ``runs`` runs of the
        ensemble (``ensemble.ensemble_draws``: the same draws as the page's chances) that meet it
        must reach ``probability``.
    runs, seed : int
        The ensemble of the search (with ``probability``) and of the reported ``chance`` (default: the
        page's 10 000 runs and seed, so that the chance is the one the cards show once applied).
    points : int
        Lever values evaluated per round (at most as many as fit in one engine call of ``MAX_ROWS`` rows).
    tol : float, optional
        Width of the final bracket in the lever's unit (default: a tenth of the slider step).
    with_chance : bool
        Compute ``chance`` at ``setting`` (one ensemble call; free when searching at a probability
        over the same runs). Off for internal pricing (``mix``).
    within : str or iterable of str
        Feasibility constraints to stay within (``feasibility.WITHIN_GROUPS``: "energy", "land",
        "fiscal" or ids); needs ``data``, the region's feasibility data.
    """
    if lever not in SEEKABLE:
        raise ValueError(f"lever must be one of {', '.join(SEEKABLE)}")
    goals = {g.id: g for g in rows.goals}
    if goal_id not in goals:
        raise ValueError(f"goal must be one of {', '.join(goals)}")
    if probability is not None and not 0.0 < probability < 1.0:
        raise ValueError("probability must be between 0 and 1")
    goal = goals[goal_id]
    within = within_ids(within)
    if within:
        if data is None:
            raise ValueError("within needs the region's feasibility data")
        free = seek(base, rows, goal_id, lever, probability, runs, seed, points, tol, max_rounds, with_chance)
        binds, share = fits_at(base, data, rows, lever, free.setting, within, runs, seed)
        if binds is None and probability is not None and free.reachable:
            # the central path fits; at a chance the joint share of runs must reach it too
            both = _joint_chance(base, data, _with_lever(base, rows, lever, free.setting), goal, within, runs, seed)
            if both < probability:
                binds = _least_kept(base, data, _with_lever(base, rows, lever, free.setting), within, runs, seed)
        if binds is None:
            return replace(free, within=within, within_chance=share, unconstrained_setting=free.setting)
    tol = SPEC_BY_NAME[lever].step / 10 if tol is None else tol
    x0, projects = rows.x, rows.projects
    draws = None if probability is None else ensemble_draws(base, runs, seed)
    per = MAX_ROWS if draws is None else max(1, MAX_ROWS // runs)  # lever values per engine call
    # When one lever value fills an engine call, bisection (one value a round) narrows the bracket the
    # most per call: points / log(points + 1) calls per e-fold is smallest at points = 1.
    inner_points = 1 if per == 1 else points
    engine_calls = 0
    bounds = lever_bounds(base)[lever]

    def result(value: float, converged: bool, reachable: bool, rounds: int, margin: float, outcome: float,
               rising: bool) -> SeekResult:
        """The record, with the setting on the slider grid (towards the met side) and its chance."""
        nonlocal engine_calls
        setting = grid_setting(lever, value, rising, bounds) if reachable else grid_setting(lever, value, True, bounds)
        if within and not bool(evaluate(np.array([setting]))[2][0]):
            # the grid step would leave the limits: the grid point on the other side, or the value itself
            other = grid_setting(lever, value, setting < value, bounds)
            setting = other if bool(evaluate(np.array([other]))[2][0]) else float(value)
        chance = float("nan")
        if with_chance:
            chance = chance_at(base, rows, goal_id, lever, setting, runs, seed)
            engine_calls += 1
        out = SeekResult(goal_id, lever, probability, float(value), converged, reachable, rounds, engine_calls,
                         float(margin), float(outcome), setting, chance, runs, seed)
        if within:
            _, share = fits_at(base, data, rows, lever, setting, within, runs, seed)
            out = replace(out, within=within, binds_first=binds, within_chance=share,
                          unconstrained_setting=free.setting)
        return out

    def fitting_edge(xs: np.ndarray, margin: np.ndarray, outcome: np.ndarray, fits: np.ndarray,
                     rounds: int) -> SeekResult:
        """Unreachable within the limits: the lever value nearest the goal that still fits, narrowed to ``tol``
        (fitting values are taken to be those below an edge, or above it for a falling goal)."""
        best = np.where(fits, margin, -np.inf)
        k = int(np.argmax(best))
        step = 1 if k + 1 < xs.size and not fits[k + 1] else -1
        if not 0 <= k + step < xs.size or fits[k + step]:
            return result(xs[k], False, False, rounds, margin[k], outcome[k], True)
        inside, outside, mk, ok_ = xs[k], xs[k + step], margin[k], outcome[k]
        while abs(outside - inside) > tol and rounds < max_rounds:
            inner = np.linspace(inside, outside, inner_points + 2)[1:-1]
            m, o, fi = evaluate(inner)
            rounds += 1
            if fi[0]:
                j = int(np.argmin(fi)) - 1 if not fi.all() else fi.size - 1
                inside, mk, ok_ = inner[j], m[j], o[j]
                outside = inner[j + 1] if j + 1 < fi.size else outside
            else:
                outside = inner[0]
        return result(inside, False, False, rounds, mk, ok_, True)

    def evaluate(xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(margin, outcome, fits) at each lever value, in blocks of at most ``MAX_ROWS`` engine rows."""
        nonlocal engine_calls
        engine_calls += -(-xs.size // per)
        parts = [evaluate_block(xs[i: i + per]) for i in range(0, xs.size, per)]
        return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))

    def evaluate_block(xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(margin, outcome, fits) at each lever value: one engine call over len(xs) × draws rows.

        ``fits``: the central path keeps the ``within`` constraints (all True without them; at a chance
        the margin is already that of the joint share)."""
        X = set_param(base, rows, np.repeat(x0[None, :], xs.size, axis=0), lever, xs)
        if draws is None:
            proj = simulate(base, X, projects)
            value, goal_value = metric_at_target(proj, goal)
            fits = np.array([bool(within_all(feasibility(base, data, replace(rows, x=x)), within)[0]) for x in X]) \
                if within else np.ones(xs.size, dtype=bool)
            return value - goal_floor(goal_value), value, fits
        proj = simulate_ensemble(base, X, projects, draws)
        met = evaluate_goals(proj, (goal,)).met[:, 0].reshape(xs.size, runs).copy()
        if within:
            for j, x in enumerate(X):
                met[j] &= within_all(feasibility_ensemble(base, data, replace(rows, x=x), draws, seed), within)
        p = met.mean(axis=1)
        return p - probability, p, np.ones(xs.size, dtype=bool)

    lo, hi = bounds
    xs = np.linspace(lo, hi, points + 2)
    margin, outcome, fits = evaluate(xs)
    rounds = 1
    met = (margin >= 0) & fits
    if not met.any():  # no value in the range meets it: report the best reachable value (within the limits if any fit)
        if within and fits.any() and not fits.all():
            return fitting_edge(xs, margin, outcome, fits, rounds)
        k = int(margin.size - 1 - np.argmax(margin[::-1]))  # ties: the most of the lever
        return result(xs[k], False, False, rounds, margin[k], outcome[k], True)
    if met.all():
        return result(lo, True, True, rounds, margin[0], outcome[0], False)
    # Most goals rise with every lever, but not all (the advanced share falls as overall growth rises):
    # take the first crossing on the grid, either way, and keep its "met" end as the answer.
    k = int(np.nonzero(met[1:] != met[:-1])[0][0]) + 1
    rising = bool(met[k])
    if rising:      # unmet at xs[k-1], met at xs[k]
        unmet_x, met_x, mb, ob = xs[k - 1], xs[k], margin[k], outcome[k]
    else:           # falling: met at xs[k-1], unmet at xs[k]
        met_x, unmet_x, mb, ob = xs[k - 1], xs[k], margin[k - 1], outcome[k - 1]
    while abs(met_x - unmet_x) > tol and rounds < max_rounds:
        inner = np.linspace(unmet_x, met_x, inner_points + 2)[1:-1]  # ordered from the unmet end
        m, o, fi = evaluate(inner)
        rounds += 1
        ok = np.nonzero((m >= 0) & fi)[0]
        if ok.size:
            i = int(ok[0])
            met_x, mb, ob = inner[i], m[i], o[i]
            unmet_x = inner[i - 1] if i > 0 else unmet_x
        else:
            unmet_x = inner[-1]
    return result(met_x, bool(abs(met_x - unmet_x) <= tol), True, rounds, mb, ob, rising)


def _joint_chance(base: Baseline, data: FeasibilityData, rows: ScenarioRows, goal, within: tuple[str, ...],
                  runs: int, seed: int) -> float:
    """Share of runs that meet ``goal`` and keep every constraint of ``within``."""
    draws = ensemble_draws(base, runs, seed)
    proj = simulate_ensemble(base, rows.x[None, :], rows.projects, draws)
    met = evaluate_goals(proj, (goal,)).met[:, 0]
    return float((met & within_all(feasibility_ensemble(base, data, rows, draws, seed), within)).mean())


def _least_kept(base: Baseline, data: FeasibilityData, rows: ScenarioRows, within: tuple[str, ...],
                runs: int, seed: int) -> str:
    """The constraint of ``within`` kept in the fewest runs (ties: ``CONSTRAINTS`` order)."""
    ens = feasibility_ensemble(base, data, rows, ensemble_draws(base, runs, seed), seed)
    return min(within, key=lambda c: float(np.mean(ens.constraint(c).within)))
