"""The feasibility row (issue 19): can the district afford the scenario, and is the energy and land there?

Three compact cards under the goal cards — fiscal balance and payback, energy against its quota, land
against its supply — each coloured by its chance as the goal cards are (``cards.chance_verdict``), with
the goal cards' colours but classes of its own (``zc-feas-*``: tests and the first view read ``zc-card``,
``zc-prob`` … as goal cards). The cards
are built from the model's constraint rows (``model.FeasibilitySummary``), so a constraint
without a sourced limit shows its figure and says so, with no within/over verdict and no chance.
``render`` is the one call the simulator tab makes.
"""

from __future__ import annotations

import html
import math

import streamlit as st

from model import Baseline, ConstraintRow, DataError, FeasibilitySummary

from .cards import chance_verdict
from .compute import feasibility
from .i18n import Translator

#: The three cards and the constraints each one shows; the first with a limit sets the card's colour.
CARDS = (("fiscal", ("fiscal_balance",)), ("energy", ("energy_use", "energy_intensity")), ("land", ("land",)))
#: Self-contained styles (the goal cards' stylesheet, ``style.py``, is being redesigned separately).
_CSS = """<style>
.zc-feas-cards {display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 0.8rem;
                margin-bottom: 0.8rem;}
.zc-feas {border-radius: 10px; border: 1px solid #d9d9d9; border-left-width: 6px; background: #fafafa;
          line-height: 1.35; font-size: 0.84rem; padding: 0.5rem 0.8rem;}
.zc-feas .zc-feas-head {display: flex; justify-content: space-between; align-items: baseline; gap: 0.4rem;
                   flex-wrap: wrap;}
.zc-feas .zc-feas-name {font-weight: 700; font-size: 0.95rem;}
.zc-feas .zc-feas-badge {font-weight: 700; font-size: 0.8rem; white-space: nowrap;}
.zc-feas .zc-feas-prob {display: inline-block; margin-top: 0.15rem; padding: 0.05rem 0.5rem; border-radius: 6px;
                   background: #e8f0fa; color: #17427a; font-weight: 700; font-size: 1.05rem;}
.zc-feas .zc-feas-note {margin-top: 0.2rem; color: #6b6b6b; font-size: 0.75rem;}
.zc-feas-line {margin-top: 0.2rem;}
.zc-feas-likely {border-left-color: #2e7d32; background: #f1f8f2;} .zc-feas-likely .zc-feas-badge {color: #2e7d32;}
.zc-feas-even {border-left-color: #b7791f; background: #fdf8ec;} .zc-feas-even .zc-feas-badge {color: #8a5a00;}
.zc-feas-unlikely {border-left-color: #c0392b; background: #fdf3f2;} .zc-feas-unlikely .zc-feas-badge {color: #b03a2e;}
.zc-feas-none {border-left-color: #9e9e9e;} .zc-feas-none .zc-feas-badge {color: #555;}
</style>"""


def chance_text(t: Translator, p: float | None) -> str:
    return "" if p is None else t("feas.chance", p=t.pct(100 * p, 0))


def constraint_line(t: Translator, c: ConstraintRow, chance: bool = True) -> str:
    """One constraint as a sentence: its figure, its limit and verdict (or "no sourced limit"), its chance
    (left out with ``chance=False``: the card's headline shows it)."""
    value = t.amount(c.unit, abs(c.value) if c.id == "fiscal_balance" else c.value)
    if c.id == "fiscal_balance" and c.value >= 0:
        text = t("feas.line.fiscal_none")
    else:
        text = t(f"feas.line.{c.id}", value=value, year=c.year,
                 limit=t.amount(c.unit, abs(c.limit) if c.id == "fiscal_balance" else c.limit))
    if not c.has_limit:
        return t("feas.line.no_limit", text=t(f"feas.line.{c.id}_only", value=value, year=c.year))
    verdict = t("feas.within") if c.within else t("feas.over", year=c.binds)
    parts = [text, verdict] + ([chance_text(t, c.probability)] if chance and c.probability is not None else [])
    return " · ".join(parts)


def payback_line(t: Translator, s: FeasibilitySummary) -> str:
    end = int(s.years[-1])
    if not s.outlay:
        text = t("feas.payback.none")
    elif math.isfinite(s.payback):
        text = t("feas.payback.year", year=int(s.payback))
    else:
        text = t("feas.payback.never", end=end)
    if s.payback_chance is not None:
        text += " · " + t("feas.payback.chance", end=end, p=t.pct(100 * s.payback_chance, 0))
    return text


def _attrs(c: ConstraintRow) -> str:
    within = "none" if c.within is None else str(c.within).lower()
    p = "" if c.probability is None else f"{c.probability:.4f}"
    return (f'data-constraint="{c.id}" data-within="{within}" data-probability="{p}" data-value="{c.value:.6g}" '
            f'data-limit="{c.limit:.6g}" data-year="{c.year}"')


def headline(s: FeasibilitySummary, name: str) -> ConstraintRow | None:
    """The constraint that colours card ``name``: its first one with a limit (None: none has one)."""
    return next((c for c in (s.constraint(cid) for cid in dict(CARDS)[name]) if c.has_limit), None)


def short_verdict(t: Translator, s: FeasibilitySummary, name: str) -> str:
    """Card ``name`` in a few characters, for a table cell: "✔ 100%", "✘ 12%", "— no sourced limit"."""
    c = headline(s, name)
    if c is None:
        return t("feas.no_limit")
    chance = "" if c.probability is None else " " + t.pct(100 * c.probability, 0)
    return ("✔" if c.within else "✘") + chance


def card(t: Translator, name: str, s: FeasibilitySummary) -> str:
    """HTML of one feasibility card (``name`` of ``CARDS``)."""
    e = html.escape
    rows = [s.constraint(cid) for cid in dict(CARDS)[name]]
    head = headline(s, name)
    if head is None:
        css, verdict, badge, prob = "zc-feas-none", "none", t("feas.no_limit"), ""
    elif head.probability is None:  # one run: the central path decides
        css, verdict = ("zc-feas-likely", "within") if head.within else ("zc-feas-unlikely", "over")
        badge, prob = t(f"feas.central_{verdict}"), ""
    else:
        verdict = chance_verdict(head.probability)
        css = f"zc-feas-{verdict}"
        badge = t(f"feas.verdict_{verdict}")
        prob = (f'<div class="zc-feas-prob" data-probability="{head.probability:.4f}" '
                f'title="{e(t("feas.prob_help", runs=t.num(s.runs)))}">{e(chance_text(t, head.probability))}</div>')
    lines = [f'<div class="zc-feas-line" {_attrs(c)}>{e(constraint_line(t, c, chance=c is not head))}</div>'
             for c in rows]
    end = int(s.years[-1])
    if name == "fiscal":
        cum = float(s.central["cumulative"][-1])
        lines.append(f'<div class="zc-feas-line" data-payback="{s.payback:.0f}" data-outlay="{str(s.outlay).lower()}">'
                     f'{e(payback_line(t, s))}</div>')
        lines.append(f'<div class="zc-feas-note">{e(t("feas.cumulative_end", end=end, value=t.amount("100m yuan", cum, signed=True)))}</div>')
    elif name == "energy":
        extra = float(s.central["energy_extra"][-1])
        lines.append(f'<div class="zc-feas-line" data-extra="{extra:.6g}">'
                     f'{e(t("feas.energy_extra", end=end, value=t.amount("10k tce", extra, signed=True)))}</div>')
    return (f'<div class="zc-feas {css}" data-feasibility="{name}" data-verdict="{verdict}">'
            f'<div class="zc-feas-head"><span class="zc-feas-name">{e(t(f"feas.card.{name}"))}</span>'
            f'<span class="zc-feas-badge">{e(badge)}</span></div>{prob}{"".join(lines)}</div>')


def feasibility_cards(t: Translator, s: FeasibilitySummary) -> str:
    """HTML of the row of three cards (one element: a move re-sends one delta)."""
    return f'{_CSS}<div class="zc-feas-cards">{"".join(card(t, name, s) for name, _ in CARDS)}</div>'


def render(t: Translator, base: Baseline, doc_json: str, key: str | None) -> None:
    """The "可行性 / Feasibility" row of the simulator tab for the scenario ``doc_json``."""
    st.markdown(f"**{t('feas.header')}** · {t('feas.sub')}")
    try:
        s = feasibility(doc_json, key)
    except DataError:  # a region without fiscal, energy and land data still runs the growth model
        st.caption(t("feas.no_data"))
        return
    st.markdown(feasibility_cards(t, s), unsafe_allow_html=True)


def status_word(t: Translator, c: ConstraintRow) -> str:
    """Within / over / no sourced limit, for tables (the comparison, the workshop board)."""
    if not c.has_limit:
        return t("feas.no_limit_short")
    return t("feas.within_short") if c.within else t("feas.over_short")


def verdict_cell(t: Translator, c: ConstraintRow) -> str:
    """A constraint in a table cell: "✔ 在限内 · 100%", "✘ 超限 · 12%", "无上限依据 · 29.7 万吨标准煤"."""
    if not c.has_limit:
        return f"{status_word(t, c)} · {t.amount(c.unit, c.value)}"
    mark = "✔" if c.within else "✘"
    p = "" if c.probability is None else f" · {t.pct(100 * c.probability, 0)}"
    return f"{mark} {status_word(t, c)}{p}"



def table_rows(t: Translator, s: FeasibilitySummary) -> dict[str, str]:
    """A scenario's feasibility as rows of a comparison table (row label → cell): per constraint its
    verdict and chance and its figure against its limit, then the payback."""
    rows = {}
    for c in s.constraints:
        name = t(f"feas.c.{c.id}")
        value = t.amount(c.unit, max(0.0, -c.value) if c.id == "fiscal_balance" else c.value)
        limit = t.amount(c.unit, -c.limit if c.id == "fiscal_balance" else c.limit)
        rows[t("feas.row.status", name=name)] = verdict_cell(t, c)
        rows[t("feas.row.value", name=name)] = (t("feas.cell.value_limit", value=value, year=c.year, limit=limit)
                                                if c.has_limit else t("feas.cell.value", value=value, year=c.year))
    rows[t("feas.row.payback")] = payback_line(t, s)
    return rows
