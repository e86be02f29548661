"""Cached engine calls for the page: small hashable inputs (a JSON string), small outputs."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass

import numpy as np
import streamlit as st

from model import Baseline, evaluate_goals, load_baseline, parse_scenario, resolve_goals
from model.core.engine import ParameterDraws, simulate
from model.core.goals import GoalResults
from model.core.plausibility import Flag, plausibility_flags
from model.schema.runs import level_factors, plausible_levels, summarize
from model.schema.scenario import Scenario, plan_window, scenario_params, scenario_projects
from model.core.ensemble import DEFAULT_RUNS, DEFAULT_SEED, EnsembleSummary

#: Live ensemble size and seed: the model's one ensemble (the CLI, workbook and briefing use them too).
RUNS = DEFAULT_RUNS
SEED = DEFAULT_SEED

#: Sources of growth in the contribution chart, in the order the levers are added.
COMPONENTS = ("trend", "investment", "tech_upgrade", "chain_extension", "sme_upgrades", "projects")


def baseline_key(folder: str | None, official_json: str = "") -> str:
    """The small, hashable name of a baseline: the data folder and any official figures uploaded."""
    return json.dumps({"folder": folder, "official": official_json}, sort_keys=True)


@st.cache_resource(show_spinner=False, max_entries=32)
def get_baseline(key: str | None = None) -> Baseline:
    """The baseline of ``baseline_key``: loaded once per process (immutable, so safe to share)."""
    spec = json.loads(key) if key else {}
    base = load_baseline(spec.get("folder"))
    if spec.get("official"):
        from model.io.official import OfficialData, apply_official  # only when a session uploaded data
        base = apply_official(base, OfficialData.from_json(spec["official"]))
    return base


@dataclass(frozen=True)
class Results:
    """One scenario's projection, as the page needs it (one run, no Monte Carlo)."""

    years: np.ndarray          # (Y,)
    output: np.ndarray         # (S, Y) nominal 亿元
    price: np.ndarray          # (S, Y)
    value_added: np.ndarray    # (S, Y)
    cluster: np.ndarray        # (3, Y) processing, trade, downstream
    cluster_price: np.ndarray  # (Y,) price index of the cluster sector
    investment: np.ndarray     # (Y,)
    cumulative_investment: np.ndarray  # (Y,)
    icor: np.ndarray           # (Y,)
    goals: GoalResults         # N = 1
    contributions: np.ndarray  # (len(COMPONENTS), Y) gain over the base year by source
    gains: np.ndarray          # (Y, 3) gain over the base year: volume, price, reclassification
    invest_per_va: np.ndarray  # (len(COMPONENTS), Y) each source's extra cumulative investment per yuan
    #                            of its extra value added (NaN where it adds none): the channels' price
    levels: np.ndarray         # (L,) plausible 2024 levels (low, central, high), 亿元
    level_goals: GoalResults   # N = L: the goals' central path at each 2024 level

    high_tech_share: np.ndarray  # (Y,) 高新技术产业产值占比 at constant prices, %
    plan: tuple[int, int]      # the scenario's first and last plan year
    flags: tuple[Flag, ...] = ()  # plausibility notes of the scenario's run (model.core.plausibility)

    @property
    def total(self) -> np.ndarray:
        return self.output.sum(axis=0)


def _steps(sc: Scenario) -> list[Scenario]:
    """The scenario built up lever by lever from its world (assumptions and sector trends only).

    The trade & warehousing lever is left out (neutral in every step): it adds nothing to industrial
    output or value added, so the last step is ``sc`` without it; ``compute`` runs ``sc`` itself too.
    """
    doc = sc.model_dump(mode="json")
    levers = doc["levers"]
    order = ["investment", "tech_upgrade", "chain_extension", "sme_upgrades", "projects"]
    empty = {"investment": None, "tech_upgrade": None, "chain_extension": None, "sme_upgrades": 0.0,
             "projects": []}
    steps = []
    for k in range(len(order) + 1):
        lv = {name: (levers[name] if i < k else empty[name]) for i, name in enumerate(order)}
        steps.append(Scenario.model_validate({**doc, "levers": lv}))
    return steps


#: Results unused for this long leave the caches (seconds); with max_entries this bounds their memory.
CACHE_TTL_S = 3600

#: Live ensembles computed at once in this process. Each one holds ~95 MB (tracemalloc peak) of (runs × sectors × years)
#: temporaries; one script thread per session means 30 sessions missing the cache together would hold
#: 30 of them, and the allocator keeps that high-water mark. The runs hold the GIL for most of their
#: time, so on a few cores two at once lose no throughput; the others wait their turn.
ENGINE_SLOTS = threading.BoundedSemaphore(int(os.environ.get("ZC_ENGINE_SLOTS", "2")))


@st.cache_data(max_entries=256, ttl=CACHE_TTL_S, show_spinner=False)
def compute(doc_json: str, key: str | None = None) -> Results:
    """Project a scenario (given as canonical JSON), its lever-by-lever build-up and its central path at
    the plausible 2024 levels, in one engine call."""
    base = get_baseline(key)
    sc = parse_scenario(json.loads(doc_json), base)
    steps = _steps(sc)
    levels = plausible_levels(base)
    X = np.stack([scenario_params(s, base) for s in steps] + [scenario_params(sc, base)] * (1 + levels.size))
    factor = np.ones((X.shape[0], len(base.sectors)))
    factor[len(steps) + 1:] = level_factors(base, levels)
    proj = simulate(base, X, scenario_projects(steps + [sc] * (1 + levels.size), base), draws=ParameterDraws(level=factor))
    n = len(COMPONENTS)
    tot = proj.total[:n]                                          # (6, Y)
    contrib = np.empty((n, tot.shape[1]))
    contrib[0] = tot[0] - tot[0, 0]
    contrib[1:] = np.diff(tot, axis=0)
    cum, va = proj.cumulative_investment[:n], proj.total_value_added[:n]
    d_inv = np.diff(cum, axis=0, prepend=0.0)                    # the trend's own bill, then each lever's
    d_va = np.diff(va - va[:, :1], axis=0, prepend=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_va = np.where(d_va > 1e-9, d_inv / d_va, np.nan)
    full = n  # the scenario itself (the last step lacks only the trade & warehousing lever)
    years = proj.years
    gains = np.stack([proj.gain_parts(int(y))[full] for y in years])
    goals = resolve_goals(sc, base)
    levels_goals = evaluate_goals(proj.rows(slice(n + 1, None)), goals)
    short = {g.id: g for g in goals}["doubling"].target_year
    return Results(
        years=proj.years,
        output=np.array(proj.output[full]),
        price=np.array(proj.price[full]),
        value_added=np.array(proj.value_added[full]),
        cluster=np.array(proj.cluster[full]),
        cluster_price=np.array(proj.price[full, base.cluster_index]),
        investment=np.array(proj.investment[full]),
        cumulative_investment=proj.cumulative_investment[full],
        icor=proj.icor()[full],
        goals=evaluate_goals(proj.row(full), goals),
        contributions=contrib,
        gains=gains,
        invest_per_va=per_va,
        levels=levels,
        level_goals=levels_goals,
        high_tech_share=np.array(proj.high_tech_share[full]),
        plan=plan_window(sc, base),
        flags=tuple(plausibility_flags(base, proj, short, row=full)),
    )


@st.cache_data(max_entries=128, ttl=CACHE_TTL_S, show_spinner=False)  # ~0.4 MB an entry (deviations)
def ensemble(doc_json: str, key: str | None = None, runs: int = RUNS, seed: int = SEED) -> EnsembleSummary:
    """The scenario's Monte Carlo summary (shocks and project delays); only summaries are kept."""
    base = get_baseline(key)
    scenario = parse_scenario(json.loads(doc_json), base)
    with ENGINE_SLOTS:
        return summarize(base, scenario, runs=runs, seed=seed)


def canonical(doc: dict) -> str:
    """The cache key of a scenario document: the same settings give the same string."""
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
