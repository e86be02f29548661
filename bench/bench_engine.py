"""Engine speed: 10 000 Monte Carlo draws × all sectors × every year, against a cumprod floor.

Prints, from one run on this machine:
  floor      one np.cumprod pass over an array of the same shape (N, S, Y)
  engine     the ensemble of the three-year-action preset with volatility: every draw (shocks, 2024 level
             and split, elasticities, project size and delays, trade growth) made inside the timing,
             then one engine call (uncertainty.simulate_ensemble)
  + goals    the same plus evaluate_goals() (met, year reached, probability)
  distinct   10 000 rows with different parameters (what sensitivity analyses send), for the record
  cached     what a slider move costs the page: the draws of the seed and the shock paths of the
             scenario's σ and ρ made once beforehand (ensemble.ensemble_draws, EnsembleDraws.shocks),
             then the engine call; and the whole page summary (engine, goals, percentiles, margins:
             ensemble.summarize) on the same cached draws
and the ratios engine / floor (target ≤ 10) and (engine + goals) / floor (target ≤ 30). The first
engine figures keep the draws inside the timing (a fresh seed each repeat); "cached" is the live page.

Run: python -m bench.bench_engine [--runs 10000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from model import (draw_normals, ensemble_draws, evaluate_goals, load_baseline, parse_scenario, resolve_goals,
                   scenario_params, scenario_projects, simulate, simulate_ensemble, summarize)


def best_and_median(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()

    base = load_baseline()
    doc = dict(base.presets["three_year_action"])
    doc["assumptions"] = {"volatility": 4.0}
    sc = parse_scenario(doc, base)
    goals = resolve_goals(sc, base)
    X = np.repeat(scenario_params(sc, base)[None], args.runs, axis=0)
    projects = scenario_projects([sc], base)
    shape = (args.runs, len(base.sectors), base.years.size)
    rng = np.random.default_rng(0)
    floor_input = 1.0 + 0.01 * rng.random(shape)

    def floor():
        np.cumprod(floor_input, axis=-1)

    seeds = iter(range(10**6))

    def engine():
        draws = ensemble_draws.__wrapped__(base, args.runs, next(seeds))  # uncached: the draws are timed too
        return simulate_ensemble(base, X[0], projects, draws)

    def engine_goals():
        return evaluate_goals(engine(), goals).probability

    names_rng = np.random.default_rng(1)
    X_distinct = X.copy()
    X_distinct[:, 4] = names_rng.uniform(0.0, 30.0, args.runs)    # investment
    X_distinct[:, 5] = names_rng.uniform(0.0, 90.0, args.runs)    # tech_upgrade

    def distinct():
        return simulate(base, X_distinct, projects, normals=draw_normals(rng, args.runs, base))

    cached_draws = ensemble_draws(base, args.runs)

    def cached():
        return simulate_ensemble(base, X[0], projects, cached_draws)

    def page_summary():
        return summarize(base, sc, runs=args.runs)

    engine()  # warm up allocations and imports
    page_summary()  # makes the draws and this σ, ρ's shock paths once, as the page's first run does
    f_best, f_med = best_and_median(floor, args.repeat)
    e_best, e_med = best_and_median(engine, args.repeat)
    g_best, g_med = best_and_median(engine_goals, args.repeat)
    d_best, d_med = best_and_median(distinct, args.repeat)
    c_best, c_med = best_and_median(cached, args.repeat)
    s_best, s_med = best_and_median(page_summary, args.repeat)
    print(f"shape (runs, sectors, years) = {shape}")
    print(f"floor  np.cumprod          best {f_best * 1e3:8.2f} ms   median {f_med * 1e3:8.2f} ms")
    print("draws made inside the timing (a fresh seed each repeat):")
    print(f"engine simulate            best {e_best * 1e3:8.2f} ms   median {e_med * 1e3:8.2f} ms"
          f"   ratio {e_med / f_med:6.1f}  (target <= 10)")
    print(f"engine + goal probability  best {g_best * 1e3:8.2f} ms   median {g_med * 1e3:8.2f} ms"
          f"   ratio {g_med / f_med:6.1f}  (target <= 30)")
    print(f"engine, 10 000 distinct rows best {d_best * 1e3:8.2f} ms   median {d_med * 1e3:8.2f} ms"
          f"   ratio {d_med / f_med:6.1f}  (no target; sensitivity and maps)")
    print("cached draws and shock paths (a lever move on the live page):")
    print(f"engine simulate            best {c_best * 1e3:8.2f} ms   median {c_med * 1e3:8.2f} ms"
          f"   ratio {c_med / f_med:6.1f}")
    print(f"page summary (summarize)   best {s_best * 1e3:8.2f} ms   median {s_med * 1e3:8.2f} ms"
          f"   ratio {s_med / f_med:6.1f}  (what one new scenario costs the page's ensemble)")
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
