"""The cheapest mix of levers that reaches a level goal (the 1 000亿元 cluster) by its target year, at a chance.

Price of a lever = extra capital bill (the capital account: industry plus trade and warehousing,
summed from the first projected year to the target year) per yuan of extra goal metric in the
target year, both on the central path, from the scenario to the lever value that meets the goal
alone on the central path (``seek``), or to the lever's upper bound when it cannot (or when the
central path already meets it). Greedy: the cheapest lever is moved first, as far as the goal needs
to be met with the stated chance (``probability``, default 50 %: ``seek`` at that chance); if it
cannot reach it, it stays at its bound and the next cheapest is priced again from there, and so on.

Advice at a chance (issue 17, finding 2): the mix that "meets" a 1 000亿元 cluster on the central path
met it in 15.5 % of the page's runs. Here the amounts come from the ensemble and the record carries
the chance of the whole mix and after each step (``DEFAULT_RUNS`` runs, ``DEFAULT_SEED``: the page's
and ``python -m model targets``' chance of the same settings); ``reached`` means that chance is at
least ``probability``. ``probability=None`` asks for the central path only (the chance is still given).

Only levers that build capacity and carry a bill take part: 小升规 is reclassification (no capital,
no new production) and trend growth is an assumption, not a lever. Greedy on average prices is not
a global optimum over every combination, but prices barely interact here (trade and warehousing
turnover does not depend on the industrial levers; chain extension rises a little with processing),
so the order is the order of the average prices.

Within limits (issue 19): with ``within`` (e.g. "energy,land") and the region's feasibility data, every
lever is moved only as far as the named constraints allow (``seek`` within them): a lever the limits stop
short of the goal stays at the last value that fits, and the next cheapest is priced from there. Each step
says which constraint capped it (``binds``); the mix says which bound first and the share of runs that
keep every named constraint with the whole mix.

The record states what it rests on (issue 17 review D): ``assumptions`` gives k_W (capital per yuan of
trade turnover), θ_W (the share of the trade lever's extra growth that materialises), m (downstream
output per yuan of stainless processed locally) and μ (the trade margin), with value, drawn range, unit,
source and status; ``value_net`` is the de-duplicated cluster with the mix (``Projection.cluster_net``),
beside the turnover sum the 千亿 goal is stated in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..core.baseline import Baseline
from ..core.engine import param_names
from ..core.ensemble import DEFAULT_RUNS, DEFAULT_SEED, ensemble_draws
from ..core.feasibility import FeasibilityData, feasibility_ensemble, within_all, within_ids
from ..core.goals import goal_floor, metric_at_target
from ..core.specs import MIX_LEVERS, SPEC_BY_NAME  # MIX_LEVERS: capacity levers with a bill
from .runs import run_ensemble, run_scenario, seek
from .scenario import Scenario, lever_bounds, resolve_goals, scenario_params, scenario_rows, with_params

#: The chance the mix is sought at unless told (issue 17: default 50 %, choices 50 / 80 %).
DEFAULT_PROBABILITY = 0.5



@dataclass(frozen=True)
class MixStep:
    """One lever of the mix: moved from ``start`` to ``value``; bill and gain up to the target year, 亿元
    (central path); ``chance``: share of the ensemble's runs meeting the goal after this step."""

    lever: str
    start: float
    value: float
    bill: float   # extra cumulative capital bill to the target year
    gain: float   # extra goal metric in the target year
    price: float  # bill / gain, yuan of capital per yuan
    chance: float = float("nan")
    binds: str | None = None  # the constraint that stopped this lever short (``within`` only)


@dataclass(frozen=True)
class Mix:
    """The cheapest mix for ``goal``: ``steps`` in order, whether it reaches the goal at ``probability``
    (its ``chance`` over ``runs`` runs of seed ``seed``), and where the central path ends."""

    goal: str
    year: int
    steps: tuple[MixStep, ...]
    reached: bool
    already_met: bool
    value: float        # goal metric in the target year with the whole mix (central path)
    goal_value: float
    bill: float         # extra cumulative bill of the whole mix to the target year
    probability: float | None = DEFAULT_PROBABILITY
    chance: float = float("nan")
    runs: int = DEFAULT_RUNS
    seed: int = DEFAULT_SEED
    within: tuple[str, ...] = ()
    binds_first: str | None = None
    within_chance: float = float("nan")
    value_net: float = float("nan")  # the de-duplicated cluster in the target year with the mix (central path)
    assumptions: tuple["Assumption", ...] = ()

    def to_dict(self) -> dict:
        return {"goal": self.goal, "year": self.year, "reached": self.reached, "already_met": self.already_met,
                "within": list(self.within), "binds_first": self.binds_first,
                "within_chance": None if np.isnan(self.within_chance) else self.within_chance,
                "value": self.value, "value_net": self.value_net, "goal_value": self.goal_value, "bill": self.bill,
                "probability": self.probability, "chance": self.chance, "runs": self.runs, "seed": self.seed,
                "steps": [s.__dict__ for s in self.steps],
                "assumptions": [a.__dict__ for a in self.assumptions]}


@dataclass(frozen=True)
class Assumption:
    """One figure the mix's prices rest on: its central value (the median of its draw where drawn), the
    range drawn in the ensemble (None: not drawn), unit, source and status as in the data folder."""

    symbol: str
    key: str
    value: float
    drawn: tuple[float, float] | None
    unit: str
    source: str
    status: str


#: The figures the mix rests on (issue 17 review D): k_W prices the trade lever's bill, θ_W its effect,
#: m the chain lever's downstream output, μ the trade margin of the de-duplicated cluster.
MIX_ASSUMPTIONS = (("k_W", "trade_capital_output"), ("theta_W", "trade_scale"), ("m", "chain_multiplier"),
                   ("mu", "trade_margin"))


def mix_assumptions(base: Baseline) -> tuple[Assumption, ...]:
    """The mix's assumptions with their values and provenance (uncertainty.csv when drawn, else parameters.csv)."""
    from ..core.engine import distribution_median

    figs = {(f.table, f.parameter): f for f in base.figures}
    out = []
    for symbol, key in MIX_ASSUMPTIONS:
        dist = base.uncertainty.get(key)
        if dist is not None and dist.kind == "uniform":
            f = figs.get(("uncertainty", key)) or figs[("parameters", key)]
            out.append(Assumption(symbol, key, distribution_median(dist), (dist.a, dist.b), dist.unit, f.source, f.status))
        else:
            f = figs[("parameters", key)]
            out.append(Assumption(symbol, key, float(base.params[key]), None, f.unit, f.source, f.status))
    return tuple(out)


def _at(base: Baseline, sc: Scenario, goal) -> tuple[float, float, float]:
    """(metric, goal value, cumulative bill) in the goal's target year on the central path."""
    proj = run_scenario(base, sc)
    value, goal_value = metric_at_target(proj, goal)
    k = int(np.searchsorted(proj.years, goal.target_year))
    return float(value[0]), float(goal_value[0]), float(proj.cumulative_investment[0, k])


def _chance(base: Baseline, sc: Scenario, goal_id: str, runs: int, seed: int) -> float:
    """Share of the ensemble's runs meeting ``goal_id`` (the page's chance at the default runs and seed)."""
    _, res = run_ensemble(base, sc, runs, seed)
    return float(res.probability[res.ids.index(goal_id)])


def cheapest_mix(base: Baseline, sc: Scenario, goal_id: str = "stainless_cluster",
                 levers: tuple[str, ...] = MIX_LEVERS, probability: float | None = DEFAULT_PROBABILITY,
                 runs: int = DEFAULT_RUNS, seed: int = DEFAULT_SEED, within=(),
                 data: FeasibilityData | None = None) -> Mix:
    """The cheapest mix of ``levers`` on top of ``sc`` that meets ``goal_id`` with chance ``probability``
    (None: on the central path), with the chance of the mix it returns; ``within``: feasibility
    constraints every step must keep (needs ``data``)."""
    if probability is not None and not 0.0 < probability < 1.0:
        raise ValueError("probability must be between 0 and 1")
    within = within_ids(within)
    if within and data is None:
        raise ValueError("within needs the region's feasibility data")
    limits = {"within": within, "data": data} if within else {}
    goal = {g.id: g for g in resolve_goals(sc, base)}[goal_id]
    value, goal_value, bill = _at(base, sc, goal)
    bill0 = bill
    floor = goal_floor(goal_value)  # the one "met" rule of goals.meets
    chance = _chance(base, sc, goal_id, runs, seed)

    def done(value: float, chance: float) -> bool:
        return bool(value >= floor) if probability is None else bool(chance >= probability)

    assumptions = mix_assumptions(base)
    if done(value, chance):
        return _limited(Mix(goal_id, goal.target_year, (), True, True, value, goal_value, 0.0, probability, chance,
                            runs, seed, value_net=_net(base, sc, goal), assumptions=assumptions),
                        base, sc, within, data, runs, seed)
    current = dict(zip(param_names(base), scenario_params(sc, base)))
    steps: list[MixStep] = []
    remaining = list(levers)
    bounds = lever_bounds(base)
    while remaining:
        offers = []
        for lever in remaining:
            start = current[lever]
            target = bounds[lever][1]
            if value < floor:  # priced up to where the lever alone meets the goal on the central path
                r = seek(base, sc, goal_id, lever, runs=runs, seed=seed, with_chance=False, **limits)
                if r.reachable and r.setting > start:
                    target = r.setting
                elif within and r.binds_first is not None:
                    target = r.setting          # as far as the limits allow
            if target <= start:
                continue
            v, _, b = _at(base, with_params(sc, **{lever: target}), goal)
            if v <= value:
                continue
            offers.append(((b - bill) / (v - value), lever, start))
        if not offers:
            break
        _, lever, start = min(offers, key=lambda o: o[0])
        # How far: as far as the goal needs at the chance (or on the central path), else the bound.
        r = seek(base, sc, goal_id, lever, probability=probability, runs=runs, seed=seed, **limits)
        binds = r.binds_first if within else None
        if r.reachable and r.setting > start:
            target = r.setting
        elif binds is not None:
            target = max(start, r.setting)      # stopped by a limit: the last value that fits
        else:
            target = bounds[lever][1]
        trial = with_params(sc, **{lever: target})
        v, _, b = _at(base, trial, goal)
        chance = r.chance if target == r.setting else _chance(base, trial, goal_id, runs, seed)
        steps.append(MixStep(lever, float(start), float(target), b - bill, v - value,
                             float((b - bill) / (v - value)) if v > value else float("inf"), chance,
                             binds if not (r.reachable and target == r.setting) else None))
        sc, value, bill = trial, v, b
        current[lever] = target
        remaining.remove(lever)
        if done(value, chance):
            break
    return _limited(Mix(goal_id, goal.target_year, tuple(steps), done(value, chance), False, value, goal_value,
                        bill - bill0, probability, chance, runs, seed, value_net=_net(base, sc, goal),
                        assumptions=assumptions), base, sc, within, data, runs, seed)


def _limited(mix: Mix, base: Baseline, sc: Scenario, within: tuple[str, ...], data: FeasibilityData | None,
             runs: int, seed: int) -> Mix:
    """``mix`` with the constraints asked for, the first that bound a step, and the share of runs keeping them."""
    if not within:
        return mix
    ens = feasibility_ensemble(base, data, scenario_rows(sc, base), ensemble_draws(base, runs, seed), seed)
    first = next((s.binds for s in mix.steps if s.binds is not None), None)
    return replace(mix, within=within, binds_first=first, within_chance=float(within_all(ens, within).mean()))


def _net(base: Baseline, sc: Scenario, goal) -> float:
    """The de-duplicated cluster (``Projection.cluster_net``) in the goal's target year, central path, 亿元
    (NaN for a goal that is not the cluster)."""
    if goal.metric != "cluster_total":
        return float("nan")
    proj = run_scenario(base, sc)
    return float(proj.cluster_net[0, int(np.searchsorted(proj.years, goal.target_year))])
