"""Ranking teams on the workshop criteria: weighted score and lexicographic order."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from willsim.workshop.ranking import Ranking, check_ranking, criteria_per_run, rank
from willsim.workshop.runner import STATUS_QUO
from willsim.workshop.settings import CRITERIA
from willsim.workshop.strategy import StrategyError


def _table(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(
        {t: {c: v.get(c, 1.0) for c in CRITERIA} for t, v in rows.items()}, orient="index"
    )


def test_weighted_score_scales_each_criterion_from_best_to_worst():
    values = _table(
        {
            STATUS_QUO: {"unmet_need": 0.0},
            "a": {"unmet_need": 0.2, "cost": 300},
            "b": {"unmet_need": 0.3, "cost": 100},
            "c": {"unmet_need": 0.4, "cost": 200},
        }
    )
    only_need = rank(values, Ranking(weights={"unmet_need": 1.0}))
    assert only_need.loc[["a", "b", "c"], "score"].tolist() == pytest.approx([100, 50, 0])
    assert only_need.loc[["a", "b", "c"], "rank"].tolist() == [1, 2, 3]
    assert pd.isna(only_need.at[STATUS_QUO, "rank"])  # the reference is not ranked
    both = rank(values, Ranking(weights={"unmet_need": 1.0, "cost": 3.0}))
    # b: need 0.5, cost 1 -> (0.5 + 3) / 4; a: need 1, cost 0 -> 1 / 4
    assert both.at["b", "score"] == pytest.approx(87.5)
    assert both.at["a", "score"] == pytest.approx(25.0)
    assert both.at["b", "rank"] == 1


def test_lexicographic_ties_within_one_percent_pass_to_the_next_criterion():
    values = _table(
        {
            "a": {"crises": 10.0, "waiting": 2.0},
            "b": {"crises": 10.05, "waiting": 1.0},
            "c": {"crises": 9.0, "waiting": 5.0},
            "d": {"crises": math.nan, "waiting": 0.1},
        }
    )
    out = rank(values, Ranking(mode="lexicographic", order=("crises", "waiting")))
    assert out.sort_values("rank").index.tolist() == ["c", "b", "a", "d"]
    assert out["score"].isna().all()


def test_bad_rankings_are_rejected_with_the_valid_choices():
    with pytest.raises(StrategyError, match="weights, lexicographic"):
        check_ranking(Ranking(mode="vibes"))
    with pytest.raises(StrategyError, match="unknown criterion 'beauty'"):
        check_ranking(Ranking(weights={"beauty": 1.0}))
    with pytest.raises(StrategyError, match="above zero"):
        check_ranking(Ranking(weights={c: 0.0 for c in CRITERIA}))
    assert Ranking.from_dict({"mode": "lexicographic", "order": ["cost"]}).order == ("cost",)


def test_criteria_of_a_run():
    run = {
        "summary": {
            "unmet_need_share": 0.3,
            "crises_per_1000": 4.0,
            "mean_wait_weeks": 2.0,
            "isolated_share": 0.1,
            "public_spending_eur": 1_000_000.0,
        },
        "groups": [
            ["income", "absolute_poor", "unmet_need_share", 0.5],
            ["income", "comfortable", "unmet_need_share", 0.2],
            ["age_band", "85+", "unmet_need_share", 0.9],
        ],
    }
    c = criteria_per_run(run, weeks=26)
    assert c["equity_gap"] == pytest.approx(0.3)
    assert c["cost"] == pytest.approx(2_000_000.0)  # per year from 26 weeks
    assert (c["unmet_need"], c["crises"], c["waiting"], c["isolation"]) == (0.3, 4.0, 2.0, 0.1)
