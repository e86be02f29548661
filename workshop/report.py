"""The workshop report for the facilitator's follow-up: a Word document (and its PDF) of one room.

The question, the predictions against the model's answer, the spread of the plans, the room's median
plan and the best plan with their goal results, every plan's reason, and what to do next. The numbers
are the board's and the export's (``workshop.analysis``: the same plan outcomes and chances).

Participants' names and reasons are typed text: they go into the document as plain runs (python-docx
escapes them), so "<b>", "=1+1" or "**x**" is printed as typed, never as markup, a field or a formula.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from i18n import Translator
from model import SPEC_BY_NAME, Baseline
from model.reports.document import Doc, docx_to_pdf

from .analysis import best_plan, median_plan, model_answer, plan_outcomes
from .export import _prediction_unit
from .rooms import start_values
from .store import Snapshot

#: How close a prediction must be to the model's answer to count as close, by prediction kind.
CLOSE = {"year": 1.0, "chance": 10.0, "value": 0.05}  # years; points; share of the answer


def _date(t: Translator, day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if t.lang == "zh" else day.strftime("%d %B %Y").lstrip("0")


def _who(t: Translator, i: int, name: str) -> str:
    return name or t("ws.anon", n=i + 1)


def _lever_value(t: Translator, lever: str, x: float) -> str:
    spec = SPEC_BY_NAME[lever]
    try:
        text = spec.fmt % x
    except (TypeError, ValueError):
        text = f"{x:g}"
    unit = t.unit(spec.unit_en)
    return f"{text}{unit}" if t.lang == "zh" else f"{text} {unit}".strip()


def _goal_value(t: Translator, metric: str, x: float) -> str:
    if metric in ("total_multiple", "cluster_total"):
        return t.money(x)
    if metric in ("advanced_share", "high_tech_share"):
        return t.pct(x)
    return t.rate(x)


def _prediction(t: Translator, kind: str, x: float, end: int) -> str:
    if kind == "year":
        return t("ws.later", year=end) if x > end else str(int(round(x)))
    if kind == "chance":
        return t.pct(x, 0)
    return t.num(x, 1)


def workshop_docx(snap: Snapshot, base: Baseline, lang: str, today: dt.date | None = None) -> bytes:
    """The room's report in ``lang`` as a Word document."""
    t = Translator(lang)
    spec = snap.room.spec
    goals = {g.id: g for g in base.goals}
    focus = goals[spec.focus]
    end = base.end_year
    day = today or dt.date.today()
    preset = base.preset_name(spec.preset, lang)
    subs = snap.submitted
    plans = [p.plan for p in subs]
    who = {p.id: _who(t, i, p.name) for i, p in enumerate(snap.participants)}

    doc = Doc(lang, t("report.ws.title", title=spec.title), t("report.page"))
    doc.title(t("report.ws.title", title=spec.title),
              t("report.ws.subtitle", room=snap.room.code, date=_date(t, day), joined=snap.joined,
                predicted=len(snap.predicted), submitted=len(subs)))
    doc.para(t("report.not_forecast"), bold=True, size=9.5)

    doc.heading(t("report.ws.h.question"))
    if spec.question:
        doc.para(spec.question, bold=True)
    doc.para(t("report.ws.focus", goal=focus.name(lang), year=focus.target_year, preset=preset))
    doc.para(t(f"ws.predict.{spec.prediction}", goal=focus.name(lang), year=focus.target_year))

    doc.heading(t("report.ws.h.predictions"))
    answer = model_answer(base, spec)
    answer_text = _prediction(t, spec.prediction, answer, end)
    values = np.array([p.prediction for p in snap.predicted], dtype=float)
    if values.size:
        tol = CLOSE[spec.prediction] * (abs(answer) if spec.prediction == "value" else 1.0)
        close = int(np.sum(np.abs(values - answer) <= tol + 1e-9))
        tol_text = (t.num(tol, 0) + (" 年" if lang == "zh" else " yr") if spec.prediction == "year"
                    else t.points(tol, 0) if spec.prediction == "chance" else t.num(tol, 1))
        doc.para(t("report.ws.predictions", n=values.size, median=_prediction(t, spec.prediction, float(np.median(values)), end),
                   lo=_prediction(t, spec.prediction, float(values.min()), end),
                   hi=_prediction(t, spec.prediction, float(values.max()), end), answer=answer_text,
                   closer=t("report.ws.closer", k=close, tol=tol_text)))
        unit = _prediction_unit(t, spec.prediction, focus)
        doc.table([t("report.ws.col.who"), t("ws.x.prediction_col", unit=unit)],
                  [[who[p.id], _prediction(t, spec.prediction, float(p.prediction), end)] for p in snap.predicted],
                  widths_cm=(6.0, 10.6), size=8.5)
    else:
        doc.para(t("report.ws.no_predictions", answer=answer_text))

    doc.heading(t("report.ws.h.spread"))
    med = median_plan(spec, plans)
    if not plans:
        doc.para(t("report.ws.no_plans"))
    else:
        start = start_values(spec, base)
        rows = []
        for k in spec.lever_ids():
            xs = np.array([p[k] for p in plans], dtype=float)
            rows.append([t(f"lever.{k}"), _lever_value(t, k, start[k]), _lever_value(t, k, float(xs.min())),
                         _lever_value(t, k, float(np.median(xs))), _lever_value(t, k, float(xs.max()))])
        doc.table([t("report.ws.col.lever"), t("report.ws.col.start"), t("report.ws.col.min"),
                   t("report.ws.col.median"), t("report.ws.col.max")], rows, widths_cm=(5.0, 2.9, 2.9, 2.9, 2.9),
                  align_right=(1, 2, 3, 4))

    doc.heading(t("report.ws.h.median_best"))
    if plans:
        out = plan_outcomes(base, spec, plans + [med])
        best = best_plan(spec, out.head(len(plans)))
        cols = [len(plans)] + ([best] if best is not None else [])
        names = [t("ws.median_plan")] + ([t("report.ws.best", who=who[subs[best].id])] if best is not None else [])
        rows = [[t(f"lever.{k}")] + [_lever_value(t, k, float(out.values[i, L])) for i in cols]
                for L, k in enumerate(out.levers)]
        for j, gid in enumerate(out.goal_ids):
            g = goals[gid]
            cells = []
            for i in cols:
                verdict = t("verdict.met") if out.met[i, j] else t("verdict.missed")
                chance = t("card.probability", p=t.pct(100 * float(out.chance[i, j]), 0))
                value = _goal_value(t, g.metric, float(out.value[i, j]))
                cells.append(f"{value}（{verdict}）；{chance}" if lang == "zh" else f"{value} ({verdict}); {chance}")
            rows.append([f"{g.name(lang)}（{g.target_year}年）" if lang == "zh" else f"{g.name(lang)} ({g.target_year})"]
                        + cells)
        width = 11.6 / len(cols)
        doc.table([t("report.ws.col.plan")] + names, rows, widths_cm=(5.0,) + (width,) * len(cols), size=8.5)
        doc.para(t("report.ws.best_rule"), size=8.5)
    else:
        doc.para(t("report.ws.no_plans"))

    doc.heading(t("report.ws.h.reasons"))
    if plans:
        levers = spec.lever_ids()
        rows = [[who[p.id], "; ".join(_lever_value(t, k, float(p.plan[k])) for k in levers),
                 p.reason if p.reason.strip() else t("report.ws.no_reason")] for p in subs]
        doc.table([t("report.ws.col.who"), t("report.ws.col.plan"), t("report.ws.col.reason")], rows,
                  widths_cm=(3.2, 5.0, 8.4), size=8.5)
    else:
        doc.para(t("report.ws.no_plans"))

    doc.heading(t("report.ws.h.next"))
    steps = []
    if plans:
        j = out.goal_ids.index(spec.focus)
        p = float(out.chance[len(plans), j])
        steps.append(t("report.ws.next.meet" if p >= 0.5 else "report.ws.next.miss", goal=focus.name(lang),
                       p=t.pct(100 * p, 0)))
    steps += [t("report.ws.next.1"), t("report.ws.next.2"), t("report.ws.next.3")]
    doc.bullets(steps)
    return doc.bytes()


def workshop_pdf(snap: Snapshot, base: Baseline, lang: str, today: dt.date | None = None) -> bytes:
    """The same report as PDF (LibreOffice prints the Word document)."""
    return docx_to_pdf(workshop_docx(snap, base, lang, today))
