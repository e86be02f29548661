"""The user-facing scenario parameters: names, units, ranges and labels in one table.

The scenario schema, the engine's parameter matrix, the UI sliders, the workbook and the analyses
(tornado and Sobol ranges) all read this table, so a range or a unit is stated once. The plan
window's columns follow the scalar parameters in the engine's matrix (``PLAN_PARAMS``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParamSpec:
    """One scalar parameter of a scenario.

    ``default`` is None where the neutral value comes from the data (e.g. ``growth`` defaults to the
    published growth of the region, ``investment`` to the chosen ``growth``).
    """

    name: str
    section: str  # "assumptions" or "levers"
    unit_en: str
    unit_zh: str
    lo: float
    hi: float
    step: float
    default: float | None
    label_en: str
    label_zh: str
    sensitivity: float = 0.0  # ± this much around the current value in tornado and Sobol analyses


PARAM_SPECS: tuple[ParamSpec, ...] = (
    ParamSpec("growth", "assumptions", "%/yr", "%/年", -10.0, 30.0, 0.1, None,
              "trend growth of total industrial output", "规上工业总产值趋势增速", sensitivity=2.0),
    ParamSpec("stainless_price", "assumptions", "%/yr", "%/年", -15.0, 15.0, 0.5, None,
              "change of the stainless price index", "不锈钢价格指数变动", sensitivity=5.0),
    ParamSpec("volatility", "assumptions", "%", "%", 0.0, 15.0, 0.5, None,
              "standard deviation of annual growth shocks", "年度增速波动(标准差)"),
    ParamSpec("correlation", "assumptions", "", "", 0.0, 1.0, 0.05, None,
              "correlation of shocks between sectors", "行业间冲击相关系数"),
    ParamSpec("investment", "levers", "%/yr", "%/年", -10.0, 40.0, 0.1, None,
              "growth of total industrial investment", "工业投资增速", sensitivity=5.0),
    ParamSpec("tech_upgrade", "levers", "%", "%", 0.0, 90.0, 1.0, None,
              "share of investment in technical upgrading (技改)", "技改投资占工业投资比重", sensitivity=15.0),
    ParamSpec("chain_extension", "levers", "%", "%", 0.0, 80.0, 1.0, None,
              "share of stainless processed locally into downstream products", "不锈钢就地深加工比例", sensitivity=10.0),
    ParamSpec("sme_upgrades", "levers", "firms/yr", "家/年", 0.0, 300.0, 5.0, 0.0,
              "extra firms lifted above the size threshold (小升规)", "新增小升规企业", sensitivity=30.0),
    ParamSpec("trade_expansion", "levers", "%/yr", "%/年", 0.0, 30.0, 0.5, 0.0,
              "extra growth of stainless trade and warehousing turnover", "不锈钢仓储贸易额额外增速",
              sensitivity=5.0),
)

SPEC_BY_NAME: dict[str, ParamSpec] = {s.name: s for s in PARAM_SPECS}

#: Columns of the engine's parameter matrix before the per-sector trend columns.
SCALAR_PARAMS: tuple[str, ...] = tuple(s.name for s in PARAM_SPECS)

#: Columns of the plan window after the scalar parameters: first and last plan year, 1 when the
#: levers persist after the plan (``plan.after = "persist"``), 0 when they return to the trend, and 1
#: when the investment lever's extra spending goes to the emerging and future sectors
#: (``plan.invest_in = "advanced"``), 0 when it is spread by today's sector investment shares.
PLAN_PARAMS: tuple[str, ...] = ("plan_start", "plan_end", "plan_persist", "plan_advanced")

#: Every column of the parameter matrix before the per-sector trend columns.
FIXED_PARAMS: tuple[str, ...] = SCALAR_PARAMS + PLAN_PARAMS

#: Range of a per-sector trend override, %/yr.
SECTOR_GROWTH_RANGE: tuple[float, float] = (-20.0, 40.0)

#: Limits of a key project (亿元 = 100 million yuan, years).
PROJECT_OUTPUT_MAX = 500.0
PROJECT_INVESTMENT_MAX = 1000.0
PROJECT_RAMP_MAX = 10
MAX_PROJECTS = 60
