"""The results board on screen: ranked table, criteria chart, time series and equity charts,
and the debrief; shown to the facilitator at once and to teams when revealed."""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import solara

from willsim.app import i18n
from willsim.app.i18n import tr
from willsim.app.workshop.common import Lines
from willsim.reporting import charts
from willsim.workshop import board, export
from willsim.workshop.ranking import CRITERION_UNITS
from willsim.workshop.runner import SERIES_KEYS
from willsim.workshop.settings import CRITERIA

_PNG: OrderedDict[tuple, bytes] = OrderedDict()
_PNG_LOCK = threading.Lock()
PNG_CACHE = 64


def shared_png(key: tuple, draw: Callable[[], Any]) -> bytes:
    """The PNG of the figure ``draw()`` makes, drawn once for every session that shows the same
    round, results version and language (a bounded cache of images, not of state)."""
    with _PNG_LOCK:
        if key in _PNG:
            _PNG.move_to_end(key)
            return _PNG[key]
    buf = io.BytesIO()
    draw().savefig(buf, format="png")
    png = buf.getvalue()
    with _PNG_LOCK:
        _PNG[key] = png
        while len(_PNG) > PNG_CACHE:
            _PNG.popitem(last=False)
    return png


@solara.component
def SharedFigure(
    name: str, data: Mapping[str, Any], version: Any, draw: Callable[[], Any], extra: Any = None
):
    key = (name, data.get("room_id"), data["number"], repr(version), extra)
    png = solara.use_memo(lambda: shared_png(key, draw), [key])
    solara.Image(png)


@solara.component
def RoundBoard(data: Mapping[str, Any], version: Any):
    """One round: the board table and its charts (figures memoised per data and language)."""
    language = i18n.lang.value
    more, set_more = solara.use_state(False)
    deps = [data["number"], version, language]
    table = solara.use_memo(lambda: board.board_table(data, language), deps)
    with solara.Column(classes=["ws-board"]):
        solara.Markdown(
            f"#### {tr('ws_round_event', n=data['number'], event=tr('ws_event_' + data['event']))}"
        )
        solara.DataFrame(table, items_per_page=50)
        solara.Text(tr("ws_criteria_help"), style={"font-size": "0.85em", "color": "#555"})
        SharedFigure(
            "criteria",
            data,
            version,
            lambda: charts.readable_axes(
                board.criteria_figure(data, language),
                [CRITERION_UNITS[c] for c in CRITERIA],
                language,
            ),
            language,
        )
        solara.Button(
            tr("ws_more_charts"),
            on_click=lambda: set_more(not more),
            small=True,
            outlined=True,
            classes=["ws-more-charts"],
        )
        if more:
            MoreCharts(data, version)


@solara.component
def MoreCharts(data: Mapping[str, Any], version: Any):
    """The Compare page's band chart for a chosen indicator, the equity chart and the key
    figures table (drawn only on request: figures cost CPU for every session)."""
    language = i18n.lang.value
    key, set_key = solara.use_state("unmet_need_share")
    deps = [data["number"], version, language]
    with solara.Column(classes=["ws-more"]):
        solara.v.Select(
            label=tr("ws_chart_indicator"),
            v_model=key,
            on_v_model=set_key,
            items=[{"text": i18n.indicator_label(k), "value": k} for k in SERIES_KEYS],
            style_="max-width: 360px",
        )
        SharedFigure(
            "band", data, version, lambda: board.band_chart(data, key, language), (language, key)
        )
        if len(next(iter(data["results"].values()))["runs"]) >= 2:
            solara.Markdown(f"#### {tr('ws_equity')}")
            SharedFigure(
                "equity", data, version, lambda: board.equity_chart(data, language), language
            )
        figures = solara.use_memo(lambda: board.key_figures(data, language), deps)
        if not figures.empty:
            with solara.Details(tr("ws_key_figures")):
                solara.DataFrame(figures, items_per_page=60)


@solara.component
def Debrief(rounds: Sequence[Mapping[str, Any]], version: Any):
    """Plain-language lessons across rounds, and every team's strategy and rationale."""
    language = i18n.lang.value
    lines = solara.use_memo(
        lambda: board.debrief_lines(rounds, language), [version, language, len(rounds)]
    )
    with solara.Column(classes=["ws-debrief"]):
        solara.Markdown(f"### {tr('ws_debrief')}")
        if not rounds:
            solara.Text(tr("ws_no_results"))
            return
        Lines(lines, classes=["ws-debrief-lines"])
        Surprises(rounds, version)
        for data in rounds:
            event = tr("ws_event_" + data["event"])
            solara.Markdown(f"#### {tr('ws_round_event', n=data['number'], event=event)}")
            solara.DataFrame(
                pd.DataFrame(export.strategies_table(data, language)), items_per_page=50
            )
        solara.Text(tr("ws_caveat"), style={"font-size": "0.85em", "color": "#555"})


@solara.component
def Surprises(rounds: Sequence[Mapping[str, Any]], version: Any):
    """Counter-intuitive results of the status quo explained (:mod:`willsim.workshop.surprises`)."""
    from willsim.workshop.surprises import surprise_lines

    language = i18n.lang.value
    lines = solara.use_memo(
        lambda: surprise_lines(rounds, language), [version, language, len(rounds)]
    )
    if lines:
        solara.Markdown(f"#### {tr('ws_surprises')}")
        Lines(lines, classes=["ws-surprise-lines"])


@solara.component
def Results(rounds: Sequence[Mapping[str, Any]], version: Any, debrief: bool = True):
    """A round picker (latest first) with its board, then the debrief."""
    numbers = [r["number"] for r in rounds]
    chosen, set_chosen = solara.use_state(None)
    if not rounds:
        solara.Text(tr("ws_no_results"), classes=["ws-no-results"])
        return
    current = chosen if chosen in numbers else numbers[-1]
    with solara.Column():
        if len(numbers) > 1:
            with solara.Row():
                for n in numbers:
                    solara.Button(
                        tr("ws_round", n=n),
                        on_click=lambda n=n: set_chosen(n),
                        small=True,
                        outlined=n != current,
                        color="primary" if n == current else None,
                        classes=[f"ws-round-{n}"],
                    )
        RoundBoard(next(r for r in rounds if r["number"] == current), version)
        if debrief:
            Debrief(rounds, version)
