"""The municipality's service lines: each domain's contracted services buy extra hours only up
to the line's planned budget (``municipality.line_shares``), never from another line's plan."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from willsim.model import WelfareModel
from willsim.units import WEEKS_PER_YEAR

SMALL = {"run.residents": 3_000, "run.weeks": 1, "run.burn_in_weeks": 0}


@pytest.fixture(scope="module")
def model() -> Iterator[WelfareModel]:
    m = WelfareModel("baseline", seed=3, params=SMALL)
    yield m
    m.release()


def _plans(model: WelfareModel) -> np.ndarray:
    s, muni = model.services, model.municipality
    return s.line_shares * s.plan_share * muni.annual_budget / WEEKS_PER_YEAR


def test_a_line_buys_up_to_its_plan_less_its_contract(model: WelfareModel) -> None:
    s = model.services
    plans = _plans(model)
    assert plans.sum() <= model.municipality.services_allowance(s.plan_share, ("services",))
    base = plans * np.array([0.5, 1.5, 0.0])  # below, above and without a contract
    huge = np.full(3, 1e12)
    extra = s._line_budgets(model.municipality, base, huge)
    np.testing.assert_allclose(extra, [plans[0] * 0.5, 0.0, plans[2]])


def test_a_line_never_spends_anothers_plan(model: WelfareModel) -> None:
    """The care line wants far more than its plan while the others want nothing: it still gets
    only its own plan (the shared allowance of earlier versions gave it the others' money)."""
    s = model.services
    plans = _plans(model)
    extra = s._line_budgets(model.municipality, np.zeros(3), np.array([1e12, 0.0, 0.0]))
    np.testing.assert_allclose(extra, [plans[0], 0.0, 0.0])


def test_a_line_buys_only_what_its_list_wants(model: WelfareModel) -> None:
    s = model.services
    plans = _plans(model)
    wanted = plans * np.array([0.25, 0.0, 2.0])
    extra = s._line_budgets(model.municipality, np.zeros(3), wanted)
    np.testing.assert_allclose(extra, [plans[0] * 0.25, 0.0, plans[2]])


def test_the_plans_shrink_in_proportion_when_other_spending_grows(model: WelfareModel) -> None:
    """Other municipal items (staff, outreach, platforms, cash) come first: when they leave less
    than the lines' plans, every line's plan shrinks by the same factor."""
    s, muni = model.services, model.municipality
    plans = _plans(model)
    allowance = plans.sum() / 4
    saved = dict(muni.fixed_costs)
    try:
        free = muni.services_allowance(s.plan_share, ("services",))
        muni.fixed_costs["test"] = free - allowance  # not a municipal item: counted in full
        assert muni.services_allowance(s.plan_share, ("services",)) == pytest.approx(allowance)
        extra = s._line_budgets(muni, np.zeros(3), np.full(3, 1e12))
        np.testing.assert_allclose(extra, plans / 4)
        muni.fixed_costs["test"] = free + 1.0  # nothing left for services
        assert not s._line_budgets(muni, np.zeros(3), np.full(3, 1e12)).any()
    finally:
        muni.fixed_costs.clear()
        muni.fixed_costs.update(saved)


def test_a_budget_policy_moves_every_lines_plan(model: WelfareModel) -> None:
    s, muni = model.services, model.municipality
    before = s._line_budgets(muni, np.zeros(3), np.full(3, 1e12))
    saved = (muni.annual_budget, muni.remaining, muni.multiplier)
    try:
        muni.set_budget_multiplier(muni.multiplier * 0.5, 0)
        after = s._line_budgets(muni, np.zeros(3), np.full(3, 1e12))
    finally:
        muni.annual_budget, muni.remaining, muni.multiplier = saved
    assert (after < before).all()
