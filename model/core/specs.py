"""The lever registry: every user-facing scalar parameter of a scenario, stated once.

The scenario schema (its fields, its neutral values, its error messages), the engine's parameter
matrix, the UI sliders and their number formats, goal seek, the cheapest mix, the lever-by-lever
build-up of the results, the workshop rooms, the workbook and the analyses (tornado and Sobol
ranges) all read this table; each list of levers anywhere in the code is derived from it.

Adding a lever: one ``ParamSpec`` entry here, its equation in ``core/engine.py`` (the column
``_COL[name]`` of the parameter matrix), its texts ``lever.<name>`` and ``lever.<name>.help`` in
``i18n/zh.json`` and ``i18n/en.json``, and its tests. The plan window's columns follow the scalar
parameters in the engine's matrix (``PLAN_PARAMS``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParamSpec:
    """One scalar parameter of a scenario.

    ``default`` is the schema's default: None where the neutral value comes from the data, so that a
    document leaving the parameter out follows the data. ``neutral`` says what the parameter is when
    left out: a number, or a rule on the baseline read by ``schema.scenario.neutral_values`` —
    ``"published_growth"`` or ``"chain_base"`` (an attribute of the baseline), ``"params.KEY"`` (a
    data parameter), ``"steady_state"`` (investment on the steady-state path of the chosen growth).
    ``after``: what a lever does after the plan window when ``plan.after = "trend"`` (the engine's
    equations implement it; ``persist`` keeps every lever acting): ``"steady_state"`` (growth returns
    to its trend rate from the level reached), ``"baseline"`` (back to the neutral value),
    ``"keeps_level"`` (keeps the level reached); assumptions act on every year (``"always"``).
    """

    name: str
    section: str  # "assumptions" or "levers"
    unit_en: str
    unit_zh: str
    lo: float
    hi: float
    step: float
    default: float | None
    neutral: float | str
    fmt: str  # printf format of the slider and the baseline mark
    after: str
    label_en: str
    label_zh: str
    sensitivity: float = 0.0  # ± this much around the current value in tornado and Sobol analyses
    seekable: bool = False    # goal seek and the what-it-takes map may vary it
    mix_rank: int = 0         # > 0: builds capacity with a bill, tried in this order by the cheapest mix
    buildup: bool = False     # a step of the results' lever-by-lever build-up (it moves industrial output)
    room: bool = False        # offered to workshop rooms

    @property
    def i18n_key(self) -> str:
        """The name's text key (``lever.<name>``); the help text is ``lever.<name>.help``."""
        return f"lever.{self.name}"

    @property
    def i18n_keys(self) -> tuple[str, ...]:
        """Every text the parameter needs in ``i18n/zh.json`` and ``i18n/en.json``: its name, its help
        and, for a step of the build-up, its bar in the contribution chart (``comp.<name>``)."""
        return (self.i18n_key, f"{self.i18n_key}.help") + ((f"comp.{self.name}",) if self.buildup else ())


PARAM_SPECS: tuple[ParamSpec, ...] = (
    ParamSpec("growth", "assumptions", "%/yr", "%/年", -10.0, 30.0, 0.1, None, "published_growth", "%.1f", "always",
              "trend growth of total industrial output", "规上工业总产值趋势增速", sensitivity=2.0, seekable=True),
    ParamSpec("stainless_price", "assumptions", "%/yr", "%/年", -15.0, 15.0, 0.5, None, "params.price_base", "%.1f",
              "always", "change of the stainless price index", "不锈钢价格指数变动", sensitivity=5.0),
    ParamSpec("volatility", "assumptions", "%", "%", 0.0, 15.0, 0.5, None, "params.volatility", "%.1f", "always",
              "standard deviation of annual growth shocks", "年度增速波动(标准差)"),
    ParamSpec("correlation", "assumptions", "", "", 0.0, 1.0, 0.05, None, "params.correlation", "%.2f", "always",
              "correlation of shocks between sectors", "行业间冲击相关系数"),
    ParamSpec("investment", "levers", "%/yr", "%/年", -10.0, 40.0, 0.1, None, "steady_state", "%.1f", "steady_state",
              "growth of total industrial investment", "工业投资增速", sensitivity=5.0, seekable=True, mix_rank=3,
              buildup=True, room=True),
    ParamSpec("tech_upgrade", "levers", "%", "%", 0.0, 90.0, 1.0, None, "params.tech_base_share", "%.0f", "baseline",
              "share of investment in technical upgrading (技改)", "技改投资占工业投资比重", sensitivity=15.0,
              seekable=True, mix_rank=4, buildup=True, room=True),
    ParamSpec("chain_extension", "levers", "%", "%", 0.0, 80.0, 1.0, None, "chain_base", "%.0f", "keeps_level",
              "share of stainless processed locally into downstream products", "不锈钢就地深加工比例",
              sensitivity=10.0, seekable=True, mix_rank=2, buildup=True, room=True),
    ParamSpec("sme_upgrades", "levers", "firms/yr", "家/年", 0.0, 300.0, 5.0, 0.0, 0.0, "%.0f", "baseline",
              "extra firms lifted above the size threshold (小升规)", "新增小升规企业", sensitivity=30.0,
              seekable=True, buildup=True, room=True),
    ParamSpec("trade_expansion", "levers", "%/yr", "%/年", 0.0, 30.0, 0.5, 0.0, 0.0, "%.1f", "keeps_level",
              "extra growth of stainless trade and warehousing turnover", "不锈钢仓储贸易额额外增速",
              sensitivity=5.0, seekable=True, mix_rank=1),
)

SPEC_BY_NAME: dict[str, ParamSpec] = {s.name: s for s in PARAM_SPECS}

#: Columns of the engine's parameter matrix before the per-sector trend columns.
SCALAR_PARAMS: tuple[str, ...] = tuple(s.name for s in PARAM_SPECS)

#: The world (trend, prices, shocks) and the policy levers, in registry order.
ASSUMPTION_KEYS: tuple[str, ...] = tuple(s.name for s in PARAM_SPECS if s.section == "assumptions")
LEVER_KEYS: tuple[str, ...] = tuple(s.name for s in PARAM_SPECS if s.section == "levers")

#: What goal seek and the what-it-takes map may vary: the levers, then the assumptions.
SEEKABLE: tuple[str, ...] = tuple(n for n in LEVER_KEYS + ASSUMPTION_KEYS if SPEC_BY_NAME[n].seekable)

#: Levers that build capacity on the capital account, in the order the cheapest mix tries them on equal prices.
MIX_LEVERS: tuple[str, ...] = tuple(s.name for s in sorted((s for s in PARAM_SPECS if s.mix_rank > 0),
                                                           key=lambda s: s.mix_rank))

#: The results' build-up: the levers added one after another to the trend (key projects come last).
BUILDUP_LEVERS: tuple[str, ...] = tuple(n for n in LEVER_KEYS if SPEC_BY_NAME[n].buildup)

#: Levers a workshop room may offer.
ROOM_LEVERS: tuple[str, ...] = tuple(n for n in LEVER_KEYS if SPEC_BY_NAME[n].room)

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
