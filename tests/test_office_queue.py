"""The social office queue: exact FCFS dynamics, Erlang C, Little's law, invariants.

Time unit: one week. Arrivals are Poisson(λ) per week with uniform times within the week, which
is exactly a Poisson process of rate λ, so the office must behave as an M/M/c queue.
"""

from __future__ import annotations

import heapq

import numpy as np
import pytest

from willsim.analytics import mmc_metrics
from willsim.mechanisms.office_queue import OfficeQueue, QueueWeek


def poisson_week(rng: np.random.Generator, week: int, lam: float) -> np.ndarray:
    """Arrival times of a rate-λ Poisson process on [week, week + 1), unsorted."""
    n = int(rng.poisson(lam))
    return week + rng.random(n)


def run_queue(
    c: int, mu: float, lam: float, weeks: int, seed: int
) -> tuple[OfficeQueue, list[QueueWeek], list[np.ndarray]]:
    """Run an office for ``weeks`` weeks; items are 0, 1, 2... in the order of the input arrays."""
    arr_rng = np.random.default_rng(seed)
    q = OfficeQueue(c, mu, np.random.default_rng(seed + 10_000))
    out: list[QueueWeek] = []
    arrivals: list[np.ndarray] = []
    next_id = 0
    for w in range(weeks):
        t = poisson_week(arr_rng, w, lam)
        out.append(q.step(w, t, np.arange(next_id, next_id + t.size)))
        arrivals.append(t)
        next_id += t.size
    return q, out, arrivals


# --------------------------------------------------------------------------- exactness


def fcfs_reference(c: int, mu: float, arrivals: np.ndarray, seed: int) -> np.ndarray:
    """Waits from the plain continuous-time FCFS recursion, with no weekly boundaries.

    Uses the same service draws as the office (k-th started case gets the k-th standard
    exponential of its generator, scaled by 1/μ).
    """
    service = np.random.default_rng(seed).standard_exponential(arrivals.size) / mu
    free = [-np.inf] * c
    waits = np.empty(arrivals.size)
    for i, (a, s) in enumerate(zip(arrivals.tolist(), service.tolist(), strict=True)):
        start = max(a, free[0])
        heapq.heapreplace(free, start + s)
        waits[i] = start - a
    return waits


@pytest.mark.parametrize(("c", "mu", "lam"), [(1, 60.0, 45.0), (3, 1000.0, 2850.0), (8, 4.0, 30.0)])
def test_weekly_steps_equal_continuous_fcfs(c: int, mu: float, lam: float) -> None:
    """Cutting time into weeks changes nothing: waits equal the uninterrupted FCFS recursion.

    (3, 1000, 2850) runs at ρ = 0.95 with ~2,850 arrivals a week, so the line spans several
    internal chunks; (8, 4, 30) has services longer than a week.
    """
    seed = 11
    _, weeks, arrivals = run_queue(c, mu, lam, 120, seed)
    all_arr = np.concatenate([np.sort(a) for a in arrivals])
    waits = np.concatenate([r.started_waits for r in weeks])
    assert waits.size > 0.9 * all_arr.size
    ref = fcfs_reference(c, mu, all_arr, seed + 10_000)
    np.testing.assert_allclose(waits, ref[: waits.size], rtol=0, atol=1e-9)


# --------------------------------------------------------------------------- Erlang C

WARMUP = 20
LAM = 2000.0
# (c, rho, weeks) at λ = 2,000 a week. Lengths come from 31-seed replications of this fixture:
# the standard deviation of the relative error of W_q scales as 1/sqrt(cases) and was about
# 1.0% (c=1), 1.1% (c=2, c=5) at 0.4M-1.5M cases, 1.4% (c=10) at 6M and 1.7% (c=20) at 5M;
# the lengths below put the 5% tolerance at >= ~4.4 standard deviations.
ERLANG_CASES = [
    (1, 0.5, 300),
    (2, 0.8, 1000),
    (5, 0.7, 1000),
    (10, 0.9, 5000),
    (20, 0.85, 5500),
]


@pytest.fixture(scope="module")
def erlang_runs() -> dict[tuple[int, float], dict[str, float]]:
    results = {}
    for c, rho, weeks in ERLANG_CASES:
        mu = LAM / (c * rho)
        arr_rng = np.random.default_rng(2024 + c)
        q = OfficeQueue(c, mu, np.random.default_rng(4048 + c))
        sum_w = 0.0
        n_started = 0
        n_waited = 0
        q_int = 0.0
        busy = 0.0
        for w in range(weeks + WARMUP):
            t = poisson_week(arr_rng, w, LAM)
            r = q.step(w, t, np.zeros(t.size, dtype=np.int64))
            if w >= WARMUP:
                sum_w += float(r.started_waits.sum())
                n_started += r.started_waits.size
                n_waited += int(np.count_nonzero(r.started_waits > 0))
                q_int += r.queue_time_integral
                busy += r.busy_time
        results[(c, rho)] = {
            "mu": mu,
            "wq": sum_w / n_started,
            "p_wait": n_waited / n_started,
            "lq": q_int / weeks,
            "util": busy / (c * weeks),
            "n": n_started,
        }
    return results


@pytest.mark.parametrize(("c", "rho", "weeks"), ERLANG_CASES)
def test_mean_wait_matches_erlang_c(erlang_runs, c: int, rho: float, weeks: int) -> None:
    sim = erlang_runs[(c, rho)]
    theory = mmc_metrics(LAM, sim["mu"], c)
    assert sim["n"] > 0.99 * LAM * weeks
    assert sim["wq"] == pytest.approx(theory["wq"], rel=0.05)
    assert sim["p_wait"] == pytest.approx(theory["p_wait"], rel=0.03)


@pytest.mark.parametrize(("c", "rho", "weeks"), ERLANG_CASES)
def test_littles_law_and_utilisation(erlang_runs, c: int, rho: float, weeks: int) -> None:
    sim = erlang_runs[(c, rho)]
    theory = mmc_metrics(LAM, sim["mu"], c)
    # L_q = λ W_q from the simulation's own time-average queue and mean wait
    assert sim["lq"] == pytest.approx(LAM * sim["wq"], rel=0.05)
    assert sim["lq"] == pytest.approx(theory["lq"], rel=0.05)
    assert sim["util"] == pytest.approx(rho, rel=0.03)


def test_pooling_beats_separate_queues() -> None:
    """c = 2 pooled at a = 1 (W_q = 1/3 service times) vs two M/M/1 at ρ = 0.5 (W_q = 1)."""
    mu, lam, weeks = 1000.0, 1000.0, 300
    arr_rng = np.random.default_rng(5)
    pooled = OfficeQueue(2, mu, np.random.default_rng(6))
    left = OfficeQueue(1, mu, np.random.default_rng(7))
    right = OfficeQueue(1, mu, np.random.default_rng(8))
    w_pooled: list[np.ndarray] = []
    w_split: list[np.ndarray] = []
    for w in range(weeks):
        t = poisson_week(arr_rng, w, lam)
        ids = np.arange(t.size)
        to_left = arr_rng.random(t.size) < 0.5  # random split: each side is Poisson(λ/2)
        w_pooled.append(pooled.step(w, t, ids).started_waits)
        w_split.append(left.step(w, t[to_left], ids[to_left]).started_waits)
        w_split.append(right.step(w, t[~to_left], ids[~to_left]).started_waits)
    wq_pooled = np.concatenate(w_pooled).mean() * mu  # in service times
    wq_split = np.concatenate(w_split).mean() * mu
    assert wq_pooled < 0.5 * wq_split
    assert wq_pooled == pytest.approx(mmc_metrics(1.0, 1.0, 2)["wq"], rel=0.1)  # 1/3
    assert wq_split == pytest.approx(mmc_metrics(0.5, 1.0, 1)["wq"], rel=0.1)  # 1.0


# --------------------------------------------------------------------------- invariants


def test_conservation_fcfs_and_timing() -> None:
    """Every week: arrived = completed + in service + waiting; FCFS starts; causal times."""
    c, mu, lam, n_weeks = 4, 3.0, 11.0, 200  # ρ ≈ 0.92, services last a third of a week
    arr_rng = np.random.default_rng(3)
    q = OfficeQueue(c, mu, np.random.default_rng(4))
    arrival_of: dict[int, float] = {}
    start_of: dict[int, float] = {}
    started_order: list[int] = []
    completed: set[int] = set()
    arrived = 0
    last_start = -np.inf
    for w in range(n_weeks):
        if w == 80:
            q.servers = 2  # staff cut while busy
        if w == 120:
            q.servers = 6
        t = poisson_week(arr_rng, w, lam)
        ids = np.arange(arrived, arrived + t.size)
        arrival_of.update(zip(ids.tolist(), t.tolist(), strict=True))
        arrived += t.size
        r = q.step(w, t, ids)

        assert r.arrivals == t.size
        assert arrived == q.total_completed + r.in_service + r.waiting
        assert (r.waiting, r.in_service) == (q.n_waiting, q.n_in_service)
        assert len(q) == r.waiting + r.in_service
        # starts: within the week, non-decreasing, never before arrival, waits consistent
        st = r.started_times
        assert np.all((st >= w) & (st < w + 1))
        assert np.all(np.diff(st) >= 0) and (st.size == 0 or st[0] >= last_start)
        last_start = st[-1] if st.size else last_start
        assert np.all(r.started_waits >= 0)
        arr_started = np.array([arrival_of[i] for i in r.started_items.tolist()])
        np.testing.assert_allclose(st - r.started_waits, arr_started, rtol=0, atol=1e-12)
        for i, s in zip(r.started_items.tolist(), st.tolist(), strict=True):
            start_of[i] = s
        started_order.extend(r.started_items.tolist())
        # completions: within the week, in order, after their start, each exactly once
        ct = r.completed_times
        assert np.all((ct >= w) & (ct < w + 1)) and np.all(np.diff(ct) >= 0)
        for i, f in zip(r.completed_items.tolist(), ct.tolist(), strict=True):
            assert i not in completed and f >= start_of[i]
            completed.add(i)
        # capacity: busy time can't exceed the workers present (incl. departing ones)
        assert 0.0 <= r.busy_time <= max(c, 6) + 1e-9
        assert r.in_service <= 6
        if w < 80:
            assert r.in_service <= c

    # FCFS: cases start in arrival order (ties impossible with continuous times)
    by_arrival = sorted(arrival_of, key=arrival_of.__getitem__)
    assert started_order == by_arrival[: len(started_order)]
    np.testing.assert_array_equal(q.waiting_items, by_arrival[len(started_order) :])
    assert q.total_started == len(started_order) == len(completed) + q.n_in_service


def test_queue_time_integral_and_busy_time_by_hand() -> None:
    q = OfficeQueue(1, 1.0, np.random.default_rng(0))
    q.servers = 0
    r0 = q.step(0, np.array([0.5, 0.25]), np.array([10, 20]))
    assert r0.started_items.size == 0 and r0.busy_time == 0.0
    assert r0.queue_time_integral == pytest.approx(0.5 + 0.75)
    np.testing.assert_array_equal(q.waiting_items, [20, 10])  # sorted by arrival time
    np.testing.assert_array_equal(q.waiting_arrivals, [0.25, 0.5])
    r1 = q.step(1, np.array([]), np.array([], dtype=np.int64))
    assert r1.queue_time_integral == pytest.approx(2.0) and r1.waiting == 2
    q.servers = 1  # a new worker is free at once (start of week 2)
    r2 = q.step(2, np.array([2.5]), np.array([30]))
    assert r2.started_items[0] == 20 and r2.started_times[0] == 2.0
    assert r2.started_waits[0] == pytest.approx(1.75)
    # busy time = time covered by this week's cases, cut at the week's end
    start = dict(zip(r2.started_items.tolist(), r2.started_times.tolist(), strict=True))
    end = dict.fromkeys(start, 3.0)
    end.update(zip(r2.completed_items.tolist(), r2.completed_times.tolist(), strict=True))
    assert r2.busy_time == pytest.approx(sum(end[i] - start[i] for i in start))
    assert 0.0 < r2.busy_time <= 1.0


def test_zero_servers_nothing_starts() -> None:
    q = OfficeQueue(0, 5.0, np.random.default_rng(1))
    arr_rng = np.random.default_rng(2)
    total = 0
    for w in range(10):
        t = poisson_week(arr_rng, w, 20.0)
        r = q.step(w, t, np.arange(total, total + t.size))
        total += t.size
        assert r.started_items.size == 0 and r.completed_items.size == 0
        assert r.busy_time == 0.0 and r.in_service == 0 and r.waiting == total
    # the integral over the last week: everyone waits all week except the new arrivals
    assert r.queue_time_integral == pytest.approx(total - t.size + float((w + 1 - t).sum()))
    oldest = q.waiting_items[:3].copy()
    np.testing.assert_array_equal(np.diff(q.waiting_arrivals) >= 0, True)
    q.servers = 3
    r = q.step(10, np.array([]), np.array([], dtype=np.int64))
    np.testing.assert_array_equal(r.started_items[:3], oldest)  # the oldest start first
    np.testing.assert_array_equal(r.started_times[:3], [10.0, 10.0, 10.0])


def test_no_arrivals_and_empty_office() -> None:
    q = OfficeQueue(2, 5.0, np.random.default_rng(1))
    for w in range(3):
        r = q.step(w, np.empty(0), np.empty(0, dtype=np.int64))
        assert r.arrivals == 0 and r.waiting == 0 and r.in_service == 0
        assert r.queue_time_integral == 0.0 and r.busy_time == 0.0
        assert r.started_items.dtype == np.int64 and r.completed_times.dtype == np.float64


def test_many_arrivals_in_one_week() -> None:
    q = OfficeQueue(50, 100.0, np.random.default_rng(9))
    t = 7 + np.random.default_rng(10).random(60_000)
    r = q.step(7, t, np.arange(t.size))
    assert r.arrivals == 60_000
    assert 4_000 < r.started_items.size < 6_000  # about c·μ = 5,000 assessments a week
    assert r.started_items.size == r.completed_items.size + r.in_service
    assert r.waiting == 60_000 - r.started_items.size
    assert r.busy_time == pytest.approx(50.0, rel=0.01)  # all workers busy almost all week


def test_unsorted_input_is_sorted_stably() -> None:
    t = 3 + np.random.default_rng(0).random(500)
    perm = np.random.default_rng(1).permutation(500)
    a = OfficeQueue(2, 300.0, np.random.default_rng(5)).step(3, t, np.arange(500))
    b = OfficeQueue(2, 300.0, np.random.default_rng(5)).step(3, t[perm], perm)
    np.testing.assert_array_equal(a.started_items, b.started_items)
    np.testing.assert_array_equal(a.started_times, b.started_times)
    np.testing.assert_array_equal(a.completed_items, b.completed_items)
    # equal times keep input order
    r = OfficeQueue(0, 1.0, np.random.default_rng(0))
    r.step(0, np.array([0.5, 0.2, 0.5, 0.5]), np.array([1, 2, 3, 4]))
    np.testing.assert_array_equal(r.waiting_items, [2, 1, 3, 4])


def test_determinism() -> None:
    def trace(seed: int) -> list[np.ndarray]:
        _, weeks, _ = run_queue(3, 4.0, 10.0, 60, seed)
        out = [x for r in weeks for x in (r.started_items, r.started_waits, r.completed_times)]
        return [*out, np.array([(r.queue_time_integral, r.busy_time) for r in weeks])]

    a, b, other = trace(42), trace(42), trace(43)
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert any(
        x.shape != y.shape or not np.array_equal(x, y) for x, y in zip(a, other, strict=False)
    )


def test_withdraw_removes_only_waiting_cases() -> None:
    q = OfficeQueue(2, 2.0, np.random.default_rng(0))
    t = np.sort(np.random.default_rng(1).random(30))
    q.step(0, t, np.arange(30))
    in_service = q.in_service_items.copy()
    waiting = q.waiting_items.copy()
    assert in_service.size == 2 and waiting.size > 10
    request = np.array([in_service[0], waiting[0], waiting[5], 999, waiting[5]])
    mask = q.withdraw(request)
    np.testing.assert_array_equal(mask, [False, True, True, False, True])
    np.testing.assert_array_equal(q.in_service_items, in_service)
    np.testing.assert_array_equal(q.waiting_items, np.delete(waiting, [0, 5]))
    assert q.total_withdrawn == 2
    assert not q.withdraw(np.array([], dtype=np.int64)).size
    # withdrawn cases never start; the rest keep FCFS order; conservation with withdrawals
    started = []
    for w in range(1, 30):
        r = q.step(w, np.empty(0), np.empty(0, dtype=np.int64))
        started.extend(r.started_items.tolist())
    assert waiting[0] not in started and waiting[5] not in started
    assert started == np.delete(waiting, [0, 5]).tolist()
    assert q.total_completed + q.n_in_service + q.n_waiting + q.total_withdrawn == 30


def test_state_arrays_are_read_only() -> None:
    q = OfficeQueue(1, 1.0, np.random.default_rng(0))
    r = q.step(0, np.array([0.1, 0.2, 0.3]), np.array([1, 2, 3]))
    with pytest.raises(ValueError):
        q.waiting_items[0] = 7
    with pytest.raises(ValueError):
        r.started_waits[0] = 1.0


def test_servers_increase_free_at_once() -> None:
    q = OfficeQueue(1, 0.01, np.random.default_rng(0))  # services last ~100 weeks
    q.step(0, np.linspace(0.1, 0.9, 10), np.arange(10))
    assert q.n_in_service == 1
    q.servers = 4
    r = q.step(1, np.empty(0), np.empty(0, dtype=np.int64))
    np.testing.assert_array_equal(r.started_items[:3], [1, 2, 3])
    np.testing.assert_array_equal(r.started_times[:3], [1.0, 1.0, 1.0])
    assert np.all(r.started_times[3:] > 1.0)  # later starts only when a case completes
    assert r.started_items.size == 3 + r.completed_items.size


def test_servers_reduced_while_busy() -> None:
    """Departing workers finish their current case but take no new one."""
    mu = 1.5
    q = OfficeQueue(5, mu, np.random.default_rng(3))
    q.step(0, np.linspace(0.0, 0.01, 200), np.arange(200))  # long line, all 5 busy
    assert q.n_in_service == 5
    busy_items = q.in_service_items.copy()
    busy_starts = q.in_service_starts.copy()
    kept = busy_items[np.argsort(busy_starts, kind="stable")[3:]]  # latest starts stay
    q.servers = 2
    assert q.servers == 2 and q.n_in_service == 5
    finish: dict[int, float] = {}
    started: list[tuple[float, int]] = []
    for w in range(1, 40):
        r = q.step(w, np.empty(0), np.empty(0, dtype=np.int64))
        finish.update(zip(r.completed_items.tolist(), r.completed_times.tolist(), strict=True))
        started.extend(zip(r.started_times.tolist(), r.started_items.tolist(), strict=True))
        assert r.busy_time <= 5.0 + 1e-9
    assert all(int(i) in finish for i in busy_items)  # all five old cases completed
    # the first new case starts exactly when the first kept worker frees up
    assert started[0][0] == pytest.approx(min(finish[int(i)] for i in kept))
    # with the two departing workers gone from the roster, at most 2 cases run at once
    # (the 2 kept old cases from week 1, then the new ones); a start may coincide with a finish
    events = [(1.0, 1)] * kept.size + [(finish[int(i)], -1) for i in kept]
    for s, i in started:
        events += [(s, 1), (finish.get(i, np.inf), -1)]
    events.sort()  # at equal times, finishes (-1) before starts (+1)
    assert max(np.cumsum([d for _, d in events])) == 2
    # reducing to zero: running cases still complete, nothing new starts
    q.servers = 0
    n_run = q.n_in_service
    done = 0
    for w in range(40, 80):
        r = q.step(w, np.empty(0), np.empty(0, dtype=np.int64))
        assert r.started_items.size == 0
        done += r.completed_items.size
    assert done == n_run and q.n_in_service == 0


def test_service_rate_change_applies_to_cases_started_later() -> None:
    """Service times are the k-th standard exponential over the rate in force at the start:
    a case in service keeps its finish time, later cases use the new rate."""
    draws = np.random.default_rng(5).standard_exponential(2)
    q = OfficeQueue(1, 2.0, np.random.default_rng(5))
    starts: dict[int, float] = {}
    ends: dict[int, float] = {}

    def week(w: int, times: list[float], items: list[int]) -> None:
        r = q.step(w, np.array(times), np.array(items, dtype=np.int64))
        starts.update(zip(r.started_items.tolist(), r.started_times.tolist(), strict=True))
        ends.update(zip(r.completed_items.tolist(), r.completed_times.tolist(), strict=True))

    week(0, [0.0], [1])
    q.service_rate = 0.5
    assert q.service_rate == 0.5
    week(1, [1.0], [2])
    for w in range(2, 200):
        week(w, [], [])
    assert ends[1] - starts[1] == pytest.approx(draws[0] / 2.0)
    assert starts[2] == pytest.approx(max(1.0, ends[1]))
    assert ends[2] - starts[2] == pytest.approx(draws[1] / 0.5)
    for bad in (0.0, -1.0, np.inf, np.nan):
        with pytest.raises(ValueError):
            q.service_rate = bad


def test_input_validation() -> None:
    q = OfficeQueue(1, 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        q.step(0, np.array([1.0]), np.array([1]))
    with pytest.raises(ValueError):
        q.step(0, np.array([0.5, np.nan]), np.array([1, 2]))
    with pytest.raises(ValueError, match="same length"):
        q.step(0, np.array([0.5]), np.array([1, 2]))
    q.step(0, np.array([0.5]), np.array([1]))
    with pytest.raises(ValueError, match="consecutive"):
        q.step(2, np.empty(0), np.empty(0, dtype=np.int64))
    with pytest.raises(ValueError):
        q.servers = -1
    with pytest.raises(ValueError):
        OfficeQueue(1, 0.0, np.random.default_rng(0))
    with pytest.raises(TypeError):
        OfficeQueue(1, 1.0, np.random.RandomState(0))  # type: ignore[arg-type]
