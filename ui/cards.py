"""Goal cards. On the face: the goal, the chance (headline and colour) and the value against the goal; in
the details (one click): whether the central path meets the goal, year first reached,
target-year value against the goal, gap, what the gain is made of, the verdict over the plausible
2024 levels, and the trend baseline."""

from __future__ import annotations

import html

import numpy as np
import streamlit as st

from model import (NOT_REACHED, Baseline, Flag, GoalSpec, ScenarioResults, achieved_growth, annual_growth,
                   required_growth)

from .i18n import Translator


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


def _against(t: Translator, goal: GoalSpec, value: float, target: float) -> str:
    """The card's face: this scenario's value against the goal, in one short line."""
    if goal.metric == "min_growth":
        return t("card.against_growth", value=t.rate(value), goal=t.rate(target))
    return t("card.against", year=goal.target_year, value=_fmt(t, goal.metric, value), goal=_fmt(t, goal.metric, target))


def _meter(value: float, target: float) -> str:
    """A bar filled by value / goal (capped at 100 %): how far the scenario gets, seen at a glance."""
    fill = 0.0 if target <= 0 else max(0.0, min(1.0, value / target))
    return f'<div class="zc-meter"><i style="width:{100 * fill:.0f}%"></i></div>'


def cluster_note(t: Translator, base: Baseline) -> str:
    """What of the cluster's 2024 figure is published and what is derived or estimated (issue 18 item 4).

    The published total (``region.json`` ``published_cluster_total``) is said as such only when the parts
    add up to it; after an import that changes a part, the published total and the model's sum are given
    apart, each part with its status."""
    status = {f.key: f.status for f in base.figures if f.table == "cluster"}
    parts = " · ".join(t("card.cluster_part_status", part=t(f"part.{p}"), status=t(f"status.{status.get(p, 'estimate')}"))
                       for p in ("processing", "trade", "downstream"))
    total = float(sum(base.cluster0.values()))
    published = base.published_cluster_total
    if published is None:
        head = t("card.cluster_model", year=base.base_year, total=t.money(total))
    elif abs(published[0] - total) < 0.05:
        head = t("card.cluster_published", year=published[1], total=t.money(published[0]))
    else:
        head = t("card.cluster_published_apart", year=published[1], published=t.money(published[0]), total=t.money(total))
    return " ".join((head, t("card.cluster_parts_status", parts=parts), t("card.cluster_note")))


def goal_card(t: Translator, base: Baseline, j: int, res: ScenarioResults, trend_res: ScenarioResults,
              probability: float | None = None, runs: int = 0) -> str:
    """HTML of one goal card (j-th goal of the results), with the ensemble's chance when given.

    The face holds what is read at a glance: the goal, the chance (the card's colour and headline), the
    value against the goal. Everything else is one click away in a ``<details>`` element (no widget: a
    move re-sends the one markdown element of the row)."""
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
        band_help = ""
    else:
        verdict = chance_verdict(probability)
        status = t(f"card.badge_{verdict}")
        css = {"likely": "zc-met", "even": "zc-even", "unlikely": "zc-miss"}[verdict]
        band_help = t("card.band_help")
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
                     f'<div class="zc-note zc-cluster-note">{e(cluster_note(t, base))}</div>')
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
        f'<div class="zc-head"><span class="zc-name">{e(goal.name(t.lang))}</span></div>'
        f'<div class="zc-line">{prob_html}<span class="zc-badge" title="{e(band_help)}">{e(status)}</span></div>'
        f'<div class="zc-against">{e(_against(t, goal, value, target))}</div>'
        f'{_meter(value, target)}'
        f'<details class="zc-more"><summary>{e(t("card.details"))}</summary>'
        f'<div class="zc-goal">{e(goal_line)}</div>'
        f'<div class="zc-value">{e(value_line)}</div>'
        f'<div class="zc-gap">{e(gap_line)}</div>'
        f'{gain_html}'
        f'<div class="zc-arith">{e(_arithmetic(t, goal, res, base))}</div>'
        f'{levels_html}'
        f'<div class="zc-base">{e(baseline_line)}</div>'
        f'<div class="zc-note zc-central">{e(t("central_path_explained"))}</div>'
        "</details></div>"
    )


def goal_cards(t: Translator, base: Baseline, res: ScenarioResults, trend_res: ScenarioResults, ens=None,
               status: str = "", notes: tuple[str, ...] = ()) -> None:
    """The preset status line, the row of cards and the plausibility notes, as one element (a CSS grid,
    ``style.py``): a move re-sends one delta, not one per card, line and note (issue 18, P1).

    ``status`` and ``notes`` are plain text (escaped here); the notes fold into one line under the cards,
    opened with a click, so that the main chart stays on the first screen."""
    e = html.escape
    row = "".join(goal_card(t, base, j, res, trend_res, None if ens is None else float(ens.probability[j]),
                            0 if ens is None else ens.runs) for j in range(len(res.goals.goals)))
    flags = ""
    if notes:
        items = "".join(f"<li>{e(n)}</li>" for n in notes)
        flags = (f'<details class="zc-flags" data-count="{len(notes)}"><summary>⚠ {e(t("flags.summary", n=len(notes)))}'
                 f'</summary><ul>{items}</ul></details>')
    # The central path's sentence (issue 17) is in each card's details, beside the verdict it explains.
    st.markdown(f'<div class="zc-status" data-testid="preset-status">{e(status)}</div>'
                f'<div class="zc-cards">{row}</div>{flags}', unsafe_allow_html=True)


# --------------------------------------------------------------------------- plausibility notes
def flag_values(t: Translator, flag: Flag) -> dict[str, object]:
    """A plausibility note's numbers as the page prints them (``flag.<check>`` in the i18n files)."""
    digits = {"1": 2, "firms": 0}.get(flag.unit, 1)  # ratios to 2 decimals; firms are counted whole
    shown = t.money if flag.unit == "100m yuan" else (lambda x: t.num(x, digits))
    return {"value": shown(flag.value), "threshold": shown(flag.threshold), "year": flag.year}


def flag_note(t: Translator, flag: Flag) -> str:
    """One plausibility note as plain text (to be escaped where it goes into HTML)."""
    return t(f"flag.{flag.check}", **flag_values(t, flag))

