"""The cheapest mix of levers that reaches a level goal (the 1 000亿元 cluster) by its target year.

Price of a lever = extra capital bill (the capital account: industry plus trade and warehousing,
summed from the first projected year to the target year) per yuan of extra goal metric in the
target year, from the scenario to the lever value that meets the goal alone (``seek``), or to the
lever's upper bound when it cannot. Greedy: the cheapest lever is moved first; if the goal is still
missed, it stays at its bound and the next cheapest is priced again from there, and so on.

Only levers that build capacity and carry a bill take part: 小升规 is reclassification (no capital,
no new production) and trend growth is an assumption, not a lever. Greedy on average prices is not
a global optimum over every combination, but prices barely interact here (trade and warehousing
turnover does not depend on the industrial levers; chain extension rises a little with processing),
so the order is the order of the average prices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.baseline import Baseline
from ..core.engine import param_names
from ..core.goals import goal_floor, metric_at_target
from ..core.specs import MIX_LEVERS, SPEC_BY_NAME  # MIX_LEVERS: capacity levers with a bill
from .runs import run_scenario, seek
from .scenario import Scenario, lever_bounds, resolve_goals, scenario_params, with_params



@dataclass(frozen=True)
class MixStep:
    """One lever of the mix: moved from ``start`` to ``value``; bill and gain up to the target year, 亿元."""

    lever: str
    start: float
    value: float
    bill: float   # extra cumulative capital bill to the target year
    gain: float   # extra goal metric in the target year
    price: float  # bill / gain, yuan of capital per yuan


@dataclass(frozen=True)
class Mix:
    """The cheapest mix for ``goal``: ``steps`` in order, whether it reaches the goal, and where it ends."""

    goal: str
    year: int
    steps: tuple[MixStep, ...]
    reached: bool
    already_met: bool
    value: float        # goal metric in the target year with the whole mix
    goal_value: float
    bill: float         # extra cumulative bill of the whole mix to the target year

    def to_dict(self) -> dict:
        return {"goal": self.goal, "year": self.year, "reached": self.reached, "already_met": self.already_met,
                "value": self.value, "goal_value": self.goal_value, "bill": self.bill,
                "steps": [s.__dict__ for s in self.steps]}


def _at(base: Baseline, sc: Scenario, goal) -> tuple[float, float, float]:
    """(metric, goal value, cumulative bill) in the goal's target year on the central path."""
    proj = run_scenario(base, sc)
    value, goal_value = metric_at_target(proj, goal)
    k = int(np.searchsorted(proj.years, goal.target_year))
    return float(value[0]), float(goal_value[0]), float(proj.cumulative_investment[0, k])


def _round_up(lever: str, value: float) -> float:
    """The lever value rounded up to its slider step (the quoted value then meets the goal), within bounds."""
    step = SPEC_BY_NAME[lever].step
    return min(SPEC_BY_NAME[lever].hi, float(np.ceil(value / step - 1e-9) * step))


def cheapest_mix(base: Baseline, sc: Scenario, goal_id: str = "stainless_cluster",
                 levers: tuple[str, ...] = MIX_LEVERS) -> Mix:
    """The cheapest mix of ``levers`` on top of ``sc`` that meets ``goal_id`` on the central path."""
    goal = {g.id: g for g in resolve_goals(sc, base)}[goal_id]
    value, goal_value, bill = _at(base, sc, goal)
    bill0 = bill
    floor = goal_floor(goal_value)  # the one "met" rule of goals.meets
    if value >= floor:
        return Mix(goal_id, goal.target_year, (), True, True, value, goal_value, 0.0)
    current = dict(zip(param_names(base), scenario_params(sc, base)))
    steps: list[MixStep] = []
    remaining = list(levers)
    bounds = lever_bounds(base)
    while remaining:
        offers = []
        for lever in remaining:
            start = current[lever]
            r = seek(base, sc, goal_id, lever)
            target = _round_up(lever, r.value) if r.reachable else bounds[lever][1]
            if target <= start:
                continue
            trial = with_params(sc, **{lever: target})
            v, _, b = _at(base, trial, goal)
            if v <= value:
                continue
            offers.append(((b - bill) / (v - value), r.reachable, lever, start, target, trial, v, b))
        if not offers:
            break
        price, reachable, lever, start, target, trial, v, b = min(offers, key=lambda o: o[0])
        steps.append(MixStep(lever, float(start), float(target), b - bill, v - value, float(price)))
        sc, value, bill = trial, v, b
        current[lever] = target
        remaining.remove(lever)
        if reachable:
            break
    return Mix(goal_id, goal.target_year, tuple(steps), value >= floor, False, value, goal_value, bill - bill0)
