"""Invariants of a running model, checked every week.

People are conserved, every need's status agrees with the rest of the state, providers never work
beyond capacity, the municipality never spends money it does not have, spending items add up,
shares are shares and waits are not negative. Little's law holds at the office, and a budget cut
rations services (longer waiting list) without ever overspending.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from willsim.citizens import Status
from willsim.collector import OVERALL_KEYS, Q
from willsim.params import DOMAINS
from willsim.phases import spending_items
from willsim.units import WEEKS_PER_YEAR

K = {key: k for k, key in enumerate(OVERALL_KEYS)}
SPENDING_KEYS = tuple(f"spending_{item.key}_eur" for item in spending_items())
MUNICIPAL_ITEMS = tuple(item.key for item in spending_items() if item.municipal)
SHARE_KEYS = (
    "unmet_need_share",
    "non_take_up_share",
    "coverage",
    "office_utilisation",
    "provider_utilisation",
    "isolated_share",
)
NON_NEGATIVE_KEYS = (
    "mean_wait_weeks",
    "wait_total_weeks",
    "time_to_first_help_weeks",
    "first_help_total_weeks",
    "mean_queue_length",
    "arrivals_per_week",
    "assessments_started",
    "waiting_list",
    "latent_needs",
    "crises",
    "deaths",
    "people_with_need",
    "people_with_unmet_need",
    "unmet_care_hours",
    "out_of_pocket_eur",
    "budget_remaining_eur",
    "residential_care",
    *SPENDING_KEYS,
)
TOL = 1e-9


class WeeklyChecker:
    """Checks the invariants after each week and accumulates the budget year's spending."""

    def __init__(self, model) -> None:
        self.model = model
        self.n = model.citizens.n
        self.weight = model.citizens.weight
        self.year_spending: dict[int, float] = {}
        # the load the burn-in left (a line may start above a capacity that fell)
        self.previous_load: np.ndarray | None = np.asarray(model.services.load, dtype=float).copy()

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
        rsa = self.model.residential
        assert residential <= max(rsa.places, 0) or rsa.admitted == 0, f"week {week}: over cap"
        assert not (c.residential & (c.age_band < 3)).any(), f"week {week}: RSA under 65"
        assert not (rsa.waiting & c.residential).any(), f"week {week}: waiting while admitted"

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
        services, providers = self.model.services, self.model.providers
        # load and capacity are per provider, or per provider and service line (domain)
        load, capacity = np.asarray(services.load), np.asarray(services.capacity)
        assert load.shape == capacity.shape
        assert (load >= -TOL).all(), f"week {week}: negative provider load {load}"
        # a line may stay above a capacity that fell (a budget review, a cut: cases in service
        # finish), but no case is placed on a line over its capacity
        over = load > capacity + TOL
        grew = load > self.previous_load + TOL if self.previous_load is not None else over
        assert not (over & grew).any(), f"week {week}: load {load} > capacity {capacity}"
        self.previous_load = load.copy()
        agent_load = np.array([p.load for p in providers])
        agent_capacity = np.array([p.capacity for p in providers])
        np.testing.assert_allclose(agent_load, load.reshape(len(providers), -1).sum(axis=1))
        # the Mesa views agree with the lines (whose loads are bounded above, line by line)
        np.testing.assert_allclose(agent_capacity, capacity.reshape(len(providers), -1).sum(axis=1))

    def check_load_derived(self, model, week: int) -> None:
        """Right after the services phase, a provider's load is the hours of its cases."""
        c, services, providers = model.citizens, model.services, model.providers
        per_provider = np.asarray(services.load).reshape(len(providers), -1).sum(axis=1)
        expected = np.zeros(len(providers))
        for d in range(len(DOMAINS)):
            prov = c.provider[d][c.status[d] == Status.SERVED]
            expected += np.bincount(prov, minlength=len(providers)) * services.hours[d]
        np.testing.assert_allclose(per_provider, expected, atol=1e-9, err_msg=f"week {week}")

    def _money(self, week: int) -> None:
        muni = self.model.municipality
        assert muni.remaining >= -TOL, f"week {week}: remaining {muni.remaining}"
        assert muni.remaining <= muni.annual_budget + TOL
        municipal = sum(muni.week_spending[item] for item in MUNICIPAL_ITEMS)
        year = week // WEEKS_PER_YEAR
        self.year_spending[year] = self.year_spending.get(year, 0.0) + municipal
        assert self.year_spending[year] <= muni.annual_budget * (1 + 1e-12) + TOL, (
            f"week {week}: spent {self.year_spending[year]} of {muni.annual_budget} this year"
        )
        # what is left is what the year's budget minus the year's spending leaves
        assert muni.remaining == pytest.approx(
            muni.annual_budget - self.year_spending[year], rel=1e-9, abs=1e-6
        )

    def _indicators(self, week: int) -> None:
        row = self.model.collector.overall[week]
        items = sum(row[K[key]] for key in SPENDING_KEYS)
        assert row[K["public_spending_eur"]] == pytest.approx(items, rel=1e-12, abs=1e-9)
        services = self.model.services
        cut = (np.asarray(services.load) > np.asarray(services.capacity) + TOL).any()
        for key in SHARE_KEYS:
            value = row[K[key]]
            # utilisation exceeds 1 only on a line whose capacity fell below its cases
            top = np.inf if key == "provider_utilisation" and cut else 1 + TOL
            assert np.isnan(value) or -TOL <= value <= top, f"week {week}: {key} = {value}"
        for key in NON_NEGATIVE_KEYS:
            value = row[K[key]]
            assert np.isnan(value) or value >= -TOL, f"week {week}: {key} = {value}"
        assert not np.isnan(row[K["public_spending_eur"]])
        self._groups(week, row)

    def _groups(self, week: int, row: np.ndarray) -> None:
        """Every group variable partitions the residents: groups add up to the whole city."""
        col, w = self.model.collector, self.weight
        edges = np.r_[0, np.cumsum(col.sizes)]
        groups = col.groups[week]
        by_var = np.array([groups[a:b].sum(axis=0) for a, b in itertools.pairwise(edges)])
        np.testing.assert_allclose(by_var, np.broadcast_to(by_var[0], by_var.shape), atol=1e-9)
        totals = by_var[0]
        assert totals[Q["residents"]] == self.n
        for key, quantity in (
            ("people_with_need", "with_need"),
            ("crises", "crises"),
            ("people_with_unmet_need", "unmet"),
            ("wait_total_weeks", "wait_total"),
            ("assessments_started", "assessments"),
            ("first_helped", "first_helped"),
        ):
            assert row[K[key]] == pytest.approx(totals[Q[quantity]] * w, abs=1e-6), key


def run_checked(model, phase_hook) -> WeeklyChecker:
    checker = WeeklyChecker(model)
    phase_hook(model, "services", after=checker.check_load_derived)
    while model.running:
        model.step()
        checker.check()
    return checker


CONFIGS = {
    "default": {},
    "budget_binding": {"municipality__budget_multiplier": 0.05},
    "fast_office_big_providers": {
        "office__assessment_share": 1.0,
        "office__assessment_hours": 0.5,
        "providers__hours_per_1000": [60.0, 80.0, 40.0],
        "helpseeking__awareness": 0.9,
    },
    "tight_budget_big_providers": {
        "office__assessment_share": 1.0,
        "providers__hours_per_1000": [60.0, 80.0, 40.0],
        "municipality__budget_multiplier": 0.4,
        "helpseeking__awareness": 0.9,
    },
    "strict_means_test": {"eligibility__isee_max": [12_000.0, 12_000.0, 5_000.0]},
    "sampled": {"city__population": 20_000, "run__residents": 3000},
    "mesa_citizens": {"run__mesa_citizens": True, "run__weeks": 12},
}


@pytest.mark.parametrize("config", list(CONFIGS), ids=list(CONFIGS))
def test_invariants_hold_every_week(small_model, phase_hook, config):
    overrides = {"run__weeks": 60, "run__burn_in_weeks": 156, **CONFIGS[config]}
    model = small_model(seed=3, **overrides)
    checker = run_checked(model, phase_hook)
    assert model.week == overrides["run__weeks"]
    assert len(checker.year_spending) == (2 if overrides["run__weeks"] > 52 else 1)


@pytest.mark.parametrize("seed", [11, 12])
def test_invariants_hold_across_seeds(small_model, phase_hook, seed):
    run_checked(small_model(seed=seed, run__weeks=30, city__population=3000), phase_hook)


def test_littles_law_at_the_office(small_model, series):
    """Time-average queue = arrival rate x mean wait, after warm-up, with utilisation < 1."""
    model = small_model(run__weeks=300, office__assessment_share=1.0)
    model.run()
    warm = 52
    utilisation = np.nanmean(series(model, "office_utilisation")[warm:])
    assert utilisation < 0.9, "the office must be stable for Little's law"
    queue = series(model, "mean_queue_length")[warm:].mean()
    arrivals = series(model, "arrivals_per_week")[warm:].mean()
    wait = (
        series(model, "wait_total_weeks")[warm:].sum()
        / series(model, "assessments_started")[warm:].sum()
    )
    assert arrivals > 1.0 and wait > 0.0
    assert queue == pytest.approx(arrivals * wait, rel=0.10)


def test_budget_binding_rations_services(small_model, series, phase_hook):
    common = {"run__weeks": 60, "office__assessment_share": 1.0}
    default = small_model(**common)
    cut = small_model(**common, municipality__budget_multiplier=0.05)
    checker = run_checked(cut, phase_hook)
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


def test_out_of_pocket_indicator_is_what_families_paid(small_model, series):
    """out_of_pocket_eur = (private care bought in the coverage phase + family share of
    residential care) x weight, every week."""
    model = small_model(run__weeks=104, city__population=20_000)
    paid = []
    while model.running:
        model.step()
        paid.append(model.coverage.out_of_pocket + model.residential.family_residential)
    reported = series(model, "out_of_pocket_eur")
    np.testing.assert_allclose(reported, np.array(paid) * model.citizens.weight, rtol=1e-9)


def test_staff_are_paid_when_the_budget_covers_them(small_model, series):
    model = small_model(
        run__weeks=52,
        city__population=10_000,
        municipality__budget_multiplier=0.5,
        providers__hours_per_1000=[60.0, 80.0, 40.0],
        helpseeking__awareness=0.9,
        office__assessment_share=1.0,
    )
    weekly_staff = model.office.servers * model.office.salary
    assert model.municipality.annual_budget >= 3 * WEEKS_PER_YEAR * weekly_staff
    model.run()
    assert series(model, "spending_services_eur").sum() > 0
    np.testing.assert_allclose(
        series(model, "spending_staff_eur"), weekly_staff * model.citizens.weight, rtol=1e-9
    )
