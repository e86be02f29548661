"""Long-format tables of projections and goal results (for the CLI, downloads and exports)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.baseline import Baseline
from ..core.engine import Projection
from ..core.goals import NOT_REACHED, GoalResults
from ..schema.results import ScenarioResults
from ..schema.scenario import Scenario, scenario_rows


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


def _unit(metric: str) -> str:
    return {"total_multiple": "100m yuan", "cluster_total": "100m yuan", "advanced_share": "%",
            "high_tech_share": "%", "min_growth": "%/yr"}[metric]


def constraints_table(base: Baseline, sc: Scenario, runs: int, seed: int) -> pd.DataFrame:
    """One row per feasibility constraint of the central path: ``id, year, value, limit, unit, within``, and
    with ``runs`` > 1 ``probability``, the share of the ensemble's runs within it (``python -m model
    constraints``, the report)."""
    from ..core.ensemble import ensemble_draws
    from ..core.feasibility import feasibility, feasibility_ensemble
    from .feasibility_data import load_feasibility

    data = load_feasibility(base)
    rows = scenario_rows(sc, base)
    central = feasibility(base, data, rows)
    table = pd.DataFrame({"id": [c.id for c in central.constraints],
                          "year": [int(c.at[0]) for c in central.constraints],
                          "value": [float(c.value[0]) for c in central.constraints],
                          "limit": [float(c.limit[0]) for c in central.constraints],
                          "unit": [c.unit for c in central.constraints],
                          "within": [bool(c.within[0]) for c in central.constraints],
                          "status": [c.status for c in central.constraints]})
    if runs > 1:
        ens = feasibility_ensemble(base, data, rows, ensemble_draws(base, runs, seed), seed)
        table["probability"] = [c.probability for c in ens.constraints]
    return table
