"""The model & data page: equations, every parameter with unit, value, source and status."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from model import Baseline

from .i18n import Translator

EQUATIONS = ("eq.trend", "eq.capital", "eq.tech", "eq.price", "eq.sme", "eq.projects", "eq.chain", "eq.cluster")


def equation_values(base: Baseline) -> dict[str, str]:
    """Numbers quoted in the equations, from the region's data (nothing region-specific in the texts)."""
    from model.scenario import neutral_values

    P = base.params
    return {"pub": f"{base.published_growth:g}", "delta": f"{P['depreciation']:g}", "alpha": f"{P['capital_elasticity']:g}",
            "vacap": f"{P['va_rate_cap']:g}", "beta": f"{P['va_rate_elasticity']:g}", "pi": f"{P['price_base']:g}",
            "sme": f"{P['sme_entry_revenue']:g}", "ramp": f"{P['chain_ramp_years']:g}", "c0": f"{base.chain_base:g}",
            "mult": f"{P['chain_multiplier']:g}", "base": str(base.base_year), "first": str(base.base_year + 1),
            "inv0": f"{neutral_values(base)['investment']:.1f}"}


def fill(text: str, values: dict[str, str]) -> str:
    """Replace «name» placeholders (LaTeX braces make str.format unusable here)."""
    for k, v in values.items():
        text = text.replace(f"«{k}»", v)
    return text


def figures_frame(base: Baseline, t: Translator) -> pd.DataFrame:
    names = {s.id: s.name(t.lang) for s in base.sectors}
    goal_names = {g.id: g.name(t.lang) for g in base.goals}
    return pd.DataFrame([{
        t("col.table"): f.table,
        t("col.key"): names.get(f.key) or goal_names.get(f.key) or f.key,
        t("col.parameter"): f.parameter,
        t("col.value"): f.value,
        t("col.unit"): f.unit,
        t("col.status"): t(f"status.{f.status}"),
        t("col.source"): base.sources[f.source].title,
        t("col.note"): f.note,
    } for f in base.figures])


def render(base: Baseline, t: Translator) -> None:
    st.markdown(t("model_intro"))
    st.subheader(t("model_equations"))
    values = equation_values(base)
    for key in EQUATIONS:
        st.markdown(fill(t(key), values))
    estimates = base.estimates()
    st.subheader(t("model_estimates"))
    st.markdown(t("model_estimates_text", n=len(estimates)))
    st.subheader(t("model_params"))
    df = figures_frame(base, t)
    st.dataframe(df, hide_index=True, width="stretch", height=420,
                 column_config={t("col.value"): st.column_config.NumberColumn(format="%g")})
    st.subheader(t("model_sources"))
    st.dataframe(pd.DataFrame([{t("col.key"): s.id, t("col.title"): s.title, t("col.publisher"): s.publisher,
                                t("col.url"): s.url, t("col.accessed"): s.accessed} for s in base.sources.values()]),
                 hide_index=True, width="stretch")
    st.subheader(t("model_replace"))
    st.markdown(t("model_replace_text", folder=f"`{base.folder}`"))
