"""Streamlit entry point (placeholder until the browser simulator lands: see README)."""

import streamlit as st

from model import load_baseline, parse_scenario, run_scenario

st.set_page_config(page_title="周村区工业强区情景模拟器")
base = load_baseline()
proj = run_scenario(base, parse_scenario({}, base))
st.title(base.region["title_zh"])
st.write("模型与命令行已就绪，浏览器界面开发中。 The model and command line are ready; the browser "
         "simulator is being built.")
st.metric("2027 规上工业总产值 (趋势情景, 亿元)", f"{proj.total[0, 3]:.1f}")
