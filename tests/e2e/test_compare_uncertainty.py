"""The Compare page with parameter uncertainty and the capacity question, as a councillor meets
it: decision cards first (in people and euros a year, how sure, the capacity column), every
effect's definition on hover, the details folded, every indicator shown defined, in English and
Italian; and the link that rebuilds the same comparison."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e.pages import LOAD, open_details
from willsim.indicators import INDICATORS

LINK = (
    "compare?lang=en&reps=2&weeks=26&residents=2000&unc=parameters&draws=4&cap=1"
    "&s1=on-demand-centralised&s2=proactive-centralised"
)


def test_decision_cards_with_parameter_uncertainty_and_capacity(page: Page, app_url: str):
    page.goto(app_url + LINK)
    expect(page.locator(".btn-compare")).to_be_visible(timeout=LOAD)
    expect(page.locator(".compare-draws input")).to_have_value("4")
    page.locator(".btn-compare").click()
    expect(page.locator(".compare-done")).to_contain_text(
        "4 parameter sets × 2 seeds", timeout=180_000
    )
    cards = page.locator(".compare-cards")
    expect(cards).to_contain_text("the model's assumptions and the randomness between runs")
    expect(cards.locator(".card")).to_have_count(1)  # the capacity variant is a column
    expect(cards).to_contain_text("With ×")
    expect(cards).to_contain_text("residents with an unmet need")
    expect(cards).to_contain_text("a year: public spending")
    expect(cards).to_contain_text("of 4 parameter sets")
    expect(cards).to_contain_text("Main caveat")
    # every effect carries its indicator's definition as hover text
    first = cards.locator("td[title]").first
    assert first.get_attribute("title") == INDICATORS["unmet_need_share"].description
    # the details are folded; unfolded they define every indicator they show
    expect(page.locator(".compare-details")).to_have_count(0)
    open_details(page)
    glossary = page.locator(".compare-glossary").inner_text()
    keys = page.locator(".compare-key-figures").inner_text()
    for key, ind in INDICATORS.items():
        if ind.label in keys:
            assert ind.label in glossary, key
    expect(page.locator(".indicator-definition")).to_contain_text("Among residents with a need")
    expect(
        page.locator(".compare-key-figures").get_by_role(
            "columnheader", name="90% range over parameter sets"
        )
    ).to_be_visible()
    page.locator(".lang-toggle").get_by_role("button", name="it").click()
    expect(cards).to_contain_text("Con ×", timeout=LOAD)
    expect(cards).to_contain_text("residenti con un bisogno non coperto")
    expect(cards).to_contain_text("Avvertenza principale")
    assert "unc=parameters" in page.url and "cap=1" in page.url and "draws=4" in page.url
