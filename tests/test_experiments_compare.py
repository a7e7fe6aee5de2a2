"""Paired comparisons on common random numbers, and the replication advisor."""

from __future__ import annotations

import numpy as np
import pytest

from willsim import load_scenario
from willsim.experiments.compare import (
    compare_table,
    group_table,
    replicates_needed,
    replication_advice,
    run_paired,
    t_interval,
)

SMALL = {"city.population": 3000, "run.weeks": 15, "run.mesa_citizens": False}


def test_identical_scenarios_give_zero_paired_difference():
    runs = run_paired(["baseline", "baseline"], replicates=3, overrides=SMALL, seed=5)
    assert len(set(runs.seeds)) == 3
    seeds = runs.summaries.groupby("scenario")["seed"].apply(lambda s: sorted(set(s)))
    assert all(list(v) == sorted(runs.seeds) for v in seeds)  # common random numbers
    table = compare_table(runs)
    other = table[table["scenario"] != runs.scenarios[0]]
    assert len(other) > 0
    assert np.allclose(other["diff"].fillna(0), 0.0)
    assert np.allclose(other[["ci_low", "ci_high"]].fillna(0), 0.0)
    assert not other["robust"].any()
    assert all(s.startswith("the same") for s in other["summary"])
    groups = group_table(runs)
    assert set(groups["verdict"]) == {"no clear change"}


def test_a_real_difference_is_robust_and_attributed_to_groups():
    slow = load_scenario("baseline", {**SMALL, "office.assessment_hours": 6.0})
    runs = run_paired(["baseline", slow], replicates=4, overrides=SMALL, seed=5, workers=2)
    table = compare_table(runs, indicators=["mean_wait_weeks"])
    row = table.iloc[1]
    assert row["diff"] > 0 and row["ci_low"] > 0 and row["robust"]
    assert row["summary"].startswith("higher wait for assessment in 4 of 4 paired runs")
    advice = replication_advice(table, relative=0.05)
    assert advice["replicates_needed"].iloc[0] >= 2
    groups = group_table(runs, indicators=["mean_wait_weeks"])
    assert "loses" in set(groups["verdict"])  # longer waits are a loss for someone


def test_t_interval_and_advisor():
    mean, low, hi = t_interval(np.array([1.0, 2.0, 3.0, 4.0]))
    assert mean - low == pytest.approx(hi - mean)
    assert mean == pytest.approx(2.5)
    assert hi - mean == pytest.approx(3.182446 * np.std([1, 2, 3, 4], ddof=1) / 2, rel=1e-5)
    n = replicates_needed(sd=1.0, half_width=0.5)
    assert n == 18  # t(0.975, 17) * 1 / sqrt(18) = 0.497
    assert replicates_needed(sd=0.0, half_width=0.1) == 2
