"""Export a whole workshop: a self-contained HTML report (printable to PDF) and CSV tables.

The report has, for every round with results: the event, the board (ranking and outcomes), each
team's strategy and rationale, the key figures against the status quo (the briefing report's
table, paired on common seeds), and charts (criteria, time series with bands, equity); then the
debrief lines and the caveats. Charts are embedded PNG images, so the file needs nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from willsim.reporting import html
from willsim.reporting.formatting import date_time, money, number
from willsim.reporting.i18n import text
from willsim.workshop import board, texts
from willsim.workshop.ranking import Ranking
from willsim.workshop.runner import STATUS_QUO
from willsim.workshop.settings import CRITERIA
from willsim.workshop.strategy import Strategy


def _criterion(c: str, language: str) -> str:
    """A criterion's short name (its label without the unit in brackets)."""
    return text(f"ws_crit_{c}", language).split(" (")[0]


def _ranking_line(ranking: Ranking, language: str) -> str:
    if ranking.mode == "weights":
        weights = ", ".join(
            f"{_criterion(c, language)} {number(w, 1, language)}"
            for c, w in ranking.weights.items()
            if w
        )
        return text("ws_ranking_weights", language, weights=weights)
    order = " › ".join(_criterion(c, language) for c in ranking.order)
    return text("ws_ranking_lex", language, order=order)


def strategies_table(data: Mapping[str, Any], language: str) -> pd.DataFrame:
    """Each team's strategy in words, its estimated cost and its rationale."""
    names = board.labels(data, language)
    rows = []
    for team_id, sub in sorted(data["submissions"].items(), key=lambda kv: names.get(kv[0], "")):
        s = Strategy.from_dict(sub["strategy"])
        rows.append(
            {
                text("ws_team", language): names.get(team_id, team_id),
                text("ws_strategy", language): texts.summary(s, language),
                text("ws_est_cost", language): money(sub["cost"], language),
                text("ws_rationale", language): s.note or "–",
            }
        )
    return pd.DataFrame(rows)


def setup_line(settings: Mapping[str, Any], language: str) -> str:
    """The room's settings in one sentence."""
    return text(
        "ws_report_setup",
        language,
        city=settings["city"],
        scenario=settings["scenario"],
        weeks=text("count_weeks", language, n=int(settings["weeks"])),
        residents=text("count_residents", language, n=int(settings["residents"])),
        replicates=text("count_replicates", language, n=int(settings["replicates"])),
        envelope=money(settings["envelope"], language),
    )


def _round(data: Mapping[str, Any], language: str, ranking: Ranking) -> dict[str, Any]:
    """What the report shows of one round: board, strategies, key figures and charts."""
    event = text(f"ws_event_{data['event']}", language)
    figures = [
        html.image(
            board.criteria_figure(data, language, ranking), text("ws_alt_criteria", language), 90
        ),
        html.image(
            board.band_chart(data, "unmet_need_share", language), text("ws_alt_band", language), 90
        ),
    ]
    if len(next(iter(data["results"].values()))["runs"]) >= 2:
        figures.append(
            html.image(board.equity_chart(data, language), text("ws_alt_equity", language), 90)
        )
    return {
        "heading": text("ws_round_event", language, n=data["number"], event=event),
        "board": html.table(board.board_table(data, language, ranking), "board"),
        "strategies": html.table(strategies_table(data, language), "strategies"),
        "key_figures": html.table(board.key_figures(data, language), "key-figures"),
        "figures": figures,
    }


def html_report(
    rounds: Sequence[Mapping[str, Any]], language: str = "en", created: str | None = None
) -> str:
    """The whole workshop as one self-contained HTML page (template ``workshop.html.j2``)."""
    if not rounds:
        raise ValueError("the workshop has no results to export yet")
    first = rounds[0]
    ranking = Ranking.from_dict(first["ranking"])
    return html.render(
        "workshop.html.j2",
        lang=language,
        t=lambda key, **fmt: text(key, language, **fmt),
        title=text("ws_report_title", language, title=first["title"]),
        created=created or date_time(datetime.now(UTC), language),
        setup=setup_line(first["settings"], language),
        ranking=_ranking_line(ranking, language),
        rounds=[_round(data, language, ranking) for data in rounds],
        debrief=board.debrief_lines(rounds, language, ranking),
    )


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
