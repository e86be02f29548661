"""Long-format tables of projections and goal results (for the CLI, downloads and exports)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data import Baseline
from .engine import Projection
from .goals import NOT_REACHED, GoalResults


def cluster_id(base: Baseline) -> str:
    """Row id of the cluster measure in long tables, e.g. ``stainless_cluster``."""
    return f"{base.cluster_sector}_cluster"


def projection_table(proj: Projection, base: Baseline, row: int = 0, real: bool = False) -> pd.DataFrame:
    """One run as a long table: ``year, sector, output, value_added`` (亿元).

    Besides one row per sector and year there are rows with sector ``total`` (规上工业总产值) and
    the cluster measure (``<cluster sector>_cluster``, value_added empty). ``real`` deflates to base-year
    prices.
    """
    out = proj.output[row] / (proj.price[row] if real else 1.0)
    va = proj.value_added[row] / (proj.price[row] if real else 1.0)
    years = proj.years
    S, Y = out.shape
    frames = [pd.DataFrame({"year": np.tile(years, S), "sector": np.repeat(proj.sector_ids, Y),
                            "output": out.ravel(), "value_added": va.ravel()})]
    frames.append(pd.DataFrame({"year": years, "sector": "total", "output": out.sum(axis=0),
                                "value_added": va.sum(axis=0)}))
    cluster = proj.cluster[row].sum(axis=0)
    if real:
        cluster = cluster / proj.price[row, base.cluster_index]
    frames.append(pd.DataFrame({"year": years, "sector": cluster_id(base), "output": cluster,
                                "value_added": np.nan}))
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["year"], kind="stable").reset_index(drop=True)


def goals_table(results: GoalResults, row: int = 0, probability: bool = False) -> pd.DataFrame:
    """One row per goal: ``target, met, year_reached, value, goal, gap, unit`` (+ ``probability``).

    ``year_reached`` is empty when the goal is not reached within the horizon. With ``probability``
    the share of all runs meeting the goal is added and ``met``/``value`` describe the median run's
    value (the median over runs of the target-year value).
    """
    ids = [g.id for g in results.goals]
    if probability:
        value = np.median(results.value, axis=0)
        goal = np.median(results.goal, axis=0)
        met = [bool(v >= gv) for v, gv in zip(value, goal)]
        # Median run's year (a real run's year, never an average); "never" sorts last.
        never = np.iinfo(np.int64).max
        years = np.where(results.year_reached == NOT_REACHED, never, results.year_reached)
        reached_row = np.quantile(years, 0.5, axis=0, method="inverted_cdf")
        reached = [int(r) if r != never else None for r in reached_row]
    else:
        value, goal = results.value[row], results.goal[row]
        met = [bool(m) for m in results.met[row]]
        reached = [int(y) if y != NOT_REACHED else None for y in results.year_reached[row]]
    table = pd.DataFrame({
        "target": ids,
        "met": met,
        "year_reached": pd.array(reached, dtype="Int64"),
        "value": value,
        "goal": goal,
        "gap": goal - value,
        "unit": [_unit(g.metric) for g in results.goals],
    })
    if probability:
        table["probability"] = results.probability
    return table


def _unit(metric: str) -> str:
    return {"total_multiple": "100m yuan", "cluster_total": "100m yuan", "advanced_share": "%",
            "min_growth": "%/yr"}[metric]
