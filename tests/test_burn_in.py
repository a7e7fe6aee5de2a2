"""The burn-in: simulated under the status quo inside construction, never reported."""

from __future__ import annotations

import numpy as np
import pytest

from willsim.model import WelfareModel, status_quo_params
from willsim.scenario import load_scenario

SMALL = {"run.residents": 3000, "run.weeks": 4, "run.burn_in_weeks": 30}


def test_reported_weeks_start_at_zero_after_the_burn_in() -> None:
    model = WelfareModel("baseline", seed=3, params=SMALL)
    assert model.week == 0 and model.steps == 0 and model.collector.weeks_recorded == 0
    model.run()
    assert model.steps == 4 and model.week == 4
    assert model.collector.weeks_recorded == 4
    assert len(model.datacollector.get_model_vars_dataframe()) == 4


def test_the_burn_in_changes_the_start_state() -> None:
    cold = WelfareModel("baseline", seed=3, params={**SMALL, "run.burn_in_weeks": 0})
    warm = WelfareModel("baseline", seed=3, params=SMALL)
    assert not np.array_equal(cold.citizens.status, warm.citizens.status)


def test_two_strategies_share_the_burn_in() -> None:
    """Same seed, different strategies (policies and scenario levers): identical week 0."""
    a = WelfareModel("baseline", seed=5, params=SMALL)
    b = WelfareModel("proactive-platform", seed=5, params=SMALL)
    c = WelfareModel("ageing-city", seed=5, params=SMALL)  # scenario-layer levers
    for other in (b, c):
        for name in ("need_level", "status", "age_band", "residential", "neet", "aware"):
            assert np.array_equal(getattr(a.citizens, name), getattr(other.citizens, name)), name
    assert c.params["transitions.ageing_from_week"] == 0  # the scenario's value from week 0


def test_status_quo_reverts_only_scenario_levers() -> None:
    sc = load_scenario("ageing-city", overrides={"helpseeking.awareness": 0.9})
    sq = status_quo_params(sc)
    assert sq["transitions.ageing_from_week"] == -1  # a scenario lever: not in the burn-in
    assert sq["helpseeking.awareness"] == pytest.approx(0.9)  # an override: the status quo
    assert sq["run.weeks"] == sc.params["run.weeks"]
