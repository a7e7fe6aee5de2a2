"""Export a whole workshop: a self-contained HTML report (printable to PDF) and CSV tables.

The report has, for every round with results: the event, the board (ranking and outcomes), each
team's strategy and rationale, the key figures against the status quo (the briefing report's
table, paired on common seeds), and charts (criteria, time series with bands, equity); then the
debrief lines and the caveats. Charts are embedded PNG images, so the file needs nothing else.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from willsim.workshop import board, texts
from willsim.workshop.ranking import Ranking
from willsim.workshop.runner import STATUS_QUO
from willsim.workshop.settings import CRITERIA
from willsim.workshop.strategy import Strategy

CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;
line-height:1.4}h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.85em}th,td{border:1px solid #ccc;
padding:3px 6px;text-align:left;vertical-align:top}th{background:#f0f3f6}img{max-width:100%}
.muted{color:#666;font-size:.9em}figure{margin:1em 0;page-break-inside:avoid}"""


def _table(frame: pd.DataFrame, css: str = "") -> str:
    if frame.empty:
        return ""
    return frame.to_html(index=False, escape=True, classes=css, border=0)


def _img(fig: Any, alt: str) -> str:
    from willsim.app.report import figure_png_base64

    return (
        f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,'
        f'{figure_png_base64(fig, dpi=90)}"></figure>'
    )


def _ranking_line(ranking: Ranking, language: str) -> str:
    if ranking.mode == "weights":
        weights = ", ".join(
            f"{texts.text(f'ws_crit_{c}', language).split(' (')[0]} {texts.number(w, 1, language)}"
            for c, w in ranking.weights.items()
            if w
        )
        return texts.text("ws_ranking_weights", language, weights=weights)
    order = " › ".join(texts.text(f"ws_crit_{c}", language).split(" (")[0] for c in ranking.order)
    return texts.text("ws_ranking_lex", language, order=order)


def strategies_table(data: Mapping[str, Any], language: str) -> pd.DataFrame:
    names = board.labels(data, language)
    rows = []
    for team_id, sub in sorted(data["submissions"].items(), key=lambda kv: names.get(kv[0], "")):
        s = Strategy.from_dict(sub["strategy"])
        rows.append(
            {
                texts.text("ws_team", language): names.get(team_id, team_id),
                texts.text("ws_strategy", language): texts.summary(s, language),
                texts.text("ws_est_cost", language): "€ " + texts.number(sub["cost"], 0, language),
                texts.text("ws_rationale", language): s.note or "–",
            }
        )
    return pd.DataFrame(rows)


def html_report(
    rounds: Sequence[Mapping[str, Any]], language: str = "en", created: str | None = None
) -> str:
    """The whole workshop as one self-contained HTML page."""
    lang = language
    if not rounds:
        raise ValueError("the workshop has no results to export yet")
    first = rounds[0]
    s = first["settings"]
    ranking = Ranking.from_dict(first["ranking"])
    title = texts.text("ws_report_title", lang, title=first["title"])
    created = created or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="muted">{html.escape(created)}</p>',
        "<p>"
        + html.escape(
            texts.text(
                "ws_report_setup",
                lang,
                city=s["city"],
                scenario=s["scenario"],
                weeks=s["weeks"],
                residents=texts.number(s["residents"], 0, lang),
                replicates=s["replicates"],
                envelope=texts.number(s["envelope"], 0, lang),
            )
        )
        + "</p>",
        f"<p>{html.escape(_ranking_line(ranking, lang))}</p>",
    ]
    for data in rounds:
        event = texts.text(f"ws_event_{data['event']}", lang)
        heading = texts.text("ws_round_event", lang, n=data["number"], event=event)
        parts.append(f"<section><h2>{html.escape(heading)}</h2>")
        parts.append(f"<h3>{html.escape(texts.text('ws_board', lang))}</h3>")
        parts.append(_table(board.board_table(data, lang, ranking), "board"))
        parts.append(f'<p class="muted">{html.escape(texts.text("ws_criteria_help", lang))}</p>')
        parts.append(f"<h3>{html.escape(texts.text('ws_strategies', lang))}</h3>")
        parts.append(_table(strategies_table(data, lang), "strategies"))
        figures = board.key_figures(data, lang)
        if not figures.empty:
            parts.append(f"<h3>{html.escape(texts.text('ws_key_figures', lang))}</h3>")
            parts.append(_table(figures, "key-figures"))
        parts.append(f"<h3>{html.escape(texts.text('ws_charts', lang))}</h3>")
        parts.append(_img(board.criteria_figure(data, lang, ranking), "criteria"))
        parts.append(_img(board.band_chart(data, "unmet_need_share", lang), "unmet need"))
        if len(next(iter(data["results"].values()))["runs"]) >= 2:
            parts.append(_img(board.equity_chart(data, lang), "equity"))
        parts.append("</section>")
    parts.append(
        f"<section><h2>{html.escape(texts.text('ws_debrief', lang))}</h2><ul>"
        + "".join(
            f"<li>{html.escape(line)}</li>" for line in board.debrief_lines(rounds, lang, ranking)
        )
        + f'</ul><p class="muted">{html.escape(texts.text("ws_caveat", lang))}</p>'
        "</section></body></html>\n"
    )
    return "".join(parts)


def board_csv(rounds: Sequence[Mapping[str, Any]]) -> str:
    """One row per round and team: event, rank, score, criteria (numbers), cost, levers."""
    rows = []
    for data in rounds:
        table = board.ranked(data)
        for team_id, row in table.iterrows():
            sub = data["submissions"].get(team_id)
            out = {
                "round": data["number"],
                "event": data["event"],
                "team": "Status quo" if team_id == STATUS_QUO else data["names"].get(team_id),
                "rank": "" if pd.isna(row["rank"]) else int(row["rank"]),
                "score": row["score"],
                **{c: row[c] for c in CRITERIA},
                "estimated_cost_eur_per_year": sub["cost"] if sub else "",
            }
            strat = sub["strategy"] if sub else {}
            for lever in (
                "access",
                "targeting",
                "intensity",
                "delivery",
                "co_programming",
                "contracts",
                "social_workers",
                "note",
            ):
                out[lever] = strat.get(lever, "")
            rows.append(out)
    return pd.DataFrame(rows).to_csv(index=False)


def runs_csv(rounds: Sequence[Mapping[str, Any]]) -> str:
    """Every run's end-of-run indicators: round, event, team, replicate, seed, indicator,
    value."""
    rows = []
    for data in rounds:
        for team_id, res in data["results"].items():
            team = "Status quo" if team_id == STATUS_QUO else data["names"].get(team_id)
            for r, (seed, run) in enumerate(zip(res["seeds"], res["runs"], strict=False)):
                for ind, value in run["summary"].items():
                    rows.append((data["number"], data["event"], team, r, seed, ind, value))
    return pd.DataFrame(
        rows, columns=["round", "event", "team", "replicate", "seed", "indicator", "value"]
    ).to_csv(index=False)
