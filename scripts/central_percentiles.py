"""Where the central (deterministic) path sits inside each preset's own ensemble.

For the four presets of ``data/zhoucun/presets``: each goal's value on the central path, its chance
over the ensemble (10 000 runs, the default seed), and the percentile of the central path's 2027 and
2035 total output among the ensemble's runs (issue 17, finding 1). Rerun after a model change to
compare:  ``python scripts/central_percentiles.py [--runs N] [--format md|csv]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model.core.ensemble import DEFAULT_RUNS, DEFAULT_SEED  # noqa: E402
from model.core.goals import evaluate_goals  # noqa: E402
from model.io.datafolder import load_baseline  # noqa: E402
from model.schema.runs import run_ensemble, run_scenario  # noqa: E402
from model.schema.scenario import parse_scenario, resolve_goals  # noqa: E402

YEARS = (2027, 2035)


def rows(runs: int, seed: int) -> list[dict]:
    base = load_baseline()
    out = []
    for name, doc in sorted(base.presets.items()):
        sc = parse_scenario(doc, base)
        goals = resolve_goals(sc, base)
        det_proj = run_scenario(base, sc)
        det = evaluate_goals(det_proj, goals)
        ens_proj, ens = run_ensemble(base, sc, runs, seed)
        row = {"preset": name}
        for j, g in enumerate(goals):
            # a min_growth goal's central value is the central path's lowest year; the goal itself is
            # judged on the median run's lowest year (model/core/goals.judged_by_ensemble)
            label = "central lowest year" if g.metric == "min_growth" else "value"
            row[f"{g.id} {label}"] = float(det.value[0, j])
            row[f"{g.id} chance %"] = 100.0 * float(ens.probability[j])
        for y in YEARS:
            k = int(np.searchsorted(det_proj.years, y))
            d = float(det_proj.total[0, k])
            row[f"total {y}"] = d
            row[f"pct {y}"] = 100.0 * float(np.mean(ens_proj.total[:, k] < d))
            row[f"median {y}"] = float(np.median(ens_proj.total[:, k]))
        out.append(row)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--format", choices=("md", "csv"), default="md")
    args = ap.parse_args()
    table = rows(args.runs, args.seed)
    cols = list(table[0])
    sep = " | " if args.format == "md" else ","
    print(sep.join(cols))
    if args.format == "md":
        print(sep.join("---" for _ in cols))
    for r in table:
        print(sep.join(c if isinstance(c, str) else f"{c:.3f}" for c in r.values()))


if __name__ == "__main__":
    main()
