r"""Feasibility of a scenario: who pays, is the energy there, is the land there (issue 19).

Everything is measured against the scenario's *neutral counterfactual*: the same assumptions (trend,
prices, shocks and drawn data) with every lever neutral and no key projects. A second counterfactual,
*tech only*, is neutral except for the 技改 share; it separates the 技改 channel (productivity, no
land) from the capacity channels (investment growth, key projects, chain extension, trade). The three
projections come from the engine with the same draws, so their differences are the levers' effect
and not noise. Money is nominal 亿元 unless named real; t = year − base year; L = construction lag.

Fiscal side (all parameters in ``feasibility.csv``; every one an estimate):

* 技改 subsidy :math:`G_T(t) = \sigma_T \max(0, I^{tech}(t) - I^{0}(t))` — σ_T (``tech_subsidy_rate``, %)
  of the extra 技改 investment, the investment bill of *tech only* minus the neutral one, summed over
  sectors (measured on the trend's investment path; a 技改 share below today's saves nothing).
* 小升规 rewards :math:`G_S(t) = r_S\, n\, \mathbb 1_{plan}(t)` — ``sme_reward`` (亿元/firm) × the
  lever's firms a year in the plan years.
* Park infrastructure :math:`G_P(t) = c_P\, \Delta M(t)` — ``park_infra_cost`` (亿元/亩) × new land
  first needed in year t (M below), paid that year.
* Project incentives :math:`G_K(t) = \sigma_K \sum_k J_k \mathbb 1[t = \max(y_k - L, t_1)]` —
  ``project_incentive_rate`` × each key project's stated investment J_k, paid one lag before its
  first output year (at the first projected year t_1 at the earliest).
* Added district tax :math:`R(t) = \tau\,\rho\,[V^{tech}(t) - V^0(t) + \sum_i r_i(t)(V_i - V^{tech}_i - v_i S_i)(t) + r_W(t)\,\mu\,(W - W^0)(t)]`
  — τ (``tax_to_va``) × ρ (``district_tax_share``), both drawn uniform between their ``_low`` and
  ``_high`` in the ensemble (the central path uses each draw's median, ``draw_medians``, as the engine
  does for ``uncertainty.csv``; so does γ below), × the added value added *less the reclassified 小升规 firms' value added*
  (they paid tax below the threshold too; v_i = V_i/Y_i of the scenario). The capacity channel's part
  ramps up: plots completed in year u pay :math:`\min(1, (t-u+1)/T_R)` of the full ratio in year t
  (T_R = ``tax_ramp_years``: VAT credits on the equipment, little profit while ramping); r_i is that
  share weighted by the plots' output (land below). 技改 in existing firms pays in full. Trade and
  warehousing (the ``trade_expansion`` lever): its value added is the margin μ (``trade_margin``) on the
  extra turnover W − W⁰, ramping up as r_W on its new plots (warehouses offset the VAT on their buildings
  and equipment as plants do). Land acquisition and compensation (征地拆迁) and land-sale revenue
  (土地出让金) are outside this account; park infrastructure is 七通一平 only.
* Balance :math:`B(t) = R(t) - \sum G(t)`, cumulative :math:`\bar B(t) = \sum_{u=1}^{t} B(u)`;
  payback year = first year after :math:`\bar B` turned negative at which it is back at ≥ 0 (none if
  it never was negative: nothing to pay back — or never recovers by the end year). The same at
  present value: :math:`\sum_u B(u)(1+r)^{-u}`, r = ``discount_rate`` (the payback a lender would see).
* Government yuan per yuan of added output, per lever: cumulative spending of the lever / cumulative
  added output of its channel (技改: Y^tech − Y^0; 小升规: reclassified output; park infrastructure and
  project incentives: the capacity channels' output, below).
* Financing of the scenario's investment bill I (industry + trade): public money
  :math:`\phi_G I^0 + G_T + G_K` (``finance_public`` of the neutral bill plus the levers' investment
  subsidies), bank credit :math:`\phi_B (I - \text{public})/(1-\phi_G)` (``finance_bank``), own funds
  the rest — the three add up to I.

Energy and carbon (``sector_feasibility.csv``: e_i, tce per 万元 of output at 2024 prices):

* :math:`e_i(t) = e_i(0)(1-d)^t\,H(t)`, d = ``energy_trend_decline``; green upgrade
  :math:`H(t) = \prod_{u=1}^{t}(1 - \gamma (s(u-L) - s_0))` with γ (``green_upgrade``, %/yr per
  point of 技改 share above today's s_0; drawn uniform in the ensemble) and s the 技改 lever in its plan
  years (today's share otherwise; from the plan start on with ``persist``).
* Reclassified 小升规 output S_i is left out of energy use and of the intensity's value added: those
  firms already used their energy and made their value added in the district below the threshold.
* Energy use :math:`E(t) = \sum_i e_i(t)\, (Y_i - S_i)(t)/p_i(t)` (tce/万元 × 亿元 = 万 tce), intensity
  :math:`E(t) / \sum_i (V_i - v_i S_i)(t)/p_i(t)` (tce per 万元 of value added at 2024 prices), CO₂
  :math:`E(t)\, f (1-f_d)^t` (万 t; ``co2_factor``, ``co2_factor_decline``).
* What the levers need: :math:`E - E^0`, the neutral twin's use :math:`E^0 = \sum_i e_i^0(t) Y^0_i/p^0_i`
  (today's 技改 share: H = 1) taken from the scenario's (``energy_extra``). Trade and warehousing use no
  energy here: the data hold no sourced or judged intensity for them (the sectors' e_i are industry's).
* Use quota: only a *sourced* one (``energy_quota.csv``: 万 tce by year, linear between, flat outside). A
  region without it gets no energy-use judgement (status ``none``): a ceiling built from the run's own
  use would only say whether the run beats itself.
* Intensity targets (``intensity_targets.csv``): each plan period [a, b] a cumulative fall x, judged at
  its last year: :math:`\epsilon(b) \le \epsilon(a-1)(1-x)`; a period begun before the base year is
  prorated from the base year at its constant rate, :math:`\epsilon(0)(1-x)^{(b-t_0)/(b-a+1)}`.

Land (``land_intensity`` ℓ_i, 亩 per 亿元 of annual output at 2024 prices; ``trade_land`` ℓ_W):

* Capacity output :math:`Q_i(t) = (Y_i - Y^{tech}_i - S_i)/p_i` — output above the tech-only
  counterfactual less reclassification: investment growth, key projects and chain extension.
* Land at completion: a plot is sized by the output of its capacity when built; afterwards that output
  grows with the sector on the same plot (densification), as the trend's does. With G_i(t) =
  :math:`\prod_{u\le t}(1 + \max(0, g_i(u)))` (g_i the tech-only twin's real growth) and the capacity in plots
  :math:`R_i(t) = \max_{u\le t}\max(0, Q_i(u)/G_i(u))`, new land
  :math:`M(t) = \sum_i \ell_i \sum_{u\le t} G_i(u)\,\Delta R_i(u) + \ell_W \sum_{u\le t} G_W(u)\,\Delta R_W(u)`
  (R_W from the extra trade turnover (W − W⁰)/p_c, G_W from the neutral turnover): land once taken is not
  handed back, and capacity that only grows adds none. The trend's own growth is assumed to fit on existing plots
  (densification), so a neutral scenario needs no new land: M = 0 (the supply in
  ``land_supply.csv`` is the parks' land for the levers).
* Supply :math:`A(t)`: linear between (base year, 0) and the years of ``land_supply.csv``, flat after.

Constraints (ids ``fiscal_balance``, ``energy_use``, ``energy_intensity``, ``land``), checked in every
projected year: within iff :math:`\bar B(t) \ge -F` (F = ``fiscal_room``), :math:`E \le` the sourced
quota (not judged without one), intensity ≤ target (at each period's last year only), M ≤ A. The year it
binds is the first year that fails. The value and limit shown are those of the binding year, or of the
tightest year when it never binds. Over an ensemble, ``payback_chance(year)`` and ``payback_median`` give
the payback with its chance (runs with an outlay; never within the horizon counts as after it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping

import numpy as np

from .engine import Projection, Projects, neutral_investment, simulate
from .ensemble import EnsembleDraws, simulate_ensemble
from .specs import FIXED_PARAMS

if TYPE_CHECKING:
    from .baseline import Baseline, Figure
    from .rows import ScenarioRows

_COL = {name: i for i, name in enumerate(FIXED_PARAMS)}
_PCT = 0.01
CONSTRAINTS = ("fiscal_balance", "energy_use", "energy_intensity", "land")
UNITS = MappingProxyType({"fiscal_balance": "100m yuan", "energy_use": "10k tce",
                          "energy_intensity": "tce/10k yuan", "land": "mu"})
LEVERS = ("tech_subsidy", "sme_reward", "park_infra", "project_incentive")
#: Parameters of feasibility.csv with their units (the loader checks them).
FEAS_PARAMS = MappingProxyType({
    "tech_subsidy_rate": "%", "sme_reward": "100m yuan/firm", "park_infra_cost": "100m yuan/mu",
    "project_incentive_rate": "%", "tax_to_va": "%", "district_tax_share": "%", "fiscal_room": "100m yuan",
    "tax_to_va_low": "%", "tax_to_va_high": "%", "district_tax_share_low": "%", "district_tax_share_high": "%",
    "tax_ramp_years": "yr",
    "discount_rate": "%/yr",
    "finance_public": "%", "finance_bank": "%", "energy_trend_decline": "%/yr", "green_upgrade": "%/yr per pp",
    "green_upgrade_low": "%/yr per pp", "green_upgrade_high": "%/yr per pp", "co2_factor": "t CO2/tce",
    "co2_factor_decline": "%/yr", "trade_land": "mu/100m yuan"})
#: Per-sector parameters of sector_feasibility.csv with their units.
SECTOR_FEAS_PARAMS = MappingProxyType({"energy_intensity": "tce/10k yuan", "land_intensity": "mu/100m yuan"})


@dataclass(frozen=True)
class ParkLand:
    """A park's area (亩) and stated output (亿元/yr at 2024 prices) in one sector (index), with the weakest status."""

    name: str
    sector: int
    area: float
    output: float
    status: str


@dataclass(frozen=True)
class ParkNote:
    """A park whose stated output needs more land than the sector's benchmark allows on its area.

    need : 亩 at the benchmark (output × land per 亿元); per_mu : its stated output per 亩 (万元/亩) and
    ``mujun``: that output's 亩均 class."""

    park: str
    area: float
    need: float
    per_mu: float
    mujun: str
    status: str


@dataclass(frozen=True, eq=False)
class FeasibilityData:
    """A region's fiscal, energy and land data (validated by ``model.io.feasibility_data``).

    params : feasibility.csv by name, in the file's units; energy_intensity, land_intensity : (S,)
    in the order of the baseline's sectors; land_years, land_supply : (K,) cumulative new land
    available by year (亩); mujun : (class, min output 万元/亩) sorted from the best class down;
    intensity_targets : (first year, last year, cumulative fall %, status) per plan period;
    quota_years, quota : the district's total energy-use quota by year (万 tce; empty when no sourced
    quota), quota_status : its weakest status, or ``none``.
    """

    params: Mapping[str, float]
    energy_intensity: np.ndarray
    land_intensity: np.ndarray
    land_years: np.ndarray
    land_supply: np.ndarray
    mujun: tuple[tuple[str, float], ...]
    intensity_targets: tuple[tuple[int, int, float, str], ...] = ()
    quota_years: np.ndarray = field(default_factory=lambda: np.zeros(0))
    quota: np.ndarray = field(default_factory=lambda: np.zeros(0))
    quota_status: str = "none"
    parks: tuple[ParkLand, ...] = ()
    figures: tuple["Figure", ...] = field(default=())


@dataclass(frozen=True)
class Constraint:
    """One constraint over N runs: value and limit at the binding (or tightest) year, (N,) arrays.

    ``status``: the weakest status of the limit's data (official / derived / estimate), or ``none`` when
    the data hold no sourced limit: then nothing is judged (``within`` all True, ``limit`` NaN,
    ``probability`` NaN) and ``value`` is the end year's.
    """

    id: str
    unit: str
    value: np.ndarray
    limit: np.ndarray
    within: np.ndarray      # bool
    year: np.ndarray        # first year it fails, NaN when within
    at: np.ndarray          # the year of ``value`` and ``limit``: ``year``, or the tightest year when within
    status: str = "estimate"

    @property
    def judged(self) -> bool:
        """False when the data hold no limit for it (status ``none``)."""
        return self.status != "none"

    @property
    def probability(self) -> float:
        """Share of runs within the constraint (NaN when there is no limit to judge against)."""
        return float(np.mean(self.within)) if self.judged else float("nan")


@dataclass(frozen=True)
class Feasibility:
    """Fiscal, energy and land results of N runs of one scenario (arrays (N, Y) unless stated).

    spending : dict lever → (N, Y) 亿元 (``LEVERS``); tax : added district tax; balance, cumulative;
    payback : (N,) year or NaN; discounted, payback_pv : the same at present value (2024 yuan, ``discount_rate``);
    cost_per_output : dict lever → (N,) 亿元 per 亿元 of its channel's added
    output to the end year (NaN where the channel adds none); financing : dict own/bank/public → (N, Y);
    energy : (N, S, Y) 万 tce; energy_total, intensity (tce/万元 VA at 2024 prices), co2 (万 t);
    energy_neutral : the neutral twin's use, energy_extra = energy_total − energy_neutral (what the levers
    add, 万 tce); energy_limit : the sourced quota (NaN where there is none); intensity_limit : the
    target path within each plan period (NaN outside them; judged only at each period's last year); land : (N, Y) 亩 new land needed (land_sector (N, S, Y) and
    land_trade (N, Y) its parts); land_limit : (Y,); capacity_output : (N, Y) real 亿元 (Q summed);
    constraints : the four ``Constraint`` in ``CONSTRAINTS`` order.
    """

    years: np.ndarray
    spending: Mapping[str, np.ndarray]
    tax: np.ndarray
    balance: np.ndarray
    cumulative: np.ndarray
    payback: np.ndarray
    discounted: np.ndarray
    payback_pv: np.ndarray
    cost_per_output: Mapping[str, np.ndarray]
    financing: Mapping[str, np.ndarray]
    energy: np.ndarray
    energy_total: np.ndarray
    intensity: np.ndarray
    co2: np.ndarray
    energy_neutral: np.ndarray
    energy_extra: np.ndarray
    energy_limit: np.ndarray
    intensity_limit: np.ndarray
    land: np.ndarray
    land_sector: np.ndarray
    land_trade: np.ndarray
    land_limit: np.ndarray
    capacity_output: np.ndarray
    constraints: tuple[Constraint, ...]

    @property
    def total_spending(self) -> np.ndarray:
        return sum(self.spending.values())

    def constraint(self, cid: str) -> Constraint:
        return self.constraints[CONSTRAINTS.index(cid)]

    @property
    def outlay(self) -> np.ndarray:
        """(N,) True where the cumulative balance turns negative: there is something to pay back."""
        return (self.cumulative < 0).any(axis=1)

    def payback_chance(self, year: float | None = None) -> float:
        """Share of the runs with an outlay that have paid back by ``year`` (default: the end year);
        NaN when no run has an outlay (nothing to pay back)."""
        owed = self.outlay
        if not owed.any():
            return float("nan")
        by = self.years[-1] if year is None else year
        paid = ~np.isnan(self.payback) & (np.nan_to_num(self.payback, nan=np.inf) <= by)
        return float(np.mean(paid[owed]))

    @property
    def payback_median(self) -> float:
        """Median payback year over the runs with an outlay, a run that never pays back counting as after
        the end: ``inf`` means the median run does not pay back within the horizon; NaN: no outlay."""
        owed = self.outlay
        if not owed.any():
            return float("nan")
        years = np.sort(np.nan_to_num(self.payback[owed], nan=np.inf))
        return float(years[(years.size - 1) // 2])          # the lower median: a year that occurs


def counterfactual_rows(base: "Baseline", x: np.ndarray) -> np.ndarray:
    """(3, D): the scenario row, its neutral counterfactual and the tech-only counterfactual."""
    x = np.asarray(x, dtype=float)
    nfix = len(FIXED_PARAMS)
    neutral = x.copy()
    neutral[_COL["investment"]] = neutral_investment(base, x[nfix:], x[_COL["growth"]])
    neutral[_COL["tech_upgrade"]] = base.params["tech_base_share"]
    neutral[_COL["chain_extension"]] = base.chain_base
    neutral[_COL["sme_upgrades"]] = 0.0
    neutral[_COL["trade_expansion"]] = 0.0
    tech = neutral.copy()
    tech[_COL["tech_upgrade"]] = x[_COL["tech_upgrade"]]
    return np.stack([x, neutral, tech])


def _in_plan(base: "Baseline", x: np.ndarray) -> np.ndarray:
    """(Y,) True in the scenario's plan years (every year from the start with ``persist``)."""
    years = base.years
    start, end = x[_COL["plan_start"]], x[_COL["plan_end"]]
    persist = x[_COL["plan_persist"]] > 0.5
    return (years >= start) & ((years <= end) | persist)


def _lagged(a: np.ndarray, lag: int, fill: float) -> np.ndarray:
    out = np.full_like(a, fill)
    out[lag:] = a[:a.shape[0] - lag]
    return out


def green_factor(base: "Baseline", x: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """(N, Y) H(t): the 技改 green-upgrade multiplier on energy per yuan of output (1 in the base year).

    gamma : (N,) effect in %/yr per percentage point of 技改 share above today's.
    """
    s0 = base.params["tech_base_share"]
    share = np.where(_in_plan(base, x), x[_COL["tech_upgrade"]], s0)
    extra = _lagged(share - s0, int(base.params["investment_lag"]), 0.0)    # points, acting L years later
    extra[0] = 0.0
    step = 1.0 - np.asarray(gamma, dtype=float)[:, None] * _PCT * extra[None, :]
    return np.cumprod(np.clip(step, 1e-6, None), axis=1)


def growth_index(counterfactual: np.ndarray) -> np.ndarray:
    """G(t) = ∏_{u≤t} (1 + max(0, g(u))), g the counterfactual's real growth: what a plot's output becomes
    by densification alone (the trend's own growth fits on existing plots; a fall frees no land)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(counterfactual[..., :-1] > 0, counterfactual[..., 1:] / counterfactual[..., :-1] - 1.0, 0.0)
    step = 1.0 + np.maximum(g, 0.0)
    return np.concatenate([np.ones_like(counterfactual[..., :1]), np.cumprod(step, axis=-1)], axis=-1)


def land_at_completion(capacity: np.ndarray, counterfactual: np.ndarray) -> np.ndarray:
    """Output capacity on new land (real 亿元, cumulative; times 亩 per 亿元 gives the land), (..., Y).

    The extra capacity Q, deflated by the counterfactual's growth index G (``growth_index``), is the
    capacity in plots: R(t) = max_{u≤t} max(0, Q(u)/G(u)). Each year's new plots R(t) − R(t−1) are
    sized by their output at completion, G(t)(R(t) − R(t−1)); once built, their output grows with the
    sector on the same land, as the trend's does. Land is never handed back.
    """
    return _land(_plots(capacity, counterfactual))


def _land(plots: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    G, _, new = plots
    return np.cumsum(G * new, axis=-1)


def _plots(capacity: np.ndarray, counterfactual: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(G, R, ΔR): growth index, capacity in plots (deflated running peak) and the plots new each year."""
    G = growth_index(counterfactual)
    plots = np.maximum.accumulate(np.maximum(capacity, 0.0) / G, axis=-1)
    return G, plots, np.diff(plots, axis=-1, prepend=0.0)


def tax_ramp(capacity: np.ndarray, counterfactual: np.ndarray, ramp_years: int) -> np.ndarray:
    """(..., Y) share of full tax the capacity channel pays: plots built in year u pay min(1, (t − u + 1)/R)
    of it in year t (R = ``tax_ramp_years``), weighted by their output (1 where there is no new capacity)."""
    return _ramp(_plots(capacity, counterfactual), ramp_years)


def _ramp(plots_of: tuple[np.ndarray, np.ndarray, np.ndarray], ramp_years: int) -> np.ndarray:
    _, plots, new = plots_of
    Y = plots.shape[-1]
    age = np.arange(Y)[:, None] - np.arange(Y)[None, :]                       # t − u
    w = np.where(age >= 0, np.minimum(1.0, (age + 1.0) / ramp_years), 0.0)    # (t, u)
    paying = new @ w.T                                                       # Σ_u ΔR(u) w(t − u)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(plots > 1e-12, paying / plots, 1.0)


def _land_supply(base: "Baseline", data: FeasibilityData) -> np.ndarray:
    xs = np.concatenate([[base.base_year], data.land_years])
    ys = np.concatenate([[0.0], data.land_supply])
    return np.interp(base.years, xs, ys)


def _check(cid: str, value: np.ndarray, limit: np.ndarray, years: np.ndarray, lower: bool = False,
           status: str = "estimate", checked: np.ndarray | None = None) -> Constraint:
    """value (N, Y) against limit (N|1, Y) over the projected years; ``lower``: value must stay ≥ limit.

    ``checked``: (Y,) the years judged (default every projected year); ``status`` ``none``: nothing is
    judged, the end year's value is reported.
    """
    if status == "none" or (checked is not None and not checked[1:].any()):
        n = value.shape[0]
        end = np.full(n, float(years[-1]))
        return Constraint(cid, UNITS[cid], value[:, -1].copy(), np.full(n, np.nan), np.ones(n, dtype=bool),
                          np.full(n, np.nan), end, "none")
    if checked is not None:
        keep = np.flatnonzero(checked[1:]) + 1
        value = np.concatenate([value[:, :1], value[:, keep]], axis=1)
        limit = np.concatenate([np.broadcast_to(limit, (value.shape[0], limit.shape[1]))[:, :1],
                                np.broadcast_to(limit, (value.shape[0], limit.shape[1]))[:, keep]], axis=1)
        years = np.concatenate([years[:1], years[keep]])
    v, lim = value[:, 1:], np.broadcast_to(limit, value.shape)[:, 1:]
    fail = v < lim if lower else v > lim
    # tightest year: the largest shortfall, as a share of the limit's size (the limit may be 0)
    scale = np.maximum(np.abs(lim), 1e-12)
    slack = (v - lim) / scale if lower else (lim - v) / scale
    first = np.argmax(fail, axis=1)
    within = ~fail.any(axis=1)
    k = np.where(within, np.argmin(slack, axis=1), first)
    rows = np.arange(v.shape[0])
    year = np.where(within, np.nan, years[1:][first].astype(float))
    return Constraint(cid, UNITS[cid], v[rows, k], lim[rows, k], within, year, years[1:][k].astype(float), status)


def energy_quota(base: "Baseline", data: FeasibilityData) -> np.ndarray:
    """(Y,) the sourced energy-use quota (万 tce), linear between its years and flat outside; NaN without one."""
    if data.quota_status == "none":
        return np.full(base.years.size, np.nan)
    return np.interp(base.years, data.quota_years, data.quota)


def intensity_target(base: "Baseline", data: FeasibilityData, intensity: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """The cumulative intensity targets: (N, Y) target path, (Y,) years judged (each period's last), status.

    A period [a, b] with fall x % asks intensity(b) ≤ intensity(a − 1)·(1 − x). When a − 1 is before the
    base year, the path from the base year is prorated at the period's constant rate:
    intensity(base)·(1 − x)^((b − base)/(b − a + 1)) — the district taken to be on track until then.
    Within a period the path is geometric (for charts); only its last year is judged.
    """
    years = base.years
    N = intensity.shape[0]
    path = np.full((N, years.size), np.nan)
    checked = np.zeros(years.size, dtype=bool)
    statuses = []
    for a, b, pct, status in data.intensity_targets:
        if b <= base.base_year or b > years[-1]:
            continue
        ref = max(a - 1, base.base_year)
        rate = (1.0 - pct * _PCT) ** (1.0 / (b - a + 1))          # per year, constant over the period
        k0 = int(ref - base.base_year)
        span = np.arange(k0 + 1, int(b - base.base_year) + 1)
        path[:, span] = intensity[:, k0:k0 + 1] * np.power(rate, (span - k0))[None, :]
        checked[int(b - base.base_year)] = True
        statuses.append(status)
    weakest = next((s for s in ("estimate", "derived", "official") if s in statuses), "none")
    return path, checked, weakest


def assess(base: "Baseline", data: FeasibilityData, x: np.ndarray, projects: Projects, scn: Projection,
           neutral: Projection, tech: Projection, gamma: np.ndarray | None = None,
           tax_rate: np.ndarray | None = None, tax_share: np.ndarray | None = None) -> Feasibility:
    """Feasibility of N runs of one scenario row ``x`` from its three projections (detail needed).

    ``projects``: the scenario's key projects (stated investment, first output year); ``gamma``,
    ``tax_rate``, ``tax_share``: (N,) green-upgrade effect, tax / value added and the district's share
    (%) per run (None: the medians of their draws, ``draw_medians``).
    """
    P = data.params
    years = base.years
    N, Y = scn.output.shape[0], years.size
    lag = int(base.params["investment_lag"])
    t = (years - base.base_year).astype(float)
    medians = draw_medians(data)
    if gamma is None:
        gamma = np.full(N, medians["green_upgrade"])

    # --- land: capacity taken at completion, sized by its output then (not by its later growth)
    real = scn.output / scn.price
    tech_real = tech.output / tech.price
    cap = real - tech_real - scn.reclassified / scn.price            # (N, S, Y)
    # The plots of new capacity, made once: the land (here) and the tax ramp (below) both read them.
    cap_plots = _plots(cap, tech_real)
    land_sector = data.land_intensity[None, :, None] * _land(cap_plots)
    ci = base.cluster_index
    w_extra = (scn.cluster[:, 1, :] - neutral.cluster[:, 1, :]) / scn.price[:, ci, :]
    trade_plots = _plots(w_extra, neutral.cluster[:, 1, :] / neutral.price[:, ci, :])
    land_trade = P["trade_land"] * _land(trade_plots)
    land = land_sector.sum(axis=1) + land_trade
    land_limit = _land_supply(base, data)

    # --- fiscal
    if tax_rate is None:
        tax_rate = np.full(N, medians["tax_to_va"])
    if tax_share is None:
        tax_share = np.full(N, medians["district_tax_share"])
    in_plan = _in_plan(base, x).astype(float)
    d_tech = np.maximum(tech.investment - neutral.investment, 0.0)
    new_land = np.diff(land, axis=1, prepend=0.0)
    incent = np.zeros((N, Y))
    if projects.count:
        start = np.broadcast_to(projects.start, (1, projects.count))[0]
        pay = np.clip(start - lag, years[1], np.inf)
        inv = np.broadcast_to(projects.investment, (1, projects.count))[0]
        for y, j in zip(pay, inv):
            if y <= years[-1] and j > 0:
                incent[:, int(y - years[0])] += P["project_incentive_rate"] * _PCT * j
    spending = {
        "tech_subsidy": P["tech_subsidy_rate"] * _PCT * d_tech,
        "sme_reward": np.broadcast_to(P["sme_reward"] * x[_COL["sme_upgrades"]] * in_plan, (N, Y)).copy(),
        "park_infra": P["park_infra_cost"] * new_land,
        "project_incentive": incent,
    }
    for a in spending.values():
        a[:, 0] = 0.0                                                        # the base year is history
    with np.errstate(divide="ignore", invalid="ignore"):
        va_rate = np.where(scn.output > 0, scn.value_added / scn.output, 0.0)
    va_tech = (tech.value_added - neutral.value_added).sum(axis=1)
    va_cap = scn.value_added - tech.value_added - va_rate * scn.reclassified               # (N, S, Y)
    ramp = _ramp(cap_plots, int(P["tax_ramp_years"]))
    # trade and warehousing: the margin on the extra turnover is its value added; new warehouses and
    # logistics parks offset the VAT on their buildings and equipment like new plants, so the same ramp
    va_trade = (base.params["trade_margin"] * _PCT * _ramp(trade_plots, int(P["tax_ramp_years"]))
                * (scn.cluster[:, 1, :] - neutral.cluster[:, 1, :]))
    d_va = va_tech + (ramp * va_cap).sum(axis=1) + va_trade
    tax = (np.asarray(tax_rate, dtype=float) * _PCT * np.asarray(tax_share, dtype=float) * _PCT)[:, None] * d_va
    tax[:, 0] = 0.0
    balance = tax - sum(spending.values())
    cumulative = np.cumsum(balance, axis=1)
    payback = _payback(cumulative, years)
    discounted = np.cumsum(balance * np.power(1.0 + P["discount_rate"] * _PCT, -t), axis=1)
    payback_pv = _payback(discounted, years)

    nominal_cap = (cap * scn.price).sum(axis=1)
    channel = {"tech_subsidy": (tech.output - neutral.output).sum(axis=1),
               "sme_reward": scn.reclassified.sum(axis=1),
               "park_infra": nominal_cap, "project_incentive": nominal_cap}
    cost_per_output = {}
    for lever, spent in spending.items():
        out = channel[lever][:, 1:].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            cost_per_output[lever] = np.where(out > 1e-9, spent.sum(axis=1) / out, np.nan)

    bill, bill0 = scn.investment, neutral.investment
    public = P["finance_public"] * _PCT * bill0 + spending["tech_subsidy"] + spending["project_incentive"]
    private = bill - public
    bank = P["finance_bank"] / (100.0 - P["finance_public"]) * private
    financing = {"own": private - bank, "bank": bank, "public": public}

    # --- energy and carbon
    h = green_factor(base, x, gamma)                                         # (N, Y)
    e = data.energy_intensity[None, :, None] * np.power(1.0 - P["energy_trend_decline"] * _PCT, t)[None, None, :]
    # Reclassified 小升规 firms already used their energy and made their value added in the district
    # (below the size threshold): they move neither the district's energy use nor its intensity.
    produced = real - scn.reclassified / scn.price
    energy = e * h[:, None, :] * produced                                    # 万 tce
    energy_total = energy.sum(axis=1)
    va_real = ((scn.value_added - va_rate * scn.reclassified) / scn.price).sum(axis=1)
    intensity = energy_total / va_real
    co2 = energy_total * P["co2_factor"] * np.power(1.0 - P["co2_factor_decline"] * _PCT, t)
    # the neutral twin runs today's 技改 share (H = 1) and reclassifies nobody
    energy_neutral = (e * (neutral.output / neutral.price)).sum(axis=1)
    energy_extra = energy_total - energy_neutral
    energy_limit = np.broadcast_to(energy_quota(base, data), (N, Y)).copy()
    intensity_limit, judged_years, intensity_status = intensity_target(base, data, intensity)

    constraints = (
        _check("fiscal_balance", cumulative, np.full((1, Y), -P["fiscal_room"]), years, lower=True),
        _check("energy_use", energy_total, energy_limit, years, status=data.quota_status),
        _check("energy_intensity", intensity, intensity_limit, years, status=intensity_status, checked=judged_years),
        _check("land", land, land_limit[None, :], years),
    )
    for a in (*spending.values(), *cost_per_output.values(), *financing.values(), tax, balance, cumulative, payback,
              discounted, payback_pv,
              energy, energy_total, intensity, co2, energy_neutral, energy_extra, energy_limit, intensity_limit, land, land_sector, land_trade,
              land_limit, cap, *(getattr(c, f) for c in constraints for f in ("value", "limit", "within", "year", "at"))):
        a.flags.writeable = False                                            # a frozen record: read-only arrays
    return Feasibility(years=years, spending=MappingProxyType(spending), tax=tax, balance=balance,
                       cumulative=cumulative, payback=payback, discounted=discounted, payback_pv=payback_pv,
                       cost_per_output=MappingProxyType(cost_per_output),
                       financing=MappingProxyType(financing), energy=energy, energy_total=energy_total,
                       intensity=intensity, co2=co2, energy_neutral=energy_neutral,
                       energy_extra=energy_extra, energy_limit=energy_limit, intensity_limit=intensity_limit,
                       land=land, land_sector=land_sector, land_trade=land_trade, land_limit=land_limit,
                       capacity_output=cap.sum(axis=1), constraints=constraints)


def _payback(cumulative: np.ndarray, years: np.ndarray) -> np.ndarray:
    """(N,) first year at which the cumulative balance is ≥ 0 again after being negative; NaN otherwise."""
    neg = cumulative < 0
    went = neg.any(axis=1)
    first_neg = np.argmax(neg, axis=1)
    idx = np.arange(cumulative.shape[1])[None, :]
    back = (idx > first_neg[:, None]) & (cumulative >= 0)
    # after the first shortfall, the first year back at ≥ 0 — and staying there to the end
    stays = np.flip(np.logical_and.accumulate(np.flip(cumulative >= 0, axis=1), axis=1), axis=1)
    ok = back & stays
    found = ok.any(axis=1)
    return np.where(went & found, years[np.argmax(ok, axis=1)].astype(float), np.nan)


def _no_projects(projects: Projects) -> Projects:
    return replace(projects, output=np.zeros_like(projects.output), investment=np.zeros_like(projects.investment))


def feasibility(base: "Baseline", data: FeasibilityData, rows: "ScenarioRows") -> Feasibility:
    """The central path's feasibility (N = 1): three deterministic engine rows."""
    X = counterfactual_rows(base, rows.x)
    pr = rows.projects
    none = _no_projects(pr)
    stacked = Projects(sector=np.concatenate([pr.sector, none.sector, none.sector]),
                       start=np.concatenate([np.atleast_2d(pr.start)] * 3),
                       output=np.concatenate([pr.output, none.output, none.output]),
                       ramp=np.concatenate([pr.ramp, none.ramp, none.ramp]),
                       investment=np.concatenate([pr.investment, none.investment, none.investment]))
    proj = simulate(base, X, stacked)
    return assess(base, data, rows.x, pr, proj.row(0), proj.row(1), proj.row(2))


#: Parameters drawn uniform between ``<name>_low`` and ``<name>_high`` in the ensemble.
DRAWN = ("green_upgrade", "tax_to_va", "district_tax_share")


def draw_medians(data: FeasibilityData) -> dict[str, float]:
    """The central path's value of each drawn parameter: the median of its uniform draw, as the engine's
    central path uses the medians of ``uncertainty.csv`` (so the central balance is the ensemble's middle)."""
    P = data.params
    return {name: 0.5 * (P[f"{name}_low"] + P[f"{name}_high"]) for name in DRAWN}


#: Extra streams of the seed for the feasibility draws: they leave the ensemble's own draws unchanged.
GREEN_STREAM = 19
TAX_STREAM = 191


def green_draws(data: FeasibilityData, runs: int, seed: int) -> np.ndarray:
    """(runs,) the green-upgrade effect per run, uniform between the data's low and high (seeded)."""
    rng = np.random.default_rng([seed, GREEN_STREAM])
    return rng.uniform(data.params["green_upgrade_low"], data.params["green_upgrade_high"], runs)


def tax_draws(data: FeasibilityData, runs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(runs,) tax / value added and the district's share (%) per run, each uniform between its low and high."""
    rng = np.random.default_rng([seed, TAX_STREAM])
    P = data.params
    return (rng.uniform(P["tax_to_va_low"], P["tax_to_va_high"], runs),
            rng.uniform(P["district_tax_share_low"], P["district_tax_share_high"], runs))


def feasibility_ensemble(base: "Baseline", data: FeasibilityData, rows: "ScenarioRows",
                         draws: EnsembleDraws, seed: int) -> Feasibility:
    """Feasibility of every run of an ensemble (the same draws as the goals' chances) plus drawn γ, τ and ρ."""
    X = counterfactual_rows(base, rows.x)
    none = _no_projects(rows.projects)
    scn = simulate_ensemble(base, X[:1], rows.projects, draws, detail=True, keep=True)
    neutral = simulate_ensemble(base, X[1:2], none, draws, detail=True, keep=True)  # the same across most moves
    tech = simulate_ensemble(base, X[2:3], none, draws, detail=True, keep=True)
    tau, rho = tax_draws(data, draws.runs, seed)
    return assess(base, data, rows.x, rows.projects, scn, neutral, tech, green_draws(data, draws.runs, seed), tau, rho)


def binds_first(result: Feasibility, run: int = 0) -> str | None:
    """Id of the constraint that fails earliest in run ``run`` (ties: ``CONSTRAINTS`` order); None if all hold."""
    best, when = None, np.inf
    for c in result.constraints:
        y = c.year[run]
        if not np.isnan(y) and y < when:
            best, when = c.id, y
    return best


#: Names ``within`` accepts (goal seek, the cheapest mix, the CLI's ``--within``) and the constraints they stand for.
WITHIN_GROUPS = MappingProxyType({"energy": ("energy_use", "energy_intensity"), "land": ("land",),
                                  "fiscal": ("fiscal_balance",), **{c: (c,) for c in CONSTRAINTS}})


def within_ids(names) -> tuple[str, ...]:
    """Constraint ids of ``names`` (``WITHIN_GROUPS`` keys, e.g. "energy,land" or an iterable), in
    ``CONSTRAINTS`` order; raises ValueError naming the allowed names."""
    parts = [n.strip() for n in (names.split(",") if isinstance(names, str) else names) if n and n.strip()]
    bad = [n for n in parts if n not in WITHIN_GROUPS]
    if bad:
        raise ValueError(f"unknown constraint {', '.join(bad)}: use {', '.join(WITHIN_GROUPS)}")
    chosen = {c for n in parts for c in WITHIN_GROUPS[n]}
    return tuple(c for c in CONSTRAINTS if c in chosen)


def within_all(result: Feasibility, ids: tuple[str, ...]) -> np.ndarray:
    """(N,) True where the run keeps every judged constraint of ``ids`` (one with no sourced limit holds)."""
    ok = np.ones(result.payback.shape[0], dtype=bool)
    for cid in ids:
        ok &= result.constraint(cid).within
    return ok


def first_binding(result: Feasibility, ids: tuple[str, ...], run: int = 0) -> str | None:
    """Id among ``ids`` that fails earliest in run ``run`` (ties: ``CONSTRAINTS`` order); None if all hold."""
    best, when = None, np.inf
    for cid in ids:
        y = result.constraint(cid).year[run]
        if not np.isnan(y) and y < when:
            best, when = cid, y
    return best


def mujun_class(data: FeasibilityData, output_per_mu: float) -> str:
    """Shandong 亩均效益 class of an output per 亩 (万元/亩) against the data's benchmarks."""
    for name, floor in data.mujun:
        if output_per_mu >= floor:
            return name
    return data.mujun[-1][0]


def park_notes(data: FeasibilityData) -> tuple[ParkNote, ...]:
    """Parks of ``parks.csv`` whose stated output needs more land at the sector's benchmark
    (``land_intensity``, 亩 per 亿元) than their area: the output is more than the area can carry at the
    benchmark, so either the output or the land is understated. Empty without per-park data."""
    notes = []
    for p in data.parks:
        need = p.output * data.land_intensity[p.sector]
        if need > p.area * (1 + 1e-12):
            per_mu = p.output * 1e4 / p.area if p.area > 0 else float("inf")
            notes.append(ParkNote(p.name, p.area, float(need), per_mu, mujun_class(data, per_mu), p.status))
    return tuple(notes)


__all__ = ["growth_index", "land_at_completion", "energy_quota", "intensity_target", "CONSTRAINTS", "LEVERS", "FeasibilityData", "Feasibility", "Constraint", "assess", "feasibility",
           "feasibility_ensemble", "counterfactual_rows", "tax_draws", "draw_medians", "DRAWN", "tax_ramp", "green_factor", "green_draws", "binds_first", "mujun_class", "ParkLand", "ParkNote", "park_notes",
           "WITHIN_GROUPS", "within_ids", "within_all", "first_binding"]
