"""The model & data page: equations, every parameter with unit, value, source and status."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from model import Baseline, DataError, SimulatorError, load_feasibility

from .i18n import Translator
from .safe import plain, say

#: The application's folder: the data folder is named relative to it.
APP_DIR = Path(__file__).resolve().parent.parent
EQUATIONS = ("eq.trend", "eq.plan", "eq.capital", "eq.tech", "eq.price", "eq.sme", "eq.projects", "eq.chain",
             "eq.cluster", "eq.hightech", "eq.chance")


def equation_values(base: Baseline) -> dict[str, str]:
    """Numbers quoted in the equations, from the region's data (nothing region-specific in the texts)."""
    from model import DEFAULT_RUNS, DEFAULT_SEED, neutral_values

    P = base.params
    published, year = base.published_high_tech
    kappa = sorted({f"{k:g}" for k in base.capital_output})
    level = base.uncertainty["level_2024"]
    return {"pub": f"{base.published_growth:g}", "delta": f"{P['depreciation']:g}", "alpha": f"{P['capital_elasticity']:g}",
            "vacap": f"{P['va_rate_cap']:g}", "beta": f"{P['va_rate_elasticity']:g}", "pi": f"{P['price_base']:g}",
            "sme": f"{P['sme_entry_revenue']:g}", "c0": f"{base.chain_base:g}",
            "mult": f"{P['chain_multiplier']:g}", "base": str(base.base_year), "first": str(base.base_year + 1),
            "inv0": f"{neutral_values(base)['investment']:.1f}", "pstart": str(base.plan_start),
            "pend": str(base.plan_end), "kappa": "/".join(kappa), "lag": f"{P['investment_lag']:g}",
            "ht2020": f"{base.high_tech_share_in(year):.1f}", "htpub": f"{published:g}",
            "htgoal": f"{base.goal_by_id['advanced_share_2035'].threshold:g}" if "advanced_share_2035" in base.goal_by_id else "",
            "runs": f"{DEFAULT_RUNS:,}", "seed": str(DEFAULT_SEED), "lvlo": f"{level.a:g}", "lvhi": f"{level.b:g}",
            "ktrade": f"{P['trade_capital_output']:g}"}


def fill(text: str, values: dict[str, str]) -> str:
    """Replace «name» placeholders (LaTeX braces make str.format unusable here)."""
    for k, v in values.items():
        text = text.replace(f"«{k}»", v)
    return text


def figures_frame(base: Baseline, t: Translator) -> pd.DataFrame:
    names = {s.id: s.name(t.lang) for s in base.sectors}
    goal_names = {g.id: g.name(t.lang) for g in base.goals}
    return pd.DataFrame([{
        t("col.table"): _named(t, "table", f.table),
        t("col.key"): names.get(f.key) or goal_names.get(f.key) or f.key,
        t("col.parameter"): _named(t, "param", f.parameter),
        t("col.value"): f.value,
        t("col.unit"): _named(t, "unit", f.unit),
        t("col.status"): t(f"status.{f.status}"),
        t("col.source"): base.sources[f.source].title,
        t("col.note"): f.note,
    } for f in base.figures])


#: Equations of the feasibility side (issue 19), in the order they are shown.
FEAS_EQUATIONS = ("eq.feas.fiscal", "eq.feas.energy", "eq.feas.land", "eq.feas.constraints")


def feasibility_values(base: Baseline) -> dict[str, str]:
    """Numbers quoted in the feasibility equations, from the region's feasibility data."""
    P = load_feasibility(base).params
    keys = {"tsub": "tech_subsidy_rate", "sme": "sme_reward", "park": "park_infra_cost",
            "proj": "project_incentive_rate", "tax": "tax_to_va", "share": "district_tax_share", "room": "fiscal_room",
            "disc": "discount_rate", "edecl": "energy_trend_decline", "glo": "green_upgrade_low",
            "ghi": "green_upgrade_high", "co2": "co2_factor", "co2d": "co2_factor_decline",
            "wland": "trade_land", "ramp": "tax_ramp_years", "taxlo": "tax_to_va_low", "taxhi": "tax_to_va_high",
            "sharelo": "district_tax_share_low", "sharehi": "district_tax_share_high"}
    return {k: f"{P[name]:g}" for k, name in keys.items() if name in P} | {"base": str(base.base_year)}


def feasibility_frame(base: Baseline, t: Translator) -> pd.DataFrame:
    """The feasibility data (fiscal, energy, land) with unit, source and status, as the parameter table."""
    names = {s.id: s.name(t.lang) for s in base.sectors}
    return pd.DataFrame([{
        t("col.table"): f.table,
        t("col.key"): names.get(f.key) or f.key,
        t("col.parameter"): f.parameter,
        t("col.value"): f.value,
        t("col.unit"): f.unit,
        t("col.status"): t(f"status.{f.status}"),
        t("col.source"): base.sources[f.source].title if f.source in base.sources else f.source,
        t("col.note"): f.note,
    } for f in load_feasibility(base).figures])


def feasibility_section(base: Baseline, t: Translator) -> None:
    """The feasibility equations with the data's numbers, and the data with unit, source and status."""
    st.subheader(t("model_feasibility"))
    try:
        values = feasibility_values(base)
    except DataError:
        st.caption(t("feas.no_data"))
        return
    for key in FEAS_EQUATIONS:
        st.markdown(fill(t(key), values))
    st.markdown(f"**{t('model_feasibility_data')}**")
    st.dataframe(feasibility_frame(base, t), hide_index=True, width="stretch", height=360,
                 column_config={t("col.value"): st.column_config.NumberColumn(format="%g")})


def _named(t: Translator, kind: str, code: str) -> str:
    """The display name of a data file's code (table, parameter, unit), or the code where it has none."""
    key = f"{kind}.{code}"
    text = t(key)
    return code if text == key else text


def data_folder_text(folder) -> str:
    """The data folder as the page names it: relative to the application (never the server's full path)."""
    folder = Path(folder).resolve()
    try:
        return folder.relative_to(APP_DIR).as_posix()
    except ValueError:
        return folder.name


def _official_uploaded(original: Baseline, key: str) -> None:
    """Callback: validate the whole file against the region's own data; apply it only if it is valid."""
    from model.io.official import add_upload

    ss = st.session_state
    f = ss.get(key)
    if f is None:
        return
    try:
        data, merged = add_upload(original, f.getvalue(), f.name, ss.get("official_json", ""))
    except SimulatorError as exc:
        ss["_official_error"] = plain(exc)
    else:
        ss.pop("_official_error", None)
        ss["official_json"] = merged.to_json()
        ss["_official_ok"] = (f.name, len(data), len(merged), data.warnings[:20])
    ss["official_version"] = ss.get("official_version", 0) + 1


def _official_reset() -> None:
    st.session_state.pop("official_json", None)
    st.session_state.pop("_official_error", None)


def import_panel(original: Baseline, base: Baseline, t: Translator) -> None:
    """Templates, the upload of official figures, and what is official now."""
    from model.io.official import status_counts, template_csv, template_xlsx

    ss = st.session_state
    st.subheader(t("official.title"))
    st.markdown(t("official.help"))
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    key = f"official_upload_{ss.get('official_version', 0)}"
    c1.file_uploader(t("official.upload"), type=["csv", "xlsx"], key=key, on_change=_official_uploaded,
                     args=(original, key))
    c2.download_button(t("official.template_csv"), data=template_csv(original, t.lang),
                       file_name=f"official_template_{t.lang}.csv", mime="text/csv", on_click="ignore",
                       key="official_template_csv", width="stretch")
    c3.download_button(t("official.template_xlsx"), data=template_xlsx(original, t.lang),
                       file_name=f"official_template_{t.lang}.xlsx", on_click="ignore", key="official_template_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", width="stretch")
    err = ss.get("_official_error")
    if err is not None:
        say("error", t, "official.rejected", error=err)
    ok = ss.pop("_official_ok", None)
    if ok:
        say("success", t, "official.accepted", name=ok[0], n=ok[1], total=ok[2])
        for note in ok[3]:
            say("warning", t, "official.implausible", note=note)
    counts = status_counts(base)
    say("info", t, "official.counts", official=counts.get("official", 0), derived=counts.get("derived", 0),
        estimate=counts.get("estimate", 0))
    if ss.get("official_json"):
        st.button(t("official.reset"), key="official_reset", on_click=_official_reset)


def render(base: Baseline, t: Translator, original: Baseline | None = None) -> None:
    import_panel(original or base, base, t)
    st.markdown(t("model_intro"))
    st.subheader(t("model_equations"))
    values = equation_values(base)
    for key in EQUATIONS:
        st.markdown(fill(t(key), values))
    feasibility_section(base, t)
    estimates = base.estimates()
    st.subheader(t("model_estimates"))
    st.markdown(t("model_estimates_text", n=len(estimates)))
    st.subheader(t("model_params"))
    df = figures_frame(base, t)
    st.dataframe(df, hide_index=True, width="stretch", height=420,
                 column_config={t("col.value"): st.column_config.NumberColumn(format="%g")})
    st.subheader(t("model_sources"))
    st.dataframe(pd.DataFrame([{t("col.source_id"): s.id, t("col.title"): s.title, t("col.publisher"): s.publisher,
                                t("col.url"): s.url, t("col.accessed"): s.accessed} for s in base.sources.values()]),
                 hide_index=True, width="stretch")
    st.subheader(t("model_replace"))
    st.markdown(t("model_replace_text", folder=f"`{data_folder_text(base.folder)}`"))
