"""The scenario report (汇报材料): a 2–4 page Word document, and its PDF, of one scenario.

Title (district, scenario, date), the line saying it is a scenario and not a forecast, the briefing
paragraph, the goals (central-path value against the goal, year reached, chance; the verdicts at the
plausible 2024 levels), three of the page's charts (total output's fan with the doubling line, the
cluster by part, where the gain comes from), the settings that differ from the trend, the feasibility
constraints, and the data's status and sources.

The numbers are the page's: the same ``scenario_results``, the same ensemble (``DEFAULT_RUNS`` runs,
``DEFAULT_SEED``; the page hands over the one it has already computed), the same briefing function,
the same chart templates and frames, the same constraint table as ``python -m model constraints``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np

from i18n import Translator

from ..core.baseline import Baseline
from ..core.ensemble import DEFAULT_RUNS, DEFAULT_SEED, EnsembleSummary
from ..core.goals import NOT_REACHED
from ..core.specs import SCALAR_PARAMS, SPEC_BY_NAME
from ..io.export import one_language, project_name, scenario_name
from ..io.tables import scenario_constraints
from ..schema.results import ScenarioResults, scenario_results
from ..schema.runs import summarize
from ..schema.scenario import Scenario, parse_scenario, plan_window, resolve_goals, scenario_params
from . import charts
from .briefing import briefing
from .document import Doc, chart_png, docx_to_pdf

#: The page's charts in the report: total output's fan (doubling line, target year), the cluster by
#: part, where the gain comes from.
REPORT_CHARTS = ("fan_total", "cluster", "contrib")
#: Chart heights in the report (px before the 2× scale): three charts and the tables fit 2–4 A4 pages.
CHART_HEIGHT = {"fan_total": 230, "cluster": 230, "contrib": 210}


def _date(t: Translator, day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if t.lang == "zh" else day.strftime("%d %B %Y").lstrip("0")


def _metric_value(t: Translator, metric: str, x: float) -> str:
    """A goal's value as the page writes it, with one more digit (亿元 to 0.1, bn yuan to 0.01)."""
    if metric in ("total_multiple", "cluster_total"):
        return f"{t.num(x, 1)} {t('unit.money')}" if t.lang == "zh" else f"{t.num(x * t.money_factor, 2)} {t('unit.money')}"
    if metric in ("advanced_share", "high_tech_share"):
        return t.pct(x)
    return t.rate(x)


def trend_of(sc: Scenario, base: Baseline) -> Scenario:
    """The trend baseline the page compares with: no levers, the scenario's goal settings."""
    doc = sc.to_doc()
    return parse_scenario({"targets": doc["targets"]} if "targets" in doc else {}, base)


def goal_rows(t: Translator, res: ScenarioResults, probability: np.ndarray, end_year: int) -> list[list[str]]:
    """One row per goal: name, target year, value, goal value, central-path verdict, year reached, chance."""
    g = res.goals
    rows = []
    for j, goal in enumerate(g.goals):
        year = int(g.year_reached[0, j])
        if year == NOT_REACHED:
            reached = t("report.never", end=end_year)
        else:
            reached = t("report.sustained") if goal.metric == "min_growth" else str(year)
        rows.append([goal.name(t.lang), str(goal.target_year), _metric_value(t, goal.metric, float(g.value[0, j])),
                     _metric_value(t, goal.metric, float(g.goal[0, j])),
                     t("verdict.met") if g.met[0, j] else t("verdict.missed"), reached,
                     t.pct(100 * float(probability[j]), 0)])
    return rows


def level_rows(t: Translator, res: ScenarioResults) -> tuple[list[str], list[list[str]]]:
    """The verdicts at the plausible 2024 levels (the page's table under the cards)."""
    g = res.level_goals
    headers = [t("report.col.goal")] + [t("report.level_col", value=t.money(float(v))) for v in res.levels]
    rows = []
    for j, goal in enumerate(g.goals):
        rows.append([goal.name(t.lang)] + [
            t("range.value", value=_metric_value(t, goal.metric, float(g.value[i, j])),
              verdict=t("verdict.met") if g.met[i, j] else t("verdict.missed")) for i in range(len(res.levels))])
    return headers, rows


def _fmt(spec, x: float) -> str:
    try:
        return spec.fmt % x
    except (TypeError, ValueError):
        return f"{x:g}"


def setting_rows(t: Translator, base: Baseline, sc: Scenario, trend: Scenario) -> list[list[str]]:
    """The settings of ``sc`` that differ from the trend: levers and assumptions, plan, sector trends,
    key projects and goals, each with the trend's value and its unit."""
    rows: list[list[str]] = []
    x, x0 = scenario_params(sc, base), scenario_params(trend, base)
    from ..schema.scenario import param_names

    names = param_names(base)
    index = {n: k for k, n in enumerate(names)}
    for name in SCALAR_PARAMS:
        spec = SPEC_BY_NAME[name]
        k = index.get(name)
        if k is None or abs(float(x[k]) - float(x0[k])) < 1e-9:
            continue
        rows.append([t(spec.i18n_key), _fmt(spec, float(x[k])), _fmt(spec, float(x0[k])), t.unit(spec.unit_en)])
    start, end = plan_window(sc, base)
    start0, end0 = plan_window(trend, base)
    if (start, end) != (start0, end0):
        rows.append([t("report.plan_window"), f"{start}–{end}", f"{start0}–{end0}", ""])
    if sc.plan.after != trend.plan.after:
        rows.append([t("report.plan_after"), t(f"report.after.{sc.plan.after}"), t(f"report.after.{trend.plan.after}"), ""])
    if sc.plan.invest_in != trend.plan.invest_in:
        rows.append([t("report.invest_in"), t(f"report.invest_in.{sc.plan.invest_in}"),
                     t(f"report.invest_in.{trend.plan.invest_in}"), ""])
    data_trend = dict(zip(base.sector_ids, base.trend_pct))
    sector_names = {s.id: s.name(t.lang) for s in base.sectors}
    for sid, o in sc.sectors.items():
        if o.growth is not None:
            rows.append([t("report.sector_trend", sector=sector_names[sid]), f"{o.growth:g}", f"{data_trend[sid]:.1f}",
                         t.unit("%/yr")])
    for p in sc.levers.projects:
        rows.append([t("report.project", name=project_name(p, t.lang), sector=sector_names.get(p.sector, p.sector),
                       start=p.start_year, output=t.money(p.output), ramp=p.ramp_years)])
    data_goals = base.goal_by_id
    for g in resolve_goals(sc, base):
        d = data_goals[g.id]
        if g.threshold != d.threshold or g.target_year != d.target_year:
            rows.append([t("report.goal_setting", goal=g.name(t.lang)), f"{g.threshold:g} / {g.target_year}",
                         f"{d.threshold:g} / {d.target_year}", t.unit(g.unit)])
    return rows


def constraint_rows(t: Translator, base: Baseline, sc: Scenario, runs: int, seed: int) -> list[list[str]]:
    """The rows of ``python -m model constraints`` (the model's table, whatever its constraints are): a
    constraint the data hold no limit for (status ``none``) says so instead of a verdict."""
    table = scenario_constraints(base, sc, runs, seed)
    rows = []
    for r in table.itertuples(index=False):
        value, limit = float(r.value), float(r.limit)
        status = str(getattr(r, "status", "estimate"))
        if r.unit == "100m yuan":  # money as the page shows it (English: bn yuan)
            value, limit, unit = value * t.money_factor, limit * t.money_factor, t("unit.money")
        else:
            unit = t(f"report.unit.{r.unit}")
            unit = str(r.unit) if unit == f"report.unit.{r.unit}" else unit
        # Enough digits that a value just over its limit does not print as equal to it.
        scale = abs(limit) if np.isfinite(limit) else abs(value)
        digits = 3 if scale < 10 else 2 if scale < 100 else 1
        name = t(f"report.constraint.{r.id}")
        limited = status != "none" and np.isfinite(limit)
        chance = float(r.probability) if "probability" in table.columns else float("nan")
        if r.unit == "year":  # the payback row: years as years, never "2,034.0"
            shown = (lambda x: str(int(x)) if np.isfinite(x) else "–")  # noqa: E731
        else:
            shown = (lambda x: t.num(x, digits))  # noqa: E731
        rows.append([name if name != f"report.constraint.{r.id}" else str(r.id), str(int(r.year)), shown(value),
                     shown(limit) if limited else "–", unit,
                     t(f"status.{status}") if limited else t("report.limit_none"),
                     (t("report.within") if r.within else t("report.over")) if limited else t("report.no_limit"),
                     t.pct(100 * chance, 0) if limited and np.isfinite(chance) else "–"])
    return rows


def data_status(t: Translator, base: Baseline) -> str:
    counts = Counter(f.status for f in base.figures)
    n = len(base.figures)
    return t("report.data_status", n=n, official=counts.get("official", 0), derived=counts.get("derived", 0),
             estimate=counts.get("estimate", 0), share=t.pct(100 * counts.get("estimate", 0) / max(n, 1), 0))


def report_charts(base: Baseline, res: ScenarioResults, trend_res: ScenarioResults, ens: EnsembleSummary,
                  t: Translator) -> list[tuple[str, bytes]]:
    """(name, PNG) of the report's charts: the page's templates and frames (nominal prices, sector values)."""
    years = (res.goals.goals[0].target_year, base.end_year)
    out = []
    for name in REPORT_CHARTS:
        spec = charts.template(name, t.lang, False, charts.sector_order(base, t), charts.contribution_bars(t, years))
        if name.startswith("fan_"):
            data = charts.fan_frames(name, ens, res, trend_res, t)
        else:
            data = charts.frames(name, res, trend_res, base, t, False, False)
        out.append((name, chart_png({**spec, "height": CHART_HEIGHT[name]}, data)))
    return out


def scenario_docx(base: Baseline, sc: Scenario, lang: str, *, name: str | None = None,
                  ens: EnsembleSummary | None = None, brief: str | None = None, today: dt.date | None = None) -> bytes:
    """The report of scenario ``sc`` in ``lang`` as a Word document.

    ``ens``: the scenario's ensemble (the page's; computed with the page's runs and seed when not given);
    ``brief``: the briefing paragraph (computed when not given); ``today``: the date on the title.
    """
    t = Translator(lang)
    ens = ens if ens is not None else summarize(base, sc, runs=DEFAULT_RUNS, seed=DEFAULT_SEED)
    brief = brief if brief is not None else briefing(base, sc, lang, ens)
    trend = trend_of(sc, base)
    res, trend_res = scenario_results(base, sc), scenario_results(base, trend)
    region = one_language(str(base.region.get(f"name_{lang}") or base.region.get("name_zh") or base.region["id"]), lang)
    name = name or scenario_name(sc, lang)
    day = today or dt.date.today()

    doc = Doc(lang, t("report.footer", region=region, name=name), t("report.page"))
    doc.title(t("report.title", region=region), t("report.subtitle", name=name, date=_date(t, day)))
    doc.para(t("report.not_forecast"), bold=True, size=9.5)

    doc.heading(t("report.h.summary"))
    doc.para(brief)

    doc.heading(t("report.h.goals"))
    doc.table([t("report.col.goal"), t("report.col.year"), t("report.col.value"), t("report.col.target"),
               t("report.col.central"), t("report.col.reached"), t("report.col.chance")],
              goal_rows(t, res, ens.probability, base.end_year), widths_cm=(4.0, 1.9, 2.7, 2.7, 1.8, 2.0, 1.5),
              align_right=(2, 3, 6))
    doc.para(t("report.goals_note", runs=t.num(ens.runs), seed=ens.seed), size=8.5, color=None)
    doc.heading(t("report.h.levels"), level=2)
    headers, rows = level_rows(t, res)
    doc.table(headers, rows, widths_cm=(4.6,) + (4.1,) * (len(headers) - 1), size=8.5)

    doc.heading(t("report.h.charts"))
    for name_, png in report_charts(base, res, trend_res, ens, t):
        sub = charts.SUBTITLES.get(name_)
        title = t(f"chart.{name_}")
        doc.figure(png, t("report.chart_caption", n=doc.figures + 1, title=title, sub=t(sub) if sub else ""))

    doc.heading(t("report.h.settings"))
    settings = setting_rows(t, base, sc, trend)
    if settings:
        doc.table([t("report.col.item"), t("report.col.scenario"), t("report.col.trend"), t("report.col.unit")],
                  settings, widths_cm=(8.6, 2.8, 2.8, 2.4), align_right=(1, 2))
    else:
        doc.para(t("report.no_changes"))

    doc.heading(t("report.h.feasibility"))
    doc.table([t("report.col.constraint"), t("report.col.binds"), t("report.col.value"), t("report.col.limit"),
               t("report.col.unit"), t("report.col.limit_status"), t("report.col.within"), t("report.col.within_chance")],
              constraint_rows(t, base, sc, ens.runs, ens.seed), widths_cm=(3.6, 1.3, 2.0, 2.0, 2.3, 2.0, 1.7, 1.7),
              align_right=(2, 3, 7))
    doc.para(t("report.feasibility_note", runs=t.num(ens.runs)), size=8.5)

    doc.heading(t("report.h.data"))
    doc.para(data_status(t, base))
    doc.para(t("report.sources"), bold=True, size=9)
    # one run-on paragraph: the list grows with the data folder, and a line a source would not keep to 4 pages
    doc.para(" · ".join(t("report.source_item", id=s.id, title=one_language(s.title, lang),
                              publisher=one_language(s.publisher, lang)) for s in base.sources.values()), size=7)
    doc.para(t("report.not_forecast"), italic=True, size=8.5)
    return doc.bytes()


def scenario_pdf(base: Baseline, sc: Scenario, lang: str, **kwargs) -> bytes:
    """The same report as PDF (LibreOffice prints the Word document; fonts embedded)."""
    return docx_to_pdf(scenario_docx(base, sc, lang, **kwargs))
