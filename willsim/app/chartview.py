"""Charts on the pages: each with alt text and PNG and SVG downloads of the static figure.

:func:`InteractiveChart` shows a Plotly figure (:mod:`willsim.reporting.plots`: hover values)
and offers the matching matplotlib figure (:mod:`willsim.reporting.charts`, the briefing's) as
PNG and SVG, drawn only when a download is clicked. :func:`ChartView` shows a matplotlib figure
as an image with alt text (the figure's titles, or the text given).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import solara
from matplotlib.figure import Figure

from willsim.app import export
from willsim.app.plotly_view import PlotlyChart
from willsim.reporting.i18n import text
from willsim.reporting.plots import Chart


def figure_alt(fig: Figure, language: str) -> str:
    """A matplotlib figure described by its titles: ``Chart: Unmet need; Crises per 1,000``."""
    titles = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        titles.append(suptitle.get_text())
    for ax in fig.axes:
        title = ax.get_title() or ax.get_xlabel()
        if title and title not in titles:
            titles.append(title)
    return text("alt_figure", language, titles="; ".join(titles) or "–")


@solara.component
def ChartView(fig: Any, stem: str, dependencies: list[Any], alt: str = ""):
    """A matplotlib figure as an image with alt text, and PNG and SVG downloads of exactly
    what is drawn."""
    from willsim.app import i18n

    # FileDownload resets when its data changes, so the callables must be stable across renders
    png = solara.use_memo(lambda: lambda: export.figure_bytes(fig, "png"), [id(fig)])
    svg = solara.use_memo(lambda: lambda: export.figure_bytes(fig, "svg"), [id(fig)])
    src = solara.use_memo(
        lambda: (
            "data:image/png;base64,"
            + base64.b64encode(export.figure_bytes(fig, "png", dpi=90)).decode("ascii")
        ),
        dependencies,
    )
    with solara.Column(classes=["chart-view"], gap="2px"):
        solara.v.Html(
            tag="img",
            attributes={"src": src, "alt": alt or figure_alt(fig, i18n.lang.value)},
            style_="max-width: 100%",
        )
        with solara.Row(classes=["chart-downloads"], gap="4px"):
            solara.FileDownload(png, filename=f"{stem}.png", label="PNG", mime_type="image/png")
            solara.FileDownload(svg, filename=f"{stem}.svg", label="SVG", mime_type="image/svg+xml")


@solara.component
def InteractiveChart(
    chart: Chart,
    static: Callable[[], Figure],
    stem: str,
    dependencies: list[Any],
    classes: list[str] = [],  # noqa: B006 (solara component signature)
):
    """``chart`` drawn with hover values; PNG and SVG of the static figure ``static()``."""
    png = solara.use_memo(lambda: lambda: export.figure_bytes(static(), "png"), dependencies)
    svg = solara.use_memo(lambda: lambda: export.figure_bytes(static(), "svg"), dependencies)
    with solara.Column(classes=["chart-view", "interactive-chart", *classes], gap="2px"):
        PlotlyChart(chart.figure, chart.alt, dependencies=dependencies)
        with solara.Row(classes=["chart-downloads"], gap="4px"):
            solara.FileDownload(png, filename=f"{stem}.png", label="PNG", mime_type="image/png")
            solara.FileDownload(svg, filename=f"{stem}.svg", label="SVG", mime_type="image/svg+xml")
