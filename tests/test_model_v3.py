"""Model v3 (issue 17): the central path is the middle of the range, and no shortcut to a goal is free.

Each test here failed on f217b5e (the model v2 it fixes) and names the finding it covers.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import parse_scenario, run_scenario
from model.core.engine import central_values, poisson_capped_pmf
from model.schema.runs import run_ensemble

PRESETS = ("trend", "cautious", "three_year_action", "bold")


# ----------------------------------------------------------------------------- finding 1: central means central

def test_central_values_are_the_medians_of_the_draws_by_hand(base):
    c = central_values(base)
    assert c.capital_elasticity == pytest.approx(0.85)      # U(0.7, 1)
    assert c.project_size == pytest.approx(0.8)             # U(0.6, 1)
    assert c.trade_scale == pytest.approx(0.75)             # U(0.5, 1)
    assert c.tech_scale == pytest.approx(1.0)               # U(0.5, 1.5)
    assert c.trade_growth == pytest.approx(5.0)             # N(5, 2)
    assert c.level == pytest.approx(1.0)                    # U(360, 440) over the data's 400
    # A project's whole delay = common Poisson(0.5) + own Poisson(0.3): no delay with e^−0.8 = 0.449.
    assert c.project_delay[0] == pytest.approx(np.exp(-0.8), rel=1e-12)
    assert c.project_delay.sum() == pytest.approx(1.0, rel=1e-12)
    assert poisson_capped_pmf(0.5, 3)[-1] == pytest.approx(1 - np.exp(-0.5) * (1 + 0.5 + 0.125), rel=1e-12)


@pytest.mark.parametrize("name", PRESETS)
def test_central_path_lies_in_the_middle_of_its_own_ensemble(base, name):
    """Finding 1: bold's 2027 output sat at the 92nd percentile of its own runs, the three-year action's at the 81st."""
    sc = parse_scenario(base.presets[name], base)
    det = run_scenario(base, sc)
    ens = run_ensemble(base, sc)[0]
    for year in (2027, 2035):
        k = int(np.searchsorted(det.years, year))
        pct = 100.0 * np.mean(ens.total[:, k] < det.total[0, k])
        assert 40.0 <= pct <= 60.0, (name, year, pct)


def test_central_project_capacity_is_its_expectation_over_size_and_delay(base):
    """A 30亿元 project from 2026 in one year: the central path installs 0.8 × 30 × P(delay = d) in 2026 + d."""
    proj = {"name": "P", "sector": "equipment", "start_year": 2026, "output": 30, "ramp_years": 1, "investment": 27}
    d = run_scenario(base, parse_scenario({"levers": {"projects": [proj]}}, base)).output[0] - run_scenario(
        base, parse_scenario({}, base)).output[0]
    i = base.sector_ids.index("equipment")
    w = central_values(base).project_delay
    assert d[i, 2] == pytest.approx(0.8 * 30 * w[0], rel=1e-12)                   # 2026
    assert d[i, 3] == pytest.approx(0.8 * 30 * (w[0] * 1.12 + w[1]), rel=1e-12)  # 2027: the 2026 cohort grew 12 %


# ----------------------------------------------------------------------------- finding 4: no free capacity

def _as_stated(base, doc):
    from model.core.engine import ParameterDraws, simulate
    from model.schema.scenario import scenario_params, scenario_projects
    sc = parse_scenario(doc, base)
    return simulate(base, scenario_params(sc, base), scenario_projects([sc], base),
                    draws=ParameterDraws(project_size=np.ones(1), project_delay=np.zeros((1, 60))))


def test_a_projects_bill_does_not_depend_on_its_start_year_beyond_the_shift(base):
    """Finding 4: a 200亿元 equipment project starting 2025 billed 111.4亿元 in 2025, the same from 2026 256.7."""
    def bill(start):
        proj = {"name": "P", "sector": "equipment", "start_year": start, "output": 200, "ramp_years": 2,
                "investment": 180}
        return _as_stated(base, {"levers": {"projects": [proj]}}).investment[0] - _as_stated(base, {}).investment[0]
    early, late = bill(2025), bill(2026)
    k = 3.0 * 0.30                                     # κ·v of equipment: capital per yuan of annual output
    u = k * (0.12 + 0.096) / 1.12                      # upkeep per yuan of output (steady state)
    # By hand: 2025 pays for the 100 producing in 2025 and the 100 producing in 2026, plus upkeep of 100.
    assert early[1] == pytest.approx(k * 200 + u * 100, rel=1e-12)
    assert late[1] == pytest.approx(k * 100, rel=1e-12)
    # The same bill, shifted a year: ten years of upkeep each.
    assert early[1:11].sum() == pytest.approx(late[1:12].sum(), rel=1e-12)
    assert early[0] == late[0] == 0.0                  # the base year is history
