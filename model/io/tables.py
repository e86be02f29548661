"""Long-format tables of projections and goal results (for the CLI, downloads and exports)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..core.baseline import Baseline
from ..core.engine import Projection
from ..core.goals import NOT_REACHED, GoalResults
from ..schema.results import ScenarioResults
from ..schema.scenario import Scenario, resolve_goals, scenario_rows

if TYPE_CHECKING:
    from ..core.feasibility import Feasibility


def cluster_id(base: Baseline) -> str:
    """Row id of the cluster measure in long tables, e.g. ``stainless_cluster``."""
    return f"{base.cluster_sector}_cluster"


def projection_table(proj: Projection, base: Baseline, row: int = 0, real: bool = False) -> pd.DataFrame:
    """One run as a long table: ``year, sector, output, value_added, investment`` (亿元).

    ``investment`` is the investment bill of the year by sector, nominal also with ``real`` (every
    channel: the investment path, 技改 above today's share, key projects and chain extension; base
    year: the steady path). It is industrial investment: the bill of trade and warehousing capacity
    (``trade_expansion``) is the cluster row's investment.

    Besides one row per sector and year there are rows with sector ``total`` (规上工业总产值) and
    the cluster measure (``<cluster sector>_cluster``, value_added empty). ``real`` deflates to base-year
    prices.
    """
    defl = proj.price[row] if real else 1.0
    out = proj.output[row] / defl
    va = proj.value_added[row] / defl
    inv = proj.investment_by_sector[row]  # nominal: no investment deflator is modelled
    years = proj.years
    S, Y = out.shape
    frames = [pd.DataFrame({"year": np.tile(years, S), "sector": np.repeat(proj.sector_ids, Y),
                            "output": out.ravel(), "value_added": va.ravel(), "investment": inv.ravel()})]
    frames.append(pd.DataFrame({"year": years, "sector": "total", "output": out.sum(axis=0),
                                "value_added": va.sum(axis=0), "investment": inv.sum(axis=0)}))
    cluster = proj.cluster[row].sum(axis=0)
    if real:
        cluster = cluster / proj.price[row, base.cluster_index]
    frames.append(pd.DataFrame({"year": years, "sector": cluster_id(base), "output": cluster,
                                "value_added": np.nan,
                                "investment": np.nan if proj.trade_investment is None else proj.trade_investment[row]}))
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["year"], kind="stable").reset_index(drop=True)


def goals_table(results: GoalResults, row: int = 0, probability: np.ndarray | None = None,
                cluster_net: np.ndarray | None = None, years: np.ndarray | None = None) -> pd.DataFrame:
    """One row per goal: ``target, met, year_reached, value, goal, gap, unit`` (+ ``value_net``,
    ``probability``).

    ``met``, ``value`` and ``year_reached`` describe run ``row`` (the central path: the deterministic
    run; a steady-growth goal is judged over the ensemble, ``goals.judged_by_ensemble``); ``year_reached``
    is empty when the goal is not reached within the horizon. ``cluster_net`` (Y,) with its ``years``
    adds ``value_net``: for a cluster goal the de-duplicated cluster in its target year (亿元), beside the
    turnover sum in ``value``; empty for other goals. ``probability`` (G,), the ensemble's chance of each
    goal, adds a column.
    """
    ids = [g.id for g in results.goals]
    value, goal = results.value[row], results.goal[row]
    table = pd.DataFrame({
        "target": ids,
        "met": [bool(m) for m in results.met[row]],
        "year_reached": pd.array([int(y) if y != NOT_REACHED else None for y in results.year_reached[row]],
                                 dtype="Int64"),
        "value": value,
        "goal": goal,
        "gap": goal - value,
        "unit": [_unit(g.metric) for g in results.goals],
    })
    if cluster_net is not None:
        table["value_net"] = [float(cluster_net[int(np.searchsorted(years, g.target_year))])
                              if g.metric == "cluster_total" else np.nan for g in results.goals]
    if probability is not None:
        table["probability"] = np.asarray(probability, dtype=float)
    return table


def gain_table(res: ScenarioResults, years: tuple[int, ...]) -> pd.DataFrame:
    """The gain of total output from the base year: ``year, gain, volume, price, reclassification`` (亿元),
    and the average growth since the base year of the level (``growth``, %/yr, entrants included) and of
    the same firms (``growth_same_firms``, %/yr, 同口径: how the official growth rate is counted)."""
    rows = []
    level, same = res.growth_since_base, res.same_firm_growth_since_base
    for y in years:
        v, p, r = res.gain_parts(y)
        k = int(y) - int(res.years[0]) - 1
        rows.append({"year": int(y), "gain": v + p + r, "volume": v, "price": p, "reclassification": r,
                     "growth": float(level[k]), "growth_same_firms": float(same[k])})
    return pd.DataFrame(rows)


#: What the fiscal account leaves out (issue 19 review 2, problem 3), said on every fiscal row.
FISCAL_NOTE = ("outside the fiscal account: land acquisition and compensation (征地拆迁) and land-sale revenue "
               "(土地出让金); park infrastructure is 七通一平 only")
ENERGY_NOTE = "trade and warehousing use no energy here: no sourced or judged intensity for them"


def constraints_table(central: Feasibility, ens: Feasibility | None, energy_years: list[int]) -> pd.DataFrame:
    """One row per constraint of the central path (``id, year, value, limit, unit, within, status``, the
    ensemble's ``probability`` of staying within), then ``payback`` and ``energy_extra``; ``median`` (the
    ensemble's) and ``note`` (what is left out). Without ``ens`` there is no probability or median column.

    ``payback``: value = the central path's year (empty: nothing to pay back, or not back by the end
    year), limit and year = the end year it is judged by, within = paid back by then (or nothing owed),
    median = the median payback over the runs with an outlay (empty when the median run is not back by the
    end year), probability = their chance of paying back by the end year. ``energy_extra``: one row per
    year of ``energy_years``, the extra energy against the neutral twin (万 tce; status ``none``: no limit).
    """
    end = int(central.years[-1])
    records = [{"id": c.id, "year": int(c.at[0]), "value": float(c.value[0]), "limit": float(c.limit[0]),
                "unit": c.unit, "within": bool(c.within[0]), "status": c.status,
                "probability": np.nan if ens is None else ens.constraint(c.id).probability,
                "median": np.nan, "note": FISCAL_NOTE if c.id == "fiscal_balance" else ""}
               for c in central.constraints]
    owed = bool(central.outlay[0])
    median = np.nan if ens is None else ens.payback_median
    said = []
    if owed and np.isnan(central.payback[0]):
        said.append(f"the central path does not pay back by {end}")
    if median == np.inf:
        said.append(f"the median run does not pay back by {end}")
    elif not owed and np.isnan(median):
        said.append("nothing to pay back (the cumulative balance never falls below 0)")
    note = "; ".join([*said, FISCAL_NOTE])
    records.append({"id": "payback", "year": end, "value": float(central.payback[0]), "limit": float(end),
                    "unit": "year", "within": (not owed) or not np.isnan(central.payback[0]), "status": "estimate",
                    "probability": np.nan if ens is None else ens.payback_chance(end),
                    "median": np.nan if median == np.inf else median, "note": note})
    for y in energy_years:
        k = int(np.searchsorted(central.years, y))
        records.append({"id": "energy_extra", "year": int(y), "value": float(central.energy_extra[0, k]),
                        "limit": np.nan, "unit": "10k tce", "within": True, "status": "none", "probability": np.nan,
                        "median": np.nan if ens is None else float(np.median(ens.energy_extra[:, k])),
                        "note": ENERGY_NOTE})
    table = pd.DataFrame(records)
    return table.drop(columns=["probability", "median"]) if ens is None else table


def _unit(metric: str) -> str:
    return {"total_multiple": "100m yuan", "cluster_total": "100m yuan", "advanced_share": "%",
            "high_tech_share": "%", "min_growth": "%/yr"}[metric]


def scenario_constraints(base: Baseline, sc: Scenario, runs: int, seed: int) -> pd.DataFrame:
    """``constraints_table`` of a scenario (``python -m model constraints``, the report): the central path
    and, with ``runs`` > 1, the ensemble of ``runs`` and ``seed``; extra energy in each goal year and the
    end year."""
    from ..core.ensemble import ensemble_draws
    from ..core.feasibility import feasibility, feasibility_ensemble
    from .feasibility_data import load_feasibility

    data = load_feasibility(base)
    rows = scenario_rows(sc, base)
    central = feasibility(base, data, rows)
    ens = feasibility_ensemble(base, data, rows, ensemble_draws(base, runs, seed), seed) if runs > 1 else None
    years = sorted({int(g.target_year) for g in resolve_goals(sc, base)} | {int(base.end_year)})
    return constraints_table(central, ens, years)
