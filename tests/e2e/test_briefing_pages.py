"""The briefing printed to PDF by Chromium, as a councillor would print it: at most four A4
pages before the annex, in English and Italian, with seed noise only and with parameter
uncertainty (the four corners and proactive welfare at the capacity that keeps its list from
growing)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from willsim.experiments import comparison
from willsim.reporting import briefing, tables
from willsim.scenario import load_scenario

CORNERS = [
    "on-demand-centralised",
    "on-demand-platform",
    "proactive-centralised",
    "proactive-platform",
]
SMALL = {"run.residents": 2000, "run.weeks": 52, "run.mesa_citizens": False}
MAX_PAGES = 4


def _pages(page: Page, html: str, tmp_path, name: str) -> int:
    (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
    page.set_content(html)  # the page needs nothing beside itself
    pdf = page.pdf(format="A4", print_background=True)
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.fixture(scope="module", params=["seeds", "parameters"])
def result(request) -> comparison.Comparison:
    scenarios = [load_scenario(n, SMALL) for n in CORNERS]
    plan = comparison.plan(
        scenarios,
        mode=request.param,
        replicates=3 if request.param == "seeds" else 2,
        draws=8,
        capacity=True,
    )
    return comparison.run(plan, engine="local", workers=2)


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_briefing_prints_to_at_most_four_pages_before_the_annex(
    page: Page, result, language, tmp_path
):
    vfm, assumptions = result.value_for_money(language)
    b = briefing.Briefing(
        runs=result.runs,
        scenarios=result.plan.scenarios,
        language=language,
        economics=tables.Economics(vfm, assumptions),
        mode=result.mode,
        decisions=result.decisions(),
        capacity=result.plan.capacity,
        capacity_of=result.plan.capacity_of,
        drivers=result.influence(),
        ceac=result.ceac(),
        seeds_per_draw=len(result.plan.draw_seeds[0]) if result.plan.draw_seeds else 0,
        annex=False,
    )
    main = briefing.build_report(b)
    assert 'id="annex"' not in main
    # one card per strategy; a capacity variant is a column of its strategy's card
    strategies = len(result.runs.scenarios) - 1 - len(result.plan.capacity_of)
    assert main.count('class="card"') == strategies
    assert main.count(
        "the waiting list does not grow" if language == "en" else "attesa non cresce)"
    ) == len(result.plan.capacity_of)
    first = _pages(page, main, tmp_path, f"main-{result.mode}-{language}")
    assert 1 <= first <= MAX_PAGES, f"{first} pages before the annex"
    b.annex = True
    full = briefing.build_report(b)
    assert _pages(page, full, tmp_path, f"full-{result.mode}-{language}") > first
