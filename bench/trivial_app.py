"""The floor for bench/bench_ui.py: one URL-bound slider ``x`` and one small Altair line chart.

It runs through the same Streamlit server, browser and websocket as the real app, so the ratio
real/trivial measures what the app itself adds to a slider move.
"""

import math

import altair as alt
import pandas as pd
import streamlit as st

x = st.slider("x", min_value=0, max_value=100, value=50, step=1, key="x", bind="query-params")
df = pd.DataFrame({"t": range(30)})
df["y"] = [math.sin(t * (1 + x) / 60) * (1 + x / 100) for t in df["t"]]
st.altair_chart(alt.Chart(df).mark_line(point=True).encode(x="t:Q", y="y:Q").properties(height=240),
                width="stretch")
