"""The records of a region's data: sectors, goals, figures with their provenance, and the ``Baseline``.

Frozen and validated by the loader (``model.io.datafolder``); the core reads them and never reads a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np


STATUSES = ("official", "derived", "estimate")
GROUPS = ("traditional", "emerging", "future")
GOAL_METRICS = ("total_multiple", "cluster_total", "advanced_share", "high_tech_share", "min_growth")
#: Distributions the ensemble can draw from (uncertainty.csv): a, b are low/high, mean/s.d., 0/log s.d., mean/cap.
DISTRIBUTIONS = ("uniform", "normal", "lognormal", "poisson")
CLUSTER_PARTS = ("processing", "trade", "downstream")

#: Parameters each sector must have in sector_parameters.csv, with the unit they must be in.
SECTOR_PARAMS: Mapping[str, str] = MappingProxyType({
    "output_2024": "100m yuan",
    "trend_growth": "%/yr",
    "va_rate": "%",
    "capital_output": "yr",
    "tech_response": "1",
    "downstream_share": "%",
    "sme_share": "%",
    "high_tech_share": "%",
})

#: Global parameters required in parameters.csv, with their units.
GLOBAL_PARAMS: Mapping[str, str] = MappingProxyType({
    "depreciation": "%/yr",
    "capital_elasticity": "1",
    "investment_lag": "yr",
    "tech_base_share": "%",
    "tech_max_boost": "%/yr",
    "tech_saturation": "%",
    "va_rate_elasticity": "1",
    "va_rate_cap": "%",
    "chain_multiplier": "1",
    "trade_growth": "%/yr",
    "trade_capital_output": "1",
    "sme_entry_revenue": "100m yuan",
    "sme_pool": "firms",
    "investment_fade": "yr",
    "trade_margin": "%",
    "price_base": "%/yr",
    "correlation": "1",
    "volatility": "%",
    "project_delay_mean": "yr",
    "project_delay_max": "yr",
})

#: Plausibility checks required in plausibility.csv, with their units.
PLAUSIBILITY_CHECKS: Mapping[str, str] = MappingProxyType({
    "max_growth_short": "%/yr",
    "max_growth_long": "%/yr",
    "icor_min_ratio": "1",
    "icor_max_ratio": "1",
    "max_investment_short": "100m yuan",
    "max_investment_va_ratio": "1",
    "max_reclassification_share": "%",
    "max_investment_growth": "%/yr",
    "district_gdp_2024": "100m yuan",
    "max_investment_gdp": "1",
})

#: Uncertain data the ensemble draws (uncertainty.csv), with their units.
UNCERTAIN_PARAMS: Mapping[str, str] = MappingProxyType({
    "level_2024": "100m yuan",
    "sector_split": "1",
    "capital_elasticity": "1",
    "tech_scale": "1",
    "project_size": "1",
    "project_delay_common": "yr",
    "trade_growth": "%/yr",
    "trade_scale": "1",
    "high_tech_share": "1",
    "trade_capital_output": "1",
})

#: Largest gap, %-points, between the model's back-cast high-tech share and the published one.
HIGH_TECH_CHECK_TOLERANCE = 1.0

#: Tolerance of the check that the output-weighted sector trend equals the published growth, %-points.
#: The CSV holds rounded figures; 0.005 points is half the last printed digit of "7.2".
GROWTH_CHECK_TOLERANCE = 0.005


@dataclass(frozen=True)
class Sector:
    id: str
    name_zh: str
    name_en: str
    group: str

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    url: str
    accessed: str


@dataclass(frozen=True)
class GoalSpec:
    """A goal as the data folder defines it (thresholds and years can be overridden per scenario).

    ``metric`` is one of ``GOAL_METRICS``: ``total_multiple`` (total output / 2024 total),
    ``cluster_total`` (cluster size, 亿元), ``advanced_share`` (% of output in advanced groups),
    ``high_tech_share`` (高新技术产业产值占比 at constant prices, %),
    ``min_growth`` (lowest growth of any one year over the years ``start_year`` to ``target_year``,
    %/yr: every year must reach the threshold).
    """

    id: str
    name_zh: str
    name_en: str
    metric: str
    threshold: float
    unit: str
    target_year: int
    start_year: int | None
    threshold_min: float
    threshold_max: float
    source: str
    status: str
    note_zh: str
    note_en: str

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class Figure:
    """One number of the data folder with its provenance (for the model & data page)."""

    table: str
    key: str
    parameter: str
    value: float
    unit: str
    source: str
    status: str
    note: str


@dataclass(frozen=True)
class Distribution:
    """One uncertain datum of uncertainty.csv: ``kind`` with parameters a, b (see DISTRIBUTIONS)."""

    kind: str
    a: float
    b: float
    unit: str


@dataclass(frozen=True, eq=False)
class Baseline:
    """Everything the engine needs about a region, validated and immutable.

    Arrays have one entry per sector, in the order of ``sectors``. Rates are fractions
    (0.072, not 7.2) except ``trend_pct``, which keeps the percent of the data file.
    """

    folder: str
    region: Mapping[str, Any]
    sectors: tuple[Sector, ...]
    output0: np.ndarray          # (S,) 2024 output, 亿元
    trend_pct: np.ndarray        # (S,) nominal trend growth, %/yr
    va_rate: np.ndarray          # (S,) value-added rate, fraction
    capital_output: np.ndarray   # (S,) K / VA in 2024, years
    tech_response: np.ndarray    # (S,) weight of the 技改 effect
    downstream_share: np.ndarray  # (S,) fraction of extra downstream output, sums to 1
    sme_share: np.ndarray        # (S,) fraction of extra 小升规 firms, sums to 1
    params: Mapping[str, float]
    cluster0: Mapping[str, float]  # 2024 cluster parts, 亿元
    cluster_sector: str
    advanced_groups: tuple[str, ...]
    published_growth: float      # %/yr
    goals: tuple[GoalSpec, ...]
    sources: Mapping[str, Source]
    figures: tuple[Figure, ...]
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    plausibility: Mapping[str, float] = field(default_factory=dict)
    high_tech_share: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (S,) fraction
    uncertainty: Mapping[str, "Distribution"] = field(default_factory=dict)

    def preset_name(self, name: str, lang: str) -> str:
        """A preset's name in ``lang`` as its file gives it (``meta.name_zh`` / ``name_en``), else its id."""
        return self.presets[name].get("meta", {}).get(f"name_{lang}") or name

    @property
    def plan_start(self) -> int:
        """First year of the region's plan (the default plan window of a scenario)."""
        return int(self.region["plan"]["start"])

    @property
    def plan_end(self) -> int:
        return int(self.region["plan"]["end"])

    @property
    def published_high_tech(self) -> tuple[float, int]:
        """The published high-tech share of output, % and its year."""
        p = self.region["published_high_tech_share"]
        return float(p["value"]), int(p["year"])

    @property
    def published_cluster_total(self) -> tuple[float, int] | None:
        """The cluster's published total (亿元) and its year, or None when the region publishes none."""
        p = self.region.get("published_cluster_total")
        return None if p is None else (float(p["value"]), int(p["year"]))

    def high_tech_share_in(self, year: int) -> float:
        """The model's high-tech share (%) back-cast to ``year`` along each sector's trend, at constant prices."""
        back = self.output0 / (1.0 + self.trend_pct / 100.0) ** (self.base_year - year)
        return float(100.0 * back @ self.high_tech_share / back.sum())

    @property
    def base_year(self) -> int:
        return int(self.region["base_year"])

    @property
    def end_year(self) -> int:
        return int(self.region["end_year"])

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.base_year, self.end_year + 1)

    @property
    def sector_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sectors)

    @property
    def cluster_index(self) -> int:
        return self.sector_ids.index(self.cluster_sector)

    @property
    def advanced_mask(self) -> np.ndarray:
        return np.array([s.group in self.advanced_groups for s in self.sectors])

    @property
    def chain_base(self) -> float:
        """Share of stainless processed locally into downstream products in 2024, %."""
        c = self.cluster0
        return 100.0 * c["downstream"] / (self.params["chain_multiplier"] * c["processing"])

    @property
    def investment0(self) -> np.ndarray:
        """(S,) 2024 investment on each sector's steady-state path, 亿元: K₀(ḡ + δ)/(1 + ḡ)."""
        g0 = self.trend_pct / 100.0
        delta = self.params["depreciation"] / 100.0
        return self.capital_output * self.va_rate * self.output0 * (g0 + delta) / (1.0 + g0)

    @property
    def goal_by_id(self) -> Mapping[str, GoalSpec]:
        return {g.id: g for g in self.goals}

    def estimates(self) -> tuple[Figure, ...]:
        """The figures whose status is ``estimate``."""
        return tuple(f for f in self.figures if f.status == "estimate")
