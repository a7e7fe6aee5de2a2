"""The app in a real browser (Debian's Chromium through Playwright), served offline."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.pages import LOAD, open_app, open_details, set_field


def small_run(page: Page, weeks: int = 12, residents: int = 2000) -> None:
    set_field(page, "Weeks (weeks)", str(weeks))
    set_field(page, "Simulated residents (residents)", str(residents))
    expect(page.get_by_text("2 changed")).to_be_visible()
    page.locator(".btn-run").click()
    expect(page.locator(".week-status")).to_have_text(f"Week {weeks} of {weeks}", timeout=30_000)


def chart_src(page: Page) -> str:
    """The live chart's description (its alt text names the latest values)."""
    return page.locator("figure.live-chart").first.get_attribute("aria-label") or ""


def test_load_change_controls_run_and_see_the_charts_update(page: Page, app_url: str):
    started = time.monotonic()
    open_app(page, app_url)
    assert time.monotonic() - started < 30
    expect(page.get_by_text("Press Run or Step to start.")).to_be_visible()
    expect(page.locator(".capped-message")).to_contain_text("Population capped")
    before = chart_src(page)
    small_run(page, weeks=12)
    expect(page.locator(".capped-message")).to_have_count(0)
    expect(page.get_by_text("2,000 simulated residents ·")).to_be_visible()
    expect(page.locator(".flows-note")).to_contain_text("Counts of the 2,000 simulated residents")
    chart = page.locator("figure.live-chart").first
    expect(chart).to_have_attribute("aria-label", re.compile(r"week 12 of 12"), timeout=10_000)
    assert chart_src(page) != before
    page.locator(".btn-reset").click()
    expect(page.locator(".week-status")).to_have_text("Week 0 of 12")
    page.locator(".btn-step").click()
    expect(page.locator(".week-status")).to_have_text("Week 1 of 12")


def test_bad_value_shows_the_registry_message(page: Page, app_url: str):
    open_app(page, app_url)
    set_field(page, "Weeks (weeks)", "9000")
    expect(page.get_by_text(re.compile("out of range; valid range"))).to_be_visible()
    expect(page.get_by_text("0 changed")).to_be_visible()
    set_field(page, "Weeks (weeks)", "nan")  # NaN is refused with the registry's message
    expect(page.get_by_text(re.compile("nan is not a finite number"))).to_be_visible()
    expect(page.get_by_text("0 changed")).to_be_visible()
    page.locator(".lang-toggle").get_by_role("button", name="it").click()
    set_field(page, "Settimane (settimane)", "nan")  # and in Italian, in Italian
    expect(page.get_by_text(re.compile("nan non è un numero"))).to_be_visible()


def test_language_from_the_url_and_the_switch(page: Page, app_url: str):
    page.goto(app_url + "?lang=it")
    expect(page.get_by_role("button", name="Avvia")).to_be_visible(timeout=LOAD)
    expect(page.get_by_text("Premi Avvia o Passo per iniziare.")).to_be_visible()
    expect(page.get_by_label("Settimane (settimane)", exact=True)).to_be_visible()
    expect(page.locator(".capped-message")).to_contain_text("121.316")  # Italian thousands
    set_field(page, "Settimane (settimane)", "12")
    expect(page.locator(".changed-count")).to_have_text("1 modificato")  # singular
    page.locator(".lang-toggle").get_by_role("button", name="en").click()
    expect(page.get_by_text("Press Run or Step to start.")).to_be_visible()
    expect(page.locator(".changed-count")).to_have_text("1 changed")


def test_page_stays_responsive_during_a_run(page: Page, app_url: str):
    open_app(page, app_url)
    set_field(page, "Weeks (weeks)", "1500")
    set_field(page, "Simulated residents (residents)", "1000")
    page.locator(".btn-run").click()
    expect(page.locator(".run-progress")).to_be_visible(timeout=10_000)
    page.locator(".lang-toggle").get_by_role("button", name="it").click()
    expect(page.get_by_text(re.compile(r"In corso…"))).to_be_visible(timeout=15_000)
    # a click that lands while the run re-renders the page can be dropped by the browser (a
    # person clicks again): up to three clicks, each given 8 s for the run to stop
    for attempt in range(3):
        if attempt and page.locator(".run-progress").count() == 0:
            break
        page.get_by_role("button", name="Pausa").click()
        try:
            expect(page.locator(".run-progress")).to_have_count(0, timeout=8_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    status = page.locator(".week-status").text_content()
    assert re.fullmatch(r"Settimana \d+ di 1500", status or "")
    assert status != "Settimana 1500 di 1500"


def test_download_csv_of_what_is_shown(page: Page, app_url: str):
    open_app(page, app_url)
    small_run(page, weeks=10)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == "willsim-baseline-bergamo.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert len(rows) == 10 and rows[0]["week"] == "0" and "unmet_need_share" in rows[0]
    with page.expect_download() as info:
        page.get_by_role("button", name="Download scenario file").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert '"run.weeks" = 10' in text and "willsim run willsim-baseline-bergamo.toml" in text


def test_citizen_journey(page: Page, app_url: str):
    open_app(page, app_url)
    small_run(page, weeks=8)
    card = page.locator(".citizen-card")
    expect(card).to_contain_text("Age band")
    expect(card).to_contain_text("Work and income")
    expect(card).to_contain_text("Resident 0 ·")  # the first journey has rendered
    field = card.get_by_label(re.compile("Resident number"))
    field.fill("5")
    expect(field).to_have_value("5")
    field.press("Enter")
    expect(card).to_contain_text("Resident 5 ·", timeout=30_000)


def test_two_sessions_have_independent_state(browser, app_url: str):
    a = browser.new_context(viewport={"width": 1300, "height": 1000})
    b = browser.new_context(viewport={"width": 1300, "height": 1000})
    for ctx in (a, b):
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
    try:
        pa, pb = a.new_page(), b.new_page()
        open_app(pa, app_url)
        pb.goto(app_url + "?lang=it")
        expect(pb.get_by_role("button", name="Avvia")).to_be_visible(timeout=LOAD)
        small_run(pa, weeks=6)
        expect(pb.get_by_text("Premi Avvia o Passo per iniziare.")).to_be_visible()
        expect(pb.get_by_text("0 modificati")).to_be_visible()
        expect(pa.get_by_text("Press Run or Step to start.")).to_have_count(0)
        expect(pa.locator(".week-status")).to_have_text("Week 6 of 6")
    finally:
        a.unroute_all(behavior="ignoreErrors")
        b.unroute_all(behavior="ignoreErrors")
        a.close()
        b.close()


def _drop_file(page: Page, name: str, content: str) -> None:
    """Drop a file on solara's FileDrop. A synthetic DataTransfer has no file-system entries in
    Chromium, so ``webkitGetAsEntry`` is given the minimal shape FileDrop reads."""
    page.evaluate("""() => { DataTransferItem.prototype.webkitGetAsEntry = function () {
        const file = this.getAsFile();
        return {isFile: true, file: (resolve) => resolve(file)}; }; }""")
    handle = page.evaluate_handle(
        """([name, content]) => { const dt = new DataTransfer();
           dt.items.add(new File([content], name, {type: 'text/plain'})); return dt; }""",
        [name, content],
    )
    page.locator(".solara-file-drop").dispatch_event("drop", {"dataTransfer": handle})


def test_bad_upload_rejected_and_good_upload_used(page: Page, app_url: str):
    open_app(page, app_url)
    _drop_file(page, "bad.toml", '[params]\n"helpseeking.awareness" = 7\n')
    expect(page.locator(".upload-message")).to_contain_text("Scenario file rejected")
    expect(page.locator(".upload-message")).to_contain_text("out of range")
    _drop_file(page, "mine.toml", '[scenario]\nname = "mine"\ncity = "parma"\n')
    expect(page.locator(".upload-message")).to_contain_text("Uploaded scenario mine.toml")
    expect(page.locator(".city-select")).to_contain_text("Parma")


def test_compare_two_strategies(page: Page, app_url: str):
    page.goto(app_url + "compare")
    expect(page.locator(".btn-compare")).to_be_visible(timeout=LOAD)
    set_field(page, "Replicates (same seeds for every strategy)", "3")
    set_field(page, "Weeks", "12")
    set_field(page, "Simulated residents", "800")
    page.locator(".btn-compare").click()
    expect(page.locator(".compare-done")).to_be_visible(timeout=60_000)
    expect(page.locator(".compare-cards")).to_contain_text("against 1. ")
    open_details(page)
    expect(page.get_by_text(re.compile(r"Paired differences from 1\. "))).to_be_visible()
    expect(page.locator(".compare-results img").first).to_be_visible()
    expect(
        page.locator(".compare-key-figures").get_by_role("columnheader", name="95% interval")
    ).to_be_visible()
    with page.expect_download() as info:
        page.locator(".compare-results").get_by_role("button", name="Download CSV").click()
    header = Path(info.value.path()).read_text(encoding="utf-8").splitlines()[0]
    assert header == "strategy,indicator,week,seed,value"
