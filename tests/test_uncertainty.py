"""Parameter uncertainty in comparisons: draws from priors and ensembles, nested statistics,
verdicts against minimal important differences, value for money over parameter sets, and the
capacity that keeps a waiting list from growing."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from willsim.economics import ceac, value_for_money
from willsim.experiments import SpecError
from willsim.experiments.compare import PairedRuns, run_paired
from willsim.experiments.decisions import CityScale, classify, decision_table, mid_of
from willsim.experiments.uncertainty import (
    ENSEMBLE_METADATA_KEY,
    draw_seed_lists,
    ensemble_draws,
    levers,
    prior_draws,
    probability,
    systematic_resample,
    variance_split,
)
from willsim.indicators import INDICATORS, tagged
from willsim.params import PARAMETERS
from willsim.scenario import load_scenario

SMALL = {"run.residents": 2000, "run.weeks": 26, "run.mesa_citizens": False}


# --- verdicts against the minimal important difference -----------------------------------------


def test_every_key_indicator_declares_a_mid_with_its_reason():
    for key in tagged("key"):
        ind = INDICATORS[key]
        assert ind.mid is not None and ind.mid > 0, key
        assert len(ind.mid_reason) > 40, key
        assert ind.description and ind.definition_in("it"), key


@pytest.mark.parametrize(
    ("lo", "hi", "better", "expected"),
    [
        (0.02, 0.05, 1, ("meaningful", "better")),
        (0.005, 0.02, 1, ("possibly meaningful", "better")),
        (0.001, 0.004, 1, ("small", "better")),
        (-0.004, -0.001, 1, ("small", "worse")),
        (-0.05, -0.02, -1, ("meaningful", "better")),
        (-0.004, 0.003, -1, ("equivalent", "")),
        (-0.02, 0.003, -1, ("uncertain", "")),
        (0.0, 0.0, 1, ("equivalent", "")),
        (0.02, 0.05, 0, ("meaningful", "higher")),
    ],
)
def test_verdicts_follow_the_interval_against_the_mid(lo, hi, better, expected):
    assert classify(lo, hi, 0.01, better) == expected


def test_without_a_mid_a_clear_difference_is_only_clear():
    assert classify(0.1, 0.2, math.nan, 1) == ("clear", "better")
    assert classify(-0.1, 0.2, math.nan, 1) == ("uncertain", "")


def test_mids_per_resident_and_year_scale_with_the_city_and_the_run():
    scale = CityScale(residents=100_000, years=2.0)
    assert mid_of("public_spending_eur", scale) == pytest.approx(1.0 * 100_000 * 2)
    assert math.isnan(mid_of("public_spending_eur"))  # no scale: cannot be stated
    assert mid_of("unmet_need_share", scale) == INDICATORS["unmet_need_share"].mid


def _synthetic(diff: float, noise: float, draws: int = 0, seeds: int = 6) -> PairedRuns:
    """A reference and a strategy differing by ``diff`` in unmet need, with seed noise
    ``noise`` (and, with ``draws``, a parameter effect shared by both arms)."""
    rng = np.random.default_rng(1)
    rows = []
    pairs = max(draws, 1) * seeds
    for pair in range(pairs):
        draw = pair // seeds
        level = 0.5 + (0.05 * rng.normal() if draws else 0.0)
        for name, shift in (("ref", 0.0), ("new", diff)):
            rows.append(
                {
                    "scenario": name,
                    "replicate": pair,
                    "seed": pair,
                    "draw": draw,
                    "indicator": "unmet_need_share",
                    "value": level + shift + noise * rng.normal(),
                }
            )
    frame = pd.DataFrame(rows)
    draw_list = [{"x": float(d)} for d in range(draws)]
    if not draws:
        frame = frame.drop(columns="draw")
    return PairedRuns(["ref", "new"], list(range(pairs)), frame, pd.DataFrame(), draw_list)


def test_a_known_negligible_effect_is_small_not_clear_and_meaningful():
    # 0.2 points less unmet need, measured very precisely: clear, but below the 1-point MID
    for runs, mode in (
        (_synthetic(-0.002, 1e-5), "seeds"),
        (_synthetic(-0.002, 1e-5, 8), "parameters"),
    ):
        row = decision_table(runs, mode, ["unmet_need_share"]).iloc[1]
        assert row["verdict"] == "small" and row["direction"] == "better", (mode, row)
    big = decision_table(_synthetic(-0.03, 1e-4), "seeds", ["unmet_need_share"]).iloc[1]
    assert big["verdict"] == "meaningful"


# --- nested statistics ------------------------------------------------------------------------


def test_variance_split_recovers_known_components():
    rng = np.random.default_rng(7)
    n, m = 400, 4
    theta = rng.normal(0, 2.0, size=(n, 1))  # parameter sd 2: variance 4
    matrix = theta + rng.normal(0, 1.0, size=(n, m))  # seed sd 1: variance 1
    split = variance_split(matrix)
    # tolerances: about 3 standard errors of each estimate at this size
    assert split["within"] == pytest.approx(1.0, abs=0.1)
    assert split["param_var"] == pytest.approx(4.0, abs=0.9)
    assert split["share_parameters"] == pytest.approx(0.8, abs=0.05)
    assert split["seeds_per_draw"] == m and split["draws"] == n
    no_params = variance_split(rng.normal(0, 1.0, size=(n, m)))
    assert no_params["share_parameters"] < 0.1  # pure seed noise: little or nothing from parameters


def test_probability_counts_ties_half_and_a_strategy_against_itself_gets_one_half():
    assert probability(np.zeros(10), -1) == (0.5, 0.0)
    p, se = probability(np.array([-1.0, -2.0, 1.0, -0.5]), -1)
    assert p == 0.75 and se == pytest.approx(math.sqrt(0.75 * 0.25 / 4))
    assert probability(np.array([0.5, 2.0, 3.0]), 1, margin=1.0)[0] == pytest.approx(2 / 3)


def test_systematic_resampling_follows_the_weights_and_the_seed():
    w = np.array([0.5, 0.0, 0.3, 0.2])
    picked = systematic_resample(w, 1000, np.random.default_rng(3))
    counts = np.bincount(picked, minlength=4) / 1000
    assert counts == pytest.approx(w, abs=1e-3)  # systematic: within 1/n of the weights
    again = systematic_resample(w, 1000, np.random.default_rng(3))
    assert (picked == again).all()
    with pytest.raises(SpecError, match="weights"):
        systematic_resample([0.0, 0.0], 3, np.random.default_rng(0))


# --- draws from the priors and from an ensemble ------------------------------------------------


def test_prior_draws_leave_levers_alone_and_scale_relative_priors_to_the_city():
    base = load_scenario("on-demand-centralised", SMALL)
    more = load_scenario("on-demand-centralised", {**SMALL, "helpseeking.awareness": 0.9})
    draws = prior_draws([base, more], 6, seed=4)
    assert "helpseeking.awareness" in draws.excluded  # a lever of the comparison
    assert all("helpseeking.awareness" not in d for d in draws.values)
    hours = np.array([d["providers.hours_per_1000"] for d in draws.values])
    city = np.array(base.params["providers.hours_per_1000"])
    prior = PARAMETERS["providers.hours_per_1000"].prior
    assert (hours >= prior.low * city - 1e-9).all() and (hours <= prior.high * city + 1e-9).all()
    again = prior_draws([base, more], 6, seed=4)
    assert again.values == draws.values and len(draws.values) == 6
    proactive = load_scenario("proactive-centralised", SMALL)
    assert "outreach.hours_per_1000" in levers([base, proactive])  # set by a policy


def test_ensemble_draws_resample_members_and_draw_the_rest_from_priors(tmp_path):
    frame = pd.DataFrame(
        {
            "draw_id": [0, 1, 2],
            "weight": [0.0, 0.25, 0.75],
            "p__helpseeking.awareness": [0.5, 0.6, 0.9],
            "p__helpseeking.ask_rate[care]": [1.0, 2.0, 3.0],
            "p__providers.hours_per_1000[municipal]@bergamo": [4.0, 5.0, 6.0],
            "p__providers.hours_per_1000[municipal]@padova": [40.0, 50.0, 60.0],
            "loss": [1.0, 0.5, 0.2],
        }
    )
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = {
        **(table.schema.metadata or {}),
        ENSEMBLE_METADATA_KEY: json.dumps({"method": "topk"}).encode(),
    }
    path = tmp_path / "ensemble.parquet"
    pq.write_table(table.replace_schema_metadata(meta), path)
    base = load_scenario("on-demand-centralised", SMALL)  # Bergamo
    draws = ensemble_draws(path, [base, base], 8, seed=1)
    awareness = [d["helpseeking.awareness"] for d in draws.values]
    assert set(awareness) <= {0.6, 0.9} and awareness.count(0.9) == 6  # weights 1/4, 3/4
    assert all(d["providers.hours_per_1000"][0] in (5.0, 6.0) for d in draws.values)  # Bergamo's
    ask = [d["helpseeking.ask_rate"] for d in draws.values]
    assert all(a[1:] == list(base.params["helpseeking.ask_rate"])[1:] for a in ask)
    assert "crises.housing_cost" in draws.from_priors  # fit=False: drawn from its prior
    assert "topk" in draws.describe()
    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.Table.from_pandas(pd.DataFrame({"x": [1]})), bad)
    with pytest.raises(SpecError, match="not a calibration ensemble"):
        ensemble_draws(bad, [base, base], 2, seed=1)
    with pytest.raises(SpecError, match="no ensemble file"):
        ensemble_draws(tmp_path / "missing.parquet", [base, base], 2, seed=1)


# --- real nested runs -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nested() -> PairedRuns:
    """The on-demand city against itself and against proactive welfare, 5 parameter sets x
    2 seeds of their own (2,000 residents, half a year)."""
    arms = [
        load_scenario("on-demand-centralised", SMALL),
        load_scenario("proactive-centralised", SMALL),
        load_scenario("on-demand-centralised", SMALL),
    ]
    draws = prior_draws(arms, 5, seed=2)
    return run_paired(
        arms,
        replicates=2,
        seed=9,
        workers=1,
        draws=draws.values,
        draw_seeds=draw_seed_lists(9, 5, 2),
    )


def test_identical_strategies_differ_by_exactly_zero_under_parameter_uncertainty(nested):
    table = decision_table(nested, "parameters")
    same = table[table["scenario"] == nested.scenarios[2]]
    assert len(same) == len([k for k in tagged("key") if k in set(nested.summaries["indicator"])])
    assert (
        (same["diff"] == 0).all() and (same["ci_low"] == 0).all() and (same["ci_high"] == 0).all()
    )
    assert (same["prob_better"] == 0.5).all() and (same["prob_better_se"] == 0).all()
    assert not same["verdict"].isin(["meaningful", "possibly meaningful", "small", "clear"]).any()
    seeds = decision_table(nested, "seeds")
    assert (seeds[seeds["scenario"] == nested.scenarios[2]]["verdict"] == "equivalent").all()


def test_parameter_intervals_are_at_least_as_wide_as_seed_intervals_on_the_same_runs(nested):
    params = decision_table(nested, "parameters").set_index(["indicator", "scenario"])
    seeds = decision_table(nested, "seeds").set_index(["indicator", "scenario"])
    strategy = nested.scenarios[1]
    compared = 0
    for key in params.index.get_level_values(0).unique():
        p, s = params.loc[(key, strategy)], seeds.loc[(key, strategy)]
        if s["ci_high"] - s["ci_low"] == 0:
            continue
        compared += 1
        assert p["ci_high"] - p["ci_low"] >= s["ci_high"] - s["ci_low"], key
    assert compared >= 5
    # the draws themselves: each draw's parameter set and its own two seeds
    assert nested.summaries.groupby("draw")["seed"].nunique().eq(2).all()
    assert nested.summaries["seed"].nunique() == 10


def test_value_for_money_over_parameter_sets(nested):
    table, _ = value_for_money(nested, mode="parameters")
    same = table[table["scenario"] == nested.scenarios[2]].set_index("item")
    assert same.loc["prob_return_above_1", "mean"] == 0.5  # every draw a tie
    proactive = table[table["scenario"] == nested.scenarios[1]].set_index("item")
    p = proactive.loc["prob_return_above_1", "mean"]
    assert 0 <= p <= 1
    without = proactive.loc["benefits_without_qol_eur", "mean"]
    assert without == pytest.approx(
        proactive.loc["benefits_eur", "mean"] - proactive.loc["benefit_qol_eur", "mean"]
    )
    seeds, _ = value_for_money(nested)
    assert (
        seeds.set_index(["scenario", "item"])
        .loc[(nested.scenarios[1], "prob_return_above_1"), "note"]
        .startswith("needs parameter uncertainty")
    )
    curve = ceac(nested)
    assert curve.groupby("wtp")["probability"].sum().to_numpy() == pytest.approx(1.0)
    assert set(curve["scenario"]) == set(nested.scenarios)


def test_parameters_mode_needs_draws():
    runs = _synthetic(0.01, 0.001)
    with pytest.raises(ValueError, match="parameter draws"):
        decision_table(runs, "parameters")
    with pytest.raises(SpecError, match="parameter draws"):
        value_for_money(runs, mode="parameters")


def test_with_real_parameter_spread_the_draws_not_the_seeds_set_the_interval():
    # the effect itself varies between parameter sets (sd 0.02), seed noise is small
    rng = np.random.default_rng(5)
    rows = []
    for pair in range(40 * 3):
        draw = pair // 3
        effect = -0.02 + 0.02 * np.sin(draw)  # a parameter-dependent effect
        for name, shift in (("ref", 0.0), ("new", effect)):
            rows.append(
                {
                    "scenario": name,
                    "replicate": pair,
                    "seed": pair,
                    "draw": draw,
                    "indicator": "unmet_need_share",
                    "value": 0.5 + shift + 0.001 * rng.normal(),
                }
            )
    runs = PairedRuns(
        ["ref", "new"],
        list(range(120)),
        pd.DataFrame(rows),
        pd.DataFrame(),
        [{"x": float(d)} for d in range(40)],
    )
    row = decision_table(runs, "parameters", ["unmet_need_share"]).iloc[1]
    seeds = decision_table(runs, "seeds", ["unmet_need_share"]).iloc[1]
    assert not row["widened"]
    assert row["ci_high"] - row["ci_low"] > 4 * (seeds["ci_high"] - seeds["ci_low"])
    assert row["share_parameters"] > 0.9
    assert 0.5 < row["prob_better"] < 1 and row["verdict"] in ("uncertain", "possibly meaningful")
