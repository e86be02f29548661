"""The room's plans through the model: outcomes and chances per plan, the median plan, the best plan.

Every plan is the room's starting preset with the participant's lever values (``rooms.plan_document``),
so all plans of a room are projected in one deterministic engine call. Chances come from a seeded
ensemble of each plan — the same one, with the same runs and seed, as the main page's chances
(``model.core.ensemble.run_ensemble``: growth shocks, project delays and the uncertain data) — cached
per plan, so the board, the participant's page, the export and the main page show the same chance for
the same plan.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from model import (DEFAULT_RUNS, DEFAULT_SEED, NOT_REACHED, Baseline, ensemble_median, evaluate_goals,
                   judged_by_ensemble, parse_scenario, resolve_goals, run_ensemble, run_scenarios)

from .rooms import RoomSpec, plan_document, plan_scenario, start_values

#: The page's ensemble: runs per plan (standard error at most 0.5/√10 000 = 0.5 points) and one seed for
#: every plan, so plans are compared on the same draws (paired) and a chance never changes.
CHANCE_RUNS, CHANCE_SEED = DEFAULT_RUNS, DEFAULT_SEED


def _key(doc: Mapping) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))


@functools.lru_cache(maxsize=1024)
def _ensemble(base: Baseline, doc_json: str) -> tuple[np.ndarray, np.ndarray]:
    """(G,) chances and (G,) the median run's value of each goal (``ensemble_median``), read-only."""
    sc = parse_scenario(json.loads(doc_json), base)
    res = run_ensemble(base, sc, CHANCE_RUNS, CHANCE_SEED)[1]
    out = np.array(res.probability), ensemble_median(res)
    for a in out:
        a.flags.writeable = False
    return out


def plan_chances(base: Baseline, spec: RoomSpec, plan: Mapping[str, float]) -> np.ndarray:
    """(G,) chance of meeting each goal with ``plan`` (share of ``CHANCE_RUNS`` seeded runs)."""
    return _ensemble(base, _key(plan_document(spec, base, plan)))[0]


@dataclass(frozen=True)
class PlanOutcomes:
    """Outcomes of P plans.

    Attributes
    ----------
    levers : tuple of L lever names (the room's)
    values : (P, L) lever values
    goal_ids : tuple of G goal ids
    value, goal : (P, G) each goal's metric in its target year and the value it must reach (goal units)
    met : (P, G) bool, deterministic run (steady growth: judged over the plan's ensemble)
    year_reached : (P, G) int, ``NOT_REACHED`` (−1) when never within the horizon
    chance : (P, G) share of Monte Carlo runs meeting the goal
    investment : (P,) cumulative investment from the first projected year to the focus goal's target
        year, 亿元 (current prices)
    """

    levers: tuple[str, ...]
    values: np.ndarray
    goal_ids: tuple[str, ...]
    value: np.ndarray
    goal: np.ndarray
    met: np.ndarray
    year_reached: np.ndarray
    chance: np.ndarray
    investment: np.ndarray

    @property
    def n(self) -> int:
        return self.values.shape[0]

    def head(self, n: int) -> PlanOutcomes:
        """The first ``n`` plans (e.g. the submitted ones, without a median plan appended)."""
        return PlanOutcomes(self.levers, self.values[:n], self.goal_ids, self.value[:n], self.goal[:n],
                            self.met[:n], self.year_reached[:n], self.chance[:n], self.investment[:n])


def plan_outcomes(base: Baseline, spec: RoomSpec, plans: Sequence[Mapping[str, float]]) -> PlanOutcomes:
    """Run ``plans`` (lever values of the room) through the model: one engine call plus cached chances."""
    levers = spec.lever_ids()
    goals = resolve_goals(parse_scenario(plan_document(spec, base, start_values(spec, base)), base), base)
    P, G = len(plans), len(goals)
    if P == 0:
        empty = np.zeros((0, G))
        return PlanOutcomes(levers, np.zeros((0, len(levers))), tuple(g.id for g in goals), empty, empty,
                            empty.astype(bool), empty.astype(int), empty, np.zeros(0))
    proj = run_scenarios(base, [plan_scenario(spec, base, p) for p in plans])
    stats = [_ensemble(base, _key(plan_document(spec, base, p))) for p in plans]
    # Steady growth is judged over each plan's ensemble, as on the main page (issue 17 review A).
    res = judged_by_ensemble(evaluate_goals(proj, goals), np.stack([m for _, m in stats]))
    focus = goals[res.ids.index(spec.focus)]
    k = int(np.searchsorted(proj.years, focus.target_year))
    return PlanOutcomes(
        levers=levers,
        values=np.array([[p[name] for name in levers] for p in plans], dtype=float),
        goal_ids=res.ids,
        value=res.value, goal=res.goal, met=res.met, year_reached=res.year_reached,
        chance=np.stack([c for c, _ in stats]),
        investment=proj.cumulative_investment[:, k],
    )


def median_plan(spec: RoomSpec, plans: Sequence[Mapping[str, float]]) -> dict[str, float] | None:
    """The room's median plan: each lever at the median of the submitted values (None without plans).

    Lever by lever, so it need not be anybody's plan; it stays inside every range (a median of
    values inside an interval is inside it).
    """
    if not plans:
        return None
    return {k: float(np.median([p[k] for p in plans])) for k in spec.lever_ids()}


def best_plan(spec: RoomSpec, out: PlanOutcomes) -> int | None:
    """Index of the plan closest to meeting the focus goal at the least investment.

    Among plans that meet the focus goal (deterministic run), the one with the least cumulative
    investment to the goal's target year; if none meets it, the one with the smallest relative gap
    ``(goal − value) / |goal|``, investment breaking ties. None without plans.
    """
    if out.n == 0:
        return None
    j = out.goal_ids.index(spec.focus)
    met = out.met[:, j]
    if met.any():
        idx = np.flatnonzero(met)
        return int(idx[np.argmin(out.investment[idx])])
    gap = (out.goal[:, j] - out.value[:, j]) / np.abs(out.goal[:, j])
    return int(np.lexsort((out.investment, gap))[0])


def model_answer(base: Baseline, spec: RoomSpec) -> float:
    """The model's answer to the room's prediction question, for the starting settings.

    ``year``: the first year the focus goal is reached (``base.end_year + 1`` for "not by the end of
    the horizon"); ``chance``: the chance in % it is met in its target year; ``value``: its metric in
    the target year (goal units, e.g. 亿元).
    """
    start = start_values(spec, base)
    out = plan_outcomes(base, spec, [start])
    j = out.goal_ids.index(spec.focus)
    if spec.prediction == "year":
        year = int(out.year_reached[0, j])
        return float(base.end_year + 1 if year == NOT_REACHED else year)
    if spec.prediction == "chance":
        return float(100.0 * out.chance[0, j])
    return float(out.value[0, j])
