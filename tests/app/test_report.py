"""The briefing of a comparison run by the app: a valid, self-contained HTML page in English
and Italian with the key figures, equity, costs, the policy timeline and the provenance
(versions, hashes, seeds)."""

from __future__ import annotations

import base64
import re
import sys
import types
from html.parser import HTMLParser

import pandas as pd
import pytest

from willsim.app import compare
from willsim.reporting import card, charts, tables

VOID = {"meta", "img", "br", "hr", "link", "input"}


@pytest.fixture(scope="module")
def result() -> compare.Result:
    s = compare.Settings(
        variants=(
            compare.Variant("baseline"),
            compare.Variant("baseline", "helpseeking.awareness = 0.95"),
            compare.Variant("budget-cut"),
        ),
        replicates=3,
        weeks=56,
        residents=2000,
    )
    return compare.run_comparison(s)


@pytest.fixture(scope="module")
def pages(result) -> dict[str, str]:
    return {lang: compare.report_bytes(result, lang).decode("utf-8") for lang in ("en", "it")}


class Checker(HTMLParser):
    """Tag balance (void elements excepted) and every URL used by the page."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.urls: list[str] = []
        self.images = 0

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.urls.append(value)
        self.images += tag == "img"
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()


def check(page: str) -> Checker:
    c = Checker()
    c.feed(page)
    c.close()
    assert not c.errors and not c.stack, (c.errors[:3], c.stack)
    return c


@pytest.mark.parametrize("lang", ["en", "it"])
def test_report_is_valid_self_contained_html(pages, lang):
    page = pages[lang]
    assert re.match(rf'<!DOCTYPE html>\s*<html lang="{lang}">', page)
    c = check(page)
    assert c.images >= 4  # bands, equity, costs, timeline
    for url in c.urls:
        assert url.startswith("data:image/png;base64,"), url[:60]
        assert base64.b64decode(url.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r"https?://|//cdn|@import|url\(", page), "external reference"
    assert "@media print" in page and "@page" in page  # printable to PDF


def test_report_has_key_figures_equity_costs_timeline_and_provenance(result, pages):
    page = pages["en"]
    for section in ("Decision card", "Key figures", "Annex"):
        assert f"<h2>{section}</h2>" in page
    for section in ("Who gains and who loses", "Spending by item", "Policy timeline", "Caveats"):
        assert f"<h3>{section}" in page
    for section in ("Provenance", "Glossary"):
        assert f"<h3>{section}" in page
    ref = result.names[0]
    mean = result.summaries[result.summaries.strategy == ref]["unmet_need_share"].mean()
    assert f"{100 * mean:.1f}%" in page  # the reference's mean unmet need, as shown
    for sc in result.scenarios:
        assert sc.hash in page
    for seed in result.seeds:
        assert str(seed) in page
    assert "willsim compare 1-willsim-baseline-bergamo.toml" in page
    assert "--replicates 3" in page
    # budget-cut's policy starts in week 52 in every replicate
    assert re.search(
        r"<td>3\. budget-cut</td><td>[^<]+</td><td>start</td><td>52</td><td>3</td>", page
    )
    assert "2,000 simulated residents" in page


def test_italian_report_uses_italian_words_and_numbers(result, pages):
    page = pages["it"]
    assert "<h2>Dati principali</h2>" in page and "<h3>Provenienza</h3>" in page
    assert "2.000 residenti simulati" in page
    ref = result.names[0]
    mean = result.summaries[result.summaries.strategy == ref]["unmet_need_share"].mean()
    assert f"{100 * mean:.1f}%".replace(".", ",") in page
    assert "avvio" in page and "raggiunta la settimana 52" in page
    assert "Key figures" not in page


def test_value_for_money_is_included_when_willsim_economics_is_installed(result, monkeypatch):
    fake = types.ModuleType("willsim.economics")

    def value_for_money(runs, reference=None, language="en", params=None):
        assert reference == runs.scenarios[0] and params["run.weeks"] == 56
        table = pd.DataFrame({"strategy": runs.scenarios, "cost_per_need_met": [1.0, 2.0, 3.0]})
        return table, [f"assumption in {language}"]

    fake.value_for_money = value_for_money
    monkeypatch.setitem(sys.modules, "willsim.economics", fake)
    page = compare.report_bytes(result, "it").decode("utf-8")
    assert "Rapporto costi-benefici" in page and "assumption in it" in page
    assert "cost_per_need_met" in page
    check(page)


def test_headlines_and_verdicts_in_plain_language(result):
    lines = tables.headlines(result.paired, "en")
    assert len(lines) == 2
    assert all(line.startswith(("2. ", "3. ")) for line in lines)
    assert all(
        "compared with 1. baseline" in line or "no clear difference" in line for line in lines
    )
    row = {"indicator": "coverage", "verdict": "meaningful", "direction": "better"}
    assert card.verdict_words(row, "en") == "clearly better, by enough to matter"
    row = {"indicator": "coverage", "verdict": "uncertain", "direction": ""}
    assert card.verdict_words(row, "it") == "incerto"


def test_value_for_money_from_willsim_economics_is_shown_as_display_strings(result):
    pytest.importorskip("willsim.economics")
    economics = tables.economics_for(result.paired, "it", result.scenarios[0].params)
    shown = tables.economics_table(economics.table, "it")
    assert list(shown.columns) == ["Strategia", "Voce", "Media", "Intervallo al 95%", "Nota"]
    assert set(shown["Strategia"]) == set(result.names[1:])
    assert shown["Media"].str.contains(r"€|–|\d").all()
    assert economics.assumptions


def test_policy_timeline_shows_the_italian_label_on_italian_pages(pages):
    log = pd.DataFrame(
        {
            "scenario": ["a", "a", "a"],
            "seed": [1, 2, 1],
            "week": [10, 12, 30],
            "policy": ["Budget cut 20%"] * 3,
            "policy_it": ["Taglio del bilancio del 20%"] * 3,
            "action": ["start", "start", "stop"],
            "reason": ["week 10 reached", "week 12 reached", "week 30 reached"],
        }
    )
    timeline = tables.policy_timeline(log, ["a"])
    assert list(timeline["policy_it"]) == ["Taglio del bilancio del 20%"] * 2
    assert (
        tables.timeline_table(timeline, "it")["Politica"].tolist()
        == ["Taglio del bilancio del 20%"] * 2
    )
    assert tables.timeline_table(timeline, "en")["Policy"].tolist() == ["Budget cut 20%"] * 2
    old = tables.policy_timeline(log.drop(columns="policy_it"), ["a"])  # logs without policy_it
    assert tables.timeline_table(old, "it")["Politica"].tolist() == ["Budget cut 20%"] * 2
    ticks = charts.timeline_figure(timeline, ["a"], 40, "it").axes[0].get_yticklabels()
    assert [t.get_text() for t in ticks] == ["a · Taglio del bilancio del 20%"]
    # the bundled budget-cut scenario in the full report: scenario table and policy timeline
    # (the English label stays only in the reproducible scenario file, label.en = "...")
    it, en = pages["it"], pages["en"]
    assert "</td><td>Taglio del bilancio del 20%</td></tr>" in it
    assert "<td>3. budget-cut</td><td>Taglio del bilancio del 20%</td><td>avvio</td>" in it
    assert "<td>Budget cut 20%</td>" not in it
    assert "<td>3. budget-cut</td><td>Budget cut 20%</td><td>start</td>" in en
    assert "<td>Taglio del bilancio del 20%</td>" not in en
