"""The office of a running model is an M/M/c queue: mean wait matches Erlang C within 5%.

Runs the bundled ``validation/office_mmc`` scenario (exogenous Poisson requests, exponential
assessment, c social workers) for several (c, utilisation) pairs, averaging a few seeds.
"""

from __future__ import annotations

import numpy as np
import pytest

from willsim import WelfareModel
from willsim.analytics import mmc_metrics
from willsim.results import summary

WARMUP = 50


def run_office(servers: int, rho: float, weeks: int, seed: int) -> dict[str, float]:
    mu = 6.0  # assessments per week per social worker: 36 h/week / 6 h each
    lam = rho * servers * mu
    model = WelfareModel(
        "validation/office_mmc",
        seed=seed,
        run__weeks=weeks,
        office__social_workers=servers,
        office__exogenous_requests=lam,
    )
    model.run()
    col = model.collector
    from willsim.collector import OVERALL_KEYS

    k = {key: i for i, key in enumerate(OVERALL_KEYS)}
    o = col.overall[WARMUP:]
    out = {
        "lam": lam,
        "mu": mu,
        "wait": o[:, k["wait_total_weeks"]].sum() / o[:, k["assessments_started"]].sum(),
        "queue": o[:, k["mean_queue_length"]].mean(),
        "arrivals": o[:, k["arrivals_per_week"]].mean(),
        "utilisation": o[:, k["office_utilisation"]].mean(),
        "summary": summary(model),
    }
    model.release()
    return out


@pytest.mark.parametrize(
    "servers,rho,weeks",
    [(1, 0.5, 3000), (2, 0.8, 3000), (5, 0.8, 2000), (10, 0.9, 2000), (20, 0.85, 1500)],
)
def test_mean_wait_matches_erlang_c(servers, rho, weeks):
    runs = [run_office(servers, rho, weeks, seed) for seed in (11, 12)]
    expected = mmc_metrics(runs[0]["lam"], runs[0]["mu"], servers)
    wait = np.mean([r["wait"] for r in runs])
    assert wait == pytest.approx(expected["wq"], rel=0.05)
    # Little's law: time-average queue = arrival rate x mean wait
    queue = np.mean([r["queue"] for r in runs])
    arrivals = np.mean([r["arrivals"] for r in runs])
    assert queue == pytest.approx(arrivals * wait, rel=0.05)
    assert np.mean([r["utilisation"] for r in runs]) == pytest.approx(rho, rel=0.03)


def test_bundled_validation_scenario_is_the_documented_queue():
    model = WelfareModel("validation/office_mmc", run__weeks=300)
    assert model.office.servers == 5
    assert model.office.service_rate == pytest.approx(6.0)
    assert mmc_metrics(24.0, 6.0, 5)["wq"] == pytest.approx(0.0923, abs=1e-4)
    model.run()
    result = summary(model)
    assert result["arrivals_per_week"] == pytest.approx(24.0, rel=0.03)
    assert result["mean_wait_weeks"] == pytest.approx(0.0923, rel=0.3)
    assert model.helpseeking.requests.sum() == 0  # residents' own requests are switched off
    model.release()


def test_pooling_shortens_waits():
    pooled = run_office(2, 0.5, 1500, seed=5)["wait"]
    single = run_office(1, 0.5, 1500, seed=5)["wait"]
    assert pooled < single


# --- the office under sampling --------------------------------------------------------------


def test_capacity_is_continuous_in_staff():
    """round(c) desks at c / round(c) of a worker's rate: total capacity is exactly c."""
    from willsim.mechanisms.office import desks

    for capacity in (0.3, 0.5, 1.0, 4.49, 4.51, 24.26, 36.0):
        servers, share = desks(capacity)
        assert servers == max(1, round(capacity))
        assert servers * share == pytest.approx(capacity)
    assert desks(0.0) == (0, 1.0)


@pytest.mark.parametrize("residents", [2000, 5000, 20_000, None])
def test_a_sampled_office_is_the_city_office(residents):
    """Whatever the sample, the queue has the city's desks and capacity: one more social worker
    is one more desk (before: round(staff / weight) servers, 1 for 24 to 36 workers at 5,000)."""
    for staff in (24, 25, 36):
        sample = {} if residents is None else {"run__residents": residents}
        model = WelfareModel(
            "baseline",
            run__weeks=1,
            run__mesa_citizens=False,
            office__social_workers=staff,
            **sample,
        )
        office = model.office
        assert office.servers == staff
        assert office.servers * office.queue.service_rate == pytest.approx(
            staff * office.service_rate
        )
        # payroll and the reported staff stay per simulated resident
        assert office.staff * model.citizens.weight == pytest.approx(staff)
        model.release()


def test_shadow_requests_follow_the_simulated_residents_expected_requests():
    """Over a year the shadow requests are (weight - 1) times the simulated residents' requests,
    within Poisson noise of the shadow draw and of the requests themselves (4 SD). 10,000
    simulated residents: after the status-quo burn-in a year of 5,000 asks fewer than the 300
    requests the comparison needs (295 at seed 2)."""
    model = WelfareModel("baseline", seed=2, run__weeks=52, run__residents=10000)
    w = model.citizens.weight
    simulated = shadows = 0
    for _ in range(52):
        model.step()
        simulated += int(model.helpseeking.requests.sum())
        shadows += model.office.shadow_arrivals
    expected = (w - 1.0) * simulated
    sd = np.sqrt((w - 1.0) * simulated + (w - 1.0) ** 2 * simulated)
    assert simulated > 300
    assert abs(shadows - expected) < 4 * sd
    # the published counts are per simulated resident: arrivals scale back to the city's
    assert model.office.arrivals == pytest.approx(model.office.this_week.arrivals / w)
    model.release()


def test_shadow_stream_draws_one_number_a_week():
    """Common random numbers: the shadow stream is where it would be whatever the staffing."""
    states = []
    for staff in (20, 40):
        model = WelfareModel(
            "baseline", seed=3, run__weeks=10, run__residents=5000, office__social_workers=staff
        )
        model.run()
        states.append(model.streams["shadow"].bit_generator.state)
        model.release()
    assert states[0] == states[1]


SWITCH, MEASURED_FROM, WEEKS = 104, 130, 208  # staff change at week 104; waits from week 130
LEVER_SEEDS = (1, 2, 3, 4, 5, 6)
TARGET_LOAD = 0.92  # the lowest staffing of the test loads the office at about this share


def lever_run(residents: int | None, staff: float, seed: int) -> tuple[float, float]:
    """Mean wait for assessment and city arrivals per week over weeks 130-207 of a baseline run
    whose staff change to ``staff`` at week 104 (after the start-up surge has cleared)."""
    from dataclasses import replace

    from willsim.policies import parse_policy
    from willsim.scenario import load_scenario

    layer: dict[str, object] = {"run.weeks": WEEKS, "run.mesa_citizens": False, "run.seed": seed}
    if residents:
        layer["run.residents"] = residents
    scenario = load_scenario("baseline", layer, calibrated=False)  # the office as designed
    if staff:
        policy = {"type": "staffing", "start": SWITCH, "set": {"office.social_workers": staff}}
        scenario = replace(scenario, policies=[parse_policy(policy, 0).to_dict()])
    model = WelfareModel(scenario)
    waits = started = arrivals = 0.0
    for week in range(WEEKS):
        model.step()
        if week >= MEASURED_FROM:
            office = model.office
            waits += office.wait_total
            started += office.assessments_started
            arrivals += office.arrivals * model.citizens.weight
    model.release()
    return waits / started, arrivals / (WEEKS - MEASURED_FROM)


@pytest.mark.slow
def test_every_social_worker_shortens_the_wait_at_any_sample_size():
    """Staffing is a continuous lever under sampling, and a sampled city waits like the city.

    The staff levels S, S+1, S+2 load the office at about 0.91, 0.86 and 0.81 (S from the
    city's arrivals measured at 20,000 residents with the default staff). On six common seeds:
    - at 2,000, 5,000 and 20,000 residents each extra worker shortens the wait: the paired
      log-ratio of the waits is below zero by more than 2 standard errors;
    - at S+2 the mean wait of each sample size is within 3 combined standard errors of the
      full city's. Measured (issue 12): 0.015 +/- 0.006 (2,000), 0.014 +/- 0.003 (5,000),
      0.009 +/- 0.001 (20,000) against 0.011 +/- 0.001 weeks for the full city; at 5,000 and
      20,000 the comparison is informative (combined SE under half the full city's wait). Nearer
      saturation a sample's own demand error (about 3% at 5,000 residents) moves the wait more:
      at S, 0.152 +/- 0.052 (5,000) against 0.048 +/- 0.003 (full city).
    """
    pilot = [lever_run(20_000, 0, seed) for seed in (1, 2)]
    lam = float(np.mean([arrivals for _, arrivals in pilot]))
    model = WelfareModel("baseline", run__weeks=1, run__mesa_citizens=False)
    mu = model.office.service_rate
    model.release()
    low = int(np.ceil(lam / (TARGET_LOAD * mu)))
    levels = (low, low + 1, low + 2)

    def se(x: np.ndarray) -> float:
        return float(np.std(x, ddof=1) / np.sqrt(len(x)))

    full = np.array([lever_run(None, levels[2], seed)[0] for seed in LEVER_SEEDS])
    for residents in (2000, 5000, 20_000):
        waits = np.array(
            [[lever_run(residents, staff, seed)[0] for seed in LEVER_SEEDS] for staff in levels]
        )
        assert (waits > 0).all(), residents
        for step in np.diff(np.log(waits), axis=0):
            assert step.mean() + 2 * se(step) < 0, (residents, levels, waits.mean(axis=1))
        combined = np.hypot(se(waits[2]), se(full))
        gap = abs(waits[2].mean() - full.mean())
        assert gap <= 3 * combined, (residents, waits[2].mean(), full.mean(), combined)
        if residents >= 20_000:  # below, a sample's own demand error dominates (ODD 7.3)
            assert combined < 0.5 * full.mean(), (residents, combined, full.mean())
