"""Invariants of a running model, checked every week.

People are conserved, every need's status agrees with the rest of the state, providers never work
beyond capacity, the municipality never spends money it does not have, spending items add up,
shares are shares and waits are not negative. Little's law holds at the office, and a budget cut
rations services (longer waiting list) without ever overspending.
"""

from __future__ import annotations

import numpy as np
import pytest

from willsim.agents.municipality import MUNICIPAL_ITEMS, SPENDING_ITEMS
from willsim.citizens import Status
from willsim.collector import OVERALL_KEYS
from willsim.params import DOMAINS
from willsim.units import WEEKS_PER_YEAR

K = {key: k for k, key in enumerate(OVERALL_KEYS)}
SPENDING_KEYS = tuple(f"spending_{item}_eur" for item in SPENDING_ITEMS)
SHARE_KEYS = ("unmet_need_share", "non_take_up_share", "coverage", "office_utilisation",
              "provider_utilisation", "isolated_share")
NON_NEGATIVE_KEYS = ("mean_wait_weeks", "wait_total_weeks", "time_to_first_help_weeks",
                     "first_help_total_weeks", "mean_queue_length", "arrivals_per_week",
                     "assessments_started", "waiting_list", "latent_needs", "crises", "deaths",
                     "people_with_need", "people_with_unmet_need", "unmet_care_hours",
                     "out_of_pocket_eur", "budget_remaining_eur", "residential_care",
                     *SPENDING_KEYS)
TOL = 1e-9


class WeeklyChecker:
    """Checks the invariants after each week and accumulates the budget year's spending."""

    def __init__(self, model) -> None:
        self.model = model
        self.n = model.citizens.n
        self.weight = model.citizens.weight
        self.year_spending: dict[int, float] = {}

    def check(self) -> None:
        model = self.model
        week = model.week - 1  # the week just simulated
        self._people(week)
        self._statuses(week)
        self._office(week)
        self._providers(week)
        self._money(week)
        self._indicators(week)

    def _people(self, week: int) -> None:
        c = self.model.citizens
        assert c.n == self.n, f"week {week}: population changed"
        for name in ("age_band", "isee", "residential", "district", "crises"):
            assert getattr(c, name).shape == (self.n,), f"week {week}: {name} resized"
        for name in ("need_level", "status", "provider", "need_since"):
            assert getattr(c, name).shape == (len(DOMAINS), self.n), f"week {week}: {name}"
        residential = int(np.count_nonzero(c.residential))
        community = int(np.count_nonzero(~c.residential))
        assert residential + community == self.n
        row = self.model.collector.overall[week]
        assert row[K["residents"]] == pytest.approx(self.n * self.weight)
        assert row[K["residential_care"]] == pytest.approx(residential * self.weight)

    def _statuses(self, week: int) -> None:
        c, office = self.model.citizens, self.model.office
        has = c.need_level > 0
        assert c.need_level.min() >= 0
        assert c.need_level[0].max() <= 4 and c.need_level[1:].max() <= 1
        bad = (c.status == Status.NONE) != ~has
        assert not bad.any(), f"week {week}: {bad.sum()} needs with status NONE iff level 0 broken"
        bad = (c.status == Status.SERVED) != (c.provider >= 0)
        assert not bad.any(), f"week {week}: {bad.sum()} SERVED needs disagree with provider"
        assert c.provider.max() < len(self.model.providers)
        assert not (has & c.residential[None, :]).any(), f"week {week}: need in residential care"
        eligible = c.isee[None, :] <= office.isee_max[:, None]
        placed = (c.status == Status.WAITLIST) | (c.status == Status.SERVED)
        bad = placed & ~eligible
        assert not bad.any(), f"week {week}: {bad.sum()} ineligible needs on waitlist or served"
        assert np.isin(c.status, [s.value for s in Status]).all()
        # a need's first help cannot precede its onset
        helped = c.first_help >= 0
        assert (c.first_help[helped] >= c.need_since[helped]).all()

    def _office(self, week: int) -> None:
        c, office = self.model.citizens, self.model.office
        queued = c.status == Status.QUEUED
        open_request = office.current >= 0
        bad = queued != open_request
        assert not bad.any(), f"week {week}: {bad.sum()} QUEUED needs without an open request"
        in_office = np.concatenate([office.queue.waiting_items, office.queue.in_service_items])
        ids = office.current[queued]
        missing = ~np.isin(ids, in_office)
        assert not missing.any(), f"week {week}: {missing.sum()} requests lost by the office"
        qw = office.week
        assert (np.asarray(qw.started_waits) >= -TOL).all()
        assert qw.queue_time_integral >= -TOL
        assert 0.0 <= qw.busy_time <= office.servers + TOL

    def _providers(self, week: int) -> None:
        c, services = self.model.citizens, self.model.services
        load, capacity = services.load, services.capacity
        assert (load >= -TOL).all(), f"week {week}: negative provider load {load}"
        assert (load <= capacity + TOL).all(), f"week {week}: load {load} > capacity {capacity}"
        # load is derived from the cases in service
        expected = np.zeros(load.size)
        for d in range(len(DOMAINS)):
            prov = c.provider[d][c.status[d] == Status.SERVED]
            expected += np.bincount(prov, minlength=load.size) * services.hours[d]
        np.testing.assert_allclose(load, expected, atol=1e-9)
        agent_load = np.array([p.load for p in self.model.providers])
        np.testing.assert_allclose(agent_load, load, atol=1e-9)

    def _money(self, week: int) -> None:
        muni = self.model.municipality
        assert muni.remaining >= -TOL, f"week {week}: remaining {muni.remaining}"
        assert muni.remaining <= muni.annual_budget + TOL
        municipal = sum(muni.week_spending[item] for item in MUNICIPAL_ITEMS)
        year = week // WEEKS_PER_YEAR
        self.year_spending[year] = self.year_spending.get(year, 0.0) + municipal
        assert self.year_spending[year] <= muni.annual_budget * (1 + 1e-12) + TOL, (
            f"week {week}: spent {self.year_spending[year]} of {muni.annual_budget} this year")
        # what is left is what the year's budget minus the year's spending leaves
        assert muni.remaining == pytest.approx(
            muni.annual_budget - self.year_spending[year], rel=1e-9, abs=1e-6)

    def _indicators(self, week: int) -> None:
        row = self.model.collector.overall[week]
        items = sum(row[K[key]] for key in SPENDING_KEYS)
        assert row[K["public_spending_eur"]] == pytest.approx(items, rel=1e-12, abs=1e-9)
        for key in SHARE_KEYS:
            value = row[K[key]]
            assert np.isnan(value) or -TOL <= value <= 1 + TOL, f"week {week}: {key} = {value}"
        for key in NON_NEGATIVE_KEYS:
            value = row[K[key]]
            assert np.isnan(value) or value >= -TOL, f"week {week}: {key} = {value}"
        assert not np.isnan(row[K["public_spending_eur"]])


def run_checked(model) -> WeeklyChecker:
    checker = WeeklyChecker(model)
    while model.running:
        model.step()
        checker.check()
    return checker


CONFIGS = {
    "default": {},
    "budget_binding": {"municipality__budget_multiplier": 0.05},
    "fast_office_big_providers": {
        "office__assessment_share": 1.0, "office__assessment_hours": 0.5,
        "providers__hours_per_1000": [60.0, 80.0, 40.0], "helpseeking__awareness": 0.9,
    },
    "tight_budget_big_providers": {
        "office__assessment_share": 1.0, "providers__hours_per_1000": [60.0, 80.0, 40.0],
        "municipality__budget_multiplier": 0.4, "helpseeking__awareness": 0.9,
    },
    "strict_means_test": {"eligibility__isee_max": [12_000.0, 12_000.0, 5_000.0]},
    "sampled": {"city__population": 20_000, "run__residents": 3000},
    "mesa_citizens": {"run__mesa_citizens": True, "run__weeks": 12},
}


@pytest.mark.parametrize("config", list(CONFIGS), ids=list(CONFIGS))
def test_invariants_hold_every_week(small_model, config):
    overrides = {"run__weeks": 60, **CONFIGS[config]}
    model = small_model(seed=3, **overrides)
    checker = run_checked(model)
    assert model.week == overrides["run__weeks"]
    assert len(checker.year_spending) == (2 if overrides["run__weeks"] > 52 else 1)


@pytest.mark.parametrize("seed", [11, 12])
def test_invariants_hold_across_seeds(small_model, seed):
    run_checked(small_model(seed=seed, run__weeks=30, city__population=3000))


def test_littles_law_at_the_office(small_model, series):
    """Time-average queue = arrival rate x mean wait, after warm-up, with utilisation < 1."""
    model = small_model(run__weeks=300, office__assessment_share=1.0)
    model.run()
    warm = 52
    utilisation = np.nanmean(series(model, "office_utilisation")[warm:])
    assert utilisation < 0.9, "the office must be stable for Little's law"
    queue = series(model, "mean_queue_length")[warm:].mean()
    arrivals = series(model, "arrivals_per_week")[warm:].mean()
    wait = (series(model, "wait_total_weeks")[warm:].sum()
            / series(model, "assessments_started")[warm:].sum())
    assert arrivals > 1.0 and wait > 0.0
    assert queue == pytest.approx(arrivals * wait, rel=0.10)


def test_budget_binding_rations_services(small_model, series):
    common = {"run__weeks": 60, "office__assessment_share": 1.0}
    default = small_model(**common)
    cut = small_model(**common, municipality__budget_multiplier=0.05)
    checker = run_checked(cut)
    default.run()
    for year, spent in checker.year_spending.items():
        assert spent <= cut.municipality.annual_budget + TOL, year
    assert (series(cut, "budget_remaining_eur") >= 0).all()
    weeks = slice(10, 52)
    assert series(cut, "waiting_list")[weeks].mean() > series(default, "waiting_list")[weeks].mean()
    assert series(cut, "coverage")[weeks].mean() < series(default, "coverage")[weeks].mean()
    # once this year's budget is gone, nothing more is spent on services until the next year
    remaining = series(cut, "budget_remaining_eur")[:52]
    gone = np.flatnonzero(remaining <= 1e-6)
    assert gone.size, "the cut budget should run out within the year"
    later = series(cut, "spending_services_eur")[gone[0] + 1 : 52]
    assert (later == 0).all()
    # a new budget year brings new money
    assert series(cut, "budget_remaining_eur")[52] > 0
