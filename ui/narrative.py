"""A briefing-note paragraph about the current scenario, in the page language."""

from __future__ import annotations

import numpy as np

from model import Baseline
from model.goals import NOT_REACHED
from model.seek import SEEKABLE, SeekResult

from .compute import Results
from .i18n import Translator


def _goal_sentence(t: Translator, res: Results, ens, j: int) -> str:
    g = res.goals
    goal = g.goals[j]
    p = t.pct(100 * float(ens.probability[j]), 0)
    if g.met[0, j]:
        year = int(g.year_reached[0, j])
        return t("story.goal_met", name=goal.name(t.lang), year=year, p=p)
    reached = int(g.year_reached[0, j])
    later = t("story.later", year=reached) if reached != NOT_REACHED else t("story.never", end=int(res.years[-1]))
    return t("story.goal_missed", name=goal.name(t.lang), year=goal.target_year, p=p, later=later)


def largest_gap(res: Results) -> int | None:
    """Index of the missed goal with the largest relative gap, or None when every goal is met."""
    g = res.goals
    missed = [j for j in range(len(g.goals)) if not g.met[0, j]]
    if not missed:
        return None
    rel = [float(g.gap[0, j]) / max(abs(float(g.goal[0, j])), 1e-9) for j in missed]
    return missed[int(np.argmax(rel))]


def top_lever(tornado_table) -> str | None:
    """The most influential lever that goal seek can move."""
    for name in tornado_table.param:
        if name in SEEKABLE and name != "growth":
            return name
    return None


def narrative(t: Translator, base: Baseline, res: Results, ens, tornado_table, seek_result: SeekResult | None,
              flags: list) -> str:
    years = res.years
    short = res.goals.goals[0].target_year
    k = int(np.searchsorted(years, short))
    parts = [t("story.levels", y1=short, v1=t.money(res.total[k]), m1=f"{res.total[k] / res.total[0]:.2f}",
               y2=int(years[-1]), v2=t.money(res.total[-1]), m2=f"{res.total[-1] / res.total[0]:.2f}")]
    parts += [_goal_sentence(t, res, ens, j) for j in range(len(res.goals.goals))]
    driver = tornado_table.iloc[0]
    name = t(f"lever.{driver.param}")
    parts.append(t("story.driver", name=name if t.lang == "zh" else name[:1].lower() + name[1:], year=short,
                   span=t.money(float(driver.span))))
    if seek_result is not None:
        goal = next(gl for gl in res.goals.goals if gl.id == seek_result.goal)
        lever = t(f"lever.{seek_result.lever}")
        unit = t.unit(_unit(seek_result.lever))
        if seek_result.reachable:
            # Rounded up, so that the quoted value meets the goal (the crossing lies just below it).
            up = np.ceil(seek_result.value * 10 - 1e-9) / 10
            parts.append(t("story.seek", goal=goal.name(t.lang), year=goal.target_year, lever=lever,
                           value=f"{up:.1f}", unit=unit))
        else:
            parts.append(t("story.seek_unreachable", goal=goal.name(t.lang), lever=lever))
    elif largest_gap(res) is None:
        parts.append(t("story.all_met"))
    if flags:
        parts.append(t("story.flags_one" if len(flags) == 1 else "story.flags", n=len(flags)))
    parts.append(t("story.caveat"))
    return " ".join(parts)


def _unit(lever: str) -> str:
    from model.specs import SPEC_BY_NAME
    return SPEC_BY_NAME[lever].unit_en
