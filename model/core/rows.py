"""One scenario as the core sees it: its parameter row, its projects and its goals — no document.

The scenario schema (``model.schema``) builds a ``ScenarioRows`` from a document; goal seek,
sensitivity and the ensemble work on it, so the core never reads a scenario document.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .baseline import Baseline, GoalSpec
from .engine import Projects, neutral_investment, param_names
from .specs import FIXED_PARAMS, SCALAR_PARAMS, SPEC_BY_NAME


@dataclass(frozen=True, eq=False)
class ScenarioRows:
    """``x``: the (D,) parameter row (``engine.param_names`` order, the document's units); ``projects``:
    its key projects as (1, P) arrays; ``goals``: the region's goals with the scenario's overrides;
    ``investment_follows_growth``: True when the scenario leaves investment neutral, so that varying
    ``growth`` moves investment along its steady-state path (see ``set_param``)."""

    x: np.ndarray
    projects: Projects
    goals: tuple[GoalSpec, ...]
    investment_follows_growth: bool

    def goal(self, goal_id: str) -> GoalSpec:
        return {g.id: g for g in self.goals}[goal_id]


def lever_bounds(base: Baseline) -> dict[str, tuple[float, float]]:
    """Allowed range of every scalar parameter for this region (chain extension starts at today's share)."""
    out = {n: (SPEC_BY_NAME[n].lo, SPEC_BY_NAME[n].hi) for n in SCALAR_PARAMS}
    out["chain_extension"] = (round(base.chain_base, 6), SPEC_BY_NAME["chain_extension"].hi)
    return out


def set_param(base: Baseline, rows: ScenarioRows, X: np.ndarray, name: str, values: np.ndarray) -> np.ndarray:
    """Put ``values`` into column ``name`` of parameter rows ``X`` (copied), for analyses that vary it.

    Varying ``growth`` moves a neutral investment along with it (``rows.investment_follows_growth``),
    as the document semantics say: investment then stays on its steady-state path.
    """
    names = param_names(base)
    X = np.array(X, dtype=float)
    X[:, names.index(name)] = values
    if name == "growth" and rows.investment_follows_growth:
        X[:, names.index("investment")] = neutral_investment(base, X[:, len(FIXED_PARAMS):], X[:, names.index("growth")])
    return X
