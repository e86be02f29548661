"""Cache wrappers around the model for the page: small hashable inputs (a JSON string), small outputs.

No model logic lives here: each function parses its input and calls one function of ``model``.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict

import streamlit as st

from model import (DEFAULT_RUNS, DEFAULT_SEED, Baseline, EnsembleSummary, FeasibilitySummary, Scenario,
                   ScenarioResults, feasibility_summary, load_baseline, load_feasibility, parse_scenario,
                   scenario_results, summarize)

#: Live ensemble size and seed: the model's one ensemble (the CLI, workbook and briefing use them too).
RUNS = DEFAULT_RUNS
SEED = DEFAULT_SEED



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


#: Scenarios validated in this process, by (canonical JSON, baseline key), most recent last: the page
#: validates its settings once and hands them over with ``remember``, so a cache miss of ``compute`` or
#: ``ensemble`` on a slider move validates nothing again. Bounded; a miss parses the JSON.
_VALIDATED: OrderedDict[tuple[str, str | None], Scenario] = OrderedDict()
_VALIDATED_MAX = 512
_VALIDATED_LOCK = threading.Lock()


def _keep(doc_json: str, key: str | None, sc: Scenario) -> None:
    with _VALIDATED_LOCK:
        _VALIDATED[(doc_json, key)] = sc
        _VALIDATED.move_to_end((doc_json, key))
        while len(_VALIDATED) > _VALIDATED_MAX:
            _VALIDATED.popitem(last=False)


def remember(sc: Scenario, key: str | None = None) -> tuple[dict, str]:
    """A validated scenario's minimal document and its canonical JSON (the cache key of ``compute`` and
    ``ensemble``), keeping the scenario so that they need not validate the JSON again."""
    doc = sc.to_doc()
    doc_json = canonical(doc)
    _keep(doc_json, key, sc)
    return doc, doc_json


def scenario_of(doc_json: str, key: str | None = None) -> Scenario:
    """The scenario of canonical JSON: the one validated before (``remember``), else parsed and validated."""
    with _VALIDATED_LOCK:
        sc = _VALIDATED.get((doc_json, key))
    if sc is None:
        sc = parse_scenario(json.loads(doc_json), get_baseline(key))
        _keep(doc_json, key, sc)
    return sc


#: Results unused for this long leave the caches (seconds); with max_entries this bounds their memory.
CACHE_TTL_S = 3600

#: Live ensembles computed at once in this process. Each one holds ~95 MB (tracemalloc peak) of (runs × sectors × years)
#: temporaries; one script thread per session means 30 sessions missing the cache together would hold
#: 30 of them, and the allocator keeps that high-water mark. The runs hold the GIL for most of their
#: time, so on a few cores two at once lose no throughput; the others wait their turn.
ENGINE_SLOTS = threading.BoundedSemaphore(int(os.environ.get("ZC_ENGINE_SLOTS", "2")))


@st.cache_data(max_entries=256, ttl=CACHE_TTL_S, show_spinner=False)
def compute(doc_json: str, key: str | None = None) -> ScenarioResults:
    """``model.scenario_results`` of a scenario given as canonical JSON: its projection, its
    lever-by-lever build-up and its central path at the plausible 2024 levels."""
    return scenario_results(get_baseline(key), scenario_of(doc_json, key))


@st.cache_data(max_entries=128, ttl=CACHE_TTL_S, show_spinner=False)  # ~0.4 MB an entry (deviations)
def ensemble(doc_json: str, key: str | None = None, runs: int = RUNS, seed: int = SEED) -> EnsembleSummary:
    """The scenario's Monte Carlo summary (shocks and project delays); only summaries are kept."""
    scenario = scenario_of(doc_json, key)
    with ENGINE_SLOTS:
        return summarize(get_baseline(key), scenario, runs=runs, seed=seed)


@st.cache_data(max_entries=64, ttl=CACHE_TTL_S, show_spinner=False)  # summaries only (a few KB an entry)
def feasibility(doc_json: str, key: str | None = None, runs: int = RUNS, seed: int = SEED) -> FeasibilitySummary:
    """The scenario's fiscal, energy and land constraints on the live ensemble's runs and seed (issue 19).

    Raises ``DataError`` when the region's data folder has no feasibility data."""
    base = get_baseline(key)
    data = load_feasibility(base)
    with ENGINE_SLOTS:
        return feasibility_summary(base, data, scenario_of(doc_json, key), runs=runs, seed=seed)


def canonical(doc: dict) -> str:
    """The cache key of a scenario document: the same settings give the same string."""
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
