"""Compare two strategies in the browser, read the equity and costs panels, download the CSV
and the briefing report, and open a sweep on the Results page."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sweep_specs import TINY_MORRIS

from e2e.pages import LOAD, open_details, set_field


def run_two_strategies(page: Page, url: str) -> None:
    page.goto(url + "compare")
    expect(page.locator(".btn-compare")).to_be_visible(timeout=LOAD)
    for _ in range(2):  # the four corners by default: keep the first two
        page.locator(".variant-3").get_by_role("button", name="Remove").click()
    expect(page.locator(".variant-3")).to_have_count(0)
    set_field(page, "Replicates (same seeds for every strategy)", "3")
    set_field(page, "Weeks", "20")
    set_field(page, "Simulated residents", "2000")
    page.locator(".btn-compare").click()
    expect(page.locator(".compare-done")).to_contain_text(
        "2 strategies × 3 replicates", timeout=60_000
    )


def test_compare_equity_costs_csv_and_report(page: Page, app_url: str):
    run_two_strategies(page, app_url)
    open_details(page)
    results = page.locator(".compare-results")
    expect(results.locator(".compare-equity img")).to_be_visible()
    expect(results.locator(".compare-equity")).to_contain_text("Age band")
    expect(results.locator(".compare-costs img")).to_be_visible()
    expect(results.locator(".compare-costs")).to_contain_text("Public spending")
    expect(results.locator(".compare-timeline")).to_contain_text("Multichannel marketplace")
    expect(results.locator(".compare-command")).to_contain_text(
        "willsim compare 1-willsim-on-demand-centralised-bergamo.toml "
        "2-willsim-on-demand-platform-bergamo.toml --replicates 3 --seed"
    )

    with page.expect_download() as info:
        results.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text("utf-8"))))
    assert {r["strategy"] for r in rows} == {"1. on-demand-centralised", "2. on-demand-platform"}
    assert len({r["seed"] for r in rows}) == 3 and max(int(r["week"]) for r in rows) == 19

    with page.expect_download() as info:
        results.locator(".compare-costs .chart-view").get_by_role("button", name="SVG").click()
    assert info.value.suggested_filename == "willsim-costs.svg"
    assert b"<svg" in Path(info.value.path()).read_bytes()[:500]

    with page.expect_download(timeout=60_000) as info:
        results.get_by_role("button", name="Download the briefing (HTML)").click()
    assert info.value.suggested_filename == "willsim-briefing-en.html"
    html = Path(info.value.path()).read_text("utf-8")
    assert "<h2>Key figures</h2>" in html and "<h3>Who gains and who loses</h3>" in html
    assert "Scenario hash" in html and "20 weeks, 2,000 simulated residents" in html
    assert not re.search(r"https?://", html)

    page.locator(".lang-toggle").get_by_role("button", name="it").click()
    expect(results.locator(".compare-equity")).to_contain_text("Fascia d'età")
    with page.expect_download(timeout=60_000) as info:
        results.get_by_role("button", name="Scarica la nota informativa (HTML)").click()
    assert "<h2>Dati principali</h2>" in Path(info.value.path()).read_text("utf-8")


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory, results_root: Path) -> str:
    """A tiny sweep under the server's results root (the folder the app may read)."""
    from willsim.experiments.sweep import run_sweep

    spec = tmp_path_factory.mktemp("spec") / "tiny.toml"
    spec.write_text(TINY_MORRIS)
    base = results_root / "e2e"
    shutil.rmtree(base, ignore_errors=True)
    run_sweep(spec, base / "tiny", engine="serial", progress=False)
    yield str((base / "tiny").relative_to(results_root))
    shutil.rmtree(base, ignore_errors=True)


def test_results_page_opens_a_sweep_and_refuses_other_folders(
    page: Page, app_url: str, sweep_folder: str
):
    page.goto(app_url + "results")
    expect(page.locator(".btn-open-sweep")).to_be_visible(timeout=LOAD)
    set_field(page, "Sweep folder", "/etc")
    page.locator(".btn-open-sweep").click()
    expect(page.locator(".results-error")).to_contain_text("outside the folder this app may read")
    set_field(page, "Sweep folder", sweep_folder)
    page.locator(".btn-open-sweep").click()
    expect(page.locator(".sweep-results")).to_contain_text("6 / 6 (0)", timeout=30_000)
    expect(page.locator(".sweep-bands .js-plotly-plot")).to_be_visible()
    expect(page.locator(".sweep-sensitivity .js-plotly-plot")).to_be_visible()
    expect(page.locator(".sweep-command")).to_contain_text(f"willsim results {sweep_folder}")
    with page.expect_download() as info:
        page.locator(".sweep-bands .table-downloads").get_by_role("button", name="CSV").click()
    header = Path(info.value.path()).read_text("utf-8").splitlines()[0]
    assert header == "indicator,week,p05,median,p95,runs"
