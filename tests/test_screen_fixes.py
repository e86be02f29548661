"""Issue 18, "wrong or misleading on screen": what the page shows, read from the page (AppTest).

Item 1: the 2024-price switch moves the fan charts too. Item 5: the comparison tab speaks plain
words with the right units. (Items 2, 6 and 7 need a browser: ``test_browser_screen.py``.)
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pyarrow as pa
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ui.compute import get_baseline
from ui.i18n import Translator

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    yield


def app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def datasets(chart) -> dict[str, pd.DataFrame]:
    """The named datasets a chart element sends to the browser (Arrow IPC streams)."""
    return {d.name: pa.ipc.open_stream(io.BytesIO(d.data.data)).read_pandas() for d in chart.proto.datasets}


def chart_data(at: AppTest, *names: str) -> list[dict[str, pd.DataFrame]]:
    """The datasets of the charts whose datasets are exactly ``names`` (in page order)."""
    out = [datasets(c) for c in at.get("vega_lite_chart")]
    return [d for d in out if set(d) == set(names)]


FAN = ("bands", "runs", "goal", "target", "actuals")
STACKED_CLUSTER = ("parts", "runs", "goal", "target")
PRICE = 5.0  # stainless price, %/yr: the setting


def _at_2035(df: pd.DataFrame, column: str) -> float:
    return float(df.loc[df["year"] == 2035, column].iloc[0])


def test_the_price_switch_moves_both_fan_charts():
    """Item 1: cluster fan 1 636 亿元 in 2035 beside a stacked cluster chart of ~990 at 2024 prices.

    The stainless price index of 2035 is 1.05^11 (2024 = 1) and prices are not drawn, so the fan's
    2024-price percentiles are its current-price ones divided by it; the total fan's are the runs'
    own deflated totals, below the current-price ones and with a median beside the central path.
    """
    nominal = app(stainless_price=str(PRICE), all_charts="true")
    real = app(stainless_price=str(PRICE), all_charts="true", real="true")
    (fan_total_n, fan_cluster_n), (fan_total_r, fan_cluster_r) = chart_data(nominal, *FAN), chart_data(real, *FAN)
    index = (1 + PRICE / 100) ** 11
    for p in ("p5", "p25", "p50", "p75", "p95"):
        assert _at_2035(fan_cluster_r["bands"], p) == pytest.approx(_at_2035(fan_cluster_n["bands"], p) / index, rel=1e-9)
        assert _at_2035(fan_total_r["bands"], p) < 0.95 * _at_2035(fan_total_n["bands"], p)
    # Consistent with the stacked cluster chart on the same page: its central path at 2024 prices.
    (stacked,) = chart_data(real, *STACKED_CLUSTER)
    central = stacked["parts"].query("year == 2035")["value"].sum()
    assert _at_2035(fan_cluster_n["bands"], "p50") > 1.4 * central  # what the issue saw
    assert _at_2035(fan_cluster_r["bands"], "p50") == pytest.approx(central, rel=0.1)
    # The trend line of the fan is the stacked chart's dashed trend line.
    trend = fan_cluster_r["runs"]
    trend = trend[trend["run"] == trend["run"].iloc[-1]]
    assert _at_2035(trend, "value") == pytest.approx(_at_2035(stacked["runs"], "value"), rel=1e-9)


RAW_KEY = re.compile(r"\b(compare|plan|lever|card|xlsx)\.[a-z_]+\b")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_comparison_speaks_plain_words_with_the_right_units(lang):
    """Item 5: raw keys (compare.plan_start …), a "{}" row for the goals, the high-tech share in %/年,
    steady growth "first reached 2035" where its card says "held throughout"."""
    saved = {"甲": {"levers": {"investment": 12}, "plan": {"after": "persist"},
                   "targets": {"doubling": {"year": 2030}}}}
    at = app(tab="compare", lang=lang, compare=json.dumps(saved, ensure_ascii=False))
    goals, settings = (t.value for t in at.dataframe[:2])
    cells = [str(v) for v in (*goals.index, *goals.to_numpy().ravel(), *settings.index, *settings.to_numpy().ravel())]
    assert not [c for c in cells if RAW_KEY.search(c) or "{" in c or "}" in c]
    current = settings.columns[0]
    t = Translator(lang)
    names = {g.id: g.name(lang) for g in get_baseline().goals}
    share = goals.loc[f"{names['advanced_share_2035']} · {t('compare.value')}", current]
    assert re.fullmatch(r"\d+\.\d ?%(（2035年）| \(2035\))", share), share  # a share, not a rate
    # The doubling goal moved to 2030 in one scenario: one row, each value with its own year (no None).
    doubling = goals.loc[f"{names['doubling']} · {t('compare.value')}"]
    assert ["2027" in doubling.iloc[0], "2030" in doubling.iloc[1]] == [True, True]
    assert not goals.isna().to_numpy().any()
    steady = goals.loc[f"{names['steady_growth']} · {t('compare.year')}"]
    assert set(steady) <= {t("card.sustained"), "–"} and t("card.sustained") in set(steady)
    # Plan settings in words; the goal settings one row per goal, the changed one highlighted.
    after = "规划期后杠杆" if lang == "zh" else "Levers after the plan"
    assert list(settings.loc[after]) == (["回到趋势", "持续"] if lang == "zh" else ["back to trend", "persist"])
    doubling = next(r for r in settings.index if ("倍增" if lang == "zh" else "Doubling") in r)
    assert [("2027" in v, "2030" in v) for v in settings.loc[doubling]] == [(True, False), (False, True)]
    unit = "%/年" if lang == "zh" else "%/yr"
    invest = next(r for r in settings.index if ("工业投资增速" if lang == "zh" else "Industrial investment growth") in r)
    assert invest.endswith(f"（{unit}）" if lang == "zh" else f"({unit})")
    trends = [r for r in settings.index if ("行业趋势" if lang == "zh" else "Sector trend") in r]
    assert trends and all(unit in r for r in trends)


def test_the_charts_that_stay_nominal_say_so_under_the_price_switch():
    """Item 1, "every chart obeys the switch": the investment and contribution charts have no 2024-price
    form (no investment price index), so with the switch on they say that they stay at current prices."""
    note = Translator("zh")("chart.nominal_note")
    assert sum(note in c.value for c in app(all_charts="true", real="true").caption) == 2
    assert not any(note in c.value for c in app(all_charts="true").caption)
