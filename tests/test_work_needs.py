"""Work/income need onset by age and income band (docs/ODD.md 7.1): new needs arise where the
initial rule puts them (NEET, the absolute poor of working age in or out of work, the working
poor), not at the age band's rate on everyone."""

from __future__ import annotations

import numpy as np
import pytest

from willsim.citizens import WORK
from willsim.mechanisms.needs import work_need_cells
from willsim.model import WelfareModel
from willsim.params import AGE_BANDS, INCOME_BANDS
from willsim.population import work_need_prevalence

ADULT, YOUTH, OLD = 2, 1, 3
POOR, WORKING_POOR, MIDDLE, COMFORTABLE = range(4)


@pytest.fixture(scope="module")
def model() -> WelfareModel:
    m = WelfareModel("baseline", seed=11, params={"run.residents": 5000})
    for _ in range(52):
        m.step()
    return m


def test_cells_follow_the_initial_rule(model: WelfareModel) -> None:
    """Targets are the cells' initial shares: none for middle/comfortable adults and the old,
    all the working poor, NEET only among the young outside the working poor."""
    fresh = WelfareModel(
        "baseline", seed=11, params={"run.residents": 5000, "run.burn_in_weeks": 0}
    )
    target, neet = work_need_cells(fresh.citizens)
    assert target.shape == (len(AGE_BANDS), len(INCOME_BANDS))
    assert np.all(target[ADULT, [MIDDLE, COMFORTABLE]] == 0)
    assert np.all(target[OLD:] == 0) and np.all(target[0] == 0)
    assert target[ADULT, WORKING_POOR] == 1.0
    assert target[ADULT, POOR] == 1.0  # poor adults, in or out of work
    assert 0 < target[YOUTH, POOR] < 1  # employed poor and NEET; poor students have none
    assert neet[WORKING_POOR] == 0 and 0 < neet[POOR] < 1
    assert neet[[MIDDLE, COMFORTABLE]].tolist() == [1, 1]
    c = fresh.citizens
    cells = c.age_band, c.income_band
    expected = work_need_prevalence(c).mean()
    assert np.average(target[cells]) == pytest.approx(expected)


def test_no_work_need_starts_outside_the_sourced_groups(model: WelfareModel) -> None:
    """After the burn-in and a year, adults of middle and comfortable income and residents 65+
    have no work need (before the rule, two thirds of work needs drifted there)."""
    c = model.citizens
    has = c.need_level[WORK] > 0
    outside = ((c.age_band == ADULT) & (c.income_band >= MIDDLE)) | (c.age_band >= OLD)
    assert not np.any(has & outside)
    young_middle = (c.age_band == YOUTH) & (c.income_band >= MIDDLE) & has
    assert np.all(c.neet[young_middle])  # a young middle-income work need is NEET status


def test_poor_in_work_have_an_income_need() -> None:
    """The absolute poor in work have an income need, as the working poor (band 1) do; poor
    students 15-29 and the poor 65+ have none of their own."""
    m = WelfareModel("baseline", seed=3, params={"run.residents": 5000, "run.burn_in_weeks": 0})
    c = m.citizens
    need = work_need_prevalence(c)
    poor = c.income_band == POOR
    assert np.all(need[poor & (c.age_band == ADULT)])
    assert np.all(need[poor & c.employed])
    student = poor & (c.age_band == YOUTH) & ~c.employed & ~c.neet
    assert student.any() and not np.any(need[student])
    assert not np.any(need[poor & (c.age_band >= OLD)])


def test_work_need_prevalence_by_cell_is_held(model: WelfareModel) -> None:
    """The poor adults' and working poor's shares with a work need stay at their targets
    (tolerance: 4 binomial standard errors of the cell)."""
    c = model.citizens
    target = model.mechanisms["needs"].work_target  # type: ignore[attr-defined]
    has = c.need_level[WORK] > 0
    for band in (POOR, WORKING_POOR):
        sel = (c.age_band == ADULT) & (c.income_band == band) & ~c.residential
        p = target[ADULT, band]
        se = max(np.sqrt(p * (1 - p) / sel.sum()), 0.01)
        assert has[sel].mean() == pytest.approx(p, abs=4 * se)
