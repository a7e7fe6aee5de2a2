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
