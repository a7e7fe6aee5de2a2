"""The results board: each team's outcomes on the workshop criteria, and the ranking.

All criteria are "lower is better". Teams play on common seeds (the status quo too), so every
comparison between two teams is paired, replicate by replicate.

* **Weighted score**: each team's improvement over the status quo on every criterion, measured
  in the criterion's *minimal important difference* (the indicator registry's ``mid``: 1 point
  of unmet need, half a crisis per 1,000 a year, a week of waiting, half a point of isolation,
  1 point of equity gap, 1 euro per resident a year), weighted by the facilitator's weights and
  averaged: +1 means one minimal important difference better than the status quo. Computed per
  replicate, so it has a 95% interval. (The board used to rescale each criterion from the best
  team, 100, to the worst, 0, which turned 77.7% against 78.4% unmet need into 70 against 23
  points.)
* **Lexicographic**: the first criterion decides unless the two teams are within uncertainty of
  each other on it (the paired 95% interval of their difference includes zero); then the next.

**Ranks are shared within uncertainty**: a team's rank is 1 + the number of teams *clearly*
better than it (the paired 95% interval of the difference in score, or the lexicographic
comparison, excludes a tie). Identical teams share their rank, and so does a team that is not
clearly worse than the leader. With means only (no replicates), ranks follow the means and only
exact ties are shared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from willsim.experiments.stats import t_interval
from willsim.indicators import INDICATORS
from willsim.workshop.runner import STATUS_QUO
from willsim.workshop.settings import CRITERIA, DEFAULT_WEIGHTS
from willsim.workshop.strategy import StrategyError

MODES = ("weights", "lexicographic")


@dataclass(frozen=True)
class Ranking:
    """How teams are ranked."""

    mode: str = "weights"
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    order: tuple[str, ...] = CRITERIA

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "weights": dict(self.weights), "order": list(self.order)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Ranking:
        data = dict(data or {})
        return check_ranking(
            cls(
                mode=data.get("mode", "weights"),
                weights=dict(data.get("weights") or DEFAULT_WEIGHTS),
                order=tuple(data.get("order") or CRITERIA),
            )
        )


def check_ranking(r: Ranking) -> Ranking:
    """Validate ``r``; raises ``StrategyError`` naming the problem and the valid choices."""
    if r.mode not in MODES:
        raise StrategyError(
            f"ranking mode {r.mode!r} is not valid; choose one of {', '.join(MODES)}"
        )
    unknown = [c for c in (*r.weights, *r.order) if c not in CRITERIA]
    if unknown:
        raise StrategyError(f"unknown criterion {unknown[0]!r}; valid: {', '.join(CRITERIA)}")
    try:
        weights = {c: float(r.weights.get(c, 0.0)) for c in CRITERIA}
    except (TypeError, ValueError):
        raise StrategyError("ranking weights must be numbers") from None
    if any(w < 0 or math.isnan(w) for w in weights.values()):
        raise StrategyError("ranking weights must be zero or more")
    if r.mode == "weights" and not sum(weights.values()):
        raise StrategyError("at least one ranking weight must be above zero")
    order = tuple(dict.fromkeys(r.order))
    if r.mode == "lexicographic" and not order:
        raise StrategyError("a lexicographic ranking needs at least one criterion")
    return Ranking(r.mode, weights, order)


def criteria_per_run(run: Mapping[str, Any], weeks: int) -> dict[str, float]:
    """The six criteria of one stored run (see :data:`~willsim.workshop.settings.CRITERIA`).

    Waiting is the wait for a service (from the request at the office to the start of the
    service): since the calibrated cities' burn-in the desk hardly queues (Bergamo's wait for
    assessment is about 0.001 weeks, no lever can move it), and people wait on the services'
    lists instead (about 8 weeks in the default room)."""
    s = run["summary"]

    def val(key: str) -> float:
        v = s.get(key)
        return math.nan if v is None else float(v)

    income = {
        (g, i): (math.nan if v is None else float(v))
        for var, g, i, v in run["groups"]
        if var == "income"
    }
    gap = income.get(("absolute_poor", "unmet_need_share"), math.nan) - income.get(
        ("comfortable", "unmet_need_share"), math.nan
    )
    return {
        "unmet_need": val("unmet_need_share"),
        "crises": val("crises_per_1000"),
        "waiting": val("mean_service_wait_weeks"),
        "isolation": val("isolated_share"),
        "equity_gap": gap,
        "cost": val("public_spending_eur") * 52.0 / max(weeks, 1),
    }


CRITERION_UNITS = {
    "unmet_need": "share",
    "crises": "count",
    "waiting": "weeks",
    "isolation": "share",
    "equity_gap": "share",
    "cost": "EUR",
}


CRITERION_INDICATORS = {
    "unmet_need": "unmet_need_share",
    "crises": "crises_per_1000",
    "waiting": "mean_service_wait_weeks",
    "isolation": "isolated_share",
    "equity_gap": "unmet_need_share",
    "cost": "public_spending_eur",
}
"""The registry indicator whose minimal important difference is each criterion's unit."""


def criterion_mid(criterion: str, residents: float = math.nan) -> float:
    """A criterion's minimal important difference, in its own unit (cost: euros a year, from
    the MID per resident and year times ``residents``)."""
    ind = INDICATORS[CRITERION_INDICATORS[criterion]]
    if ind.mid is None:
        return math.nan
    if ind.mid_per == "resident-year":
        return ind.mid * residents
    return float(ind.mid)


def per_run(results: Mapping[str, Mapping[str, Any]], weeks: int) -> pd.DataFrame:
    """Every criterion of every stored run: rows ``team_id, replicate``, columns the criteria
    and ``residents`` (the city's, for the cost's MID)."""
    rows = []
    for team_id, data in results.items():
        for r, run in enumerate(data["runs"]):
            row = {"team_id": team_id, "replicate": r, **criteria_per_run(run, weeks)}
            residents = run["summary"].get("residents")
            row["residents"] = math.nan if residents is None else float(residents)
            rows.append(row)
    columns = ["team_id", "replicate", *CRITERIA, "residents"]
    return pd.DataFrame(rows, columns=columns).set_index(["team_id", "replicate"])


def outcomes(results: Mapping[str, Mapping[str, Any]], weeks: int) -> pd.DataFrame:
    """Mean over replicates of every criterion: one row per team_id (status quo included)."""
    rows = {}
    for team_id, data in results.items():
        per_run = [criteria_per_run(run, weeks) for run in data["runs"]]
        with np.errstate(all="ignore"):
            rows[team_id] = {
                c: float(np.nanmean([p[c] for p in per_run])) if per_run else math.nan
                for c in CRITERIA
            }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(CRITERIA))


def _scores(block: pd.DataFrame, reference: pd.Series, ranking: Ranking, mids: dict[str, float]):
    """Weighted improvement over ``reference`` in minimal important differences."""
    total = sum(ranking.weights.values())
    score = 0.0
    for c in CRITERIA:
        w = ranking.weights.get(c, 0.0)
        if not w or not mids[c] > 0:
            continue
        score = score + w * (reference[c] - block[c]) / mids[c]
    return score / total


def rank(
    values: pd.DataFrame,
    ranking: Ranking,
    names: Mapping[str, str] | None = None,
    runs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``values`` (mean criteria per team_id) with ``score``, ``score_low``, ``score_high``
    (weights mode: improvement over the status quo in minimal important differences, with its
    95% interval over replicates), ``rank`` (1 = best, shared within uncertainty; the status quo
    is shown but not ranked) and ``tied`` (the rank is shared).

    ``runs`` (:func:`per_run`) gives the replicates that make the intervals and the shared
    ranks; without it, scores come from the means and only exact ties share a rank."""
    names = names or {}
    out = values.copy()
    for col in ("score", "score_low", "score_high"):
        out[col] = math.nan
    out["rank"] = pd.Series([pd.NA] * len(out), index=out.index, dtype="Int64")
    out["tied"] = False
    teams = [t for t in out.index if t != STATUS_QUO]
    if not teams:
        return out
    residents = math.nan
    if runs is not None and "residents" in runs:
        residents = float(np.nanmean(runs["residents"].to_numpy(dtype=float)))
    elif "residents" in out:
        residents = float(np.nanmean(out["residents"].to_numpy(dtype=float)))
    mids = {c: criterion_mid(c, residents) for c in CRITERIA}
    if not mids["cost"] > 0:  # no city size known: the cost counts in units of the spread
        spread = float(np.nanstd(out.loc[teams, "cost"].to_numpy(dtype=float)))
        mids["cost"] = spread or 1.0
    per_team = _per_team(out, teams, runs)
    if ranking.mode == "weights":
        reference = per_team.get(STATUS_QUO)
        for t in [*teams, *([STATUS_QUO] if STATUS_QUO in out.index else [])]:
            base = reference if reference is not None else _mean_of(per_team, teams)
            score = np.asarray(_scores(per_team[t], base, ranking, mids), dtype=float)
            mean, lo, hi = t_interval(score)
            out.loc[t, ["score", "score_low", "score_high"]] = [mean, lo, hi]
        if STATUS_QUO in out.index:
            out.loc[STATUS_QUO, ["score", "score_low", "score_high"]] = 0.0

        def beats(a: str, b: str) -> bool:
            d = np.asarray(_scores(per_team[b], per_team[a], ranking, mids), dtype=float)
            return _clear(-d) > 0  # a's score minus b's, per replicate

    else:

        def beats(a: str, b: str) -> bool:
            for c in ranking.order:
                d = (per_team[a][c] - per_team[b][c]).to_numpy(dtype=float)
                side = _clear(d)
                if side:
                    return side < 0  # lower is better
            return False

    better_than = {t: sum(beats(o, t) for o in teams if o != t) for t in teams}
    for t in teams:
        out.at[t, "rank"] = 1 + better_than[t]
    counts = out.loc[teams, "rank"].value_counts()
    out.loc[teams, "tied"] = [bool(counts[out.at[t, "rank"]] > 1) for t in teams]
    key = (lambda t: (-out.at[t, "score"], names.get(t, t))) if ranking.mode == "weights" else None
    order = sorted(
        teams, key=lambda t: (out.at[t, "rank"], *(key(t) if key else (names.get(t, t),)))
    )
    return out.loc[[*(i for i in out.index if i not in teams), *order]]


def _per_team(
    out: pd.DataFrame, teams: Sequence[str], runs: pd.DataFrame | None
) -> dict[str, pd.DataFrame]:
    """Each team's criteria per replicate (one row of means when there are no runs)."""
    every = [*teams, *([STATUS_QUO] if STATUS_QUO in out.index else [])]
    if runs is None:
        return {t: out.loc[[t], list(CRITERIA)].reset_index(drop=True) for t in every}
    return {t: runs.loc[t, list(CRITERIA)].reset_index(drop=True) for t in every}


def _mean_of(per_team: Mapping[str, pd.DataFrame], teams: Sequence[str]) -> pd.DataFrame:
    return sum(per_team[t] for t in teams) / len(teams)


def _clear(diffs: np.ndarray) -> int:
    """+1 if the paired differences are clearly above zero (95% interval), -1 if clearly below,
    0 if within uncertainty. One pair (means only): the sign of a non-zero difference."""
    d = np.asarray(diffs, dtype=float)
    d = d[np.isfinite(d)]
    if d.size == 0:
        return 0
    if d.size == 1:
        return int(np.sign(d[0]))
    _, lo, hi = t_interval(d)
    if lo > 0:
        return 1
    if hi < 0:
        return -1
    return 0


def clearly_lower(runs: pd.DataFrame, a: str, b: str, criterion: str) -> bool:
    """Whether team ``a`` is clearly lower (better) than ``b`` on ``criterion``, paired."""
    d = (runs.loc[a, criterion] - runs.loc[b, criterion]).to_numpy(dtype=float)
    return _clear(d) < 0


def best_by_criterion(table: pd.DataFrame, criteria: Sequence[str] = CRITERIA) -> dict[str, str]:
    """The team_id with the lowest value of each criterion (teams only)."""
    teams = table.drop(index=STATUS_QUO, errors="ignore")
    out = {}
    for c in criteria:
        col = teams[c].astype(float).dropna()
        if len(col):
            out[c] = str(col.idxmin())
    return out
