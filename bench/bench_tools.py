"""Decision tools against one live ensemble call (10 000 draws), measured in the same run.

Prints the median time of each tool and its multiple of one ensemble call (``summarize``: engine,
goal probabilities, fan-chart quantiles), the unit of work of a slider move:

  ensemble     10 000 draws of the three-year-action preset (the floor)
  map          15 × 15 what-it-takes grid, each cell's chance from 2 000 draws of the model
               (450 000 engine rows in blocks of 10 000: what the page's progress bar follows)
  tornado      6 drivers × low/high (one engine call)
  seek         goal seek on the central path and at 80 % (10 000 draws per lever value, the page's)
  mix          the cheapest mix to the 1 000亿元 cluster at a 50 % chance
  sobol        SALib Sobol indices, 512 base samples (4 096 engine rows)

Run: python -m bench.bench_tools [--repeat 7] [--only map]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from model import cheapest_mix, load_baseline, parse_scenario, seek, sobol, summarize, tornado, what_it_takes


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--only", help="time only the tools whose name contains this (the floor is always timed)")
    args = ap.parse_args()
    base = load_baseline()
    sc = parse_scenario(base.presets["three_year_action"], base)
    summarize(base, sc, 10_000, seed=0)  # warm up
    tools = {
        "ensemble (10 000 draws)": lambda: summarize(base, sc, 10_000, seed=0),
        "map 15 x 15 x 2000 draws": lambda: what_it_takes(base, sc, "doubling", "investment", "sme_upgrades"),
        "tornado": lambda: tornado(base, sc, "total"),
        "seek, central path": lambda: seek(base, sc, "doubling", "sme_upgrades"),
        "seek, 80 % chance": lambda: seek(base, sc, "steady_growth", "growth", probability=0.8),
        "mix, 50 % chance": lambda: cheapest_mix(base, sc, probability=0.5),
        "sobol, n = 512": lambda: sobol(base, sc, "total", n=512),
    }
    floor = None
    for name, fn in tools.items():
        if floor is not None and args.only and args.only not in name:
            continue
        fn()
        ms = median_ms(fn, args.repeat if "sobol" not in name else max(3, args.repeat // 2))
        floor = floor or ms
        print(f"{name:26s} median {ms:8.1f} ms   {ms / floor:6.2f} × one ensemble call")


if __name__ == "__main__":
    main()
