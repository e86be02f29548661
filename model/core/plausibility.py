"""Plausibility flags: implied numbers out of line with experience. They inform; they never block.

The investment a scenario implies is checked three ways (issue 17, finding 7), each against a
threshold with its source in plausibility.csv:

* growth of the year's bill over the year before, %/yr (``max_investment_growth``), every projected year;
* the bill per yuan of industrial value added, every projected year, **against the trend's own ratio**
  in the same year (``max_investment_va_ratio``, issue 17 review C): the flag fires when
  (I/VA)_scenario(t) > r · (I/VA)_trend(t). The model's level of I/VA is set by its capital calibration,
  κ(g + δ)/(1 + g) ≈ 3 × (0.072 + 0.125)/1.072 = 0.55 on the steady path, which is not the national
  accounts' measure; an absolute ceiling (0.6, the 2008 national peak near 0.58) sat on the trend
  itself (0.56 in 2025 rising to 0.59), so a preset investing *below* the trend was flagged. What the
  national record does say is how far a boom lifts the ratio above its own path; r is that lift;
* the bill per yuan of the district's 2024 GDP (``max_investment_gdp`` / ``district_gdp_2024``), the
  years to the short horizon only: GDP is not projected, and held at its 2024 level it would make any
  growing bill look large a decade on (to 2027 it understates GDP by roughly 15 %, which the threshold allows).

The ICOR (industrial investment per yuan of value added gained, reclassified 小升规 value added left
out: it needs no capital) is judged against the trend's ICOR in the same year, within
[``icor_min_ratio``, ``icor_max_ratio``] × the trend's (review C: the absolute ceiling of 8 sat just
above the trend's 7.9, and a slower world's own trend has an ICOR above 10).

The bill is the capital account's: industry (every channel) plus trade and warehousing capacity.
"trend" is the scenario's world (its assumptions) with every lever neutral and no projects: the first
step of the build-up in ``model.schema.results``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .baseline import Baseline
from .engine import Projection
from .goals import achieved_growth


@dataclass(frozen=True)
class Flag:
    """One check that a scenario fails: ``value`` against ``threshold`` (both in ``unit``), in ``year``."""

    check: str
    value: float
    threshold: float
    unit: str
    year: int


def plausibility_flags(base: Baseline, proj: Projection, short_year: int, trend: Projection | None = None,
                       row: int = 0, trend_row: int = 0) -> list[Flag]:
    """The checks of the data's plausibility.csv that run ``row`` of ``proj`` fails.

    ``short_year`` is the end of the short horizon (the doubling goal's target year); run ``trend_row``
    of ``trend`` is the trend of the same world, the yardstick of the relative checks (their flags carry
    the threshold in absolute terms: the ratio × the trend's value in that year). Without ``trend`` the
    relative checks (ICOR, investment / value added) are not made: ``model.schema.results`` always passes it.
    """
    lim = base.plausibility
    years = proj.years
    tot = proj.total[row: row + 1]
    flags = []
    g_short = float(achieved_growth(tot, years, short_year)[0])
    if g_short > lim["max_growth_short"]:
        flags.append(Flag("max_growth_short", g_short, lim["max_growth_short"], "%/yr", short_year))
    g_long = float(achieved_growth(tot, years, int(years[-1]))[0])
    if g_long > lim["max_growth_long"]:
        flags.append(Flag("max_growth_long", g_long, lim["max_growth_long"], "%/yr", int(years[-1])))
    icor = proj.icor(same_firms=True)[row]
    icor_trend = None if trend is None else trend.icor(same_firms=True)[trend_row]
    for year in (short_year, int(years[-1])) if trend is not None else ():
        k = int(np.searchsorted(years, year))
        v, lo, hi = float(icor[k]), lim["icor_min_ratio"] * icor_trend[k], lim["icor_max_ratio"] * icor_trend[k]
        if np.isfinite(v) and np.isfinite(lo) and v < lo:
            flags.append(Flag("icor_min", v, float(lo), "1", year))
        elif np.isfinite(v) and np.isfinite(hi) and v > hi:
            flags.append(Flag("icor_max", v, float(hi), "1", year))
    inv = float(proj.cumulative_investment[row, int(np.searchsorted(years, short_year))])
    if inv > lim["max_investment_short"]:
        flags.append(Flag("max_investment_short", inv, lim["max_investment_short"], "100m yuan", short_year))
    bill = proj.investment[row]
    # Growth of the bill of each year over the year before, %/yr: the largest jump.
    growth = 100.0 * (bill[1:] / bill[:-1] - 1.0)
    k = int(np.argmax(growth))
    if growth[k] > lim["max_investment_growth"]:
        flags.append(Flag("max_investment_growth", float(growth[k]), lim["max_investment_growth"], "%/yr",
                          int(years[1 + k])))
    # Investment of a year per yuan of value added, against the trend's own ratio (a note, never a clamp).
    ratio = bill[1:] / proj.total_value_added[row, 1:]
    ceiling = (np.full(ratio.shape, np.inf) if trend is None else
               lim["max_investment_va_ratio"] * trend.investment[trend_row, 1:] / trend.total_value_added[trend_row, 1:])
    k = int(np.argmax(ratio / ceiling))
    if ratio[k] > ceiling[k]:
        flags.append(Flag("max_investment_va", float(ratio[k]), float(ceiling[k]), "1", int(years[1 + k])))
    # 小升规: the cultivation pool used up (the engine lets no more firms enter than it holds).
    if proj.entered is not None:
        firms = np.cumsum(proj.entered[row]) / base.params["sme_entry_revenue"]
        pool = base.params["sme_pool"]
        full = np.nonzero(firms >= pool - 1e-6)[0]
        if full.size:
            flags.append(Flag("sme_pool", float(firms[-1]), pool, "firms", int(years[full[0]])))
    # 小升规: a gain that is mostly firms crossing the threshold never shows in the same-firm growth.
    volume, price, reclass = proj.gain_parts(short_year)[row]
    gain = volume + price + reclass
    if gain > 0 and 100.0 * reclass / gain > lim["max_reclassification_share"]:
        flags.append(Flag("max_reclassification_share", float(100.0 * reclass / gain),
                          lim["max_reclassification_share"], "%", short_year))
    # The bill against the district's 2024 GDP, to the short horizon.
    stop = int(np.searchsorted(years, short_year)) + 1
    of_gdp = bill[1:stop] / lim["district_gdp_2024"]
    k = int(np.argmax(of_gdp))
    if of_gdp[k] > lim["max_investment_gdp"]:
        flags.append(Flag("max_investment_gdp", float(of_gdp[k]), lim["max_investment_gdp"], "1", int(years[1 + k])))
    return flags
