"""Explore in a real browser: the ecosystem view updates as the model steps, a click on a
resident opens their journey (timeline and event log), and the help texts switch to Italian."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from e2e.pages import LOAD, open_app, set_field

SETTINGS = {"run.weeks": 10, "run.residents": 2000}


def step(page: Page, week: int, label: str = "Week {w} of 10") -> None:
    page.locator(".btn-step").click()
    expect(page.locator(".week-status")).to_have_text(label.format(w=week), timeout=20_000)


def map_week(page: Page, week: int) -> None:
    expect(page.locator("img.ecosystem-map")).to_have_attribute(
        "data-week", str(week), timeout=20_000
    )


def resident_pixel(k: int) -> tuple[int, float, float]:
    """Where the app draws the ``k``-th followed resident (the layout depends only on who lives
    where, so the test rebuilds it from the same scenario and settings)."""
    from willsim.app import ecosystem, state

    run = state.ExploreRun(state.resolve(state.Choice(overrides=SETTINGS)))
    try:
        idx = run.journal.idx[: run.sample_size]
        image = ecosystem.render_map(run.model, idx, None, "en")
        return int(idx[k]), float(image.px[k, 0]), float(image.px[k, 1])
    finally:
        run.release()


def test_ecosystem_updates_and_a_click_opens_the_journey(page: Page, app_url: str):
    open_app(page, app_url)
    set_field(page, "Weeks (weeks)", "10")
    set_field(page, "Simulated residents (residents)", "2000")
    expect(page.get_by_text("2 changed")).to_be_visible()
    step(page, 1)
    map_week(page, 1)
    card = page.locator(".ecosystem-view")
    expect(card).to_contain_text("a sample of 1,500 of 2,000")
    expect(card).to_contain_text("On the waiting list")  # the legend
    expect(page.locator(".ecosystem-flows img")).to_be_visible()
    first = page.locator("img.ecosystem-map").get_attribute("src")
    step(page, 2)
    step(page, 3)
    map_week(page, 3)
    assert page.locator("img.ecosystem-map").get_attribute("src") != first
    resident, x, y = resident_pixel(40)
    page.locator("img.ecosystem-map").click(position={"x": x, "y": y})
    title = page.locator(".journey-title")
    expect(title).to_contain_text(f"Resident {resident} · Week 3 of 10", timeout=20_000)
    expect(page.locator(".journey-timeline img")).to_be_visible()
    events = page.locator(".journey-events")
    expect(events).to_be_visible()
    step(page, 4)
    expect(title).to_contain_text(f"Resident {resident} · Week 4 of 10")


def test_journey_picker_and_italian_help(page: Page, app_url: str):
    page.goto(app_url + "?lang=it")
    expect(page.get_by_role("button", name="Avvia")).to_be_visible(timeout=LOAD)
    help_it = "Quota di residenti che sanno che i servizi sociali esistono"
    expect(page.get_by_text(re.compile(help_it)).first).to_be_visible()
    set_field(page, "Settimane (settimane)", "10")
    set_field(page, "Residenti simulati (residenti)", "2000")
    expect(page.get_by_text("2 modificati")).to_be_visible()
    page.locator(".btn-run").click()
    expect(page.locator(".week-status")).to_have_text("Settimana 10 di 10", timeout=30_000)
    map_week(page, 10)
    page.locator(".journey-picker .v-select").click()
    option = page.get_by_role("option").filter(has_text="più eventi").first
    chosen = re.match(r"#(\d+)", option.text_content() or "")
    assert chosen
    option.click()
    expect(page.locator(".journey-title")).to_contain_text(f"Residente {chosen.group(1)} ·")
    events = page.locator(".journey-events")
    expect(events.get_by_role("columnheader", name="evento")).to_be_visible()
    expect(events.get_by_role("columnheader", name="regola")).to_be_visible()
    expect(events.locator("tbody tr").first).to_be_visible()
    page.locator(".lang-toggle").get_by_role("button", name="en").click()
    expect(events.get_by_role("columnheader", name="rule")).to_be_visible()
    expect(
        page.get_by_text(re.compile("Share of residents who know the social services")).first
    ).to_be_visible()
