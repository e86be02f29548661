"""Peak extra memory and seconds of each crafted input of issue 9, each in a capped child process.

Prints one line per input: peak RSS above the process's RSS before the operation (MB), wall seconds
and the outcome (refused with which message, accepted, MemoryError, killed by the cap). The floor is
the trend scenario's live ensemble (10 000 draws) measured the same way in the same run, so the
ratios compare each input with the work of one slider move. Targets (issue 9): no input above about
300 MB extra or 10 s.

Run: python -m bench.bench_limits [--repo PATH] [--limit-mb 4096] [--only NAME ...]
(``--repo`` measures another checkout, e.g. an export of main for the "before" figures.)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from testkit.limits import CASES, REPO, run_case


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", type=Path, default=REPO)
    ap.add_argument("--limit-mb", type=int, default=4096)
    ap.add_argument("--only", nargs="*", default=None)
    args = ap.parse_args()
    names = args.only or list(CASES)
    floor = run_case("floor_ensemble", repo=args.repo, limit_mb=args.limit_mb)
    print(f"{'input':48s} {'extra MB':>9s} {'× floor':>8s} {'seconds':>8s} {'× floor':>8s}  outcome")
    for name in names:
        r = floor if name == "floor_ensemble" else run_case(name, repo=args.repo, limit_mb=args.limit_mb)
        mb = "–" if r["extra_mb"] is None else f"{r['extra_mb']:.0f}"
        s = "–" if r["seconds"] is None else f"{r['seconds']:.2f}"
        xm = "–" if r["extra_mb"] is None else f"{r['extra_mb'] / max(floor['extra_mb'], 1.0):.1f}"
        xs = "–" if r["seconds"] is None else f"{r['seconds'] / max(floor['seconds'], 1e-3):.1f}"
        print(f"{CASES[name][0]:48s} {mb:>9s} {xm:>8s} {s:>8s} {xs:>8s}  {r['outcome']}", flush=True)


if __name__ == "__main__":
    main()
