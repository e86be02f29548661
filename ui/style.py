"""Page CSS: goal cards, and the larger type of presentation mode."""

from __future__ import annotations

import streamlit as st

_BASE = """
<style>
.zc-cards {display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: 1rem;}
.zc-card {border-radius: 10px; padding: 0.7rem 0.9rem; border: 1px solid #d9d9d9; border-left-width: 6px;
          background: #fafafa; height: 100%; line-height: 1.35; font-size: 0.88rem;}
.zc-met {border-left-color: #2e7d32; background: #f1f8f2;}
.zc-miss {border-left-color: #c0392b; background: #fdf3f2;}
.zc-even {border-left-color: #b7791f; background: #fdf8ec;}
.zc-head {display: flex; justify-content: space-between; align-items: baseline; gap: 0.4rem; flex-wrap: wrap;}
.zc-name {font-weight: 700; font-size: 1.02rem;}
.zc-badge {font-weight: 700; white-space: nowrap;}
.zc-met .zc-badge {color: #2e7d32;} .zc-miss .zc-badge {color: #b03a2e;} .zc-even .zc-badge {color: #8a5a00;}
.zc-goal {color: #555; margin-top: 0.15rem;}
.zc-value {font-size: 1.12rem; font-weight: 700; margin-top: 0.3rem;}
.zc-prob {display: inline-block; margin-top: 0.3rem; padding: 0.1rem 0.6rem; border-radius: 6px;
          background: #e8f0fa; color: #17427a; font-weight: 700; font-size: 1.3rem;}
.zc-badge {font-size: 0.85rem;}
.zc-gain, .zc-parts, .zc-levels {margin-top: 0.3rem; color: #444; font-size: 0.82rem;}
.zc-gap {margin-top: 0.1rem;}
.zc-note {margin-top: 0.2rem; color: #6b6b6b; font-size: 0.75rem;}
.zc-arith {margin-top: 0.35rem; color: #1f5fa8;}
.zc-base {margin-top: 0.35rem; color: #6b6b6b; font-size: 0.82rem; border-top: 1px dashed #ccc; padding-top: 0.3rem;}
.zc-status {color: #444; font-size: 0.92rem;}
[data-testid="stMainBlockContainer"] {padding-top: 2.2rem;}
[data-testid="stSidebarHeader"] {height: 1rem; min-height: 1rem;}
[data-testid="stSidebar"] [data-testid="stCaptionContainer"] {margin-top: -0.9rem;}
.zc-badge-estimate {display: inline-block; background: #fff3cd; color: #7a5b00; border: 1px solid #f0d47a;
                    border-radius: 6px; padding: 0.05rem 0.5rem; font-size: 0.82rem;}
</style>
"""

_PRESENT = """
<style>
html, body, [data-testid="stAppViewContainer"] {font-size: 19px;}
.zc-card {font-size: 1.0rem;} .zc-value {font-size: 1.35rem;} .zc-name {font-size: 1.2rem;}
[data-testid="stMainBlockContainer"] {max-width: 100%; padding-left: 2rem; padding-right: 2rem;}
</style>
"""


def inject(presentation: bool) -> None:
    st.markdown(_BASE + (_PRESENT if presentation else ""), unsafe_allow_html=True)
