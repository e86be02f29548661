"""Downloads of the current scenario and the saved ones: a long CSV of every series, an Excel workbook, and
the current scenario's report (汇报材料) as Word or PDF.

Streamlit builds a download's bytes when its button is clicked, in a worker thread outside the
script run, where ``st.session_state`` is empty. So the run takes a ``Snapshot`` (the documents of
the current and the saved scenarios, and their chances from the live ensembles, which the run has
already computed) and the builders below use nothing else.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Mapping

import streamlit as st

from model import (Baseline, DataError, EnsembleSummary, FeasibilitySummary, feasibility_summary, load_feasibility,
                   parse_scenario, parse_stored)
from model.io.export import csv_bytes, localise_series, scenarios_series_table, workbook_bytes
from model.reports.briefing import briefing
from model.reports.document import docx_to_pdf, soffice  # noqa: F401  (soffice: the page asks whether a PDF can be made)
from model.reports.scenario_report import scenario_docx

from . import heavy
from .compute import RUNS, SEED, canonical, ensemble
from .i18n import Translator


@dataclass(frozen=True)
class Snapshot:
    """What the downloads need, taken in the script run.

    ``docs``: (name, scenario document) of the current settings (first, under the reserved name in
    the page language) and of every saved scenario, lifted to the page's baseline.
    ``probabilities``: name → goal id → chance from the live ensemble. ``ensemble``: the current one's.
    """

    docs: tuple[tuple[str, dict], ...]
    probabilities: Mapping[str, Mapping[str, float]]
    ensemble: EnsembleSummary

    @classmethod
    def take(cls, base: Baseline, t: Translator, doc: dict, key: str) -> "Snapshot":
        docs = [(t("scenario.current"), doc)]
        docs += [(n, parse_stored(d, base).to_doc()) for n, d in st.session_state.get("saved", {}).items()]
        ens = {name: ensemble(canonical(d), key) for name, d in docs}
        probabilities = {name: dict(zip(e.goal_ids, map(float, e.probability))) for name, e in ens.items()}
        return cls(tuple(docs), probabilities, ens[docs[0][0]])

    def scenarios(self, base: Baseline) -> list[tuple[str, Any]]:
        return [(name, parse_scenario(doc, base)) for name, doc in self.docs]


def feasibilities(base: Baseline, scenarios) -> dict[str, FeasibilitySummary]:
    """Name → feasibility on the page's runs and seed (the chances the page shows); none for a region
    without feasibility data. Computed here, at the click: the snapshot is taken at every move."""
    try:
        data = load_feasibility(base)
    except DataError:
        return {}
    return {name: feasibility_summary(base, data, sc, runs=RUNS, seed=SEED) for name, sc in scenarios}


def series_csv(base: Baseline, lang: str, snap: Snapshot) -> bytes:
    """Every series of the snapshot's scenarios and their feasibility, long format with units, in ``lang``
    (built when clicked)."""
    with heavy.slot(wait=True):
        scenarios = snap.scenarios(base)
        table = scenarios_series_table(base, scenarios, feasibility=feasibilities(base, scenarios))
    return csv_bytes(localise_series(table, base, lang))


def workbook(base: Baseline, lang: str, snap: Snapshot) -> bytes:
    """The Excel workbook in ``lang`` with the live ensembles' chances (built when clicked)."""
    with heavy.slot(wait=True):
        scenarios = snap.scenarios(base)
        feas = feasibilities(base, scenarios)
        text = briefing(base, scenarios[0][1], lang, snap.ensemble, money="data",
                        feasibility=feas.get(scenarios[0][0]))
        return workbook_bytes(base, scenarios, lang=lang, narrative=text, probabilities=snap.probabilities,
                              runs=RUNS, seed=SEED, feasibility=feas or None)


#: The last reports built in this process, by (baseline, settings, language, name, date): a click on PDF
#: after Word (or a second click) prints the same document without computing it again. Bounded.
_REPORTS: OrderedDict[tuple, bytes] = OrderedDict()
_REPORTS_MAX = 8
_REPORTS_LOCK = threading.Lock()


def report(base: Baseline, lang: str, snap: Snapshot, name: str, fmt: str = "docx") -> bytes:
    """The current settings' report in ``lang`` (``fmt`` "docx" or "pdf"), with the live ensemble's chances
    and the page's briefing (built when clicked)."""
    key = (id(base), canonical(snap.docs[0][1]), lang, name, dt.date.today())
    with _REPORTS_LOCK:
        docx = _REPORTS.get(key)
    with heavy.slot(wait=True):
        if docx is None:
            docx = scenario_docx(base, parse_scenario(snap.docs[0][1], base), lang, name=name, ens=snap.ensemble)
            with _REPORTS_LOCK:
                _REPORTS[key] = docx
                while len(_REPORTS) > _REPORTS_MAX:
                    _REPORTS.popitem(last=False)
        return docx if fmt == "docx" else docx_to_pdf(docx)
