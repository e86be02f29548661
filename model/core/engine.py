r"""The projection engine: one vectorised call maps N parameter rows to N projections.

The central path (no ``draws``) takes the median of every drawn parameter (``central_values``), so it
lies in the middle of the ensemble's range (model v3, issue 17). Units: money in 亿元 (10⁸ yuan),
growth in %/yr in the parameter matrix and fractions in the equations; sources of every number are in
``data/<region>/*.csv``.

Notation (per scenario row n and sector i; t = year − base year, t = 0 … T; money in 亿元):

* Trend. :math:`g_i = \bar g_i + (G - G_0)`: the sector's trend plus the common shift of the
  ``growth`` assumption :math:`G` over the published growth :math:`G_0`. The trend path is
  :math:`C_i(t) = \lambda_i Y_i(0)\,(1+g_i)^t \exp(\sum_{u\le t} e_i(u))` with shocks
  :math:`e_i(u) = \sigma(\sqrt\rho\, z_0(u) + \sqrt{1-\rho}\, z_i(u)) - \sigma^2/2`
  (correlated across sectors, mean-one in levels, zero when :math:`\sigma = 0`) and λ the drawn
  correction of the unpublished 2024 level (1 on the central path: the median of the draw). :math:`F_i(t) = C_i(t)/(\lambda_i Y_i(0))`
  is the growth factor of one yuan of the sector's output.
* Plan window. The levers act in the plan years ``plan_start`` … ``plan_end`` (default 2025–2027).
  :math:`m(t)` counts the plan years up to t (0 before, at most the window's length L_p after it;
  ``plan_persist`` = 1 lets it keep counting: the levers never stop).
* Capital (perpetual inventory, δ = depreciation, one capital-output ratio per sector
  :math:`k_i = \kappa_i v_i`, yuan of capital per yuan of annual gross output, κ = capital / value added).
  Investment :math:`I_i(t) = I_i^*(t)\,((1+g^I_i)/(1+g_i))^{m(t)}` with
  :math:`g^I_i = g_i + (\iota - \iota^*)`: the lever ι (growth of industrial investment in the
  plan years) moves every sector's investment growth by the same points off its steady-state
  growth; after the plan its ratio to the steady path fades back to 1 over F = ``investment_fade``
  years, :math:`(I/I^*)(t) = ((1+g^I_i)/(1+g_i))^{L_p \max(0,\,1-(t-t_{end})/F)}` (campaign
  investment does not stay above its trend by itself; ``persist``: no fade). Destination: by default
  the extra spending :math:`\sum_i (I_i - I^*_i)` is spread by today's sector shares (every sector's
  growth moved by the same points); ``plan.invest_in = advanced`` gives all of it to the emerging and
  future sectors in proportion to their :math:`I^*_i` (cuts below the trend stay by shares). ι* = Σ w_i g_i
  (w: 2024 investment shares). Steady path :math:`I^*_i(t) = \lambda_i I_i(0)(1+g_i)^t`,
  :math:`I_i(0) = k_i Y_i(0)(\bar g_i+\delta)/(1+\bar g_i)`, :math:`K_i(0) = k_i Y_i(0)`.
  :math:`K(t) = (1-\delta)K(t-1) + I(t)` for both paths and the sector's output is multiplied by
  :math:`(K(t-L)/K^*(t-L))^\alpha` (L = construction lag). Diminishing returns: at the margin a
  yuan of the lever's extra capital adds :math:`\alpha/k_i` yuan of output (Cobb–Douglas: marginal
  product = α × average product), with α = 0.85 on the central path (the median of the drawn
  U(0.7, 1)), so extra capital never earns more than the district's average capital :math:`1/k_i`
  (:math:`K(0) = k_i Y_i(0)`); projects and chain extension earn exactly the average. The investment lever
  *excludes* the listed key projects and chain extension: they are billed on top.
* 技改. Share :math:`s(t)` = the lever in plan years, today's share :math:`s_0` otherwise
  (``persist``: the lever from the plan start on). Intensity :math:`\tau(t) = s(t)` (model v2 used
  :math:`s(t) I(t)/I^*(t)`, which let the investment lever's extra capital buy productivity as well as
  capacity: paid once, counted twice).
  Extra productivity growth :math:`b_i(t) = \theta\, r_i\, a\,[e^{-s_0/h} - e^{-\tau(t-L)/h}]`
  (saturating; zero at today's share; θ the drawn scale of the effect, its median 1 centrally);
  :math:`A_i(t) = \prod_u (1 + b_i(u))`. Value-added rate :math:`\min(\bar v, v_i A_i(t)^\beta)`.
  Cost: upgrading above today's share is spent on top of the investment path,
  :math:`(s(t) - s_0)\, I_i(t)` a year; it adds productivity, not capacity.
* Prices. Trends are nominal at a baseline producer-price change π. The cluster sector's price
  index is :math:`(1+p)^t` (``stainless_price``) instead of :math:`(1+\pi)^t`, so its nominal
  output carries :math:`((1+p)/(1+\pi))^t`. Real values = nominal / price index.
* 小升规 (reclassification). :math:`n` extra firms a year in the plan years (after it the pace
  returns to the baseline: none extra), at most the cultivation pool :math:`N_{pool}` in all
  (``sme_pool``, firms, an estimate: cumulative entrants :math:`\min(n\,m(t), N_{pool})`; a scenario
  that uses the pool up carries a note), a share :math:`w_i` in each sector, each entering with
  revenue :math:`r_0` and then growing with its sector: :math:`S_i(t) = F_i p_i(t)\sum_{u\le t} n w_i r_0 / (F_i p_i)(u)`.
  These firms existed below the size threshold: no capital is billed and their output is
  *reclassification*, not new production. The official growth compares the same firms (同口径):
  :math:`g^{same}(t) = Y(t)/(Y(t-1) + E(t)) - 1` with :math:`E(t)` the revenue of the year's
  entrants (counted in both years at their entry revenue), reported beside the level's growth.
* Key projects (capacity). Capacity installed in year y is :math:`\Delta Q_k(y) = \phi Q_k\,
  \Delta\min(1, \max(0, (y - y_k + 1)/R_k))` (φ: drawn size shortfall, its median 0.8 centrally, where the capacity is also the expectation
  over the drawn delay). Once built it
  grows with its sector: :math:`P_i(t) = p_i(t) F_i(t) \sum_{y\le t} \Delta Q_i(y)/F_i(y)`.
  Bill: construction :math:`k_i\,\Delta Q_i(t+L)\,p_i(t)` (invested L years before it produces;
  capacity producing in the first projected years, whose construction would fall in the base year,
  is billed in the first projected year — nothing is free) plus upkeep
  :math:`u_i P_i(t)`, :math:`u_i = I_i(0)/Y_i(0)` (replacement and growth at the steady rate).
* Chain extension (capacity). The share processed locally moves from :math:`c_0` to the lever
  :math:`c` over the plan window and keeps the share reached (``persist``: keeps moving at the
  same pace, at most the lever's upper bound). Extra downstream output
  :math:`D(t) = (c(t)-c_0)\, m\, V(t)` (V: the cluster sector's output volume at the baseline price
  path), split over sectors j by ``downstream_share`` :math:`d_j`; bill
  :math:`\sum_j d_j [k_j\,(c(t+L)-c(t+L-1))\, m\, V(t+L) + u_j D(t)]` — the same capital account.
* Output :math:`Y_i = C_i A_i (K/K^*)^\alpha \cdot \text{rel. price} + S_i + P_i + d_i D`.
  Investment by sector = :math:`I_i` + 技改 extra + project and chain bills.
* High-tech output (the official structure measure 高新技术产业产值占比, at constant prices): sector
  i's high-tech part is :math:`h_i` (data) of its output, and 技改 upgrades traditional output
  into it: :math:`h_i(t) = 1 - (1 - h_i)/A_i(t)`, i.e. the non-high-tech volume does not grow
  with 技改 productivity, so more 技改 never lowers the share and prices do not move it.
* Cluster = processing (the cluster sector's output) + trade & warehousing + downstream
  :math:`c(t)\,m\,V(t)`. Only processing and downstream products are industrial output (they count
  in both); trade and warehousing turnover counts toward the cluster only. That sum is the turnover
  measure the 千亿 goal is stated in, and it counts the same steel more than once (sold by the market,
  processed, built into products). Beside it the de-duplicated cluster
  :math:`P + D - c(t)P + \mu W(t)` (= :math:`V + (m-1)c(t)V + \mu W(t)` at the baseline stainless
  price; P processing output, D downstream output) counts the locally processed steel once and the
  market's margin μ (``trade_margin``, % of turnover, an estimate), not its turnover.
* Trade & warehousing turnover (亿元/yr, nominal): :math:`W(t) = W^*(t)\,(1 + \theta_W x)^{m(t-L)}`,
  :math:`W^*(t) = W(0)(1 + g_c + \gamma - \bar g_c)^t\,\text{rel. price}_c(t)\,\exp(\sum e_c)` — the
  cluster sector's trend plus the premium of ``trade_growth`` γ over its data trend, its shocks and
  price. The lever x = ``trade_expansion`` (%/yr, neutral 0) is extra growth on top of the trend in
  the plan years, from capacity (logistics parks, warehouses, a trading platform) built in them: it
  acts L years later (construction lag); after the plan the extra growth stops and the level reached
  persists (``persist``: it keeps growing). θ_W is the drawn share of the extra growth that
  materialises (its median 0.75 centrally; ``uncertainty.csv`` trade_scale). With x = 0 the factor is exactly 1.
  Bill on the same capital account, :math:`k_W[\max(0, \Delta D(t+L)) + \delta D(t)]` with
  :math:`D = W - W^*` the extra turnover (central path, no shocks) and :math:`k_W` =
  ``trade_capital_output`` (yuan of capital per yuan of annual turnover, an estimate drawn over
  U(0.05, 0.15) in ``uncertainty.csv``; the central path takes the median 0.10): capacity for
  the turnover of t + L paid at t, plus replacement of what depreciates. It is kept apart from the
  industrial investment by sector (``trade_investment``) and counts in the total bill.

With every lever neutral, no projects and σ = 0 every multiplier is exactly 1 and
:math:`Y_i(t) = Y_i(0)(1+g_i)^t`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from .specs import FIXED_PARAMS, PLAN_PARAMS, SCALAR_PARAMS, SPEC_BY_NAME

if TYPE_CHECKING:  # the core reads a Baseline's attributes; it never loads one
    from .baseline import Baseline

_COL = {name: i for i, name in enumerate(FIXED_PARAMS)}
_NFIX = len(FIXED_PARAMS)
_PCT = 0.01  # the parameter matrix is in percent; the equations in fractions
#: The parts of the output gain since the base year, in the order of ``Projection.gain_parts``.
GAIN_PARTS = ("volume", "price", "reclassification")


def param_names(base: "Baseline") -> tuple[str, ...]:
    """Column names of the engine's parameter matrix: scalar parameters, plan window, ``trend:<sector>``."""
    return FIXED_PARAMS + tuple(f"trend:{sid}" for sid in base.sector_ids)


@dataclass(frozen=True)
class Projects:
    """Key projects as arrays for the engine, padded to P columns across N scenarios.

    ``start`` may be (P,) or (N, P) (Monte Carlo draws delays per run); the rest are (N, P).
    Padding columns have zero output and investment. ``investment`` is the figure the scenario
    states; the engine bills the capital account's figure instead (see the module docstring).
    """

    sector: np.ndarray      # (N, P) int sector index
    start: np.ndarray       # (P,) or (N, P) first year with output
    output: np.ndarray      # (N, P) full annual output, 亿元 at 2024 prices
    ramp: np.ndarray        # (N, P) years to full output, >= 1
    investment: np.ndarray  # (N, P) stated total investment, 亿元

    @property
    def count(self) -> int:
        return self.output.shape[-1]


@dataclass(frozen=True)
class ParameterDraws:
    """Per-run values of the uncertain data, for a Monte Carlo ensemble.

    A field left None takes the median of its distribution (``central_values``): the central path
    is the one with every drawn parameter at its median.

    level : (N, S) factor on each sector's 2024 output (the unpublished level and split)
    capital_elasticity : (N,) α
    tech_scale : (N,) θ, factor on the 技改 effect
    trade_growth : (N,) trend growth of stainless trade and warehousing, %/yr
    trade_scale : (N,) θ_W, share of the trade_expansion lever's extra growth that materialises
    project_size : (N,) φ, share of the key projects' stated output they reach
    project_delay : (N, P) whole years each key project's first output comes later than stated
    high_tech : (N, S) each sector's high-tech part h_i of its 2024 output, fraction (central: the data's)
    trade_capital_output : (N,) k_W, capital per yuan of extra trade turnover (read only with ``detail``)
    """

    level: np.ndarray | None = None
    capital_elasticity: np.ndarray | None = None
    tech_scale: np.ndarray | None = None
    trade_growth: np.ndarray | None = None
    trade_scale: np.ndarray | None = None
    project_size: np.ndarray | None = None
    project_delay: np.ndarray | None = None
    high_tech: np.ndarray | None = None
    trade_capital_output: np.ndarray | None = None


def poisson_capped_pmf(mean: float, cap: int) -> np.ndarray:
    """(cap + 1,) probabilities of Poisson(mean) with every value above ``cap`` set to ``cap``."""
    k = np.arange(int(cap))
    pmf = np.exp(-mean) * mean ** k / np.cumprod(np.concatenate([[1.0], np.arange(1, int(cap))]))
    return np.append(pmf, max(0.0, 1.0 - pmf.sum()))


def _median_of_pmf(pmf: np.ndarray) -> int:
    """The smallest k with P(X ≤ k) ≥ 1/2."""
    return int(np.searchsorted(np.cumsum(pmf), 0.5 - 1e-12))


def distribution_median(dist) -> float:
    """The median of one distribution of uncertainty.csv (``baseline.Distribution``)."""
    if dist.kind == "uniform":
        return 0.5 * (dist.a + dist.b)
    if dist.kind == "normal":
        return float(dist.a)
    if dist.kind == "lognormal":
        return float(np.exp(dist.a))
    return float(_median_of_pmf(poisson_capped_pmf(dist.a, dist.b)))


@dataclass(frozen=True)
class Central:
    """The central path's value of every drawn parameter: the median of its distribution.

    level : factor on the data's 2024 total: 1 (the draw of ``level_2024`` is centred on it);
    project_delay : probabilities of a project's whole delay of 0, 1, 2, … years (the common delay
    plus its own, both capped Poisson). A delay moves whole years of capacity, so its median would
    switch a year's capacity fully on or off; the central path installs the capacity expected over
    the delay instead (output is linear in installed capacity, so this is the centre of that draw).
    """

    level: float
    capital_elasticity: float
    tech_scale: float
    trade_growth: float
    trade_scale: float
    project_size: float
    project_delay: np.ndarray
    trade_capital_output: float


def central_values(base: "Baseline") -> Central:
    """The medians of ``uncertainty.csv`` (and of each project's own delay, ``parameters.csv``)."""
    U, P = base.uncertainty, base.params
    common = U["project_delay_common"]
    whole = np.convolve(poisson_capped_pmf(common.a, common.b),
                        poisson_capped_pmf(P["project_delay_mean"], P["project_delay_max"]))
    # The level's draw is centred on the data's 2024 total (uncertainty.csv), and official figures
    # uploaded in its place are the centre too: the central path keeps the data's level.
    return Central(level=1.0,
                   capital_elasticity=distribution_median(U["capital_elasticity"]),
                   tech_scale=distribution_median(U["tech_scale"]),
                   trade_growth=distribution_median(U["trade_growth"]),
                   trade_scale=distribution_median(U["trade_scale"]),
                   project_size=distribution_median(U["project_size"]),
                   project_delay=whole,
                   trade_capital_output=distribution_median(U["trade_capital_output"]))


@dataclass(frozen=True)
class Totals:
    """(N, Y) sums over sectors of a projection's output: nominal and at base-year prices."""

    total: np.ndarray
    real_total: np.ndarray


@dataclass(frozen=True)
class Projection:
    """The result of one engine call for N scenarios.

    All money is nominal 亿元 (100 million yuan) unless named ``real``.

    Attributes
    ----------
    years : (Y,) int
    sector_ids : tuple of S str
    output : (N, S, Y) gross industrial output
    value_added : (N, S, Y), or None when simulated without ``detail`` (ensembles)
    price : (N, S, Y) price index, base year = 1
    cluster : (N, 3, Y) cluster parts: processing, trade & warehousing, downstream
    investment_by_sector : (N, S, Y) the investment bill of the year by sector (every channel), or
        None without ``detail``
    reclassified : (N, S, Y) output of the extra 小升规 entrants (reclassified, not new production)
    high_tech : (N, Y) high-tech output at base-year prices
    advanced_mask : (S,) bool, sectors in the emerging and future groups
    trade_investment : (N, Y) the bill of trade and warehousing capacity (``trade_expansion``), or None
        without ``detail``; not industrial investment, but part of the capital account's total bill
    high_tech_current : (N, Y) high-tech output at current prices (the official statistic's basis), or None
    cluster_margin : the trade margin on turnover (fraction) that ``cluster_net`` counts
    cluster_input : (N, Y) the processed stainless sold to local downstream firms, c(t)·P(t), nominal 亿元
        (inside both processing and downstream output: ``cluster_net`` counts it once), or None
    entered : (N, Y) revenue of the extra 小升规 firms entering in the year (their first year in the
        statistics), or None (none entered); the same-firm growth (同口径) leaves it out
    entered_real : (N, Y) the same at base-year prices (each sector's entrants over its price index), or None
    sums : the totals over sectors, when the engine took them already (None: summed on first use)
    """

    years: np.ndarray
    sector_ids: tuple[str, ...]
    output: np.ndarray
    value_added: np.ndarray
    price: np.ndarray
    cluster: np.ndarray
    investment_by_sector: np.ndarray
    reclassified: np.ndarray
    high_tech: np.ndarray
    advanced_mask: np.ndarray
    trade_investment: np.ndarray | None = None
    high_tech_current: np.ndarray | None = None
    entered: np.ndarray | None = None
    entered_real: np.ndarray | None = None
    cluster_margin: float = 0.0
    cluster_input: np.ndarray | None = None
    sums: "Totals | None" = field(default=None, repr=False, compare=False)

    @property
    def n(self) -> int:
        return self.output.shape[0]

    @cached_property
    def _sums(self) -> "Totals":
        return self.sums if self.sums is not None else Totals(total=self.output.sum(axis=1),
                                                             real_total=(self.output / self.price).sum(axis=1))

    @property
    def total(self) -> np.ndarray:
        """(N, Y) total output (规上工业总产值)."""
        return self._sums.total

    @cached_property
    def industrial_investment(self) -> np.ndarray:
        """(N, Y) industrial investment bill of the year (every channel, summed over sectors)."""
        return self.investment_by_sector.sum(axis=1)

    @cached_property
    def investment(self) -> np.ndarray:
        """(N, Y) total bill of the capital account in the year: industry plus trade and warehousing."""
        inv = self.industrial_investment
        return inv if self.trade_investment is None else inv + self.trade_investment

    @property
    def total_value_added(self) -> np.ndarray:
        return self.value_added.sum(axis=1)

    @property
    def real_output(self) -> np.ndarray:
        """(N, S, Y) output at base-year prices."""
        return self.output / self.price

    @property
    def real_total(self) -> np.ndarray:
        """(N, Y) total output at base-year prices."""
        return self._sums.real_total

    @cached_property
    def cluster_total(self) -> np.ndarray:
        """(N, Y) the cluster measure: processing + trade & warehousing turnover + downstream (the
        turnover sum the 千亿 goal is stated in; the same steel is counted more than once)."""
        return self.cluster.sum(axis=1)

    @property
    def cluster_net(self) -> np.ndarray:
        """(N, Y) the de-duplicated cluster, 亿元 nominal (issue 17 review D):

            net = P + D − c·P + μ·W   ( = V + (m − 1)·c·V + μ·W at the baseline stainless price),

        P the processing output (the stainless sector's, = V its volume at the baseline price path), D =
        c·m·V the downstream products made from the share c processed locally (m = ``chain_multiplier``
        yuan of product per yuan of stainless), c·P the stainless the processors sell to those downstream
        firms (``cluster_input``: counted in P already, so taken out of D once), W the trade and
        warehousing turnover and μ = ``cluster_margin`` its margin (the market's own value, not the steel
        it passes on). 2024: 120 + 36 − 0.15 × 120 + 0.04 × 344 = 151.76.
        """
        inner = 0.0 if self.cluster_input is None else self.cluster_input
        return self.cluster[:, 0] + self.cluster[:, 2] - inner + self.cluster_margin * self.cluster[:, 1]

    @property
    def advanced_share(self) -> np.ndarray:
        """(N, Y) 新兴与未来产业占比: share of the emerging and future sectors in total output, %."""
        return 100.0 * self.output[:, self.advanced_mask, :].sum(axis=1) / self.total

    @property
    def high_tech_share(self) -> np.ndarray:
        """(N, Y) 高新技术产业产值占比 at base-year prices, %: the measure the structure goal uses (a price
        swing of stainless, a quarter of output, would otherwise move the structure goal by itself)."""
        return 100.0 * self.high_tech / self.real_total

    @property
    def high_tech_share_current(self) -> np.ndarray:
        """(N, Y) 高新技术产业产值占比 at current prices, %: how the official statistic is published."""
        return 100.0 * self.high_tech_current / self.total

    @property
    def growth(self) -> np.ndarray:
        """(N, Y-1) annual growth of total output, %/yr, for years[1:]."""
        tot = self.total
        return 100.0 * (tot[:, 1:] / tot[:, :-1] - 1.0)

    @property
    def same_firm_growth(self) -> np.ndarray:
        """(N, Y-1) growth of total output among the same firms (同口径), %/yr, for years[1:].

        The official growth rate compares this year's above-size firms with the same firms a year
        earlier, so a firm lifted above the threshold adds nothing by entering. The entrants of year t
        (revenue E(t), ``entered``) are counted in both years at their entry revenue (they cross the
        threshold by a small margin): g(t) = Y(t) / (Y(t−1) + E(t)) − 1. Without entrants it is ``growth``.
        """
        tot = self.total
        prev = tot[:, :-1] if self.entered is None else tot[:, :-1] + self.entered[:, 1:]
        return 100.0 * (tot[:, 1:] / prev - 1.0)

    @property
    def same_firm_real_growth(self) -> np.ndarray:
        """(N, Y-1) same-firm (同口径) growth at constant (base-year) prices, %/yr, for years[1:]: the basis
        of the steady-growth goal, as the official growth rate is published (same firms, constant prices).

        g(t) = R(t) / (R(t−1) + E_r(t)) − 1, R the total at base-year prices and E_r(t) the year's entrants
        at base-year prices (``entered_real``). Without entrants and at flat prices it is ``growth``.
        """
        real = self.real_total
        prev = real[:, :-1] if self.entered_real is None else real[:, :-1] + self.entered_real[:, 1:]
        return 100.0 * (real[:, 1:] / prev - 1.0)

    @property
    def same_firm_growth_since_base(self) -> np.ndarray:
        """(N, Y-1) average same-firm growth from the base year to each of years[1:], %/yr (chain-linked)."""
        index = np.cumprod(1.0 + self.same_firm_growth / 100.0, axis=1)
        t = np.arange(1, index.shape[1] + 1)
        return 100.0 * (index ** (1.0 / t) - 1.0)

    @property
    def growth_since_base(self) -> np.ndarray:
        """(N, Y-1) average annual growth of total output from the base year to each of years[1:], %/yr."""
        tot = self.total
        t = np.arange(1, tot.shape[1])
        return 100.0 * ((tot[:, 1:] / tot[:, :1]) ** (1.0 / t) - 1.0)

    @property
    def cumulative_investment(self) -> np.ndarray:
        """(N, Y) investment summed from the first projected year (0 in the base year)."""
        inv = np.array(self.investment)
        inv[:, 0] = 0.0
        return np.cumsum(inv, axis=1)

    def gain_parts(self, year: int) -> np.ndarray:
        """(N, 3) the gain of total output from the base year to ``year``: volume, price, reclassification.

        reclassification = 小升规 entrants' output; price = the rest of the output times
        (1 − 1/price index); volume = the remainder (new production at base-year prices). The three
        add up to the gain exactly.
        """
        k = int(np.searchsorted(self.years, year))
        out, sme, p = self.output[:, :, k], self.reclassified[:, :, k], self.price[:, :, k]
        reclass = sme.sum(axis=1)
        price = ((out - sme) * (1.0 - 1.0 / p)).sum(axis=1)
        gain = self.total[:, k] - self.total[:, 0]
        return np.stack([gain - price - reclass, price, reclass], axis=1)

    def row(self, i: int) -> "Projection":
        """Run ``i`` alone, as a projection with N = 1."""
        return self.rows(slice(i, i + 1))

    def rows(self, sl: slice) -> "Projection":
        """The runs selected by ``sl``, as a projection."""
        def part(a: np.ndarray | None) -> np.ndarray | None:  # None: simulated without ``detail``
            return None if a is None else a[sl]

        return Projection(years=self.years, sector_ids=self.sector_ids, output=self.output[sl],
                          value_added=part(self.value_added), price=self.price[sl], cluster=self.cluster[sl],
                          investment_by_sector=part(self.investment_by_sector),
                          reclassified=self.reclassified[sl], high_tech=self.high_tech[sl],
                          advanced_mask=self.advanced_mask,
                          trade_investment=part(self.trade_investment), entered=part(self.entered),
                          entered_real=part(self.entered_real),
                          high_tech_current=part(self.high_tech_current), cluster_margin=self.cluster_margin,
                          cluster_input=part(self.cluster_input),
                          sums=Totals(total=self.total[sl], real_total=self.real_total[sl]))

    @property
    def reclassified_value_added(self) -> np.ndarray:
        """(N, Y) value added of the 小升规 entrants' output (each sector's value-added rate × their output)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(self.output > 0, self.value_added / self.output, 0.0)
        return (rate * self.reclassified).sum(axis=1)

    def icor(self, same_firms: bool = False) -> np.ndarray:
        """(N, Y) incremental capital-output ratio: cumulative industrial investment / value-added gain.

        Trade and warehousing capacity is left out (its turnover is not industrial value added). NaN
        where the value added has not grown (the ratio is then undefined). ``same_firms``: the gain
        without the reclassified 小升规 value added, which costs no capital (issue 17 review E) — with
        it, a scenario looks cheaper per yuan of value added for a reason that is not production.
        """
        va = self.total_value_added
        if same_firms:
            va = va - self.reclassified_value_added
        gain = va - va[:, :1]
        inv = np.array(self.industrial_investment)
        inv[:, 0] = 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(gain > 0, np.cumsum(inv, axis=1) / gain, np.nan)


def draw_normals(rng: np.random.Generator, n: int, base: "Baseline") -> np.ndarray:
    """Standard normal draws for ``simulate``'s shocks, shape (T, N, S + 1), years first.

    Column 0 of the last axis is the common factor; columns 1..S the sectors' own shocks. Drawing
    them apart from ``simulate`` lets goal seek and sensitivity reuse the same draws (common random
    numbers). Years come first because the engine works in time-major layout (see ``simulate``).
    """
    T = base.end_year - base.base_year
    return rng.standard_normal((T, n, len(base.sectors) + 1))


def _lagged(a: np.ndarray, lag: int, fill: float) -> np.ndarray:
    """``a`` shifted ``lag`` steps later along the first (time) axis; the first steps take ``fill``."""
    if lag == 0:
        return a
    out = np.full_like(a, fill)
    out[lag:] = a[:-lag]
    return out


def _lead(a: np.ndarray, lag: int) -> np.ndarray:
    """``a`` shifted ``lag`` steps earlier along the time axis (what is built at t + lag is paid at t).

    The base year is history, so capacity that produces in the first projected years (1 … lag), whose
    construction would fall in the base year or before it, is billed in the first projected year:
    no capacity is free, and a project's bill does not depend on its start year beyond the shift
    (issue 17, finding 4). Only what exists in the base year itself (a[0]) is not billed.
    """
    out = np.zeros_like(a)
    out[:a.shape[0] - lag] = a[lag:]
    if lag > 0 and a.shape[0] > 1:
        out[1] += a[1:lag].sum(axis=0) + out[0]
    out[0] = 0.0
    return out


def neutral_investment(base: "Baseline", trend_pct: np.ndarray, growth_pct: np.ndarray) -> np.ndarray:
    """Growth of total investment (%/yr) on the steady-state path: the lever's neutral value.

    The investment-weighted sector trend (weights: 2024 investment) plus the growth shift.
    ``trend_pct`` is (R, S) or (S,), ``growth_pct`` (R,) or scalar; returns (R,) or a scalar.
    """
    w = base.investment0 / base.investment0.sum()
    return np.asarray(trend_pct) @ w + (np.asarray(growth_pct) - base.published_growth)


def capital_per_output(base: "Baseline") -> np.ndarray:
    """(S,) k_i = κ_i v_i: yuan of capital per yuan of annual gross output (the one capital-output ratio)."""
    return base.capital_output * base.va_rate


def upkeep_per_output(base: "Baseline") -> np.ndarray:
    """(S,) u_i = I_i(0)/Y_i(0): steady-state investment per yuan of output (replacement and growth)."""
    return base.investment0 / base.output0


def _cumsum_years(a: np.ndarray) -> None:
    """Cumulative sum over the first (time) axis, in place.

    A loop over the ~11 years of contiguous (N, S) slices is several times faster than
    ``np.cumsum(axis=0)`` on these shapes.
    """
    for k in range(1, a.shape[0]):
        a[k] += a[k - 1]


def _capital(k0: np.ndarray, inv: np.ndarray, keep: float, decay: np.ndarray) -> np.ndarray:
    """Perpetual inventory K(t) = keep·K(t−1) + I(t), K(0) = k0, in closed form over time axis 0.

    K(t) = keep^t [K(0) + Σ_{u=1..t} I(u) keep^{−u}]; ``decay`` is keep^t, shape (Y, 1, 1).
    """
    k = np.empty(np.broadcast_shapes(inv.shape, k0.shape))
    k[0] = k0
    acc = inv[1:] / decay[1:]
    _cumsum_years(acc)
    k[1:] = decay[1:] * (k0 + acc)
    return k


def _cohorts(grow: np.ndarray, inflow: np.ndarray) -> np.ndarray:
    """Output of cohorts that enter with ``inflow`` (nominal, in their year) and then grow with ``grow``.

    out(t) = grow(t) Σ_{u≤t} inflow(u) / grow(u), over time axis 0 (a new array).
    """
    acc = np.divide(inflow, grow)
    _cumsum_years(acc)
    acc *= grow
    return acc


@dataclass(frozen=True)
class _RowPart:
    """The parts of a projection that depend only on a row's parameters, not on its draws.

    Arrays are time-major (Y, R, S) with R the number of parameter rows computed (1 when every
    row of a Monte Carlo ensemble shares the same parameters, which then broadcasts to N).
    """

    core: np.ndarray        # trend path at baseline prices, per yuan of 2024 level (level 1)
    cap_ratio: np.ndarray   # K(t−L)/K*(t−L), before the elasticity
    boost: np.ndarray       # 技改 extra productivity growth b(t) at scale θ = 1
    rel_price: np.ndarray   # nominal adjustment of the cluster sector's price (1 elsewhere)
    price: np.ndarray       # price index
    investment: np.ndarray  # sector investment path I(t) plus the 技改 extra, at level 1
    entry: np.ndarray       # 小升规 entry revenue by year
    share: np.ndarray       # (Y, R) chain-extension share, fraction
    growth: np.ndarray      # (1, R, S) nominal trend growth g, fraction
    trade_years: np.ndarray  # (Y, R) plan years m(t − L) of capacity acting on trade turnover


def _plan_counters(base: "Baseline", X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Y, R, 1) plan years elapsed m(t), (Y, R, 1) in-plan mask, (1, R, 1) window length L_p."""
    years = base.years[:, None, None].astype(float)
    start = X[None, :, _COL["plan_start"], None]
    length = X[None, :, _COL["plan_end"], None] - start + 1.0
    persist = X[None, :, _COL["plan_persist"], None] > 0.5
    since = years - start + 1.0                                        # 1 in the first plan year
    in_plan = (since >= 1.0) & ((since <= length) | persist)
    elapsed = np.clip(since, 0.0, np.where(persist, np.inf, length))
    return elapsed, in_plan, length


def _investment_years(base: "Baseline", X: np.ndarray, elapsed: np.ndarray, length: np.ndarray) -> np.ndarray:
    """(Y, R, 1) the exponent of the investment lever's ratio I/I*: the plan years m(t) in the plan,
    then fading linearly to 0 over ``investment_fade`` F years after it (``plan_persist``: no fade).

    Campaign investment does not stay above its trend by itself: the lever's level reached at the plan
    end, ((1+g^I)/(1+g))^{L_p}, returns to the trend path as (…)^{L_p·max(0, 1 − (t − t_end)/F)}.
    """
    fade = base.params["investment_fade"]
    years = base.years[:, None, None].astype(float)
    end = X[None, :, _COL["plan_end"], None]
    persist = X[None, :, _COL["plan_persist"], None] > 0.5
    after = years - end                                                  # > 0 after the plan
    left = np.clip(1.0 - after / fade, 0.0, 1.0) if fade > 0 else (after <= 0).astype(float)
    return np.where(persist | (after <= 0), elapsed, length * left)


def _row_part(base: "Baseline", X: np.ndarray) -> _RowPart:
    """Everything that is a function of the parameter rows alone (see the module docstring)."""
    P = base.params
    ci = base.cluster_index
    T = base.end_year - base.base_year
    t = np.arange(T + 1, dtype=float)[:, None, None]                     # (Y, 1, 1)

    def col(name: str) -> np.ndarray:
        return X[None, :, _COL[name], None] * _PCT                        # (1, R, 1)

    elapsed, in_plan, length = _plan_counters(base, X)
    pub = base.published_growth * _PCT
    shift = col("growth") - pub
    trend = X[None, :, _NFIX:] * _PCT                                    # (1, R, S)
    g = trend + shift                                                    # nominal trend growth
    neutral = neutral_investment(base, X[:, _NFIX:], X[:, _COL["growth"]])[None, :, None] * _PCT
    g_inv = g + (col("investment") - neutral)

    core = base.output0 * np.power(1.0 + g, t)                           # (Y, R, S)

    price_base = P["price_base"] * _PCT
    pi_index = np.power(1.0 + price_base, t)                           # (Y, 1, 1)
    price = np.broadcast_to(pi_index, core.shape).copy()
    price[:, :, ci] = np.power(1.0 + col("stainless_price")[..., 0], t[..., 0])
    rel_price = price / pi_index

    # Capital: the scenario's investment path against the steady-state path for its trend.
    keep = 1.0 - P["depreciation"] * _PCT
    decay = np.power(keep, t)
    k0 = capital_per_output(base) * base.output0                         # (S,)
    inv_ss = base.investment0 * np.power(1.0 + g, t)
    inv = inv_ss * np.power((1.0 + g_inv) / (1.0 + g), _investment_years(base, X, elapsed, length))
    direct = X[None, :, _COL["plan_advanced"], None] > 0.5              # (1, R, 1)
    if np.any(direct):  # the extra spending (not a cut) to the emerging and future sectors only
        extra = (inv - inv_ss).sum(axis=2, keepdims=True)               # (Y, R, 1)
        adv = inv_ss * base.advanced_mask
        inv = np.where(direct & (extra > 0), inv_ss + extra * adv / adv.sum(axis=2, keepdims=True), inv)
    lag = int(P["investment_lag"])
    cap_ratio = _lagged(_capital(k0, inv, keep, decay) / _capital(k0, inv_ss, keep, decay), lag, 1.0)

    # 技改: saturating productivity boost from the share × relative investment, lagged.
    s0 = P["tech_base_share"] * _PCT
    s = np.where(in_plan, col("tech_upgrade"), s0)                       # (Y, R, 1)
    h = P["tech_saturation"] * _PCT
    # The intensity is the share: the lever's extra investment adds capacity (K/K*) and is not counted
    # again as productivity (it was, through s·I/I*, which let extra capital earn more than the average).
    tau = np.broadcast_to(s, inv.shape)
    boost = base.tech_response * (P["tech_max_boost"] * _PCT) * (np.exp(-s0 / h) - np.exp(-tau / h))
    boost = _lagged(boost, lag, 0.0)
    boost[: min(lag + 1, T + 1)] = 0.0  # the base year's own intensity is history: no effect
    spend = inv * (1.0 + (s - s0))                                       # 技改 above today's share on top

    firms = X[None, :, _COL["sme_upgrades"], None]                        # firms/yr, not a percent
    entered = np.minimum(firms * elapsed, P["sme_pool"])                  # cumulative entrants, capped by the pool
    entry = np.diff(entered, axis=0, prepend=0.0) * base.sme_share * P["sme_entry_revenue"]  # (Y, R, S)

    c0 = base.chain_base * _PCT
    c_max = SPEC_BY_NAME["chain_extension"].hi * _PCT
    share = np.minimum(c0 + (col("chain_extension") - c0) * elapsed / length, max(c_max, c0))[..., 0]  # (Y, R)

    trade_years = _lagged(elapsed[..., 0], lag, 0.0)                        # (Y, R)

    return _RowPart(core=core, cap_ratio=cap_ratio, boost=boost, rel_price=rel_price, price=price,
                    investment=spend, entry=entry, share=share, growth=g, trade_years=trade_years)


def _tabulate(rowwise: np.ndarray, values: np.ndarray | None, fn, central: float = 1.0
              ) -> tuple[np.ndarray, np.ndarray | None]:
    """``fn(rowwise, v)`` for the runs' drawn values v: a table (Y, U, S) over the U distinct values and
    each run's index into it.

    The ensemble draws a few distinct values (stratified: ``ensemble.ensemble_draws``), so the
    function is evaluated once per distinct value on (Y, 1, S). Index None: the result is already
    per row — without draws ``fn(rowwise, central)``, with distinct parameter rows ``fn`` per run.
    """
    if values is None:
        return fn(rowwise, central), None
    if rowwise.shape[1] != 1:
        return fn(rowwise, values[:, None]), None
    uniq, which = np.unique(values, return_inverse=True)
    return np.concatenate([fn(rowwise, v) for v in uniq], axis=1), which


def _sector_sum(installed: np.ndarray, sector: np.ndarray, S: int) -> np.ndarray:
    """(Y, N, S) sums of project columns (Y, N, P) into their sectors (sector: (N|1, P) int)."""
    if sector.shape[0] == 1 or np.all(sector == sector[:1]):
        return installed @ (sector[0][:, None] == np.arange(S)).astype(float)   # one matrix product (BLAS)
    onehot = (sector[..., None] == np.arange(S)).astype(float)              # scenarios differ: rare, small N
    return np.einsum("ynp,nps->yns", installed, onehot)


@dataclass(frozen=True)
class Shocks:
    """The drawn part of the trend paths: what ``simulate`` makes of ``normals`` and the drawn 2024 level.

    paths : (Y, N, S) λ_i exp(Σ_{u≤t} e_i(u)), the level correction times the cumulated log shocks
        (the trend path is ``paths`` times the central path)
    trade : (Y, N) exp(Σ e_c), the cluster sector's shocks alone (they move trade and warehousing)
    """

    paths: np.ndarray
    trade: np.ndarray


def shock_paths(base: "Baseline", normals: np.ndarray, volatility: np.ndarray, correlation: np.ndarray,
                level: np.ndarray | None = None) -> Shocks:
    """The shock paths of N runs (see the module docstring): they depend on the draws, σ and ρ only.

    normals : (T, N, S + 1) from ``draw_normals``; volatility (σ, %) and correlation (ρ) : (N,);
    level : (N, S) drawn factors on the 2024 output, or None. An ensemble whose levers move but whose
    σ and ρ stay computes them once (``ensemble.EnsembleDraws.shocks``).
    """
    T, N, S = normals.shape[0], normals.shape[1], normals.shape[2] - 1
    if normals.shape != (base.end_year - base.base_year, N, len(base.sectors) + 1):
        raise ValueError(f"normals has shape {normals.shape}, expected {(base.end_year - base.base_year, N, len(base.sectors) + 1)}")
    sigma = np.asarray(volatility, dtype=float) * _PCT
    rho = np.asarray(correlation, dtype=float)
    ci = base.cluster_index
    # Log shocks e = σ(√ρ z₀ + √(1−ρ) z_i) − σ²/2, summed over years, then exp: built in one
    # buffer, in place, because fresh 10 MB temporaries cost more than the arithmetic here. The
    # drawn 2024 level enters as the first row, so the cumulative sum carries it at no cost.
    core = np.empty((T + 1, N, S))
    core[0] = 0.0 if level is None else np.log(level)
    np.multiply(normals[:, :, 1:], (sigma * np.sqrt(1.0 - rho))[:, None], out=core[1:])
    core[1:] += (sigma * np.sqrt(rho))[:, None] * normals[:, :, :1] - (0.5 * sigma**2)[:, None]
    _cumsum_years(core)
    np.exp(core, out=core)
    trade = core[:, :, ci].copy() if level is None else core[:, :, ci] / level[:, ci]
    return Shocks(paths=core, trade=trade)


@dataclass(frozen=True)
class _Call:
    """The checked inputs of one ``simulate`` call that every step reads."""

    base: "Baseline"
    X: np.ndarray           # (N, D) parameter rows
    N: int
    S: int
    T: int
    rp: _RowPart            # the row-only parts, R = 1 (an ensemble's shared row) or N
    draws: ParameterDraws
    central: Central        # the medians taken where ``draws`` leaves a field None
    detail: bool

    @property
    def P(self):
        return self.base.params

    @property
    def ci(self) -> int:
        return self.base.cluster_index

    @property
    def lag(self) -> int:
        return int(self.P["investment_lag"])


def _prepare(base: "Baseline", params: np.ndarray, draws: ParameterDraws | None, detail: bool) -> _Call:
    """Step 1: check the parameter matrix and compute its row-only parts (``_row_part``)."""
    X = np.atleast_2d(np.asarray(params, dtype=float))
    if X.shape[1] != len(param_names(base)):
        raise ValueError(f"params has {X.shape[1]} columns, expected {len(param_names(base))}")
    N = X.shape[0]
    # A Monte Carlo ensemble repeats one parameter row: compute its deterministic parts once.
    same_rows = N > 1 and bool(np.all(X == X[0]))
    rp = _row_part(base, X[:1] if same_rows else X)
    return _Call(base=base, X=X, N=N, S=len(base.sectors), T=base.end_year - base.base_year, rp=rp,
                 draws=draws or ParameterDraws(), central=central_values(base), detail=detail)


def _trend(c: _Call, normals: np.ndarray | None, shocks: Shocks | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Step 2: the trend paths C_i(t) (Y, N|R, S) with shocks and the drawn 2024 level, and the
    cluster sector's own shocks (Y, N) for trade (None without shocks)."""
    X, rp, dr = c.X, c.rp, c.draws
    sigma = X[:, _COL["volatility"]] * _PCT
    if shocks is None and normals is not None and np.any(sigma > 0):
        shocks = shock_paths(c.base, normals, X[:, _COL["volatility"]], X[:, _COL["correlation"]], dr.level)
    central_level = 1.0 if dr.level is not None else c.central.level   # shock paths carry a drawn level
    if shocks is None:
        core = rp.core if dr.level is None else rp.core * dr.level
        return (core if central_level == 1.0 else core * central_level), None
    if shocks.paths.shape != (c.T + 1, c.N, c.S):
        raise ValueError(f"shocks have shape {shocks.paths.shape}, expected {(c.T + 1, c.N, c.S)}")
    core = shocks.paths * rp.core
    return (core if central_level == 1.0 else core * central_level), shocks.trade


@dataclass(frozen=True)
class _Productivity:
    """技改 productivity A per distinct θ (Y, U|R, S) and each run's index into it (None: per row)."""

    table: np.ndarray
    which: np.ndarray | None

    def per_run(self) -> np.ndarray:
        return self.table if self.which is None else np.take(self.table, self.which, axis=1)


def _multiplied(c: _Call, core: np.ndarray) -> tuple[np.ndarray, _Productivity]:
    """Step 3: existing firms' output C·A·(K/K*)^α·rel. price, and the 技改 productivity table.

    The ensemble draws few distinct θ and α (stratified), so A and K^α are tabulated per distinct
    value, (Y, U, S), and gathered per run once.
    """
    rp, dr, T, S, N = c.rp, c.draws, c.T, c.S, c.N
    prod_t, t_idx = _tabulate(rp.boost, dr.tech_scale, lambda b, v: np.cumprod(1.0 + v * b, axis=0),
                              c.central.tech_scale)
    if dr.capital_elasticity is None:
        alpha = c.central.capital_elasticity
        cap_t, a_idx = (rp.cap_ratio if alpha == 1.0 else rp.cap_ratio ** alpha), None
    else:
        cap_t, a_idx = _tabulate(rp.cap_ratio, dr.capital_elasticity, lambda k, v: k ** v)
    if t_idx is None and a_idx is None:
        factor = prod_t * cap_t * rp.rel_price
    else:
        ut, ua = prod_t.shape[1], cap_t.shape[1]
        table = (prod_t[:, :, None, :] * cap_t[:, None, :, :]).reshape(T + 1, ut * ua, S) * rp.rel_price
        which = (np.zeros(N, dtype=np.intp) if t_idx is None else t_idx) * ua + (0 if a_idx is None else a_idx)
        factor = np.take(table, which, axis=1)
    fits = factor.shape == np.broadcast_shapes(core.shape, factor.shape)
    return np.multiply(core, factor, out=factor if fits else None), _Productivity(prod_t, t_idx)


def _base_spend(c: _Call) -> np.ndarray | None:
    """Step 4: the existing firms' investment path (with 技改 above today's share), (Y, N, S); None
    without ``detail``. Later steps add their bills to it in place."""
    if not c.detail:
        return None
    inv = c.rp.investment * (c.central.level if c.draws.level is None else c.draws.level)
    return np.array(np.broadcast_to(inv, (c.T + 1, c.N, c.S)))


def _installed(c: _Call, projects: Projects | None) -> np.ndarray | None:
    """Step 5: key projects' capacity installed each year by sector, nominal (Y, N|1, S); None without
    projects. Each project comes ``project_delay`` years late at ``project_size`` of its stated output
    (drawn, or their medians on the central path)."""
    if projects is None or projects.count == 0:
        return None
    dr = c.draws
    if dr.project_delay is not None:
        projects = project_draws(projects, start_shift=dr.project_delay[:, :projects.count])
    if dr.project_size is None:
        projects = replace(projects, output=projects.output * c.central.project_size)
    else:
        projects = project_draws(projects, size=dr.project_size)

    def rows(v: np.ndarray) -> np.ndarray:
        v = np.asarray(v)
        return v if v.ndim == 2 else v[None, :]

    start, ramp, full = rows(projects.start), rows(projects.ramp), rows(projects.output)
    yy = c.base.years[:, None, None]

    def installed_from(first: np.ndarray) -> np.ndarray:
        # Whole years: capacity Q/R is installed in each of the R years from the first year of output.
        return np.where((yy >= first) & (yy < first + ramp), full / ramp, 0.0)   # (Y, N|1, P)

    if dr.project_delay is None:  # central path: the capacity expected over the delay's distribution
        installed = sum(w * installed_from(start + d) for d, w in enumerate(c.central.project_delay) if w > 0)
    else:
        installed = installed_from(start)
    return _sector_sum(installed, rows(projects.sector), c.S) * c.rp.price


def _with_cohorts(c: _Call, main: np.ndarray, grow: np.ndarray, dq: np.ndarray | None,
                  spend: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Step 6: add the cohorts of 小升规 entrants and key projects (growing with their sector) to the
    output; bill the projects' construction and upkeep into ``spend``. Returns the output and the
    entrants' output (reclassification; None when not kept apart or there are none)."""
    entry = c.rp.entry if np.any(c.rp.entry > 0) else None               # 小升规, nominal
    if spend is not None and dq is not None:
        spend += capital_per_output(c.base) * _lead(dq, c.lag)
    if c.detail:  # kept apart: reclassification and the projects' upkeep are reported
        sme = None if entry is None else _cohorts(grow, np.broadcast_to(entry, grow.shape))
        proj_out = None if dq is None else _cohorts(grow, np.broadcast_to(dq, np.broadcast_shapes(grow.shape, dq.shape)))
        if proj_out is not None:
            spend += upkeep_per_output(c.base) * proj_out
        for part in (sme, proj_out):
            if part is not None:
                main = main + part
        return main, sme
    if entry is not None or dq is not None:  # ensembles: one cohort pass for both
        inflow = entry if dq is None else (dq if entry is None else dq + entry)
        main = main + _cohorts(grow, np.broadcast_to(inflow, np.broadcast_shapes(grow.shape, inflow.shape)))
    return main, None


def _with_chain(c: _Call, main: np.ndarray, core: np.ndarray, spend: np.ndarray | None
                ) -> tuple[np.ndarray, np.ndarray]:
    """Step 7: chain extension's downstream output into the downstream sectors (and its bill into
    ``spend``). Returns the output (Y, N, S), a new array, and the local stainless volume V (Y, N)."""
    rp, ci, N, S, T = c.rp, c.ci, c.N, c.S, c.T
    base = c.base
    # Stainless volume at the baseline price path: a stainless price change alters the value of
    # stainless, not the quantity processed downstream.
    volume = main[:, :, ci] / rp.rel_price[:, :, ci]                     # (Y, N)
    mult = c.P["chain_multiplier"]
    c0 = base.chain_base * _PCT
    extra = (rp.share - c0) * mult * volume                              # (Y, N)
    output = main if main.shape == (T + 1, N, S) else np.array(np.broadcast_to(main, (T + 1, N, S)))
    if output is core or output is rp.core:
        output = output.copy()
    if np.any(rp.share != c0):
        k, u = capital_per_output(base), upkeep_per_output(base)
        build = _lead(np.diff(rp.share, axis=0, prepend=c0) * mult * volume, c.lag)  # (Y, N) paid a year ahead
        for j in np.nonzero(base.downstream_share)[0]:  # only the downstream sectors receive output (and bills)
            d = base.downstream_share[j]
            output[:, :, j] += d * extra
            if spend is not None:
                spend[:, :, j] += d * (k[j] * build + u[j] * extra)
    return output, volume


def _trade(c: _Call, trade_shock: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Step 8: trade and warehousing turnover W(t) (Y, N) and its capacity bill (Y, N) (None without ``detail``)."""
    rp, dr, P, ci, N, T = c.rp, c.draws, c.P, c.ci, c.N, c.T
    tg = np.full(N, c.central.trade_growth) if dr.trade_growth is None else dr.trade_growth
    premium = (tg - c.base.trend_pct[ci]) * _PCT                         # (N,)
    years_t = np.arange(T + 1, dtype=float)[:, None]
    trade = c.base.cluster0["trade"] * np.power(1.0 + rp.growth[0, :, ci] + premium, years_t) * rp.rel_price[:, :, ci]
    x_trade = c.X[:, _COL["trade_expansion"]] * _PCT                     # (N,)
    trade_inv = None
    if np.any(x_trade != 0):  # exactly the trend path otherwise (the factor would be 1)
        scale = c.central.trade_scale if dr.trade_scale is None else dr.trade_scale
        lift = np.power(1.0 + scale * x_trade, rp.trade_years)            # (Y, N)
        if c.detail:
            extra_w = trade * (lift - 1.0)                                # D(t), central path
            build = np.maximum(np.diff(extra_w, axis=0, prepend=0.0), 0.0)
            delta = P["depreciation"] * _PCT
            k_w = c.central.trade_capital_output if dr.trade_capital_output is None else dr.trade_capital_output
            trade_inv = k_w * (_lead(build, c.lag) + delta * extra_w)
        trade = trade * lift
    elif c.detail:
        trade_inv = np.zeros((T + 1, N))
    if trade_shock is not None:
        trade = trade * trade_shock
    return trade, trade_inv


def _non_high_tech(output: np.ndarray, weights: np.ndarray, t_idx: np.ndarray | None) -> np.ndarray:
    """(Y, N) Σ_s output·weights, with weights (Y, R or U, S) per row or per distinct θ (``t_idx``)."""
    if t_idx is None and weights.shape[1] == 1:
        return (output @ weights[:, 0, :, None])[..., 0]
    if t_idx is not None and weights.shape[1] <= 64:
        # Every run against each of the few θ values' weights in one matrix product, then each run's own.
        per_value = output @ np.swapaxes(weights, 1, 2)                   # (Y, N, U)
        return np.take_along_axis(per_value, t_idx[None, :, None], axis=2)[..., 0]
    w = weights if t_idx is None else np.take(weights, t_idx, axis=1)
    return (output * w).sum(axis=2)


def _sector_sums(c: _Call, output: np.ndarray, prod: _Productivity
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Step 9: (Y, N) total, total at base-year prices, high-tech output at base-year prices and at
    current prices.

    Sums over sectors on the time-major array (matrix products where the weights are shared); the
    non-high-tech volume Σ (1 − h)·real/A does not grow with 技改. Drawn high-tech parts h (N, S)
    make the weights per run.
    """
    T, S = c.T, c.S
    prod_t, t_idx = prod.table, prod.which
    inv_price = 1.0 / c.rp.price                                         # (Y, R, S)
    if inv_price.shape[1] == 1:
        sums = output @ np.concatenate([np.ones((T + 1, S, 1)), inv_price[:, 0, :, None]], axis=2)  # (Y, N, 2)
        total, real_total = sums[..., 0], sums[..., 1]
    else:  # parameter rows differ (sensitivity, maps)
        total = output.sum(axis=2)
        real_total = np.einsum("yns,yns->yn", output, np.broadcast_to(inv_price, output.shape))
    h = c.draws.high_tech
    if h is None:
        keep = 1.0 - c.base.high_tech_share
        non_real = _non_high_tech(output, keep * inv_price / prod_t, t_idx)
        non_nominal = _non_high_tech(output, np.broadcast_to(keep / prod_t, (T + 1, prod_t.shape[1], S)), t_idx)
    else:  # per run: (Y, N, S) weights
        per_run = 1.0 / prod.per_run() * (1.0 - h)[None]
        non_nominal = (output * per_run).sum(axis=2)
        non_real = (output * per_run * inv_price).sum(axis=2)
    return total, real_total, real_total - non_real, total - non_nominal


def _value_added(c: _Call, output: np.ndarray, prod: _Productivity) -> np.ndarray | None:
    """Step 10: value added, output × min(cap, v_i A^β) (None without ``detail``)."""
    if not c.detail:
        return None
    P = c.P
    va_rate = np.minimum(P["va_rate_cap"] * _PCT, c.base.va_rate * prod.per_run() ** P["va_rate_elasticity"])
    return output * va_rate


def _nsy(a: np.ndarray | None) -> np.ndarray | None:
    """Time-major (Y, N, …) as the record's (N, …, Y) view."""
    return None if a is None else np.moveaxis(a, 0, -1)


def simulate(base: "Baseline", params: np.ndarray, projects: Projects | None = None,
             normals: np.ndarray | None = None, draws: ParameterDraws | None = None,
             detail: bool = True, shocks: Shocks | None = None) -> Projection:
    """Project output, value added and the investment bill for N scenarios at once.

    Parameters
    ----------
    base : Baseline
        The region's data.
    params : (N, D) or (D,) array
        Rows of the parameter matrix, columns ``param_names(base)``, in document units
        (%/yr, %, firms/yr, years). Build rows with ``scenario.scenario_params``.
    projects : Projects, optional
        Key projects, N rows (or 1 row broadcast to N). None: no projects.
    normals : (T, N, S + 1) array, optional
        Standard normal draws from ``draw_normals``; None (or volatility 0) is the deterministic path.
    draws : ParameterDraws, optional
        Per-run values of the uncertain data (ensembles); None: the data's central values.
    shocks : Shocks, optional
        ``shock_paths`` of these ``normals``, rows' σ and ρ and ``draws.level``, computed earlier
        (ensembles reuse them while only the levers move); given, ``normals`` are not read.
    detail : bool
        False (ensembles): value added and the investment bill are not computed (their fields are
        None); output, cluster, prices, reclassification and high-tech output are.

    Returns
    -------
    Projection
        Arrays of shape (N, S, Y) with Y = end_year − base_year + 1 (views of time-major arrays:
        cumulative sums over years run along contiguous memory, several times faster).
    """
    c = _prepare(base, params, draws, detail)
    core, trade_shock = _trend(c, normals, shocks)
    # grow: nominal growth factor F·p of one yuan of the sector's output; only its ratios are used,
    # so the level in ``core`` cancels.
    grow = core * (c.rp.rel_price / base.output0)
    main, prod = _multiplied(c, core)
    spend = _base_spend(c)
    main, sme = _with_cohorts(c, main, grow, _installed(c, projects), spend)
    output, volume = _with_chain(c, main, core, spend)
    trade, trade_inv = _trade(c, trade_shock)
    cluster = np.stack(np.broadcast_arrays(output[:, :, c.ci], trade, c.rp.share * c.P["chain_multiplier"] * volume), axis=2)
    total, real_total, high_tech, high_tech_current = _sector_sums(c, output, prod)
    shape = (c.T + 1, c.N, c.S)
    reclassified = np.broadcast_to(0.0 if sme is None else sme, shape)
    entered = np.broadcast_to(c.rp.entry.sum(axis=2), (c.T + 1, c.N)).T if np.any(c.rp.entry > 0) else None
    entered_real = (np.broadcast_to((c.rp.entry / c.rp.price).sum(axis=2), (c.T + 1, c.N)).T
                    if entered is not None else None)
    return Projection(years=base.years, sector_ids=base.sector_ids, output=_nsy(output),
                      value_added=_nsy(_value_added(c, output, prod)), price=_nsy(np.broadcast_to(c.rp.price, shape)),
                      cluster=_nsy(cluster), investment_by_sector=_nsy(spend), reclassified=_nsy(reclassified),
                      high_tech=high_tech.T, high_tech_current=high_tech_current.T, advanced_mask=base.advanced_mask,
                      trade_investment=None if trade_inv is None else trade_inv.T, entered=entered,
                      entered_real=entered_real,
                      cluster_margin=c.P["trade_margin"] * _PCT,
                      cluster_input=np.broadcast_to(c.rp.share * output[:, :, c.ci], (c.T + 1, c.N)).T,
                      sums=Totals(total=total.T, real_total=real_total.T))


def project_draws(projects: Projects, start_shift: np.ndarray | None = None, size: np.ndarray | None = None
               ) -> Projects:
    """Projects with per-run start delays (N, P) and output scale (N,) applied (ensembles)."""
    out = projects
    if start_shift is not None:
        out = replace(out, start=np.broadcast_to(out.start, start_shift.shape) + start_shift)
    if size is not None:
        out = replace(out, output=np.broadcast_to(out.output, (size.shape[0], out.count)) * size[:, None])
    return out


__all__ = ["Projection", "Projects", "ParameterDraws", "Shocks", "simulate", "shock_paths", "draw_normals", "neutral_investment",
           "param_names", "capital_per_output", "upkeep_per_output", "project_draws", "SCALAR_PARAMS", "PLAN_PARAMS"]
