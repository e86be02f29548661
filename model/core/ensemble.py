"""The one Monte Carlo ensemble: what the CLI, the page, the workbook, the briefing and goal seek use.

A run draws growth shocks (``volatility``, ``correlation``) and the uncertain data of
``uncertainty.csv``: the unpublished 2024 level and its sector split, the capital elasticity, the
scale of the 技改 effect, the share of key projects' stated output they reach, a delay common to
all projects plus each project's own delay (``parameters.csv``), the trend growth of stainless
trade, the share of the trade_expansion lever's extra growth that materialises, and each sector's
high-tech part (consistent with the published 2020 share, ``high_tech_draws``). The draws depend on the seed and the run count only, not on the scenario, so two scenarios
(or two lever values in goal seek) see the same draws: common random numbers.

Only summaries leave this module for the page (quantile bands, probabilities, the spread of each
goal's metric); the (runs, sectors, years) arrays stay on the server.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, fields, replace

import numpy as np

from .baseline import Baseline
from .engine import ParameterDraws, poisson_capped_pmf, Projection, Projects, Shocks, draw_normals, shock_paths, simulate
from .goals import GoalResults, evaluate_goals, goal_floor, metric_at_target  # noqa: F401 (re-export)
from .rows import ScenarioRows
from .specs import FIXED_PARAMS, MAX_PROJECTS

_VOL, _RHO = FIXED_PARAMS.index("volatility"), FIXED_PARAMS.index("correlation")
#: Ensemble size and seed of every chance the tool shows (page, workbook, briefing, CLI default).
DEFAULT_RUNS = 10_000
DEFAULT_SEED = 20_241_231
#: Percentiles of the fan charts: the p5–p95 and p25–p75 bands around the median.
QUANTILES = (5.0, 25.0, 50.0, 75.0, 95.0)
#: Metrics whose spread is relative (log) rather than additive, for the map's shift approximation.
LEVEL_METRICS = ("total_multiple", "cluster_total")


@dataclass(frozen=True)
class EnsembleDraws:
    """Every random number of an ensemble of ``runs`` runs (read-only arrays).

    normals : (T, runs, S + 1) shocks; delays : (runs, MAX_PROJECTS) whole years, the common
    delay plus each project's own; size : (runs,) share of stated project output reached;
    params : the engine's per-run data draws.
    """

    normals: np.ndarray
    delays: np.ndarray
    size: np.ndarray
    params: ParameterDraws
    #: The last few (σ, ρ)'s shock paths (``engine.shock_paths``), ~10 MB each: a lever move reuses them.
    _shocks: OrderedDict = field(default_factory=OrderedDict, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    @property
    def runs(self) -> int:
        return self.size.shape[0]

    def shocks(self, base: Baseline, volatility: float, correlation: float) -> Shocks:
        """The shock paths of these draws at σ = ``volatility`` (%) and ρ = ``correlation``: made once,
        kept for the ``SHOCK_CACHE`` latest pairs (read-only; the draws depend on the seed only)."""
        key = (float(volatility), float(correlation))
        with self._lock:
            hit = self._shocks.get(key)
            if hit is not None:
                self._shocks.move_to_end(key)
                return hit
            R = self.runs
            made = shock_paths(base, self.normals, np.full(R, key[0]), np.full(R, key[1]), self.params.level)
            for a in (made.paths, made.trade):
                a.flags.writeable = False
            self._shocks[key] = made
            while len(self._shocks) > SHOCK_CACHE:
                self._shocks.popitem(last=False)
            return made


#: (σ, ρ) pairs whose shock paths each set of draws keeps (moving a lever keeps σ and ρ; an assumption
#: slider moved back and forth keeps two).
SHOCK_CACHE = 2
#: Equally likely values of a stratified draw (``_draw(..., strata=STRATA)``).
STRATA = 16


def _poisson_capped(rng: np.random.Generator, mean: float, cap: float, size) -> np.ndarray:
    """Poisson(mean) draws with everything above ``cap`` set to ``cap``, by inverting the CDF of uniforms."""
    pmf = poisson_capped_pmf(mean, int(cap))[:-1]
    return np.searchsorted(np.cumsum(pmf), rng.random(size), side="right").astype(float)


def _draw(rng: np.random.Generator, dist, n: int, shape: tuple[int, ...] = (), strata: int = 0) -> np.ndarray:
    """``n`` draws of a distribution of uncertainty.csv.

    ``strata`` > 0 (uniform only): each draw is the midpoint of one of ``strata`` equally likely bins,
    chosen at random — a stratified discretisation that lets the engine evaluate each value once.
    """
    size = (n, *shape)
    if dist.kind == "uniform":
        if strata:
            return dist.a + (dist.b - dist.a) * (rng.integers(0, strata, size) + 0.5) / strata
        return rng.uniform(dist.a, dist.b, size)
    if dist.kind == "normal":
        return rng.normal(dist.a, dist.b, size)
    if dist.kind == "lognormal":
        return np.exp(rng.normal(dist.a, dist.b, size))
    return _poisson_capped(rng, dist.a, dist.b, size)


def high_tech_draws(base: Baseline, z: np.ndarray) -> np.ndarray:
    """(N, S) sectors' high-tech parts: logit h_i + z_i shifted by one λ per run (bisection) so that the
    2020 back-cast Σ w_i h_i (w: 2024 output back-cast along the trends) equals the data's."""
    year = base.published_high_tech[1]
    back = base.output0 / (1.0 + base.trend_pct / 100.0) ** (base.base_year - year)
    w = back / back.sum()
    h0 = np.clip(base.high_tech_share, 1e-6, 1.0 - 1e-6)
    target = float(w @ h0)
    x = np.log(h0 / (1.0 - h0)) + z
    lo, hi = np.full(z.shape[0], -20.0), np.full(z.shape[0], 20.0)
    for _ in range(60):  # the share rises with λ: halve the bracket
        mid = 0.5 * (lo + hi)
        above = (1.0 / (1.0 + np.exp(-(x + mid[:, None])))) @ w > target
        hi, lo = np.where(above, mid, hi), np.where(above, lo, mid)
    return 1.0 / (1.0 + np.exp(-(x + 0.5 * (lo + hi)[:, None])))


@functools.lru_cache(maxsize=4)
def ensemble_draws(base: Baseline, runs: int = DEFAULT_RUNS, seed: int = DEFAULT_SEED) -> EnsembleDraws:
    """The draws of a seed, made once and kept read-only (every scenario of a session reuses them)."""
    rng = np.random.default_rng(seed)
    U = base.uncertainty
    normals = draw_normals(rng, runs, base)
    own = _poisson_capped(rng, base.params["project_delay_mean"], base.params["project_delay_max"],
                          (runs, MAX_PROJECTS))
    common = _draw(rng, U["project_delay_common"], runs)
    size = _draw(rng, U["project_size"], runs)
    total = _draw(rng, U["level_2024"], runs)
    split = base.output0 * _draw(rng, U["sector_split"], runs, (len(base.sectors),))
    level = total[:, None] * split / split.sum(axis=1, keepdims=True) / base.output0
    # α and θ enter transcendental functions of whole paths: stratified, so each value is computed once.
    params = ParameterDraws(level=level, capital_elasticity=_draw(rng, U["capital_elasticity"], runs, strata=STRATA),
                            tech_scale=_draw(rng, U["tech_scale"], runs, strata=STRATA),
                            trade_growth=_draw(rng, U["trade_growth"], runs),
                            trade_scale=_draw(rng, U["trade_scale"], runs))
    delays = own + common[:, None]
    # Drawn last, so that the draws above are those of model v2 for the same seed.
    params = replace(params, high_tech=high_tech_draws(base, _draw(rng, U["high_tech_share"], runs, (len(base.sectors),))),
                     trade_capital_output=_draw(rng, U["trade_capital_output"], runs))
    for a in (normals, delays, size, level, params.capital_elasticity, params.tech_scale, params.trade_growth,
              params.trade_scale, params.high_tech, params.trade_capital_output):
        a.flags.writeable = False
    return EnsembleDraws(normals=normals, delays=delays, size=size, params=params)


class _LastRuns:
    """The last few one-row ensemble simulations, found by content.

    One slider move asks for the same scenario's runs more than once: its results (steady growth is
    judged over the runs) and the page's ensemble summary ask for the same runs; its feasibility asks
    for them with ``detail`` and for two counterfactual rows (no package; 技改 only) that a move of any
    other lever leaves unchanged. Kept, none of these is simulated twice. A kept result is the one asked
    for, with or without ``detail`` (the two sum the 小升规 and project cohorts in a different order, so
    the goals' chances stay bit for bit those of the seek's many-row calls). ``SIZE`` entries, about
    36–57 MB each at 10 000 runs, the oldest released first; their arrays are read-only, as the callers
    share them. The engine is pure, so a hit returns what a new simulation would.
    """

    SIZE = 4

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, tuple[tuple, Projection]] = OrderedDict()

    @staticmethod
    def key(base: Baseline, x: np.ndarray, projects: Projects, draws: EnsembleDraws, detail: bool) -> tuple:
        parts = (x, projects.sector, np.asarray(projects.start), projects.output, projects.ramp, projects.investment)
        content = (id(base), id(draws), detail, tuple((a.dtype.str, a.shape, a.tobytes()) for a in parts))
        return content, (base, draws)

    def get(self, key: tuple) -> Projection | None:
        content, owners = key
        with self._lock:
            entry = self._entries.get(content)
            # The baseline and the draws are compared by identity; the entry holds both, so their ids
            # cannot be reused by other objects while it is kept.
            if entry is None or not all(a is b for a, b in zip(entry[0], owners)):
                return None
            self._entries.move_to_end(content)
            return entry[1]

    def put(self, key: tuple, proj: Projection) -> None:
        content, owners = key
        shared = [getattr(proj, f.name) for f in fields(proj)]
        if proj.sums is not None:
            shared += [getattr(proj.sums, f.name) for f in fields(proj.sums)]
        for value in shared:
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        with self._lock:
            self._entries[content] = (owners, proj)
            self._entries.move_to_end(content)
            while len(self._entries) > self.SIZE:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


LAST_RUNS = _LastRuns()


def simulate_ensemble(base: Baseline, X: np.ndarray, projects: Projects, draws: EnsembleDraws,
                      detail: bool = False, keep: bool = False) -> Projection:
    """K parameter rows × the ensemble's runs in one engine call (rows k·runs … (k+1)·runs − 1 are row k).

    ``detail``: also value added and the investment bill (feasibility needs them; the goals do not).
    ``keep``: one row's result is kept (``LAST_RUNS``), and the same row asked again is not rerun: the
    page's calls keep theirs; the tools' searches, which ask for many rows once each, do not.

    Every row sees the same draws (common random numbers), so a lever's effect on a chance is not noise.
    """
    X = np.atleast_2d(X)
    if not keep or X.shape[0] != 1:
        return _simulate_rows(base, X, projects, draws, detail)
    key = _LastRuns.key(base, np.ascontiguousarray(X, dtype=float), projects, draws, detail)
    proj = LAST_RUNS.get(key)
    if proj is None:
        proj = _simulate_rows(base, X, projects, draws, detail)
        LAST_RUNS.put(key, proj)
    return proj


def _simulate_rows(base: Baseline, X: np.ndarray, projects: Projects, draws: EnsembleDraws,
                   detail: bool) -> Projection:
    K, R = X.shape[0], draws.runs
    rows = np.repeat(X, R, axis=0)
    normals = draws.normals if K == 1 else np.tile(draws.normals, (1, K, 1))
    p = draws.params

    def tile(a: np.ndarray) -> np.ndarray:
        return a if K == 1 else np.tile(a, (K,) + (1,) * (a.ndim - 1))

    params = ParameterDraws(level=tile(p.level), capital_elasticity=tile(p.capital_elasticity),
                            tech_scale=tile(p.tech_scale), trade_growth=tile(p.trade_growth),
                            trade_scale=tile(p.trade_scale), high_tech=tile(p.high_tech),
                            trade_capital_output=tile(p.trade_capital_output), project_size=tile(draws.size),
                            project_delay=tile(draws.delays[:, :projects.count]))
    shocks = None
    sigma, rho = X[:, _VOL], X[:, _RHO]
    if K == 1 and sigma[0] > 0:  # the live page: the shocks of this σ and ρ are made once
        shocks = draws.shocks(base, sigma[0], rho[0])
    return simulate(base, rows, projects, normals=normals, draws=params, detail=detail, shocks=shocks)


def run_ensemble(base: Baseline, rows: ScenarioRows, runs: int = DEFAULT_RUNS, seed: int = DEFAULT_SEED
                 ) -> tuple[Projection, GoalResults]:
    """``runs`` seeded runs of a scenario's rows (shocks and uncertain data, see the module docstring)."""
    proj = simulate_ensemble(base, rows.x, rows.projects, ensemble_draws(base, runs, seed), keep=True)
    return proj, evaluate_goals(proj, rows.goals)


@dataclass(frozen=True)
class EnsembleSummary:
    """What the page shows of an ensemble.

    Attributes
    ----------
    years : (Y,)
    total, cluster : (len(QUANTILES), Y) percentiles of total output and of the cluster, 亿元
    total_real, cluster_real : (len(QUANTILES), Y) the same at base-year prices (output / price index,
        summed over sectors; the cluster by its sector's index), for the fan charts' 2024-price switch
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
    total_real: np.ndarray | None = None
    cluster_real: np.ndarray | None = None


def goal_deviation(ens: GoalResults, det: GoalResults, j: int) -> np.ndarray:
    """Sorted deviations of runs' margin over their goal from the deterministic margin (see ``EnsembleSummary``).

    The margin is log(value / goal) for level metrics and value − goal otherwise: a run's own goal
    counts (doubling is measured from the run's own 2024 level, which the ensemble draws).
    """
    goal = ens.goals[j]
    if goal.metric in LEVEL_METRICS:
        d = np.log(ens.value[:, j] / ens.goal[:, j]) - np.log(det.value[0, j] / det.goal[0, j])
    else:
        d = (ens.value[:, j] - ens.goal[:, j]) - (det.value[0, j] - det.goal[0, j])
    return np.sort(d)


def percentiles(values: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``np.percentile(values, q, axis=0)`` (linear method, the same arithmetic) by one sort per year.

    values : (runs, Y); returns (len(q), Y). Sorting each year's runs once and interpolating is ~8×
    faster than numpy's partition for ~100 percentiles of 10 000 runs.
    """
    ranked = np.sort(np.ascontiguousarray(values.T), axis=1)            # (Y, runs)
    pos = np.asarray(q, dtype=float) / 100.0 * (ranked.shape[1] - 1)
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, ranked.shape[1] - 1)
    frac = pos - lo
    a, b = ranked[:, lo], ranked[:, hi]
    diff = b - a
    # numpy's _lerp: from the nearer end, so that the result is monotone and exact at the ends.
    return np.where(frac >= 0.5, b - diff * (1.0 - frac), a + diff * frac).T


def summarize(base: Baseline, rows: ScenarioRows, runs: int = DEFAULT_RUNS, seed: int = DEFAULT_SEED
              ) -> EnsembleSummary:
    """Run the ensemble of a scenario's rows and keep only its summaries."""
    proj, res = run_ensemble(base, rows, runs, seed)
    goals = rows.goals
    det_proj = simulate(base, rows.x, rows.projects)
    det = evaluate_goals(det_proj, goals)
    total_pct = percentiles(proj.total, np.arange(101))
    cluster_pct = percentiles(proj.cluster_total, np.arange(101))
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
        total_real=percentiles(proj.real_total, q),
        cluster_real=percentiles(proj.cluster_total / proj.price[:, base.cluster_index, :], q),
    )


def shifted_probability(deviation: np.ndarray, value: np.ndarray, goal_value: np.ndarray, metric: str) -> np.ndarray:
    """Probability of meeting a goal at deterministic ``value``, if the levers only shift the spread.

    P(value · e^d ≥ goal) for level metrics, P(value + d ≥ goal) otherwise, over the ensemble's
    deviations d of the margin (sorted, ``goal_deviation``). Exact when nothing is drawn; an
    approximation elsewhere (levers change the spread little; tests compare it with full ensembles).
    """
    value = np.asarray(value, dtype=float)
    floor = goal_floor(goal_value)  # the one "met" rule of goals.meets
    if metric in LEVEL_METRICS:
        need = np.log(floor) - np.log(value)
    else:
        need = floor - value
    k = np.searchsorted(deviation, need, side="left")
    return 1.0 - k / deviation.size
