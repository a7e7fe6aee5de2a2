"""The results board of a round: ranked table, charts and debrief lines, in English or Italian.

Works on :meth:`WorkshopService.round_data` output; pure (pandas, matplotlib; no solara), so the
pages, the HTML export and the tests share it. Words, number formats, the comparison tables and
the Compare page's charts come from the reporting layer (:mod:`willsim.reporting`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from willsim.reporting import charts, tables
from willsim.reporting.formatting import money, number, percent
from willsim.reporting.i18n import text
from willsim.workshop import texts
from willsim.workshop.ranking import (
    CRITERION_UNITS,
    Ranking,
    best_by_criterion,
    clearly_lower,
    outcomes,
    per_run,
    rank,
)
from willsim.workshop.runner import STATUS_QUO, paired_runs, series_frames
from willsim.workshop.settings import CRITERIA
from willsim.workshop.strategy import Strategy

COLOURS = (
    "#1b6ca8",
    "#d1495b",
    "#66a182",
    "#edae49",
    "#6f4e7c",
    "#0b8a8f",
    "#ca6702",
    "#9b2226",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#e377c2",
)
"""Twelve distinct team colours (a room rarely has more; beyond twelve they repeat)."""


def labels(data: Mapping[str, Any], language: str) -> dict[str, str]:
    """team_id -> the name shown (the status quo in the language)."""
    out = {t: data["names"].get(t, t) for t in data["results"]}
    out[STATUS_QUO] = text("ws_status_quo", language)
    return out


def fmt_criterion(c: str, value: float, language: str) -> str:
    """A criterion's value: shares in %, money in €, other figures with two decimals."""
    unit = CRITERION_UNITS[c]
    if unit == "share":
        return percent(value, 1, language)
    if unit == "EUR":
        return money(value, language)
    return number(value, 2, language)


def shared_rank(row: Mapping[str, Any], language: str) -> str:
    """``2`` or, for a rank shared within uncertainty, ``2 =``."""
    shown = str(int(row["rank"]))
    return text("ws_rank_shared", language, rank=shown) if row.get("tied") else shown


def score_text(row: Mapping[str, Any], language: str) -> str:
    """A team's score with its 95% interval: ``+0.8 [+0.3; +1.3]``."""
    if math.isnan(row["score"]):
        return ""
    shown = number(row["score"], 1, language, signed=True)
    lo, hi = row.get("score_low", math.nan), row.get("score_high", math.nan)
    if lo != lo or hi != hi:
        return shown
    return (
        f"{shown} [{number(lo, 1, language, signed=True)}; {number(hi, 1, language, signed=True)}]"
    )


def ranked(data: Mapping[str, Any], ranking: Ranking | None = None) -> pd.DataFrame:
    """Criteria, score and rank per team_id (status quo first, then by rank)."""
    weeks = int(data["settings"]["weeks"])
    r = ranking or Ranking.from_dict(data["ranking"])
    table = rank(
        outcomes(data["results"], weeks), r, data["names"], per_run(data["results"], weeks)
    )
    order = sorted(table.index, key=lambda t: t != STATUS_QUO)  # stable: rank() ordered teams
    return table.loc[order]


def board_table(
    data: Mapping[str, Any], language: str, ranking: Ranking | None = None
) -> pd.DataFrame:
    """The board as display strings: rank, team, score, the six criteria, cost, strategy."""
    table = ranked(data, ranking)
    names = labels(data, language)
    rows = []
    for team_id, row in table.iterrows():
        sub = data["submissions"].get(team_id)
        strat = Strategy.from_dict(sub["strategy"]) if sub else None
        out = {
            text("ws_rank", language): "" if pd.isna(row["rank"]) else shared_rank(row, language),
            text("ws_team", language): names[team_id],
            text("ws_score", language): score_text(row, language),
        }
        for c in CRITERIA:
            out[text(f"ws_crit_{c}", language)] = fmt_criterion(c, row[c], language)
        out[text("ws_est_cost", language)] = money(sub["cost"], language) if sub else "–"
        out[text("ws_strategy", language)] = texts.summary(strat, language) if strat else "–"
        rows.append(out)
    return pd.DataFrame(rows)


def criteria_figure(
    data: Mapping[str, Any], language: str, ranking: Ranking | None = None
) -> Figure:
    """One small bar chart per criterion: each team's mean with its 95% interval over the
    replicates (whiskers), the status quo as a dashed line."""
    from willsim.experiments.stats import t_interval

    table = ranked(data, ranking)
    names = labels(data, language)
    teams = [t for t in table.index if t != STATUS_QUO]
    runs = per_run(data["results"], int(data["settings"]["weeks"]))
    fig = Figure(figsize=(12, 1.2 + 2 * max(2.4, 0.3 * len(teams) + 0.6)), dpi=80)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.88, bottom=0.08, wspace=0.55, hspace=0.45)
    for i, c in enumerate(CRITERIA):
        ax = fig.add_subplot(2, 3, i + 1)
        values = table.loc[teams, c].to_numpy(dtype=float)
        scale = {"share": 100.0, "EUR": 1e-6}.get(CRITERION_UNITS[c], 1.0)
        y = np.arange(len(teams))
        colours = [COLOURS[k % len(COLOURS)] for k in range(len(teams))]
        spans = np.array([t_interval(runs.loc[t, c].to_numpy(dtype=float))[1:] for t in teams])
        err = np.nan_to_num(np.abs(spans.T - values) * scale) if len(teams) else None
        bars = ax.barh(y, values * scale, color=colours, xerr=err, ecolor="#333", capsize=2)
        if STATUS_QUO in table.index and not math.isnan(table.at[STATUS_QUO, c]):
            ax.axvline(table.at[STATUS_QUO, c] * scale, color="#333", ls="--", lw=1)
        ax.set_yticks(y)
        ax.set_yticklabels([names[t] for t in teams], fontsize=8)
        ax.invert_yaxis()
        title = text(f"ws_crit_{c}", language).split(" (")[0]
        axis = {100.0: "ws_axis_percent", 1e-6: "ws_axis_million_eur"}.get(scale)
        ax.set_title(text(axis, language, title=title) if axis else title, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(axis="x", alpha=0.3)
        # bars start at zero (a cut axis makes tiny differences look large); each bar is
        # labelled with its value so small differences can still be read
        ax.bar_label(
            bars,
            labels=[fmt_criterion(c, v, language) if np.isfinite(v) else "" for v in values],
            fontsize=7,
            padding=2,
        )
        ends = [0.0, *(values[np.isfinite(values)] * scale)]
        if STATUS_QUO in table.index and np.isfinite(table.at[STATUS_QUO, c]):
            ends.append(float(table.at[STATUS_QUO, c]) * scale)
        lo, hi = min(ends), max(ends)
        pad = 0.3 * (hi - lo) or 1.0  # room for the value labels
        ax.set_xlim(lo - (pad if lo < 0 else 0.0), hi + (pad if hi > 0 else 0.0))
    fig.suptitle(
        text("ws_status_quo_line", language, status_quo=text("ws_status_quo", language)),
        fontsize=8,
        x=0.98,
        ha="right",
        y=0.99,
    )
    return fig


def band_chart(
    data: Mapping[str, Any], key: str, language: str, teams: Sequence[str] | None = None
) -> Figure:
    """The Compare page's band chart of ``key`` for the status quo and up to three teams
    (the top three unless ``teams`` is given)."""
    if teams is None:
        table = ranked(data)
        teams = [t for t in table.index if t != STATUS_QUO][:3]
    chosen = [STATUS_QUO, *[t for t in teams if t != STATUS_QUO]][:4]
    return charts.band_figure(
        series_frames(data["results"], labels(data, language), key, chosen), key, language
    )


def equity_chart(
    data: Mapping[str, Any], language: str, indicator: str = "unmet_need_share"
) -> Figure:
    """Who gains and who loses against the status quo, by group (the Compare page's chart)."""
    runs = paired_runs(data["results"], labels(data, language))
    return charts.equity_figure(tables.equity_data(runs, [indicator]), indicator, language)


def key_figures(data: Mapping[str, Any], language: str) -> pd.DataFrame:
    """The briefing's key-figures table: each team against the status quo, paired."""
    if len(data["results"]) < 2 or len(next(iter(data["results"].values()))["runs"]) < 2:
        return pd.DataFrame()
    return tables.key_figures(paired_runs(data["results"], labels(data, language)), language)


def debrief_lines(
    rounds: Sequence[Mapping[str, Any]], language: str, ranking: Ranking | None = None
) -> list[str]:
    """Plain-language lines: each round's winner and best team per criterion, how ranks moved
    and which teams changed their strategy from one round to the next."""
    lines: list[str] = []
    previous: pd.DataFrame | None = None
    prev_subs: Mapping[str, Any] = {}
    for data in rounds:
        table = ranked(data, ranking)
        names = labels(data, language)
        event = text(f"ws_event_{data['event']}", language)
        teams = [t for t in table.index if t != STATUS_QUO]
        runs = per_run(data["results"], int(data["settings"]["weeks"]))
        first = [t for t in teams if table.at[t, "rank"] == 1]
        if len(first) == 1:
            lines.append(
                text("ws_winner", language, n=data["number"], event=event, team=names[first[0]])
            )
        elif first:
            lines.append(
                text(
                    "ws_winner_shared",
                    language,
                    n=data["number"],
                    event=event,
                    teams=", ".join(names[t] for t in first),
                )
            )
        for c, t in best_by_criterion(table).items():
            close = [
                o
                for o in teams
                if o != t and not clearly_lower(runs, t, o, c) and table.at[o, c] == table.at[o, c]
            ]
            key = "ws_best_on_shared" if close else "ws_best_on"
            lines.append(
                text(
                    key,
                    language,
                    criterion=text(f"ws_crit_{c}", language),
                    team=names[t],
                    value=fmt_criterion(c, table.at[t, c], language),
                    others=", ".join(names[o] for o in close),
                )
            )
        if previous is not None:
            for t in teams:
                if t in previous.index and previous.at[t, "rank"] != table.at[t, "rank"]:
                    lines.append(
                        text(
                            "ws_moved",
                            language,
                            team=names[t],
                            a=int(previous.at[t, "rank"]),
                            b=int(table.at[t, "rank"]),
                        )
                    )
                before = prev_subs.get(t)
                after = data["submissions"].get(t)
                if before and after and before["strategy"] != after["strategy"]:
                    lines.append(
                        text(
                            "ws_changed",
                            language,
                            team=names[t],
                            before=texts.summary(Strategy.from_dict(before["strategy"]), language),
                            after=texts.summary(Strategy.from_dict(after["strategy"]), language),
                        )
                    )
        previous, prev_subs = table, data["submissions"]
    return lines
