"""Value for money: hand-computed toy comparisons, identical scenarios, intervals and languages."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from willsim.economics import (
    ITEMS,
    NEEDED,
    fieller_interval,
    value_for_money,
)
from willsim.experiments import SpecError
from willsim.experiments.commands import format_compare
from willsim.experiments.compare import (
    PairedRuns,
    compare_table,
    group_table,
    replication_advice,
    run_paired,
)
from willsim.experiments.decisions import decision_table

BASE = {
    "public_spending_eur": 1_000_000.0,
    "spending_hospital_eur": 200_000.0,
    "spending_residential_eur": 100_000.0,
    "spending_housing_eur": 50_000.0,
    "out_of_pocket_eur": 300_000.0,
    "crises": 100.0,
    "qol_years": 10_000.0,
}


def _runs(strategy: list[dict[str, float]]) -> PairedRuns:
    """A reference with BASE in every replicate, and a strategy changing it per replicate."""
    rows = []
    for r, change in enumerate(strategy):
        for key in NEEDED:
            rows.append(
                {"scenario": "ref", "replicate": r, "seed": r, "indicator": key, "value": BASE[key]}
            )
            rows.append(
                {
                    "scenario": "new",
                    "replicate": r,
                    "seed": r,
                    "indicator": key,
                    "value": BASE[key] + change.get(key, 0.0),
                }
            )
    return PairedRuns(
        ["ref", "new"], list(range(len(strategy))), pd.DataFrame(rows), pd.DataFrame()
    )


def _row(table: pd.DataFrame, item: str) -> pd.Series:
    return table.set_index("item").loc[item]


def test_toy_comparison_gives_hand_computed_values():
    # the strategy spends 100,000 more on programmes, avoids 10 crises (hospital 40,000,
    # residential 20,000), saves families 30,000 and gains 2 quality-adjusted years
    change = {
        "public_spending_eur": 100_000 - 60_000,
        "spending_hospital_eur": -40_000,
        "spending_residential_eur": -20_000,
        "crises": -10,
        "out_of_pocket_eur": -30_000,
        "qol_years": 2.0,
    }
    table, notes = value_for_money(
        _runs([change] * 3),
        params={
            "economics.value_per_qol_year": 25_000.0,
            "economics.benefit_weights": [1.0, 1.0, 1.0, 0.5, 1.0],
        },
    )
    assert list(table.columns) == [
        "scenario",
        "reference",
        "item",
        "label",
        "unit",
        "mean",
        "ci_low",
        "ci_high",
        "pairs",
        "note",
    ]
    assert list(table["item"]) == list(ITEMS)
    assert set(table["scenario"]) == {"new"} and set(table["reference"]) == {"ref"}
    expected = {
        "incremental_cost_eur": 100_000,
        "net_public_cost_eur": 40_000,
        "crises_avoided": 10,
        "cost_per_crisis_avoided_eur": 10_000,
        "benefit_hospital_eur": 40_000,
        "benefit_residential_eur": 20_000,
        "benefit_housing_eur": 0,
        "benefit_out_of_pocket_eur": 15_000,
        "qol_years_gained": 2,
        "benefit_qol_eur": 50_000,
        "benefits_eur": 125_000,
        "net_benefit_eur": 25_000,
        "social_return_ratio": 1.25,
    }
    for item, value in expected.items():
        row = _row(table, item)
        assert row["mean"] == pytest.approx(value), item
        # the same difference in every pair: the interval is the point itself
        assert row["ci_low"] == pytest.approx(value) and row["ci_high"] == pytest.approx(value)
        assert row["pairs"] == 3 and row["note"] == ""
    assert any("25,000" in s for s in notes) and any("50%" in s for s in notes)


def test_identical_scenarios_give_zero_cost_and_an_undefined_ratio():
    table, _ = value_for_money(_runs([{}] * 4))
    assert _row(table, "incremental_cost_eur")["mean"] == 0
    assert _row(table, "benefits_eur")["mean"] == 0
    ratio = _row(table, "social_return_ratio")
    assert math.isnan(ratio["mean"]) and math.isnan(ratio["ci_low"])
    assert ratio["note"].startswith("undefined: the strategy costs the same")
    per_crisis = _row(table, "cost_per_crisis_avoided_eur")
    assert math.isnan(per_crisis["mean"]) and "no crises avoided" in per_crisis["note"]


def test_a_cheaper_strategy_has_no_ratio_but_a_net_benefit():
    table, _ = value_for_money(_runs([{"public_spending_eur": -10_000.0, "crises": -1}] * 2))
    ratio = _row(table, "social_return_ratio")
    assert math.isnan(ratio["mean"]) and "costs less" in ratio["note"]
    assert "dominant" in _row(table, "cost_per_crisis_avoided_eur")["note"]
    assert _row(table, "net_benefit_eur")["mean"] == pytest.approx(10_000)


def test_fieller_interval_solves_its_defining_equation():
    x = np.array([110.0, 90.0, 130.0, 100.0, 95.0])
    y = np.array([50.0, 48.0, 61.0, 45.0, 52.0])
    lo, hi = fieller_interval(x, y)
    n, t2 = x.size, stats.t.ppf(0.975, x.size - 1) ** 2
    cov = np.cov(x, y) / n
    for r in (lo, hi):
        lhs = (x.mean() - r * y.mean()) ** 2
        rhs = t2 * (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1])
        assert lhs == pytest.approx(rhs)
    assert lo < x.mean() / y.mean() < hi
    # a denominator indistinguishable from zero leaves the interval unbounded
    assert all(math.isnan(v) for v in fieller_interval(x, np.array([1.0, -1, 2, -2, 0.5])))


def test_ratio_interval_with_noisy_pairs_is_flagged_when_unbounded():
    changes = [
        {"public_spending_eur": c, "qol_years": q}
        for c, q in ((1_000.0, 1.0), (-900.0, 2.0), (1_200.0, 0.5))
    ]
    table, _ = value_for_money(_runs(changes))
    ratio = _row(table, "social_return_ratio")
    assert ratio["mean"] == pytest.approx(30_000 * 3.5 / 3 / (1_300 / 3))
    assert math.isnan(ratio["ci_low"]) and "unbounded" in ratio["note"]


def test_italian_and_bad_choices():
    runs = _runs([{}] * 2)
    table, notes = value_for_money(runs, language="it")
    assert _row(table, "social_return_ratio")["label"].startswith("Rapporto di ritorno sociale")
    assert _row(table, "social_return_ratio")["note"].startswith("non definito")
    assert any("stessi semi" in s for s in notes)
    with pytest.raises(SpecError, match="valid: en, it"):
        value_for_money(runs, language="fr")
    with pytest.raises(SpecError, match="valid: ref, new"):
        value_for_money(runs, reference="other")
    against_new, _ = value_for_money(runs, reference="new")
    assert set(against_new["scenario"]) == {"ref"}
    with pytest.raises(SpecError, match="lack the indicators"):
        value_for_money(
            PairedRuns(
                ["a", "b"],
                [1],
                pd.DataFrame(
                    {
                        "scenario": ["a", "b"],
                        "replicate": [0, 0],
                        "seed": [1, 1],
                        "indicator": ["crises", "crises"],
                        "value": [1.0, 1.0],
                    }
                ),
                pd.DataFrame(),
            )
        )


def test_compare_report_shows_value_for_money_on_real_runs():
    small = {"city.population": 2000, "run.weeks": 8, "run.mesa_citizens": False}
    runs = run_paired(["baseline", "baseline"], replicates=2, overrides=small, seed=3)
    economics = value_for_money(runs)
    assert _row(economics[0], "incremental_cost_eur")["mean"] == 0
    table = decision_table(runs)
    advice = replication_advice(compare_table(runs))
    text = format_compare(runs, table, group_table(runs), advice, 0.1, economics)
    assert "Value for money" in text and "Social return ratio" in text
    assert "undefined: the strategy costs the same as the reference" in text
