"""Page CSS: the compact first view (goal cards and the main chart on one screen), the phone layout and
the larger type of presentation mode."""

from __future__ import annotations

import streamlit as st

_BASE = """
<style>
/* Streamlit's header bar holds only the app menu: let the title show through it, close to the top. */
[data-testid="stHeader"] {background: transparent; height: 2.4rem; pointer-events: none;}
[data-testid="stHeader"] * {pointer-events: auto;}
[data-testid="stMainBlockContainer"] {padding-top: 1.1rem; padding-bottom: 2rem;}
[data-testid="stMainBlockContainer"] h1 {font-size: 1.55rem; padding: 0 0 0.1rem 0; line-height: 1.25;}
[data-testid="stSidebarHeader"] {height: 1rem; min-height: 1rem;}
[data-testid="stSidebar"] [data-testid="stCaptionContainer"] {margin-top: -0.9rem;}
.zc-status {color: #444; font-size: 0.9rem;}
.zc-badge-estimate {display: inline-block; background: #fff3cd; color: #7a5b00; border: 1px solid #f0d47a;
                    border-radius: 6px; padding: 0.05rem 0.5rem; font-size: 0.8rem;}
/* Goal cards: one glance each (goal, chance, value against the goal); the rest under Details. */
.zc-cards {display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 0.6rem;}
.zc-cards:has(details[open]) {align-items: start;}  /* an opened card grows alone */
.zc-card {border-radius: 8px; padding: 0.45rem 0.7rem 0.35rem; border: 1px solid #d9d9d9; border-left-width: 6px;
          background: #fafafa; line-height: 1.35; font-size: 0.86rem;}
.zc-met {border-left-color: #2e7d32; background: #f1f8f2;}
.zc-miss {border-left-color: #c0392b; background: #fdf3f2;}
.zc-even {border-left-color: #b7791f; background: #fdf8ec;}
.zc-line {display: flex; justify-content: space-between; align-items: baseline; column-gap: 0.4rem; flex-wrap: wrap;}
.zc-name {font-weight: 700; font-size: 0.98rem; line-height: 1.25;}
.zc-badge {font-weight: 700; white-space: nowrap; font-size: 0.82rem; cursor: help;}
.zc-met .zc-badge {color: #2e7d32;} .zc-miss .zc-badge {color: #b03a2e;} .zc-even .zc-badge {color: #8a5a00;}
.zc-prob {font-weight: 700; font-size: 1.45rem; color: #17427a; line-height: 1.3;}
.zc-against {font-weight: 600; color: #222;}
.zc-meter {height: 5px; background: #e3e3e3; border-radius: 3px; margin: 0.25rem 0 0.15rem; overflow: hidden;}
.zc-meter i {display: block; height: 100%; background: #1f5fa8;}
.zc-more summary {cursor: pointer; color: #1f5fa8; font-size: 0.8rem;}
.zc-more[open] {padding-bottom: 0.2rem;}
.zc-more > div {margin-top: 0.25rem;}
.zc-goal, .zc-note, .zc-base {color: #666; font-size: 0.78rem;}
.zc-value {font-weight: 700;}
.zc-gain, .zc-parts, .zc-levels, .zc-same-firm, .zc-net, .zc-invest-in {color: #444; font-size: 0.8rem;}
.zc-arith {color: #1f5fa8; font-size: 0.8rem;}
.zc-base {border-top: 1px dashed #ccc; padding-top: 0.25rem;}
/* A phone: two cards a row, then the levers, then the charts. */
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] {padding: 2.6rem 0.7rem 2rem;}  /* below the sidebar's open button */
  [data-testid="stMainBlockContainer"] h1 {font-size: 1.15rem;}
  .zc-status, .zc-badge-estimate {font-size: 0.75rem;}
  .zc-meter {display: none;}
  [data-testid="stMain"] [data-testid="stVerticalBlock"] {gap: 0.55rem;}
  .zc-cards, .zc-flags {margin-bottom: 0.55rem;}  /* Markdown's negative bottom margin would overlap the next */
  .zc-cards {grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.4rem;}
  .zc-card {padding: 0.35rem 0.5rem; font-size: 0.8rem;}
  .zc-name {font-size: 0.86rem;} .zc-prob {font-size: 1.2rem;}
}
@media (min-width: 641px) and (max-width: 1100px) {
  .zc-cards {grid-template-columns: repeat(2, minmax(0, 1fr));}
}
.zc-cards + .zc-flags {margin-top: 0.35rem;}
.zc-flags {background: #fff8e5; border: 1px solid #f0d47a; border-radius: 6px; padding: 0.15rem 0.6rem; font-size: 0.82rem;}
.zc-flags summary {cursor: pointer; color: #7a5b00; font-weight: 600;}
.zc-flags ul {margin: 0.2rem 0 0.2rem 1rem; padding: 0;} .zc-flags li {margin: 0.1rem 0;}
[data-testid="preset-status"] {margin-bottom: 0.3rem;}
.st-key-phone_levers {border: 1px solid #d9d9d9; border-radius: 8px; padding: 0.5rem 0.7rem; background: #fbfbfb;}
</style>
"""

#: Presentation mode: larger type, and still the cards and the main chart on one projector screen
#: (1280×720 and 1920×1080).
_PRESENT = """
<style>
html, body, [data-testid="stAppViewContainer"] {font-size: 18px;}
[data-testid="stMainBlockContainer"] {max-width: 100%; padding: 0.9rem 1.5rem 1rem;}
[data-testid="stMainBlockContainer"] h1 {font-size: 1.3rem;}
.zc-card {font-size: 0.9rem; padding: 0.35rem 0.6rem;} .zc-name {font-size: 1.0rem;} .zc-prob {font-size: 1.5rem;}
.zc-meter {display: none;}
.zc-cards {grid-template-columns: repeat(4, minmax(0, 1fr));}
</style>
"""


def inject(presentation: bool) -> None:
    # st.html of style tags alone goes to the event container: no element, so no gap above the title.
    st.html(_BASE + (_PRESENT if presentation else ""))
