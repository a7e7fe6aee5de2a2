"""Helpers shared by the browser tests: open a page and fill a registry-generated field."""

from __future__ import annotations

from playwright.sync_api import Page, expect

LOAD = 45_000
"""Milliseconds allowed for a page's first render (the server may be busy with other tests)."""


def open_app(page: Page, url: str) -> None:
    """Open the Explore page and wait until it can be used."""
    page.goto(url)
    expect(page.locator(".btn-run")).to_be_visible(timeout=LOAD)


def set_field(page: Page, label: str, value: str) -> None:
    """Type ``value`` into the field labelled ``label`` and confirm it with Enter."""
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Enter")


def open_details(page: Page) -> None:
    """Unfold the details below the Compare page's decision cards."""
    fold = page.locator(".compare-results .compare-fold")
    expect(fold).to_be_visible(timeout=LOAD)
    if page.locator(".compare-details").count() == 0:
        fold.locator(".v-expansion-panel-header").first.click()
    expect(page.locator(".compare-details")).to_be_visible(timeout=LOAD)
