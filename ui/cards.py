"""Goal cards: the chance (headline and colour), whether the central path meets the goal, year first reached,
target-year value against the goal, gap, what the gain is made of, the verdict over the plausible
2024 levels, and the trend baseline."""

from __future__ import annotations

import html

import numpy as np
import streamlit as st

from model import (NOT_REACHED, Baseline, Flag, GoalSpec, ScenarioResults, achieved_growth, annual_growth,
                   required_growth)

from .i18n import Translator
from .safe import say


def _fmt(t: Translator, metric: str, x: float, difference: bool = False) -> str:
    if metric in ("total_multiple", "cluster_total"):
        return t.money(x)
    if metric in ("advanced_share", "high_tech_share"):
        return t.points(x) if difference else t.pct(x)
    return t.points(x) if difference else t.rate(x)


def _reached(t: Translator, goal: GoalSpec, year: int, end: int) -> str:
    if goal.metric == "min_growth":
        return t("card.sustained") if year != NOT_REACHED else t("card.not_reached", end=end)
    return t("card.reached", year=year) if year != NOT_REACHED else t("card.not_reached", end=end)


#: Chance bands of a card's colour and headline (issue 18, item 3): the verdict follows the ensemble's
#: chance, not the central path — a goal the central path meets at a 33 % chance is not shown as met.
#: 80 % is the stricter choice of the decision tools; below 50 % failure is the likelier outcome.
LIKELY, EVEN = 0.8, 0.5


def chance_verdict(probability: float) -> str:
    """``likely`` (chance ≥ 80 %), ``even`` (50–80 %) or ``unlikely`` (< 50 %)."""
    return "likely" if probability >= LIKELY else "even" if probability >= EVEN else "unlikely"


def _arithmetic(t: Translator, goal: GoalSpec, res: ScenarioResults, base: Baseline) -> str:
    years = res.years
    n = goal.target_year - base.base_year
    if goal.metric == "total_multiple":
        have = achieved_growth(res.total[None], years, goal.target_year)[0]
        return t("card.arith_multiple", multiple=f"{goal.threshold:g}", year=goal.target_year,
                 need=t.rate(required_growth(goal.threshold, n)), have=t.rate(have))
    if goal.metric == "cluster_total":
        cluster = res.cluster.sum(axis=0)
        have = achieved_growth(cluster[None], years, goal.target_year)[0]
        return t("card.arith_level", goal=t.money(goal.threshold), year=goal.target_year,
                 need=t.rate(required_growth(goal.threshold / cluster[0], n)), have=t.rate(have))
    if goal.metric == "advanced_share":
        share = 100 * res.output[base.advanced_mask].sum(axis=0) / res.total
        k = int(np.searchsorted(years, goal.target_year))
        return t("card.arith_share", published="—", start=t.pct(share[0]), year=goal.target_year, value=t.pct(share[k]))
    if goal.metric == "high_tech_share":
        k = int(np.searchsorted(years, goal.target_year))
        return t("card.arith_share", published=t.pct(base.published_high_tech[0], 0), start=t.pct(res.high_tech_share[0]),
                 year=goal.target_year, value=t.pct(res.high_tech_share[k]))
    return t("card.arith_growth", goal=t.rate(goal.threshold))


def goal_card(t: Translator, base: Baseline, j: int, res: ScenarioResults, trend_res: ScenarioResults,
              probability: float | None = None, runs: int = 0) -> str:
    """HTML of one goal card (j-th goal of the results), with the ensemble's chance when given."""
    g = res.goals
    goal = g.goals[j]
    met = bool(g.met[0, j])
    value, target, gap = float(g.value[0, j]), float(g.goal[0, j]), float(g.gap[0, j])
    end = base.end_year
    if goal.metric == "total_multiple":
        goal_line = t("card.goal_multiple", year=goal.target_year, goal=t.money(target), multiple=f"{goal.threshold:g}")
    elif goal.metric == "min_growth":
        goal_line = t("card.goal_growth", start=goal.start_year, year=goal.target_year, goal=t.rate(target))
    else:
        goal_line = t("card.goal_level", year=goal.target_year, goal=_fmt(t, goal.metric, target))
    if goal.metric == "min_growth":
        yearly = annual_growth(res.total[None])[0]
        start = int(np.searchsorted(res.years, goal.start_year or res.years[1]))
        stop = int(np.searchsorted(res.years, goal.target_year)) + 1
        worst_year = int(res.years[start + int(np.argmin(yearly[start:stop]))])
        average = float(achieved_growth(res.total[None], res.years, goal.target_year)[0])
        value_line = t("card.min_growth", value=t.rate(value), year=worst_year, start=base.base_year,
                       end=goal.target_year, average=t.rate(average))
    else:
        value_line = t("card.value", year=goal.target_year, value=_fmt(t, goal.metric, value))
    gap_text = (t("card.gap_over", gap=_fmt(t, goal.metric, -gap, difference=True)) if gap <= 0
                else t("card.gap_short", gap=_fmt(t, goal.metric, gap, difference=True)))
    bg = trend_res.goals
    if goal.metric == "min_growth":
        baseline_line = t("card.baseline_growth", value=t.rate(float(bg.value[0, j])))
    else:
        baseline_line = t("card.baseline", value=_fmt(t, goal.metric, float(bg.value[0, j])),
                          reached=_reached(t, goal, int(bg.year_reached[0, j]), end))
    if goal.metric == "min_growth":  # judged over the ensemble's runs, not the central path (issue 17 review A)
        central = t("card.median_met") if met else t("card.median_missed")
    else:
        central = t("card.central_met") if met else t("card.central_missed")
    e = html.escape
    prob_html = ""
    if probability is None:  # no ensemble yet: the central path is all there is
        status, css, verdict = ("✔ " if met else "✘ ") + central, "zc-met" if met else "zc-miss", "central"
    else:
        verdict = chance_verdict(probability)
        status = t(f"card.verdict_{verdict}")
        css = {"likely": "zc-met", "even": "zc-even", "unlikely": "zc-miss"}[verdict]
        prob_html = (f'<div class="zc-prob" data-probability="{probability:.4f}" title="{e(t("card.prob_help", runs=t.num(runs)))}">'
                     f'{e(t("card.probability", p=t.pct(100 * probability, 0)))}</div>')
    # With a chance in the headline, the central path's verdict is a detail beside the gap.
    parts = ([] if probability is None else [central]) + [gap_text, _reached(t, goal, int(g.year_reached[0, j]), end)]
    gap_line = " · ".join(parts)
    k = int(np.searchsorted(res.years, goal.target_year))
    gain_html = ""
    if goal.metric == "total_multiple":
        v, p, r = res.gains[k]
        gain_html = (f'<div class="zc-gain" data-volume="{v:.6g}" data-price="{p:.6g}" data-reclass="{r:.6g}">'
                     f'{e(t("card.gain", year=goal.target_year, volume=t.money(v), price=t.money(p), reclass=t.money(r)))}</div>')
        # 同口径 (same firms, as official growth is published) beside the level including entrants.
        i = goal.target_year - base.base_year - 1
        same, whole = float(res.same_firm_growth_since_base[i]), float(res.growth_since_base[i])
        gain_html += (f'<div class="zc-same-firm" data-same-firm="{same:.6g}" data-with-entrants="{whole:.6g}">'
                      f'{e(t("card.same_firm", start=base.base_year, year=goal.target_year, same=t.rate(same), whole=t.rate(whole)))}</div>')
    if goal.metric in ("advanced_share", "high_tech_share"):  # the structure goal
        gain_html = (f'<div class="zc-invest-in" data-invest-in="{e(res.invest_in)}">'
                     f'{e(t(f"card.invest_in.{res.invest_in}"))}</div>')
    if goal.metric == "min_growth":
        gain_html = f'<div class="zc-note">{e(t("card.steady_note"))}</div>'
    if goal.metric == "cluster_total":
        c = res.cluster[:, k]
        gain_html = (f'<div class="zc-parts" data-processing="{c[0]:.6g}" data-trade="{c[1]:.6g}" data-downstream="{c[2]:.6g}">'
                     f'{e(t("card.cluster_parts", year=goal.target_year, processing=t.money(c[0]), trade=t.money(c[1]), downstream=t.money(c[2])))}</div>'
                     f'<div class="zc-net" data-net="{res.cluster_net[k]:.6g}">'
                     f'{e(t("card.cluster_net", year=goal.target_year, net=t.money(float(res.cluster_net[k]))))}</div>'
                     f'<div class="zc-note">{e(t("card.cluster_note", total=t.money(sum(base.cluster0.values()))))}</div>')
    lg = res.level_goals
    items = "；" if t.lang == "zh" else "; "
    items = items.join(t("card.level_item", level=t.money(float(level)), mark="✔" if lg.met[i, j] else "✘")
                       for i, level in enumerate(res.levels))
    levels_html = (f'<div class="zc-levels" data-met="{",".join(str(bool(m)).lower() for m in lg.met[:, j])}">'
                   f'{e(t("card.levels", items=items))}</div>')
    return (
        f'<div class="zc-card {css}" data-goal="{e(goal.id)}" data-met="{str(met).lower()}" '
        f'data-value="{value:.6g}" data-goal-value="{target:.6g}" data-year="{int(g.year_reached[0, j])}" '
        f'data-verdict="{verdict}">'
        f'<div class="zc-head"><span class="zc-name">{e(goal.name(t.lang))}</span>'
        f'<span class="zc-badge">{e(status)}</span></div>'
        f'{prob_html}'
        f'<div class="zc-goal">{e(goal_line)}</div>'
        f'<div class="zc-value">{e(value_line)}</div>'
        f'<div class="zc-gap">{e(gap_line)}</div>'
        f'{gain_html}'
        f'<div class="zc-arith">{e(_arithmetic(t, goal, res, base))}</div>'
        f'{levels_html}'
        f'<div class="zc-base">{e(baseline_line)}</div>'
        "</div>"
    )


def level_table(t: Translator, res: ScenarioResults) -> "pd.DataFrame":
    """One row per goal, one column per plausible 2024 level: the central path's value and verdict."""
    import pandas as pd

    g = res.level_goals
    rows = []
    for j, goal in enumerate(g.goals):
        row = {t("col.goal"): goal.name(t.lang)}
        for i, level in enumerate(res.levels):
            verdict = t("verdict.met") if g.met[i, j] else t("verdict.missed")
            row[t.money(float(level))] = t("range.value", value=_fmt(t, goal.metric, float(g.value[i, j])), verdict=verdict)
        rows.append(row)
    return pd.DataFrame(rows)


def goal_cards(t: Translator, base: Baseline, res: ScenarioResults, trend_res: ScenarioResults, ens=None) -> None:
    # One element for the row of cards (a CSS grid, ``style.py``): a move re-sends one delta, not nine.
    html = "".join(goal_card(t, base, j, res, trend_res, None if ens is None else float(ens.probability[j]),
                             0 if ens is None else ens.runs) for j in range(len(res.goals.goals)))
    st.markdown(f'<div class="zc-cards">{html}</div>', unsafe_allow_html=True)
    # The cards name the central path; say once, in plain text, what it is (issue 17).
    st.caption(t("central_path_explained"))


# --------------------------------------------------------------------------- plausibility notes
def flag_values(t: Translator, flag: Flag) -> dict[str, object]:
    """A plausibility note's numbers as the page prints them (``flag.<check>`` in the i18n files)."""
    digits = {"1": 2, "firms": 0}.get(flag.unit, 1)  # ratios to 2 decimals; firms are counted whole
    shown = t.money if flag.unit == "100m yuan" else (lambda x: t.num(x, digits))
    return {"value": shown(flag.value), "threshold": shown(flag.threshold), "year": flag.year}


def flag_note(t: Translator, flag: Flag) -> str:
    """One plausibility note as plain text (to be escaped where it goes into HTML)."""
    return t(f"flag.{flag.check}", **flag_values(t, flag))


def plausibility_notes(t: Translator, flags: tuple[Flag, ...]) -> None:
    """The model's plausibility notes of a scenario (``ScenarioResults.flags``) as warnings."""
    for flag in flags:
        say("warning", t, f"flag.{flag.check}", icon=":material/report:", **flag_values(t, flag))
