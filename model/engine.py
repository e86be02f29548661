r"""The projection engine: one vectorised call maps N parameter rows to N projections.

Notation (per scenario row n and sector i; t = year − base year, t = 0 … T):

* Trend. :math:`g_i = \bar g_i + (G - G_0)`: the sector's trend plus the common shift of the
  ``growth`` assumption :math:`G` over the published growth :math:`G_0`. The trend path is
  :math:`C_i(t) = Y_i(0)\,(1+g_i)^t \exp(\sum_{u\le t} e_i(u))` with shocks
  :math:`e_i(u) = \sigma(\sqrt\rho\, z_0(u) + \sqrt{1-\rho}\, z_i(u)) - \sigma^2/2`
  (correlated across sectors, mean-one in levels, zero when :math:`\sigma = 0`).
* Capital (perpetual inventory, δ = depreciation). Investment grows at
  :math:`g^I_i = g_i + (\iota - \iota^*)`, where ι is the ``investment`` lever (growth of total
  investment in the first year) and :math:`\iota^* = \sum_i w_i g_i` its steady-state value
  (w: 2024 investment shares); the steady-state path grows at :math:`g_i` and starts from
  :math:`I_i(0) = K_i(0)(\bar g_i+\delta)/(1+\bar g_i)`,
  :math:`K_i(0) = \kappa_i\, v_i\, Y_i(0)`. Then :math:`K(t) = (1-\delta)K(t-1) + I(t)` for both
  paths and output is multiplied by :math:`(K(t-L)/K^*(t-L))^\alpha`, α < 1 (diminishing returns).
* 技改. Intensity :math:`\tau(t) = s\, I(t)/I^*(t)` (share of investment × relative investment).
  Extra productivity growth :math:`b_i(t) = r_i\, a\,[e^{-s_0/h} - e^{-\tau(t-L)/h}]` (saturating;
  zero at today's share :math:`s_0`); :math:`A_i(t) = \prod_u (1 + b_i(u))`. The value-added rate
  is :math:`\min(\bar v, v_i A_i(t)^\beta)`.
* Prices. Trends are nominal at a baseline producer-price change π. The cluster sector's price
  index is :math:`(1+p)^t` (``stainless_price``) instead of :math:`(1+\pi)^t`, so its nominal
  output carries :math:`((1+p)/(1+\pi))^t`. Real values = nominal / price index.
* 小升规. :math:`n` extra firms a year from the start year, a share :math:`w_i` in each sector,
  each entering with revenue :math:`r_0` and then growing with its sector's trend path:
  :math:`S_i(t) = F_i(t)\sum_{u\le t} n w_i r_0 / F_i(u)`, :math:`F_i = C_i\,/\,Y_i(0)` × price factor.
* Key projects. Output :math:`Q_k \min(1, \max(0, (y - y_k + 1)/R_k))` × the sector's price index;
  investment :math:`J_k/R_k` a year over the ramp-up years (counted in the bill, not in K, so
  that a project's output is not counted twice).
* Chain extension. The share processed locally moves from today's :math:`c_0` to the lever
  :math:`c` over :math:`R_c` years; extra downstream output :math:`(c(t)-c_0)\, m\, V(t)`, where
  V is the cluster sector's output at the baseline price path (its volume), is split over sectors
  by ``downstream_share``; the new capacity's capital (κ v per yuan of output) enters the bill.
* Output :math:`Y_i = C_i A_i (K/K^*)^\alpha \cdot \text{price} + S_i + P_i + D_i`.
  Cluster = processing (the cluster sector's output) + trade & warehousing (the cluster sector's
  trend plus the premium ``trade_growth`` − its data trend; its shocks and price) + downstream
  :math:`c(t)\,m\,V(t)`.

With every lever neutral, no projects and σ = 0 every multiplier is exactly 1 and
:math:`Y_i(t) = Y_i(0)(1+g_i)^t`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .data import Baseline
from .scenario import Projects, param_names
from .specs import SCALAR_PARAMS

_COL = {name: i for i, name in enumerate(SCALAR_PARAMS)}
_PCT = 0.01  # the parameter matrix is in percent; the equations in fractions


@dataclass(frozen=True)
class Projection:
    """The result of one engine call for N scenarios.

    All money is nominal 亿元 (100 million yuan) unless named ``real``.

    Attributes
    ----------
    years : (Y,) int
    sector_ids : tuple of S str
    output : (N, S, Y) gross industrial output
    value_added : (N, S, Y)
    price : (N, S, Y) price index, base year = 1
    cluster : (N, 3, Y) cluster parts: processing, trade & warehousing, downstream
    investment : (N, Y) investment in the year: sector investment plus key projects
    advanced_mask : (S,) bool, sectors in the advanced groups
    """

    years: np.ndarray
    sector_ids: tuple[str, ...]
    output: np.ndarray
    value_added: np.ndarray
    price: np.ndarray
    cluster: np.ndarray
    investment: np.ndarray
    advanced_mask: np.ndarray

    @property
    def n(self) -> int:
        return self.output.shape[0]

    @cached_property
    def total(self) -> np.ndarray:
        """(N, Y) total output (规上工业总产值)."""
        return self.output.sum(axis=1)

    @property
    def total_value_added(self) -> np.ndarray:
        return self.value_added.sum(axis=1)

    @property
    def real_output(self) -> np.ndarray:
        """(N, S, Y) output at base-year prices."""
        return self.output / self.price

    @cached_property
    def cluster_total(self) -> np.ndarray:
        """(N, Y) the cluster measure: processing + trade & warehousing + downstream."""
        return self.cluster.sum(axis=1)

    @property
    def advanced_share(self) -> np.ndarray:
        """(N, Y) share of the advanced groups in total output, %."""
        return 100.0 * self.output[:, self.advanced_mask, :].sum(axis=1) / self.total

    @property
    def growth(self) -> np.ndarray:
        """(N, Y-1) annual growth of total output, %/yr, for years[1:]."""
        tot = self.total
        return 100.0 * (tot[:, 1:] / tot[:, :-1] - 1.0)

    @property
    def cumulative_investment(self) -> np.ndarray:
        """(N, Y) investment summed from the first projected year (0 in the base year)."""
        inv = np.array(self.investment)
        inv[:, 0] = 0.0
        return np.cumsum(inv, axis=1)

    def row(self, i: int) -> "Projection":
        """Run ``i`` alone, as a projection with N = 1."""
        sl = slice(i, i + 1)
        return Projection(years=self.years, sector_ids=self.sector_ids, output=self.output[sl],
                          value_added=self.value_added[sl], price=self.price[sl], cluster=self.cluster[sl],
                          investment=self.investment[sl], advanced_mask=self.advanced_mask)

    def icor(self) -> np.ndarray:
        """(N, Y) incremental capital-output ratio: cumulative investment / value-added gain.

        NaN where the value added has not grown (the ratio is then undefined).
        """
        gain = self.total_value_added - self.total_value_added[:, :1]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(gain > 0, self.cumulative_investment / gain, np.nan)


def draw_normals(rng: np.random.Generator, n: int, base: Baseline) -> np.ndarray:
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


def neutral_investment(base: Baseline, trend_pct: np.ndarray, growth_pct: np.ndarray) -> np.ndarray:
    """Growth of total investment (%/yr) on the steady-state path: the lever's neutral value.

    The investment-weighted sector trend (weights: 2024 investment) plus the growth shift.
    ``trend_pct`` is (R, S) or (S,), ``growth_pct`` (R,) or scalar; returns (R,) or a scalar.
    """
    w = base.investment0 / base.investment0.sum()
    return np.asarray(trend_pct) @ w + (np.asarray(growth_pct) - base.published_growth)


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


@dataclass(frozen=True)
class _RowPart:
    """The parts of a projection that depend only on a row's parameters, not on its shocks.

    Arrays are time-major (Y, R, S) with R the number of parameter rows computed (1 when every
    row of a Monte Carlo ensemble shares the same parameters, which then broadcasts to N).
    """

    core: np.ndarray        # trend path at baseline prices
    factor: np.ndarray      # 技改 productivity × capital multiplier × relative price
    rel_price: np.ndarray   # nominal adjustment of the cluster sector's price (1 elsewhere)
    price: np.ndarray       # price index
    va_rate: np.ndarray
    investment: np.ndarray  # (Y, R) sector investment
    entry: np.ndarray       # 小升规 entry revenue by year
    share: np.ndarray       # (Y, R) chain-extension share, fraction
    trade: np.ndarray       # (Y, R) trade & warehousing turnover without shocks


def _row_part(base: Baseline, X: np.ndarray) -> _RowPart:
    """Everything that is a function of the parameter rows alone (see the module docstring)."""
    P = base.params
    ci = base.cluster_index
    T = base.end_year - base.base_year
    t = np.arange(T + 1, dtype=float)[:, None, None]                     # (Y, 1, 1)

    def col(name: str) -> np.ndarray:
        return X[None, :, _COL[name], None] * _PCT                        # (1, R, 1)

    pub = base.published_growth * _PCT
    shift = col("growth") - pub
    trend = X[None, :, len(SCALAR_PARAMS):] * _PCT                       # (1, R, S)
    g = trend + shift                                                    # nominal trend growth
    # The lever is the growth of total investment in the first year; every sector's investment
    # growth moves by the same points from its steady-state growth g (neutral: the lever equals
    # the investment-weighted steady-state growth, see ``neutral_investment``).
    neutral = neutral_investment(base, X[:, len(SCALAR_PARAMS):], X[:, _COL["growth"]])[None, :, None] * _PCT
    g_inv = g + (col("investment") - neutral)

    core = base.output0 * np.power(1.0 + g, t)                           # (Y, R, S)

    price_base = P["price_base"] * _PCT
    base_index = np.power(1.0 + price_base, t)                           # (Y, 1, 1)
    price = np.broadcast_to(base_index, core.shape).copy()
    price[:, :, ci] = np.power(1.0 + col("stainless_price")[..., 0], t[..., 0])
    rel_price = price / base_index

    # Capital: the scenario's investment path against the steady-state path for its trend.
    delta = P["depreciation"] * _PCT
    keep = 1.0 - delta
    decay = np.power(keep, t)
    k0 = base.capital_output * base.va_rate * base.output0                # (S,)
    i0 = base.investment0                                                # 2024 investment on the steady path
    inv = i0 * np.power(1.0 + g_inv, t)
    inv_ss = i0 * np.power(1.0 + g, t)
    lag = int(P["investment_lag"])
    cap_mult = _lagged(_capital(k0, inv, keep, decay) / _capital(k0, inv_ss, keep, decay), lag, 1.0)
    cap_mult = cap_mult ** P["capital_elasticity"]

    # 技改: saturating productivity boost from the intensity share × relative investment, lagged.
    s0 = P["tech_base_share"] * _PCT
    h = P["tech_saturation"] * _PCT
    tau = col("tech_upgrade") * (inv / inv_ss)
    boost = base.tech_response * (P["tech_max_boost"] * _PCT) * (np.exp(-s0 / h) - np.exp(-tau / h))
    boost = _lagged(boost, lag, 0.0)
    boost[: min(lag + 1, T + 1)] = 0.0  # the base year's own intensity is history: no effect
    prod = np.cumprod(1.0 + boost, axis=0)
    va_rate = np.minimum(P["va_rate_cap"] * _PCT, base.va_rate * prod ** P["va_rate_elasticity"])

    entering = (base.years >= P["sme_start_year"]).astype(float)[:, None, None]
    firms = X[None, :, _COL["sme_upgrades"], None]                        # firms/yr, not a percent
    entry = firms * base.sme_share * P["sme_entry_revenue"] * entering   # (Y, R, S)

    c0 = base.chain_base * _PCT
    ramp_c = np.minimum(1.0, t[..., 0] / P["chain_ramp_years"])           # (Y, 1)
    share = c0 + (col("chain_extension")[..., 0] - c0) * ramp_c           # (Y, R)

    # Trade turnover follows the cluster sector's trend (with its override and the growth shift)
    # plus the data's premium of trade over processing.
    premium = (P["trade_growth"] - base.trend_pct[ci]) * _PCT
    trade = base.cluster0["trade"] * np.power(1.0 + g[..., ci] + premium, t[..., 0]) * rel_price[:, :, ci]

    return _RowPart(core=core, factor=prod * cap_mult * rel_price, rel_price=rel_price, price=price,
                    va_rate=va_rate, investment=inv.sum(axis=2), entry=entry, share=share, trade=trade)


def simulate(base: Baseline, params: np.ndarray, projects: Projects | None = None,
             normals: np.ndarray | None = None) -> Projection:
    """Project output and value added for N scenarios at once.

    Parameters
    ----------
    base : Baseline
        The region's data.
    params : (N, D) or (D,) array
        Rows of the parameter matrix, columns ``scenario.param_names(base)``, in document units
        (%/yr, %, firms/yr). Build rows with ``scenario.scenario_params``.
    projects : Projects, optional
        Key projects, N rows (or 1 row broadcast to N). None: no projects.
    normals : (T, N, S + 1) array, optional
        Standard normal draws from ``draw_normals``; None (or volatility 0) is the deterministic path.

    Returns
    -------
    Projection
        Arrays of shape (N, S, Y) with Y = end_year − base_year + 1 (views of time-major arrays:
        cumulative sums over years run along contiguous memory, several times faster).
    """
    X = np.atleast_2d(np.asarray(params, dtype=float))
    S = len(base.sectors)
    if X.shape[1] != len(param_names(base)):
        raise ValueError(f"params has {X.shape[1]} columns, expected {len(param_names(base))}")
    N = X.shape[0]
    T = base.end_year - base.base_year
    ci = base.cluster_index

    # A Monte Carlo ensemble repeats one parameter row: compute its deterministic parts once.
    same_rows = N > 1 and bool(np.all(X == X[0]))
    rp = _row_part(base, X[:1] if same_rows else X)

    shock_cum = None
    sigma = X[:, _COL["volatility"]] * _PCT
    if normals is not None and np.any(sigma > 0):
        if normals.shape != (T, N, S + 1):
            raise ValueError(f"normals has shape {normals.shape}, expected {(T, N, S + 1)}")
        rho = X[:, _COL["correlation"]]
        # Log shocks e = σ(√ρ z₀ + √(1−ρ) z_i) − σ²/2, summed over years, then exp: built in one
        # buffer, in place, because fresh 10 MB temporaries cost more than the arithmetic here.
        shock_cum = np.empty((T + 1, N, S))
        shock_cum[0] = 0.0
        np.multiply(normals[:, :, 1:], (sigma * np.sqrt(1.0 - rho))[:, None], out=shock_cum[1:])
        shock_cum[1:] += (sigma * np.sqrt(rho))[:, None] * normals[:, :, :1] - (0.5 * sigma**2)[:, None]
        _cumsum_years(shock_cum)
        np.exp(shock_cum, out=shock_cum)
        trade_shock = shock_cum[:, :, ci].copy()
        core = shock_cum
        core *= rp.core
    else:
        core = rp.core

    main = core * rp.factor

    # 小升规 cohorts grow with their sector's trend path F(t) = C(t)/C(0) × relative price.
    if np.any(rp.entry > 0):
        grow = core * (rp.rel_price / base.output0)
        sme = rp.entry / grow
        _cumsum_years(sme)
        sme *= grow
        main += sme

    years = base.years
    base_output = main
    proj_inv = 0.0
    if projects is not None and projects.count > 0:
        def rows(v: np.ndarray) -> np.ndarray:
            v = np.asarray(v)
            return v if v.ndim == 2 else v[None, :]
        start, ramp, full = rows(projects.start), rows(projects.ramp), rows(projects.output)
        yy = years[:, None, None]
        frac = np.clip((yy - start + 1.0) / ramp, 0.0, 1.0)                # (Y, N|1, P)
        onehot = (rows(projects.sector)[..., None] == np.arange(S)).astype(float)  # (N|1, P, S)
        base_output = base_output + np.einsum("ynp,nps->yns", full * frac, onehot) * rp.price
        building = (yy >= start) & (yy < start + ramp)
        proj_inv = (rows(projects.investment) / ramp * building).sum(axis=2)  # (Y, N|1)

    # Stainless volume at the baseline price path: a stainless price change alters the value of
    # stainless, not the quantity processed downstream.
    volume = base_output[:, :, ci] / rp.rel_price[:, :, ci]              # (Y, N)
    mult = base.params["chain_multiplier"]
    extra = (rp.share - base.chain_base * _PCT) * mult * volume
    output = base_output + extra[..., None] * base.downstream_share
    # New downstream capacity needs capital like the rest of its sector (κ·v per yuan of output);
    # shares are non-negative, so the sum over sectors factors out of the yearly increment.
    capital_per_output = base.downstream_share @ (base.capital_output * base.va_rate)
    chain_inv = np.diff(extra, axis=0, prepend=0.0).clip(min=0.0) * capital_per_output  # (Y, N)
    output = np.broadcast_to(output, (T + 1, N, S))
    value_added = output * rp.va_rate

    trade = rp.trade if shock_cum is None else rp.trade * trade_shock
    cluster = np.stack(np.broadcast_arrays(output[:, :, ci], trade, rp.share * mult * volume), axis=2)
    investment = np.broadcast_to(rp.investment + proj_inv + chain_inv, (T + 1, N))
    price = np.broadcast_to(rp.price, (T + 1, N, S))

    def nsy(a: np.ndarray) -> np.ndarray:
        return np.moveaxis(a, 0, -1)

    return Projection(years=years, sector_ids=base.sector_ids, output=nsy(output),
                      value_added=nsy(np.broadcast_to(value_added, (T + 1, N, S))), price=nsy(price),
                      cluster=nsy(cluster), investment=investment.T, advanced_mask=base.advanced_mask)
