"""The results board: each team's outcomes on the workshop criteria, and the ranking.

All criteria are "lower is better". The facilitator picks either a weighted score (each criterion
scaled from the best team, 1, to the worst, 0) or a lexicographic order (the first criterion
decides; values within 1% are ties and pass to the next one). The ranking is computed when the
board is shown, from the stored results, so changing the criteria re-ranks past rounds too.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from willsim.workshop.runner import STATUS_QUO
from willsim.workshop.settings import CRITERIA, DEFAULT_WEIGHTS
from willsim.workshop.strategy import StrategyError

MODES = ("weights", "lexicographic")
TIE = 0.01


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
    """The six criteria of one stored run (see :data:`~willsim.workshop.settings.CRITERIA`)."""
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
        "waiting": val("mean_wait_weeks"),
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


def rank(
    values: pd.DataFrame, ranking: Ranking, names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """``values`` (criteria per team_id) with ``score`` (weights mode, 0-100) and ``rank``
    (1 = best; the status quo is shown but not ranked)."""
    names = names or {}
    out = values.copy()
    out["score"] = math.nan
    out["rank"] = pd.Series([pd.NA] * len(out), index=out.index, dtype="Int64")
    teams = [t for t in out.index if t != STATUS_QUO]
    if not teams:
        return out
    block = out.loc[teams, list(CRITERIA)]
    if ranking.mode == "weights":
        total = sum(ranking.weights.values())
        score = pd.Series(0.0, index=teams)
        for c in CRITERIA:
            w = ranking.weights.get(c, 0.0)
            if not w:
                continue
            col = block[c].astype(float)
            best, worst = col.min(), col.max()
            if math.isnan(best) or worst <= best:
                scaled = pd.Series(1.0, index=teams)
            else:
                scaled = ((worst - col) / (worst - best)).fillna(0.0)
            score += w * scaled
        out.loc[teams, "score"] = 100.0 * score / total
        ordered = sorted(teams, key=lambda t: (-out.at[t, "score"], names.get(t, t)))
    else:

        def cmp(a: str, b: str) -> int:
            for c in ranking.order:
                va, vb = block.at[a, c], block.at[b, c]
                if math.isnan(va) or math.isnan(vb):
                    if math.isnan(va) != math.isnan(vb):
                        return 1 if math.isnan(va) else -1
                    continue
                if abs(va - vb) > TIE * max(abs(va), abs(vb)):
                    return -1 if va < vb else 1
            return (names.get(a, a) > names.get(b, b)) - (names.get(a, a) < names.get(b, b))

        ordered = sorted(teams, key=functools.cmp_to_key(cmp))
    for i, t in enumerate(ordered, start=1):
        out.at[t, "rank"] = i
    return out


def best_by_criterion(table: pd.DataFrame, criteria: Sequence[str] = CRITERIA) -> dict[str, str]:
    """The team_id with the lowest value of each criterion (teams only)."""
    teams = table.drop(index=STATUS_QUO, errors="ignore")
    out = {}
    for c in criteria:
        col = teams[c].astype(float).dropna()
        if len(col):
            out[c] = str(col.idxmin())
    return out
