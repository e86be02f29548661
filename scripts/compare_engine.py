"""Compare every output array of the engine at a git ref with the working tree's (a refactor's check).

Runs the four presets and a few random scenarios with projects, deterministic and as the 10 000-run
ensemble, through ``git archive REF model`` and through this tree, and prints the largest relative
difference of each array:  ``python scripts/compare_engine.py f217b5e [--runs N]``. Both trees read REF's
data folder, so this checks a refactor; once the data gain a column the old code lacks (model v3's
``sme_pool``), compare against a commit whose data the working tree still loads.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ("output", "value_added", "price", "cluster", "investment_by_sector", "reclassified", "high_tech",
          "trade_investment", "total", "real_total")

DUMP = r'''
import sys, json, numpy as np
sys.path.insert(0, sys.argv[1])
from model.io.datafolder import load_baseline
from model.schema.scenario import parse_scenario, scenario_rows
from model.core.engine import simulate
from model.core import ensemble
base = load_baseline(sys.argv[2] + "/data/zhoucun")
runs = int(sys.argv[4])
docs = [dict(d) for _, d in sorted(base.presets.items())]
rng = np.random.default_rng(7)
sectors = list(base.sector_ids)
for i in range(4):
    projects = [{"name": f"p{j}", "sector": sectors[int(rng.integers(len(sectors)))],
                 "start_year": int(rng.integers(2025, 2031)), "output": float(rng.uniform(5, 200)),
                 "ramp_years": int(rng.integers(1, 5)), "investment": 10.0} for j in range(int(rng.integers(1, 5)))]
    docs.append({"assumptions": {"growth": float(rng.uniform(3, 10)), "stainless_price": float(rng.uniform(-3, 3))},
                 "plan": {"start": 2025, "end": int(rng.integers(2026, 2031)), "after": ["trend", "persist"][i % 2]},
                 "levers": {"investment": float(rng.uniform(0, 30)), "tech_upgrade": float(rng.uniform(20, 80)),
                            "chain_extension": float(rng.uniform(10, 60)), "sme_upgrades": float(rng.integers(0, 100)),
                            "trade_expansion": float(rng.uniform(0, 10)), "projects": projects}})
out = {}
for i, d in enumerate(docs):
    rows = scenario_rows(parse_scenario(d, base), base)
    for kind, proj in (("det", simulate(base, rows.x, rows.projects)),
                       ("ens", ensemble.run_ensemble(base, rows, runs)[0])):
        for f in FIELDS_HERE:
            a = getattr(proj, f)
            if a is not None:
                out[f"{i}/{kind}/{f}"] = np.asarray(a)
np.savez(sys.argv[3], **out)
'''.replace("FIELDS_HERE", repr(FIELDS))


def dump(code_root: Path, data_root: Path, target: Path, runs: int) -> dict[str, np.ndarray]:
    subprocess.run([sys.executable, "-c", DUMP, str(code_root), str(data_root), str(target), str(runs)], check=True)
    with np.load(target) as z:
        return {k: z[k] for k in z.files}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ref")
    ap.add_argument("--runs", type=int, default=10_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old_root = Path(tmp) / "old"
        old_root.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.ref, "model", "data"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old_root)], input=archive, check=True)
        old = dump(old_root, old_root, Path(tmp) / "old.npz", args.runs)
        new = dump(ROOT, old_root, Path(tmp) / "new.npz", args.runs)
    worst = 0.0
    for key in sorted(old):
        if key not in new:
            print(f"{key}: missing in the working tree")
            worst = np.inf
            continue
        a, b = old[key], new[key]
        if a.shape != b.shape:
            print(f"{key}: shape {a.shape} vs {b.shape}")
            worst = np.inf
            continue
        rel = float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1.0))) if a.size else 0.0
        worst = max(worst, rel)
    print(f"{len(old)} arrays compared; largest relative difference {worst:.3e}")
    sys.exit(0 if worst <= 1e-12 else 1)


if __name__ == "__main__":
    main()
