"""Monitor mode in the page: upload actual figures, see them in the fan charts and where they fall."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from model import Baseline, SimulatorError
from model.io.monitor import Actual, place

from .i18n import Translator
from .safe import plain, say

TEMPLATE = {"zh": ("期间", "指标", "数值"), "en": ("period", "indicator", "value")}


def template_csv(base: Baseline, t: Translator) -> bytes:
    """An example actuals file: one annual and one quarterly row per indicator (UTF-8 with BOM for Excel)."""
    y = base.base_year + 1
    names = {"total": "规上工业总产值" if t.lang == "zh" else "total",
             "cluster": "不锈钢产业集群" if t.lang == "zh" else "cluster"}
    frame = pd.DataFrame({TEMPLATE[t.lang][0]: [str(y), f"{y + 1}Q2", str(y), f"{y + 1}Q2"],
                          TEMPLATE[t.lang][1]: [names["total"], names["total"], names["cluster"], names["cluster"]],
                          TEMPLATE[t.lang][2]: [0.0, 0.0, 0.0, 0.0]})
    return frame.to_csv(index=False).encode("utf-8-sig")


def _uploaded(base: Baseline, key: str) -> None:
    """Callback: parse and validate the actuals file; keep the previous actuals on any error."""
    from model.io.monitor import read_actuals

    ss = st.session_state
    f = ss.get(key)
    if f is None:
        return
    try:
        actuals = read_actuals(f.getvalue(), f.name, base.base_year + 1, base.end_year)
    except SimulatorError as exc:
        ss["_actuals_error"] = plain(exc)
        return
    ss.pop("_actuals_error", None)
    ss["actuals_json"] = json.dumps([a.__dict__ for a in actuals], ensure_ascii=False, sort_keys=True)


def current_actuals() -> list[Actual]:
    raw = st.session_state.get("actuals_json", "")
    return [Actual(**d) for d in json.loads(raw)] if raw else []


def controls(base: Baseline, t: Translator) -> None:
    """The monitor's upload and template, drawn by the whole run: they do not change when a lever moves."""
    ss = st.session_state
    st.caption(t("monitor.help"))
    c1, c2 = st.columns([3, 1])
    key = f"actuals_upload_{ss.get('actuals_version', 0)}"
    c1.file_uploader(t("monitor.upload"), type=["csv", "xlsx"], key=key, on_change=_uploaded, args=(base, key))
    c2.download_button(t("monitor.template"), data=template_csv(base, t), file_name=f"actuals_template_{t.lang}.csv",
                       mime="text/csv", on_click="ignore", key="actuals_template")
    err = ss.get("_actuals_error")
    if err is not None:
        say("error", t, "monitor.rejected", error=err)


def results(t: Translator, ens, scenario_label: str) -> None:
    """The table of percentiles and the off-track warnings, for the scenario's ensemble (drawn on every move)."""
    ss = st.session_state
    actuals = current_actuals()
    if not actuals:
        return
    checks = place(actuals, ens)
    rows = []
    for c in checks:
        a = c.actual
        status = t(f"monitor.{c.off_track}") if c.off_track else t("monitor.inside")
        rows.append({t("monitor.col.period"): a.label, t("monitor.col.indicator"): t(f"monitor.ind.{a.indicator}"),
                     t("monitor.col.value"): t.money(a.value), t("monitor.col.expected"): t.money(c.expected),
                     t("monitor.col.percentile"): f"p{c.percentile:.1f}", t("monitor.col.status"): status})
        if c.off_track:
            say("warning", t, "monitor.warning", label=a.label, indicator=t(f"monitor.ind.{a.indicator}"),
                side=t(f"monitor.side.{c.off_track}"), scenario=scenario_label, icon=":material/warning:")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(t("monitor.assumption"))
    if st.button(t("monitor.clear"), key="actuals_clear"):
        ss.pop("actuals_json", None)
        ss["actuals_version"] = ss.get("actuals_version", 0) + 1
        st.rerun(scope="app")  # the upload box above is the whole run's
