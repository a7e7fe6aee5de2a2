"""Explore in a real browser: a slider changes the model, the settings live in the address (a
link rebuilds them elsewhere), Download CSV waits for a run, and an Italian tour of every page
shows no English words in its visible text."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from e2e.pages import LOAD, open_app


def test_a_slider_changes_the_model_and_the_address(page: Page, app_url: str):
    open_app(page, app_url)
    expect(page.locator(".btn-csv-disabled")).to_be_disabled()
    slider = page.locator(".param-helpseeking-awareness [role=slider]")
    before = float(slider.get_attribute("aria-valuenow") or "nan")
    slider.focus()
    for _ in range(5):
        slider.press("ArrowRight")
    expect(page.locator(".changed-count")).to_have_text("1 changed", timeout=10_000)
    after = float(slider.get_attribute("aria-valuenow") or "nan")
    assert after > before
    expect(page).to_have_url(re.compile(r"set=helpseeking\.awareness"), timeout=10_000)
    page.locator(".btn-step").click()
    expect(page.locator(".week-status")).to_have_text(re.compile(r"Week 1 of"), timeout=30_000)
    expect(page.locator(".btn-csv-disabled")).to_have_count(0)


def test_an_explore_link_rebuilds_the_settings(browser: Browser, app_url: str):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(app_url + "?lang=it&scenario=pandemic&city=parma&set=run.weeks%3D12")
        expect(page.locator(".btn-run")).to_be_visible(timeout=LOAD)
        expect(page.locator(".city-select")).to_contain_text("Parma")
        expect(page.locator(".scenario-select")).to_contain_text("Shock pandemico")
        expect(page.locator(".changed-count")).to_have_text("1 modificato")
        page.goto(app_url + "?set=helpseeking.awareness%3Dnan")
        expect(page.locator(".explore-link-problems")).to_contain_text("nan is not a finite number")
    finally:
        ctx.close()


ENGLISH = re.compile(
    r"\b(the|and|with|of|Run|Compare|Results|Weeks|Replicates|Strategies|Download|Team|Join)\b"
)
ALLOWED = re.compile(r"willsim|Solara|PNG|SVG|CSV|Parquet|HTML|NEET|ISEE|TOML|YAML|en|it")


def _visible_english(page: Page) -> list[str]:
    text = page.locator("main").inner_text()
    return [line for line in text.splitlines() if ENGLISH.search(ALLOWED.sub("", line))]


def test_an_italian_tour_of_every_page_shows_no_english(page: Page, app_url: str):
    for path, ready in (
        ("?lang=it", ".btn-run"),
        ("compare?lang=it", ".btn-compare"),
        ("results?lang=it", ".btn-open-sweep"),
        ("workshop?lang=it", ".ws-join"),
    ):
        page.goto(app_url + path)
        expect(page.locator(ready)).to_be_visible(timeout=LOAD)
        page.wait_for_timeout(500)
        found = _visible_english(page)
        assert not found, f"{path}: English on an Italian page: {found[:5]}"
