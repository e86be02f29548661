"""A room as tables (room, predictions, plans with their results), an Excel workbook and a CSV file.

Every header and word comes from ``i18n/<lang>.json`` (keys ``ws.x.*``), so the files speak the
page's language. Participants' text is data, never a formula: the workbook writes strings as
strings, and the CSV prefixes a cell that a spreadsheet would read as a formula with ``'``.

Times are stored in UTC and written in the deployment's zone (``WORKSHOP_TIMEZONE``, default
Asia/Shanghai), which the headers name. Counts and years are integers (pandas ``Int64``: "2", not
"2.0", in both files). The workbook prints like the scenario workbook (``model.io.sheets``): A4
landscape, one page wide, the header row repeated on every page, wrapped headers.
"""

from __future__ import annotations

import io
import math
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import xlsxwriter

from i18n import Translator
from model import NOT_REACHED, Baseline
from model.io.sheets import LINE_PT, display_width, print_setup

from .analysis import best_plan, median_plan, model_answer, plan_outcomes
from .settings import DEFAULT_TIMEZONE
from .store import Snapshot

#: A cell starting with one of these is a formula to Excel, LibreOffice and WPS (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _who(t: Translator, i: int, name: str) -> str:
    return name or t("ws.anon", n=i + 1)


def _fmt_year(t: Translator, year: float, end: int) -> str:
    return t("ws.later", year=end) if year > end else str(int(year))


def _zone_label(tz: str, when: datetime) -> str:
    """``Asia/Shanghai, UTC+08:00``: the zone's name and its offset at ``when`` (naive UTC)."""
    offset = when.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).strftime("%z")
    return f"{tz}, UTC{offset[:3]}:{offset[3:]}"


def _local(when: datetime, tz: str) -> str:
    """A stored (naive UTC) time on the clock of ``tz``, to the minute."""
    return when.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def room_tables(snap: Snapshot, base: Baseline, lang: str, tz: str = DEFAULT_TIMEZONE) -> dict[str, pd.DataFrame]:
    """The room's three tables, in ``lang``: room settings, predictions, plans with results.

    Times are on the clock of ``tz`` (an IANA zone name), named in their headers.
    """
    t = Translator(lang)
    zone = _zone_label(tz, snap.room.created_at)
    spec = snap.room.spec
    goals = {g.id: g for g in base.goals}
    focus = goals[spec.focus]
    answer = model_answer(base, spec)
    room_rows = [
        (t("ws.x.room"), snap.room.code), (t("ws.title"), spec.title), (t("ws.question"), spec.question),
        (t("ws.focus"), focus.name(lang)), (t("ws.preset"), base.preset_name(spec.preset, lang)),
        (t("ws.prediction"), t(f"ws.predict.{spec.prediction}", goal=focus.name(lang), year=focus.target_year)),
        (t("ws.x.model_answer"), _fmt_year(t, answer, base.end_year) if spec.prediction == "year" else round(answer, 2)),
        (t("ws.x.status"), t(f"ws.status.{snap.room.status}")),
        (t("ws.x.created", zone=zone), _local(snap.room.created_at, tz)),
        (t("ws.x.joined"), snap.joined), (t("ws.x.predicted"), len(snap.predicted)), (t("ws.x.submitted"), len(snap.submitted)),
    ]
    for k in spec.lever_ids():
        r = spec.levers[k]
        room_rows.append((t("ws.x.range", lever=t(f"lever.{k}")), f"{r.lo:g} – {r.hi:g} {t.unit(_unit(k))}".strip()))
    room = pd.DataFrame(room_rows, columns=[t("ws.x.item"), t("ws.x.value")])

    who = {p.id: _who(t, i, p.name) for i, p in enumerate(snap.participants)}
    pred_col = t("ws.x.prediction_col", unit=_prediction_unit(t, spec.prediction, focus))
    # A year is a whole number; a chance or a value keeps its decimals.
    pred_type = "Int64" if spec.prediction == "year" else "Float64"
    predictions = pd.DataFrame({t("ws.x.participant"): [who[p.id] for p in snap.predicted],
                                pred_col: pd.array([p.prediction for p in snap.predicted], dtype=pred_type)},
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
               t("ws.x.submitted_at", zone=zone): "" if is_median else _local(p.submitted_at, tz)}
        for L, k in enumerate(out.levers):
            row[t("ws.x.lever", lever=t(f"lever.{k}"), unit=t.unit(_unit(k)))] = float(out.values[i, L])
        for j, gid in enumerate(out.goal_ids):
            g = goals[gid]
            name = g.name(lang)
            row[t("ws.x.goal_value", goal=name, year=g.target_year, unit=_goal_unit(t, g))] = round(float(out.value[i, j]), 3)
            row[t("ws.x.goal_met", goal=name)] = t("yes") if out.met[i, j] else t("no")
            yr = int(out.year_reached[i, j])
            row[t("ws.x.goal_year", goal=name)] = None if yr == NOT_REACHED else yr
            row[t("ws.x.goal_chance", goal=name)] = round(100 * float(out.chance[i, j]), 1)
        row[t("ws.x.investment", year=focus.target_year)] = round(float(out.investment[i]), 1)
        rows.append(row)
    # People who predicted but have not submitted: their prediction, no plan.
    rows += [{t("ws.x.participant"): who[p.id], pred_col: p.prediction} for p in snap.predicted if p.plan is None]
    plans_df = pd.DataFrame(rows, columns=list(rows[0]) if rows else [t("ws.x.participant"), pred_col])
    whole = [pred_col] if spec.prediction == "year" else []
    whole += [t("ws.x.revisions")] + [t("ws.x.goal_year", goal=goals[g].name(lang)) for g in out.goal_ids]
    for col in whole:
        if col in plans_df:
            plans_df[col] = pd.array([None if v is None or v != v else int(v) for v in plans_df[col]], dtype="Int64")
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


#: Widest text column and widest a header makes its column (Excel width units: a CJK character is
#: about 2); longer text and headers wrap. The plan sheet (27–30 columns) then prints one page wide on
#: A4 landscape at about 60 %.
COLUMN_MAX, HEADER_MAX = 20.0, 8.0


def _lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` units wide (CJK wraps at any character)."""
    return max(1, math.ceil(display_width(text) / max(1.0, width - 1.0)))


def _blank(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))


def xlsx_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per table; text cells are written as text (never as formulas or links); whole numbers
    as integers. Printed A4 landscape, one page wide, the header row repeated on every page."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False, "nan_inf_to_errors": False})
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8F0FA", "border": 1})
    text = wb.add_format({"text_wrap": True, "valign": "top"})
    whole = wb.add_format({"num_format": "0", "valign": "top"})
    number = wb.add_format({"num_format": "#,##0.0##", "valign": "top"})
    for sheet, df in tables.items():
        ws = wb.add_worksheet(sheet[:31])
        widths = [min(HEADER_MAX, display_width(str(col))) for col in df.columns]
        for c, col in enumerate(df.columns):
            ws.write_string(0, c, str(col), head)
            for r, v in enumerate(df[col], start=1):
                if _blank(v):
                    ws.write_blank(r, c, None)
                elif isinstance(v, (int, np.integer)) and not isinstance(v, bool):
                    ws.write_number(r, c, int(v), whole)
                    widths[c] = max(widths[c], len(f"{int(v):,}"))
                elif isinstance(v, (float, np.floating)):
                    ws.write_number(r, c, float(v), number)
                    widths[c] = max(widths[c], len(f"{float(v):,.3f}".rstrip("0").rstrip(".")) + 1)
                else:
                    ws.write_string(r, c, str(v), text)
                    widths[c] = max(widths[c], min(COLUMN_MAX, display_width(str(v))))
        # Neither Excel nor LibreOffice sizes a wrapped row when the file opens: set each row's height.
        width = [max(6.0, w + 1.5) for w in widths]
        for c, w in enumerate(width):
            ws.set_column(c, c, w)
        for r, cells in enumerate([list(df.columns), *df.itertuples(index=False)]):
            lines = max([_lines(str(v), width[c]) for c, v in enumerate(cells) if isinstance(v, str)], default=1)
            if lines > 1 or r == 0:
                ws.set_row(r, LINE_PT * lines, head if r == 0 else None)
        ws.freeze_panes(1, 0)
        print_setup(ws, 0)
    wb.close()
    return buf.getvalue()


def csv_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """The plans table (the last one: each participant's prediction, plan and results, and the room's
    median plan) as UTF-8 CSV, with a byte-order mark so Excel on a Chinese Windows reads it as UTF-8.
    """
    df = tables[list(tables)[-1]].map(_safe)
    df.columns = [_safe(str(c)) for c in df.columns]
    return df.to_csv(index=False).encode("utf-8-sig")
