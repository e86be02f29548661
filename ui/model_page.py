"""The model & data page: equations, every parameter with unit, value, source and status."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from model import Baseline

from .i18n import Translator

EQUATIONS = ("eq.trend", "eq.capital", "eq.tech", "eq.price", "eq.sme", "eq.projects", "eq.chain", "eq.cluster")


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
    for key in EQUATIONS:
        st.markdown(t(key))
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
