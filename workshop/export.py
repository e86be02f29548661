"""A room as tables (room, predictions, plans with their results), an Excel workbook and a CSV file.

Every header and word comes from ``i18n/<lang>.json`` (keys ``ws.x.*``), so the files speak the
page's language. Participants' text is data, never a formula: the workbook writes strings as
strings, and the CSV prefixes a cell that a spreadsheet would read as a formula with ``'``.
"""

from __future__ import annotations

import io
import numpy as np
import pandas as pd
import xlsxwriter

from i18n import Translator
from model import NOT_REACHED, Baseline

from .analysis import best_plan, median_plan, model_answer, plan_outcomes
from .store import Snapshot

#: A cell starting with one of these is a formula to Excel, LibreOffice and WPS (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _who(t: Translator, i: int, name: str) -> str:
    return name or t("ws.anon", n=i + 1)


def _fmt_year(t: Translator, year: float, end: int) -> str:
    return t("ws.later", year=end) if year > end else str(int(year))


def room_tables(snap: Snapshot, base: Baseline, lang: str) -> dict[str, pd.DataFrame]:
    """The room's three tables, in ``lang``: room settings, predictions, plans with results."""
    t = Translator(lang)
    spec = snap.room.spec
    goals = {g.id: g for g in base.goals}
    focus = goals[spec.focus]
    answer = model_answer(base, spec)
    room_rows = [
        (t("ws.x.room"), snap.room.code), (t("ws.title"), spec.title), (t("ws.question"), spec.question),
        (t("ws.focus"), focus.name(lang)), (t("ws.preset"), base.presets[spec.preset].get("meta", {}).get(f"name_{lang}") or spec.preset),
        (t("ws.prediction"), t(f"ws.predict.{spec.prediction}", goal=focus.name(lang), year=focus.target_year)),
        (t("ws.x.model_answer"), _fmt_year(t, answer, base.end_year) if spec.prediction == "year" else round(answer, 2)),
        (t("ws.x.status"), t(f"ws.status.{snap.room.status}")),
        (t("ws.x.created"), snap.room.created_at.isoformat(timespec="seconds") + "Z"),
        (t("ws.x.joined"), snap.joined), (t("ws.x.predicted"), len(snap.predicted)), (t("ws.x.submitted"), len(snap.submitted)),
    ]
    for k in spec.lever_ids():
        r = spec.levers[k]
        room_rows.append((t("ws.x.range", lever=t(f"lever.{k}")), f"{r.lo:g} – {r.hi:g} {t.unit(_unit(k))}".strip()))
    room = pd.DataFrame(room_rows, columns=[t("ws.x.item"), t("ws.x.value")])

    who = {p.id: _who(t, i, p.name) for i, p in enumerate(snap.participants)}
    pred_col = t("ws.x.prediction_col", unit=_prediction_unit(t, spec.prediction, focus))
    predictions = pd.DataFrame({t("ws.x.participant"): [who[p.id] for p in snap.predicted],
                                pred_col: [p.prediction for p in snap.predicted]},
                               columns=[t("ws.x.participant"), pred_col])

    subs = snap.submitted
    plans = [p.plan for p in subs]
    med = median_plan(spec, plans)
    out = plan_outcomes(base, spec, plans + ([med] if med else []))
    best = best_plan(spec, out.head(len(plans)))
    rows = []
    for i in range(out.n):
        is_median = i == len(subs)
        p = None if is_median else subs[i]
        row = {t("ws.x.participant"): t("ws.median_plan") if is_median else who[p.id],
               t("ws.x.best"): t("yes") if i == best else "",
               pred_col: None if is_median else p.prediction,
               t("ws.x.reason"): "" if is_median else p.reason,
               t("ws.x.revisions"): None if is_median else p.revisions,
               t("ws.x.submitted_at"): "" if is_median else p.submitted_at.isoformat(timespec="seconds") + "Z"}
        for L, k in enumerate(out.levers):
            row[t("ws.x.lever", lever=t(f"lever.{k}"), unit=t.unit(_unit(k)))] = float(out.values[i, L])
        for j, gid in enumerate(out.goal_ids):
            g = goals[gid]
            name = g.name(lang)
            row[t("ws.x.goal_value", goal=name, year=g.target_year, unit=_goal_unit(t, g))] = round(float(out.value[i, j]), 3)
            row[t("ws.x.goal_met", goal=name)] = t("yes") if out.met[i, j] else t("no")
            yr = int(out.year_reached[i, j])
            row[t("ws.x.goal_year", goal=name)] = "" if yr == NOT_REACHED else yr
            row[t("ws.x.goal_chance", goal=name)] = round(100 * float(out.chance[i, j]), 1)
        row[t("ws.x.investment", year=focus.target_year)] = round(float(out.investment[i]), 1)
        rows.append(row)
    # People who predicted but have not submitted: their prediction, no plan.
    rows += [{t("ws.x.participant"): who[p.id], pred_col: p.prediction} for p in snap.predicted if p.plan is None]
    plans_df = pd.DataFrame(rows, columns=list(rows[0]) if rows else [t("ws.x.participant"), pred_col])
    return {t("ws.x.sheet_room"): room, t("ws.x.sheet_predictions"): predictions, t("ws.x.sheet_plans"): plans_df}


def _unit(lever: str) -> str:
    from model import SPEC_BY_NAME

    return SPEC_BY_NAME[lever].unit_en


def _goal_unit(t: Translator, goal) -> str:
    return {"total_multiple": t("unit.100m yuan"), "cluster_total": t("unit.100m yuan"),
            "advanced_share": "%", "high_tech_share": "%", "min_growth": t("unit.%/yr")}[goal.metric]


def _prediction_unit(t: Translator, kind: str, goal) -> str:
    return {"year": t("ws.x.year"), "chance": "%", "value": _goal_unit(t, goal)}[kind]


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def xlsx_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per table; text cells are written as text (never as formulas or links)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False, "nan_inf_to_errors": False})
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8F0FA"})
    for sheet, df in tables.items():
        ws = wb.add_worksheet(sheet[:31])
        for c, col in enumerate(df.columns):
            ws.write_string(0, c, str(col), bold)
            ws.set_column(c, c, min(40, max(10, len(str(col)) + 2)))
        for r, row in enumerate(df.itertuples(index=False), start=1):
            for c, v in enumerate(row):
                if v is None or (isinstance(v, float) and np.isnan(v)):
                    ws.write_blank(r, c, None)
                elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
                    ws.write_number(r, c, float(v))
                else:
                    ws.write_string(r, c, str(v))
        ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def csv_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """The plans table (the last one: each participant's prediction, plan and results, and the room's
    median plan) as UTF-8 CSV, with a byte-order mark so Excel on a Chinese Windows reads it as UTF-8.
    """
    df = tables[list(tables)[-1]].map(_safe)
    df.columns = [_safe(str(c)) for c in df.columns]
    return df.to_csv(index=False).encode("utf-8-sig")
