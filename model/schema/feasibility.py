"""A scenario's feasibility as every reader shows it: the page, the briefing, the workbook, the workshop.

``feasibility_summary(base, data, sc)`` runs ``core.feasibility`` on the scenario's central path and on
its ensemble (the goals' runs and seed, so a chance here sits beside the goals' chances on the same
draws) and keeps only what readers show: one ``ConstraintRow`` per constraint (the columns of
``python -m model constraints``), the central path's yearly series and the ensemble's quantile bands.
The (runs × sectors × years) arrays stay here.

Readers build from the rows generically: a row whose ``limit`` is NaN has no sourced limit — its
figure is shown, with no within/over verdict and no chance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from ..core.baseline import Baseline
from ..core.engine import Projects
from ..core.ensemble import DEFAULT_RUNS, DEFAULT_SEED, QUANTILES, ensemble_draws
from ..core.feasibility import (CONSTRAINTS, Feasibility, FeasibilityData, counterfactual_rows, feasibility,
                                feasibility_ensemble)
from .scenario import Scenario, scenario_rows

#: Yearly series of the summary and their units (the ``UNITS`` words of the model, translated by readers).
SERIES = MappingProxyType({
    "tax": "100m yuan", "spending": "100m yuan", "balance": "100m yuan", "cumulative": "100m yuan",
    "energy": "10k tce", "energy_limit": "10k tce", "energy_extra": "10k tce",
    "intensity": "tce/10k yuan", "intensity_limit": "tce/10k yuan", "co2": "10k t",
    "land": "mu", "land_limit": "mu"})
#: Series with a fan (p5, p25, p50, p75, p95 over the runs).
BANDED = ("balance", "cumulative", "energy", "land")


@dataclass(frozen=True)
class ConstraintRow:
    """One constraint of one scenario: the central path's verdict and the ensemble's chance.

    ``year``: the year of ``value`` and ``limit`` (the year it binds, or the tightest year when it holds);
    ``limit``: NaN when the region has no sourced limit (then ``within`` and ``probability`` are None);
    ``binds``: the first year it fails on the central path (None when it holds); ``probability``: share
    of the runs within it (None with one run); ``status``: the status of the limit's data (official /
    derived / estimate, ``none`` without a sourced limit) where the model gives it.
    """

    id: str
    unit: str
    year: int
    value: float
    limit: float
    within: bool | None
    probability: float | None
    binds: int | None
    status: str = "estimate"

    @property
    def has_limit(self) -> bool:
        return math.isfinite(self.limit)


@dataclass(frozen=True)
class FeasibilitySummary:
    """Fiscal, energy and land results of one scenario as readers show them.

    years : (Y,); constraints : one ``ConstraintRow`` per id of ``CONSTRAINTS``; central : name → (Y,)
    series of ``SERIES`` on the central path (NaN where there is no limit); bands : name → (5, Y)
    quantiles ``QUANTILES`` over the runs for ``BANDED`` (empty with one run); payback : the central
    path's payback year (NaN: none); outlay : the central path's cumulative balance goes below zero
    (there is something to pay back); payback_chance : share of the runs with an outlay that have paid
    it back by the end year (None with one run, or when no run has an outlay); payback_median : the
    ensemble's median payback year over the runs with an outlay (inf: the median run is not back by the
    end year; NaN with one run or nothing owed), shown beside the central year because the central year
    alone can sit just before the median (second review of issue 19).
    """

    years: np.ndarray
    constraints: tuple[ConstraintRow, ...]
    central: Mapping[str, np.ndarray]
    bands: Mapping[str, np.ndarray]
    payback: float
    outlay: bool
    payback_chance: float | None
    runs: int
    seed: int
    payback_median: float = float("nan")

    def constraint(self, cid: str) -> ConstraintRow:
        return next(c for c in self.constraints if c.id == cid)

    def table(self) -> pd.DataFrame:
        """The rows as ``python -m model constraints`` prints them (no probability column with one run)."""
        table = pd.DataFrame({"id": [c.id for c in self.constraints], "year": [c.year for c in self.constraints],
                              "value": [c.value for c in self.constraints],
                              "limit": [c.limit for c in self.constraints],
                              "unit": [c.unit for c in self.constraints],
                              "within": [c.within for c in self.constraints]})
        if self.runs > 1:
            table["probability"] = [c.probability for c in self.constraints]
        return table


def _rows(central: Feasibility, ens: Feasibility | None) -> tuple[ConstraintRow, ...]:
    out = []
    for cid in CONSTRAINTS:
        c = central.constraint(cid)
        limit = math.nan if c.limit is None else float(np.asarray(c.limit, dtype=float)[0])
        has = math.isfinite(limit)
        binds = float(c.year[0])
        prob = None
        if ens is not None and has:
            prob = ens.constraint(cid).probability
        # ``Constraint.status`` comes with the sourced-quota model (branch feasmodel); before it every
        # limit was an estimate
        status = getattr(c, "status", "estimate") if has else "none"
        out.append(ConstraintRow(id=cid, unit=c.unit, year=int(c.at[0]), value=float(c.value[0]), limit=limit,
                                 within=bool(c.within[0]) if has else None, probability=prob,
                                 binds=None if math.isnan(binds) else int(binds), status=status))
    return tuple(out)


def _neutral_energy(base: Baseline, data: FeasibilityData, sc: Scenario) -> np.ndarray:
    """(Y,) energy use of the scenario's neutral twin (every lever neutral, no projects) on the central path."""
    rows = scenario_rows(sc, base)
    none = Projects(sector=rows.projects.sector, start=rows.projects.start,
                    output=np.zeros_like(rows.projects.output), ramp=rows.projects.ramp,
                    investment=np.zeros_like(rows.projects.investment))
    twin = replace(rows, x=counterfactual_rows(base, rows.x)[1], projects=none)
    return feasibility(base, data, twin).energy_total[0]


def _series(base: Baseline, data: FeasibilityData, sc: Scenario, f: Feasibility) -> dict[str, np.ndarray]:
    Y = f.years.size

    def row(a) -> np.ndarray:
        """The central path's (Y,) series of a (1, Y) or (Y,) array; None (no limit) is NaN."""
        if a is None:
            return np.full(Y, np.nan)
        a = np.asarray(a, dtype=float)
        return np.array(a if a.ndim == 1 else a[0])

    # the model's own ``energy_extra`` where it has one (branch feasmodel), else the neutral twin's difference
    extra = getattr(f, "energy_extra", None)
    out = {"tax": row(f.tax), "spending": row(f.total_spending), "balance": row(f.balance),
           "cumulative": row(f.cumulative), "energy": row(f.energy_total), "energy_limit": row(f.energy_limit),
           "energy_extra": row(extra) if extra is not None else row(f.energy_total) - _neutral_energy(base, data, sc),
           "intensity": row(f.intensity), "intensity_limit": row(f.intensity_limit), "co2": row(f.co2),
           "land": row(f.land), "land_limit": row(f.land_limit)}
    for a in out.values():
        a.flags.writeable = False
    return out


def _bands(ens: Feasibility) -> dict[str, np.ndarray]:
    src = {"balance": ens.balance, "cumulative": ens.cumulative, "energy": ens.energy_total, "land": ens.land}
    out = {}
    for name, a in src.items():
        q = np.percentile(np.asarray(a, dtype=float), QUANTILES, axis=0)
        q.flags.writeable = False
        out[name] = q
    return out


def _payback_chance(f: Feasibility) -> float | None:
    """Share of the runs with an outlay that have paid it back by the end year (None: no run has one)."""
    owed = (np.asarray(f.cumulative) < 0).any(axis=1)
    if not owed.any():
        return None
    return float(np.mean(~np.isnan(np.asarray(f.payback, dtype=float))[owed]))


def feasibility_summary(base: Baseline, data: FeasibilityData, sc: Scenario, runs: int = DEFAULT_RUNS,
                        seed: int = DEFAULT_SEED) -> FeasibilitySummary:
    """Feasibility of scenario ``sc`` on its central path and over ``runs`` runs of ``seed`` (1: none).

    The ensemble is the goals' (``ensemble_draws(base, runs, seed)``), so the chances are those of
    ``python -m model constraints`` with the same ``--runs`` and ``--seed``.
    """
    rows = scenario_rows(sc, base)
    central = feasibility(base, data, rows)
    ens = feasibility_ensemble(base, data, rows, ensemble_draws(base, runs, seed), seed) if runs > 1 else None
    return FeasibilitySummary(
        years=np.array(central.years), constraints=_rows(central, ens),
        central=_series(base, data, sc, central),
        bands=_bands(ens) if ens is not None else {},
        payback=float(central.payback[0]), outlay=bool((np.asarray(central.cumulative[0]) < 0).any()),
        payback_chance=None if ens is None else _payback_chance(ens),
        runs=runs, seed=seed, payback_median=float("nan") if ens is None else float(ens.payback_median))


__all__ = ["SERIES", "BANDED", "ConstraintRow", "FeasibilitySummary", "feasibility_summary"]
