"""Scenarios are values: a run never changes the scenario it was built from.

Policies change the model's own copy of the parameters as an overlay; two models built from one
``Scenario`` object start from the same week-0 values and give identical results.
"""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, replace

import numpy as np
import pytest

from willsim import WelfareModel
from willsim.policies import parse_policy
from willsim.results import wide
from willsim.scenario import Scenario, load_scenario, with_overrides

# budget-cut: a 20% cut from week 52 that never stops, so it is still active when the run ends
CUT = {"city.population": 3000, "run.weeks": 60, "run.mesa_citizens": False}
MULT = "municipality.budget_multiplier"


def _snapshot(scenario: Scenario) -> tuple[str, str]:
    return json.dumps(scenario.to_dict(), sort_keys=True, default=str), scenario.hash


def _run(model: WelfareModel) -> WelfareModel:
    model.run()
    model.release()
    return model


def test_a_run_leaves_its_scenario_unchanged_with_a_policy_active_at_the_end():
    scenario = load_scenario("budget-cut", CUT)
    before = _snapshot(scenario)
    model = _run(WelfareModel(scenario))
    assert model.params[MULT] == 0.8  # the cut is on in the model at the end ...
    assert scenario.params[MULT] == 1.0  # ... and not in the scenario
    assert _snapshot(scenario) == before
    assert model.scenario.params[MULT] == 1.0
    assert model.scenario.hash == scenario.hash
    assert model.policies.to_records()[0]["action"] == "start"  # the cut is in the policy log


def test_a_model_built_from_a_name_keeps_its_scenario_unchanged():
    model = WelfareModel("budget-cut", params=CUT)
    before = _snapshot(model.scenario)
    _run(model)
    assert _snapshot(model.scenario) == before
    assert model.params is not model.scenario.params


def test_two_models_from_one_scenario_object_give_identical_results():
    scenario = load_scenario("budget-cut", CUT)
    first = wide(_run(WelfareModel(scenario)))
    second = wide(_run(WelfareModel(scenario)))
    assert first.equals(second)
    assert first["budget_remaining_eur"].notna().all()


def test_explore_reset_starts_a_second_model_from_week_zero_values():
    """Explore's Reset builds a new model from the same resolved scenario object."""
    from willsim.app import state

    built = state.Built(load_scenario("budget-cut", {**CUT, "run.residents": 1000}))
    fresh = state.ExploreRun(built)
    capacity0 = fresh.model.services.capacity.copy()
    played = state.ExploreRun(built)
    played.advance(56)  # past the cut at week 52
    assert played.model.params[MULT] == 0.8
    reset = state.ExploreRun(built)
    assert reset.model.week == 0
    assert reset.model.params == built.scenario.params == fresh.model.params
    assert reset.model.params[MULT] == 1.0 and reset.model.municipality.multiplier == 1.0
    assert np.array_equal(reset.model.services.capacity, capacity0)
    for run in (fresh, played, reset):
        run.model.release()


def test_scenarios_are_frozen_and_with_overrides_always_copies():
    scenario = load_scenario("baseline")
    with pytest.raises(FrozenInstanceError):
        scenario.name = "other"  # type: ignore[misc]
    same = with_overrides(scenario, {})
    assert same is not scenario and same == scenario
    assert same.params is not scenario.params
    assert same.params["city.age_shares"] is not scenario.params["city.age_shares"]
    same.params["city.age_shares"][0] = 0.5
    assert scenario.params["city.age_shares"][0] != 0.5
    changed = with_overrides(scenario, {"office.assessment_hours": 3.0})
    assert changed.params["office.assessment_hours"] == 3.0
    assert scenario.params["office.assessment_hours"] != 3.0
    assert changed.policies is not scenario.policies


def test_to_dict_is_a_copy():
    scenario = load_scenario("budget-cut")
    data = scenario.to_dict()
    data["params"]["city.age_shares"][0] = 0.9
    data["policies"][0]["set"][MULT] = 0.1
    assert scenario.params["city.age_shares"][0] != 0.9
    assert scenario.policies[0]["set"][MULT] == 0.8


def _levers_by_week(policies: list[dict], weeks: int) -> list[float]:
    scenario = load_scenario("baseline", {**CUT, "run.weeks": weeks})
    scenario = replace(
        scenario, policies=[parse_policy(p, i).to_dict() for i, p in enumerate(policies)]
    )
    model = WelfareModel(scenario)
    seen = []
    for _ in range(weeks):
        model.step()
        seen.append(model.params[MULT])
    model.release()
    assert scenario.params[MULT] == 1.0
    return seen


def test_overlapping_policies_overlay_and_restore_in_order():
    """A starts at 2 (0.5), B at 4 (0.7); A stops at 8 while B still holds the lever, B at 12."""
    a = {"type": "budget", "label": "A", "start": 2, "stop": 8, "set": {MULT: 0.5}}
    b = {"type": "budget", "label": "B", "start": 4, "stop": 12, "set": {MULT: 0.7}}
    seen = _levers_by_week([a, b], 14)
    assert seen == [1.0, 1.0, 0.5, 0.5] + [0.7] * 8 + [1.0, 1.0]


def test_a_stop_logs_the_value_that_comes_back():
    a = {"type": "budget", "label": "A", "start": 2, "stop": 8, "set": {MULT: 0.5}}
    b = {"type": "budget", "label": "B", "start": 4, "stop": 12, "set": {MULT: 0.7}}
    scenario = load_scenario("baseline", {**CUT, "run.weeks": 14})
    scenario = replace(scenario, policies=[parse_policy(p).to_dict() for p in (a, b)])
    model = _run(WelfareModel(scenario))
    records = model.policies.to_records()
    assert [(r["week"], r["policy"], r["action"], r["values"]) for r in records] == [
        (2, "A", "start", {MULT: 0.5}),
        (4, "B", "start", {MULT: 0.7}),
        (8, "A", "stop", {MULT: 0.7}),  # B still holds the lever
        (12, "B", "stop", {MULT: 1.0}),
    ]
    json.dumps(records)  # plain data, ready for a manifest
