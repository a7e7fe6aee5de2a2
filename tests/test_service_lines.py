"""The municipality's planned lines: each domain's contracted services buy extra hours only up
to the line's planned budget (``municipality.line_shares``), never from another line's plan;
the day centres' line (``structures.care_share``) shares a shortfall of the plan with them."""

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


def _all_plans(model: WelfareModel) -> float:
    """EUR a week the planned lines (the services' lines and the day centres) plan together."""
    return float(_plans(model).sum()) + model.structures.planned_weekly(model)


def _squeeze(model: WelfareModel, left: float) -> float:
    """A fixed bill (not a municipal item: counted in full) that leaves ``left`` EUR a week of
    the plan to the planned lines; returns the bill."""
    muni = model.municipality
    muni.fixed_costs.pop("test", None)
    free = muni.services_allowance(model.services.plan_share, tuple(muni.planned_lines))
    return free - left


def test_the_plans_shrink_in_proportion_when_other_spending_grows(model: WelfareModel) -> None:
    """Other municipal items (staff, outreach, platforms, cash) come first: when they leave less
    than the planned lines' plans, every line's plan shrinks by the same factor."""
    s, muni = model.services, model.municipality
    plans = _plans(model)
    saved = dict(muni.fixed_costs)
    try:
        muni.fixed_costs["test"] = _squeeze(model, _all_plans(model) / 4)
        assert muni.planned_lines_factor(s.plan_share) == pytest.approx(0.25)
        extra = s._line_budgets(muni, np.zeros(3), np.full(3, 1e12))
        np.testing.assert_allclose(extra, plans / 4)
        muni.fixed_costs["test"] = _squeeze(model, -1.0)  # nothing left for the lines
        assert muni.planned_lines_factor(s.plan_share) == 0.0
        assert not s._line_budgets(muni, np.zeros(3), np.full(3, 1e12)).any()
    finally:
        muni.fixed_costs.clear()
        muni.fixed_costs.update(saved)


def test_the_day_centres_share_the_shortfall_with_the_service_lines(model: WelfareModel) -> None:
    """The day centres' line has no first claim on the plan: when other spending leaves the
    planned lines a quarter of their plans, it funds a quarter of its places, as every service
    line buys a quarter of its plan (an earlier version reserved the places in full, like staff,
    so the services and cash absorbed the whole shortfall)."""
    muni, st = model.municipality, model.structures
    assert set(muni.planned_lines) == {"services", "structures"}
    full = st.planned_weekly(model) / st.place_week
    saved = dict(muni.fixed_costs), (st.places, st.whole_places)
    try:
        muni.fixed_costs["test"] = _squeeze(model, _all_plans(model) / 4)
        st._replan = True
        st._plan_places(model, 1)
        assert st.places == pytest.approx(full / 4)
        muni.fixed_costs["test"] = _squeeze(model, 2 * _all_plans(model))  # room to spare
        st._replan = True
        st._plan_places(model, 1)
        assert st.places == pytest.approx(full)
    finally:
        muni.fixed_costs.clear()
        muni.fixed_costs.update(saved[0])
        st.places, st.whole_places = saved[1]


def test_the_places_are_replanned_at_budget_reviews_only(model: WelfareModel) -> None:
    """Between the quarterly reviews (``municipality.review_weeks``) a change in other
    spending does not move the places; at a review, and when a lever changes, it does."""
    muni, st = model.municipality, model.structures
    saved = dict(muni.fixed_costs), (st.places, st.whole_places, st._replan)
    try:
        st._replan = True
        st._plan_places(model, 1)
        before = st.places
        muni.fixed_costs["test"] = _squeeze(model, _all_plans(model) / 2)
        st._plan_places(model, 2)  # not a review week
        assert st.places == before
        st._plan_places(model, st.review_weeks)  # a review
        assert st.places == pytest.approx(before / 2)
    finally:
        muni.fixed_costs.clear()
        muni.fixed_costs.update(saved[0])
        st.places, st.whole_places, st._replan = saved[1]


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
