"""The briefing from its templates, on synthetic paired runs (no model, no app): every value is
escaped, the verdicts follow the registry's directions, and the tables use the registry's
key and equity indicators."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from willsim.experiments.compare import PairedRuns
from willsim.indicators import INDICATORS, tagged
from willsim.reporting import briefing, html, tables

EVIL = '<script>alert("x")</script> & co'


@pytest.fixture(scope="module")
def runs() -> PairedRuns:
    """Two strategies on 4 common seeds: the second has clearly less unmet need and clearly
    higher public spending; the same coverage."""
    rng = np.random.default_rng(3)
    names, seeds = ["A", EVIL], [11, 12, 13, 14]
    rows, groups = [], []
    for s, name in enumerate(names):
        for r, seed in enumerate(seeds):
            noise = rng.normal(0, 0.002)
            values = {
                "unmet_need_share": 0.30 - 0.05 * s + noise,
                "coverage": 0.60,
                "public_spending_eur": 1e6 + 2e5 * s + 1000 * r,
                "out_of_pocket_eur": 5e5,
                "mean_wait_weeks": 3.0 + noise,
            }
            rows += [
                {"scenario": name, "replicate": r, "seed": seed, "indicator": k, "value": v}
                for k, v in values.items()
            ]
            for level, shift in (("absolute_poor", 0.08), ("comfortable", 0.0)):
                groups.append(
                    {
                        "scenario": name,
                        "replicate": r,
                        "seed": seed,
                        "group_var": "income",
                        "group": level,
                        "indicator": "unmet_need_share",
                        "value": 0.3 - shift * s + noise,
                    }
                )
    return PairedRuns(names, seeds, pd.DataFrame(rows), pd.DataFrame(groups))


def test_key_figures_follow_the_registry(runs):
    shown = tables.key_figures(runs, "en")
    keys = [k for k in tagged("key") if k in set(runs.summaries["indicator"])]
    labels = [INDICATORS[k].label for k in keys]
    assert list(dict.fromkeys(shown["Indicator"])) == labels
    unmet = shown[(shown["Indicator"] == "Unmet need") & (shown["Strategy"] == EVIL)].iloc[0]
    # 5 points less unmet need against a minimal important difference of 1 point
    assert unmet["Verdict"] == "clearly better, by enough to matter"
    assert unmet["How sure"] == "better in 4 of 4 paired runs"
    assert unmet["Difference from A"].endswith(" pp")  # a difference of shares: points
    spend = shown[(shown["Indicator"] == "Public spending") & (shown["Strategy"] == EVIL)].iloc[0]
    assert INDICATORS["public_spending_eur"].better == 0
    assert spend["Verdict"] == "clearly higher"  # no better direction; no city scale: no MID
    same = shown[(shown["Indicator"] == "Coverage") & (shown["Strategy"] == EVIL)].iloc[0]
    assert same["Verdict"] == "no difference that matters"


def test_headlines_and_equity_in_italian(runs):
    (line,) = tables.headlines(runs, "it")
    assert line.startswith(f"{EVIL} rispetto a A: chiaramente meglio per bisogno non coperto -5,")
    assert line.endswith("differenze chiare per spesa pubblica +200.000\xa0€.")
    equity = tables.equity_table(runs, "it")
    assert set(equity["Giudizio"]) == {"ci guadagna", "nessun cambiamento chiaro"}
    assert "Fascia di reddito: povertà assoluta" in set(equity["Gruppo"])


def test_the_page_escapes_every_value_and_needs_nothing_else(runs):
    b = briefing.Briefing(runs=runs, scenarios=[], language="en", figures=False, created="now")
    page = briefing.build_report(b)
    assert (
        "<script>" not in page
        and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" in page
    )
    assert re.match(r'<!DOCTYPE html>\s*<html lang="en">', page)
    assert "<h2>Key figures</h2>" in page and "<h3>Who gains and who loses</h3>" in page
    assert "<h2>Decision card</h2>" in page and 'id="annex"' in page
    assert '<td class="gains">gains</td>' in page
    assert not re.search(r"https?://|@import|url\(", page)


def test_templates_are_autoescaped():
    env = html.environment()
    assert env.autoescape is True
    rendered = html.render("macros.html.j2")  # the macros file renders to nothing harmful
    assert "<" not in rendered.strip()
    t = html.table(pd.DataFrame({"<b>": ["<i>x</i>"]}))
    out = env.from_string('{% from "macros.html.j2" import table %}{{ table(t) }}').render(t=t)
    assert "<b>" not in out and "&lt;i&gt;x&lt;/i&gt;" in out and "<td>" in out
