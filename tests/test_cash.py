"""Cash contributions (:mod:`willsim.mechanisms.cash`): one test per rule."""

from __future__ import annotations

import numpy as np
import pytest

from willsim.citizens import CARE, SERVED, WAITLIST, WORK
from willsim.mechanisms.cash import CASH_DOMAINS, NEVER, OLD_BAND, weekly_amount
from willsim.units import WEEKS_PER_YEAR

GENEROUS = {"cash__care_grant_share": 1.0, "cash__work_grant_share": 1.0, "run__weeks": 30}


def _grants(model, weeks):
    """Step ``weeks`` weeks; per week, the (domain row, resident) of each grant started."""
    out = []
    for _ in range(weeks):
        before = model.cash.until.copy()
        week = model.week
        model.step()
        k, who = np.nonzero((model.cash.until != before) & (model.cash.until > week))
        out.append((week, k, who))
    return out


def test_weekly_amount_costs_the_user_year() -> None:
    """A grant of D weeks touches 1 + (D - 1)/52 budget years on average: per counted user-year
    it costs the sourced amount."""
    assert weekly_amount(520.0, 1) == pytest.approx(520.0)
    for d in (4, 13, 52, 104):
        per_year = weekly_amount(2_570.0, d) * d / (1.0 + (d - 1) / WEEKS_PER_YEAR)
        assert per_year == pytest.approx(2_570.0)


def test_grants_pass_the_means_test_and_care_is_for_65_plus(small_model) -> None:
    model = small_model(**GENEROUS, cash__care_isee_max=15_000.0, cash__work_isee_max=8_000.0)
    grants = _grants(model, 30)
    c = model.citizens
    n_care = n_work = 0
    for _, k, who in grants:
        care, work = who[k == 0], who[k == 1]
        assert (c.isee[care] <= 15_000.0).all()
        assert (c.isee[work] <= 8_000.0).all()
        assert (c.age_band[care] >= OLD_BAND).all()
        n_care, n_work = n_care + care.size, n_work + work.size
    assert n_care > 0 and n_work > 0  # the test exercises both contributions


def test_no_grant_above_the_threshold(small_model) -> None:
    model = small_model(**GENEROUS, cash__care_isee_max=0.0, cash__work_isee_max=0.0)
    _grants(model, 20)
    assert (model.cash.until == NEVER).all()
    assert model.municipality.total_spending["cash"] == 0.0


def test_grants_only_at_a_new_eligibility_decision_once_a_year(small_model, phase_hook) -> None:
    """Each grant starts in the week its need was newly found eligible (on the waiting list or
    in service since this week, and neither last week), and a resident gets at most one grant
    per domain and budget year."""
    model = small_model(**GENEROUS)
    seen: set[tuple[int, int]] = set()
    checked = []

    def before(m, week):
        m._cash_until = m.cash.until.copy()
        m._cash_last = m.cash.last_status.copy()

    def after(m, week):
        k, who = np.nonzero((m.cash.until != m._cash_until) & (m.cash.until > week))
        domains = np.array(CASH_DOMAINS)[k]
        status = m.citizens.status[domains, who]
        assert np.isin(status, (WAITLIST, SERVED)).all()
        assert (m.citizens.status_since[domains, who] >= week).all()
        assert not np.isin(m._cash_last[k, who], (WAITLIST, SERVED)).any()
        for pair in zip(k.tolist(), who.tolist(), strict=True):
            assert pair not in seen  # 30 weeks: within one budget year
            seen.add(pair)
        checked.append(who.size)

    phase_hook(model, "cash", before=before, after=after)
    for _ in range(30):
        model.step()
    assert sum(checked) > 0


def test_budget_share_caps_commitments(small_model) -> None:
    """Grants never commit more a week than their share of the annual budget over 52 weeks."""
    model = small_model(**GENEROUS, cash__care_budget_share=0.004, cash__work_budget_share=0.002)
    cash, muni = model.cash, model.municipality
    capped = False
    for _ in range(30):
        model.step()
        committed = cash.active.sum(axis=1) * cash.weekly
        allot = cash.budget_share * muni.annual_budget / WEEKS_PER_YEAR
        assert (committed <= allot + 1e-6).all()
        capped |= bool((committed > allot - cash.weekly).any())
    assert capped  # the cap was reached


def test_zero_budget_share_grants_nothing(small_model) -> None:
    model = small_model(**GENEROUS, cash__care_budget_share=0.0, cash__work_budget_share=0.0)
    _grants(model, 20)
    assert not model.cash.active.any()


def test_spending_is_the_active_grants_and_municipal(small_model) -> None:
    """The ledger's cash line is the weekly amount of every active grant, paid from the
    municipal budget (so it is in municipal_spending_per_resident)."""
    model = small_model(**GENEROUS)
    cash, muni = model.cash, model.municipality
    assert "cash" in muni.municipal_items
    total = 0.0
    for _ in range(30):
        left = muni.remaining
        model.step()
        expected = float(cash.active.sum(axis=1) @ cash.weekly)
        assert muni.week_spending["cash"] == pytest.approx(expected)
        assert cash.paid_week == pytest.approx(expected)
        assert left - muni.remaining >= expected - 1e-6  # it came out of the budget
        total += expected
    assert total > 0
    assert muni.total_spending["cash"] == pytest.approx(total)


def test_an_empty_budget_ends_the_newest_grants(small_model) -> None:
    model = small_model(**GENEROUS)
    for _ in range(15):
        model.step()
    cash, muni = model.cash, model.municipality
    assert cash.active.any()
    muni.remaining = 0.0  # nothing left this year, staff included
    model.step()
    assert muni.week_spending["cash"] == 0.0
    assert not cash.active.any()


def test_care_contribution_buys_private_hours(small_model) -> None:
    model = small_model(**GENEROUS)
    for _ in range(10):
        model.step()
    cash = model.cash
    k = CASH_DOMAINS.index(CARE)
    idx = np.arange(model.citizens.n)
    hours = cash.care_hours_for(model, idx)
    price = model.params["services.private_price"]
    assert cash.active[k].any()
    assert hours[cash.active[k]] == pytest.approx(cash.weekly[k] / price)
    assert (hours[~cash.active[k]] == 0).all()
    assert cash.care_eur_week[cash.active[k]] == pytest.approx(cash.weekly[k])


def test_poverty_contribution_meets_the_income_need_and_prevents_housing_loss(
    small_model,
) -> None:
    model = small_model(**GENEROUS, cash__work_protection=1.0, crises__work=1.0)
    k = CASH_DOMAINS.index(WORK)
    protected = 0
    for _ in range(30):
        model.step()
        active = model.cash.active[k]
        assert model.coverage.met[WORK][active & (model.citizens.need_level[WORK] > 0)].all()
        assert not model.crises.work_crisis[active].any()
        protected += int(active.sum())
    assert protected > 0


def test_no_protection_leaves_the_need_unmet(small_model) -> None:
    model = small_model(**GENEROUS, cash__work_protection=0.0)
    for _ in range(15):
        model.step()
        assert not model.cash.needs_met(model, WORK).any()


def test_own_stream_same_seed_same_grants(small_model) -> None:
    a, b = small_model(**GENEROUS), small_model(**GENEROUS)
    for _ in range(20):
        a.step()
        b.step()
    assert np.array_equal(a.cash.until, b.cash.until)
    assert np.array_equal(a.cash.protects, b.cash.protects)


def test_own_stream_other_streams_untouched(small_model) -> None:
    """The phases before cash draw the same numbers whether cash grants or not, and the cash
    stream draws a fixed amount a week, whatever the number of candidates."""
    on, off = small_model(**GENEROUS), small_model(**GENEROUS, cash__enabled=False)
    low = small_model(**{**GENEROUS, "cash__care_grant_share": 0.1, "cash__work_grant_share": 0.1})
    for m in (on, off, low):
        m.step()
    for name in ("population", "network", "needs", "helpseeking", "office", "services"):
        state = on.streams[name].bit_generator.state
        assert state == off.streams[name].bit_generator.state, name
    assert on.streams["cash"].bit_generator.state == low.streams["cash"].bit_generator.state
