"""The briefing: where output stands, which goals are met, with what chance, what drives the
result, what it would take. One function for the page, the Excel workbook and the command line.

"What it would take" is advice at a chance (issue 17, finding 2): the lever value and the cheapest mix
are sought so that the goal is met in at least ``probability`` of the ensemble's runs (default 50 %),
and each sentence states the chance of the setting it names.

The sentences come from the translation files (``i18n/``); this module only chooses and fills them.
"""

from __future__ import annotations

import numpy as np

from i18n import Translator

from ..core.baseline import Baseline
from ..core.ensemble import EnsembleSummary
from ..errors import DataError
from ..io.feasibility_data import load_feasibility
from ..core.goals import NOT_REACHED, evaluate_goals
from ..core.specs import SEEKABLE, SPEC_BY_NAME
from ..schema.feasibility import ConstraintRow, FeasibilitySummary, feasibility_summary
from ..schema.mix import DEFAULT_PROBABILITY, cheapest_mix
from ..schema.results import scenario_results
from ..schema.runs import run_scenario, seek, summarize, tornado
from ..schema.scenario import Scenario, resolve_goals


#: The mark of a line of a list (one goal each) in the briefing's plain text.
BULLET = "• "


def largest_gap(goals, chance: np.ndarray | None = None, probability: float = DEFAULT_PROBABILITY) -> int | None:
    """Index of the goal furthest from being met, or None when all are met.

    With ``chance`` (G,): the goals whose chance is below ``probability`` count as missed, and the one
    with the lowest chance is furthest (a goal the central path meets at a 33 % chance still needs
    advice). Without it, the central path decides and the largest relative gap is furthest.
    """
    G = len(goals.goals)
    if chance is not None:
        missed = [j for j in range(G) if chance[j] < probability]
        return None if not missed else missed[int(np.argmin([chance[j] for j in missed]))]
    missed = [j for j in range(G) if not goals.met[0, j]]
    if not missed:
        return None
    rel = [float(goals.gap[0, j]) / max(abs(float(goals.goal[0, j])), 1e-9) for j in missed]
    return missed[int(np.argmax(rel))]


def level_sentence(t: Translator, goals, levels: np.ndarray, res) -> str:
    """How the verdicts change over the plausible 2024 levels: the goal values needed and reached."""
    items = []
    for i, level in enumerate(levels):
        for j, goal in enumerate(goals):
            if j and res.met[:, j].all() == res.met[:, j].any():
                continue  # the same verdict at every level: said once above
            value = f"{t.money(float(res.value[i, j]))} / {t.money(float(res.goal[i, j]))}" \
                if goal.metric in ("total_multiple", "cluster_total") else t.num(float(res.value[i, j]), 1)
            items.append(t("story.range_item", level=t.money(float(level)), goal=goal.name(t.lang),
                           verdict=t("verdict.met" if res.met[i, j] else "verdict.missed"), value=value))
    return t("story.range", items=("；" if t.lang == "zh" else "; ").join(items))


def _inline(t: Translator, name: str) -> str:
    """A lever's label inside an English sentence starts in lower case."""
    return name if t.lang == "zh" else name[:1].lower() + name[1:]


def mix_sentence(t: Translator, base: Baseline, sc: Scenario, goal, probability: float = DEFAULT_PROBABILITY) -> str:
    """The cheapest mix of levers that meets a level goal at ``probability`` (``mix.cheapest_mix``), with its chance."""
    m = cheapest_mix(base, sc, goal.id, probability=probability)
    items = t("story.mix_join").join(
        t("story.mix_item", lever=_inline(t, t(f"lever.{s.lever}")), value=f"{s.value:g}", unit=t.unit(SPEC_BY_NAME[s.lever].unit_en),
          price=f"{s.price:.2f}") for s in m.steps)
    key = "story.mix" if m.reached else "story.mix_short"
    return t(key, goal=goal.name(t.lang), value=t.money(m.goal_value if m.reached else m.value), year=m.year,
             items=items, bill=t.money(m.bill), p=t.pct(100 * m.chance, 0), want=t.pct(100 * probability, 0),
             runs=t.num(m.runs))


def _verdict(t: Translator, c: ConstraintRow) -> str:
    """", within it (chance 97 %)" / ", over it from 2025 (chance within 12 %)" / "no sourced limit"."""
    if not c.has_limit:
        return t("story.feas.no_limit")
    p = "" if c.probability is None else t("story.feas.chance", p=t.pct(100 * c.probability, 0))
    return t("story.feas.within", chance=p) if c.within else t("story.feas.over", year=c.binds, chance=p)


def feasibility_sentences(t: Translator, s: FeasibilitySummary) -> list[str]:
    """One sentence each for the fiscal side, energy and land, with the chances (issue 19)."""
    end = int(s.years[-1])
    fb = s.constraint("fiscal_balance")
    if not s.outlay:
        payback = t("story.feas.no_outlay")
    elif np.isfinite(s.payback):
        payback = t("story.feas.payback", outlay=t.amount(fb.unit, -fb.value), year=fb.year, payback=int(s.payback))
    else:
        payback = t("story.feas.no_payback", outlay=t.amount(fb.unit, -fb.value), year=fb.year, end=end)
    chance = "" if s.payback_chance is None else t("story.feas.payback_chance", end=end,
                                                    p=t.pct(100 * s.payback_chance, 0))
    if s.outlay and np.isinf(s.payback_median):
        chance += t("story.feas.payback_median_never", end=end)
    elif s.outlay and np.isfinite(s.payback_median):
        chance += t("story.feas.payback_median", median=int(s.payback_median))
    room = (t("story.feas.room", room=t.amount(fb.unit, -fb.limit), verdict=_verdict(t, fb)) if fb.has_limit
            else t("story.feas.no_limit"))
    out = [t("story.feas.fiscal", payback=payback, chance=chance, room=room,
             cumulative=t.amount("100m yuan", float(s.central["cumulative"][-1]), signed=True), end=end)]
    eu, ei = s.constraint("energy_use"), s.constraint("energy_intensity")
    use = (t("story.feas.energy_limit", year=eu.year, value=t.amount(eu.unit, eu.value),
             limit=t.amount(eu.unit, eu.limit), verdict=_verdict(t, eu)) if eu.has_limit
           else t("story.feas.energy_only", end=end, value=t.amount(eu.unit, float(s.central["energy"][-1])),
                  verdict=_verdict(t, eu)))
    intensity = (t("story.feas.intensity", verdict=_verdict(t, ei)) if ei.has_limit else "")
    out.append(t("story.feas.energy", use=use, intensity=intensity, end=end,
                 extra=t.amount("10k tce", float(s.central["energy_extra"][-1]), signed=True)))
    land = s.constraint("land")
    out.append(t("story.feas.land", year=land.year, value=t.amount(land.unit, land.value),
                 limit=t.amount(land.unit, land.limit) if land.has_limit else "–", verdict=_verdict(t, land)))
    return out


def briefing(base: Baseline, sc: Scenario, lang: str, ens: EnsembleSummary | None = None,
             money: str = "page", probability: float = DEFAULT_PROBABILITY,
             feasibility: FeasibilitySummary | None = None) -> str:
    """The briefing for scenario ``sc`` in ``lang`` (``ens``: its ensemble; computed when not given): plain
    text, paragraphs separated by a blank line, the goals one to a line after ``BULLET``; fiscal, energy
    and land in a paragraph of their own (``feasibility``: computed on the same runs when not given).

    ``money``: "page" writes amounts as the page does (English: bn yuan), "data" in the data's unit
    (亿元 = 100m yuan), for the workbook, whose tables are in that unit. ``probability``: the chance
    "what it would take" aims at (the page offers 50 % and 80 %). ``feasibility``: the scenario's
    fiscal, energy and land constraints on the same runs (computed when not given; left out for a
    region without feasibility data).
    """
    t = Translator(lang, money=money)

    goals = resolve_goals(sc, base)
    results = scenario_results(base, sc)
    res = results.goals
    ens = ens if ens is not None else summarize(base, sc)
    years, total = results.years, results.total
    short = goals[0].target_year
    k = int(np.searchsorted(years, short))
    # Paragraphs (a list of sentences each): where output stands, one line per goal, what the central
    # path is made of, what drives it and what it would take, the caveats.
    where = [t("story.levels", y1=short, v1=t.money(total[k]), m1=f"{total[k] / total[0]:.2f}",
               y2=int(years[-1]), v2=t.money(total[-1]), m2=f"{total[-1] / total[0]:.2f}")]
    parts: list[str] = []
    central = None  # the central path's own goal values, for the steady-growth sentence
    for j, goal in enumerate(goals):
        p = t.pct(100 * float(ens.probability[j]), 0)
        if goal.metric == "min_growth":
            # judged over the runs (the median run's weakest year, issue 17 review A), not on the central
            # path, which has no shocks: say so, with both figures (second review)
            if central is None:
                central = evaluate_goals(run_scenario(base, sc), goals)
            parts.append(t("story.steady_met" if res.met[0, j] else "story.steady_missed", name=goal.name(lang), p=p,
                           value=t.rate(float(res.value[0, j])), goal=t.rate(float(goal.threshold)),
                           central=t.rate(float(central.value[0, j]))))
        elif res.met[0, j]:
            parts.append(t("story.goal_met", name=goal.name(lang), year=int(res.year_reached[0, j]), p=p))
        else:
            reached = int(res.year_reached[0, j])
            later = t("story.later", year=reached) if reached != NOT_REACHED else t("story.never", end=int(years[-1]))
            parts.append(t("story.goal_missed", name=goal.name(lang), year=goal.target_year, p=p, later=later))
    paragraphs = [where, [BULLET + p for p in parts]]
    parts = [t("central_path_explained")]  # the sentences above name the central path
    v, p_, r_ = results.gain_parts(short)
    parts.append(t("story.gain", year=short, gain=t.money(v + p_ + r_), volume=t.money(v), price=t.money(p_),
                   reclass=t.money(r_)))
    i = short - base.base_year - 1  # growth arrays start at the first projected year
    parts.append(t("story.same_firm", year=short, same=t.rate(float(results.same_firm_growth_since_base[i])),
                   whole=t.rate(float(results.growth_since_base[i]))))
    parts.append(level_sentence(t, goals, results.levels, results.level_goals))
    paragraphs.append(parts)
    parts = []
    table = tornado(base, sc, "total")
    driver = table.iloc[0]
    name = t(f"lever.{driver.param}")
    parts.append(t("story.driver", name=_inline(t, name), year=short,
                   span=t.money(float(driver.span))))
    gap = largest_gap(res, ens.probability, probability)
    lever = next((n for n in table.param if n in SEEKABLE and n != "growth"), None)
    want = t.pct(100 * probability, 0)
    if gap is not None and lever is not None:
        # The page's ensemble (runs and seed), so that the chance quoted is the one the cards show.
        r = seek(base, sc, goals[gap].id, lever, probability=probability, runs=ens.runs, seed=ens.seed)
        label = t(f"lever.{lever}")
        if r.reachable:
            parts.append(t("story.seek", goal=goals[gap].name(lang), year=goals[gap].target_year, lever=label,
                           value=f"{r.setting:g}", unit=t.unit(SPEC_BY_NAME[lever].unit_en), want=want,
                           p=t.pct(100 * r.chance, 0), runs=t.num(r.chance_runs)))
        else:
            parts.append(t("story.seek_unreachable", goal=goals[gap].name(lang), lever=label, want=want,
                           value=f"{r.setting:g}", unit=t.unit(SPEC_BY_NAME[lever].unit_en),
                           p=t.pct(100 * r.chance, 0)))
    elif gap is None:
        parts.append(t("story.all_met", want=want))
    level = next((j for j, g in enumerate(goals) if g.metric == "cluster_total" and ens.probability[j] < probability),
                 None)
    if level is not None:
        parts.append(mix_sentence(t, base, sc, goals[level], probability))
    paragraphs.append(parts)
    parts = []
    if feasibility is None:
        try:
            feasibility = feasibility_summary(base, load_feasibility(base), sc, runs=ens.runs, seed=ens.seed)
        except DataError:
            feasibility = None
    if feasibility is not None:
        paragraphs.append(feasibility_sentences(t, feasibility))
    flags = results.flags
    if flags:
        parts.append(t("story.flags_one" if len(flags) == 1 else "story.flags", n=len(flags)))
    parts.append(t("story.caveat"))
    paragraphs.append(parts)
    return "\n\n".join(("\n" if p and p[0].startswith(BULLET) else " ").join(p) for p in paragraphs if p)
