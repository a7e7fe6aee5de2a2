"""Compare for a city other than Bergamo, shareable links that rebuild the page and its results in
another browser, and a reload that cancels the page's run (Debian's Chromium, offline)."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from e2e.pages import LOAD, open_details

PARMA = (
    "compare?lang=en&city=parma&reps=2&weeks=8&residents=600"
    "&s1=on-demand-centralised&s2=proactive-centralised&s3=on-demand-platform"
    "&s4=proactive-platform&c4=office.social_workers%20%3D%2030"
)


def _context(browser: Browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    ctx.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(
                ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")
            )
            else route.abort()
        ),
    )
    return ctx


def _active_runs(url: str) -> int:
    with urllib.request.urlopen(url + "api/app/status", timeout=5) as resp:
        return int(json.loads(resp.read())["active_runs"])


def test_parma_comparison_end_to_end_and_a_link_that_rebuilds_it(browser: Browser, app_url: str):
    a, b = _context(browser), _context(browser)
    try:
        pa = a.new_page()
        pa.goto(app_url + PARMA)
        expect(pa.locator(".btn-compare")).to_be_visible(timeout=LOAD)
        expect(pa.locator(".compare-city")).to_contain_text("Parma")
        expect(pa.locator(".variant-4")).to_contain_text("Proactive, platform")
        started = time.monotonic()
        pa.locator(".btn-compare").click()
        expect(pa.locator(".compare-done")).to_contain_text(
            "4 strategies × 2 replicates", timeout=120_000
        )
        ran = time.monotonic() - started
        open_details(pa)
        html_before = pa.locator(".compare-key-figures").inner_text()
        with pa.expect_download(timeout=60_000) as info:
            pa.locator(".compare-results").get_by_role(
                "button", name="Download the briefing (HTML)"
            ).click()
        briefing = Path(info.value.path()).read_text(encoding="utf-8")
        assert "Parma" in briefing and "Proactive, platform" in briefing
        shared = pa.url
        assert "city=parma" in shared and "s4=proactive-platform" in shared

        pb = b.new_page()
        started = time.monotonic()
        pb.goto(shared)
        expect(pb.locator(".compare-cached")).to_be_visible(timeout=LOAD)
        opened = time.monotonic() - started
        expect(pb.locator(".compare-done")).to_contain_text("4 strategies × 2 replicates")
        open_details(pb)
        assert pb.locator(".compare-key-figures").inner_text() == html_before
        expect(pb.locator(".compare-city")).to_contain_text("Parma")
        print(f"\nParma, 4 strategies: ran in {ran:.1f} s; link: {opened:.1f} s")
    finally:
        a.close()
        b.close()


def test_a_link_in_italian_rebuilds_the_page_in_italian(page: Page, app_url: str):
    page.goto(app_url + PARMA.replace("lang=en", "lang=it"))
    expect(page.locator(".btn-compare")).to_be_visible(timeout=LOAD)
    expect(page.locator(".variant-2")).to_contain_text("Di iniziativa, centralizzato")
    expect(page.get_by_role("button", name="Confronta")).to_be_visible()


def test_clipped_values_are_said_on_screen(page: Page, app_url: str):
    page.goto(app_url + "compare?reps=1000&residents=10000000")
    expect(page.locator(".btn-compare")).to_be_visible(timeout=LOAD)
    problems = page.locator(".compare-link-problems")
    expect(problems).to_contain_text("1,000 is more than the largest allowed here (50)")
    expect(problems).to_contain_text("10,000,000 is more than the largest allowed here (20,000)")
    field = page.get_by_label("Weeks", exact=True)
    field.fill("0")
    field.press("Enter")
    expect(page.locator(".clipped-note")).to_contain_text(
        "0 is less than the smallest allowed here (1); 1 will be used"
    )
    field.fill("abc")
    field.press("Enter")
    expect(page.get_by_text("Type a whole number.")).to_be_visible()


def test_reload_during_a_run_cancels_it(page: Page, app_url: str):
    page.goto(app_url + "compare?reps=20&weeks=400&residents=4000")
    expect(page.locator(".btn-compare")).to_be_visible(timeout=LOAD)
    page.locator(".btn-compare").click()
    expect(page.locator(".compare-progress")).to_be_visible(timeout=20_000)
    # the progress shows as soon as the task is pending; its thread counts itself a moment later
    # (later still on a loaded machine), so wait for the count rather than read it once
    deadline = time.monotonic() + 20
    while not _active_runs(app_url) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _active_runs(app_url) >= 1
    page.reload()
    expect(page.locator(".btn-compare")).to_be_visible(timeout=LOAD)
    deadline = time.monotonic() + 20
    while _active_runs(app_url) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert _active_runs(app_url) == 0, "the reloaded page's run kept going"
    expect(page.locator(".compare-results")).to_have_count(0)
    assert "reps=20" in page.url  # the settings came back from the address
