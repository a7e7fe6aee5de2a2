"""Partial help, crisis risk by coverage, waiting lists, the budget, capacity under sampling, ADI.

Statistical checks state their tolerance; seeds are fixed, so every test is deterministic.
"""

from __future__ import annotations

import numpy as np
import pytest

from willsim.citizens import CARE, QUEUED, SERVED, WAITLIST
from willsim.units import to_weekly

NO_SERVICES: dict[str, object] = {"providers__hours_per_1000": [0.0, 0.0, 0.0]}


# --- coverage: partial help is partial ---------------------------------------------------------


def test_coverage_is_hours_received_over_hours_needed(small_model, phase_hook):
    """Family hours only (no private, no services): coverage = min(1, family / need)."""
    model = small_model(
        run__weeks=6,
        services__informal_hours=[12.0, 4.0],
        services__family_available_alone=1.0,
        services__private_uptake=[0.0] * 4,
        adi__enabled=False,
        cash__enabled=False,  # a care contribution buys private hours
        structures__enabled=False,  # a day-centre place gives formal hours
        **NO_SERVICES,
    )
    level_hours = np.r_[0.0, model.params.array("needs.care_level_hours")]
    checked = []

    def check(m, week):
        c, cov = m.citizens, m.coverage
        care = (c.need_level[CARE] > 0) & ~c.residential
        need = level_hours[c.need_level[CARE][care]]
        family = np.where(c.living_alone[care], 4.0, 12.0)
        np.testing.assert_allclose(cov.fraction[care], np.minimum(family / need, 1.0))
        np.testing.assert_allclose(cov.unmet_hours[care], np.maximum(need - family, 0.0))
        assert (cov.fraction[care] < 1).any() and (cov.fraction[care] == 1).any()
        checked.append(week)

    phase_hook(model, "coverage", after=check)
    model.run()
    assert len(checked) == 6


def test_formal_hours_count_towards_a_care_need(small_model, phase_hook):
    """A served resident's formal hours raise their coverage by hours / need (the audit's D4:
    8 + 1.5 < 12.8 h meant formal care never counted)."""
    model = small_model(
        run__weeks=30,
        services__private_uptake=[0.0] * 4,
        services__family_available_alone=1.0,
        adi__enabled=False,
    )
    level_hours = np.r_[0.0, model.params.array("needs.care_level_hours")]
    family_hours = model.params.array("services.informal_hours")
    formal = model.params.array("services.hours_per_case")[CARE]
    seen = []

    def check(m, week):
        c, cov = m.citizens, m.coverage
        served = np.flatnonzero((c.status[CARE] == SERVED) & ~c.residential)
        if served.size == 0:
            return
        need = level_hours[c.need_level[CARE][served]]
        family = family_hours[c.living_alone[served].astype(int)]
        received = family + formal + m.marketplace.care_hours[served]
        received += m.community.care_hours[served]
        received += m.cash.care_hours_for(m, served)  # private hours a care contribution buys
        received += m.structures.care_hours_for(m, served)  # a day-centre place's hours
        np.testing.assert_allclose(cov.fraction[served], np.minimum(received / need, 1.0))
        seen.append(served.size)

    phase_hook(model, "coverage", after=check)
    model.run()
    assert sum(seen) > 50


def test_crisis_risk_falls_in_proportion_to_coverage(small_model, phase_hook):
    """Observed care crises match risk = unmet risk x (1 - (1 - met_multiplier) x coverage):
    split by coverage (below or above one half), each within four Poisson standard errors."""
    model = small_model(
        run__weeks=52,
        city__population=20_000,
        crises__work=0.0,
        crises__met_multiplier=0.2,
        crises__isolation_multiplier=1.0,
    )
    p = model.params
    weekly = np.r_[0.0, to_weekly(p.array("crises.care_by_level"), "prob/year")]
    tally = {"low": [0.0, 0], "high": [0.0, 0]}
    state = {}

    def before(m, week):
        c = m.citizens
        cov = m.coverage.fraction
        risk = weekly[c.need_level[CARE]] * (1.0 - 0.8 * cov) * ~c.residential
        state["risk"], state["high"] = risk, cov >= 0.5

    def after(m, week):
        crisis = m.crises.care_crisis
        for name, sel in (("low", ~state["high"]), ("high", state["high"])):
            tally[name][0] += state["risk"][sel].sum()
            tally[name][1] += crisis[sel].sum()

    phase_hook(model, "crises", before=before, after=after)
    model.run()
    for name, (expected, observed) in tally.items():
        assert expected > 30, name
        assert abs(observed - expected) <= 4 * np.sqrt(expected) + 2, (name, observed, expected)


def test_more_formal_hours_raise_coverage(small_model, series):
    """Same seed, same cases: 8 formal hours a case instead of 1.5 (capacity and budget scaled
    alike) raise care coverage and lower unmet care hours."""
    common = {"run__weeks": 52, "city__population": 20_000, "municipality__budget_multiplier": 10}
    low = small_model(**common)
    high = small_model(
        **common,
        services__hours_per_case=[8.0, 2.0, 3.0],
        providers__hours_per_1000=[5.0 * 8 / 1.5, 4.0, 2.0],
    )
    low.run()
    high.run()
    assert series(high, "care_coverage").mean() > series(low, "care_coverage").mean()
    assert series(high, "unmet_care_hours").mean() < series(low, "unmet_care_hours").mean()


def test_domain_shares_and_headline_agree(small_model, series):
    model = small_model(run__weeks=8)
    model.run()
    for key in ("unmet_share_care", "unmet_share_isolation", "unmet_share_work"):
        s = series(model, key)
        assert np.all((s >= 0) & (s <= 1)), key
    assert np.all(series(model, "severe_unmet_share") <= 1)
    assert np.all(series(model, "family_only_share") <= 1)


# --- waiting lists -----------------------------------------------------------------------------

NO_REVIEW = {"municipality__review_weeks": 0.0}
"""Contracted hours stay as calibrated (no capacity bought as lists grow)."""


def test_placement_serves_higher_care_levels_first_then_the_longest_wait(small_model, phase_hook):
    """Whenever care cases are placed while others still wait, every placed case comes before
    every one left waiting in the order (higher care level, then earlier start of the wait)."""
    model = small_model(
        run__weeks=156,  # placements are rarer with the stationary (more severe) care levels
        city__population=20_000,
        providers__hours_per_1000=[2.0, 0.0, 0.0],
        services__renege=[0.0] * 3,
        services__covered_exit=0.0,
        **NO_REVIEW,
    )
    state: dict[str, np.ndarray] = {}
    checked = []

    def key(m, who, start):
        return start - 1e6 * m.citizens.need_level[CARE][who]

    def before(m, week):
        c = m.citizens
        state["status"] = c.status[CARE].copy()
        started = m.services.asked_at[CARE].copy()
        unset = started < 0
        started[unset] = c.status_since[CARE][unset]  # where the services phase starts it
        state["start"] = started

    def after(m, week):
        c = m.citizens
        placed = np.flatnonzero((c.status[CARE] == SERVED) & (state["status"] != SERVED))
        left = np.flatnonzero(c.status[CARE] == WAITLIST)
        if placed.size == 0 or left.size == 0:
            return
        worst_placed = key(m, placed, state["start"][placed]).max()
        best_left = key(m, left, m.services.asked_at[CARE][left]).min()
        assert worst_placed <= best_left + 1e-9, (week, worst_placed, best_left)
        checked.append(week)

    phase_hook(model, "services", before=before, after=after)
    model.run()
    assert len(checked) > 5


def test_reneging_empties_waiting_lists_without_service(small_model, series):
    """No capacity: lists only grow, except by reneging; at 52 events a year (about 1 a week)
    the list is much shorter than without it, and exits are counted."""
    # no admissions to residential care: they take people off the lists too (Services.withdraw)
    no_rsa = {"residential__apply_rate": 0.0, "crises__residential_share": 0.0}
    common = {"run__weeks": 52, **NO_SERVICES, **NO_REVIEW, **no_rsa}
    keep = small_model(**common, services__renege=[0.0] * 3, services__covered_exit=0.0)
    leave = small_model(**common, services__renege=[52.0] * 3)
    keep.run()
    leave.run()
    assert (
        series(leave, "waiting_list")[-10:].mean() < 0.5 * series(keep, "waiting_list")[-10:].mean()
    )
    assert series(leave, "waiting_list_exits").sum() > 0
    assert series(keep, "waiting_list_exits").sum() == 0


def test_withdraw_takes_people_off_lists_and_services(small_model):
    model = small_model(run__weeks=30)
    model.run()
    c, s = model.citizens, model.services
    who = np.flatnonzero(((c.status == WAITLIST) | (c.status == SERVED)).any(axis=0))[:20]
    assert who.size > 0
    was = (c.status[:, who] == WAITLIST) | (c.status[:, who] == SERVED)
    s.withdraw(who)
    assert not ((c.status[:, who] == WAITLIST) | (c.status[:, who] == SERVED)).any()
    assert (c.provider[:, who] == -1).all()
    assert (s.asked_at[:, who][was] == -1).all()


def test_mean_wait_counts_weeks_from_request_to_service(small_model, phase_hook):
    """The published wait of a placement (it starts as its week ends) is the time since the
    request (helpseeking's QUEUED time), less at most a week for requests assessed within the
    week they were made (their wait starts at eligibility)."""
    model = small_model(run__weeks=40, **NO_REVIEW)
    asked: dict[tuple[int, int], float] = {}
    checked = []

    def before_help(m, week):
        # a wait ends when the person leaves the list (gives up, need ended, residential care,
        # refused, died): a later request starts a new wait, as in the model (asked_at reset)
        status = m.citizens.status
        for k in [k for k in asked if status[k] not in (QUEUED, WAITLIST)]:
            del asked[k]

    def after_help(m, week):
        c = m.citizens
        d, i = np.nonzero(c.status == QUEUED)
        for dd, ii in zip(d.tolist(), i.tolist(), strict=True):
            asked.setdefault((dd, ii), float(c.status_since[dd, ii]))

    def before(m, week):
        m._pre = m.citizens.status.copy()

    def after(m, week):
        c, s = m.citizens, m.services
        d, i = np.nonzero((c.status == SERVED) & (m._pre != SERVED))
        waits = [
            week + 1 - asked[k] for k in zip(d.tolist(), i.tolist(), strict=True) if k in asked
        ]
        # a case placed and resolved within the same services phase is counted but no longer
        # SERVED after it: such weeks cannot be checked from the outside
        if len(waits) == d.size and d.size and s.starts == d.size:
            assert sum(waits) - d.size - 1e-9 <= s.wait_total <= sum(waits) + 1e-9
            assert s.wait_total >= 0
            checked.append(week)
        for k in zip(d.tolist(), i.tolist(), strict=True):
            asked.pop(k, None)

    phase_hook(model, "helpseeking", before=before_help, after=after_help)
    phase_hook(model, "services", before=before, after=after)
    model.run()
    assert len(checked) > 3


# --- the budget binds --------------------------------------------------------------------------


def test_the_municipality_buys_capacity_and_spends_its_budget(small_model, series):
    """With capacity reviews, contracted hours grow while lists wait, each service line up to
    its planned budget, and yearly municipal spending reaches most of the budget (at least 80%
    in year 2), never more than all of it.

    The budget must be one the lists can exhaust: at Bergamo's 224 EUR per resident the lines'
    plans leave a quarter of it unspent (75% in year 2, seed 1: structures are not simulated);
    at the macro-area average of all municipalities (156 EUR) 94% is spent. There the care
    line's contract already costs more than its plan, so only isolation and work buy hours
    (x1.38 and x1.82; the whole services' factor 1.4; before the service lines one shared
    allowance bought more than x1.5)."""
    model = small_model(
        run__weeks=104, city__population=20_000, city__social_spending_per_capita=156.0
    )
    model.run()
    muni = model.municipality
    assert series(model, "contracted_capacity_factor")[-1] > 1.25
    assert (model.services.expansion[1:] > 1.25).all()
    year2 = slice(52, 104)
    spent = sum(series(model, f"spending_{k}_eur")[year2].sum() for k in muni.municipal_items)
    budget = muni.annual_budget * model.citizens.weight
    assert 0.8 * budget <= spent <= budget * (1 + 1e-9)


def test_without_reviews_capacity_stays_as_calibrated(small_model, series):
    model = small_model(run__weeks=52, **NO_REVIEW)
    model.run()
    assert np.all(series(model, "contracted_capacity_factor") == 1.0)


# --- capacity under sampling -------------------------------------------------------------------


def _served_share(small_model, residents: int, seeds, **extra) -> float:
    """Mean share of residents in service over weeks 26-51, over seeds (city of 50,000)."""
    out = []
    for seed in seeds:
        model = small_model(
            run__seed=seed,
            run__weeks=52,
            city__population=50_000,
            run__residents=residents,
            **NO_REVIEW,
            **extra,
        )
        model.run()
        c = model.citizens
        out.append(model.collector.overall[26:52, model.collector.index["coverage"]].mean())
        model.release()
        del c
    return float(np.mean(out))


def test_expected_capacity_is_the_full_citys_at_any_sample_size(small_model):
    """Whole cases per line: their mean over lines' random roundings equals capacity / hours."""
    model = small_model(run__weeks=1, city__population=50_000, run__residents=5_000)
    s = model.services
    draws = []
    for k in range(400):
        s.rounding = np.random.default_rng(k).random(s.rounding.shape)
        s._set_capacity()
        draws.append(s.capacity)
    np.testing.assert_allclose(np.mean(draws, axis=0), s.contracted, atol=0.1 * s.hours.max())


def test_a_sampled_city_serves_the_same_share_as_the_full_one(small_model):
    """5,000 vs 50,000 residents (weights 10 and 1): the share of people with a need who are in
    service matches within 25% (seed noise at 5,000), and +50% capacity raises it in both by a
    similar amount (ratio of the lifts within 0.5-2)."""
    seeds = (1, 2, 3, 4)
    base_small = _served_share(small_model, 5_000, seeds)
    base_full = _served_share(small_model, 50_000, seeds[:2])
    # +50% of the scenario's own (calibrated) hours, not of the registry defaults: the baseline
    # layer fits the municipal line (10.8 h per 1,000 against a default of 5), so the former
    # fixed [7.5, 6, 3] cut the municipal line and lowered the served share
    hours = small_model(run__weeks=1).params["providers.hours_per_1000"]
    more = {"providers__hours_per_1000": [1.5 * h for h in hours]}
    up_small = _served_share(small_model, 5_000, seeds, **more)
    up_full = _served_share(small_model, 50_000, seeds[:2], **more)
    assert base_small == pytest.approx(base_full, rel=0.25)
    lift_small, lift_full = up_small - base_small, up_full - base_full
    assert lift_small > 0 and lift_full > 0
    assert 0.5 < lift_small / lift_full < 2.0, (lift_small, lift_full)


# --- integrated home care (ADI) ----------------------------------------------------------------


def test_adi_reaches_its_yearly_share_of_65_plus(small_model, series):
    """Over two whole years the mean yearly share of 65+ with an ADI episode is within 20% of
    adi.users_share_65 (repeat episodes in the year lower it a little), only 65+ with a care
    need are in care, and ADI is paid by the health service, not the municipal budget."""
    model = small_model(run__weeks=104, city__population=20_000, adi__users_share_65=0.08)
    model.run()
    assert series(model, "adi_users_share_65").mean() == pytest.approx(0.08, rel=0.2)
    c, adi = model.citizens, model.adi
    assert (c.age_band[adi.active] >= 3).all()
    assert series(model, "spending_adi_eur").sum() > 0
    assert "adi" not in model.municipality.municipal_items


def test_adi_hours_count_towards_care_coverage(small_model, phase_hook):
    model = small_model(run__weeks=20, adi__hours_per_user=50.0, adi__episode_weeks=5.0)
    seen = []

    def check(m, week):
        active = np.flatnonzero(m.adi.active & ~m.citizens.residential)
        if active.size:
            np.testing.assert_allclose(m.adi.care_hours_for(m, active), 10.0)
            seen.append(active.size)

    phase_hook(model, "coverage", after=check)
    model.run()
    assert sum(seen) > 10


def test_adi_comes_first_to_people_discharged_from_hospital(small_model, phase_hook):
    """When few episodes start, those discharged in the last weeks are chosen before others."""
    model = small_model(run__weeks=52, city__population=20_000, adi__users_share_65=0.02)
    checked = []

    def after(m, week):
        a = m.adi
        started = np.flatnonzero(a.until == week + a.episode)
        if started.size == 0:
            return
        recent = week - a.discharged <= a.discharge_weeks
        c = m.citizens
        eligible = (c.age_band >= 3) & (c.need_level[CARE] > 0) & ~c.residential
        waiting_recent = eligible & recent & (a.until <= week)
        if (~recent[started]).any():  # someone not discharged started: no discharged left out
            assert not waiting_recent.any(), week
        checked.append(week)

    phase_hook(model, "adi", after=after)
    model.run()
    assert len(checked) > 20


def test_switching_adi_off_lowers_ltc_reach(small_model, series):
    on = small_model(run__weeks=104, city__population=20_000)
    off = small_model(run__weeks=104, city__population=20_000, adi__enabled=False)
    on.run()
    off.run()
    assert series(off, "adi_users_share_65").max() == 0
    assert series(on, "ltc_reach_65")[52:].mean() > series(off, "ltc_reach_65")[52:].mean()
