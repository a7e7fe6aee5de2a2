"""Interactive charts: a Plotly figure with hover values, described for screen readers.

``solara.FigurePlotly`` displays plotly's ``FigureWidget``, an anywidget whose state carries
plotly's whole front end (a 5 MB JavaScript bundle) in *every* chart: four charts made a page
take 16 s and send 20 MB over the websocket. :class:`ChartWidget` is the same widget with a
small loader instead, which imports the bundle once per page from solara's asset cache
(:data:`willsim.app.assets.PLOTLY_WIDGET`, copied there by ``python -m willsim.app.assets``;
nothing leaves the server). :func:`PlotlyChart` then does what ``FigurePlotly`` does (update the
widget's data and layout when the figure changes) and wraps it in a ``<figure>`` whose
``aria-label`` is the chart's alt text.
"""

from __future__ import annotations

from typing import Any

import solara
from plotly.graph_objs._figurewidget import FigureWidget

from willsim.app.assets import PLOTLY_WIDGET

LOADER = f"""
const cdn = (window.solara_cdn || "/_solara/cdn").replace(/\\/$/, "");
const url = new URL(cdn + "/{PLOTLY_WIDGET}/widgetbundle.js", window.location.href).href;
const bundle = await import(url);
const fit = () => window.dispatchEvent(new Event("resize"));
export default () => {{
  const inner = bundle.default();
  return {{
    initialize: (context) => inner.initialize(context),
    render: (context) => {{
      context.el.style.width = "100%";
      const cleanup = inner.render(context);
      setTimeout(fit, 60);
      setTimeout(fit, 800);
      return cleanup;
    }},
  }};
}};
"""
"""The chart widget's front end: plotly's widget bundle (a factory of ``initialize`` and
``render``), imported from the asset cache; once drawn, the chart is fitted to its container
(plotly's ``responsive`` charts follow the window's size)."""

CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


class ChartWidget(FigureWidget):
    """plotly's FigureWidget whose front end is loaded once per page (see the module doc)."""

    _esm = LOADER

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._config = CONFIG


@solara.component
def PlotlyChart(
    fig: Any,
    alt: str,
    classes: list[str] = [],  # noqa: B006 (solara component signature)
    dependencies: list[Any] | None = None,
):
    """``fig`` drawn with hover values; ``alt`` describes it to screen readers (and tests)."""
    element = ChartWidget.element()

    def update() -> None:
        widget: FigureWidget = solara.get_widget(element)
        widget.layout = fig.layout
        length = len(widget.data)
        widget.add_traces(fig.data)
        widget.data = list(widget.data)[length:]

    solara.use_effect(update, dependencies if dependencies is not None else [fig])
    return solara.v.Html(
        tag="figure",
        attributes={"aria-label": alt, "role": "figure", "title": ""},
        class_=" ".join(["plotly-chart", *classes]),
        style_="margin: 0; width: 100%",
        children=[element, solara.v.Html(tag="figcaption", class_="chart-alt", children=[alt])],
    )
