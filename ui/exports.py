"""Downloads of the current scenario and the saved ones: a long CSV of every series and an Excel workbook."""

from __future__ import annotations

import streamlit as st

from model import Baseline
from model.export import csv_bytes, scenarios_series_table, workbook_bytes
from model.narrative import briefing

from . import state
from .compute import RUNS, SEED, canonical, ensemble
from .i18n import Translator


def _scenarios(base: Baseline, t: Translator) -> list:
    """The current settings (under their reserved name) and every saved scenario, lifted to this baseline."""
    out = [(t("scenario.current"), state.current_scenario(base))]
    out += [(n, state.lifted(base, d)) for n, d in st.session_state.get("saved", {}).items()]
    return out


def series_csv(base: Baseline, t: Translator) -> bytes:
    """Every series of the current and saved scenarios, long format with units (built when clicked)."""
    return csv_bytes(scenarios_series_table(base, _scenarios(base, t)))


def workbook(base: Baseline, t: Translator, key: str) -> bytes:
    """The Excel workbook in the page language, with the live ensemble's chances (built when clicked)."""
    scenarios = _scenarios(base, t)
    probabilities = {}
    for name, sc in scenarios:
        ens = ensemble(canonical(sc.to_doc()), key)
        probabilities[name] = dict(zip(ens.goal_ids, map(float, ens.probability)))
    text = briefing(base, scenarios[0][1], t.lang, ensemble(canonical(scenarios[0][1].to_doc()), key))
    return workbook_bytes(base, scenarios, lang=t.lang, narrative=text, probabilities=probabilities, runs=RUNS,
                          seed=SEED)
