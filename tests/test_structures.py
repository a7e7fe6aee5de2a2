"""The structures line (:mod:`willsim.mechanisms.structures`): day-centre places funded from the
structures part of the elderly area's budget, given to older residents assessed for care."""

from __future__ import annotations

import math

import numpy as np
import pytest
from update_baseline import RUNS

from willsim import WelfareModel
from willsim.citizens import CARE, SERVED, WAITLIST
from willsim.results import summary
from willsim.units import WEEKS_PER_YEAR


def _planned_places(model: WelfareModel) -> float:
    """Places in simulated units: the line's plan over the cost of a place-week."""
    p, muni = model.params, model.municipality
    plan = (
        p["structures.care_share"]
        * p["municipality.plan_share"]
        * muni.annual_budget
        / WEEKS_PER_YEAR
    )
    return plan / (p["structures.day_cost"] * p["structures.days_per_week"])


def test_places_are_the_budget_over_the_cost_at_any_sample_size(small_model):
    """A city of 50,000 simulated whole (weight 1) and as a sample of 5,000 (weight 10): the
    places are the plan over the cost, the same in city units, and the whole places are the
    real places rounded (never more than one place away in simulated units)."""
    city = {}
    for residents in (50_000, 5_000):
        model = small_model(run__weeks=1, city__population=50_000, run__residents=residents)
        model.run()
        s, w = model.structures, model.citizens.weight
        assert s.places == pytest.approx(_planned_places(model), rel=1e-12)
        assert abs(s.whole_places - s.places) < 1.0
        paid = model.municipality.week_spending["structures"]
        assert paid == pytest.approx(s.whole_places * s.place_week, rel=1e-12)
        city[residents] = (s.places * w, s.whole_places * w, w)
    (full, full_whole, w1), (sampled, sampled_whole, w10) = city[50_000], city[5_000]
    assert (w1, w10) == (1.0, 10.0)
    assert sampled == pytest.approx(full, rel=1e-3)  # the budget follows the simulated residents
    assert abs(sampled_whole - sampled) < w10 and abs(full_whole - full) < w1
    # Bergamo's default budget: 224 EUR x 31.5% x 0.95 x 0.167 = 11.19 EUR per resident a year,
    # over 49.12 EUR x 5 days x 52 weeks = 12,771 EUR a place: 0.88 places per 1,000 residents
    assert full / 50_000 * 1000 == pytest.approx(224 * 0.315 * 0.95 * 0.167 / 12_771.2 * 1000)


def test_whole_places_are_exact_in_expectation():
    """⌊places + u⌋ with u uniform has expectation ``places``: over the run draws of many
    seeds the mean whole places approach the real places (the rule, without running models)."""
    places = 3.37
    u = np.random.default_rng(0).random(200_000)
    assert np.floor(places + u).mean() == pytest.approx(places, abs=0.01)


def test_users_are_eligible_never_more_than_places_and_by_need(small_model, phase_hook):
    """Every week: users are 65+, at home, with a care need, admitted after an assessment for
    care (on the waiting list or in home help as they start); they never outnumber the places;
    places stay free only when nobody eligible is left; residents placed this week have a care
    level at least that of anyone eligible left without a place (priority by need)."""
    model = small_model(run__weeks=52, city__population=20_000, run__burn_in_weeks=52)
    checked = []

    def after(m: WelfareModel, week: int) -> None:
        c, s = m.citizens, m.structures
        users = np.flatnonzero(s.user)
        assert users.size <= s.whole_places
        assert (c.age_band[users] >= 3).all()
        assert (c.need_level[CARE][users] > 0).all()
        assert not c.residential[users].any()
        new = np.flatnonzero(s.user & (s.since == week))
        status = c.status[CARE][new]  # admitted after the office's assessment
        assert ((status == WAITLIST) | (status == SERVED)).all()
        eligible = (
            (c.age_band >= 3)
            & ~c.residential
            & (c.need_level[CARE] > 0)
            & ((c.status[CARE] == WAITLIST) | (c.status[CARE] == SERVED))
        )
        left_out = eligible & ~s.user
        if users.size < s.whole_places:
            assert not left_out.any()
        if new.size and left_out.any():
            assert c.need_level[CARE][new].min() >= c.need_level[CARE][left_out].max()
        checked.append(users.size)

    phase_hook(model, "structures", after=after)
    model.run()
    assert len(checked) == 52 and min(checked) > 0


def test_day_centre_hours_lower_unmet_care_hours(small_model, phase_hook):
    """Same seed, same users in the first week: with the day centre's 20 hours a week the users'
    unmet care hours fall (by up to 20 hours each, partial help being partial); nobody else's
    change."""
    unmet = {}
    users = {}
    for hours in (0.0, 20.0):
        model = small_model(run__weeks=1, city__population=20_000, structures__care_hours=hours)

        def after(m: WelfareModel, week: int, hours: float = hours) -> None:
            unmet[hours] = m.coverage.unmet_hours.copy()
            users[hours] = m.structures.user.copy()

        phase_hook(model, "coverage", after=after)
        model.run()
    np.testing.assert_array_equal(users[0.0], users[20.0])
    who = users[20.0]
    assert who.sum() > 0
    drop = unmet[0.0] - unmet[20.0]
    assert (drop[who] >= -1e-9).all() and (drop[who] <= 20.0 + 1e-9).all()
    assert drop[who].sum() > 0
    np.testing.assert_allclose(drop[~who], 0.0, atol=1e-9)


def test_users_count_as_yearly_beneficiaries(small_model, series):
    """beneficiaries_per_1000 counts day-centre users once a year, on top of the services'
    users: the same run without day centres counts fewer."""
    on = small_model(run__weeks=52, city__population=20_000)
    off = small_model(run__weeks=52, city__population=20_000, structures__enabled=False)
    on.run()
    off.run()
    assert series(on, "day_centre_users").mean() > 0
    key = "beneficiaries_per_1000"
    assert series(on, key).sum() > series(off, key).sum()


def test_switched_off_the_model_is_the_model_without_the_line():
    """structures.enabled = false gives the model whose week has no structures phase at all, on
    every indicator both publish: no spending, no users, no other change (a regression run)."""
    from willsim import phases
    from willsim.mechanisms.structures import Structures

    name = "on-demand-centralised"
    model = WelfareModel(**RUNS[name], structures__enabled=False)
    model.run()
    off = summary(model)
    model.release()
    assert off["spending_structures_eur"] == 0.0
    assert off["day_centre_users"] == 0.0
    after = phases.phase_names()[phases.phase_names().index(Structures.name) - 1]
    phases.unplug(Structures)
    try:
        model = WelfareModel(**RUNS[name])
        model.run()
        without = summary(model)
        model.release()
    finally:
        phases.plug_in(Structures, after=after)
    assert "day_centre_users" not in without
    assert phases.phase_names().index(Structures.name) == phases.phase_names().index(after) + 1
    for key, value in without.items():
        if isinstance(value, float) and math.isnan(value):
            assert math.isnan(off[key]), key
        else:
            assert off[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key


def test_a_zero_share_is_the_same_as_switched_off(small_model, series):
    off = small_model(run__weeks=30, structures__enabled=False)
    zero = small_model(run__weeks=30, structures__care_share=0.0)
    off.run()
    zero.run()
    np.testing.assert_array_equal(off.collector.overall, zero.collector.overall)


def test_spending_per_resident_rises_by_the_structures_budget():
    """The default (Bergamo's 224 EUR per resident, 31.5% modelled): day centres cost
    224 x 0.315 x 0.95 x 0.167 = 11.19 EUR per resident a year, up to a place's rounding (0.64
    EUR per resident at 20,000: seed 2024 rounds 17.53 places up to 18, 11.49 EUR). Municipal
    spending per resident rises by about that: other items move second-order (seed 2024, main
    e10c3f6: +11.0 EUR in all; cash contributions -0.23 and RSA fee support -0.26 EUR); services
    are not cut to make room (their line plans still fit)."""
    size = {"seed": 2024, "run__weeks": 52, "city__population": 20_000}
    on = WelfareModel(**size, run__mesa_citizens=False)
    off = WelfareModel(**size, run__mesa_citizens=False, structures__enabled=False)
    on.run()
    off.run()
    s_on, s_off = summary(on), summary(off)
    residents = on.citizens.n * on.citizens.weight
    structures = s_on["spending_structures_eur"] / residents  # one year
    expected = 224 * 0.315 * 0.95 * 0.167
    place_year = 49.12 * 5 * WEEKS_PER_YEAR
    assert abs(structures - expected) < place_year / residents
    rise = s_on["municipal_spending_per_resident"] - s_off["municipal_spending_per_resident"]
    assert structures * 0.85 <= rise <= structures * 1.15
    assert s_on["spending_services_eur"] == pytest.approx(s_off["spending_services_eur"])
    on.release()
    off.release()


def test_a_budget_cut_cuts_the_places(small_model, series):
    """The budget-cut scenario (-20% from week 52): the line's plan falls by 20%, and its places
    with it, times the share of their plans the planned lines may spend once staff (not cut)
    take more of the smaller budget; the users follow (the newest leave first)."""
    model = small_model(scenario="budget-cut", run__weeks=60, city__population=50_000)
    plan_before = _planned_places(model)
    model.run()
    places = series(model, "day_centre_places")
    assert places[51] > 0
    w = model.citizens.weight
    st = model.structures
    assert _planned_places(model) == pytest.approx(0.8 * plan_before)
    assert 0.0 < st.plan_factor < 1.0  # the cut binds: the day centres share the shortfall
    assert st.places == pytest.approx(_planned_places(model) * st.plan_factor)
    assert places[59] == pytest.approx(st.places * w, abs=w + 1e-9)
    assert places[59] < 0.8 * places[51]
    assert series(model, "day_centre_users")[59] <= places[59]
