"""EMA Workbench adapter: parameters and outcomes from the registries, seeded experiments, PRIM."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench")

from willsim.experiments import SpecError, ema
from willsim.params import PARAMETERS, ParameterError

SMALL = {"city.population": 2000, "run.weeks": 13, "run.mesa_citizens": False}


# --- parameters and outcomes ------------------------------------------------------------------


def test_parameters_take_the_registry_ranges_and_types():
    real, integer, flag, choice = ema.parameters(
        ["outreach.accept", "marketplace.providers", "outreach.take_charge", "outreach.targeting"]
    )
    accept = PARAMETERS["outreach.accept"]
    assert type(real).__name__ == "RealParameter"
    assert (real.name, real.lower_bound, real.upper_bound) == (
        "outreach__accept",
        accept.low,
        accept.high,
    )
    assert type(integer).__name__ == "IntegerParameter"
    assert (integer.lower_bound, integer.upper_bound) == (0, 1000)
    assert type(flag).__name__ == "BooleanParameter"
    assert type(choice).__name__ == "CategoricalParameter"
    assert {c.value for c in choice.categories} == set(PARAMETERS["outreach.targeting"].choices)


def test_parameters_accept_narrower_ranges_and_reject_bad_ones():
    (p,) = ema.parameters({"outreach.accept": (0.1, 0.4)})
    assert (p.lower_bound, p.upper_bound) == (0.1, 0.4)
    with pytest.raises(ParameterError, match=r"outreach\.accept"):
        ema.parameters({"outreach.accept": (0.1, 2.0)})  # outside the registry's [0, 1]
    with pytest.raises(ParameterError, match="low must be below high"):
        ema.parameters({"outreach.accept": (0.4, 0.1)})
    with pytest.raises(ParameterError, match="list of 6 numbers"):
        ema.parameters(["city.age_shares"])
    with pytest.raises(ParameterError, match="flag"):
        ema.parameters({"outreach.take_charge": (0, 1)})
    with pytest.raises(ParameterError, match="choices must be"):
        ema.parameters({"outreach.targeting": ["risk", "lottery"]})
    with pytest.raises(ParameterError, match=r"outreach\.accept"):
        ema.parameters(["outreach.acept"])  # close matches named


def test_outcomes_come_from_the_indicator_registry():
    assert ema.outcome_names(["unmet_need_share"], reference=True) == [
        "unmet_need_share",
        "ref_unmet_need_share",
        "delta_unmet_need_share",
    ]
    assert [o.name for o in ema.outcomes(["coverage"])] == ["coverage"]
    with pytest.raises(SpecError, match="Did you mean unmet_need_share"):
        ema.outcome_names(["unmet_need_shar"])


def test_build_model_rejects_conflicting_requests():
    with pytest.raises(SpecError, match="set by the policy"):
        ema.build_model(["outreach.hours_per_1000"], scenario="proactive-centralised")
    with pytest.raises(SpecError, match="more than once"):
        ema.build_model(["run.weeks"], fixed={"run.weeks": 13})
    with pytest.raises(SpecError, match="at least one uncertainty"):
        ema.build_model([])
    with pytest.raises(SpecError, match="replicates"):
        ema.build_model(["outreach.accept"], replicates=0)


def test_missing_ema_workbench_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # import fails as if not installed
    monkeypatch.delitem(sys.modules, "willsim.experiments.ema")
    fresh = importlib.import_module("willsim.experiments.ema")  # importable without it
    with pytest.raises(SpecError, match=r"pip install 'willsim\[ema\]'"):
        fresh.parameters(["outreach.accept"])


# --- running experiments ----------------------------------------------------------------------


def test_identical_policy_and_reference_differ_by_nothing_on_common_seeds():
    fn = ema.build_model(
        ["outreach.accept"],
        fixed=SMALL,
        reference="baseline",
        replicates=2,
        indicators=["unmet_need_share", "crises_per_1000"],
    ).function
    out = fn(outreach__accept=0.3)
    assert out["delta_unmet_need_share"] == 0.0 and out["delta_crises_per_1000"] == 0.0
    assert out["unmet_need_share"] == out["ref_unmet_need_share"] > 0


def test_experiments_are_latin_hypercube_reproducible_and_leave_numpy_alone():
    model = ema.build_model(
        {
            "outreach.accept": (0.0, 1.0),
            "outreach.hours_per_1000": (1, 9),
            "office.social_workers": (1, 3),
            "outreach.take_charge": None,
        },
        fixed={**SMALL, "run.weeks": 4},
        overrides={"outreach.enabled": True},
        indicators=["outreach_contacts"],
    )
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (checking EMA leaves it alone)
    x1, y1 = ema.run_experiments(model, scenarios=8, seed=3)
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    x2, y2 = ema.run_experiments(model, scenarios=8, seed=3)
    x3, _ = ema.run_experiments(model, scenarios=8, seed=4)
    pd.testing.assert_frame_equal(x1, x2)
    pd.testing.assert_frame_equal(y1, y2)
    assert not np.allclose(x1["outreach.accept"], x3["outreach.accept"])
    assert list(x1["scenario"]) == list(range(8))
    # one sample in each eighth of the range, per parameter
    strata = np.sort(np.floor(x1["outreach.accept"].to_numpy() * 8))
    assert np.array_equal(strata, np.arange(8))
    assert (y1["outreach_contacts"] > 0).all() and y1["outreach_contacts"].nunique() > 1
    assert set(x1["office.social_workers"]) <= {1, 2, 3}  # integers within their bounds
    assert x1["outreach.take_charge"].value_counts().to_dict() == {True: 4, False: 4}
    with pytest.raises(SpecError, match="valid: sequential, multiprocessing"):
        ema.run_experiments(model, scenarios=2, evaluator="threads")


# --- failures and PRIM ------------------------------------------------------------------------


def test_policy_fails_reads_the_good_direction_and_thresholds():
    out = pd.DataFrame(
        {
            "delta_unmet_need_share": [-0.1, -0.01, 0.0, 0.05],
            "delta_coverage": [0.1, 0.1, 0.1, -0.1],
            "mean_wait_weeks": [1.0, 1.0, 9.0, 1.0],
        }
    )
    assert ema.policy_fails(out, ["unmet_need_share"]).tolist() == [False, False, True, True]
    assert ema.policy_fails(out, ["unmet_need_share"], margin=0.05).tolist() == [
        False,
        True,
        True,
        True,
    ]
    assert ema.policy_fails(out, ["coverage"]).tolist() == [False, False, False, True]
    assert ema.policy_fails(out, above={"mean_wait_weeks": 4}).tolist() == [
        False,
        False,
        True,
        False,
    ]
    with pytest.raises(SpecError, match="reference scenario"):
        ema.policy_fails(out, ["crises_per_1000"])


def test_prim_finds_a_known_failing_region():
    rng = np.random.default_rng(7)
    n = 300
    x = pd.DataFrame(
        {
            "a": rng.uniform(0, 10, n),
            "b": rng.uniform(0, 1, n),
            "noise": rng.uniform(0, 1, n),
            "flag": rng.random(n) < 0.5,
            "scenario": np.arange(n),
        }
    )  # EMA's bookkeeping column is ignored
    fails = (x["a"] > 6) & (x["b"] < 0.3) & x["flag"]
    (box,) = ema.discover(x, fails, threshold=0.9)
    lim = box.limits.set_index("parameter")
    assert set(lim.index) == {"a", "b", "flag"}
    assert lim.loc["a", "lower"] == pytest.approx(6, abs=0.5)
    assert lim.loc["b", "upper"] == pytest.approx(0.3, abs=0.05)
    assert lim.loc["flag", "values"] == {"True"}
    assert box.density >= 0.9 and box.coverage >= 0.8
    assert box.mass == pytest.approx(fails.mean(), abs=0.03)
    assert "6" in box.text() and "flag in {True}" in box.text()


def test_prim_edge_cases():
    x = pd.DataFrame({"a": np.linspace(0, 1, 20)})
    with pytest.raises(SpecError, match="no experiment fails"):
        ema.discover(x, np.zeros(20, bool))
    with pytest.raises(SpecError, match="19 values for 20"):
        ema.discover(x, np.ones(19, bool))
    (box,) = ema.discover(x, np.ones(20, bool))
    assert box.limits.empty and box.density == 1.0 and "whole space" in box.text()


def test_outreach_failure_on_a_small_city_gives_boxes():
    found = ema.outreach_failure("wait", residents=3000, weeks=52, scenarios=16, seed=0)
    assert len(found.experiments) == len(found.outcomes) == found.fails.size == 16
    assert 0 < found.fails.sum() < 16
    assert found.boxes
    box = found.boxes[0]
    assert 0 < box.coverage <= 1 and 0.7 <= box.density <= 1 and 0 < box.mass < 1
    assert not box.limits.empty
    assert set(box.limits["parameter"]) <= set(ema.OUTREACH_UNCERTAINTIES)
    assert "coverage" in found.text() and f"{int(found.fails.sum())} of 16" in found.text()
    with pytest.raises(SpecError, match="valid: wait, first_help"):
        ema.outreach_failure("collapse")
