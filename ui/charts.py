"""Altair charts of one scenario beside the trend baseline, on the page.

The templates and their data frames live in ``model.reports.charts`` (no Streamlit), so the Word/PDF
report draws the very specs the page draws; this module caches them per scenario, sends the frames
as Arrow and writes the chart titles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from model import COMPONENTS, DataError, ScenarioResults
from model.reports.charts import (  # noqa: F401  (re-exported: the page's modules import them from here)
    BASELINE, CONFIG, FEASIBILITY_CHARTS, FONT, GOAL, HEIGHT, SCENARIO, SUBTITLES, contribution_bars, fan_frames,
    feasibility_frames, for_projector, frames, sector_order, spec_of, template)

from .compute import CACHE_TTL_S, compute, ensemble, feasibility, get_baseline
from .i18n import Translator


def channel_prices(t: Translator, res: ScenarioResults, year: int) -> str:
    """'channel value; …': each lever's extra cumulative investment per yuan of its extra value added to ``year``."""
    k = int(np.searchsorted(res.years, year))
    items = []
    for c, comp in enumerate(COMPONENTS):
        v = float(res.invest_per_va[c, k])
        if comp == "sme_upgrades":
            if res.contributions[c, k] > 0:
                items.append(t("comp.reclass_note"))
        elif np.isfinite(v) and abs(res.contributions[c, k]) > 1e-9:
            items.append(t("contrib_price_item", name=t(f"comp.{comp}"), value=t.num(v, 1)))
    return ("；" if t.lang == "zh" else "; ").join(items)


def gain_parts_text(t: Translator, res: ScenarioResults, year: int) -> str:
    """The sentence splitting the gain to ``year`` into new capacity, price and reclassification."""
    k = int(np.searchsorted(res.years, year))
    v, p, r = res.gains[k]
    return t("contrib_parts", year=year, gain=t.money(v + p + r), volume=t.money(v), price=t.money(p), reclass=t.money(r))


def chart_title_slot(t: Translator, name: str, shares: bool, named: bool = True, subtitle: bool = True):
    """Draw a chart's title line and return the container for the chart and its note below it. Under a
    chart chooser, which already names the chart, ``named=False`` draws only the subtitle (none with
    ``subtitle=False``, on a phone)."""
    sub = "chart.sector_shares.sub" if name == "sectors" and shares else SUBTITLES[name]
    if named:
        st.markdown(f"**{t(f'chart.{name}')}**" + (f" · {t(sub)}" if sub else ""))
    elif sub and subtitle:
        st.caption(t(sub))
    return st.container()


def with_data(spec: dict, data: dict[str, pd.DataFrame]) -> dict:
    """A template spec with its datasets (a new dict; the cached template is not touched).

    The datasets are Arrow IPC bytes, which Streamlit passes to the browser as they are: made once
    per cached spec (not at every run), and without pandas' schema metadata, which made up two thirds
    of the bytes of these small frames (~1 KB a dataset).
    """
    return {**spec, "datasets": {name: arrow_bytes(df) for name, df in data.items()}}


def arrow_bytes(df: pd.DataFrame) -> bytes:
    """A frame as an Arrow IPC stream without the index or pandas metadata."""
    import pyarrow as pa

    table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


@st.cache_data(max_entries=512, ttl=CACHE_TTL_S, show_spinner=False)
def chart_spec(name: str, doc_json: str, trend_json: str, lang: str, real: bool, shares: bool,
               key: str | None = None, actuals_json: str = "") -> dict | tuple[dict, dict]:
    """A chart's Vega-Lite spec for a scenario: the cached template plus the scenario's data."""
    base = get_baseline(key)
    res, trend_res = compute(doc_json, key), compute(trend_json, key)
    t = Translator(lang)
    years = (res.goals.goals[0].target_year, base.end_year)
    spec = template(name, lang, shares, sector_order(base, t), contribution_bars(t, years))
    if name.startswith("fan_"):
        data = fan_frames(name, ensemble(doc_json, key), res, trend_res, t, actuals_json, real)
    elif name in FEASIBILITY_CHARTS:
        try:
            summary = feasibility(doc_json, key)
        except DataError:  # the region has no feasibility data: empty axes (the row above says so)
            summary = None
        data = feasibility_frames(name, summary, t)
    else:
        data = frames(name, res, trend_res, base, t, real, shares)
    if isinstance(spec, tuple):
        return tuple(with_data(s, data) for s in spec)
    return with_data(spec, data)
