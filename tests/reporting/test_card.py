"""The decision card and the glossary on synthetic paired runs (no model): effects in people and
euros a year, how sure, the capacity variant beside its strategy, the main caveat, and a
definition, unit, direction and source for every indicator shown, in English and Italian."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from willsim.experiments.capacity import CapacitySearch
from willsim.experiments.compare import PairedRuns
from willsim.experiments.decisions import CityScale, decision_table
from willsim.indicators import INDICATORS, tagged
from willsim.reporting import briefing, card

NAMES = ["ref", "outreach", "outreach + capacity"]
RESIDENTS = 100_000.0


@pytest.fixture(scope="module")
def runs() -> PairedRuns:
    """Three arms on 4 common seeds over 2 years: outreach changes nothing that matters but
    costs 0.5 M€ a year; with capacity it cuts unmet need by 2 points (about 400 of 20,000
    people with a need) for 2 M€ a year."""
    rng = np.random.default_rng(5)
    rows = []
    for s, name in enumerate(NAMES):
        for r in range(4):
            noise = rng.normal(0, 0.0005)
            values = {
                "residents": RESIDENTS,
                "people_with_need": 20_000.0,
                "unmet_need_share": 0.70 - 0.02 * (s == 2) + noise,
                "crises_per_1000": 12.0 + noise,
                "public_spending_eur": 20e6 + 1e6 * (s == 1) + 4e6 * (s == 2) + 1000 * r,
                "out_of_pocket_eur": 30e6,
                "non_take_up_share": 0.6 - 0.1 * (s > 0) + noise,
            }
            rows += [
                {"scenario": name, "replicate": r, "seed": r, "indicator": k, "value": v}
                for k, v in values.items()
            ]
    return PairedRuns(NAMES, [0, 1, 2, 3], pd.DataFrame(rows), pd.DataFrame())


@pytest.fixture(scope="module")
def decisions(runs) -> pd.DataFrame:
    return decision_table(runs, "seeds", scale=CityScale(RESIDENTS, 2.0))


def test_effects_are_told_in_people_and_euros_a_year(decisions):
    row = decisions[
        (decisions["scenario"] == NAMES[2]) & (decisions["indicator"] == "unmet_need_share")
    ].iloc[0]
    assert row["effect_unit"] == "people" and row["effect"] == pytest.approx(-400, abs=25)
    phrase = card.effect_phrase(
        "unmet_need_share", row["effect"], row["effect_low"], row["effect_high"], "people", "en"
    )
    assert re.match(
        r"about (3[89]0|4[01]0) fewer residents with an unmet need \[-\d+; -\d+\]$", phrase
    )
    spend = decisions[
        (decisions["scenario"] == NAMES[2]) & (decisions["indicator"] == "public_spending_eur")
    ].iloc[0]
    assert spend["effect"] == pytest.approx(2e6, rel=1e-3)  # 4 M€ over 2 years
    assert card.effect_phrase("public_spending_eur", 2e6, 1.9e6, 2.1e6, "EUR/year", "it") == (
        "+2\xa0Mln\xa0€ l'anno: spesa pubblica [+1,9\xa0Mln\xa0€; +2,1\xa0Mln\xa0€]"
    )


def test_a_capacity_variant_is_a_column_of_its_strategys_card(decisions):
    search = CapacitySearch(NAMES[1], "reference", 2.5, True, 100.0)
    cards = card.cards(
        decisions,
        "en",
        years=2.0,
        capacity={NAMES[2]: search},
        capacity_of={NAMES[2]: NAMES[1]},
    )
    assert [c.strategy for c in cards] == [NAMES[1]]
    (c,) = cards
    assert c.variant == NAMES[2] and c.variant_title.startswith(
        "With ×2.5 the city's service hours"
    )
    assert [e.indicator for e in c.effects] == [e.indicator for e in c.variant_effects]
    assert [e.indicator for e in c.effects][: len(tagged("card"))] == [
        k for k in tagged("card") if k in set(decisions["indicator"])
    ]
    unmet = {e.indicator: e for e in c.effects}["unmet_need_share"]
    assert unmet.verdict == "no difference that matters" and unmet.certainty.endswith("paired runs")
    fixed = {e.indicator: e for e in c.variant_effects}["unmet_need_share"]
    assert fixed.verdict.startswith("clearly better") and fixed.css == "good"
    assert "+€1.5M a year of public spending more than outreach" in c.capacity  # (4-1) M€ / 2 yr
    assert c.caveat.startswith("At the city's capacity the people this strategy finds wait")
    assert len(c.effects) <= card.MAX_EFFECTS


def test_the_main_caveat_in_seeds_mode_asks_for_parameter_uncertainty(decisions):
    (c,) = [x for x in card.cards(decisions, "it", years=2.0) if x.strategy == NAMES[1]]
    assert c.caveat.startswith("È inclusa solo la casualità tra simulazioni")


def test_every_indicator_shown_has_a_definition_unit_direction_and_source(runs, decisions):
    shown = briefing.shown_indicators(
        decisions, pd.DataFrame(columns=["indicator"]), pd.DataFrame(columns=["indicator"])
    )
    assert set(shown) == set(decisions["indicator"])
    for language in ("en", "it"):
        table = card.glossary([*shown, *tagged("key"), *tagged("equity")], language)
        assert len(table) == len(set([*shown, *tagged("key"), *tagged("equity")]))
        for row in table.to_dict("records"):
            assert all(
                str(v).strip() for k, v in row.items() if "MID" not in k and "minima" not in k
            ), row
        if language == "it":  # key indicators have an Italian definition
            defs = dict(zip(table["Indicatore"], table["Definizione"], strict=True))
            assert defs[INDICATORS["unmet_need_share"].label_it].startswith("Tra i residenti")
    en = card.glossary(["public_spending_eur", "mean_wait_weeks"], "en").set_index("Indicator")
    assert en.at["Public spending", "Minimal important difference"] == "€1 per resident a year"
    assert en.at["Wait for assessment", "Better when"] == "lower"
    assert re.search(r"simulated by willsim", en.at["Wait for assessment", "Source"])
